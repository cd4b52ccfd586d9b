//! The bilingual reply templates: every sentence Anxin says lives in a data file, keyed, in Chinese and English,
//! with `{placeholders}` that the engine fills with ready-formatted values.
//!
//! The bundled file is `dialog/templates/replies.txt`, embedded at compile time; a lender may pass its own text of
//! the same shape to [`crate::Dialog::with_templates`]. The format is line based:
//!
//! ```text
//! # A comment.
//! [greeting_first]
//! zh = {name}您好！……
//! en = Hello {name}! ...
//! ```
//!
//! A value is one line; `\n` inside it stands for a line break. Keys are either the fixed keys listed in [`keys`],
//! each with the placeholders the engine supplies, or members of a [`family`] such as `topic.due_amount_query`,
//! which take no placeholders. Parsing is strict so that a broken file is reported before it reaches a customer.

use std::collections::BTreeMap;

use nlu::Lang;

/// The reply templates bundled with Anxin.
pub const BUNDLED_TEMPLATES: &str = include_str!("../templates/replies.txt");

/// A fixed template the engine uses, with the placeholders it fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateKey {
    pub name: &'static str,
    pub placeholders: &'static [&'static str],
}

macro_rules! template_keys {
    ($($constant:ident = $name:literal [$($placeholder:literal),*];)*) => {
        $(
            #[doc = concat!("The `", $name, "` template.")]
            pub const $constant: TemplateKey = TemplateKey { name: $name, placeholders: &[$($placeholder),*] };
        )*
        /// Every fixed key, so that a test can check the file against the code.
        pub const ALL: &[TemplateKey] = &[$($constant),*];
    };
}

/// The fixed template keys and their placeholders.
pub mod keys {
    use super::TemplateKey;

    template_keys! {
        GREETING_FIRST = "greeting_first" ["name"];
        GREETING_AGAIN = "greeting_again" ["name"];
        THANKS = "thanks" [];
        GOODBYE = "goodbye" [];
        ANYTHING_ELSE = "anything_else" [];
        INFORM_WITHOUT_QUESTION = "inform_without_question" [];
        NOTHING_TO_REPEAT = "nothing_to_repeat" [];
        UNSUPPORTED_TOPIC = "unsupported_topic" ["topic"];
        UNSUPPORTED_UNKNOWN = "unsupported_unknown" [];
        OUT_OF_SCOPE = "out_of_scope" [];
        UNSUPPORTED_TOPIC_PERSON_COMING = "unsupported_topic_person_coming" ["topic"];
        UNSUPPORTED_UNKNOWN_PERSON_COMING = "unsupported_unknown_person_coming" [];
        OUT_OF_SCOPE_PERSON_COMING = "out_of_scope_person_coming" [];
        QUICK_REPLY_HUMAN = "quick_reply_human" [];
        QUICK_REPLY_NO_THANKS = "quick_reply_no_thanks" [];
        HANDOFF_TRANSFER = "handoff_transfer" [];
        HANDOFF_ALREADY_REQUESTED = "handoff_already_requested" [];
        HANDOFF_NOT_UNDERSTOOD = "handoff_not_understood" [];
        HANDOFF_SUMMARY = "handoff_summary" ["reason", "topics", "language", "turns"];
        SUMMARY_NO_TOPICS = "summary_no_topics" [];
        CLARIFY_CHOOSE = "clarify_choose" [];
        CLARIFY_REPHRASE = "clarify_rephrase" [];
        ACCOUNT_UNAVAILABLE = "account_unavailable" [];
        ACCOUNT_UNAVAILABLE_PERSON_COMING = "account_unavailable_person_coming" [];
        NO_LOANS = "no_loans" [];
        ALL_SETTLED = "all_settled" [];
        LOAN_LABEL = "loan_label" ["product", "id"];
        DUE_LOAN_HEADER = "due_loan_header" ["loan"];
        DUE_LOAN_COUNT = "due_loan_count" ["count"];
        DUE_OVERDUE = "due_overdue" ["amount", "days", "instalments"];
        DUE_WITHIN_GRACE = "due_within_grace" ["grace_end"];
        DUE_PAST_GRACE = "due_past_grace" [];
        DUE_NEXT = "due_next" ["seq", "amount", "date"];
        DUE_TODAY = "due_today" ["seq", "amount", "date"];
        DUE_NOTHING_SCHEDULED = "due_nothing_scheduled" [];
        HOW_TO_PAY = "how_to_pay" [];
        SCHEDULE_HEADER = "schedule_header" ["loan", "count", "paid", "remaining"];
        SCHEDULE_HEADER_SETTLED = "schedule_header_settled" ["loan", "count"];
        SCHEDULE_EMPTY = "schedule_empty" ["loan"];
        SCHEDULE_LINE = "schedule_line" ["seq", "date", "amount", "status"];
        SCHEDULE_NEXT_MARK = "schedule_next_mark" [];
        SCHEDULE_OUTSTANDING = "schedule_outstanding" ["amount"];
        SCHEDULE_SPOKEN_LINE = "schedule_spoken_line" ["seq", "date", "amount", "status"];
        SCHEDULE_SPOKEN_NEXT = "schedule_spoken_next" ["seq", "date", "amount", "status"];
        SCHEDULE_SPOKEN_REST = "schedule_spoken_rest" ["count"];
        STATUS_PAID = "status_paid" [];
        STATUS_UNPAID = "status_unpaid" [];
        STATUS_OVERDUE = "status_overdue" [];
        STATUS_UNPAID_PARTLY = "status_unpaid_partly" ["owed"];
        STATUS_OVERDUE_PARTLY = "status_overdue_partly" ["owed"];
        PAYOFF_HEADER = "payoff_header" ["loan", "date"];
        PAYOFF_PRINCIPAL = "payoff_principal" ["amount"];
        PAYOFF_OVERDUE_CHARGES = "payoff_overdue_charges" ["amount"];
        PAYOFF_INTEREST = "payoff_interest" ["amount"];
        PAYOFF_SERVICE_FEE = "payoff_service_fee" ["amount"];
        PAYOFF_FEE_CASH_EARLY = "payoff_fee_cash_early" ["amount"];
        PAYOFF_FEE_CASH_LATER = "payoff_fee_cash_later" ["amount"];
        PAYOFF_FEE_INSTALMENT = "payoff_fee_instalment" ["amount"];
        PAYOFF_FEE_OTHER = "payoff_fee_other" ["amount"];
        PAYOFF_TOTAL = "payoff_total" ["amount"];
        PAYOFF_NOTE = "payoff_note" [];
        PAYOFF_UNAVAILABLE = "payoff_unavailable" ["loan", "amount"];
        LIMIT_NONE = "limit_none" [];
        LIMIT_SUMMARY = "limit_summary" ["limit", "available"];
        LIMIT_TOTAL_ONLY = "limit_total_only" ["limit"];
        LIMIT_FROZEN = "limit_frozen" ["overdue"];
        LIMIT_FROZEN_UNKNOWN_AMOUNT = "limit_frozen_unknown_amount" [];
        DEBIT_FAILED = "debit_failed" ["time", "loan", "amount", "reason"];
        DEBIT_FAILED_UNKNOWN_LOAN = "debit_failed_unknown_loan" ["time", "amount", "reason"];
        DEBIT_REASON_MISSING = "debit_reason_missing" [];
        DEBIT_REASON_UNRECOGNISED = "debit_reason_unrecognised" ["code"];
        DEBIT_RETRY_TODAY = "debit_retry_today" ["times"];
        DEBIT_NO_MORE_ATTEMPTS = "debit_no_more_attempts" [];
        DEBIT_GRACE = "debit_grace" ["grace_end"];
        DEBIT_ALREADY_PAID = "debit_already_paid" [];
        DEBIT_NONE = "debit_none" [];
        CARD_LINE = "card_line" ["bank", "last4", "autodebit"];
        CARD_AUTODEBIT_ON = "card_autodebit_on" [];
        CARD_AUTODEBIT_OFF = "card_autodebit_off" [];
        NO_CARDS = "no_cards" [];
        QUICK_REPLY_CONFIRM = "quick_reply_confirm" [];
        QUICK_REPLY_CANCEL = "quick_reply_cancel" [];
        NEXT_INSTALMENT = "next_instalment" ["loan", "seq", "amount", "date", "status"];
        NEXT_INSTALMENT_NONE = "next_instalment_none" ["loan", "seq"];
        NEXT_INSTALMENT_UNKNOWN = "next_instalment_unknown" [];
        PREVIOUS_INSTALMENT_NONE = "previous_instalment_none" ["loan", "seq"];
        ARRANGEMENT_NOTHING_OVERDUE = "arrangement_nothing_overdue" [];
        ARRANGEMENT_OVERDUE = "arrangement_overdue" ["amount", "days"];
        ARRANGEMENT_EXTENSION = "arrangement_extension" [];
        ARRANGEMENT_PLAN_YES = "arrangement_plan_yes" [];
        ARRANGEMENT_PLAN_NO = "arrangement_plan_no" ["days"];
        ARRANGEMENT_WAIVER_YES = "arrangement_waiver_yes" [];
        ARRANGEMENT_WAIVER_NO = "arrangement_waiver_no" ["days"];
        ARRANGEMENT_PARTIAL = "arrangement_partial" [];
        ARRANGEMENT_REFUSE = "arrangement_refuse" [];
        ARRANGEMENT_PROMISE = "arrangement_promise" ["latest_date"];
        ARRANGEMENT_PERSON = "arrangement_person" [];
        ARRANGEMENT_PERSON_COMING = "arrangement_person_coming" [];
        PAYMENT_WAYS = "payment_ways" [];
        REPAYMENTS_HEADER = "repayments_header" [];
        REPAYMENT_LINE = "repayment_line" ["time", "loan", "amount", "channel", "status"];
        REPAYMENT_SUCCEEDED = "repayment_succeeded" [];
        REPAYMENT_FAILED = "repayment_failed" [];
        REPAYMENTS_NONE = "repayments_none" [];
        ALREADY_PAID_NOTE = "already_paid_note" [];
        PREPAY_CASH = "prepay_cash" ["loan", "principal"];
        PREPAY_FEE_UNTIL = "prepay_fee_until" ["date"];
        PREPAY_NO_FEE = "prepay_no_fee" [];
        PREPAY_QUOTE = "prepay_quote" ["amount", "fee", "total"];
        PREPAY_TOO_SMALL = "prepay_too_small" [];
        PREPAY_TOO_LARGE = "prepay_too_large" ["principal"];
        PREPAY_INSTALMENT = "prepay_instalment" ["loan"];
        LIMIT_NOT_FROZEN = "limit_not_frozen" [];
        LIMIT_INCREASE_YES = "limit_increase_yes" ["count"];
        LIMIT_INCREASE_NOT_YET = "limit_increase_not_yet" ["count"];
        LIMIT_INCREASE_OVERDUE = "limit_increase_overdue" [];
        APPLICATION_LATEST = "application_latest" ["loan", "amount", "date"];
        APPLICATION_NONE = "application_none" [];
        APPLICATION_TIMES = "application_times" [];
        DISBURSEMENT_RECENT = "disbursement_recent" ["loan", "amount", "date", "deadline"];
        DISBURSEMENT_OLD = "disbursement_old" ["loan", "amount", "date"];
        DISBURSEMENT_NONE = "disbursement_none" [];
    }
}

/// Families of templates keyed by an id from elsewhere (an intent, a product, a bank code ...). Members take no
/// placeholders; their key is `family.member`.
pub mod family {
    /// A short label naming an intent's topic, used inside sentences and in handoff summaries.
    pub const TOPIC: &str = "topic";
    /// A sentence that says an intent plainly, sent when the customer presses a clarification button.
    pub const CANONICAL: &str = "canonical";
    /// A product's name, by product id.
    pub const PRODUCT: &str = "product";
    /// A bank's name, by bank code.
    pub const BANK: &str = "bank";
    /// Why an automatic debit failed, in words, by the loan system's reason code.
    pub const DEBIT_REASON: &str = "debit_reason";
    /// What the customer can do about a debit failure, by reason code.
    pub const DEBIT_ADVICE: &str = "debit_advice";
    /// Why a conversation was handed over, for the agent's summary, by [`crate::HandoffReason::as_str`].
    pub const HANDOFF_REASON: &str = "handoff_reason";
    /// The name of a conversation language, by [`nlu::Lang::as_str`].
    pub const LANGUAGE: &str = "language";
    /// How a repayment was made (`autodebit`, `app`, `transfer`), by the loan system's channel code.
    pub const CHANNEL: &str = "channel";

    /// Every family, so that a test can check the file against the code.
    pub const ALL: &[&str] = &[
        TOPIC,
        CANONICAL,
        PRODUCT,
        BANK,
        DEBIT_REASON,
        DEBIT_ADVICE,
        HANDOFF_REASON,
        LANGUAGE,
        CHANNEL,
    ];
}

/// One template in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    pub zh: String,
    pub en: String,
}

impl Template {
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// Why a template text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("line {line}: expected `[key]`, `zh = ...`, `en = ...`, a comment or a blank line")]
    MalformedLine { line: usize },
    #[error("line {line}: a language line comes before any `[key]`")]
    TextOutsideTemplate { line: usize },
    #[error("line {line}: `{key}` is defined twice")]
    DuplicateKey { line: usize, key: String },
    #[error("line {line}: `{key}` has two `{lang}` lines")]
    DuplicateLanguage {
        line: usize,
        key: String,
        lang: &'static str,
    },
    #[error("`{key}` has no `{lang}` text")]
    MissingLanguage { key: String, lang: &'static str },
    #[error("`{key}` ({lang}) has an unclosed or empty `{{placeholder}}`")]
    BadPlaceholder { key: String, lang: &'static str },
}

/// A parsed set of templates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Templates {
    by_key: BTreeMap<String, Template>,
}

impl Templates {
    /// The templates bundled with Anxin. The bundled file is checked by this crate's tests, so the empty fallback
    /// (under which every reply shows its key) only guards against a broken build, never a customer's input.
    pub fn bundled() -> Templates {
        // Parsed once per process; every dialog manager gets its own copy.
        static BUNDLED: std::sync::OnceLock<Templates> = std::sync::OnceLock::new();
        BUNDLED
            .get_or_init(|| Templates::parse(BUNDLED_TEMPLATES).unwrap_or_default())
            .clone()
    }

    /// Reads templates from `text` in the format described in the module documentation.
    pub fn parse(text: &str) -> Result<Templates, TemplateError> {
        let mut by_key: BTreeMap<String, Template> = BTreeMap::new();
        let mut current: Option<(String, Option<String>, Option<String>)> = None;
        for (index, raw_line) in text.lines().enumerate() {
            let line_number = index + 1;
            let line = raw_line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(key) = line
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
            {
                let key = key.trim();
                if key.is_empty() || key.chars().any(char::is_whitespace) {
                    return Err(TemplateError::MalformedLine { line: line_number });
                }
                if let Some(finished) = current.take() {
                    finish_template(&mut by_key, finished)?;
                }
                if by_key.contains_key(key) {
                    return Err(TemplateError::DuplicateKey {
                        line: line_number,
                        key: key.to_owned(),
                    });
                }
                current = Some((key.to_owned(), None, None));
                continue;
            }
            let (lang, value) = match line.split_once('=') {
                Some((lang, value)) => (lang.trim(), unescape(value.trim())),
                None => return Err(TemplateError::MalformedLine { line: line_number }),
            };
            let Some((key, zh, en)) = current.as_mut() else {
                return Err(TemplateError::TextOutsideTemplate { line: line_number });
            };
            let slot = match lang {
                "zh" => zh,
                "en" => en,
                _ => return Err(TemplateError::MalformedLine { line: line_number }),
            };
            if slot.is_some() {
                let lang = if lang == "zh" { "zh" } else { "en" };
                return Err(TemplateError::DuplicateLanguage {
                    line: line_number,
                    key: key.clone(),
                    lang,
                });
            }
            *slot = Some(value);
        }
        if let Some(finished) = current.take() {
            finish_template(&mut by_key, finished)?;
        }
        Ok(Templates { by_key })
    }

    /// All templates by key.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Template)> {
        self.by_key
            .iter()
            .map(|(key, template)| (key.as_str(), template))
    }

    pub fn get(&self, key: &str) -> Option<&Template> {
        self.by_key.get(key)
    }

    /// The text of a family member (`topic.due_amount_query`), if the file has it.
    pub fn member(&self, family: &str, member: &str, lang: Lang) -> Option<&str> {
        self.by_key
            .get(&format!("{family}.{member}"))
            .map(|template| template.text(lang))
    }

    /// Fills `key`'s template with `values`. A missing template shows its key and an unknown placeholder stays as
    /// written, so a gap in a lender's file is visible instead of silent.
    pub fn render(&self, key: TemplateKey, lang: Lang, values: &[(&str, &str)]) -> String {
        match self.by_key.get(key.name) {
            Some(template) => fill_placeholders(template.text(lang), values),
            None => key.name.to_owned(),
        }
    }
}

/// Stores a finished `[key]` block, insisting on both languages and well-formed placeholders.
fn finish_template(
    by_key: &mut BTreeMap<String, Template>,
    (key, zh, en): (String, Option<String>, Option<String>),
) -> Result<(), TemplateError> {
    let Some(zh) = zh else {
        return Err(TemplateError::MissingLanguage { key, lang: "zh" });
    };
    let Some(en) = en else {
        return Err(TemplateError::MissingLanguage { key, lang: "en" });
    };
    if placeholders(&zh).is_none() {
        return Err(TemplateError::BadPlaceholder { key, lang: "zh" });
    }
    if placeholders(&en).is_none() {
        return Err(TemplateError::BadPlaceholder { key, lang: "en" });
    }
    by_key.insert(key, Template { zh, en });
    Ok(())
}

/// Turns the two-character sequence `\n` into a line break.
fn unescape(value: &str) -> String {
    value.replace("\\n", "\n")
}

/// The placeholder names in `text`, in order, or `None` when a `{` is not closed or a name is empty.
pub fn placeholders(text: &str) -> Option<Vec<&str>> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after_open = &rest[open + 1..];
        let close = after_open.find('}')?;
        let name = &after_open[..close];
        if name.is_empty()
            || !name
                .chars()
                .all(|character| character.is_ascii_alphanumeric() || character == '_')
        {
            return None;
        }
        names.push(name);
        rest = &after_open[close + 1..];
    }
    Some(names)
}

/// Replaces every `{name}` that has a value in `values`.
pub(crate) fn fill_placeholders(text: &str, values: &[(&str, &str)]) -> String {
    let mut filled = String::with_capacity(text.len() + 32);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        filled.push_str(&rest[..open]);
        let after_open = &rest[open + 1..];
        let Some(close) = after_open.find('}') else {
            filled.push_str(&rest[open..]);
            return filled;
        };
        let name = &after_open[..close];
        match values.iter().find(|(candidate, _)| *candidate == name) {
            Some((_, value)) => filled.push_str(value),
            None => filled.push_str(&rest[open..open + close + 2]),
        }
        rest = &after_open[close + 1..];
    }
    filled.push_str(rest);
    filled
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn parses_blocks_comments_and_line_breaks() {
        let text = "# A comment.\n\n[hello]\nzh = {name}您好\nen = Hello {name}\\nWelcome\n";
        let templates = Templates::parse(text).expect("valid text parses");
        let template = templates.get("hello").expect("the key is present");
        assert_eq!(template.zh, "{name}您好");
        assert_eq!(template.en, "Hello {name}\nWelcome");
    }

    #[test]
    fn rejects_broken_files_with_the_line() {
        assert_eq!(
            Templates::parse("[a]\nzh = 好\n"),
            Err(TemplateError::MissingLanguage {
                key: "a".to_owned(),
                lang: "en"
            })
        );
        assert_eq!(
            Templates::parse("zh = 好\n"),
            Err(TemplateError::TextOutsideTemplate { line: 1 })
        );
        assert_eq!(
            Templates::parse("[a]\nzh = 好\nen = ok\n[a]\nzh = 好\nen = ok\n"),
            Err(TemplateError::DuplicateKey {
                line: 4,
                key: "a".to_owned()
            })
        );
        assert_eq!(
            Templates::parse("[a]\nzh = 好\nzh = 好\n"),
            Err(TemplateError::DuplicateLanguage {
                line: 3,
                key: "a".to_owned(),
                lang: "zh"
            })
        );
        assert_eq!(
            Templates::parse("[a]\nfr = bien\n"),
            Err(TemplateError::MalformedLine { line: 2 })
        );
        assert_eq!(
            Templates::parse("[a]\nzh = {name\nen = ok\n"),
            Err(TemplateError::BadPlaceholder {
                key: "a".to_owned(),
                lang: "zh"
            })
        );
    }

    #[test]
    fn render_fills_known_placeholders_and_keeps_unknown_ones_visible() {
        let templates =
            Templates::parse("[greeting_first]\nzh = {name}您好{other}\nen = Hello {name}\n")
                .expect("valid text parses");
        assert_eq!(
            templates.render(keys::GREETING_FIRST, Lang::Zh, &[("name", "张伟")]),
            "张伟您好{other}"
        );
        assert_eq!(
            templates.render(keys::GREETING_FIRST, Lang::En, &[("name", "John")]),
            "Hello John"
        );
        assert_eq!(templates.render(keys::THANKS, Lang::En, &[]), "thanks");
    }

    #[test]
    fn fixed_keys_are_unique() {
        let names: BTreeSet<&str> = keys::ALL.iter().map(|key| key.name).collect();
        assert_eq!(names.len(), keys::ALL.len());
    }

    /// The bundled file parses, every template in it has both languages and only uses the placeholders the engine
    /// supplies (the same ones in both languages), and every key in it is one the engine knows.
    #[test]
    fn bundled_templates_are_complete_and_consistent() {
        let templates = Templates::parse(BUNDLED_TEMPLATES).expect("the bundled templates parse");
        for key in keys::ALL {
            assert!(
                templates.get(key.name).is_some(),
                "the bundled file lacks `{}`",
                key.name
            );
        }
        for (name, template) in templates.iter() {
            assert!(
                !template.zh.trim().is_empty(),
                "`{name}` has an empty Chinese text"
            );
            assert!(
                !template.en.trim().is_empty(),
                "`{name}` has an empty English text"
            );
            let allowed: &[&str] = match keys::ALL.iter().find(|key| key.name == name) {
                Some(key) => key.placeholders,
                None => {
                    let family_name = name.split_once('.').map(|(family_name, _)| family_name);
                    assert!(
                        family_name.is_some_and(|family_name| family::ALL.contains(&family_name)),
                        "`{name}` is neither a fixed key nor a family member"
                    );
                    &[]
                }
            };
            let chinese: BTreeSet<&str> = placeholders(&template.zh)
                .unwrap_or_default()
                .into_iter()
                .collect();
            let english: BTreeSet<&str> = placeholders(&template.en)
                .unwrap_or_default()
                .into_iter()
                .collect();
            assert_eq!(
                chinese, english,
                "`{name}` uses different placeholders in its two languages"
            );
            for used in &chinese {
                assert!(
                    allowed.contains(used),
                    "`{name}` uses `{{{used}}}`, which the engine does not supply"
                );
            }
        }
    }

    #[test]
    fn bundled_families_cover_what_the_engine_looks_up() {
        let templates = Templates::parse(BUNDLED_TEMPLATES).expect("the bundled templates parse");
        for intent in nlu::intents() {
            for lang in [Lang::Zh, Lang::En] {
                assert!(
                    templates.member(family::TOPIC, intent.id, lang).is_some(),
                    "no topic for {}",
                    intent.id
                );
                if crate::routing::offered_in_clarification(intent.id) {
                    assert!(
                        templates
                            .member(family::CANONICAL, intent.id, lang)
                            .is_some(),
                        "no canonical sentence for {}",
                        intent.id
                    );
                }
            }
        }
        for reason in crate::routing::KNOWN_DEBIT_FAILURE_REASONS {
            assert!(
                templates
                    .get(&format!("{}.{reason}", family::DEBIT_REASON))
                    .is_some(),
                "no words for {reason}"
            );
            assert!(
                templates
                    .get(&format!("{}.{reason}", family::DEBIT_ADVICE))
                    .is_some(),
                "no advice for {reason}"
            );
        }
        for reason in [
            crate::HandoffReason::CustomerRequest,
            crate::HandoffReason::NotUnderstood,
            crate::HandoffReason::BackendUnavailable,
            crate::HandoffReason::CollectionsPaused,
        ] {
            assert!(
                templates
                    .get(&format!("{}.{}", family::HANDOFF_REASON, reason.as_str()))
                    .is_some()
            );
        }
        for product in ["cash_loan", "instalment_loan"] {
            assert!(
                templates
                    .get(&format!("{}.{product}", family::PRODUCT))
                    .is_some()
            );
        }
        for lang in [Lang::Zh, Lang::En] {
            assert!(
                templates
                    .get(&format!("{}.{}", family::LANGUAGE, lang.as_str()))
                    .is_some()
            );
        }
        for bank in [
            "ICBC", "CCB", "ABC", "BOC", "CMB", "BOCOM", "PSBC", "CIB", "SPDB", "CITIC",
        ] {
            assert!(
                templates.get(&format!("{}.{bank}", family::BANK)).is_some(),
                "no name for {bank}"
            );
        }
    }
}

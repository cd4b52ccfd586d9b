//! Frequently asked questions: ready answers in both languages, each resting on named nodes of the knowledge graph.
//!
//! FAQ files (`knowledge-graph/knowledge/faq/*.toml` for the demo lender) hold `[[faq]]` tables with an `id` such as
//! `faq.grace_period`, the closest `intent` of the intent list (or `none`), at least three `questions_zh` and three
//! `questions_en` as customers would put them, an `answer_zh` and an `answer_en`, the `sources` the answer rests on
//! (ids of graph nodes) and optional `tags`. [`FaqSet::load`] takes the files as text together with the graph they
//! cite and reports every problem at once with its file and line, as the graph loader does: duplicate ids, missing
//! fields, too few phrasings, empty answers, text in the wrong language, a question two entries both claim, unknown
//! intents, broken source references, and any number an answer states that none of its sources states. That last
//! check keeps the answers honest when a lender changes a figure in the graph and forgets an answer that repeats it.

use std::collections::{BTreeSet, HashMap};

use serde::Deserialize;
use toml::Spanned;

use crate::KnowledgeGraph;
use crate::load::{LoadError, Source, ValidationError};
use crate::model::{Lang, LocalText, Node};
use crate::query::Answer;

/// The intent ids of the fixed intent list (`intents.tsv`), which an entry's `intent` must name unless it is `none`.
pub const INTENT_IDS: [&str; 56] = [
    "greeting",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "inform",
    "repeat",
    "human_agent",
    "out_of_scope",
    "due_amount_query",
    "schedule_query",
    "payoff_balance_query",
    "make_payment",
    "already_paid",
    "autodebit_failed",
    "autodebit_manage",
    "change_bank_card",
    "partial_prepay",
    "early_settlement",
    "rate_apr_query",
    "fee_breakdown",
    "refund_overcharge",
    "application_status",
    "rejection_reason",
    "disbursement_missing",
    "limit_query",
    "limit_increase",
    "limit_frozen",
    "settlement_certificate",
    "contract_invoice",
    "credit_report_question",
    "credit_report_dispute",
    "update_profile",
    "account_closure",
    "login_security",
    "fraud_report",
    "complaint",
    "marketing_optout",
    "promo_query",
    "wrong_party",
    "third_party_relay",
    "verify_caller",
    "promise_to_pay",
    "partial_payment",
    "extension_request",
    "installment_plan",
    "settlement_request",
    "hardship",
    "dispute_debt",
    "overdue_consequences",
    "contact_preference",
    "cease_contact",
    "legal_rep_bankruptcy",
    "collector_complaint",
    "refuse_to_pay",
    "borrower_deceased",
];

/// The fewest phrasings of a question an entry must give in each language.
pub const MIN_QUESTIONS_PER_LANGUAGE: usize = 3;

/// One question with its answer in both languages and the graph nodes the answer rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaqEntry {
    /// A stable id such as `faq.grace_period`.
    pub id: String,
    /// The closest intent of the intent list, or `None` when no intent fits.
    pub intent: Option<String>,
    /// Ways customers ask the question in Chinese.
    pub questions_zh: Vec<String>,
    /// Ways customers ask the question in English.
    pub questions_en: Vec<String>,
    pub answer: LocalText,
    /// Ids of the graph nodes the answer rests on, in the order the file gives them.
    pub sources: Vec<String>,
    pub tags: Vec<String>,
    /// Where the entry was written: `file:line`.
    pub origin: String,
}

impl FaqEntry {
    /// The phrasings of the question in one language.
    pub fn questions(&self, lang: Lang) -> &[String] {
        match lang {
            Lang::Zh => &self.questions_zh,
            Lang::En => &self.questions_en,
        }
    }

    /// The answer in one language, carrying the nodes it rests on.
    pub fn answer(&self, lang: Lang) -> Answer {
        Answer {
            text: self.answer.get(lang).to_owned(),
            sources: self.sources.clone(),
        }
    }
}

/// A validated set of FAQ entries, in the order the files give them.
#[derive(Debug, Clone, Default)]
pub struct FaqSet {
    entries: Vec<FaqEntry>,
    by_id: HashMap<String, usize>,
}

impl FaqSet {
    /// Loads and validates FAQ files against the graph their sources name.
    pub fn load(sources: &[Source<'_>], graph: &KnowledgeGraph) -> Result<FaqSet, LoadError> {
        let mut loader = Loader {
            graph,
            errors: Vec::new(),
            entries: Vec::new(),
            by_id: HashMap::new(),
            questions: HashMap::new(),
        };
        for source in sources {
            loader.load_file(source);
        }
        if loader.errors.is_empty() {
            Ok(FaqSet {
                entries: loader.entries,
                by_id: loader.by_id,
            })
        } else {
            Err(LoadError(loader.errors))
        }
    }

    /// The demo lender's FAQ, checked against the demo lender's graph.
    pub fn demo(graph: &KnowledgeGraph) -> Result<FaqSet, LoadError> {
        let sources: Vec<Source<'_>> = crate::DEMO_FAQ
            .iter()
            .map(|(name, text)| Source { name, text })
            .collect();
        FaqSet::load(&sources, graph)
    }

    /// Every entry, in the order the files give them.
    pub fn entries(&self) -> &[FaqEntry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry with this id, if there is one.
    pub fn get(&self, id: &str) -> Option<&FaqEntry> {
        self.by_id.get(id).map(|&index| &self.entries[index])
    }

    /// The entries whose closest intent is `intent`, in file order.
    pub fn for_intent(&self, intent: &str) -> Vec<&FaqEntry> {
        self.entries
            .iter()
            .filter(|entry| entry.intent.as_deref() == Some(intent))
            .collect()
    }

    /// The entries carrying `tag`, in file order.
    pub fn tagged(&self, tag: &str) -> Vec<&FaqEntry> {
        self.entries
            .iter()
            .filter(|entry| entry.tags.iter().any(|own| own == tag))
            .collect()
    }

    /// The entries that cite the graph node `id` among their sources, in file order.
    pub fn citing(&self, id: &str) -> Vec<&FaqEntry> {
        self.entries
            .iter()
            .filter(|entry| entry.sources.iter().any(|source| source == id))
            .collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFaqFile {
    #[serde(default)]
    faq: Vec<Spanned<RawFaq>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFaq {
    id: Option<Spanned<String>>,
    intent: Option<Spanned<String>>,
    questions_zh: Option<Spanned<Vec<Spanned<String>>>>,
    questions_en: Option<Spanned<Vec<Spanned<String>>>>,
    answer_zh: Option<Spanned<String>>,
    answer_en: Option<Spanned<String>>,
    sources: Option<Spanned<Vec<Spanned<String>>>>,
    tags: Option<Vec<Spanned<String>>>,
}

/// The state of one load: what has been accepted so far and every problem found.
struct Loader<'graph> {
    graph: &'graph KnowledgeGraph,
    errors: Vec<ValidationError>,
    entries: Vec<FaqEntry>,
    by_id: HashMap<String, usize>,
    /// Every question accepted so far, normalised, with the entry that asks it and where.
    questions: HashMap<String, (String, String)>,
}

/// One file being read: its name, and where its lines start, for turning spans into lines.
#[derive(Clone, Copy)]
struct Place<'a> {
    file: &'a str,
    /// The byte offset of every line break, in order: a span's line is found by binary search, so that a file of
    /// thousands of entries is not rescanned from its start for every field.
    line_breaks: &'a [usize],
}

impl Place<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.line_breaks
            .partition_point(|&line_break| line_break < offset)
            + 1
    }

    fn line_of_span<T>(&self, spanned: &Spanned<T>) -> usize {
        self.line_of(spanned.span().start)
    }
}

impl Loader<'_> {
    fn report(&mut self, place: Place<'_>, line: usize, message: String) {
        self.errors.push(ValidationError {
            file: place.file.to_owned(),
            line,
            message,
        });
    }

    fn load_file(&mut self, source: &Source<'_>) {
        let line_breaks: Vec<usize> = source
            .text
            .match_indices('\n')
            .map(|(offset, _)| offset)
            .collect();
        let place = Place {
            file: source.name,
            line_breaks: &line_breaks,
        };
        let file: RawFaqFile = match toml::from_str(source.text) {
            Ok(file) => file,
            Err(error) => {
                let line = error.span().map_or(1, |span| place.line_of(span.start));
                self.report(place, line, error.message().to_owned());
                return;
            }
        };
        let first_of_file = self.errors.len();
        for spanned in file.faq {
            let line = place.line_of_span(&spanned);
            self.load_entry(place, line, spanned.into_inner());
        }
        // The checks run field by field; the reader wants the file's problems top to bottom.
        self.errors[first_of_file..].sort_by_key(|error| error.line);
    }

    fn load_entry(&mut self, place: Place<'_>, line: usize, raw: RawFaq) {
        let before = self.errors.len();

        let id = match &raw.id {
            Some(id) if !id.get_ref().trim().is_empty() => {
                let id_line = place.line_of_span(id);
                let id = id.get_ref().clone();
                if !is_well_formed_id(&id) {
                    self.report(
                        place,
                        id_line,
                        format!(
                            "faq id {id:?} must start with \"faq.\" and use only lower-case letters, digits, '_' and '.'"
                        ),
                    );
                }
                if let Some(&existing) = self.by_id.get(&id) {
                    let first = self.entries[existing].origin.clone();
                    self.report(
                        place,
                        id_line,
                        format!("duplicate faq id {id:?}, first defined at {first}"),
                    );
                }
                id
            }
            _ => {
                self.report(place, line, "faq entry lacks an id".to_owned());
                "<no id>".to_owned()
            }
        };

        let intent = match &raw.intent {
            None => {
                self.report(
                    place,
                    line,
                    format!("faq {id:?} lacks an intent (an intent id, or \"none\")"),
                );
                None
            }
            Some(intent) => {
                let name = intent.get_ref().as_str();
                if name != "none" && !INTENT_IDS.contains(&name) {
                    self.report(
                        place,
                        place.line_of_span(intent),
                        format!("faq {id:?} names unknown intent {name:?}"),
                    );
                }
                (name != "none").then(|| name.to_owned())
            }
        };

        let questions_zh =
            self.check_questions(place, line, &id, "questions_zh", &raw.questions_zh);
        let questions_en =
            self.check_questions(place, line, &id, "questions_en", &raw.questions_en);
        let answer_zh = self.check_answer(place, line, &id, "answer_zh", &raw.answer_zh);
        let answer_en = self.check_answer(place, line, &id, "answer_en", &raw.answer_en);
        let sources = self.check_sources(place, line, &id, &raw.sources);

        if let Some(cited) = &sources {
            for (field, answer, lang) in [
                ("answer_zh", &raw.answer_zh, Lang::Zh),
                ("answer_en", &raw.answer_en, Lang::En),
            ] {
                if let Some(answer) = answer {
                    self.check_numbers(place, &id, field, answer, lang, cited);
                }
            }
        }

        let mut tags = Vec::new();
        for tag in raw.tags.iter().flatten() {
            if tag.get_ref().trim().is_empty() {
                self.report(
                    place,
                    place.line_of_span(tag),
                    format!("faq {id:?} has an empty tag"),
                );
            } else {
                tags.push(tag.get_ref().clone());
            }
        }

        if self.errors.len() > before {
            return;
        }
        let origin = format!("{}:{line}", place.file);
        for question in questions_zh.iter().chain(&questions_en) {
            self.questions
                .insert(normalise(question), (id.clone(), origin.clone()));
        }
        self.by_id.insert(id.clone(), self.entries.len());
        self.entries.push(FaqEntry {
            id,
            intent,
            questions_zh,
            questions_en,
            answer: LocalText {
                zh: answer_zh,
                en: answer_en,
            },
            sources: sources.unwrap_or_default(),
            tags,
            origin,
        });
    }

    /// Checks one language's phrasings: present, enough of them, none empty, in the right language, none asked twice.
    fn check_questions(
        &mut self,
        place: Place<'_>,
        line: usize,
        id: &str,
        field: &str,
        questions: &Option<Spanned<Vec<Spanned<String>>>>,
    ) -> Vec<String> {
        let Some(questions) = questions else {
            self.report(place, line, format!("faq {id:?} lacks {field}"));
            return Vec::new();
        };
        let field_line = place.line_of_span(questions);
        let questions = questions.get_ref();
        let non_empty = questions
            .iter()
            .filter(|question| !question.get_ref().trim().is_empty())
            .count();
        if non_empty < MIN_QUESTIONS_PER_LANGUAGE {
            self.report(
                place,
                field_line,
                format!(
                    "faq {id:?} has {non_empty} {field}, at least {MIN_QUESTIONS_PER_LANGUAGE} are needed"
                ),
            );
        }
        let wants_chinese = field.ends_with("_zh");
        let mut seen_here: BTreeSet<String> = BTreeSet::new();
        let mut accepted = Vec::new();
        for question in questions {
            let question_line = place.line_of_span(question);
            let text = question.get_ref();
            if text.trim().is_empty() {
                self.report(
                    place,
                    question_line,
                    format!("faq {id:?} has an empty question in {field}"),
                );
                continue;
            }
            self.check_language(place, question_line, id, field, text, wants_chinese);
            let key = normalise(text);
            if !seen_here.insert(key.clone()) {
                self.report(
                    place,
                    question_line,
                    format!("faq {id:?} asks {text:?} twice in {field}"),
                );
                continue;
            }
            if let Some((other, origin)) = self.questions.get(&key) {
                let message = format!(
                    "faq {id:?} asks {text:?}, which faq {other:?} at {origin} already asks"
                );
                self.report(place, question_line, message);
                continue;
            }
            accepted.push(text.trim().to_owned());
        }
        accepted
    }

    /// Checks an answer: present, not empty, in the right language.
    fn check_answer(
        &mut self,
        place: Place<'_>,
        line: usize,
        id: &str,
        field: &str,
        answer: &Option<Spanned<String>>,
    ) -> String {
        let Some(answer) = answer else {
            self.report(place, line, format!("faq {id:?} lacks {field}"));
            return String::new();
        };
        let answer_line = place.line_of_span(answer);
        let text = answer.get_ref().trim();
        if text.is_empty() {
            self.report(
                place,
                answer_line,
                format!("faq {id:?} has an empty {field}"),
            );
            return String::new();
        }
        self.check_language(place, answer_line, id, field, text, field.ends_with("_zh"));
        text.to_owned()
    }

    /// Chinese text must hold Chinese characters; English text must hold none.
    fn check_language(
        &mut self,
        place: Place<'_>,
        line: usize,
        id: &str,
        field: &str,
        text: &str,
        wants_chinese: bool,
    ) {
        let has_chinese = text.chars().any(is_han);
        if wants_chinese && !has_chinese {
            self.report(
                place,
                line,
                format!("faq {id:?}: {field} {text:?} has no Chinese in it"),
            );
        } else if !wants_chinese && has_chinese {
            self.report(
                place,
                line,
                format!("faq {id:?}: {field} {text:?} is not English"),
            );
        }
    }

    /// Checks the cited nodes: at least one, each known to the graph, none twice. Returns them when all are sound.
    fn check_sources(
        &mut self,
        place: Place<'_>,
        line: usize,
        id: &str,
        sources: &Option<Spanned<Vec<Spanned<String>>>>,
    ) -> Option<Vec<String>> {
        let Some(sources) = sources else {
            self.report(place, line, format!("faq {id:?} lacks sources"));
            return None;
        };
        if sources.get_ref().is_empty() {
            let field_line = place.line_of_span(sources);
            self.report(place, field_line, format!("faq {id:?} cites no sources"));
            return None;
        }
        let sources = sources.get_ref();
        let before = self.errors.len();
        let mut cited: Vec<String> = Vec::new();
        for source in sources {
            let source_line = place.line_of_span(source);
            let node = source.get_ref();
            if self.graph.node(node).is_none() {
                self.report(
                    place,
                    source_line,
                    format!("faq {id:?} cites unknown node {node:?}"),
                );
            } else if cited.contains(node) {
                self.report(
                    place,
                    source_line,
                    format!("faq {id:?} cites {node:?} twice"),
                );
            } else {
                cited.push(node.clone());
            }
        }
        (self.errors.len() == before).then_some(cited)
    }

    /// Every number an answer states must be stated by one of its sources in the same language.
    fn check_numbers(
        &mut self,
        place: Place<'_>,
        id: &str,
        field: &str,
        answer: &Spanned<String>,
        lang: Lang,
        cited: &[String],
    ) {
        let mut known = BTreeSet::new();
        for node in cited.iter().filter_map(|source| self.graph.node(source)) {
            known.extend(numbers_in_node(node, lang));
        }
        let unsupported: Vec<String> = numbers_in(answer.get_ref())
            .into_iter()
            .filter(|number| !known.contains(number))
            .collect();
        if !unsupported.is_empty() {
            let message = format!(
                "{field} of faq {id:?} states {}, which none of its sources ({}) states",
                unsupported.join(", "),
                cited.join(", ")
            );
            self.report(place, place.line_of_span(answer), message);
        }
    }
}

/// Whether an id looks like `faq.topic` or `faq.topic.detail`.
fn is_well_formed_id(id: &str) -> bool {
    id.strip_prefix("faq.").is_some_and(|rest| {
        !rest.is_empty()
            && !rest.starts_with('.')
            && !rest.ends_with('.')
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
    })
}

/// A CJK unified ideograph (the basic block and extension A).
fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// A question reduced to what distinguishes it: letters and digits, lower-cased, without spaces or punctuation.
fn normalise(question: &str) -> String {
    question
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The numbers written in a text: runs of digits that may hold `.`, `,` or `:` between digits ("7.2", "50,000",
/// "06:00"), with thousands commas dropped so that "50,000" and "50000" are the same number.
fn numbers_in(text: &str) -> BTreeSet<String> {
    let characters: Vec<char> = text.chars().collect();
    let mut numbers = BTreeSet::new();
    let mut index = 0;
    while index < characters.len() {
        if !characters[index].is_ascii_digit() {
            index += 1;
            continue;
        }
        let mut number = String::new();
        while index < characters.len() {
            let c = characters[index];
            let joins_digits = matches!(c, '.' | ',' | ':')
                && characters.get(index + 1).is_some_and(char::is_ascii_digit);
            if c.is_ascii_digit() {
                number.push(c);
            } else if joins_digits {
                if c != ',' {
                    number.push(c);
                }
            } else {
                break;
            }
            index += 1;
        }
        numbers.insert(number);
    }
    numbers
}

/// The numbers a node states in one language, in its name and every attribute.
fn numbers_in_node(node: &Node, lang: Lang) -> BTreeSet<String> {
    let mut numbers = numbers_in(node.name.get(lang));
    for value in node.attributes.values() {
        numbers.extend(numbers_in(value.get(lang)));
    }
    numbers
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL_GRAPH: &str = r#"
[[node]]
id = "rule.grace"
kind = "rule"
zh = "宽限期"
en = "Grace period"
[node.attributes]
text = { zh = "到期日后有3天宽限期", en = "3 days of grace after the due date" }

[[node]]
id = "lender"
kind = "lender"
zh = "甲公司"
en = "Company A"
[node.attributes]
hotline = "400-000-0000"
"#;

    fn small_graph() -> KnowledgeGraph {
        KnowledgeGraph::load(&[Source {
            name: "graph.toml",
            text: SMALL_GRAPH,
        }])
        .expect("the small graph is valid")
    }

    fn messages(error: &LoadError) -> Vec<String> {
        error.0.iter().map(ToString::to_string).collect()
    }

    const SOUND_FILE: &str = r#"
[[faq]]
id = "faq.grace"
intent = "overdue_consequences"
questions_zh = ["有宽限期吗", "能晚几天还", "宽限几天"]
questions_en = ["Is there a grace period?", "how many days of grace", "Can I pay a bit late?"]
answer_zh = "到期后有3天宽限期。"
answer_en = "You have 3 days of grace after the due date."
sources = ["rule.grace"]
tags = ["lateness"]

[[faq]]
id = "faq.hotline"
intent = "none"
questions_zh = ["客服电话多少", "热线是多少", "怎么打电话给你们"]
questions_en = ["What is your phone number?", "hotline?", "How do I call you"]
answer_zh = "请拨打400-000-0000。"
answer_en = "Call 400-000-0000."
sources = ["lender"]
"#;

    #[test]
    fn a_sound_file_loads_with_every_field() {
        let graph = small_graph();
        let faq = FaqSet::load(
            &[Source {
                name: "faq.toml",
                text: SOUND_FILE,
            }],
            &graph,
        )
        .expect("the file is sound");
        assert_eq!(faq.len(), 2);

        let grace = faq.get("faq.grace").expect("the grace entry");
        assert_eq!(grace.intent.as_deref(), Some("overdue_consequences"));
        assert_eq!(
            grace.questions(Lang::Zh),
            ["有宽限期吗", "能晚几天还", "宽限几天"]
        );
        assert_eq!(grace.questions(Lang::En).len(), 3);
        assert_eq!(grace.tags, ["lateness"]);
        assert_eq!(grace.origin, "faq.toml:2");
        let answer = grace.answer(Lang::En);
        assert_eq!(answer.text, "You have 3 days of grace after the due date.");
        assert_eq!(answer.sources, ["rule.grace"]);

        let hotline = faq.get("faq.hotline").expect("the hotline entry");
        assert_eq!(hotline.intent, None);
        assert!(hotline.tags.is_empty());
        assert_eq!(hotline.answer(Lang::Zh).text, "请拨打400-000-0000。");

        let ids = |entries: Vec<&FaqEntry>| -> Vec<String> {
            entries.iter().map(|entry| entry.id.clone()).collect()
        };
        assert_eq!(ids(faq.for_intent("overdue_consequences")), ["faq.grace"]);
        assert!(faq.for_intent("none").is_empty());
        assert_eq!(ids(faq.tagged("lateness")), ["faq.grace"]);
        assert_eq!(ids(faq.citing("lender")), ["faq.hotline"]);
        assert!(faq.get("faq.missing").is_none());
    }

    #[test]
    fn every_problem_of_a_broken_file_is_reported_with_its_line() {
        let broken = r#"[[faq]]
id = "faq.grace"
intent = "late_stuff"
questions_zh = ["有宽限期吗", "宽限期"]
questions_en = ["Grace?", "grace period length", "", "Is there a GRACE period"]
answer_zh = "宽限期有5天。"
answer_en = "  "
sources = ["rule.grace"]

[[faq]]
id = "grace_again"
questions_zh = ["宽限期多久算逾期", "逾期从哪天算", "几天算逾期", "几天算逾期？"]
questions_en = ["When does lateness start", "从哪天算逾期", "when am i overdue"]
answer_en = "After the 3-day grace period."
sources = ["rule.grace", "rule.missing", "rule.grace"]
tags = [""]

[[faq]]
questions_zh = ["热线", "电话", "客服电话是什么"]
questions_en = ["hotline", "phone", "number to call"]
answer_zh = "请拨打热线。"
answer_en = "Please call the hotline."
sources = []
"#;
        let error = FaqSet::load(
            &[
                Source {
                    name: "faq.toml",
                    text: SOUND_FILE,
                },
                Source {
                    name: "broken.toml",
                    text: broken,
                },
            ],
            &small_graph(),
        )
        .expect_err("the second file is broken");
        expect_test::expect![[r#"
            [
                "broken.toml:2: duplicate faq id \"faq.grace\", first defined at faq.toml:2",
                "broken.toml:3: faq \"faq.grace\" names unknown intent \"late_stuff\"",
                "broken.toml:4: faq \"faq.grace\" has 2 questions_zh, at least 3 are needed",
                "broken.toml:4: faq \"faq.grace\" asks \"有宽限期吗\", which faq \"faq.grace\" at faq.toml:2 already asks",
                "broken.toml:5: faq \"faq.grace\" has an empty question in questions_en",
                "broken.toml:5: faq \"faq.grace\" asks \"Is there a GRACE period\", which faq \"faq.grace\" at faq.toml:2 already asks",
                "broken.toml:6: answer_zh of faq \"faq.grace\" states 5, which none of its sources (rule.grace) states",
                "broken.toml:7: faq \"faq.grace\" has an empty answer_en",
                "broken.toml:10: faq \"grace_again\" lacks an intent (an intent id, or \"none\")",
                "broken.toml:10: faq \"grace_again\" lacks answer_zh",
                "broken.toml:11: faq id \"grace_again\" must start with \"faq.\" and use only lower-case letters, digits, '_' and '.'",
                "broken.toml:12: faq \"grace_again\" asks \"几天算逾期？\" twice in questions_zh",
                "broken.toml:13: faq \"grace_again\": questions_en \"从哪天算逾期\" is not English",
                "broken.toml:15: faq \"grace_again\" cites unknown node \"rule.missing\"",
                "broken.toml:15: faq \"grace_again\" cites \"rule.grace\" twice",
                "broken.toml:16: faq \"grace_again\" has an empty tag",
                "broken.toml:18: faq entry lacks an id",
                "broken.toml:18: faq \"<no id>\" lacks an intent (an intent id, or \"none\")",
                "broken.toml:20: faq \"<no id>\" asks \"hotline\", which faq \"faq.hotline\" at faq.toml:12 already asks",
                "broken.toml:23: faq \"<no id>\" cites no sources",
            ]
        "#]]
        .assert_debug_eq(&messages(&error));
    }

    #[test]
    fn syntax_errors_and_unknown_fields_name_the_line() {
        let graph = small_graph();
        let error = FaqSet::load(
            &[Source {
                name: "bad.toml",
                text: "[[faq]]\nid = \"faq.a\"\nintent = \n",
            }],
            &graph,
        )
        .expect_err("not TOML");
        assert_eq!(error.0.len(), 1);
        assert_eq!((error.0[0].file.as_str(), error.0[0].line), ("bad.toml", 3));

        let error = FaqSet::load(
            &[Source {
                name: "odd.toml",
                text: "[[faq]]\nid = \"faq.a\"\nanswer = \"yes\"\n",
            }],
            &graph,
        )
        .expect_err("an unknown field");
        assert_eq!(error.0.len(), 1);
        assert_eq!(error.0[0].line, 3);
        assert!(error.0[0].message.contains("answer"), "{}", error.0[0]);
    }

    /// Reads one attribute of the demo graph in one language.
    fn fact(graph: &KnowledgeGraph, id: &str, attribute: &str, lang: Lang) -> String {
        graph
            .attribute(id, attribute, lang)
            .unwrap_or_else(|| panic!("{id} has no {attribute}"))
            .text
    }

    #[test]
    fn the_demo_knowledge_states_the_lenders_facts() {
        let graph = KnowledgeGraph::demo().unwrap_or_else(|error| panic!("{error}"));
        let same = |id: &str, attribute: &str| fact(&graph, id, attribute, Lang::En);

        // Products.
        assert_eq!(same("product.cash_loan", "term_months"), "3, 6, 12, 24");
        assert_eq!(
            same("product.instalment_loan", "term_months"),
            "3, 6, 9, 12, 18, 24"
        );
        assert_eq!(
            [
                same("product.cash_loan", "min_amount"),
                same("product.cash_loan", "max_amount")
            ],
            ["500", "50000"]
        );
        assert_eq!(
            [
                same("product.instalment_loan", "min_amount"),
                same("product.instalment_loan", "max_amount")
            ],
            ["300", "30000"]
        );
        assert_eq!(
            [
                same("fee.cash_loan.interest", "min_annual_rate"),
                same("fee.cash_loan.interest", "max_annual_rate"),
                same("product.cash_loan", "apr_cap"),
            ],
            ["7.2%", "23.9%", "24%"]
        );
        assert_eq!(
            [
                same("fee.instalment_loan.service_fee", "min_monthly_rate"),
                same("fee.instalment_loan.service_fee", "max_monthly_rate"),
            ],
            ["0.6%", "0.9%"]
        );
        assert_eq!(
            [
                same("fee.cash_loan.early_settlement", "rate"),
                same("fee.cash_loan.early_settlement", "window_months")
            ],
            ["2%", "3"]
        );
        assert_eq!(
            same("rule.cash_loan.partial_prepayment", "min_amount"),
            "100"
        );
        assert_eq!(
            fact(
                &graph,
                "product.instalment_loan",
                "partial_prepayment",
                Lang::En
            ),
            "not allowed"
        );

        // Lateness and credit reporting.
        assert_eq!(same("rule.grace_period", "days"), "3");
        assert_eq!(same("fee.penalty_interest", "multiplier"), "1.5");
        assert_eq!(
            fact(&graph, "fee.penalty_interest", "other_late_fees", Lang::Zh),
            "无"
        );
        assert_eq!(same("procedure.credit_dispute", "reply_days"), "20");

        // Paying.
        assert_eq!(
            same("service.autodebit", "attempt_times"),
            "06:00, 14:00, 20:00"
        );
        assert_eq!(same("channel.bank_transfer", "credit_business_days"), "1");
        assert_eq!(same("procedure.change_card", "cutoff"), "20:00");
        assert_eq!(
            [
                same("rule.overcharge_refund", "min_business_days"),
                same("rule.overcharge_refund", "max_business_days")
            ],
            ["3", "7"]
        );
        let banks: Vec<String> = graph
            .related_to("service.autodebit", crate::RelationKind::Supports)
            .iter()
            .map(|bank| bank.attributes["code"].en.clone())
            .collect();
        assert_eq!(banks.len(), 10);

        // Applying and limits.
        assert_eq!(
            [
                same("procedure.application", "review_minutes"),
                same("procedure.application", "review_max_business_days")
            ],
            ["30", "2"]
        );
        assert_eq!(
            [
                same("rule.disbursement", "hours"),
                same("rule.disbursement", "max_business_days")
            ],
            ["2", "1"]
        );
        assert_eq!(same("rule.reapply_after_decline", "wait_days"), "30");
        assert_eq!(
            [
                same("rule.limit_increase", "on_time_instalments"),
                same("rule.limit_increase", "min_business_days"),
                same("rule.limit_increase", "max_business_days"),
            ],
            ["6", "1", "3"]
        );
        assert_eq!(same("rule.limit_freeze", "unfreeze_business_days"), "1");

        // Service.
        assert_eq!(same("lender", "hotline"), "400-800-6688");
        assert_eq!(
            [
                same("lender", "agent_opens"),
                same("lender", "agent_closes")
            ],
            ["08:00", "22:00"]
        );
        assert_eq!(
            same("procedure.settlement_certificate", "business_days"),
            "1"
        );
        assert_eq!(same("service.invoice", "business_days"), "5");
        assert_eq!(
            [
                same("procedure.complaint", "acknowledge_business_days"),
                same("procedure.complaint", "resolve_days"),
                same("procedure.complaint", "complex_resolve_days"),
            ],
            ["1", "15", "30"]
        );
        assert_eq!(same("procedure.account_closure", "days"), "7");
        assert_eq!(same("rule.coupon", "valid_days"), "30");
        let contract = graph
            .procedure_answer("procedure.view_contract", Lang::Zh)
            .expect("the contract steps");
        assert_eq!(contract.text, "1. 打开App，进入“我的借款”\n2. 点击“合同”");

        // Collections.
        assert_eq!(same("rule.collections.verification", "id_characters"), "4");
        assert_eq!(
            [
                same("rule.collections.contact_hours.cn", "opens"),
                same("rule.collections.contact_hours.cn", "closes"),
                same("rule.collections.contact_hours.cn", "national_limit"),
                same("rule.collections.contact_hours.us", "opens"),
                same("rule.collections.contact_hours.us", "closes"),
            ],
            ["08:00", "21:00", "22:00", "08:00", "21:00"]
        );
        assert_eq!(
            [
                same(
                    "rule.collections.contact_frequency.cn",
                    "conversations_per_day"
                ),
                same(
                    "rule.collections.contact_frequency.cn",
                    "unanswered_attempts_per_day"
                ),
                same("rule.collections.contact_frequency.us", "attempts"),
                same("rule.collections.contact_frequency.us", "window_days"),
                same(
                    "rule.collections.contact_frequency.us",
                    "quiet_days_after_conversation"
                ),
            ],
            ["3", "6", "7", "7", "7"]
        );
        assert_eq!(same("rule.collections.promise_to_pay", "max_days"), "7");
        assert_eq!(
            [
                same("rule.collections.payment_plan", "max_instalments"),
                same("rule.collections.payment_plan", "min_days_past_due")
            ],
            ["12", "31"]
        );
        assert_eq!(same("rule.collections.extension", "max_days"), "30");
        assert_eq!(
            [
                same("rule.collections.waiver", "max_share"),
                same("rule.collections.waiver", "min_days_past_due")
            ],
            ["50%", "61"]
        );
    }

    /// A value written the same in both languages is a bare value ("3", "06:00"); one written differently is a
    /// sentence for people.
    fn is_bare(value: &LocalText) -> bool {
        value.zh == value.en
    }

    #[test]
    fn every_bare_value_of_the_demo_graph_is_also_said_in_both_languages() {
        let graph = KnowledgeGraph::demo().unwrap_or_else(|error| panic!("{error}"));
        let mut checked = 0;
        for kind in crate::NodeKind::ALL {
            for node in graph.nodes_of_kind(kind) {
                let sentences: Vec<&LocalText> = node
                    .attributes
                    .values()
                    .filter(|value| !is_bare(value))
                    .collect();
                if sentences.is_empty() {
                    continue;
                }
                for (name, value) in node.attributes.iter().filter(|(_, value)| is_bare(value)) {
                    for number in numbers_in(&value.en) {
                        for lang in [Lang::Zh, Lang::En] {
                            let said = sentences
                                .iter()
                                .any(|sentence| numbers_in(sentence.get(lang)).contains(&number));
                            assert!(
                                said,
                                "{}: {name} = {number} is said in no {lang:?} sentence",
                                node.id
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 100, "only {checked} values checked");
    }

    #[test]
    fn the_demo_faq_loads_covers_every_service_and_collections_intent_and_cites_every_fact() {
        let graph = KnowledgeGraph::demo().unwrap_or_else(|error| panic!("{error}"));
        let faq = FaqSet::demo(&graph).unwrap_or_else(|error| panic!("{error}"));
        assert!(faq.len() >= 220, "only {} entries", faq.len());
        for entry in faq.entries() {
            assert!(
                entry.questions_zh.len() >= MIN_QUESTIONS_PER_LANGUAGE,
                "{}",
                entry.id
            );
            assert!(
                entry.questions_en.len() >= MIN_QUESTIONS_PER_LANGUAGE,
                "{}",
                entry.id
            );
        }

        // The first nine intents are the general ones (greetings, yes and no ...), which carry no information need.
        let general = &INTENT_IDS[..9];
        assert_eq!(general.last(), Some(&"out_of_scope"));
        for intent in &INTENT_IDS[9..] {
            assert!(
                !faq.for_intent(intent).is_empty(),
                "no entry answers {intent}"
            );
        }

        // Every fact-bearing node is the source of some answer; steps are cited through their procedure.
        for kind in crate::NodeKind::ALL {
            if kind == crate::NodeKind::Step {
                continue;
            }
            for node in graph.nodes_of_kind(kind) {
                assert!(
                    !faq.citing(&node.id).is_empty(),
                    "no answer cites {}",
                    node.id
                );
            }
        }

        let grace = faq.get("faq.grace_period").expect("the grace period entry");
        assert!(
            grace.answer(Lang::Zh).text.contains("3天"),
            "{}",
            grace.answer.zh
        );
        assert!(
            grace.answer(Lang::En).text.contains("3 days"),
            "{}",
            grace.answer.en
        );
        assert_eq!(grace.sources[0], "rule.grace_period");
    }

    #[test]
    fn numbers_are_read_as_they_are_written() {
        let numbers: Vec<String> = numbers_in(
            "年利率7.2%至23.9%，50,000元，06:00、14:00；热线400-800-6688，第3期。Up to 12.",
        )
        .into_iter()
        .collect();
        assert_eq!(
            numbers,
            [
                "06:00", "12", "14:00", "23.9", "3", "400", "50000", "6688", "7.2", "800"
            ]
        );
        assert!(numbers_in("没有数字 no digits").is_empty());
    }

    #[test]
    fn ids_and_questions_are_normalised_as_documented() {
        assert!(is_well_formed_id("faq.grace_period"));
        assert!(is_well_formed_id("faq.cash_loan.terms2"));
        for bad in ["faq.", "faq..a", "faq.a.", "faq.Grace", "grace", "faq.a-b"] {
            assert!(!is_well_formed_id(bad), "{bad}");
        }
        assert_eq!(normalise("Is there a GRACE period?"), "isthereagraceperiod");
        assert_eq!(normalise("几天 算逾期？"), "几天算逾期");
    }

    #[test]
    fn the_intent_list_is_the_bundled_one() {
        let bundled: Vec<&str> = include_str!("../../nlu/data/intents.tsv")
            .lines()
            .skip(1)
            .filter_map(|line| line.split('\t').next())
            .filter(|id| !id.is_empty())
            .collect();
        assert_eq!(bundled, INTENT_IDS);
    }
}

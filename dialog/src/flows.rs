//! Flows as data: the multi-turn requests (a promise to pay, a refund, a card change, closing the account ...) that
//! the dialog walks a customer through, read from `flows/flows.toml` (its header documents the format).
//!
//! This module parses and checks the file, keeps the state of a flow under way ([`FlowState`], stored with the
//! dialog state), reads slot values from what the customer said ([`read_slot`]), checks them against the slot's
//! rules ([`check_rules`]) and renders the flow's texts. The engine (`engine/flow_turns.rs`) decides the turns.
//! Parsing is strict, as for the reply templates: an unknown intent, condition, slot type, rule or placeholder
//! is reported before the file reaches a customer.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use nlu::{EntityKind, EntityValue, Lang, Parse};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::format;

/// The flows bundled with Anxin.
pub const BUNDLED_FLOWS: &str = include_str!("../flows/flows.toml");

/// Account facts a flow's texts may use.
pub const FACTS: &[&str] = &["overdue", "latest_date", "cards", "outstanding"];

/// The banks whose cards can be debited automatically (demo-lender.md).
pub const AUTODEBIT_BANKS: &[&str] = &[
    "ICBC", "CCB", "ABC", "BOC", "CMB", "BOCOM", "PSBC", "CIB", "SPDB", "CITIC",
];

/// One text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub zh: String,
    pub en: String,
}

impl Text {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// The texts every flow shares.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommonTexts {
    pub cancelled: Text,
    pub verify_ask: Text,
    pub verify_retry: Text,
    pub verify_reask: Text,
    pub verify_locked: Text,
    pub verified: Text,
    pub resume: Text,
    pub gave_up: Text,
    pub case_failed: Text,
    pub case_failed_person_coming: Text,
    pub corrected: Text,
    pub confirm_again: Text,
    pub switch_on: Text,
    pub switch_off: Text,
}

/// What must hold of the account before a flow goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// Something is overdue.
    HasOverdue,
    /// Every loan is settled (or there are none).
    AllSettled,
    /// At least one loan is settled.
    HasSettledLoan,
    /// At least one loan is still being repaid.
    HasActiveLoan,
}

/// The kind of value a slot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotType {
    /// An ISO date.
    Date,
    /// An amount in CNY.
    Money,
    /// A bank code.
    Bank,
    /// The last 4 digits of a card.
    CardLast4,
    /// An E.164 phone number.
    Phone,
    /// `on` or `off`.
    Switch,
}

/// A check of a slot's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A date not before today.
    NotBeforeToday,
    /// A date at most this many days after today.
    WithinDays(u32),
    /// An amount at least the overdue amount.
    AtLeastOverdue,
    /// An amount above zero.
    Positive,
}

impl Rule {
    pub fn parse(text: &str) -> Option<Rule> {
        match text.split_once(':') {
            Some(("within_days", days)) => days.parse().ok().map(Rule::WithinDays),
            Some(_) => None,
            None => match text {
                "not_before_today" => Some(Rule::NotBeforeToday),
                "at_least_overdue" => Some(Rule::AtLeastOverdue),
                "positive" => Some(Rule::Positive),
                _ => None,
            },
        }
    }
}

/// One value a flow asks for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slot {
    pub name: String,
    #[serde(rename = "type")]
    pub slot_type: SlotType,
    #[serde(default)]
    pub rules: Vec<String>,
    pub ask: Text,
    pub invalid: Text,
}

/// A flow as the file describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    pub id: String,
    pub intents: Vec<String>,
    #[serde(default)]
    pub needs_account: bool,
    #[serde(default)]
    pub require: Option<Condition>,
    #[serde(default)]
    pub refuse: Option<Text>,
    #[serde(default)]
    pub verify: bool,
    #[serde(default)]
    pub intro: Option<Text>,
    #[serde(default, rename = "slot")]
    pub slots: Vec<Slot>,
    #[serde(default)]
    pub confirm: Option<Text>,
    pub case: String,
    pub done: Text,
    #[serde(default)]
    pub handoff: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlowFile {
    common: CommonTexts,
    #[serde(rename = "flow", default)]
    flows: Vec<Flow>,
}

/// Why a flow file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowError {
    #[error("the flow file is not valid: {0}")]
    Syntax(String),
    #[error("flow `{flow}`: {problem}")]
    Invalid { flow: String, problem: String },
}

/// A checked set of flows and their shared texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowSet {
    pub common: CommonTexts,
    pub flows: Vec<Flow>,
}

impl FlowSet {
    /// The bundled flows.
    pub fn bundled() -> FlowSet {
        // Parsed once per process; every dialog manager gets its own copy.
        static BUNDLED: std::sync::OnceLock<FlowSet> = std::sync::OnceLock::new();
        BUNDLED
            .get_or_init(|| {
                FlowSet::parse(BUNDLED_FLOWS).unwrap_or_else(|error| {
                    // The bundled file is checked by a test, so this cannot happen in a released build.
                    panic!("the bundled flows are invalid: {error}")
                })
            })
            .clone()
    }

    /// Parses and checks a flow file.
    pub fn parse(text: &str) -> Result<FlowSet, FlowError> {
        let file: FlowFile =
            toml::from_str(text).map_err(|error| FlowError::Syntax(error.to_string()))?;
        let known_intents: Vec<&str> = nlu::intents().iter().map(|intent| intent.id).collect();
        let mut claimed: BTreeMap<&str, &str> = BTreeMap::new();
        for (index, flow) in file.flows.iter().enumerate() {
            let invalid = |problem: String| FlowError::Invalid {
                flow: flow.id.clone(),
                problem,
            };
            if file.flows[..index].iter().any(|other| other.id == flow.id) {
                return Err(invalid("the id is used twice".to_owned()));
            }
            if flow.intents.is_empty() {
                return Err(invalid("it names no intent".to_owned()));
            }
            for intent in &flow.intents {
                if !known_intents.contains(&intent.as_str()) {
                    return Err(invalid(format!("{intent} is not an intent of the spec")));
                }
                if let Some(other) = claimed.insert(intent, &flow.id) {
                    return Err(invalid(format!("{intent} already starts flow {other}")));
                }
            }
            if flow.require.is_some() && (!flow.needs_account || flow.refuse.is_none()) {
                return Err(invalid(
                    "a `require` needs `needs_account = true` and a `refuse` text".to_owned(),
                ));
            }
            if flow.case.trim().is_empty() {
                return Err(invalid("it opens no case".to_owned()));
            }
            let slot_names: Vec<&str> = flow.slots.iter().map(|slot| slot.name.as_str()).collect();
            for (slot_index, slot) in flow.slots.iter().enumerate() {
                if slot_names[..slot_index].contains(&slot.name.as_str()) {
                    return Err(invalid(format!("slot {} is defined twice", slot.name)));
                }
                for rule in &slot.rules {
                    let Some(parsed) = Rule::parse(rule) else {
                        return Err(invalid(format!("slot {}: unknown rule {rule}", slot.name)));
                    };
                    let fits = match parsed {
                        Rule::NotBeforeToday | Rule::WithinDays(_) => {
                            slot.slot_type == SlotType::Date
                        }
                        Rule::AtLeastOverdue | Rule::Positive => slot.slot_type == SlotType::Money,
                    };
                    if !fits {
                        return Err(invalid(format!(
                            "slot {}: rule {rule} does not apply to its type",
                            slot.name
                        )));
                    }
                    if parsed == Rule::AtLeastOverdue && !flow.needs_account {
                        return Err(invalid(format!(
                            "slot {}: at_least_overdue needs the account",
                            slot.name
                        )));
                    }
                }
            }
            let mut allowed: Vec<&str> = slot_names.clone();
            allowed.extend_from_slice(FACTS);
            let mut texts: Vec<(&str, &Text)> = Vec::new();
            texts.extend(flow.refuse.iter().map(|text| ("refuse", text)));
            texts.extend(flow.intro.iter().map(|text| ("intro", text)));
            texts.extend(flow.confirm.iter().map(|text| ("confirm", text)));
            for slot in &flow.slots {
                texts.push(("ask", &slot.ask));
                texts.push(("invalid", &slot.invalid));
            }
            check_placeholders(&texts, &allowed).map_err(invalid)?;
            let mut allowed_in_done = allowed.clone();
            allowed_in_done.extend_from_slice(&["reference", "deadline"]);
            check_placeholders(&[("done", &flow.done)], &allowed_in_done).map_err(invalid)?;
        }
        let common = &file.common;
        let plain: Vec<(&str, &Text)> = vec![
            ("cancelled", &common.cancelled),
            ("verify_ask", &common.verify_ask),
            ("verify_retry", &common.verify_retry),
            ("verify_reask", &common.verify_reask),
            ("verify_locked", &common.verify_locked),
            ("verified", &common.verified),
            ("gave_up", &common.gave_up),
            ("case_failed", &common.case_failed),
            (
                "case_failed_person_coming",
                &common.case_failed_person_coming,
            ),
            ("confirm_again", &common.confirm_again),
            ("switch_on", &common.switch_on),
            ("switch_off", &common.switch_off),
        ];
        let common_error = |problem: String| FlowError::Invalid {
            flow: "common".to_owned(),
            problem,
        };
        check_placeholders(&plain, &[]).map_err(common_error)?;
        check_placeholders(&[("resume", &common.resume)], &["prompt"]).map_err(common_error)?;
        check_placeholders(&[("corrected", &common.corrected)], &["value"])
            .map_err(common_error)?;
        Ok(FlowSet {
            common: file.common,
            flows: file.flows,
        })
    }

    /// The flow an intent starts, if any.
    pub fn for_intent(&self, intent: &str) -> Option<&Flow> {
        self.flows
            .iter()
            .find(|flow| flow.intents.iter().any(|own| own == intent))
    }

    pub fn by_id(&self, id: &str) -> Option<&Flow> {
        self.flows.iter().find(|flow| flow.id == id)
    }
}

/// Every placeholder of every text must be allowed, and the same in both languages.
fn check_placeholders(texts: &[(&str, &Text)], allowed: &[&str]) -> Result<(), String> {
    for (name, text) in texts {
        let mut chinese = crate::templates::placeholders(&text.zh)
            .ok_or_else(|| format!("`{name}` (zh) has a broken placeholder"))?;
        let mut english = crate::templates::placeholders(&text.en)
            .ok_or_else(|| format!("`{name}` (en) has a broken placeholder"))?;
        if text.zh.trim().is_empty() || text.en.trim().is_empty() {
            return Err(format!("`{name}` has an empty text"));
        }
        chinese.sort_unstable();
        chinese.dedup();
        english.sort_unstable();
        english.dedup();
        if chinese != english {
            return Err(format!(
                "`{name}` uses different placeholders in its two languages"
            ));
        }
        if let Some(unknown) = chinese.iter().find(|used| !allowed.contains(used)) {
            return Err(format!(
                "`{name}` uses {{{unknown}}}, which it cannot be given"
            ));
        }
    }
    Ok(())
}

/// Where a flow under way stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "stage")]
pub enum Stage {
    /// The account was asked for.
    AwaitingAccount,
    /// The customer was asked for the last 4 characters of the ID number.
    Verifying,
    /// The answer is being checked.
    AwaitingVerification,
    /// The customer was asked for slot number `index`.
    Slot { index: usize },
    /// The customer was asked to confirm.
    Confirming,
    /// The case is being opened.
    AwaitingCase,
}

/// A flow under way, stored with the dialog state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowState {
    pub id: String,
    /// The intent that started it (the collections flows share a case kind and tell the agent which).
    pub intent: String,
    #[serde(flatten)]
    pub stage: Stage,
    /// Slot values in canonical form: ISO dates, decimal amounts, bank codes, digits, E.164 phones, `on`/`off`.
    #[serde(default)]
    pub slots: BTreeMap<String, String>,
    /// Account facts in canonical form (`overdue` as a decimal, `cards` as `BANK:1234:on` items joined by `,`,
    /// `outstanding` as a decimal).
    #[serde(default)]
    pub facts: BTreeMap<String, String>,
    #[serde(default)]
    pub failed_verifications: u32,
    /// Turns in a row that did not give what was asked.
    #[serde(default)]
    pub reprompts: u32,
    /// The customer asked something else; the flow's question is asked again after the answer.
    #[serde(default)]
    pub digressing: bool,
}

impl FlowState {
    pub fn new(flow: &Flow, intent: &str) -> FlowState {
        FlowState {
            id: flow.id.clone(),
            intent: intent.to_owned(),
            stage: Stage::AwaitingAccount,
            slots: BTreeMap::new(),
            facts: BTreeMap::new(),
            failed_verifications: 0,
            reprompts: 0,
            digressing: false,
        }
    }
}

/// Words that call a flow off, whatever the classifier made of them.
const CANCEL_WORDS: &[&str] = &[
    "算了",
    "取消",
    "不办了",
    "不用办了",
    "不弄了",
    "不要了",
    "先不",
    "cancel",
    "never mind",
    "nevermind",
    "forget it",
    "stop this",
];

/// Whether `text` calls the flow off.
pub fn is_cancel(text: &str) -> bool {
    let lowered = text.to_lowercase();
    CANCEL_WORDS.iter().any(|word| lowered.contains(word))
}

/// The value of a slot of `slot_type` in what the customer said, in canonical form.
pub fn read_slot(slot_type: SlotType, parse: &Parse) -> Option<String> {
    let entity_text = |kind: EntityKind| {
        parse.entity(kind).and_then(|entity| match &entity.value {
            EntityValue::Text(text) => Some(text.clone()),
            _ => None,
        })
    };
    match slot_type {
        SlotType::Date => parse
            .entity(EntityKind::Date)
            .and_then(|entity| match entity.value {
                EntityValue::Date(day) => Some(day.format("%Y-%m-%d").to_string()),
                _ => None,
            }),
        SlotType::Money => parse
            .entity(EntityKind::Money)
            .and_then(|entity| match &entity.value {
                EntityValue::Money { amount, .. } => Some(two_places(*amount).to_string()),
                _ => None,
            })
            .or_else(|| bare_amount(&parse.text).map(|amount| amount.to_string())),
        SlotType::Bank => entity_text(EntityKind::Bank),
        SlotType::CardLast4 => entity_text(EntityKind::Digits)
            .filter(|digits| digits.len() == 4 && digits.chars().all(|c| c.is_ascii_digit()))
            .or_else(|| {
                four_character_run(&parse.text, false)
                    .filter(|run| run.chars().all(|c| c.is_ascii_digit()))
            }),
        SlotType::Phone => entity_text(EntityKind::Phone),
        SlotType::Switch => switch_word(&parse.text),
    }
}

/// `on` or `off` from words that turn something on or off (English words matched whole).
fn switch_word(text: &str) -> Option<String> {
    let lowered = text.to_lowercase();
    let words: Vec<&str> = lowered
        .split(|character: char| !character.is_ascii_alphabetic())
        .filter(|word| !word.is_empty())
        .collect();
    let says = |chinese: &[&str], english: &[&str]| {
        chinese.iter().any(|word| lowered.contains(word))
            || english.iter().any(|word| words.contains(word))
    };
    if says(
        &["关闭", "关掉", "取消自动", "停止", "停掉", "不要自动"],
        &["off", "disable", "stop", "cancel"],
    ) {
        Some("off".to_owned())
    } else if says(
        &["开通", "打开", "开启", "恢复", "开一下"],
        &["on", "enable", "activate", "start"],
    ) {
        Some("on".to_owned())
    } else {
        None
    }
}

/// A plain number typed on its own ("3000", "3,500.50"), as an amount.
fn bare_amount(text: &str) -> Option<Decimal> {
    let cleaned: String = text
        .trim()
        .trim_end_matches(['元', '块', '。', '.'])
        .chars()
        .filter(|character| *character != ',' && !character.is_whitespace())
        .collect();
    if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    cleaned.parse::<Decimal>().ok().map(two_places)
}

/// An amount rounded to cents and written with two decimal places.
fn two_places(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp(2);
    rounded.rescale(2);
    rounded
}

/// A run of exactly four characters that are digits (or, for an ID number's tail, digits and a final `X`),
/// standing apart from other such characters.
pub fn four_character_run(text: &str, allow_x: bool) -> Option<String> {
    let is_part =
        |character: char| character.is_ascii_digit() || (allow_x && matches!(character, 'x' | 'X'));
    let characters: Vec<char> = text.chars().collect();
    let mut runs = Vec::new();
    let mut start = None;
    for (index, character) in characters.iter().enumerate() {
        match (is_part(*character), start) {
            (true, None) => start = Some(index),
            (false, Some(begun)) => {
                runs.push(characters[begun..index].iter().collect::<String>());
                start = None;
            }
            _ => {}
        }
    }
    if let Some(begun) = start {
        runs.push(characters[begun..].iter().collect::<String>());
    }
    runs.into_iter()
        .find(|run| run.chars().count() == 4)
        .map(|run| run.to_uppercase())
}

/// The last 4 characters of an ID number in what the customer said: a whole ID number's tail, or four characters
/// on their own.
pub fn id_tail(parse: &Parse) -> Option<String> {
    if let Some(entity) = parse.entity(EntityKind::IdNumber)
        && let EntityValue::Text(id) = &entity.value
    {
        let characters: Vec<char> = id.chars().collect();
        if characters.len() >= 4 {
            return Some(
                characters[characters.len() - 4..]
                    .iter()
                    .collect::<String>()
                    .to_uppercase(),
            );
        }
    }
    four_character_run(&parse.text, true)
}

/// Whether a value keeps a slot's rules (and, for a bank, is one that automatic debit supports).
pub fn check_rules(
    slot: &Slot,
    value: &str,
    today: NaiveDate,
    facts: &BTreeMap<String, String>,
) -> bool {
    if slot.slot_type == SlotType::Bank && !AUTODEBIT_BANKS.contains(&value) {
        return false;
    }
    slot.rules
        .iter()
        .filter_map(|rule| Rule::parse(rule))
        .all(|rule| match rule {
            Rule::NotBeforeToday => parse_day(value).is_some_and(|day| day >= today),
            Rule::WithinDays(days) => parse_day(value).is_some_and(|day| {
                today
                    .checked_add_days(Days::new(u64::from(days)))
                    .is_some_and(|latest| day <= latest)
            }),
            Rule::AtLeastOverdue => {
                let overdue = facts
                    .get("overdue")
                    .and_then(|text| text.parse::<Decimal>().ok());
                match (value.parse::<Decimal>().ok(), overdue) {
                    (Some(amount), Some(overdue)) => amount >= overdue,
                    _ => false,
                }
            }
            Rule::Positive => value
                .parse::<Decimal>()
                .is_ok_and(|amount| amount > Decimal::ZERO),
        })
}

/// The latest day a `within_days` rule of the flow allows, when it has one.
pub fn latest_day(flow: &Flow, today: NaiveDate) -> Option<NaiveDate> {
    flow.slots
        .iter()
        .flat_map(|slot| slot.rules.iter())
        .find_map(|rule| match Rule::parse(rule) {
            Some(Rule::WithinDays(days)) => today.checked_add_days(Days::new(u64::from(days))),
            _ => None,
        })
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// A phone number as the customer may see it read back: the middle digits masked.
pub fn mask_phone(phone: &str) -> String {
    let characters: Vec<char> = phone.chars().collect();
    let length = characters.len();
    if length < 8 {
        return "*".repeat(length);
    }
    characters
        .iter()
        .enumerate()
        .map(|(index, character)| {
            if index + 4 >= length || index < length - 8 {
                *character
            } else {
                '*'
            }
        })
        .collect()
}

/// Formats a canonical slot value for the customer's language.
pub fn show_slot(
    slot_type: SlotType,
    value: &str,
    lang: Lang,
    common: &CommonTexts,
    bank_name: &dyn Fn(&str) -> String,
) -> String {
    match slot_type {
        SlotType::Date => parse_day(value)
            .map(|day| format::date(day, lang))
            .unwrap_or_else(|| value.to_owned()),
        SlotType::Money => value
            .parse::<Decimal>()
            .map(|amount| format::money(amount, lang))
            .unwrap_or_else(|_| value.to_owned()),
        SlotType::Bank => bank_name(value),
        SlotType::CardLast4 => value.to_owned(),
        SlotType::Phone => mask_phone(value),
        SlotType::Switch => match value {
            "on" => common.switch_on.get(lang).to_owned(),
            _ => common.switch_off.get(lang).to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_flows_parse_and_name_real_intents() {
        let flows = FlowSet::bundled();
        assert!(flows.for_intent("promise_to_pay").is_some());
        assert!(
            flows
                .for_intent("account_closure")
                .is_some_and(|flow| flow.verify)
        );
        assert!(flows.for_intent("due_amount_query").is_none());
    }

    #[test]
    fn broken_flow_files_are_refused_with_the_reason() {
        let common = BUNDLED_FLOWS
            .split("[[flow]]")
            .next()
            .expect("the bundled file starts with the common texts");
        let flow = |body: &str| format!("{common}\n[[flow]]\n{body}");
        let cases = [
            (
                "id = \"x\"\nintents = [\"no_such_intent\"]\ncase = \"refund\"\ndone = { zh = \"好\", en = \"ok\" }\n",
                "not an intent",
            ),
            (
                "id = \"x\"\nintents = [\"complaint\"]\ncase = \"complaint\"\ndone = { zh = \"{nope}\", en = \"{nope}\" }\n",
                "{nope}",
            ),
            (
                "id = \"x\"\nintents = [\"complaint\"]\ncase = \"complaint\"\ndone = { zh = \"好\", en = \"ok\" }\n[[flow.slot]]\nname = \"d\"\ntype = \"date\"\nrules = [\"at_least_overdue\"]\nask = { zh = \"a\", en = \"a\" }\ninvalid = { zh = \"b\", en = \"b\" }\n",
                "does not apply",
            ),
        ];
        for (body, expected) in cases {
            let error = FlowSet::parse(&flow(body)).expect_err("a broken flow is refused");
            assert!(error.to_string().contains(expected), "{error}");
        }
        assert!(matches!(
            FlowSet::parse("not toml ["),
            Err(FlowError::Syntax(_))
        ));
    }

    #[test]
    fn four_character_runs_stand_apart() {
        assert_eq!(
            four_character_run("后四位是123X", true).as_deref(),
            Some("123X")
        );
        assert_eq!(
            four_character_run("尾号6789的卡", false).as_deref(),
            Some("6789")
        );
        assert_eq!(four_character_run("12345", false), None);
        assert_eq!(
            four_character_run("my id ends 0021", true).as_deref(),
            Some("0021")
        );
    }

    #[test]
    fn rules_hold_dates_and_amounts_to_the_policy() {
        let flows = FlowSet::bundled();
        let flow = flows
            .for_intent("promise_to_pay")
            .expect("the promise flow");
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date");
        let facts = BTreeMap::from([("overdue".to_owned(), "1083.14".to_owned())]);
        let date = &flow.slots[0];
        let amount = &flow.slots[1];
        assert!(check_rules(date, "2026-12-03", today, &facts));
        assert!(!check_rules(date, "2026-12-04", today, &facts));
        assert!(!check_rules(date, "2026-11-25", today, &facts));
        assert!(check_rules(amount, "1083.14", today, &facts));
        assert!(!check_rules(amount, "1000.00", today, &facts));
        assert_eq!(
            latest_day(flow, today),
            NaiveDate::from_ymd_opt(2026, 12, 3)
        );
    }

    #[test]
    fn phones_are_read_back_masked() {
        assert_eq!(mask_phone("+8613812345678"), "+86138****5678");
        assert_eq!(mask_phone("+14155550123"), "+141****0123");
    }
}

//! Rule-based entity recognition: money, dates, durations, digits, phones, ID numbers, banks, products,
//! relationships, loan ids and person names, each with the normalised value of `shared/spec/entities.md`.
//!
//! [`extract`] folds the text's width and case without changing its length (so every character offset found in
//! the folded copy is an offset into the original), lets each recogniser propose candidates, and then keeps
//! the best non-overlapping ones. Recognisers that must not lose to a vaguer reading go first: a valid ID
//! number beats a phone number inside it, a phone number beats money or digits, an explicit date beats a
//! duration ("三天后" is a date, not three days). Within one priority the longer span wins.
//!
//! The recognisers live in submodules: [`numbers`] reads numerals, `money`, `dates`, `durations`,
//! `identifiers` (phones, ID numbers, digits, loan ids and the masking of personal data), `lexicons` (banks,
//! products, relationships) and `names`. All regexes are compiled once, on first use.

mod dates;
mod durations;
mod identifiers;
mod lexicons;
mod money;
mod names;
pub mod numbers;

use std::ops::Range;

use chrono::NaiveDate;
use regex::{Captures, Regex};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize, Serializer};

pub use identifiers::{is_valid_id_number, mask_id_number, mask_personal_data};

/// The entity types of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    Money,
    Date,
    Duration,
    Digits,
    Phone,
    IdNumber,
    Bank,
    Product,
    PersonName,
    Relationship,
    LoanId,
}

impl EntityKind {
    /// The type name used on the wire and in training data (`money`, `id_number`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Money => "money",
            EntityKind::Date => "date",
            EntityKind::Duration => "duration",
            EntityKind::Digits => "digits",
            EntityKind::Phone => "phone",
            EntityKind::IdNumber => "id_number",
            EntityKind::Bank => "bank",
            EntityKind::Product => "product",
            EntityKind::PersonName => "person_name",
            EntityKind::Relationship => "relationship",
            EntityKind::LoanId => "loan_id",
        }
    }

    pub fn from_name(name: &str) -> Option<EntityKind> {
        ALL_KINDS.iter().copied().find(|kind| kind.as_str() == name)
    }
}

pub const ALL_KINDS: [EntityKind; 11] = [
    EntityKind::Money,
    EntityKind::Date,
    EntityKind::Duration,
    EntityKind::Digits,
    EntityKind::Phone,
    EntityKind::IdNumber,
    EntityKind::Bank,
    EntityKind::Product,
    EntityKind::PersonName,
    EntityKind::Relationship,
    EntityKind::LoanId,
];

/// Currencies a money amount can be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    #[serde(rename = "CNY")]
    Cny,
    #[serde(rename = "USD")]
    Usd,
}

/// A normalised entity value. It serialises to exactly the JSON of the spec: `{"amount": "3500.00", "currency": "CNY"}`
/// for money, `"2026-12-04"` for a date, `{"days": 14}` or `{"months": 3}` for a duration, and a plain string otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntityValue {
    /// An amount, always carried with two decimal places.
    Money {
        amount: Decimal,
        currency: Currency,
    },
    Date(NaiveDate),
    DurationDays(u32),
    DurationMonths(u32),
    /// Digits, E.164 phones, upper-case ID numbers, bank codes, product ids, names, relationship codes and loan ids.
    Text(String),
}

impl EntityValue {
    /// The value as the spec's JSON.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            EntityValue::Money { amount, currency } => {
                let mut two_places = *amount;
                two_places.rescale(2);
                serde_json::json!({"amount": two_places.to_string(), "currency": currency})
            }
            EntityValue::Date(date) => {
                serde_json::Value::String(date.format("%Y-%m-%d").to_string())
            }
            EntityValue::DurationDays(days) => serde_json::json!({ "days": days }),
            EntityValue::DurationMonths(months) => serde_json::json!({ "months": months }),
            EntityValue::Text(text) => serde_json::Value::String(text.clone()),
        }
    }
}

impl Serialize for EntityValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for EntityValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let json = serde_json::Value::deserialize(deserializer)?;
        match &json {
            serde_json::Value::String(text) => {
                Ok(match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                    Ok(date) => EntityValue::Date(date),
                    Err(_) => EntityValue::Text(text.clone()),
                })
            }
            serde_json::Value::Object(map) => {
                if let Some(amount) = map.get("amount").and_then(|v| v.as_str()) {
                    let amount: Decimal = amount.parse().map_err(D::Error::custom)?;
                    let currency = match map.get("currency").and_then(|v| v.as_str()) {
                        Some("USD") => Currency::Usd,
                        _ => Currency::Cny,
                    };
                    Ok(EntityValue::Money { amount, currency })
                } else if let Some(days) = map.get("days").and_then(|v| v.as_u64()) {
                    Ok(EntityValue::DurationDays(days as u32))
                } else if let Some(months) = map.get("months").and_then(|v| v.as_u64()) {
                    Ok(EntityValue::DurationMonths(months as u32))
                } else {
                    Err(D::Error::custom("unknown entity value object"))
                }
            }
            _ => Err(D::Error::custom("an entity value is a string or an object")),
        }
    }
}

/// One entity found in an utterance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    #[serde(rename = "type")]
    pub kind: EntityKind,
    /// The exact span of the input.
    pub text: String,
    /// Offsets in Unicode scalar values, end exclusive.
    pub start: usize,
    pub end: usize,
    pub value: EntityValue,
}

/// Finds the entities in `text`, resolving relative dates against `reference_date`. Spans do not overlap;
/// the result is sorted by `start`.
pub fn extract(text: &str, reference_date: NaiveDate) -> Vec<Entity> {
    extract_with_names(text, reference_date, None)
}

/// [`extract`], with Chinese person names also from a trained tagger when one is given (the rules run either
/// way; where both find a name, the longer span wins).
pub fn extract_with_names(
    text: &str,
    reference_date: NaiveDate,
    name_tagger: Option<&crate::name_tagger::NameTagger>,
) -> Vec<Entity> {
    let utterance = Utterance::new(text, reference_date);
    let mut candidates = Vec::new();
    identifiers::find_id_numbers(&utterance, &mut candidates);
    identifiers::find_phones(&utterance, &mut candidates);
    identifiers::find_loan_ids(&utterance, &mut candidates);
    identifiers::find_digits(&utterance, &mut candidates);
    dates::find_dates(&utterance, &mut candidates);
    money::find_money(&utterance, &mut candidates);
    durations::find_durations(&utterance, &mut candidates);
    lexicons::find_banks(&utterance, &mut candidates);
    lexicons::find_products(&utterance, &mut candidates);
    lexicons::find_relationships(&utterance, &mut candidates);
    names::find_person_names(&utterance, &mut candidates);
    if let Some(tagger) = name_tagger {
        names::find_tagged_names(&utterance, tagger, &mut candidates);
    }
    resolve(&utterance, candidates)
}

/// How strongly a candidate holds its span against overlapping candidates: lower wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Priority {
    IdNumber,
    /// A loan id right after a cue such as "合同号".
    CuedLoanId,
    Phone,
    LoanId,
    /// Digits right after a cue such as "尾号" or "last four".
    CuedDigits,
    Date,
    Money,
    Duration,
    Bank,
    Product,
    Relationship,
    PersonName,
    /// A whole answer that is only four to six digits.
    BareDigits,
}

/// A span some recogniser proposes, in characters of the original text.
#[derive(Debug, Clone, PartialEq)]
struct Candidate {
    kind: EntityKind,
    chars: Range<usize>,
    value: EntityValue,
    priority: Priority,
}

/// Keeps the strongest non-overlapping candidates and turns them into entities sorted by start.
fn resolve(utterance: &Utterance, mut candidates: Vec<Candidate>) -> Vec<Entity> {
    candidates.sort_by(|a, b| {
        a.priority
            .cmp(&b.priority)
            .then_with(|| b.chars.len().cmp(&a.chars.len()))
            .then_with(|| a.chars.start.cmp(&b.chars.start))
    });
    let mut kept: Vec<Candidate> = Vec::new();
    for candidate in candidates {
        if candidate.chars.is_empty() {
            continue;
        }
        let overlaps = kept.iter().any(|other| {
            candidate.chars.start < other.chars.end && other.chars.start < candidate.chars.end
        });
        if !overlaps {
            kept.push(candidate);
        }
    }
    kept.sort_by_key(|candidate| candidate.chars.start);
    kept.into_iter()
        .map(|candidate| Entity {
            kind: candidate.kind,
            text: utterance.original_span(candidate.chars.clone()).to_owned(),
            start: candidate.chars.start,
            end: candidate.chars.end,
            value: candidate.value,
        })
        .collect()
}

/// One utterance in the forms the recognisers read, with the maps between byte and character offsets.
#[derive(Debug)]
struct Utterance<'a> {
    original: &'a str,
    /// Byte offset of each character of `original`, plus the length at the end.
    original_char_starts: Vec<usize>,
    /// Width and case folded; the same characters as `original`, one for one.
    folded: String,
    /// For each byte offset of `folded` (and its length), the index of the character it falls in.
    folded_char_at_byte: Vec<usize>,
    /// Width folded only, keeping case (for names, where capitals matter).
    cased: String,
    cased_char_at_byte: Vec<usize>,
    reference_date: NaiveDate,
    has_latin_letters: bool,
    has_han: bool,
    has_digits: bool,
}

/// What a pattern cannot match without; recognisers skip patterns whose requirement the text does not meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Requires {
    LatinLetters,
    Han,
    Digits,
}

impl<'a> Utterance<'a> {
    fn new(original: &'a str, reference_date: NaiveDate) -> Self {
        let mut original_char_starts: Vec<usize> =
            original.char_indices().map(|(index, _)| index).collect();
        original_char_starts.push(original.len());
        let folded = crate::normalize::fold_width_and_case(original);
        let cased = crate::normalize::fold_width_only(original);
        Self {
            has_latin_letters: folded.bytes().any(|b| b.is_ascii_alphabetic()),
            has_han: folded.chars().any(|c| matches!(c, '\u{3400}'..='\u{9FFF}')),
            has_digits: folded.bytes().any(|b| b.is_ascii_digit()),
            original,
            original_char_starts,
            folded_char_at_byte: char_index_at_each_byte(&folded),
            folded,
            cased_char_at_byte: char_index_at_each_byte(&cased),
            cased,
            reference_date,
        }
    }

    /// Whether the text can hold a match of a pattern with this requirement.
    fn meets(&self, requirement: Requires) -> bool {
        match requirement {
            Requires::LatinLetters => self.has_latin_letters,
            Requires::Han => self.has_han,
            Requires::Digits => self.has_digits,
        }
    }

    /// The original text of a character range.
    fn original_span(&self, chars: Range<usize>) -> &'a str {
        let last = self.original_char_starts.len() - 1;
        let start = self.original_char_starts[chars.start.min(last)];
        let end = self.original_char_starts[chars.end.min(last)];
        &self.original[start..end]
    }

    /// Converts a byte range of `folded` to a character range.
    fn folded_chars(&self, bytes: Range<usize>) -> Range<usize> {
        self.folded_char_at_byte[bytes.start]..self.folded_char_at_byte[bytes.end]
    }

    /// Converts a byte range of `cased` to a character range.
    fn cased_chars(&self, bytes: Range<usize>) -> Range<usize> {
        self.cased_char_at_byte[bytes.start]..self.cased_char_at_byte[bytes.end]
    }

    /// A candidate over a byte range of `folded`.
    fn candidate(
        &self,
        kind: EntityKind,
        bytes: Range<usize>,
        value: EntityValue,
        priority: Priority,
    ) -> Candidate {
        Candidate {
            kind,
            chars: self.folded_chars(bytes),
            value,
            priority,
        }
    }

    /// The character of `folded` just before a byte offset.
    fn folded_char_before(&self, byte: usize) -> Option<char> {
        self.folded[..byte].chars().next_back()
    }

    /// The character of `folded` at a byte offset.
    fn folded_char_after(&self, byte: usize) -> Option<char> {
        self.folded[byte..].chars().next()
    }
}

fn char_index_at_each_byte(text: &str) -> Vec<usize> {
    let mut map = vec![0; text.len() + 1];
    for (char_index, (byte_index, c)) in text.char_indices().enumerate() {
        for slot in &mut map[byte_index..byte_index + c.len_utf8()] {
            *slot = char_index;
        }
    }
    map[text.len()] = text.chars().count();
    map
}

/// Runs `regex` over `haystack` and offers every match to `accept`. When `accept` refuses a match, the search
/// resumes one character after the match's start rather than after its end, so a refused long match cannot hide
/// a good shorter one inside it.
fn scan<'h>(
    regex: &Option<Regex>,
    haystack: &'h str,
    mut accept: impl FnMut(&Captures<'h>) -> bool,
) {
    let Some(regex) = regex else {
        return;
    };
    let mut position = 0;
    while position <= haystack.len() {
        let Some(captures) = regex.captures_at(haystack, position) else {
            break;
        };
        let Some(whole) = captures.get(0) else {
            break;
        };
        let next_char_length = haystack[whole.start()..]
            .chars()
            .next()
            .map_or(1, char::len_utf8);
        position = if accept(&captures) && whole.end() > whole.start() {
            whole.end()
        } else {
            whole.start() + next_char_length
        };
    }
}

/// A regex compiled on first use. The patterns are constants of this module and every one of them is exercised
/// by the unit tests, so `None` (an invalid pattern) cannot reach a release; should it happen anyway, the
/// recogniser finds nothing instead of panicking on a customer's request.
type Pattern = std::sync::LazyLock<Option<Regex>>;

fn compile(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

/// The pattern when the utterance meets its requirement, otherwise no pattern, so [`scan`] skips it cheaply.
fn when(
    utterance: &Utterance,
    requirement: Requires,
    pattern: &'static Pattern,
) -> &'static Option<Regex> {
    static NO_PATTERN: Option<Regex> = None;
    if utterance.meets(requirement) {
        pattern
    } else {
        &NO_PATTERN
    }
}

/// Whether a character is an ASCII letter or digit, the characters that glue English words and codes together.
fn is_ascii_word_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests;

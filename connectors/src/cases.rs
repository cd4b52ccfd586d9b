//! Cases: what the bot opens when a customer's request needs people or time (a refund, a complaint, a fraud
//! report, a credit-report dispute, closing the account, a change of card or phone, a promise to pay, a pause of
//! collection), each with a reference number the customer can quote and a deadline by which it is answered.
//!
//! [`Cases`] is the trait; [`sql::SqlCases`](crate::sql::SqlCases) keeps cases in the project's own database and
//! [`http::HttpCases`](crate::http::HttpCases) in a lender's case system over HTTP (`connectors/HTTP-API.md`).
//! Opening is idempotent: a [`NewCase`] carries a `request_id` chosen by the caller, and opening the same request
//! again (a retry after a timeout, say) returns the case already opened instead of a second one.
//!
//! The demo lender's deadlines ([`deadline_for`]) are pure functions of the kind and the day the case is opened.
//! Business days skip Saturdays and Sundays; public holidays are the lender's to add.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::BackendError;

/// The kinds of case the bot opens, with the demo lender's deadline for each.
///
/// The figures come from `shared/spec/demo-lender.md` where it states one: a refund of an overcharge within 7
/// business days (it says 3 to 7), a complaint resolved within 15 days, a credit-report dispute answered within 20
/// days, an account closed within 7 days, a settlement certificate issued within 1 business day. Where it states
/// none, the demo lender answers within the complaint's 15 days (fraud reports) or within 1 business day (changes
/// of card, phone or automatic debit, and the human follow-up of a paused collection); a promise to pay is due on
/// the promised day.
pub const CASE_KINDS: &[(&str, Deadline)] = &[
    ("refund", Deadline::BusinessDays(7)),
    ("complaint", Deadline::Days(15)),
    ("fraud_report", Deadline::Days(15)),
    ("credit_report_dispute", Deadline::Days(20)),
    ("account_closure", Deadline::Days(7)),
    ("settlement_certificate", Deadline::BusinessDays(1)),
    ("card_change", Deadline::BusinessDays(1)),
    ("phone_change", Deadline::BusinessDays(1)),
    ("autodebit_change", Deadline::BusinessDays(1)),
    ("collections_pause", Deadline::BusinessDays(1)),
    ("promise_to_pay", Deadline::PromisedDay),
];

/// How a kind's deadline follows from the day the case is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// Calendar days after the opening day.
    Days(u32),
    /// Business days (Monday to Friday) after the opening day.
    BusinessDays(u32),
    /// The date in the case's `date` detail (a promise to pay), which must not be before the opening day.
    PromisedDay,
}

/// A request to open a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCase {
    /// Chosen by the caller, unique per request; opening the same request again returns the same case.
    pub request_id: String,
    pub customer_id: String,
    /// One of [`CASE_KINDS`].
    pub kind: String,
    /// A short description for the people who handle it, free of unmasked personal data.
    pub summary: String,
    /// What the case is about, by name (`amount`, `date`, `bank`, `last4`, `conversation_id` ...).
    #[serde(default)]
    pub details: BTreeMap<String, String>,
    /// When the customer asked, with the customer's offset; its date is the opening day.
    pub opened_at: DateTime<FixedOffset>,
}

/// An opened case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// The reference number the customer quotes, e.g. `AX261126K7Q2ZP`.
    pub reference: String,
    pub customer_id: String,
    pub kind: String,
    /// `open`, `in_progress` or `closed`.
    pub status: String,
    pub summary: String,
    #[serde(default)]
    pub details: BTreeMap<String, String>,
    pub opened_at: DateTime<FixedOffset>,
    /// The day by which the case is answered or done.
    pub deadline: NaiveDate,
}

/// Where cases live.
#[async_trait]
pub trait Cases: Send + Sync {
    /// Opens a case, or returns the one already opened for the same `request_id`.
    async fn open_case(&self, request: &NewCase) -> Result<Case, BackendError>;

    /// The case with this reference number, if any.
    async fn case(&self, reference: &str) -> Result<Option<Case>, BackendError>;

    /// The customer's cases, newest first.
    async fn cases_of(&self, customer_id: &str) -> Result<Vec<Case>, BackendError>;

    /// Answers `Ok` when the backend can serve requests.
    async fn health(&self) -> Result<(), BackendError>;
}

/// Checks a request before anything is stored: a known kind, ids present, a promised date when one is needed.
pub fn validate(request: &NewCase) -> Result<(), BackendError> {
    if request.request_id.trim().is_empty() || request.request_id.len() > 100 {
        return Err(BackendError::Rejected(
            "a case needs a request_id of 1 to 100 characters".to_owned(),
        ));
    }
    if request.customer_id.trim().is_empty() {
        return Err(BackendError::Rejected(
            "a case needs a customer_id".to_owned(),
        ));
    }
    deadline_for(request).map(|_| ())
}

/// The deadline of a request under the demo lender's rules, or why there is none.
pub fn deadline_for(request: &NewCase) -> Result<NaiveDate, BackendError> {
    let Some((_, rule)) = CASE_KINDS.iter().find(|(kind, _)| *kind == request.kind) else {
        return Err(BackendError::Rejected(format!(
            "unknown case kind {:?}",
            request.kind.chars().take(40).collect::<String>()
        )));
    };
    let opened_on = request.opened_at.date_naive();
    match *rule {
        Deadline::Days(days) => Ok(opened_on
            .checked_add_days(Days::new(u64::from(days)))
            .unwrap_or(opened_on)),
        Deadline::BusinessDays(days) => Ok(add_business_days(opened_on, days)),
        Deadline::PromisedDay => {
            let promised = request
                .details
                .get("date")
                .and_then(|date| NaiveDate::parse_from_str(date, "%Y-%m-%d").ok())
                .ok_or_else(|| {
                    BackendError::Rejected(format!(
                        "a {} case needs an ISO `date` detail",
                        request.kind
                    ))
                })?;
            if promised < opened_on {
                return Err(BackendError::Rejected(format!(
                    "the promised day {promised} is before the day the case is opened ({opened_on})"
                )));
            }
            Ok(promised)
        }
    }
}

/// The day `count` business days (Monday to Friday) after `day`.
pub fn add_business_days(day: NaiveDate, count: u32) -> NaiveDate {
    let mut current = day;
    let mut added = 0;
    while added < count {
        current = current.succ_opt().unwrap_or(current);
        if !matches!(current.weekday(), Weekday::Sat | Weekday::Sun) {
            added += 1;
        }
    }
    current
}

/// A fresh reference number: `AX`, the opening day as `YYMMDD`, and six characters from an alphabet without
/// look-alikes (no `0`/`O`, `1`/`I`/`L`), e.g. `AX261126K7Q2ZP`.
pub fn new_reference(opened_on: NaiveDate) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let random: String = (0..6)
        .map(|_| char::from(ALPHABET[rand::random_range(0..ALPHABET.len())]))
        .collect();
    format!("AX{}{random}", opened_on.format("%y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(kind: &str, opened_at: &str) -> NewCase {
        NewCase {
            request_id: "r1".to_owned(),
            customer_id: "C001".to_owned(),
            kind: kind.to_owned(),
            summary: String::new(),
            details: BTreeMap::new(),
            opened_at: DateTime::parse_from_rfc3339(opened_at).expect("a valid timestamp"),
        }
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("an ISO date")
    }

    #[test]
    fn deadlines_follow_the_demo_lenders_rules() {
        // 2026-11-26 is a Thursday; 7 business days later skips two weekends.
        assert_eq!(
            deadline_for(&request("refund", "2026-11-26T10:00:00+08:00")).ok(),
            Some(day("2026-12-07"))
        );
        assert_eq!(
            deadline_for(&request("complaint", "2026-11-26T10:00:00+08:00")).ok(),
            Some(day("2026-12-11"))
        );
        assert_eq!(
            deadline_for(&request(
                "credit_report_dispute",
                "2026-11-26T23:30:00+08:00"
            ))
            .ok(),
            Some(day("2026-12-16"))
        );
        // Opened on a Friday, one business day later is Monday.
        assert_eq!(
            deadline_for(&request(
                "settlement_certificate",
                "2026-11-27T09:00:00+08:00"
            ))
            .ok(),
            Some(day("2026-11-30"))
        );
        let mut promise = request("promise_to_pay", "2026-11-26T10:00:00+08:00");
        promise
            .details
            .insert("date".to_owned(), "2026-12-01".to_owned());
        assert_eq!(deadline_for(&promise).ok(), Some(day("2026-12-01")));
    }

    #[test]
    fn bad_requests_are_rejected_with_the_reason() {
        assert!(matches!(
            validate(&request("lottery", "2026-11-26T10:00:00+08:00")),
            Err(BackendError::Rejected(_))
        ));
        let mut no_id = request("refund", "2026-11-26T10:00:00+08:00");
        no_id.request_id = " ".to_owned();
        assert!(matches!(validate(&no_id), Err(BackendError::Rejected(_))));
        let mut past = request("promise_to_pay", "2026-11-26T10:00:00+08:00");
        past.details
            .insert("date".to_owned(), "2026-11-20".to_owned());
        assert!(matches!(validate(&past), Err(BackendError::Rejected(_))));
        let no_date = request("promise_to_pay", "2026-11-26T10:00:00+08:00");
        assert!(matches!(validate(&no_date), Err(BackendError::Rejected(_))));
    }

    #[test]
    fn references_carry_the_day_and_six_unambiguous_characters() {
        let reference = new_reference(day("2026-11-26"));
        assert_eq!(reference.len(), 14);
        assert!(reference.starts_with("AX261126"));
        assert!(
            reference[8..]
                .chars()
                .all(|character| character.is_ascii_alphanumeric() && !"01OIL".contains(character))
        );
        assert_ne!(reference, new_reference(day("2026-11-26")));
    }
}

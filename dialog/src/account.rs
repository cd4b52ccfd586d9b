//! The dialog manager's view of a customer's account: only what it phrases, already computed by the loan system.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoanState {
    Current,
    Overdue,
    Settled,
}

/// An instalment and what is still owed on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueView {
    pub seq: u32,
    pub due_date: NaiveDate,
    pub outstanding: Decimal,
}

/// One line of the repayment schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleLine {
    pub seq: u32,
    pub due_date: NaiveDate,
    /// Principal, interest, fee and penalty.
    pub total: Decimal,
    pub paid: Decimal,
    pub outstanding: Decimal,
}

/// The cost of settling a loan today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoffView {
    pub remaining_principal: Decimal,
    pub overdue_charges: Decimal,
    pub interest_to_date: Decimal,
    pub early_settlement_fee: Decimal,
    pub total: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoanView {
    pub id: String,
    /// `cash_loan` or `instalment_loan`.
    pub product: String,
    pub principal: Decimal,
    pub term_months: u32,
    pub state: LoanState,
    pub next_due: Option<DueView>,
    pub overdue: Vec<DueView>,
    pub overdue_amount: Decimal,
    pub days_past_due: u32,
    pub remaining_installments: u32,
    pub remaining_principal: Decimal,
    pub outstanding_total: Decimal,
    pub payoff: Option<PayoffView>,
    pub schedule: Vec<ScheduleLine>,
    /// The day the money was paid out.
    #[serde(default)]
    pub disbursed_on: Option<NaiveDate>,
    /// Until this day (exclusive) prepaying principal costs the early-settlement fee; `None` when it never does.
    #[serde(default)]
    pub early_fee_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardView {
    pub bank: String,
    pub last4: String,
    pub autodebit: bool,
}

/// An automatic debit that did not go through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedDebitView {
    pub loan_id: String,
    pub amount: Decimal,
    pub at: DateTime<FixedOffset>,
    /// `insufficient_funds`, `card_expired`, `card_frozen`, `limit_exceeded`, ... as the loan system reports it.
    pub reason: Option<String>,
}

/// A repayment attempt, successful or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepaymentView {
    pub loan_id: String,
    pub amount: Decimal,
    pub at: DateTime<FixedOffset>,
    /// `autodebit`, `app`, `transfer`, ...
    pub channel: String,
    pub succeeded: bool,
}

/// A customer's account as of today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub customer_name: String,
    pub today: NaiveDate,
    pub loans: Vec<LoanView>,
    pub cards: Vec<CardView>,
    /// Failed automatic debits, newest first.
    pub failed_debits: Vec<FailedDebitView>,
    /// The approved credit limit, when there is one.
    pub credit_limit: Option<Decimal>,
    /// The limit less the principal still outstanding, never negative.
    pub available_limit: Option<Decimal>,
    /// Borrowing is blocked while any instalment is overdue.
    pub limit_frozen: bool,
    /// Every repayment attempt, newest first.
    #[serde(default)]
    pub repayments: Vec<RepaymentView>,
}

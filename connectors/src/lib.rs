//! Anxin's backends: the loan system (customers, loans, instalments, cards, repayments), the conversation
//! store (conversations, messages, dialog state, handoffs) and cases (requests with a reference number and a
//! deadline, [`cases`]), each behind a trait with an SQL implementation through sqlx that runs on SQLite (the
//! embedded default) and PostgreSQL; the loan system and cases also have an HTTP implementation ([`http`]) for a
//! lender's own systems.
//!
//! The loan arithmetic (what is due, what is overdue, a payoff quote) lives in [`loans`] as pure functions over
//! the records, so that every implementation of [`LoanSystem`] answers alike. [`seed`] is the JSON format of
//! `anxin seed`, and [`demo`] generates the bundled demo lender's customers relative to a given day.

pub mod cases;
pub mod demo;
pub mod http;
pub mod loans;
pub mod review;
pub mod seed;
pub mod sql;

use async_trait::async_trait;
use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use cases::{Case, Cases, NewCase};
pub use http::{HttpCases, HttpLoanSystem, HttpLoanSystemOptions};
pub use loans::{Account, DueInstallment, LoanStatus, LoanSummary, PayoffQuote};
pub use review::{NewReviewItem, ReviewItem, ReviewQueue, ReviewReason, ReviewStatus};
pub use seed::{SeedData, SeedReport};
pub use sql::{
    Database, DatabaseBackend, SqlCases, SqlConversationStore, SqlLoanSystem, SqlReviewQueue,
};

/// Failures of a backend. A customer or conversation that does not exist is `Ok(None)`, not an error.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The backend cannot be reached or did not answer (connection refused, pool timed out, server down).
    #[error("backend unavailable: {0}")]
    Unavailable(String),
    /// The backend answered with something that breaks its contract (a corrupt row, an unparseable amount).
    #[error("backend returned invalid data: {0}")]
    InvalidData(String),
    /// The request is inconsistent with the stored data (a loan for an unknown customer, a duplicate id).
    #[error("rejected: {0}")]
    Rejected(String),
    /// A database URL that names no supported database, or a migration that failed.
    #[error("database setup failed: {0}")]
    Setup(String),
}

/// A borrower.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: String,
    pub name: String,
    /// E.164, e.g. `+8613812345678`.
    pub phone: String,
    /// The last 4 characters of the resident ID number, used for step-up verification.
    pub id_last4: String,
    /// `zh` or `en`.
    pub language: String,
    /// An IANA zone such as `Asia/Shanghai`.
    pub timezone: String,
    /// The approved credit limit, when the lender has granted a revolving line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_limit: Option<Decimal>,
}

/// One scheduled instalment of a loan. It is overdue when its due date has passed and `paid` is less than the
/// sum of its parts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installment {
    pub seq: u32,
    pub due_date: NaiveDate,
    pub principal: Decimal,
    pub interest: Decimal,
    pub fee: Decimal,
    pub penalty: Decimal,
    pub paid: Decimal,
}

impl Installment {
    /// Principal, interest, fee and penalty together.
    pub fn total(&self) -> Decimal {
        self.principal + self.interest + self.fee + self.penalty
    }

    /// What is still owed on this instalment (never negative).
    pub fn outstanding(&self) -> Decimal {
        (self.total() - self.paid).max(Decimal::ZERO)
    }
}

/// A loan with its schedule, instalments ordered by `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Loan {
    pub id: String,
    pub customer_id: String,
    /// `cash_loan` or `instalment_loan` for the demo lender.
    pub product: String,
    pub principal: Decimal,
    pub annual_rate: Decimal,
    pub term_months: u32,
    pub disbursed_on: NaiveDate,
    pub installments: Vec<Installment>,
}

/// A bank card linked for repayment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub customer_id: String,
    /// A bank code such as `ICBC`.
    pub bank: String,
    pub last4: String,
    pub autodebit: bool,
}

/// A repayment attempt, successful or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repayment {
    pub loan_id: String,
    pub amount: Decimal,
    pub at: DateTime<FixedOffset>,
    /// `autodebit`, `app`, `transfer`, ...
    pub channel: String,
    /// `succeeded` or `failed`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_reason: Option<String>,
}

/// What a lender's loan system answers. Implementations: [`sql::SqlLoanSystem`].
#[async_trait]
pub trait LoanSystem: Send + Sync {
    async fn customer(&self, customer_id: &str) -> Result<Option<Customer>, BackendError>;

    /// The customer whose phone is this E.164 number, for callers identified by their number.
    async fn customer_by_phone(&self, phone: &str) -> Result<Option<Customer>, BackendError>;

    /// The customer with every loan summarised as of `today`, their cards and repayments (newest first).
    async fn account(
        &self,
        customer_id: &str,
        today: NaiveDate,
    ) -> Result<Option<Account>, BackendError>;

    /// Answers `Ok` when the backend can serve requests.
    async fn health(&self) -> Result<(), BackendError>;
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Customer,
    Bot,
    Agent,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Bot => "bot",
            Role::Agent => "agent",
        }
    }
}

/// A conversation between one customer and Anxin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    pub id: String,
    pub customer_id: String,
    /// `web`, `rest`, `voice`, ...
    pub channel: String,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
    /// The dialog manager's state, as the JSON it serialised itself to; opaque to the store.
    pub dialog_state: Option<String>,
}

/// One message of a conversation; `seq` counts from 1 within the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub conversation_id: String,
    pub seq: i64,
    pub role: Role,
    pub text: String,
    /// Extra structured data as JSON (the intent and confidence of a customer message, quick replies of a bot reply).
    pub meta: Option<String>,
    pub at: DateTime<FixedOffset>,
}

/// A request that a human agent take over a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handoff {
    pub id: String,
    pub conversation_id: String,
    pub customer_id: String,
    /// Why: `customer_request`, `not_understood`, `backend_unavailable`, ...
    pub reason: String,
    /// A short summary for the agent, already free of unmasked personal data.
    pub summary: String,
    /// `waiting`, `accepted` or `closed`.
    pub status: String,
    pub created_at: DateTime<FixedOffset>,
}

/// Where conversations live. Every turn is written before its reply is sent, so a restart loses nothing.
#[async_trait]
pub trait ConversationStore: Send + Sync {
    async fn create_conversation(
        &self,
        customer_id: &str,
        channel: &str,
    ) -> Result<Conversation, BackendError>;

    async fn conversation(
        &self,
        conversation_id: &str,
    ) -> Result<Option<Conversation>, BackendError>;

    /// The customer's conversations, newest first.
    async fn conversations_of(&self, customer_id: &str) -> Result<Vec<Conversation>, BackendError>;

    /// Appends one message and returns it with its `seq`.
    async fn append_message(
        &self,
        conversation_id: &str,
        role: Role,
        text: &str,
        meta: Option<&str>,
    ) -> Result<Message, BackendError>;

    /// Appends the bot's replies and saves the new dialog state in one transaction.
    async fn complete_turn(
        &self,
        conversation_id: &str,
        replies: &[(String, Option<String>)],
        dialog_state: &str,
    ) -> Result<Vec<Message>, BackendError>;

    /// Messages in order.
    async fn messages(&self, conversation_id: &str) -> Result<Vec<Message>, BackendError>;

    /// Records a handoff; a conversation has at most one open (`waiting` or `accepted`) handoff, which is
    /// returned unchanged when one is asked for again.
    async fn request_handoff(
        &self,
        conversation_id: &str,
        reason: &str,
        summary: &str,
    ) -> Result<Handoff, BackendError>;

    /// The open handoff of a conversation, if any.
    async fn open_handoff(&self, conversation_id: &str) -> Result<Option<Handoff>, BackendError>;

    /// Handoffs with this status (all when `None`), oldest first.
    async fn handoffs(&self, status: Option<&str>) -> Result<Vec<Handoff>, BackendError>;

    async fn health(&self) -> Result<(), BackendError>;
}

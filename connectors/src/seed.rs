//! The JSON format of `anxin seed --file` (see `shared/spec/api.md`): customers, loans, cards and repayments.
//!
//! Money is a decimal string and dates are ISO, as in api.md. One extension: a customer may carry a
//! `credit_limit` (a decimal string), the approved revolving limit from which the available limit is computed.
//! [`SqlLoanSystem::seed`](crate::sql::SqlLoanSystem::seed) says how a batch is validated and what it replaces.

use serde::{Deserialize, Serialize};

use crate::{Card, Customer, Loan, Repayment};

/// A batch of loan-system records; loading it replaces records with the same ids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedData {
    #[serde(default)]
    pub customers: Vec<Customer>,
    #[serde(default)]
    pub loans: Vec<Loan>,
    #[serde(default)]
    pub cards: Vec<Card>,
    #[serde(default)]
    pub repayments: Vec<Repayment>,
}

/// How many records a seed wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedReport {
    pub customers: usize,
    pub loans: usize,
    pub installments: usize,
    pub cards: usize,
    pub repayments: usize,
}

//! The JSON format of `anxin seed --file` (see `shared/spec/api.md`): customers, loans, cards and repayments.

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

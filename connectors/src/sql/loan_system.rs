//! The embedded loan system: [`LoanSystem`] over the `customers`, `loans`, `installments`, `cards` and
//! `repayments` tables, and the loader behind `anxin seed`.
//!
//! A seed is one transaction. The batch is validated first (ids present and unique, instalment numbers unique
//! within a loan, no negative money, every loan and card belonging to a customer in the batch or the database,
//! every repayment to a loan in the batch or the database) and rejected whole with a message naming the
//! offending record. Records with the same ids are replaced: customers and loans by id (a re-seeded loan's
//! instalments are replaced by the batch's), cards by holder and last four digits, and the repayments of every
//! loan that appears among the batch's repayments by the batch's.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use async_trait::async_trait;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};

use super::{Columns, Database, backend_error, format_utc_timestamp};
use crate::loans::summarize;
use crate::seed::{SeedData, SeedReport};
use crate::{Account, BackendError, Card, Customer, Installment, Loan, LoanSystem, Repayment};

/// The loan system kept in the project's own database.
#[derive(Debug, Clone)]
pub struct SqlLoanSystem {
    database: Database,
}

impl SqlLoanSystem {
    pub fn new(database: Database) -> SqlLoanSystem {
        SqlLoanSystem { database }
    }

    /// Loads a batch in one transaction, replacing records with the same ids (see the module documentation).
    pub async fn seed(&self, data: &SeedData) -> Result<SeedReport, BackendError> {
        validate_batch(data)?;
        let mut transaction = self.database.begin_write().await?;

        for customer in &data.customers {
            upsert_customer(&mut transaction, customer).await?;
        }

        let batch_customers: HashSet<&str> = data
            .customers
            .iter()
            .map(|customer| customer.id.as_str())
            .collect();
        let referenced_customers = data
            .loans
            .iter()
            .map(|loan| (loan.customer_id.as_str(), format!("loan {}", loan.id)))
            .chain(data.cards.iter().map(|card| {
                (
                    card.customer_id.as_str(),
                    format!("the card ending {}", card.last4),
                )
            }));
        let mut checked_customers = HashSet::new();
        for (customer_id, record) in referenced_customers {
            if batch_customers.contains(customer_id) || checked_customers.contains(customer_id) {
                continue;
            }
            if !customer_exists(&mut transaction, customer_id).await? {
                return Err(BackendError::Rejected(format!(
                    "{record} belongs to customer {customer_id}, who is neither in the batch nor in the database"
                )));
            }
            checked_customers.insert(customer_id);
        }

        let mut installments = 0;
        for loan in &data.loans {
            upsert_loan(&mut transaction, loan).await?;
            installments += loan.installments.len();
        }

        for card in &data.cards {
            upsert_card(&mut transaction, card).await?;
        }

        let batch_loans: HashSet<&str> = data.loans.iter().map(|loan| loan.id.as_str()).collect();
        let mut repayments_by_loan: BTreeMap<&str, Vec<&Repayment>> = BTreeMap::new();
        for repayment in &data.repayments {
            repayments_by_loan
                .entry(repayment.loan_id.as_str())
                .or_default()
                .push(repayment);
        }
        for (loan_id, repayments) in &repayments_by_loan {
            if !batch_loans.contains(loan_id) && !loan_exists(&mut transaction, loan_id).await? {
                return Err(BackendError::Rejected(format!(
                    "the repayment of {} at {} names loan {loan_id}, which is neither in the batch nor in the database",
                    repayments[0].amount, repayments[0].at
                )));
            }
            replace_repayments(&mut transaction, loan_id, repayments).await?;
        }

        transaction.commit().await.map_err(backend_error)?;
        let report = SeedReport {
            customers: data.customers.len(),
            loans: data.loans.len(),
            installments,
            cards: data.cards.len(),
            repayments: data.repayments.len(),
        };
        tracing::info!(
            customers = report.customers,
            loans = report.loans,
            installments = report.installments,
            cards = report.cards,
            repayments = report.repayments,
            "seeded the loan system"
        );
        Ok(report)
    }

    /// How many customers the loan system holds.
    pub async fn customer_count(&self) -> Result<u64, BackendError> {
        let row = sqlx::query("SELECT COUNT(*) AS customers FROM customers")
            .fetch_one(self.database.pool())
            .await
            .map_err(backend_error)?;
        let count = Columns::of(&row).integer("customers")?;
        u64::try_from(count)
            .map_err(|_| BackendError::InvalidData(format!("negative customer count {count}")))
    }

    async fn read_account(
        &self,
        customer_id: &str,
        today: NaiveDate,
    ) -> Result<Option<Account>, BackendError> {
        let mut transaction = self.database.begin_read().await?;
        let Some(customer) = select_customer(&mut transaction, customer_id).await? else {
            return Ok(None);
        };

        let loan_rows = sqlx::query(
            "SELECT id, customer_id, product, principal, annual_rate, term_months, disbursed_on \
             FROM loans WHERE customer_id = $1 ORDER BY disbursed_on, id",
        )
        .bind(customer_id)
        .fetch_all(&mut *transaction)
        .await
        .map_err(backend_error)?;
        let mut loans = loan_rows
            .iter()
            .map(loan_from_row)
            .collect::<Result<Vec<_>, _>>()?;

        let installment_rows = sqlx::query(
            "SELECT i.loan_id, i.seq, i.due_date, i.principal, i.interest, i.fee, i.penalty, i.paid \
             FROM installments i JOIN loans l ON l.id = i.loan_id \
             WHERE l.customer_id = $1 ORDER BY i.loan_id, i.seq",
        )
        .bind(customer_id)
        .fetch_all(&mut *transaction)
        .await
        .map_err(backend_error)?;
        let mut installments_by_loan: BTreeMap<String, Vec<Installment>> = BTreeMap::new();
        for row in &installment_rows {
            let loan_id = Columns::of(row).text("loan_id")?;
            installments_by_loan
                .entry(loan_id)
                .or_default()
                .push(installment_from_row(row)?);
        }
        for loan in &mut loans {
            loan.installments = installments_by_loan.remove(&loan.id).unwrap_or_default();
        }

        let card_rows = sqlx::query(
            "SELECT customer_id, bank, last4, autodebit FROM cards WHERE customer_id = $1 ORDER BY bank, last4",
        )
        .bind(customer_id)
        .fetch_all(&mut *transaction)
        .await
        .map_err(backend_error)?;
        let cards = card_rows
            .iter()
            .map(card_from_row)
            .collect::<Result<Vec<_>, _>>()?;

        let repayment_rows = sqlx::query(
            "SELECT r.loan_id, r.amount, r.attempted_at, r.channel, r.status, r.fail_reason \
             FROM repayments r JOIN loans l ON l.id = r.loan_id \
             WHERE l.customer_id = $1 \
             ORDER BY r.attempted_at_utc DESC, r.loan_id DESC, r.position DESC",
        )
        .bind(customer_id)
        .fetch_all(&mut *transaction)
        .await
        .map_err(backend_error)?;
        let repayments = repayment_rows
            .iter()
            .map(repayment_from_row)
            .collect::<Result<Vec<_>, _>>()?;

        transaction.commit().await.map_err(backend_error)?;
        Ok(Some(Account {
            customer,
            as_of: today,
            loans: loans.iter().map(|loan| summarize(loan, today)).collect(),
            cards,
            repayments,
        }))
    }
}

#[async_trait]
impl LoanSystem for SqlLoanSystem {
    async fn customer(&self, customer_id: &str) -> Result<Option<Customer>, BackendError> {
        let row = sqlx::query(
            "SELECT id, name, phone, id_last4, language, timezone, credit_limit FROM customers WHERE id = $1",
        )
        .bind(customer_id)
        .fetch_optional(self.database.pool())
        .await
        .map_err(backend_error)?;
        row.as_ref().map(customer_from_row).transpose()
    }

    async fn customer_by_phone(&self, phone: &str) -> Result<Option<Customer>, BackendError> {
        let row = sqlx::query(
            "SELECT id, name, phone, id_last4, language, timezone, credit_limit FROM customers \
             WHERE phone = $1 ORDER BY id LIMIT 1",
        )
        .bind(phone)
        .fetch_optional(self.database.pool())
        .await
        .map_err(backend_error)?;
        row.as_ref().map(customer_from_row).transpose()
    }

    async fn account(
        &self,
        customer_id: &str,
        today: NaiveDate,
    ) -> Result<Option<Account>, BackendError> {
        self.read_account(customer_id, today).await
    }

    async fn health(&self) -> Result<(), BackendError> {
        self.database.health().await
    }
}

/// Checks what can be checked without the database, naming the first offending record.
fn validate_batch(data: &SeedData) -> Result<(), BackendError> {
    let mut customer_ids = HashSet::new();
    for customer in &data.customers {
        if customer.id.trim().is_empty() {
            return Err(rejected(format!(
                "a customer named {:?} has an empty id",
                customer.name
            )));
        }
        if !customer_ids.insert(customer.id.as_str()) {
            return Err(rejected(format!(
                "customer {} appears twice in the batch",
                customer.id
            )));
        }
        if let Some(limit) = customer.credit_limit {
            require_non_negative(limit, || {
                format!("customer {} has a negative credit limit", customer.id)
            })?;
        }
    }

    let mut loan_ids = HashSet::new();
    for loan in &data.loans {
        if loan.id.trim().is_empty() {
            return Err(rejected(format!(
                "a loan of customer {} has an empty id",
                loan.customer_id
            )));
        }
        if !loan_ids.insert(loan.id.as_str()) {
            return Err(rejected(format!(
                "loan {} appears twice in the batch",
                loan.id
            )));
        }
        require_non_negative(loan.principal, || {
            format!("loan {} has a negative principal", loan.id)
        })?;
        require_non_negative(loan.annual_rate, || {
            format!("loan {} has a negative annual rate", loan.id)
        })?;
        let mut seqs = BTreeSet::new();
        for installment in &loan.installments {
            if !seqs.insert(installment.seq) {
                return Err(rejected(format!(
                    "loan {} has more than one instalment with seq {}",
                    loan.id, installment.seq
                )));
            }
            let parts = [
                ("principal", installment.principal),
                ("interest", installment.interest),
                ("fee", installment.fee),
                ("penalty", installment.penalty),
                ("paid", installment.paid),
            ];
            for (part, amount) in parts {
                require_non_negative(amount, || {
                    format!(
                        "loan {} instalment {} has a negative {part}",
                        loan.id, installment.seq
                    )
                })?;
            }
        }
    }

    let mut card_keys = HashSet::new();
    for card in &data.cards {
        if !card_keys.insert((card.customer_id.as_str(), card.last4.as_str())) {
            return Err(rejected(format!(
                "the card ending {} of customer {} appears twice in the batch",
                card.last4, card.customer_id
            )));
        }
    }

    for repayment in &data.repayments {
        require_non_negative(repayment.amount, || {
            format!(
                "a repayment of loan {} at {} has a negative amount",
                repayment.loan_id, repayment.at
            )
        })?;
    }
    Ok(())
}

fn rejected(message: String) -> BackendError {
    BackendError::Rejected(message)
}

fn require_non_negative(
    amount: Decimal,
    describe: impl FnOnce() -> String,
) -> Result<(), BackendError> {
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(rejected(format!("{} ({amount})", describe())));
    }
    Ok(())
}

async fn upsert_customer(
    transaction: &mut Transaction<'static, Any>,
    customer: &Customer,
) -> Result<(), BackendError> {
    sqlx::query(
        "INSERT INTO customers (id, name, phone, id_last4, language, timezone, credit_limit) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, phone = excluded.phone, \
         id_last4 = excluded.id_last4, language = excluded.language, timezone = excluded.timezone, \
         credit_limit = excluded.credit_limit",
    )
    .bind(&customer.id)
    .bind(&customer.name)
    .bind(&customer.phone)
    .bind(&customer.id_last4)
    .bind(&customer.language)
    .bind(&customer.timezone)
    .bind(customer.credit_limit.map(|limit| limit.to_string()))
    .execute(&mut **transaction)
    .await
    .map_err(backend_error)?;
    Ok(())
}

async fn upsert_loan(
    transaction: &mut Transaction<'static, Any>,
    loan: &Loan,
) -> Result<(), BackendError> {
    sqlx::query(
        "INSERT INTO loans (id, customer_id, product, principal, annual_rate, term_months, disbursed_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (id) DO UPDATE SET customer_id = excluded.customer_id, product = excluded.product, \
         principal = excluded.principal, annual_rate = excluded.annual_rate, \
         term_months = excluded.term_months, disbursed_on = excluded.disbursed_on",
    )
    .bind(&loan.id)
    .bind(&loan.customer_id)
    .bind(&loan.product)
    .bind(loan.principal.to_string())
    .bind(loan.annual_rate.to_string())
    .bind(i64::from(loan.term_months))
    .bind(loan.disbursed_on.to_string())
    .execute(&mut **transaction)
    .await
    .map_err(backend_error)?;

    sqlx::query("DELETE FROM installments WHERE loan_id = $1")
        .bind(&loan.id)
        .execute(&mut **transaction)
        .await
        .map_err(backend_error)?;
    for installment in &loan.installments {
        sqlx::query(
            "INSERT INTO installments (loan_id, seq, due_date, principal, interest, fee, penalty, paid) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&loan.id)
        .bind(i64::from(installment.seq))
        .bind(installment.due_date.to_string())
        .bind(installment.principal.to_string())
        .bind(installment.interest.to_string())
        .bind(installment.fee.to_string())
        .bind(installment.penalty.to_string())
        .bind(installment.paid.to_string())
        .execute(&mut **transaction)
        .await
        .map_err(backend_error)?;
    }
    Ok(())
}

async fn upsert_card(
    transaction: &mut Transaction<'static, Any>,
    card: &Card,
) -> Result<(), BackendError> {
    sqlx::query(
        "INSERT INTO cards (customer_id, last4, bank, autodebit) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (customer_id, last4) DO UPDATE SET bank = excluded.bank, autodebit = excluded.autodebit",
    )
    .bind(&card.customer_id)
    .bind(&card.last4)
    .bind(&card.bank)
    .bind(i64::from(card.autodebit))
    .execute(&mut **transaction)
    .await
    .map_err(backend_error)?;
    Ok(())
}

async fn replace_repayments(
    transaction: &mut Transaction<'static, Any>,
    loan_id: &str,
    repayments: &[&Repayment],
) -> Result<(), BackendError> {
    sqlx::query("DELETE FROM repayments WHERE loan_id = $1")
        .bind(loan_id)
        .execute(&mut **transaction)
        .await
        .map_err(backend_error)?;
    for (position, repayment) in repayments.iter().enumerate() {
        let position = i64::try_from(position).map_err(|_| {
            rejected(format!(
                "loan {loan_id} has too many repayments in one batch"
            ))
        })?;
        sqlx::query(
            "INSERT INTO repayments \
             (loan_id, position, amount, attempted_at, attempted_at_utc, channel, status, fail_reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(loan_id)
        .bind(position)
        .bind(repayment.amount.to_string())
        .bind(repayment.at.to_rfc3339())
        .bind(format_utc_timestamp(repayment.at))
        .bind(&repayment.channel)
        .bind(&repayment.status)
        .bind(repayment.fail_reason.as_deref())
        .execute(&mut **transaction)
        .await
        .map_err(backend_error)?;
    }
    Ok(())
}

async fn customer_exists(
    transaction: &mut Transaction<'static, Any>,
    customer_id: &str,
) -> Result<bool, BackendError> {
    sqlx::query("SELECT id FROM customers WHERE id = $1")
        .bind(customer_id)
        .fetch_optional(&mut **transaction)
        .await
        .map(|row| row.is_some())
        .map_err(backend_error)
}

async fn loan_exists(
    transaction: &mut Transaction<'static, Any>,
    loan_id: &str,
) -> Result<bool, BackendError> {
    sqlx::query("SELECT id FROM loans WHERE id = $1")
        .bind(loan_id)
        .fetch_optional(&mut **transaction)
        .await
        .map(|row| row.is_some())
        .map_err(backend_error)
}

async fn select_customer(
    transaction: &mut Transaction<'static, Any>,
    customer_id: &str,
) -> Result<Option<Customer>, BackendError> {
    let row = sqlx::query(
        "SELECT id, name, phone, id_last4, language, timezone, credit_limit FROM customers WHERE id = $1",
    )
    .bind(customer_id)
    .fetch_optional(&mut **transaction)
    .await
    .map_err(backend_error)?;
    row.as_ref().map(customer_from_row).transpose()
}

fn customer_from_row(row: &AnyRow) -> Result<Customer, BackendError> {
    let columns = Columns::of(row);
    Ok(Customer {
        id: columns.text("id")?,
        name: columns.text("name")?,
        phone: columns.text("phone")?,
        id_last4: columns.text("id_last4")?,
        language: columns.text("language")?,
        timezone: columns.text("timezone")?,
        credit_limit: columns.optional_money("credit_limit")?,
    })
}

fn loan_from_row(row: &AnyRow) -> Result<Loan, BackendError> {
    let columns = Columns::of(row);
    Ok(Loan {
        id: columns.text("id")?,
        customer_id: columns.text("customer_id")?,
        product: columns.text("product")?,
        principal: columns.money("principal")?,
        annual_rate: columns.money("annual_rate")?,
        term_months: columns.small_count("term_months")?,
        disbursed_on: columns.date("disbursed_on")?,
        installments: Vec::new(),
    })
}

fn installment_from_row(row: &AnyRow) -> Result<Installment, BackendError> {
    let columns = Columns::of(row);
    Ok(Installment {
        seq: columns.small_count("seq")?,
        due_date: columns.date("due_date")?,
        principal: columns.money("principal")?,
        interest: columns.money("interest")?,
        fee: columns.money("fee")?,
        penalty: columns.money("penalty")?,
        paid: columns.money("paid")?,
    })
}

fn card_from_row(row: &AnyRow) -> Result<Card, BackendError> {
    let columns = Columns::of(row);
    Ok(Card {
        customer_id: columns.text("customer_id")?,
        bank: columns.text("bank")?,
        last4: columns.text("last4")?,
        autodebit: columns.integer("autodebit")? != 0,
    })
}

fn repayment_from_row(row: &AnyRow) -> Result<Repayment, BackendError> {
    let columns = Columns::of(row);
    Ok(Repayment {
        loan_id: columns.text("loan_id")?,
        amount: columns.money("amount")?,
        at: columns.timestamp("attempted_at")?,
        channel: columns.text("channel")?,
        status: columns.text("status")?,
        fail_reason: columns.optional_text("fail_reason")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> SeedData {
        let json = r#"{"customers": [{"id": "C001", "name": "张伟", "phone": "+8613812345678", "id_last4": "1234",
                        "language": "zh", "timezone": "Asia/Shanghai"}],
         "loans": [{"id": "LN001", "customer_id": "C001", "product": "cash_loan", "principal": "12000.00",
                    "annual_rate": "0.18", "term_months": 12, "disbursed_on": "2026-03-15",
                    "installments": [{"seq": 1, "due_date": "2026-04-15", "principal": "1000.00", "interest": "180.00",
                                      "fee": "0.00", "penalty": "0.00", "paid": "1180.00"}]}]}"#;
        serde_json::from_str(json).expect("valid seed")
    }

    fn rejection(data: &SeedData) -> String {
        match validate_batch(data) {
            Err(BackendError::Rejected(message)) => message,
            other => panic!("expected a rejection, got {other:?}"),
        }
    }

    #[test]
    fn a_valid_batch_passes() {
        assert!(validate_batch(&batch()).is_ok());
    }

    #[test]
    fn duplicate_instalment_numbers_are_named() {
        let mut data = batch();
        let copy = data.loans[0].installments[0].clone();
        data.loans[0].installments.push(copy);
        assert_eq!(
            rejection(&data),
            "loan LN001 has more than one instalment with seq 1"
        );
    }

    #[test]
    fn negative_money_is_named_with_its_record() {
        let mut data = batch();
        data.loans[0].installments[0].penalty = "-0.01".parse().expect("valid");
        assert_eq!(
            rejection(&data),
            "loan LN001 instalment 1 has a negative penalty (-0.01)"
        );

        let mut data = batch();
        data.customers[0].credit_limit = Some("-5".parse().expect("valid"));
        assert_eq!(
            rejection(&data),
            "customer C001 has a negative credit limit (-5)"
        );
    }

    #[test]
    fn duplicate_ids_within_a_batch_are_rejected() {
        let mut data = batch();
        data.customers.push(data.customers[0].clone());
        assert_eq!(rejection(&data), "customer C001 appears twice in the batch");
    }
}

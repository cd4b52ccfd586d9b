//! Cases in SQL: [`Cases`] over the `cases` table.
//!
//! Opening runs in one write transaction: the request id is looked up first, so a repeated request returns the case
//! it opened; otherwise a fresh reference number is drawn (again on the rare collision) and the row inserted with the
//! deadline of [`crate::cases::deadline_for`]. Two concurrent openings of the same request meet the `request_id`
//! unique constraint, and the loser returns the winner's case.

use std::collections::BTreeMap;

use async_trait::async_trait;
use sqlx::any::AnyRow;

use super::{Columns, Database, backend_error, format_utc_timestamp};
use crate::BackendError;
use crate::cases::{self, Case, Cases, NewCase};

/// How many fresh reference numbers are tried before giving up on a collision.
const REFERENCE_ATTEMPTS: usize = 5;

/// The columns a [`Case`] is read from, as a literal for `concat!`.
macro_rules! case_columns {
    () => {
        "reference, customer_id, kind, status, summary, details, opened_at, deadline"
    };
}

/// Cases kept in the project's own database.
#[derive(Debug, Clone)]
pub struct SqlCases {
    database: Database,
}

impl SqlCases {
    pub fn new(database: Database) -> SqlCases {
        SqlCases { database }
    }

    async fn by_request(&self, request_id: &str) -> Result<Option<Case>, BackendError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            case_columns!(),
            " FROM cases WHERE request_id = $1"
        ))
        .bind(request_id)
        .fetch_optional(self.database.pool())
        .await
        .map_err(backend_error)?;
        row.as_ref().map(case_from_row).transpose()
    }
}

#[async_trait]
impl Cases for SqlCases {
    async fn open_case(&self, request: &NewCase) -> Result<Case, BackendError> {
        cases::validate(request)?;
        let deadline = cases::deadline_for(request)?;
        if let Some(existing) = self.by_request(&request.request_id).await? {
            return Ok(existing);
        }
        let details = serde_json::to_string(&request.details)
            .map_err(|error| BackendError::InvalidData(format!("case details: {error}")))?;
        for _ in 0..REFERENCE_ATTEMPTS {
            let case = Case {
                reference: cases::new_reference(request.opened_at.date_naive()),
                customer_id: request.customer_id.clone(),
                kind: request.kind.clone(),
                status: "open".to_owned(),
                summary: request.summary.clone(),
                details: request.details.clone(),
                opened_at: request.opened_at,
                deadline,
            };
            let mut transaction = self.database.begin_write().await?;
            let inserted = sqlx::query(
                "INSERT INTO cases (reference, request_id, customer_id, kind, status, summary, details, \
                 opened_at, opened_at_utc, deadline) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&case.reference)
            .bind(&request.request_id)
            .bind(&case.customer_id)
            .bind(&case.kind)
            .bind(&case.status)
            .bind(&case.summary)
            .bind(&details)
            .bind(case.opened_at.to_rfc3339())
            .bind(format_utc_timestamp(case.opened_at))
            .bind(case.deadline.format("%Y-%m-%d").to_string())
            .execute(&mut *transaction)
            .await;
            match inserted {
                Ok(_) => {
                    transaction.commit().await.map_err(backend_error)?;
                    return Ok(case);
                }
                Err(error) => {
                    transaction.rollback().await.ok();
                    match backend_error(error) {
                        BackendError::Rejected(_) => {
                            // Either the same request won a race, or the reference collided: look, then retry.
                            if let Some(existing) = self.by_request(&request.request_id).await? {
                                return Ok(existing);
                            }
                        }
                        other => return Err(other),
                    }
                }
            }
        }
        Err(BackendError::Unavailable(
            "no free reference number was found for the case".to_owned(),
        ))
    }

    async fn case(&self, reference: &str) -> Result<Option<Case>, BackendError> {
        let row = sqlx::query(concat!(
            "SELECT ",
            case_columns!(),
            " FROM cases WHERE reference = $1"
        ))
        .bind(reference.trim().to_ascii_uppercase())
        .fetch_optional(self.database.pool())
        .await
        .map_err(backend_error)?;
        row.as_ref().map(case_from_row).transpose()
    }

    async fn cases_of(&self, customer_id: &str) -> Result<Vec<Case>, BackendError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            case_columns!(),
            " FROM cases WHERE customer_id = $1 ORDER BY opened_at_utc DESC, reference DESC"
        ))
        .bind(customer_id)
        .fetch_all(self.database.pool())
        .await
        .map_err(backend_error)?;
        rows.iter().map(case_from_row).collect()
    }

    async fn health(&self) -> Result<(), BackendError> {
        self.database.health().await
    }
}

fn case_from_row(row: &AnyRow) -> Result<Case, BackendError> {
    let columns = Columns::of(row);
    let details_text = columns.text("details")?;
    let details: BTreeMap<String, String> = serde_json::from_str(&details_text)
        .map_err(|error| BackendError::InvalidData(format!("column details: {error}")))?;
    Ok(Case {
        reference: columns.text("reference")?,
        customer_id: columns.text("customer_id")?,
        kind: columns.text("kind")?,
        status: columns.text("status")?,
        summary: columns.text("summary")?,
        details,
        opened_at: columns.timestamp("opened_at")?,
        deadline: columns.date("deadline")?,
    })
}

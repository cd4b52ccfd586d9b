//! The review queue in SQL: [`ReviewQueue`] over the `review_items` table of migration 3.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;
use uuid::Uuid;

use super::{Columns, Database, backend_error, format_utc_timestamp, now};
use crate::BackendError;
use crate::review::{NewReviewItem, ReviewItem, ReviewQueue, ReviewReason, ReviewStatus};

const COLUMNS: &str = "id, conversation_id, text, lang, reason, predicted_intent, confidence, status, label, \
                       created_at, reviewed_at";

/// Review items kept in the project's own database.
#[derive(Debug, Clone)]
pub struct SqlReviewQueue {
    database: Database,
}

impl SqlReviewQueue {
    pub fn new(database: Database) -> SqlReviewQueue {
        SqlReviewQueue { database }
    }

    /// Sets an item's status, label and review time, and returns it; `None` when no item has this id.
    async fn review(
        &self,
        id: &str,
        status: ReviewStatus,
        label: Option<&str>,
    ) -> Result<Option<ReviewItem>, BackendError> {
        let mut transaction = self.database.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE review_items SET status = $1, label = $2, reviewed_at = $3 WHERE id = $4",
        )
        .bind(status.as_str())
        .bind(label)
        .bind(format_utc_timestamp(now()))
        .bind(id)
        .execute(&mut *transaction)
        .await
        .map_err(backend_error)?;
        if updated.rows_affected() == 0 {
            return Ok(None);
        }
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM review_items WHERE id = $1"
        )))
        .bind(id)
        .fetch_one(&mut *transaction)
        .await
        .map_err(backend_error)?;
        let item = item_from_row(&row)?;
        transaction.commit().await.map_err(backend_error)?;
        Ok(Some(item))
    }
}

impl Database {
    /// The review queue in this database.
    pub fn review_queue(&self) -> SqlReviewQueue {
        SqlReviewQueue::new(self.clone())
    }
}

#[async_trait]
impl ReviewQueue for SqlReviewQueue {
    async fn add(&self, item: NewReviewItem) -> Result<ReviewItem, BackendError> {
        if !item.confidence.is_finite() {
            return Err(BackendError::Rejected(
                "a review item's confidence must be a finite number".to_owned(),
            ));
        }
        let created_at = now();
        let stored = ReviewItem {
            id: Uuid::new_v4().to_string(),
            conversation_id: item.conversation_id,
            text: item.text,
            lang: item.lang,
            reason: item.reason,
            predicted_intent: item.predicted_intent,
            confidence: item.confidence,
            status: ReviewStatus::Pending,
            label: None,
            created_at,
            reviewed_at: None,
        };
        sqlx::query(
            "INSERT INTO review_items (id, conversation_id, text, lang, reason, predicted_intent, confidence, \
             status, label, created_at, reviewed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, NULL)",
        )
        .bind(&stored.id)
        .bind(stored.conversation_id.as_deref())
        .bind(&stored.text)
        .bind(&stored.lang)
        .bind(stored.reason.as_str())
        .bind(&stored.predicted_intent)
        .bind(stored.confidence)
        .bind(stored.status.as_str())
        .bind(format_utc_timestamp(created_at))
        .execute(self.database.writer())
        .await
        .map_err(backend_error)?;
        Ok(stored)
    }

    async fn items(
        &self,
        status: Option<ReviewStatus>,
        limit: usize,
    ) -> Result<Vec<ReviewItem>, BackendError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = match status {
            Some(status) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM review_items WHERE status = $1 ORDER BY created_at, id LIMIT $2"
                )))
                .bind(status.as_str())
                .bind(limit)
                .fetch_all(self.database.pool())
                .await
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM review_items ORDER BY created_at, id LIMIT $1"
                )))
                .bind(limit)
                .fetch_all(self.database.pool())
                .await
            }
        }
        .map_err(backend_error)?;
        rows.iter().map(item_from_row).collect()
    }

    async fn item(&self, id: &str) -> Result<Option<ReviewItem>, BackendError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM review_items WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.database.pool())
        .await
        .map_err(backend_error)?;
        row.as_ref().map(item_from_row).transpose()
    }

    async fn label(&self, id: &str, intent: &str) -> Result<Option<ReviewItem>, BackendError> {
        if intent.trim().is_empty() {
            return Err(BackendError::Rejected(
                "a review label must name an intent".to_owned(),
            ));
        }
        self.review(id, ReviewStatus::Labelled, Some(intent)).await
    }

    async fn dismiss(&self, id: &str) -> Result<Option<ReviewItem>, BackendError> {
        self.review(id, ReviewStatus::Dismissed, None).await
    }

    async fn labelled(&self) -> Result<Vec<ReviewItem>, BackendError> {
        self.items(Some(ReviewStatus::Labelled), usize::MAX).await
    }
}

fn item_from_row(row: &AnyRow) -> Result<ReviewItem, BackendError> {
    let columns = Columns::of(row);
    let reason = columns.text("reason")?;
    let status = columns.text("status")?;
    let reviewed_at = match columns.optional_text("reviewed_at")? {
        Some(text) => Some(chrono::DateTime::parse_from_rfc3339(&text).map_err(|_| {
            BackendError::InvalidData(format!(
                "column reviewed_at: {text:?} is not an RFC 3339 timestamp"
            ))
        })?),
        None => None,
    };
    Ok(ReviewItem {
        id: columns.text("id")?,
        conversation_id: columns.optional_text("conversation_id")?,
        text: columns.text("text")?,
        lang: columns.text("lang")?,
        reason: ReviewReason::parse(&reason).ok_or_else(|| {
            BackendError::InvalidData(format!("unknown review reason {reason:?}"))
        })?,
        predicted_intent: columns.text("predicted_intent")?,
        confidence: row
            .try_get::<f64, _>("confidence")
            .map_err(|error| BackendError::InvalidData(format!("column confidence: {error}")))?,
        status: ReviewStatus::parse(&status).ok_or_else(|| {
            BackendError::InvalidData(format!("unknown review status {status:?}"))
        })?,
        label: columns.optional_text("label")?,
        created_at: columns.timestamp("created_at")?,
        reviewed_at,
    })
}

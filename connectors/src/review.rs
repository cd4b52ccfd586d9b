//! The review queue of active learning: utterances the NLU was unsure of (low confidence) or found out of scope,
//! kept so that a person can say what the customer meant. Labelled items become training examples of the next
//! model.
//!
//! The queue stores text as it is given: the caller masks personal data before adding an item (the bot uses the
//! NLU's masking), and the queue never sees the unmasked text. Intent ids are checked by the caller too, since
//! this crate does not know the intent list.

use async_trait::async_trait;
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::BackendError;

/// Why an utterance was queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewReason {
    /// The best intent's confidence was below the threshold.
    LowConfidence,
    /// The best intent was `out_of_scope`.
    OutOfScope,
}

impl ReviewReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewReason::LowConfidence => "low_confidence",
            ReviewReason::OutOfScope => "out_of_scope",
        }
    }

    pub fn parse(text: &str) -> Option<ReviewReason> {
        match text {
            "low_confidence" => Some(ReviewReason::LowConfidence),
            "out_of_scope" => Some(ReviewReason::OutOfScope),
            _ => None,
        }
    }
}

/// Where an item is in its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Waiting for a reviewer.
    Pending,
    /// A reviewer gave it an intent; it trains the next model.
    Labelled,
    /// A reviewer found nothing to learn from it (noise, a test message).
    Dismissed,
}

impl ReviewStatus {
    pub const ALL: [ReviewStatus; 3] = [
        ReviewStatus::Pending,
        ReviewStatus::Labelled,
        ReviewStatus::Dismissed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Pending => "pending",
            ReviewStatus::Labelled => "labelled",
            ReviewStatus::Dismissed => "dismissed",
        }
    }

    pub fn parse(text: &str) -> Option<ReviewStatus> {
        ReviewStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == text)
    }
}

/// An utterance to queue; `text` is already masked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReviewItem {
    pub conversation_id: Option<String>,
    pub text: String,
    /// `zh` or `en`.
    pub lang: String,
    pub reason: ReviewReason,
    pub predicted_intent: String,
    pub confidence: f64,
}

/// A queued utterance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub id: String,
    pub conversation_id: Option<String>,
    /// The customer's words with personal data masked.
    pub text: String,
    pub lang: String,
    pub reason: ReviewReason,
    /// What the NLU made of it, with its confidence.
    pub predicted_intent: String,
    pub confidence: f64,
    pub status: ReviewStatus,
    /// The intent the reviewer gave it, when labelled.
    pub label: Option<String>,
    pub created_at: DateTime<FixedOffset>,
    pub reviewed_at: Option<DateTime<FixedOffset>>,
}

/// The queue. Implementations: [`crate::sql::SqlReviewQueue`].
#[async_trait]
pub trait ReviewQueue: Send + Sync {
    /// Queues an utterance as `pending`.
    async fn add(&self, item: NewReviewItem) -> Result<ReviewItem, BackendError>;

    /// Items with this status (all when `None`), oldest first, at most `limit`.
    async fn items(
        &self,
        status: Option<ReviewStatus>,
        limit: usize,
    ) -> Result<Vec<ReviewItem>, BackendError>;

    async fn item(&self, id: &str) -> Result<Option<ReviewItem>, BackendError>;

    /// Labels an item with an intent (again, when it was labelled or dismissed before); `Ok(None)` when no item
    /// has this id.
    async fn label(&self, id: &str, intent: &str) -> Result<Option<ReviewItem>, BackendError>;

    /// Dismisses an item, dropping any label; `Ok(None)` when no item has this id.
    async fn dismiss(&self, id: &str) -> Result<Option<ReviewItem>, BackendError>;

    /// Every labelled item, oldest first: the examples the next training run adds.
    async fn labelled(&self) -> Result<Vec<ReviewItem>, BackendError>;
}

//! The review queue of active learning: how a turn queues an unsure or out-of-scope utterance (masked), and the
//! administrators' API over the queue.
//!
//! - `GET /v1/review/items?status=pending&limit=100`: items oldest first (`pending`, `labelled`, `dismissed`, or all
//!   when absent; at most 1000).
//! - `POST /v1/review/items/{id}/label` with `{"intent": "make_payment"}`: labels an item with one of the 56 intents;
//!   labelled items join the next training (`crate::models`).
//! - `POST /v1/review/items/{id}/dismiss`: nothing to learn from it.
//!
//! All need an administrator token (403 for a customer's); an unknown item is 404, an unknown intent or status 400.

use axum::Json;
use axum::extract::{Path, Query, State};
use connectors::{NewReviewItem, ReviewItem, ReviewReason, ReviewStatus};
use nlu::Parse;
use serde::{Deserialize, Serialize};

use crate::auth::Claims;
use crate::chat::ChatService;
use crate::error::AppError;
use crate::routes::extract::{Authenticated, JsonBody};
use crate::server::AppState;
use crate::telemetry;

/// The most items one listing returns.
pub const MAX_LISTED_ITEMS: usize = 1000;

impl ChatService {
    /// Queues `parse` for review when the NLU was unsure of it or found it out of scope, with personal data
    /// masked. A queue that fails is logged and counted, never a failed turn.
    pub async fn queue_for_review(&self, conversation_id: &str, parse: &Parse) {
        let (Some(queue), Some(reason)) = (self.review_queue(), nlu::review::review_reason(parse))
        else {
            return;
        };
        let item = NewReviewItem {
            conversation_id: Some(conversation_id.to_owned()),
            text: nlu::review::masked_text(parse),
            lang: parse.lang.as_str().to_owned(),
            reason: match reason {
                nlu::review::ReviewReason::LowConfidence => ReviewReason::LowConfidence,
                nlu::review::ReviewReason::OutOfScope => ReviewReason::OutOfScope,
            },
            predicted_intent: parse.intent.name.clone(),
            confidence: f64::from(parse.intent.confidence),
        };
        match queue.add(item).await {
            Ok(item) => tracing::info!(
                conversation_id,
                review_item_id = %item.id,
                reason = item.reason.as_str(),
                "queued for review"
            ),
            Err(error) => {
                telemetry::record_error("review_queue");
                tracing::warn!(conversation_id, %error, "the review queue refused an item");
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ReviewFilter {
    /// `pending`, `labelled` or `dismissed`; all when absent.
    pub status: Option<String>,
    /// At most this many items (default and maximum [`MAX_LISTED_ITEMS`]).
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct ReviewListBody {
    pub items: Vec<ReviewItem>,
}

#[derive(Debug, Deserialize)]
pub struct LabelRequest {
    pub intent: String,
}

fn require_admin(claims: &Claims) -> Result<(), AppError> {
    if claims.is_admin() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "the review queue needs an administrator token".to_owned(),
        ))
    }
}

fn queue(state: &AppState) -> Result<&std::sync::Arc<dyn connectors::ReviewQueue>, AppError> {
    state
        .chat()
        .review_queue()
        .ok_or_else(|| AppError::Unavailable("this server keeps no review queue".to_owned()))
}

fn not_found(id: &str) -> AppError {
    AppError::NotFound(format!("no review item {id}"))
}

/// `GET /v1/review/items`: the queue, oldest first.
pub async fn list_items(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    Query(filter): Query<ReviewFilter>,
) -> Result<Json<ReviewListBody>, AppError> {
    require_admin(&claims)?;
    let status = match filter.status.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => Some(ReviewStatus::parse(text).ok_or_else(|| {
            AppError::bad_request(
                "invalid_status",
                format!("status must be one of pending, labelled or dismissed, not {text:?}"),
            )
        })?),
    };
    let limit = filter
        .limit
        .unwrap_or(MAX_LISTED_ITEMS)
        .min(MAX_LISTED_ITEMS);
    let items = queue(&state)?.items(status, limit).await?;
    Ok(Json(ReviewListBody { items }))
}

/// `POST /v1/review/items/{id}/label`: gives an item its intent.
pub async fn label_item(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<LabelRequest>,
) -> Result<Json<ReviewItem>, AppError> {
    require_admin(&claims)?;
    let intent = request.intent.trim();
    if !nlu::intents().iter().any(|info| info.id == intent) {
        return Err(AppError::bad_request(
            "unknown_intent",
            format!("{intent:?} is not one of the intents of intents.tsv"),
        ));
    }
    let item = queue(&state)?
        .label(&id, intent)
        .await?
        .ok_or_else(|| not_found(&id))?;
    tracing::info!(review_item_id = %item.id, intent, "review item labelled");
    Ok(Json(item))
}

/// `POST /v1/review/items/{id}/dismiss`: marks an item as nothing to learn from.
pub async fn dismiss_item(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    Path(id): Path<String>,
) -> Result<Json<ReviewItem>, AppError> {
    require_admin(&claims)?;
    let item = queue(&state)?
        .dismiss(&id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(item))
}

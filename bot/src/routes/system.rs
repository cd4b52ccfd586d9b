//! The routes around the conversation: the chat page, the health check, the metrics and the JSON 404.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::error::AppError;
use crate::server::AppState;
use crate::telemetry;

/// The web chat page, a single self-contained HTML file.
pub const CHAT_PAGE: &str = include_str!("../../assets/chat.html");

/// How long the health check waits for each backend.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(3);

/// `GET /`.
pub async fn chat_page() -> Html<&'static str> {
    Html(CHAT_PAGE)
}

/// `GET /healthz`: 200 when both the loan system and the conversation store answer, else 503.
pub async fn health(State(state): State<AppState>) -> Response {
    let chat = state.chat();
    let loans = tokio::time::timeout(HEALTH_TIMEOUT, chat.loans().health());
    let conversations = tokio::time::timeout(HEALTH_TIMEOUT, chat.conversations().health());
    let (loans, conversations) = tokio::join!(loans, conversations);
    let loans_ok = matches!(loans, Ok(Ok(())));
    let conversations_ok = matches!(conversations, Ok(Ok(())));
    if loans_ok && conversations_ok {
        (StatusCode::OK, Json(json!({"status": "ok"}))).into_response()
    } else {
        telemetry::record_error("health_check");
        tracing::warn!(loans_ok, conversations_ok, "the health check failed");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({
                "status": "unavailable",
                "checks": {"loan_system": loans_ok, "conversation_store": conversations_ok}
            })),
        )
            .into_response()
    }
}

/// `GET /metrics` in the Prometheus text format.
pub async fn metrics() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        telemetry::render_metrics(),
    )
        .into_response()
}

/// Any other path.
pub async fn not_found() -> AppError {
    AppError::NotFound("no such endpoint".to_owned())
}

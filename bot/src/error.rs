//! The one error type of the HTTP edge. Handlers return `Result<_, AppError>` and use `?`; this is the only
//! place where failures become status codes, as `{"error": {"code": "...", "message": "..."}}` bodies.
//!
//! Internal failures are logged here with their cause chain and answered with a generic message, so that
//! nothing about the database or the code leaks to clients. Every error is counted in
//! `anxin_errors_total{kind}`, with the error code as the kind.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::chat::ChatError;
use crate::telemetry;

/// A failed request, as the client will see it.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request itself is wrong; `code` names what, for programs.
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    /// No valid bearer token.
    #[error("{0}")]
    Unauthorized(String),
    /// A valid token that may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Nothing here, or nothing this token may see.
    #[error("{0}")]
    NotFound(String),
    /// A backend did not answer; retrying later may work.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected failure; the cause is logged, never sent.
    #[error("internal error: {0:#}")]
    Internal(anyhow::Error),
}

impl AppError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// The status code of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code, .. } => code,
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Unavailable(_) => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The message sent to the client.
    pub fn public_message(&self) -> String {
        match self {
            AppError::Internal(_) => {
                "something went wrong on our side; please try again".to_owned()
            }
            other => other.to_string(),
        }
    }
}

impl From<ChatError> for AppError {
    fn from(error: ChatError) -> Self {
        match error {
            ChatError::EmptyMessage | ChatError::MessageTooLong { .. } => {
                AppError::bad_request(error.code(), error.to_string())
            }
            ChatError::ConversationNotFound => AppError::NotFound(error.to_string()),
            ChatError::Store(_) => {
                AppError::Unavailable("the conversation store is unavailable".to_owned())
            }
            ChatError::Internal(_) => AppError::Internal(anyhow::Error::new(error)),
        }
    }
}

impl From<connectors::BackendError> for AppError {
    fn from(error: connectors::BackendError) -> Self {
        AppError::from(ChatError::Store(error))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = self.code();
        telemetry::record_error(code);
        match &self {
            AppError::Internal(cause) => {
                tracing::error!(error = format!("{cause:#}"), "request failed")
            }
            AppError::Unavailable(message) => tracing::warn!(%message, "a backend is unavailable"),
            _ => tracing::debug!(code, status = status.as_u16(), "request refused"),
        }
        let body = Json(json!({"error": {"code": code, "message": self.public_message()}}));
        let mut response = (status, body).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"anxin\""),
            );
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_json(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024)
            .await
            .expect("a readable body");
        serde_json::from_slice(&bytes).expect("a JSON body")
    }

    #[tokio::test]
    async fn errors_render_as_json_with_a_code_and_status() {
        let response = AppError::bad_request("invalid_date", "reference_date must be YYYY-MM-DD")
            .into_response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body = body_json(response).await;
        assert_eq!(body["error"]["code"], "invalid_date");
        assert_eq!(
            body["error"]["message"],
            "reference_date must be YYYY-MM-DD"
        );
    }

    #[tokio::test]
    async fn unauthorized_carries_the_challenge_header() {
        let response =
            AppError::Unauthorized("a bearer token is required".to_owned()).into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(
            response
                .headers()
                .get(header::WWW_AUTHENTICATE)
                .is_some_and(|value| value.as_bytes().starts_with(b"Bearer"))
        );
    }

    #[tokio::test]
    async fn internal_causes_never_reach_the_client() {
        let response =
            AppError::Internal(anyhow::anyhow!("column secret_stuff is missing")).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = body_json(response).await;
        assert_eq!(body["error"]["code"], "internal");
        assert!(!body.to_string().contains("secret_stuff"));
    }
}

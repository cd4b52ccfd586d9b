//! `POST /v1/nlu/parse`: the NLU on its own, for lenders' tools and for testing, without authentication.

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use nlu::Parse;

use crate::chat::ChatError;
use crate::error::AppError;
use crate::routes::extract::JsonBody;
use crate::server::AppState;
use crate::wire::ParseRequest;

/// Parses one text; relative dates resolve against `reference_date`, or today in the server's time zone.
pub async fn parse(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<ParseRequest>,
) -> Result<Json<Parse>, AppError> {
    let chat = state.chat();
    let reference_date = match request.reference_date.as_deref().map(str::trim) {
        None | Some("") => chat.server_today(),
        Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
            AppError::bad_request(
                "invalid_date",
                format!("reference_date must be an ISO date such as 2026-11-26, not {text:?}"),
            )
        })?,
    };
    if request.text.chars().count() > chat.max_message_chars() {
        return Err(AppError::from(ChatError::MessageTooLong {
            max_chars: chat.max_message_chars(),
        }));
    }
    let parse = chat.parse(&request.text, reference_date).await?;
    Ok(Json(parse))
}

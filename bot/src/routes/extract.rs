//! Request extractors that answer failures with [`AppError`]'s JSON bodies: the bearer-token check and a JSON
//! body reader whose rejections are `400 {"error": {"code": "invalid_json", ...}}` instead of plain text.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::auth::Claims;
use crate::error::AppError;
use crate::server::AppState;

/// A request carrying a valid bearer token; holds what the token says.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Claims);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer_token(parts)?;
        state.verify(token).map(Authenticated)
    }
}

/// The token of an `Authorization: Bearer TOKEN` header.
fn bearer_token(parts: &Parts) -> Result<&str, AppError> {
    let header = parts.headers.get(AUTHORIZATION).ok_or_else(|| {
        AppError::Unauthorized("an Authorization: Bearer token is required".to_owned())
    })?;
    let value = header.to_str().map_err(|_| {
        AppError::Unauthorized("the Authorization header is not readable text".to_owned())
    })?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(|| {
        AppError::Unauthorized("the Authorization header must be \"Bearer TOKEN\"".to_owned())
    })?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(AppError::Unauthorized(
            "the Authorization header must be \"Bearer TOKEN\"".to_owned(),
        ));
    }
    Ok(token.trim())
}

/// A JSON request body; malformed or mistyped bodies are answered with a JSON 400.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct JsonBody<T>(pub T);

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        AppError::bad_request("invalid_json", rejection.body_text())
    }
}

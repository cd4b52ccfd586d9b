//! `GET /v1/chat/ws?token=T[&conversation_id=ID]`: checks the token and the conversation before upgrading
//! (401 and 404 are plain HTTP answers), then adapts the socket to the session of [`crate::websocket`].

use std::future::ready;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;

use crate::chat::Channel;
use crate::error::AppError;
use crate::server::AppState;
use crate::websocket::{IncomingFrame, MAX_FRAME_BYTES, ServerFrame, SessionEnd, run_session};

#[derive(Debug, Deserialize)]
pub struct SocketQuery {
    pub token: Option<String>,
    pub conversation_id: Option<String>,
}

/// Upgrades an authenticated customer to the chat WebSocket. The token comes from `?token=` (browsers cannot
/// set headers on a WebSocket) or, failing that, from an `Authorization: Bearer` header.
pub async fn chat_websocket(
    State(state): State<AppState>,
    query: Result<Query<SocketQuery>, axum::extract::rejection::QueryRejection>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<Response, AppError> {
    let Query(query) =
        query.map_err(|rejection| AppError::bad_request("invalid_query", rejection.body_text()))?;
    let header_token = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim().to_owned());
    let token = query
        .token
        .filter(|token| !token.trim().is_empty())
        .or(header_token)
        .ok_or_else(|| {
            AppError::Unauthorized("a token is required: /v1/chat/ws?token=TOKEN".to_owned())
        })?;
    let claims = state.verify(&token)?;
    let customer_id = claims.customer_id().to_owned();
    let chat = state.chat();

    let resumed_conversation_id = match query.conversation_id.as_deref().map(str::trim) {
        Some(conversation_id) if !conversation_id.is_empty() => Some(
            chat.owned_conversation(&customer_id, conversation_id)
                .await?
                .id,
        ),
        _ => None,
    };
    let upgrade = upgrade.map_err(|rejection| {
        AppError::bad_request("websocket_upgrade_required", rejection.body_text())
    })?;
    Ok(upgrade
        .max_frame_size(MAX_FRAME_BYTES)
        .max_message_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| {
            serve_socket(socket, state, customer_id, resumed_conversation_id)
        }))
}

async fn serve_socket(
    socket: WebSocket,
    state: AppState,
    customer_id: String,
    resumed_conversation_id: Option<String>,
) {
    let _session_guard = state.session_guard();
    let chat = state.chat().clone();
    let (sink, stream) = socket.split();
    let mut outgoing = sink.with(|frame: ServerFrame| {
        ready(Ok::<Message, axum::Error>(Message::text(frame.to_json())))
    });
    let (conversation_id, resumed) = match resumed_conversation_id {
        Some(conversation_id) => (conversation_id, true),
        None => match chat
            .open_conversation(&customer_id, None, Channel::Web)
            .await
        {
            Ok(conversation) => (conversation.id, false),
            Err(error) => {
                tracing::warn!(customer_id, %error, "could not start a WebSocket conversation");
                let frame = ServerFrame::error(
                    error.code(),
                    "the conversation could not be started; please reconnect",
                );
                let _ = outgoing.send(frame).await;
                let _ = outgoing.close().await;
                return;
            }
        },
    };
    let incoming = stream.filter_map(|message| {
        ready(match message {
            Ok(Message::Text(text)) => Some(IncomingFrame::Text(text.as_str().to_owned())),
            Ok(Message::Binary(_)) => Some(IncomingFrame::Binary),
            Ok(Message::Ping(_) | Message::Pong(_)) => None,
            Ok(Message::Close(_)) | Err(_) => Some(IncomingFrame::Close),
        })
    });
    tracing::info!(
        conversation_id,
        customer_id,
        resumed,
        "WebSocket session opened"
    );
    let end = run_session(
        chat,
        customer_id.clone(),
        conversation_id.clone(),
        resumed,
        &mut outgoing,
        Box::pin(incoming),
        state.stopping(),
    )
    .await;
    if end == SessionEnd::ServerShutdown {
        let going_away = Message::Close(Some(CloseFrame {
            code: close_code::AWAY,
            reason: "the server is restarting; please reconnect".into(),
        }));
        let _ = outgoing.get_mut().send(going_away).await;
    }
    let _ = outgoing.close().await;
    tracing::info!(
        conversation_id,
        customer_id,
        ?end,
        "WebSocket session closed"
    );
}

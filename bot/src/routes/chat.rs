//! The customer's REST routes (`POST /v1/chat`, their conversations) and the agents' handoff queue.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;

use crate::chat::{Channel, ChatError};
use crate::error::AppError;
use crate::routes::extract::{Authenticated, JsonBody};
use crate::server::AppState;
use crate::wire::{
    ChatRequest, ChatResponse, ConversationBody, ConversationDetailBody, ConversationListBody,
    HandoffBody, HandoffListBody, MessageBody, QueuedHandoffBody,
};

/// `POST /v1/chat`: one turn, in the given conversation or a new one.
pub async fn chat(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    JsonBody(request): JsonBody<ChatRequest>,
) -> Result<Json<ChatResponse>, AppError> {
    let conversation_id = request
        .conversation_id
        .as_deref()
        .map(str::trim)
        .filter(|id| !id.is_empty());
    let outcome = state
        .chat()
        .take_turn(
            claims.customer_id(),
            conversation_id,
            &request.text,
            Channel::Rest,
        )
        .await?;
    Ok(Json(ChatResponse::from(&outcome)))
}

/// `GET /v1/conversations`: the token's own conversations, newest first.
pub async fn list_conversations(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
) -> Result<Json<ConversationListBody>, AppError> {
    let conversations = state
        .chat()
        .conversations()
        .conversations_of(claims.customer_id())
        .await?;
    Ok(Json(ConversationListBody {
        conversations: conversations.iter().map(ConversationBody::from).collect(),
    }))
}

/// `GET /v1/conversations/{id}`: one of the token's conversations with its messages and open handoff.
/// Another customer's conversation is answered exactly like one that does not exist.
pub async fn conversation_detail(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    Path(conversation_id): Path<String>,
) -> Result<Json<ConversationDetailBody>, AppError> {
    let chat = state.chat();
    let conversation = chat
        .owned_conversation(claims.customer_id(), &conversation_id)
        .await?;
    let store = chat.conversations();
    let (messages, handoff) = tokio::try_join!(
        store.messages(&conversation.id),
        store.open_handoff(&conversation.id)
    )
    .map_err(ChatError::from)?;
    Ok(Json(ConversationDetailBody {
        conversation: ConversationBody::from(&conversation),
        messages: messages.iter().map(MessageBody::from).collect(),
        handoff: handoff.as_ref().map(HandoffBody::from),
    }))
}

#[derive(Debug, Deserialize)]
pub struct HandoffFilter {
    /// `waiting`, `accepted` or `closed`; all when absent.
    pub status: Option<String>,
}

/// The statuses a handoff can have.
const HANDOFF_STATUSES: [&str; 3] = ["waiting", "accepted", "closed"];

/// `GET /v1/handoffs?status=waiting`: the agents' queue, oldest first; administrator tokens only.
pub async fn list_handoffs(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
    Query(filter): Query<HandoffFilter>,
) -> Result<Json<HandoffListBody>, AppError> {
    if !claims.is_admin() {
        return Err(AppError::Forbidden(
            "listing handoffs needs an administrator token".to_owned(),
        ));
    }
    let status = filter
        .status
        .as_deref()
        .map(str::trim)
        .filter(|status| !status.is_empty());
    if let Some(status) = status
        && !HANDOFF_STATUSES.contains(&status)
    {
        return Err(AppError::bad_request(
            "invalid_status",
            format!("status must be one of waiting, accepted or closed, not {status:?}"),
        ));
    }
    let handoffs = state.chat().conversations().handoffs(status).await?;
    Ok(Json(HandoffListBody {
        handoffs: handoffs.iter().map(QueuedHandoffBody::from).collect(),
    }))
}

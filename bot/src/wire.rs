//! The JSON shapes of the HTTP API (see `shared/spec/api.md`): request bodies and response bodies, and their
//! conversions from the stores' and engines' types. Only this crate knows the wire.

use chrono::{DateTime, FixedOffset};
use connectors::{Conversation, Handoff, Message};
use dialog::{QuickReply, Reply};
use serde::{Deserialize, Serialize};

use crate::chat::{TurnOutcome, quick_replies_from_meta};

/// `POST /v1/nlu/parse`.
#[derive(Debug, Clone, Deserialize)]
pub struct ParseRequest {
    pub text: String,
    /// ISO `YYYY-MM-DD`; today in the server's time zone when absent.
    #[serde(default)]
    pub reference_date: Option<String>,
}

/// `POST /v1/chat`.
#[derive(Debug, Clone, Deserialize)]
pub struct ChatRequest {
    pub text: String,
    /// Omitted to start a new conversation.
    #[serde(default)]
    pub conversation_id: Option<String>,
}

/// A button offered with a reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReplyBody {
    pub label: String,
    pub text: String,
}

impl From<&QuickReply> for QuickReplyBody {
    fn from(quick_reply: &QuickReply) -> Self {
        Self {
            label: quick_reply.label.clone(),
            text: quick_reply.text.clone(),
        }
    }
}

/// One bot reply of `POST /v1/chat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReplyBody {
    pub text: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub quick_replies: Vec<QuickReplyBody>,
}

impl From<&Reply> for ReplyBody {
    fn from(reply: &Reply) -> Self {
        Self {
            text: reply.text.clone(),
            quick_replies: reply
                .quick_replies
                .iter()
                .map(QuickReplyBody::from)
                .collect(),
        }
    }
}

/// A handoff as customers and agents see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandoffBody {
    pub id: String,
    pub conversation_id: String,
    /// `waiting`, `accepted` or `closed`.
    pub status: String,
    /// `customer_request`, `not_understood`, `backend_unavailable`, ...
    pub reason: String,
    pub created_at: DateTime<FixedOffset>,
}

impl From<&Handoff> for HandoffBody {
    fn from(handoff: &Handoff) -> Self {
        Self {
            id: handoff.id.clone(),
            conversation_id: handoff.conversation_id.clone(),
            status: handoff.status.clone(),
            reason: handoff.reason.clone(),
            created_at: handoff.created_at,
        }
    }
}

/// A handoff in the agents' queue (`GET /v1/handoffs`), with its customer and summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueuedHandoffBody {
    #[serde(flatten)]
    pub handoff: HandoffBody,
    pub customer_id: String,
    pub summary: String,
}

impl From<&Handoff> for QueuedHandoffBody {
    fn from(handoff: &Handoff) -> Self {
        Self {
            handoff: HandoffBody::from(handoff),
            customer_id: handoff.customer_id.clone(),
            summary: handoff.summary.clone(),
        }
    }
}

/// The answer of `POST /v1/chat`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatResponse {
    pub conversation_id: String,
    pub replies: Vec<ReplyBody>,
    /// `null` until the conversation has been handed to a human agent.
    pub handoff: Option<HandoffBody>,
}

impl From<&TurnOutcome> for ChatResponse {
    fn from(outcome: &TurnOutcome) -> Self {
        Self {
            conversation_id: outcome.conversation_id.clone(),
            replies: outcome.replies.iter().map(ReplyBody::from).collect(),
            handoff: outcome.handoff.as_ref().map(HandoffBody::from),
        }
    }
}

/// A conversation without its messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversationBody {
    pub id: String,
    pub channel: String,
    pub created_at: DateTime<FixedOffset>,
    pub updated_at: DateTime<FixedOffset>,
}

impl From<&Conversation> for ConversationBody {
    fn from(conversation: &Conversation) -> Self {
        Self {
            id: conversation.id.clone(),
            channel: conversation.channel.clone(),
            created_at: conversation.created_at,
            updated_at: conversation.updated_at,
        }
    }
}

/// One message of a conversation's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageBody {
    pub seq: i64,
    /// `customer`, `bot` or `agent`.
    pub role: &'static str,
    pub text: String,
    pub at: DateTime<FixedOffset>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub quick_replies: Vec<QuickReplyBody>,
}

impl From<&Message> for MessageBody {
    fn from(message: &Message) -> Self {
        Self {
            seq: message.seq,
            role: message.role.as_str(),
            text: message.text.clone(),
            at: message.at,
            quick_replies: quick_replies_from_meta(message.meta.as_deref())
                .iter()
                .map(QuickReplyBody::from)
                .collect(),
        }
    }
}

/// The answer of `GET /v1/conversations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversationListBody {
    pub conversations: Vec<ConversationBody>,
}

/// The answer of `GET /v1/conversations/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConversationDetailBody {
    pub conversation: ConversationBody,
    pub messages: Vec<MessageBody>,
    /// The open handoff, if any.
    pub handoff: Option<HandoffBody>,
}

/// The answer of `GET /v1/handoffs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandoffListBody {
    pub handoffs: Vec<QueuedHandoffBody>,
}

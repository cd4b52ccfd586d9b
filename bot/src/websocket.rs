//! The chat WebSocket's protocol and session, apart from any socket.
//!
//! Frames are JSON text. The client sends `{"type": "message", "text": "..."}` and `{"type": "ping"}`. The
//! server sends, right after the upgrade, `{"type": "conversation", "conversation_id": "...", "resumed": bool}`;
//! then for each message its `{"type": "reply", "text": "...", "quick_replies": [{"label", "text"}]}` frames,
//! `{"type": "handoff", "handoff": {...}}` when the conversation goes to a human, `{"type": "pong"}` for a
//! ping, and `{"type": "error", "code": "...", "message": "..."}` for a frame it cannot take (malformed JSON,
//! an unknown type, a binary frame, an empty or too long text). An error never closes the connection and
//! never loses an earlier message.
//!
//! [`parse_client_frame`] is pure, and [`run_session`] is generic over a `Sink` of [`ServerFrame`]s and a
//! `Stream` of [`IncomingFrame`]s, so tests drive a whole session through channels; the axum handler only
//! adapts a real socket to those two. When the server shuts down, sessions finish the turn in progress and end;
//! the handler then closes the socket with code 1001 ("going away").

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use serde::Serialize;

use crate::chat::{Channel, ChatError, ChatService};
use crate::wire::{HandoffBody, QuickReplyBody};

/// The largest frame (and message) the server accepts.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// A frame as it arrives from the client, before its JSON is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IncomingFrame {
    Text(String),
    /// Binary frames are not part of the protocol; their payload is not kept.
    Binary,
    /// The client closed the connection.
    Close,
}

/// What a client frame asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientFrame {
    Message { text: String },
    Ping,
}

/// Why a client frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    #[error("the frame is not valid JSON: {0}")]
    MalformedJson(String),
    #[error("the frame must be a JSON object with a string \"type\"")]
    MissingType,
    #[error("unknown frame type {0:?}; expected \"message\" or \"ping\"")]
    UnknownType(String),
    #[error("a message frame needs a string \"text\"")]
    MissingText,
    #[error("binary frames are not supported; send JSON text frames")]
    Binary,
}

impl FrameError {
    pub fn code(&self) -> &'static str {
        match self {
            FrameError::MalformedJson(_) => "malformed_json",
            FrameError::MissingType => "missing_type",
            FrameError::UnknownType(_) => "unknown_type",
            FrameError::MissingText => "missing_text",
            FrameError::Binary => "binary_not_supported",
        }
    }
}

/// Reads one client text frame.
pub fn parse_client_frame(text: &str) -> Result<ClientFrame, FrameError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|error| FrameError::MalformedJson(error.to_string()))?;
    let kind = value
        .get("type")
        .and_then(serde_json::Value::as_str)
        .ok_or(FrameError::MissingType)?;
    match kind {
        "message" => match value.get("text").and_then(serde_json::Value::as_str) {
            Some(text) => Ok(ClientFrame::Message {
                text: text.to_owned(),
            }),
            None => Err(FrameError::MissingText),
        },
        "ping" => Ok(ClientFrame::Ping),
        other => Err(FrameError::UnknownType(other.to_owned())),
    }
}

/// A frame the server sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    Conversation {
        conversation_id: String,
        resumed: bool,
    },
    Reply {
        text: String,
        quick_replies: Vec<QuickReplyBody>,
    },
    Handoff {
        handoff: HandoffBody,
    },
    Error {
        code: String,
        message: String,
    },
    Pong,
}

impl ServerFrame {
    pub fn error(code: &str, message: impl Into<String>) -> Self {
        ServerFrame::Error {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// The frame as JSON text.
    pub fn to_json(&self) -> String {
        // A derived serialisation of strings and booleans cannot fail; the fallback keeps the wire valid.
        serde_json::to_string(self).unwrap_or_else(|_| {
            r#"{"type":"error","code":"internal","message":"a frame could not be written"}"#
                .to_owned()
        })
    }
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The client closed the connection or its stream ended.
    ClientClosed,
    /// A frame could not be sent: the client is gone.
    SendFailed,
    /// The server is shutting down; the turn in progress, if any, was finished first.
    ServerShutdown,
}

/// Runs one customer's session on `conversation_id` until the client leaves or `stop` completes: announces
/// the conversation, then answers every frame in order. A turn that has begun is always finished.
pub async fn run_session<Outgoing, Incoming, Stop>(
    chat: ChatService,
    customer_id: String,
    conversation_id: String,
    resumed: bool,
    mut outgoing: Outgoing,
    mut incoming: Incoming,
    stop: Stop,
) -> SessionEnd
where
    Outgoing: Sink<ServerFrame> + Unpin,
    Incoming: Stream<Item = IncomingFrame> + Unpin,
    Stop: Future<Output = ()>,
{
    let mut stop = std::pin::pin!(stop);
    let mut announced_handoff_id: Option<String> = None;
    let greeting = ServerFrame::Conversation {
        conversation_id: conversation_id.clone(),
        resumed,
    };
    if outgoing.send(greeting).await.is_err() {
        return SessionEnd::SendFailed;
    }
    if resumed {
        match chat.conversations().open_handoff(&conversation_id).await {
            Ok(Some(handoff)) => {
                announced_handoff_id = Some(handoff.id.clone());
                let frame = ServerFrame::Handoff {
                    handoff: HandoffBody::from(&handoff),
                };
                if outgoing.send(frame).await.is_err() {
                    return SessionEnd::SendFailed;
                }
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(conversation_id, %error, "could not read the open handoff")
            }
        }
    }

    loop {
        let frame = tokio::select! {
            frame = incoming.next() => frame,
            () = &mut stop => return SessionEnd::ServerShutdown,
        };
        let Some(frame) = frame else {
            return SessionEnd::ClientClosed;
        };
        let frames = match frame {
            IncomingFrame::Close => return SessionEnd::ClientClosed,
            IncomingFrame::Binary => vec![frame_error(&FrameError::Binary)],
            IncomingFrame::Text(text) => match parse_client_frame(&text) {
                Err(error) => vec![frame_error(&error)],
                Ok(ClientFrame::Ping) => vec![ServerFrame::Pong],
                Ok(ClientFrame::Message { text }) => {
                    answer_message(
                        &chat,
                        &customer_id,
                        &conversation_id,
                        &text,
                        &mut announced_handoff_id,
                    )
                    .await
                }
            },
        };
        // The answer's frames go out together: queued one by one, then flushed once.
        for frame in frames {
            if outgoing.feed(frame).await.is_err() {
                return SessionEnd::SendFailed;
            }
        }
        if outgoing.flush().await.is_err() {
            return SessionEnd::SendFailed;
        }
    }
}

fn frame_error(error: &FrameError) -> ServerFrame {
    crate::telemetry::record_error(error.code());
    ServerFrame::error(error.code(), error.to_string())
}

/// The frames that answer one customer message.
async fn answer_message(
    chat: &ChatService,
    customer_id: &str,
    conversation_id: &str,
    text: &str,
    announced_handoff_id: &mut Option<String>,
) -> Vec<ServerFrame> {
    match chat
        .take_turn(customer_id, Some(conversation_id), text, Channel::Web)
        .await
    {
        Ok(outcome) => {
            let mut frames: Vec<ServerFrame> = outcome
                .replies
                .iter()
                .map(|reply| ServerFrame::Reply {
                    text: reply.text.clone(),
                    quick_replies: reply
                        .quick_replies
                        .iter()
                        .map(QuickReplyBody::from)
                        .collect(),
                })
                .collect();
            if let Some(handoff) = &outcome.handoff
                && announced_handoff_id.as_deref() != Some(handoff.id.as_str())
            {
                *announced_handoff_id = Some(handoff.id.clone());
                frames.push(ServerFrame::Handoff {
                    handoff: HandoffBody::from(handoff),
                });
            }
            frames
        }
        Err(error) => {
            let message = match &error {
                ChatError::Store(_) | ChatError::Internal(_) => {
                    crate::telemetry::record_error(error.code());
                    "the message could not be handled just now; please send it again".to_owned()
                }
                other => other.to_string(),
            };
            vec![ServerFrame::error(error.code(), message)]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_frames_parse_or_say_what_is_wrong() {
        assert_eq!(
            parse_client_frame(r#"{"type": "message", "text": "你好"}"#),
            Ok(ClientFrame::Message {
                text: "你好".to_owned()
            })
        );
        assert_eq!(
            parse_client_frame(r#"{"type":"ping"}"#),
            Ok(ClientFrame::Ping)
        );
        assert!(matches!(
            parse_client_frame("{not json"),
            Err(FrameError::MalformedJson(_))
        ));
        assert_eq!(
            parse_client_frame(r#"["message"]"#),
            Err(FrameError::MissingType)
        );
        assert_eq!(
            parse_client_frame(r#"{"type": 3}"#),
            Err(FrameError::MissingType)
        );
        assert_eq!(
            parse_client_frame(r#"{"type": "dance"}"#),
            Err(FrameError::UnknownType("dance".to_owned()))
        );
        assert_eq!(
            parse_client_frame(r#"{"type": "message"}"#),
            Err(FrameError::MissingText)
        );
        assert_eq!(
            parse_client_frame(r#"{"type": "message", "text": 12}"#),
            Err(FrameError::MissingText)
        );
    }

    #[test]
    fn server_frames_serialise_to_the_documented_shapes() {
        let reply = ServerFrame::Reply {
            text: "好的".to_owned(),
            quick_replies: vec![QuickReplyBody {
                label: "还款".to_owned(),
                text: "我要还款".to_owned(),
            }],
        };
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&reply.to_json()).expect("json"),
            serde_json::json!({"type": "reply", "text": "好的", "quick_replies": [{"label": "还款", "text": "我要还款"}]})
        );
        assert_eq!(ServerFrame::Pong.to_json(), r#"{"type":"pong"}"#);
        assert_eq!(
            ServerFrame::error("unknown_type", "no").to_json(),
            r#"{"type":"error","code":"unknown_type","message":"no"}"#
        );
        assert_eq!(
            ServerFrame::Conversation {
                conversation_id: "abc".to_owned(),
                resumed: false
            }
            .to_json(),
            r#"{"type":"conversation","conversation_id":"abc","resumed":false}"#
        );
    }
}

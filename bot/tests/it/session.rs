//! The WebSocket session driven through channels: the conversation frame first, errors for frames it cannot
//! take without losing anything, pongs, replies, and a handoff frame when the customer asks for a person.

use std::time::Duration;

use bot::websocket::{IncomingFrame, ServerFrame, SessionEnd, run_session};
use connectors::Role;
use futures_util::{sink, stream};
use tokio::sync::mpsc;

use crate::support::{Pipeline, customer_with_a_current_loan};

/// The test's end of a running session.
struct Client {
    to_session: mpsc::UnboundedSender<IncomingFrame>,
    from_session: mpsc::UnboundedReceiver<ServerFrame>,
    session: tokio::task::JoinHandle<SessionEnd>,
}

impl Client {
    fn start(
        pipeline: &Pipeline,
        customer_id: &str,
        conversation_id: &str,
        resumed: bool,
    ) -> Client {
        let (to_session, session_input) = mpsc::unbounded_channel::<IncomingFrame>();
        let (session_output, from_session) = mpsc::unbounded_channel::<ServerFrame>();
        let outgoing = Box::pin(sink::unfold(
            session_output,
            |sender, frame: ServerFrame| async move {
                sender
                    .send(frame)
                    .map_err(|_| "the test stopped listening")?;
                Ok::<_, &'static str>(sender)
            },
        ));
        let incoming = Box::pin(stream::unfold(session_input, |mut receiver| async move {
            receiver.recv().await.map(|frame| (frame, receiver))
        }));
        let session = tokio::spawn(run_session(
            pipeline.chat.clone(),
            customer_id.to_owned(),
            conversation_id.to_owned(),
            resumed,
            outgoing,
            incoming,
            std::future::pending::<()>(),
        ));
        Client {
            to_session,
            from_session,
            session,
        }
    }

    fn send_text(&self, text: &str) {
        self.to_session
            .send(IncomingFrame::Text(text.to_owned()))
            .expect("the session is running");
    }

    fn say(&self, text: &str) {
        self.send_text(&serde_json::json!({"type": "message", "text": text}).to_string());
    }

    async fn next(&mut self) -> ServerFrame {
        tokio::time::timeout(Duration::from_secs(60), self.from_session.recv())
            .await
            .expect("a frame within 60 s")
            .expect("the session is still sending")
    }

    /// Every frame up to the pong answering a ping sent now: all frames of the turn before it.
    async fn frames_until_pong(&mut self) -> Vec<ServerFrame> {
        self.send_text(r#"{"type": "ping"}"#);
        let mut frames = Vec::new();
        loop {
            match self.next().await {
                ServerFrame::Pong => return frames,
                frame => frames.push(frame),
            }
        }
    }

    fn expect_error_code(frame: ServerFrame, expected: &str) {
        match frame {
            ServerFrame::Error { code, message } => {
                assert_eq!(code, expected, "message: {message}");
                assert!(!message.is_empty());
            }
            other => panic!("expected an error {expected}, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_answers_refuses_bad_frames_and_hands_over() {
    let pipeline = Pipeline::start(customer_with_a_current_loan("WS1", "zh"), 200).await;
    let conversation = pipeline
        .chat
        .open_conversation("WS1", None, bot::chat::Channel::Web)
        .await
        .expect("a conversation starts");
    let mut client = Client::start(&pipeline, "WS1", &conversation.id, false);

    assert_eq!(
        client.next().await,
        ServerFrame::Conversation {
            conversation_id: conversation.id.clone(),
            resumed: false
        }
    );

    client.send_text("{not json");
    Client::expect_error_code(client.next().await, "malformed_json");
    client.send_text(r#"{"type": "dance"}"#);
    Client::expect_error_code(client.next().await, "unknown_type");
    client
        .to_session
        .send(IncomingFrame::Binary)
        .expect("running");
    Client::expect_error_code(client.next().await, "binary_not_supported");
    client.say("   ");
    Client::expect_error_code(client.next().await, "empty_message");
    client.say(&"还".repeat(201));
    Client::expect_error_code(client.next().await, "message_too_long");
    client.send_text(r#"{"type": "ping"}"#);
    assert_eq!(client.next().await, ServerFrame::Pong);

    client.say("你好");
    let greeting_turn = client.frames_until_pong().await;
    assert!(
        greeting_turn
            .iter()
            .any(|frame| matches!(frame, ServerFrame::Reply { text, .. } if !text.is_empty())),
        "no reply to a greeting: {greeting_turn:?}"
    );

    client.say("我要转人工客服");
    let handoff_turn = client.frames_until_pong().await;
    assert!(
        handoff_turn
            .iter()
            .any(|frame| matches!(frame, ServerFrame::Reply { .. })),
        "no reply when asking for a person: {handoff_turn:?}"
    );
    let handoffs: Vec<_> = handoff_turn
        .iter()
        .filter_map(|frame| match frame {
            ServerFrame::Handoff { handoff } => Some(handoff.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(handoffs.len(), 1, "{handoff_turn:?}");
    assert_eq!(handoffs[0].status, "waiting");
    assert_eq!(handoffs[0].conversation_id, conversation.id);

    client
        .to_session
        .send(IncomingFrame::Close)
        .expect("running");
    let end = tokio::time::timeout(Duration::from_secs(10), client.session)
        .await
        .expect("the session ends")
        .expect("the session task did not panic");
    assert_eq!(end, SessionEnd::ClientClosed);

    // Only the two good messages were stored, each followed by the bot's replies.
    let messages = pipeline
        .chat
        .conversations()
        .messages(&conversation.id)
        .await
        .expect("messages");
    let customer_texts: Vec<&str> = messages
        .iter()
        .filter(|message| message.role == Role::Customer)
        .map(|message| message.text.as_str())
        .collect();
    assert_eq!(customer_texts, ["你好", "我要转人工客服"]);
    assert!(
        messages
            .iter()
            .filter(|message| message.role == Role::Bot)
            .count()
            >= 2
    );
    let first_meta: serde_json::Value = serde_json::from_str(
        messages[0]
            .meta
            .as_deref()
            .expect("the customer message has meta"),
    )
    .expect("JSON");
    assert!(
        first_meta["intent"].is_string() && first_meta["confidence"].is_number(),
        "{first_meta}"
    );

    pipeline.database.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resumed_session_announces_the_open_handoff_once() {
    let pipeline = Pipeline::start(customer_with_a_current_loan("WS2", "en"), 500).await;
    let outcome = pipeline
        .chat
        .take_turn(
            "WS2",
            None,
            "I want to talk to a human agent",
            bot::chat::Channel::Rest,
        )
        .await
        .expect("a turn");
    let handoff = outcome
        .handoff
        .expect("asking for a person opens a handoff");

    let mut client = Client::start(&pipeline, "WS2", &outcome.conversation_id, true);
    assert_eq!(
        client.next().await,
        ServerFrame::Conversation {
            conversation_id: outcome.conversation_id.clone(),
            resumed: true
        }
    );
    match client.next().await {
        ServerFrame::Handoff { handoff: announced } => assert_eq!(announced.id, handoff.id),
        other => panic!("expected the open handoff, got {other:?}"),
    }
    client.say("hello?");
    let frames = client.frames_until_pong().await;
    assert!(
        !frames
            .iter()
            .any(|frame| matches!(frame, ServerFrame::Handoff { .. })),
        "the same handoff was announced twice: {frames:?}"
    );
    drop(client.to_session);
    let end = tokio::time::timeout(Duration::from_secs(10), client.session)
        .await
        .expect("the session ends")
        .expect("no panic");
    assert_eq!(end, SessionEnd::ClientClosed);
    pipeline.database.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_when_the_server_stops() {
    let pipeline = Pipeline::start(customer_with_a_current_loan("WS3", "zh"), 500).await;
    let conversation = pipeline
        .chat
        .open_conversation("WS3", None, bot::chat::Channel::Web)
        .await
        .expect("a conversation starts");
    let (_to_session, session_input) = mpsc::unbounded_channel::<IncomingFrame>();
    let (session_output, mut from_session) = mpsc::unbounded_channel::<ServerFrame>();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let session = tokio::spawn(run_session(
        pipeline.chat.clone(),
        "WS3".to_owned(),
        conversation.id.clone(),
        false,
        Box::pin(sink::unfold(
            session_output,
            |sender, frame: ServerFrame| async move {
                sender
                    .send(frame)
                    .map_err(|_| "the test stopped listening")?;
                Ok::<_, &'static str>(sender)
            },
        )),
        Box::pin(stream::unfold(session_input, |mut receiver| async move {
            receiver.recv().await.map(|frame| (frame, receiver))
        })),
        async move {
            let _ = stopped.await;
        },
    ));
    assert!(matches!(
        from_session.recv().await,
        Some(ServerFrame::Conversation { .. })
    ));
    stop.send(()).expect("the session listens");
    let end = tokio::time::timeout(Duration::from_secs(10), session)
        .await
        .expect("the session ends")
        .expect("no panic");
    assert_eq!(end, SessionEnd::ServerShutdown);
    pipeline.database.close().await;
}

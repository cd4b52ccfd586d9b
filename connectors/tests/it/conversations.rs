//! The conversation store: conversations, messages in order, turns, dialog state and handoffs.

use std::sync::Arc;

use connectors::{BackendError, ConversationStore, Database, Role};

use crate::support::on_each_backend;

#[tokio::test]
async fn a_conversation_keeps_its_messages_in_order_and_its_dialog_state() {
    on_each_backend(|url| async move {
        let database = Database::connect(&url).await.expect("connect");
        let store = database.conversations();
        let first = store
            .create_conversation("C001", "web")
            .await
            .expect("create");
        assert_eq!(first.id.len(), 36, "a hyphenated uuid");
        assert_eq!(
            uuid::Uuid::parse_str(&first.id).map(|id| id.get_version_num()),
            Ok(4)
        );
        assert_eq!(first.dialog_state, None);
        let second = store
            .create_conversation("C001", "voice")
            .await
            .expect("create");
        store
            .create_conversation("C002", "rest")
            .await
            .expect("create");

        let asked = store
            .append_message(
                &first.id,
                Role::Customer,
                "我这个月要还多少？",
                Some(r#"{"intent":"due_amount_query"}"#),
            )
            .await
            .expect("append");
        assert_eq!(asked.seq, 1);
        let replies = vec![
            ("您本月应还 1060.00 元。".to_owned(), None),
            (
                "还有什么可以帮您？".to_owned(),
                Some(r#"{"quick_replies":["还款方式"]}"#.to_owned()),
            ),
        ];
        let written = store
            .complete_turn(&first.id, &replies, r#"{"flow":"due_amount","step":2}"#)
            .await
            .expect("complete the turn");
        assert_eq!(
            written
                .iter()
                .map(|message| message.seq)
                .collect::<Vec<_>>(),
            vec![2, 3]
        );
        assert!(written.iter().all(|message| message.role == Role::Bot));
        store
            .append_message(&first.id, Role::Agent, "您好，我是人工客服。", None)
            .await
            .expect("append");

        let messages = store.messages(&first.id).await.expect("read");
        let transcript: Vec<(i64, Role, &str)> = messages
            .iter()
            .map(|message| (message.seq, message.role, message.text.as_str()))
            .collect();
        assert_eq!(
            transcript,
            vec![
                (1, Role::Customer, "我这个月要还多少？"),
                (2, Role::Bot, "您本月应还 1060.00 元。"),
                (3, Role::Bot, "还有什么可以帮您？"),
                (4, Role::Agent, "您好，我是人工客服。"),
            ]
        );
        assert_eq!(messages[0], asked);
        assert_eq!(
            messages[2].meta.as_deref(),
            Some(r#"{"quick_replies":["还款方式"]}"#)
        );
        assert!(store.messages(&second.id).await.expect("read").is_empty());

        let stored = store
            .conversation(&first.id)
            .await
            .expect("read")
            .expect("exists");
        assert_eq!(
            stored.dialog_state.as_deref(),
            Some(r#"{"flow":"due_amount","step":2}"#)
        );
        assert!(stored.updated_at > first.updated_at);
        assert_eq!(stored.created_at, first.created_at);

        let of_customer = store.conversations_of("C001").await.expect("read");
        let ids: Vec<&str> = of_customer
            .iter()
            .map(|conversation| conversation.id.as_str())
            .collect();
        assert_eq!(
            ids,
            vec![second.id.as_str(), first.id.as_str()],
            "newest first"
        );
        assert!(
            store
                .conversations_of("C404")
                .await
                .expect("read")
                .is_empty()
        );

        assert_eq!(
            store
                .conversation("no-such-conversation")
                .await
                .expect("read"),
            None
        );
        for result in [
            store
                .append_message("no-such-conversation", Role::Customer, "hi", None)
                .await
                .map(|_| ()),
            store
                .complete_turn("no-such-conversation", &replies, "{}")
                .await
                .map(|_| ()),
            store
                .request_handoff("no-such-conversation", "customer_request", "-")
                .await
                .map(|_| ()),
        ] {
            assert!(
                matches!(result, Err(BackendError::Rejected(_))),
                "{result:?}"
            );
        }
        assert!(store.health().await.is_ok());
        database.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_get_distinct_consecutive_sequence_numbers() {
    on_each_backend(|url| async move {
        let database = Database::connect(&url).await.expect("connect");
        let store = Arc::new(database.conversations());
        let conversation = store
            .create_conversation("C001", "web")
            .await
            .expect("create");
        let mut writers = Vec::new();
        for writer in 0..12 {
            let store = Arc::clone(&store);
            let conversation_id = conversation.id.clone();
            writers.push(tokio::spawn(async move {
                if writer % 3 == 0 {
                    let replies = vec![
                        (format!("reply {writer}a"), None),
                        (format!("reply {writer}b"), None),
                    ];
                    store
                        .complete_turn(
                            &conversation_id,
                            &replies,
                            &format!("{{\"writer\":{writer}}}"),
                        )
                        .await
                        .map(|messages| messages.len())
                } else {
                    store
                        .append_message(
                            &conversation_id,
                            Role::Customer,
                            &format!("message {writer}"),
                            None,
                        )
                        .await
                        .map(|_| 1)
                }
            }));
        }
        let mut written = 0;
        for writer in writers {
            written += writer
                .await
                .expect("the writer ran")
                .expect("the write succeeded");
        }
        // Four turns of two replies and eight single messages.
        assert_eq!(written, 16);
        let seqs: Vec<i64> = store
            .messages(&conversation.id)
            .await
            .expect("read")
            .iter()
            .map(|message| message.seq)
            .collect();
        assert_eq!(seqs, (1..=16).collect::<Vec<i64>>());
        database.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_conversation_has_at_most_one_open_handoff() {
    on_each_backend(|url| async move {
        let database = Database::connect(&url).await.expect("connect");
        let store = database.conversations();
        let conversation = store
            .create_conversation("C007", "web")
            .await
            .expect("create");
        let other = store
            .create_conversation("C008", "voice")
            .await
            .expect("create");
        assert_eq!(
            store.open_handoff(&conversation.id).await.expect("read"),
            None
        );

        let handoff = store
            .request_handoff(
                &conversation.id,
                "customer_request",
                "Asked for a person about a 35-day overdue loan.",
            )
            .await
            .expect("request");
        assert_eq!(handoff.status, "waiting");
        assert_eq!(handoff.customer_id, "C007");
        assert_eq!(handoff.conversation_id, conversation.id);
        let again = store
            .request_handoff(&conversation.id, "not_understood", "A different summary.")
            .await
            .expect("request again");
        assert_eq!(again, handoff, "the open handoff is returned unchanged");
        assert_eq!(
            store.open_handoff(&conversation.id).await.expect("read"),
            Some(handoff.clone())
        );

        let other_handoff = store
            .request_handoff(
                &other.id,
                "backend_unavailable",
                "The loan system did not answer.",
            )
            .await
            .expect("request");
        let waiting = store.handoffs(Some("waiting")).await.expect("read");
        let waiting_ids: Vec<&str> = waiting.iter().map(|handoff| handoff.id.as_str()).collect();
        assert_eq!(
            waiting_ids,
            vec![handoff.id.as_str(), other_handoff.id.as_str()],
            "oldest first"
        );

        let accepted = store
            .update_handoff_status(&handoff.id, "accepted")
            .await
            .expect("accept")
            .expect("the handoff exists");
        assert_eq!(accepted.status, "accepted");
        assert_eq!(accepted.created_at, handoff.created_at);
        // An accepted handoff is still open, so asking again returns it.
        let while_accepted = store
            .request_handoff(&conversation.id, "customer_request", "-")
            .await
            .expect("request");
        assert_eq!(while_accepted.id, handoff.id);
        assert_eq!(
            store.handoffs(Some("accepted")).await.expect("read").len(),
            1
        );

        store
            .update_handoff_status(&handoff.id, "closed")
            .await
            .expect("close");
        assert_eq!(
            store.open_handoff(&conversation.id).await.expect("read"),
            None
        );
        let reopened = store
            .request_handoff(&conversation.id, "customer_request", "Back again.")
            .await
            .expect("a new handoff after the first closed");
        assert_ne!(reopened.id, handoff.id);
        assert_eq!(reopened.status, "waiting");

        // The closed one cannot be reopened while the new one is open.
        let conflict = store.update_handoff_status(&handoff.id, "waiting").await;
        assert!(
            matches!(conflict, Err(BackendError::Rejected(_))),
            "{conflict:?}"
        );
        let unknown_status = store.update_handoff_status(&reopened.id, "lost").await;
        assert!(
            matches!(unknown_status, Err(BackendError::Rejected(_))),
            "{unknown_status:?}"
        );
        assert_eq!(
            store
                .update_handoff_status("no-such-handoff", "closed")
                .await
                .expect("update"),
            None
        );

        let all = store.handoffs(None).await.expect("read");
        let statuses: Vec<(&str, &str)> = all
            .iter()
            .map(|handoff| (handoff.id.as_str(), handoff.status.as_str()))
            .collect();
        assert_eq!(
            statuses,
            vec![
                (handoff.id.as_str(), "closed"),
                (other_handoff.id.as_str(), "waiting"),
                (reopened.id.as_str(), "waiting"),
            ]
        );
        database.close().await;
    })
    .await;
}

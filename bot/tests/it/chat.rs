//! The turn pipeline: ownership, refusals that store nothing, the dialog state surviving across services, and
//! turns of one conversation taken one at a time.

use bot::chat::{Channel, ChatError};
use connectors::Role;

use crate::support::{Pipeline, customer_with_a_current_loan};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_turns_store_nothing_and_strangers_find_nothing() {
    let pipeline = Pipeline::start(customer_with_a_current_loan("CA1", "zh"), 20).await;
    let chat = &pipeline.chat;
    let outcome = chat
        .take_turn("CA1", None, "你好", Channel::Rest)
        .await
        .expect("a turn");
    let conversation_id = outcome.conversation_id.clone();
    assert!(!outcome.replies.is_empty());

    for (text, expected) in [
        ("", "empty_message"),
        (" \n ", "empty_message"),
        (&"多".repeat(21)[..], "message_too_long"),
    ] {
        let error = chat
            .take_turn("CA1", Some(&conversation_id), text, Channel::Rest)
            .await
            .expect_err("refused");
        assert_eq!(error.code(), expected);
    }
    let refused_new = chat.take_turn("CA1", None, "", Channel::Rest).await;
    assert!(matches!(refused_new, Err(ChatError::EmptyMessage)));
    assert_eq!(
        chat.conversations()
            .conversations_of("CA1")
            .await
            .expect("listing")
            .len(),
        1,
        "a refused first message must not create a conversation"
    );

    let stranger = chat
        .take_turn(
            "SOMEONE-ELSE",
            Some(&conversation_id),
            "hello",
            Channel::Rest,
        )
        .await;
    assert!(matches!(stranger, Err(ChatError::ConversationNotFound)));
    let missing = chat
        .take_turn("CA1", Some("no-such-conversation"), "你好", Channel::Rest)
        .await;
    assert!(matches!(missing, Err(ChatError::ConversationNotFound)));

    let messages = chat
        .conversations()
        .messages(&conversation_id)
        .await
        .expect("messages");
    let customer_texts: Vec<&str> = messages
        .iter()
        .filter(|message| message.role == Role::Customer)
        .map(|message| message.text.as_str())
        .collect();
    assert_eq!(customer_texts, ["你好"]);
    pipeline.database.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dialog_state_is_stored_and_counts_turns() {
    let pipeline = Pipeline::start(customer_with_a_current_loan("CA2", "en"), 500).await;
    let chat = &pipeline.chat;
    let first = chat
        .take_turn("CA2", None, "hello", Channel::Rest)
        .await
        .expect("a turn");
    chat.take_turn("CA2", Some(&first.conversation_id), "thanks", Channel::Rest)
        .await
        .expect("a second turn");
    let conversation = chat
        .owned_conversation("CA2", &first.conversation_id)
        .await
        .expect("the customer's own");
    let state: dialog::DialogState = serde_json::from_str(
        conversation
            .dialog_state
            .as_deref()
            .expect("a stored state"),
    )
    .expect("readable");
    assert_eq!(state.turns, 2);
    assert_eq!(state.customer.customer_id, "CA2");
    assert_eq!(state.customer.name, "Grace Lin");
    pipeline.database.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_turns_of_one_conversation_are_taken_one_at_a_time() {
    let pipeline = Pipeline::start(customer_with_a_current_loan("CA3", "zh"), 500).await;
    let chat = pipeline.chat.clone();
    let first = chat
        .take_turn("CA3", None, "你好", Channel::Rest)
        .await
        .expect("a turn");
    let texts = ["本期应还多少", "还款计划", "谢谢", "我什么时候还款", "好的"];
    let turns = texts.map(|text| {
        let chat = chat.clone();
        let conversation_id = first.conversation_id.clone();
        tokio::spawn(async move {
            chat.take_turn("CA3", Some(&conversation_id), text, Channel::Web)
                .await
        })
    });
    for turn in turns {
        turn.await
            .expect("no panic")
            .expect("every turn is answered");
    }
    let conversation = chat
        .owned_conversation("CA3", &first.conversation_id)
        .await
        .expect("found");
    let state: dialog::DialogState =
        serde_json::from_str(conversation.dialog_state.as_deref().expect("stored"))
            .expect("readable");
    assert_eq!(
        state.turns, 6,
        "a turn's state was overwritten by a concurrent one"
    );

    // Each customer message is directly followed by its own replies: turns never interleave.
    let messages = chat
        .conversations()
        .messages(&first.conversation_id)
        .await
        .expect("messages");
    let roles: Vec<Role> = messages.iter().map(|message| message.role).collect();
    let customer_positions: Vec<usize> = roles
        .iter()
        .enumerate()
        .filter(|(_, role)| **role == Role::Customer)
        .map(|(index, _)| index)
        .collect();
    assert_eq!(customer_positions.len(), 6);
    for pair in customer_positions.windows(2) {
        assert!(
            pair[1] - pair[0] >= 2,
            "a turn has no reply between customer messages: {roles:?}"
        );
    }
    pipeline.database.close().await;
}

/// A loan system that is down: every call fails as a refused connection would.
struct DownLoanSystem;

#[async_trait::async_trait]
impl connectors::LoanSystem for DownLoanSystem {
    async fn customer(
        &self,
        _customer_id: &str,
    ) -> Result<Option<connectors::Customer>, connectors::BackendError> {
        Err(connectors::BackendError::Unavailable(
            "connection refused".to_owned(),
        ))
    }

    async fn customer_by_phone(
        &self,
        _phone: &str,
    ) -> Result<Option<connectors::Customer>, connectors::BackendError> {
        Err(connectors::BackendError::Unavailable(
            "connection refused".to_owned(),
        ))
    }

    async fn account(
        &self,
        _customer_id: &str,
        _today: chrono::NaiveDate,
    ) -> Result<Option<connectors::Account>, connectors::BackendError> {
        Err(connectors::BackendError::Unavailable(
            "connection refused".to_owned(),
        ))
    }

    async fn health(&self) -> Result<(), connectors::BackendError> {
        Err(connectors::BackendError::Unavailable(
            "connection refused".to_owned(),
        ))
    }
}

/// A loan system that never answers.
struct StalledLoanSystem;

#[async_trait::async_trait]
impl connectors::LoanSystem for StalledLoanSystem {
    async fn customer(
        &self,
        _customer_id: &str,
    ) -> Result<Option<connectors::Customer>, connectors::BackendError> {
        std::future::pending().await
    }

    async fn customer_by_phone(
        &self,
        _phone: &str,
    ) -> Result<Option<connectors::Customer>, connectors::BackendError> {
        std::future::pending().await
    }

    async fn account(
        &self,
        _customer_id: &str,
        _today: chrono::NaiveDate,
    ) -> Result<Option<connectors::Account>, connectors::BackendError> {
        std::future::pending().await
    }

    async fn health(&self) -> Result<(), connectors::BackendError> {
        std::future::pending().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_down_or_silent_loan_system_still_gets_the_customer_an_answer() {
    let pipeline = Pipeline::start(customer_with_a_current_loan("CA4", "zh"), 500).await;
    let store: std::sync::Arc<dyn connectors::ConversationStore> =
        std::sync::Arc::new(pipeline.database.conversations());
    let loan_systems: [std::sync::Arc<dyn connectors::LoanSystem>; 2] = [
        std::sync::Arc::new(DownLoanSystem),
        std::sync::Arc::new(StalledLoanSystem),
    ];
    let mut conversation_ids = Vec::new();
    for loans in loan_systems {
        let chat = bot::chat::ChatService::new(
            pipeline.chat.nlu().clone(),
            loans,
            store.clone(),
            chrono_tz::Asia::Shanghai,
            500,
        )
        .with_backend_timeout(std::time::Duration::from_millis(200));
        let started = std::time::Instant::now();
        let outcome = chat
            .take_turn("CA4", None, "本期应还多少钱", Channel::Rest)
            .await
            .expect("the turn is answered without the loan system");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "the lookups were not cut short"
        );
        let replies: Vec<&str> = outcome
            .replies
            .iter()
            .map(|reply| reply.text.as_str())
            .collect();
        assert!(!replies.is_empty(), "no kind reply");
        assert!(
            !replies.iter().any(|reply| reply.contains("1075.00")),
            "an amount was made up without the loan system: {replies:?}"
        );
        let stored = store
            .messages(&outcome.conversation_id)
            .await
            .expect("messages");
        assert_eq!(stored.len(), 1 + outcome.replies.len());
        conversation_ids.push(outcome.conversation_id);
    }

    // Once the loan system is back, the conversation learns who the customer is.
    let conversation_id = conversation_ids.pop().expect("a conversation");
    pipeline
        .chat
        .take_turn("CA4", Some(&conversation_id), "谢谢", Channel::Rest)
        .await
        .expect("a turn with the loan system back");
    let conversation = pipeline
        .chat
        .owned_conversation("CA4", &conversation_id)
        .await
        .expect("found");
    let state: dialog::DialogState =
        serde_json::from_str(conversation.dialog_state.as_deref().expect("stored"))
            .expect("readable");
    assert_eq!(state.customer.name, "赵敏");
    assert_eq!(state.turns, 2);
    pipeline.database.close().await;
}

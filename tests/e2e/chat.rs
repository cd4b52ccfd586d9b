//! Conversations that must give exact answers from the loan system, in Chinese and English, on SQLite and
//! PostgreSQL, and survive a restart of the server.

use chrono::Days;
use serde_json::Value;
use tests::{
    Engine, TestApp, TestDatabase, customer_with_current_loan, date_en, date_zh, new_customer_id,
    seed, today_in_shanghai, yuan_en, yuan_zh,
};

/// Seeds a Chinese and an English customer and asks each for the amount due, over the WebSocket and over REST.
async fn answers_exact_due_amount_and_date(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let app = TestApp::spawn(&database.url).await;
    let today = today_in_shanghai();
    let due = today + Days::new(10);
    let chinese = new_customer_id("ZH");
    let english = new_customer_id("EN");
    seed(
        &database.url,
        &customer_with_current_loan(&chinese, "zh", today),
    )
    .await;
    seed(
        &database.url,
        &customer_with_current_loan(&english, "en", today),
    )
    .await;

    let mut socket = app
        .websocket(&app.token(&chinese), None)
        .await
        .expect("the upgrade is accepted");
    let (conversation, _) = socket.next_of_type("conversation").await;
    assert!(
        conversation["conversation_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    let replies = socket.ask("本期应还多少钱？").await.join("\n");
    assert!(
        replies.contains(&yuan_zh("1165.00")),
        "Chinese WebSocket reply lacks the amount: {replies}"
    );
    assert!(
        replies.contains(&date_zh(due)),
        "Chinese WebSocket reply lacks the due date: {replies}"
    );
    socket.close().await;

    let mut socket = app
        .websocket(&app.token(&english), None)
        .await
        .expect("the upgrade is accepted");
    socket.next_of_type("conversation").await;
    let replies = socket
        .ask("How much is my next payment and when is it due?")
        .await
        .join("\n");
    assert!(
        replies.contains(&yuan_en("1165.00")),
        "English WebSocket reply lacks the amount: {replies}"
    );
    assert!(
        replies.contains(&date_en(due)),
        "English WebSocket reply lacks the due date: {replies}"
    );
    socket.close().await;

    let (status, body) = app
        .chat(Some(&app.token(&chinese)), "这个月要还多少", None)
        .await;
    assert_eq!(status, 200, "{body}");
    let text = reply_text(&body);
    assert!(
        text.contains(&yuan_zh("1165.00")) && text.contains(&date_zh(due)),
        "{text}"
    );
    assert!(body["handoff"].is_null());

    let (status, body) = app
        .chat(Some(&app.token(&english)), "what do i owe this month", None)
        .await;
    assert_eq!(status, 200, "{body}");
    let text = reply_text(&body);
    assert!(
        text.contains(&yuan_en("1165.00")) && text.contains(&date_en(due)),
        "{text}"
    );

    app.stop().await;
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_answers_exact_due_amount_and_date() {
    answers_exact_due_amount_and_date(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_answers_exact_due_amount_and_date() {
    answers_exact_due_amount_and_date(Engine::Postgres).await;
}

/// A conversation begun before a restart continues after it, with nothing lost.
async fn conversation_survives_restart(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let today = today_in_shanghai();
    let customer = new_customer_id("RS");
    seed(
        &database.url,
        &customer_with_current_loan(&customer, "zh", today),
    )
    .await;

    let app = TestApp::spawn(&database.url).await;
    let token = app.token(&customer);
    let (status, first) = app.chat(Some(&token), "你好", None).await;
    assert_eq!(status, 200, "{first}");
    let conversation_id = first["conversation_id"]
        .as_str()
        .expect("a conversation id")
        .to_owned();
    let (status, second) = app
        .chat(Some(&token), "还款计划给我看看", Some(&conversation_id))
        .await;
    assert_eq!(status, 200, "{second}");
    app.stop().await;

    let app = TestApp::spawn(&database.url).await;
    let (status, third) = app
        .chat(Some(&token), "本期应还多少", Some(&conversation_id))
        .await;
    assert_eq!(status, 200, "{third}");
    assert_eq!(third["conversation_id"], conversation_id.as_str());
    assert!(reply_text(&third).contains(&yuan_zh("1165.00")), "{third}");

    let (status, body) = app
        .get(
            &format!("/v1/conversations/{conversation_id}"),
            Some(&token),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let conversation: Value = serde_json::from_str(&body).expect("JSON");
    let messages = conversation["messages"].as_array().expect("messages");
    let customer_texts: Vec<&str> = messages
        .iter()
        .filter(|message| message["role"] == "customer")
        .filter_map(|message| message["text"].as_str())
        .collect();
    assert_eq!(customer_texts, ["你好", "还款计划给我看看", "本期应还多少"]);
    assert!(
        messages
            .iter()
            .filter(|message| message["role"] == "bot")
            .count()
            >= 3
    );

    // The WebSocket resumes the same conversation too.
    let mut socket = app
        .websocket(&token, Some(&conversation_id))
        .await
        .expect("resume");
    let (frame, _) = socket.next_of_type("conversation").await;
    assert_eq!(frame["conversation_id"], conversation_id.as_str());
    let replies = socket.ask("谢谢").await;
    assert!(!replies.is_empty());
    socket.close().await;

    app.stop().await;
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_conversation_survives_restart() {
    conversation_survives_restart(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_conversation_survives_restart() {
    conversation_survives_restart(Engine::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_for_a_human_records_a_visible_handoff() {
    let database = TestDatabase::create(Engine::Sqlite).await;
    let app = TestApp::spawn(&database.url).await;
    let customer = new_customer_id("HO");
    seed(
        &database.url,
        &customer_with_current_loan(&customer, "zh", today_in_shanghai()),
    )
    .await;
    let token = app.token(&customer);

    let (status, body) = app.chat(Some(&token), "我要转人工客服", None).await;
    assert_eq!(status, 200, "{body}");
    let conversation_id = body["conversation_id"].as_str().expect("an id").to_owned();
    assert_eq!(body["handoff"]["status"], "waiting", "{body}");
    assert!(!reply_text(&body).is_empty());

    let (status, listing) = app
        .get("/v1/handoffs?status=waiting", Some(&app.admin_token()))
        .await;
    assert_eq!(status, 200, "{listing}");
    assert!(listing.contains(&conversation_id), "{listing}");
    let (status, _) = app.get("/v1/handoffs", Some(&token)).await;
    assert_eq!(status, 403, "a customer token must not list handoffs");

    // Asking again keeps the one open handoff.
    let (_, again) = app.chat(Some(&token), "人工", Some(&conversation_id)).await;
    assert_eq!(again["handoff"]["id"], body["handoff"]["id"]);

    app.stop().await;
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_message_gets_an_answer_even_off_topic() {
    let database = TestDatabase::create(Engine::Sqlite).await;
    let app = TestApp::spawn(&database.url).await;
    let customer = new_customer_id("OT");
    seed(
        &database.url,
        &customer_with_current_loan(&customer, "en", today_in_shanghai()),
    )
    .await;
    let token = app.token(&customer);
    for text in [
        "what's the weather in Shanghai tomorrow?",
        "asdkjh qweoiu",
        "🙂",
        "我想投诉你们的服务",
    ] {
        let (status, body) = app.chat(Some(&token), text, None).await;
        assert_eq!(status, 200, "{text}: {body}");
        assert!(
            !reply_text(&body).trim().is_empty(),
            "{text} got no reply: {body}"
        );
    }
    app.stop().await;
    database.drop_database().await;
}

/// All reply texts of a `POST /v1/chat` answer, joined by newlines.
fn reply_text(body: &Value) -> String {
    body["replies"]
        .as_array()
        .map(|replies| {
            replies
                .iter()
                .filter_map(|reply| reply["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

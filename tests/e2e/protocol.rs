//! The wire: health, metrics, the NLU endpoint's shape, and bad input that must get a clear error and lose nothing.

use serde_json::{Value, json};
use tests::{
    Engine, TestApp, TestDatabase, customer_with_current_loan, new_customer_id, seed,
    today_in_shanghai,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_metrics_and_chat_page() {
    let database = TestDatabase::create(Engine::Sqlite).await;
    let app = TestApp::spawn(&database.url).await;
    let customer = new_customer_id("HM");
    seed(
        &database.url,
        &customer_with_current_loan(&customer, "zh", today_in_shanghai()),
    )
    .await;

    let (status, _) = app.get("/healthz", None).await;
    assert_eq!(status, 200);
    let (status, _) = app
        .chat(Some(&app.token(&customer)), "本期应还多少", None)
        .await;
    assert_eq!(status, 200);
    let (status, metrics) = app.get("/metrics", None).await;
    assert_eq!(status, 200);
    for name in [
        "anxin_turns_total",
        "anxin_turn_duration_seconds_bucket",
        "anxin_intents_total",
    ] {
        assert!(metrics.contains(name), "/metrics lacks {name}:\n{metrics}");
    }
    let (status, page) = app.get("/", None).await;
    assert_eq!(status, 200);
    assert!(page.contains("/v1/chat/ws") && page.contains("安心"));

    app.stop().await;
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nlu_parse_follows_the_contract() {
    let database = TestDatabase::create(Engine::Sqlite).await;
    let app = TestApp::spawn(&database.url).await;
    let response = app
        .http
        .post(format!("{}/v1/nlu/parse", app.address))
        .json(&json!({"text": "我下周五还3500元", "reference_date": "2026-11-26"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 200);
    let parse: Value = response.json().await.expect("JSON");
    assert_eq!(parse["text"], "我下周五还3500元");
    assert_eq!(parse["lang"], "zh");
    let known: Vec<&str> = nlu_intent_ids();
    let top = parse["intent"]["name"].as_str().expect("an intent name");
    assert!(known.contains(&top), "unknown intent {top}");
    let confidence = parse["intent"]["confidence"]
        .as_f64()
        .expect("a confidence");
    assert!((0.0..=1.0).contains(&confidence));
    assert_eq!(parse["intent_ranking"][0]["name"], top);
    let entities = parse["entities"].as_array().expect("entities");
    assert!(
        entities.iter().any(|e| e["type"] == "date"
            && e["value"] == "2026-12-04"
            && e["text"] == "下周五"
            && e["start"] == 1
            && e["end"] == 4),
        "{entities:?}"
    );
    assert!(
        entities.iter().any(|e| e["type"] == "money"
            && e["value"] == json!({"amount": "3500.00", "currency": "CNY"})),
        "{entities:?}"
    );
    assert!(
        ["negative", "neutral", "positive"]
            .contains(&parse["sentiment"]["label"].as_str().unwrap_or(""))
    );

    let bad_date = app
        .http
        .post(format!("{}/v1/nlu/parse", app.address))
        .json(&json!({"text": "hi", "reference_date": "26/11/2026"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(bad_date.status().as_u16(), 400);

    app.stop().await;
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_frames_get_errors_and_the_conversation_goes_on() {
    let database = TestDatabase::create(Engine::Sqlite).await;
    let app = TestApp::spawn(&database.url).await;
    let customer = new_customer_id("BF");
    seed(
        &database.url,
        &customer_with_current_loan(&customer, "zh", today_in_shanghai()),
    )
    .await;
    let token = app.token(&customer);

    let mut socket = app.websocket(&token, None).await.expect("upgrade");
    let (conversation, _) = socket.next_of_type("conversation").await;
    let conversation_id = conversation["conversation_id"]
        .as_str()
        .expect("id")
        .to_owned();
    socket.send_raw("{not json").await;
    assert_eq!(socket.next_frame().await["type"], "error");
    socket.send_raw(r#"{"type": "dance"}"#).await;
    assert_eq!(socket.next_frame().await["type"], "error");
    socket.send_binary(vec![0, 159, 146, 150]).await;
    assert_eq!(socket.next_frame().await["type"], "error");
    socket.say("").await;
    assert_eq!(socket.next_frame().await["type"], "error");
    socket.say(&"还".repeat(5000)).await;
    assert_eq!(socket.next_frame().await["type"], "error");
    let replies = socket.ask("你好").await;
    assert!(
        !replies.is_empty(),
        "the socket still answers after bad frames"
    );
    socket.close().await;

    // Only the one good message was stored.
    let (_, body) = app
        .get(
            &format!("/v1/conversations/{conversation_id}"),
            Some(&token),
        )
        .await;
    let conversation: Value = serde_json::from_str(&body).expect("JSON");
    let customer_messages = conversation["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|message| message["role"] == "customer")
        .count();
    assert_eq!(customer_messages, 1);

    // REST refuses empty and oversized texts with 400.
    let (status, _) = app.chat(Some(&token), "   ", None).await;
    assert_eq!(status, 400);
    let (status, _) = app.chat(Some(&token), &"a".repeat(10_000), None).await;
    assert_eq!(status, 400);

    app.stop().await;
    database.drop_database().await;
}

/// The intent ids of the spec, as the test reads them itself.
fn nlu_intent_ids() -> Vec<&'static str> {
    include_str!("../../nlu/data/intents.tsv")
        .lines()
        .skip(1)
        .filter_map(|line| line.split('\t').next())
        .filter(|id| !id.is_empty())
        .collect()
}

//! The review queue of active learning end to end, on SQLite and PostgreSQL: out-of-scope turns are queued with
//! their personal data masked and confident ones are not; administrators list, label and dismiss items (customers
//! may not); bad labels, statuses and ids are refused clearly; and labelled items become training examples that
//! change the model the next start prepares.

use serde_json::{Value, json};
use tests::{
    Engine, TestApp, TestDatabase, customer_with_current_loan, new_customer_id, seed,
    today_in_shanghai,
};

/// `POST path` with a JSON body and a bearer token; the status and the JSON answer.
async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> (u16, Value) {
    let response = app
        .http
        .post(format!("{}{path}", app.address))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("the request is answered");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn items(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, body) = app
        .get(
            &format!("/v1/review/items{query}"),
            Some(&app.admin_token()),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let body: Value = serde_json::from_str(&body).expect("JSON");
    body["items"].as_array().cloned().unwrap_or_default()
}

async fn unsure_and_out_of_scope_turns_are_queued_masked_and_labelled_ones_train(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let app = TestApp::spawn(&database.url).await;
    let customer = new_customer_id("RV");
    seed(
        &database.url,
        &customer_with_current_loan(&customer, "zh", today_in_shanghai()),
    )
    .await;
    let token = app.token(&customer);

    let (status, first) = app
        .chat(Some(&token), "今天天气怎么样，我电话13812345678", None)
        .await;
    assert_eq!(status, 200, "{first}");
    let conversation_id = first["conversation_id"].as_str().expect("an id").to_owned();
    let (status, _) = app
        .chat(Some(&token), "本期应还多少？", Some(&conversation_id))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .chat(Some(&token), "asdkjh qweoiu", Some(&conversation_id))
        .await;
    assert_eq!(status, 200);

    let queued = items(&app, "?status=pending").await;
    let texts: Vec<&str> = queued
        .iter()
        .filter_map(|item| item["text"].as_str())
        .collect();
    assert_eq!(
        texts,
        ["今天天气怎么样，我电话138****5678", "asdkjh qweoiu"],
        "only the unsure turns are queued, masked: {queued:?}"
    );
    let weather = &queued[0];
    assert_eq!(weather["reason"], "out_of_scope");
    assert_eq!(weather["predicted_intent"], "out_of_scope");
    assert_eq!(weather["conversation_id"], conversation_id.as_str());
    assert_eq!(weather["lang"], "zh");
    let weather_id = weather["id"].as_str().expect("an id").to_owned();
    let garbage_id = queued[1]["id"].as_str().expect("an id").to_owned();

    // Customers may not see or change the queue; bad requests are refused with a reason.
    let (status, _) = app.get("/v1/review/items", Some(&token)).await;
    assert_eq!(status, 403);
    let (status, _) = post(
        &app,
        &format!("/v1/review/items/{weather_id}/label"),
        &token,
        json!({"intent": "out_of_scope"}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, body) = app
        .get("/v1/review/items?status=open", Some(&app.admin_token()))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("invalid_status"), "{body}");
    let admin = app.admin_token();
    let (status, body) = post(
        &app,
        &format!("/v1/review/items/{weather_id}/label"),
        &admin,
        json!({"intent": "weather_report"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["code"], "unknown_intent");
    let (status, _) = post(
        &app,
        "/v1/review/items/no-such-item/label",
        &admin,
        json!({"intent": "out_of_scope"}),
    )
    .await;
    assert_eq!(status, 404);

    // Label one, dismiss the other.
    let (status, labelled) = post(
        &app,
        &format!("/v1/review/items/{weather_id}/label"),
        &admin,
        json!({"intent": "out_of_scope"}),
    )
    .await;
    assert_eq!(status, 200, "{labelled}");
    assert_eq!(labelled["status"], "labelled");
    assert_eq!(labelled["label"], "out_of_scope");
    assert!(labelled["reviewed_at"].is_string());
    let (status, dismissed) = post(
        &app,
        &format!("/v1/review/items/{garbage_id}/dismiss"),
        &admin,
        json!({}),
    )
    .await;
    assert_eq!(status, 200, "{dismissed}");
    assert_eq!(dismissed["status"], "dismissed");
    assert!(items(&app, "?status=pending").await.is_empty());
    assert_eq!(items(&app, "?status=labelled").await.len(), 1);
    assert_eq!(items(&app, "").await.len(), 2);
    app.stop().await;

    // The labelled item is a training example of the next start's model, which therefore is a new one.
    let store = connectors::Database::connect(&database.url)
        .await
        .expect("connect");
    let reviewed = bot::models::reviewed_examples(&store.review_queue())
        .await
        .expect("labelled examples");
    store.close().await;
    assert_eq!(reviewed.len(), 1);
    assert_eq!(reviewed[0].text, "今天天气怎么样，我电话138****5678");
    assert_eq!(reviewed[0].intent, "out_of_scope");
    let models_dir = std::path::Path::new("/models");
    assert_ne!(
        bot::models::installed_model_dir(models_dir, &[]).expect("bundled data"),
        bot::models::installed_model_dir(models_dir, &reviewed).expect("bundled data"),
        "labelled items make a new model"
    );
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_review_queue() {
    unsure_and_out_of_scope_turns_are_queued_masked_and_labelled_ones_train(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_review_queue() {
    unsure_and_out_of_scope_turns_are_queued_masked_and_labelled_ones_train(Engine::Postgres).await;
}

//! Who may talk to whom: requests without a valid token are refused, and one customer never reaches another's
//! conversation.

use tests::{
    Engine, TestApp, TestDatabase, customer_with_current_loan, new_customer_id, seed,
    today_in_shanghai,
};

/// A token that claims `alg: none` and carries no signature.
const UNSIGNED_TOKEN: &str =
    "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJDMDAxIiwiZXhwIjo0MTAyNDQ0ODAwfQ.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_a_valid_token_get_401() {
    let database = TestDatabase::create(Engine::Sqlite).await;
    let app = TestApp::spawn(&database.url).await;
    let customer = new_customer_id("AU");
    seed(
        &database.url,
        &customer_with_current_loan(&customer, "zh", today_in_shanghai()),
    )
    .await;

    let signed_elsewhere = bot::auth::mint_token(
        "another-secret-entirely-0123456789",
        &customer,
        std::time::Duration::from_secs(600),
        false,
    )
    .expect("mint");
    let valid = app.token(&customer);
    let mut tampered = valid.clone();
    // Flip one character of the signature.
    let last = tampered.pop().expect("a non-empty token");
    tampered.push(if last == 'A' { 'B' } else { 'A' });

    let (status, _) = app.chat(None, "你好", None).await;
    assert_eq!(status, 401, "no token");
    for bad in [
        "garbage",
        "a.b.c",
        UNSIGNED_TOKEN,
        signed_elsewhere.as_str(),
        tampered.as_str(),
    ] {
        let (status, body) = app.chat(Some(bad), "你好", None).await;
        assert_eq!(status, 401, "token {bad:?} was accepted: {body}");
        assert_eq!(
            app.websocket(bad, None).await.err(),
            Some(401),
            "WebSocket accepted {bad:?}"
        );
        let (status, _) = app.get("/v1/conversations", Some(bad)).await;
        assert_eq!(status, 401);
    }
    let (status, _) = app.chat(Some(&valid), "你好", None).await;
    assert_eq!(status, 200, "the valid token is accepted");

    app.stop().await;
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_cannot_reach_each_others_conversations() {
    let database = TestDatabase::create(Engine::Sqlite).await;
    let app = TestApp::spawn(&database.url).await;
    let today = today_in_shanghai();
    let alice = new_customer_id("IA");
    let bob = new_customer_id("IB");
    seed(
        &database.url,
        &customer_with_current_loan(&alice, "zh", today),
    )
    .await;
    seed(
        &database.url,
        &customer_with_current_loan(&bob, "en", today),
    )
    .await;
    let alice_token = app.token(&alice);
    let bob_token = app.token(&bob);

    let (status, body) = app.chat(Some(&alice_token), "本期应还多少", None).await;
    assert_eq!(status, 200);
    let conversation_id = body["conversation_id"].as_str().expect("an id").to_owned();

    let (status, body) = app
        .chat(Some(&bob_token), "hello", Some(&conversation_id))
        .await;
    assert!(
        status == 403 || status == 404,
        "Bob wrote into Alice's conversation: {status} {body}"
    );
    assert!(matches!(
        app.websocket(&bob_token, Some(&conversation_id))
            .await
            .err(),
        Some(403 | 404)
    ));
    let (status, body) = app
        .get(
            &format!("/v1/conversations/{conversation_id}"),
            Some(&bob_token),
        )
        .await;
    assert!(
        status == 403 || status == 404,
        "Bob read Alice's conversation: {body}"
    );
    assert!(!body.contains("本期应还多少"));
    let (status, listing) = app.get("/v1/conversations", Some(&bob_token)).await;
    assert_eq!(status, 200);
    assert!(!listing.contains(&conversation_id));

    // Alice still sees it, and nothing of Bob's attempt was written into it.
    let (status, body) = app
        .get(
            &format!("/v1/conversations/{conversation_id}"),
            Some(&alice_token),
        )
        .await;
    assert_eq!(status, 200);
    assert!(body.contains("本期应还多少"));
    assert!(!body.contains("hello"));

    // A conversation id that does not exist is 404, not 500.
    let (status, _) = app
        .chat(Some(&alice_token), "你好", Some("no-such-conversation"))
        .await;
    assert_eq!(status, 404);

    app.stop().await;
    database.drop_database().await;
}

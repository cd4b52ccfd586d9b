//! The server on a real socket: the routes are wired, tokens are checked before a WebSocket upgrade, and a
//! stopping server closes open WebSockets with 1001 after finishing their turns. (The full end-to-end suite
//! lives in the workspace `tests` crate; this checks what only the server's wiring can get wrong.)

use std::time::Duration;

use bot::{Application, Settings};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::support::{customer_with_a_current_loan, shared_models_dir};

const SECRET: &str = "a-test-secret-for-the-server-wiring-checks";

struct RunningServer {
    port: u16,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
    _folder: tempfile::TempDir,
}

async fn start_server(seed: Value) -> RunningServer {
    let folder = tempfile::tempdir().expect("a temporary folder");
    let database_url = format!("sqlite://{}", folder.path().join("anxin.db").display());
    let database = connectors::Database::connect(&database_url)
        .await
        .expect("the database opens");
    let seed: connectors::SeedData = serde_json::from_value(seed).expect("a valid seed");
    database.loan_system().seed(&seed).await.expect("seeded");
    database.close().await;
    let settings = Settings {
        listen: "127.0.0.1:0".to_owned(),
        database_url,
        data_dir: folder.path().to_path_buf(),
        models_dir: shared_models_dir(),
        jwt_secret: Some(SECRET.to_owned()),
        demo_data: false,
        ..Settings::default()
    };
    let application = Application::build(settings)
        .await
        .expect("the server starts");
    let port = application.port();
    assert_eq!(application.address().port(), port);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(application.run_with_shutdown(async move {
        let _ = stopped.await;
    }));
    RunningServer {
        port,
        stop,
        task,
        _folder: folder,
    }
}

fn token(customer_id: &str) -> String {
    bot::auth::mint_token(SECRET, customer_id, Duration::from_secs(600), false).expect("minted")
}

async fn next_json(
    socket: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .expect("a frame in time")
            .expect("the socket is open")
            .expect("a readable frame");
        match message {
            Message::Text(text) => {
                return serde_json::from_str(text.as_str()).expect("JSON frames");
            }
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_routes_check_tokens_and_ownership_and_stop_gracefully() {
    let mut seed = customer_with_a_current_loan("SV1", "zh");
    let other = customer_with_a_current_loan("SV2", "en");
    for key in ["customers", "loans", "cards"] {
        let extra = other[key].as_array().expect("a list").clone();
        seed[key].as_array_mut().expect("a list").extend(extra);
    }
    let server = start_server(seed).await;
    let base = format!("http://127.0.0.1:{}", server.port);
    let http = reqwest::Client::new();

    let health = http
        .get(format!("{base}/healthz"))
        .send()
        .await
        .expect("answered");
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(
        health.json::<Value>().await.expect("JSON"),
        json!({"status": "ok"})
    );

    let anonymous = http
        .post(format!("{base}/v1/chat"))
        .json(&json!({"text": "你好"}))
        .send()
        .await
        .expect("answered");
    assert_eq!(anonymous.status().as_u16(), 401);
    assert!(anonymous.headers().get("www-authenticate").is_some());
    let body: Value = anonymous.json().await.expect("a JSON error");
    assert_eq!(body["error"]["code"], "unauthorized");

    let malformed = http
        .post(format!("{base}/v1/chat"))
        .bearer_auth(token("SV1"))
        .header("content-type", "application/json")
        .body("{\"text\": ")
        .send()
        .await
        .expect("answered");
    assert_eq!(malformed.status().as_u16(), 400);
    assert_eq!(
        malformed.json::<Value>().await.expect("JSON")["error"]["code"],
        "invalid_json"
    );

    let answered: Value = http
        .post(format!("{base}/v1/chat"))
        .bearer_auth(token("SV1"))
        .json(&json!({"text": "本期应还多少钱"}))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    let conversation_id = answered["conversation_id"]
        .as_str()
        .expect("an id")
        .to_owned();
    assert!(answered["handoff"].is_null());
    assert!(
        answered["replies"][0]["text"]
            .as_str()
            .is_some_and(|text| text.contains("1075.00")),
        "{answered}"
    );

    let ws_base = format!("ws://127.0.0.1:{}/v1/chat/ws", server.port);
    for refused in [
        ws_base.clone(),
        format!("{ws_base}?token=not-a-token"),
        format!(
            "{ws_base}?token={}",
            bot::auth::mint_token("another-secret", "SV1", Duration::from_secs(60), false)
                .expect("minted")
        ),
    ] {
        match tokio_tungstenite::connect_async(refused.as_str()).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status().as_u16(), 401, "{refused}")
            }
            other => panic!(
                "{refused} was not refused with 401: {:?}",
                other.map(|_| ())
            ),
        }
    }
    let foreign = format!(
        "{ws_base}?token={}&conversation_id={conversation_id}",
        token("SV2")
    );
    match tokio_tungstenite::connect_async(foreign.as_str()).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status().as_u16(), 404)
        }
        other => panic!(
            "another customer's conversation was opened: {:?}",
            other.map(|_| ())
        ),
    }

    let resume = format!(
        "{ws_base}?token={}&conversation_id={conversation_id}",
        token("SV1")
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(resume.as_str())
        .await
        .expect("upgraded");
    let greeting = next_json(&mut socket).await;
    assert_eq!(
        greeting,
        json!({"type": "conversation", "conversation_id": conversation_id, "resumed": true})
    );
    socket
        .send(Message::text(
            json!({"type": "message", "text": "还款计划给我看看"}).to_string(),
        ))
        .await
        .expect("sent");
    let reply = next_json(&mut socket).await;
    assert_eq!(reply["type"], "reply", "{reply}");
    assert!(reply["quick_replies"].is_array());

    let metrics = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .expect("answered")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains("anxin_turns_total{channel=\"rest\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("anxin_turns_total{channel=\"web\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("anxin_turn_duration_seconds_bucket"),
        "{metrics}"
    );
    let page = http.get(format!("{base}/")).send().await.expect("answered");
    assert_eq!(
        page.headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok()),
        Some("text/html; charset=utf-8")
    );

    // Stopping the server closes the open socket with 1001 and the server task ends cleanly.
    server
        .stop
        .send(())
        .expect("the server listens for the stop");
    let closing = loop {
        match tokio::time::timeout(Duration::from_secs(20), socket.next())
            .await
            .expect("closed in time")
        {
            Some(Ok(Message::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("the socket ended without a close frame: {other:?}"),
        }
    };
    assert_eq!(closing.map(|frame| u16::from(frame.code)), Some(1001));
    tokio::time::timeout(Duration::from_secs(20), server.task)
        .await
        .expect("the server stops in time")
        .expect("no panic")
        .expect("a clean stop");
}

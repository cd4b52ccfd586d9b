//! The harness for Anxin's end-to-end tests: it starts the real server (the `bot` library's `Application`) on a free
//! port of 127.0.0.1 against a fresh database, seeds customers through the embedded loan system, mints tokens, and
//! talks to the server as an independent client would, over HTTP and the WebSocket.
//!
//! Every test gets its own database: a SQLite file in a fresh temporary folder, or a PostgreSQL database named
//! `anxin_e2e_<uuid>` on the machine's server, created for the test and dropped by [`TestDatabase::drop_database`].
//! The intent model is prepared once into `target/anxin-test-models` and shared by every test, like a user's cache.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sqlx::Connection;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The PostgreSQL server the machine runs (trust authentication).
pub const POSTGRES_SERVER: &str = "postgres://root@127.0.0.1:5432";

/// The secret the test servers sign customer tokens with.
pub const TEST_SECRET: &str = "e2e-test-secret-that-is-long-enough-for-hs256";

/// Which database engine a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A fresh database for one test.
#[derive(Debug)]
pub struct TestDatabase {
    pub engine: Engine,
    pub url: String,
    /// The temporary folder of a SQLite database, or the name of a PostgreSQL database.
    location: String,
}

impl TestDatabase {
    /// Creates a new, empty database of the engine. PostgreSQL databases are created here; SQLite files on first use.
    pub async fn create(engine: Engine) -> TestDatabase {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        match engine {
            Engine::Sqlite => {
                let folder = std::env::temp_dir().join(format!("anxin-e2e-{unique}"));
                std::fs::create_dir_all(&folder).expect("create a temporary folder");
                let url = format!("sqlite://{}", folder.join("anxin.db").display());
                TestDatabase {
                    engine,
                    url,
                    location: folder.display().to_string(),
                }
            }
            Engine::Postgres => {
                let name = format!("anxin_e2e_{unique}");
                let mut admin = sqlx::PgConnection::connect(&format!("{POSTGRES_SERVER}/postgres"))
                    .await
                    .expect("the PostgreSQL server at 127.0.0.1:5432 must be running");
                // The name is ours: a fixed prefix and a UUID's hex digits.
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut admin)
                    .await
                    .expect("create a test database");
                admin.close().await.ok();
                TestDatabase {
                    engine,
                    url: format!("{POSTGRES_SERVER}/{name}"),
                    location: name,
                }
            }
        }
    }

    /// Removes the database: the SQLite folder, or the PostgreSQL database (closing any connection left to it).
    pub async fn drop_database(self) {
        match self.engine {
            Engine::Sqlite => {
                std::fs::remove_dir_all(&self.location).ok();
            }
            Engine::Postgres => {
                let mut admin = sqlx::PgConnection::connect(&format!("{POSTGRES_SERVER}/postgres"))
                    .await
                    .expect("connect to drop the test database");
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                    self.location
                )))
                .execute(&mut admin)
                .await
                .expect("drop the test database");
                admin.close().await.ok();
            }
        }
    }
}

/// Where `tests/run.sh` has `anxin models fetch` put the pretrained models (encoder, Whisper, VAD).
pub fn fetched_models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/anxin-models")
}

/// Where the test servers cache prepared models: shared by all tests and runs, like a user's cache.
pub fn shared_models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/anxin-test-models")
}

/// A running server.
#[derive(Debug)]
pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub database_url: String,
    pub http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    /// Starts a server on a free port against `database_url`, without demo data.
    pub async fn spawn(database_url: &str) -> TestApp {
        TestApp::spawn_with(database_url, |_| {}).await
    }

    /// Starts a server like [`TestApp::spawn`], with `adjust` changing its settings first.
    pub async fn spawn_with(
        database_url: &str,
        adjust: impl FnOnce(&mut bot::Settings),
    ) -> TestApp {
        let data_dir =
            std::env::temp_dir().join(format!("anxin-e2e-data-{}", uuid::Uuid::new_v4().simple()));
        let mut settings = bot::Settings {
            listen: "127.0.0.1:0".to_owned(),
            database_url: database_url.to_owned(),
            data_dir,
            models_dir: shared_models_dir(),
            jwt_secret: Some(TEST_SECRET.to_owned()),
            demo_data: false,
            // Embedding the FAQ takes minutes in a debug build; the search by meaning has its own tests.
            semantic_search: false,
            ..bot::Settings::default()
        };
        adjust(&mut settings);
        let application = bot::Application::build(settings)
            .await
            .expect("the server starts");
        let port = application.port();
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            application
                .run_with_shutdown(async move {
                    stopped.await.ok();
                })
                .await
                .expect("the server runs until stopped");
        });
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            port,
            database_url: database_url.to_owned(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("an HTTP client"),
            shutdown: Some(shutdown),
            task: Some(task),
        }
    }

    /// Stops the server gracefully and waits until it has.
    pub async fn stop(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            shutdown.send(()).ok();
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(20), task)
                .await
                .expect("the server stops within 20 s")
                .expect("the server task ends cleanly");
        }
    }

    /// A customer token signed with the test secret, valid for an hour.
    pub fn token(&self, customer_id: &str) -> String {
        bot::auth::mint_token(TEST_SECRET, customer_id, Duration::from_secs(3600), false)
            .expect("mint a token")
    }

    /// An administrator token.
    pub fn admin_token(&self) -> String {
        bot::auth::mint_token(TEST_SECRET, "admin", Duration::from_secs(3600), true)
            .expect("mint a token")
    }

    /// `POST /v1/chat`; returns the status and the JSON body.
    pub async fn chat(
        &self,
        token: Option<&str>,
        text: &str,
        conversation_id: Option<&str>,
    ) -> (u16, Value) {
        let mut body = json!({ "text": text });
        if let Some(id) = conversation_id {
            body["conversation_id"] = json!(id);
        }
        let mut request = self
            .http
            .post(format!("{}/v1/chat", self.address))
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the chat request is answered");
        let status = response.status().as_u16();
        let body = response.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// `GET path` with an optional bearer token; returns the status and the body as text.
    pub async fn get(&self, path: &str, token: Option<&str>) -> (u16, String) {
        let mut request = self.http.get(format!("{}{path}", self.address));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the request is answered");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// Opens the chat WebSocket; `Err` carries the HTTP status of a refused upgrade.
    pub async fn websocket(
        &self,
        token: &str,
        conversation_id: Option<&str>,
    ) -> Result<ChatSocket, u16> {
        let mut url = format!("ws://127.0.0.1:{}/v1/chat/ws?token={token}", self.port);
        if let Some(id) = conversation_id {
            url.push_str(&format!("&conversation_id={id}"));
        }
        match tokio_tungstenite::connect_async(url.as_str()).await {
            Ok((stream, _response)) => Ok(ChatSocket { stream }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Err(response.status().as_u16())
            }
            Err(other) => panic!("the WebSocket handshake failed without an HTTP answer: {other}"),
        }
    }
}

/// The client side of a chat WebSocket.
#[derive(Debug)]
pub struct ChatSocket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl ChatSocket {
    /// Sends a raw text frame.
    pub async fn send_raw(&mut self, frame: &str) {
        self.stream
            .send(WsMessage::text(frame.to_owned()))
            .await
            .expect("send a frame");
    }

    /// Sends a binary frame.
    pub async fn send_binary(&mut self, bytes: Vec<u8>) {
        self.stream
            .send(WsMessage::binary(bytes))
            .await
            .expect("send a frame");
    }

    /// Sends a customer message.
    pub async fn say(&mut self, text: &str) {
        self.send_raw(&json!({ "type": "message", "text": text }).to_string())
            .await;
    }

    /// The next JSON frame from the server, within 20 s.
    pub async fn next_frame(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(20), self.stream.next())
                .await
                .expect("a frame arrives within 20 s")
                .expect("the socket stays open")
                .expect("the frame is readable");
            match message {
                WsMessage::Text(text) => {
                    return serde_json::from_str(text.as_str()).expect("frames are JSON");
                }
                WsMessage::Ping(_) | WsMessage::Pong(_) => continue,
                other => panic!("unexpected frame: {other:?}"),
            }
        }
    }

    /// Reads frames until one of type `kind` arrives; returns it with every frame read before it.
    pub async fn next_of_type(&mut self, kind: &str) -> (Value, Vec<Value>) {
        let mut before = Vec::new();
        loop {
            let frame = self.next_frame().await;
            if frame["type"] == kind {
                return (frame, before);
            }
            before.push(frame);
        }
    }

    /// Sends `text` and collects the reply texts of that turn: every `reply` frame until none arrives for a moment.
    pub async fn ask(&mut self, text: &str) -> Vec<String> {
        self.say(text).await;
        let (first, _) = self.next_of_type("reply").await;
        let mut replies = vec![first["text"].as_str().unwrap_or_default().to_owned()];
        while let Ok(Some(Ok(WsMessage::Text(frame)))) =
            tokio::time::timeout(Duration::from_millis(300), self.stream.next()).await
        {
            let frame: Value = serde_json::from_str(frame.as_str()).expect("frames are JSON");
            if frame["type"] == "reply" {
                replies.push(frame["text"].as_str().unwrap_or_default().to_owned());
            }
        }
        replies
    }

    pub async fn close(mut self) {
        self.stream.close(None).await.ok();
    }
}

/// Seeds records into the loan system of `database_url` through the embedded backend.
pub async fn seed(database_url: &str, data: &connectors::SeedData) {
    let database = connectors::Database::connect(database_url)
        .await
        .expect("connect to seed");
    database
        .loan_system()
        .seed(data)
        .await
        .expect("the seed is accepted");
    database.close().await;
}

/// Money as the Chinese replies write it: `1180.00元`.
pub fn yuan_zh(amount: &str) -> String {
    format!("{amount}元")
}

/// Money as the English replies write it: `CNY 1,180.00`.
pub fn yuan_en(amount: &str) -> String {
    let (whole, cents) = amount.split_once('.').unwrap_or((amount, "00"));
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    format!("CNY {grouped}.{cents}")
}

/// A date as the Chinese replies write it: `2026年12月5日`.
pub fn date_zh(date: NaiveDate) -> String {
    date.format("%Y年%-m月%-d日").to_string()
}

/// A date as the English replies write it: `December 5, 2026`.
pub fn date_en(date: NaiveDate) -> String {
    date.format("%B %-d, %Y").to_string()
}

/// Today in the demo customers' time zone (Asia/Shanghai, UTC+8 all year).
pub fn today_in_shanghai() -> NaiveDate {
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("a valid offset");
    chrono::Utc::now().with_timezone(&offset).date_naive()
}

/// A customer with one 12-month cash loan of 12,000 at 18% a year whose first instalment (1,180.00) was paid 20 days
/// ago and whose second (1,000.00 principal + 165.00 interest = 1,165.00) falls due in 10 days.
pub fn customer_with_current_loan(
    customer_id: &str,
    language: &str,
    today: NaiveDate,
) -> connectors::SeedData {
    let first_due = today - chrono::Days::new(20);
    let disbursed_on = first_due - chrono::Months::new(1);
    let installments: Vec<Value> = (1..=12u32)
        .map(|seq| {
            let due = disbursed_on + chrono::Months::new(seq);
            let due = if seq == 2 { today + chrono::Days::new(10) } else { due };
            let remaining = 12000 - 1000 * (i64::from(seq) - 1);
            let interest = remaining * 15 / 1000;
            let paid = if seq == 1 { "1180.00".to_owned() } else { "0.00".to_owned() };
            json!({"seq": seq, "due_date": due.to_string(), "principal": "1000.00",
                   "interest": format!("{interest}.00"), "fee": "0.00", "penalty": "0.00", "paid": paid})
        })
        .collect();
    let name = if language == "zh" {
        "王芳"
    } else {
        "Emily Carter"
    };
    let seed = json!({
        "customers": [{"id": customer_id, "name": name, "phone": "+8613900001111", "id_last4": "123X",
                        "language": language, "timezone": "Asia/Shanghai", "credit_limit": "20000.00"}],
        "loans": [{"id": format!("LN-{customer_id}"), "customer_id": customer_id, "product": "cash_loan",
                   "principal": "12000.00", "annual_rate": "0.18", "term_months": 12,
                   "disbursed_on": disbursed_on.to_string(), "installments": installments}],
        "cards": [{"customer_id": customer_id, "bank": "CMB", "last4": "4321", "autodebit": true}],
        "repayments": [{"loan_id": format!("LN-{customer_id}"), "amount": "1180.00",
                        "at": format!("{first_due}T06:00:00+08:00"), "channel": "autodebit", "status": "succeeded"}]
    });
    serde_json::from_value(seed).expect("the fixture follows the seed format")
}

/// A fresh customer id, so tests sharing a database never collide.
pub fn new_customer_id(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..8]
    )
    .to_uppercase()
}

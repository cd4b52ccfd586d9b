//! Knowledge administration end to end: the graph as JSON and DOT, reloading a lender's knowledge folder on request
//! and by the folder watch (a change shows in the answers; a broken file is refused with its file and line while the
//! old answers stay), and the graph browser page driven in real headless Chromium over the DevTools protocol.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tests::{Engine, TestApp, TestDatabase};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as WsMessage;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The demo lender's hotline, as the bundled knowledge states it.
const HOTLINE: &str = "400-800-6688";

/// A copy of the bundled knowledge folder (graph files, `faq/`, `search/`) in a fresh temporary folder.
fn copy_of_the_demo_knowledge() -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../knowledge-graph/knowledge");
    let target = std::env::temp_dir().join(format!(
        "anxin-e2e-knowledge-{}",
        uuid::Uuid::new_v4().simple()
    ));
    copy_folder(&source, &target);
    target
}

fn copy_folder(source: &Path, target: &Path) {
    std::fs::create_dir_all(target).expect("create the knowledge folder");
    for entry in std::fs::read_dir(source).expect("read the bundled knowledge") {
        let path = entry.expect("a folder entry").path();
        let destination = target.join(path.file_name().expect("a file name"));
        if path.is_dir() {
            copy_folder(&path, &destination);
        } else {
            std::fs::copy(&path, &destination).expect("copy a knowledge file");
        }
    }
}

/// Replaces `from` with `to` in every file of the folder that holds it; returns how many files changed.
fn replace_everywhere(folder: &Path, from: &str, to: &str) -> usize {
    let mut changed = 0;
    for entry in std::fs::read_dir(folder).expect("read the knowledge folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            changed += replace_everywhere(&path, from, to);
        } else if let Ok(text) = std::fs::read_to_string(&path)
            && text.contains(from)
        {
            std::fs::write(&path, text.replace(from, to)).expect("rewrite a knowledge file");
            changed += 1;
        }
    }
    changed
}

/// `GET /v1/knowledge/search` for a question in Chinese.
fn search_url(app: &TestApp, question: &str, limit: usize) -> reqwest::Url {
    reqwest::Url::parse_with_params(
        &format!("{}/v1/knowledge/search", app.address),
        [
            ("q", question),
            ("lang", "zh"),
            ("limit", &limit.to_string()),
        ],
    )
    .expect("a valid address")
}

/// The FAQ entry the search answers `question` with.
async fn answering_entry(app: &TestApp, token: &str, question: &str) -> String {
    let response = app
        .http
        .get(search_url(app, question, 1))
        .bearer_auth(token)
        .send()
        .await
        .expect("the search is answered");
    let body: Value = response.json().await.expect("a JSON body");
    assert_eq!(body["hits"][0]["answers"], true, "{body}");
    body["hits"][0]["faq_id"]
        .as_str()
        .expect("an entry id")
        .to_owned()
}

/// Appends `marker` to the Chinese answer of FAQ entry `entry_id`, wherever in `folder/faq` it is written.
fn mark_answer(folder: &Path, entry_id: &str, marker: &str) {
    for entry in std::fs::read_dir(folder.join("faq")).expect("read the faq folder") {
        let path = entry.expect("a folder entry").path();
        let text = std::fs::read_to_string(&path).expect("read a faq file");
        let Some(start) = text.find(&format!("id = \"{entry_id}\"")) else {
            continue;
        };
        let answer = start
            + text[start..]
                .find("\nanswer_zh = \"")
                .expect("the entry has answer_zh")
            + 1;
        let end_of_line = answer + text[answer..].find('\n').expect("a line end");
        let line = &text[answer..end_of_line];
        assert!(line.ends_with('"'), "{line}");
        let marked = format!("{}{marker}\"", &line[..line.len() - 1]);
        std::fs::write(
            &path,
            format!("{}{marked}{}", &text[..answer], &text[end_of_line..]),
        )
        .expect("rewrite a faq file");
        return;
    }
    panic!("no faq file holds {entry_id}");
}

/// A question the chat answers from the FAQ (the grace period), worded for these tests.
const CHAT_QUESTION: &str = "还款日过了有几天宽限期";

/// The answer the FAQ search gives for `question` (the first hit, when it is confident enough to answer).
async fn searched_answer(app: &TestApp, token: &str, question: &str) -> Option<String> {
    let response = app
        .http
        .get(search_url(app, question, 1))
        .bearer_auth(token)
        .send()
        .await
        .expect("the search is answered");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("a JSON body");
    let hit = &body["hits"][0];
    (hit["answers"] == true).then(|| hit["answer"]["zh"].as_str().unwrap_or_default().to_owned())
}

/// The chat's replies to `question` in a new conversation, joined.
async fn chat_reply(app: &TestApp, token: &str, question: &str) -> String {
    let (status, body) = app.chat(Some(token), question, None).await;
    assert_eq!(status, 200, "{body}");
    body["replies"]
        .as_array()
        .expect("replies")
        .iter()
        .map(|reply| reply["text"].as_str().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn post(app: &TestApp, path: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = app.http.post(format!("{}{path}", app.address));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("the request is answered");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_graph_is_served_as_json_and_as_dot_to_any_token() {
    let database = TestDatabase::create(Engine::Sqlite).await;
    let app = TestApp::spawn(&database.url).await;
    let customer = app.token("KG-READER");

    let (status, _) = app.get("/v1/knowledge/graph", None).await;
    assert_eq!(status, 401);

    let (status, body) = app.get("/v1/knowledge/graph", Some(&customer)).await;
    assert_eq!(status, 200, "{body}");
    let graph: Value = serde_json::from_str(&body).expect("the graph is JSON");
    assert_eq!(graph["origin"], "bundled");
    let nodes = graph["nodes"].as_array().expect("nodes");
    let relations = graph["relations"].as_array().expect("relations");
    assert!(nodes.len() > 50, "{} nodes", nodes.len());
    let cash_loan = nodes
        .iter()
        .find(|node| node["id"] == "product.cash_loan")
        .expect("the cash loan is a node");
    assert_eq!(cash_loan["kind"], "product");
    assert_eq!(cash_loan["name"]["zh"], "安心随借");
    assert_eq!(cash_loan["name"]["en"], "Anxin cash loan");
    assert_eq!(cash_loan["attributes"]["longest_term"]["zh"], "最长24期");
    assert_eq!(
        cash_loan["attributes"]["longest_term"]["en"],
        "24 monthly instalments at most"
    );
    let lender = nodes
        .iter()
        .find(|node| node["id"] == "lender")
        .expect("the lender is a node");
    assert_eq!(lender["attributes"]["hotline"]["zh"], HOTLINE);
    assert!(relations.iter().any(|relation| relation["from"] == "lender"
        && relation["kind"] == "offers"
        && relation["to"] == "product.cash_loan"));
    let ids: std::collections::HashSet<&str> = nodes
        .iter()
        .filter_map(|node| node["id"].as_str())
        .collect();
    for relation in relations {
        assert!(ids.contains(relation["from"].as_str().unwrap_or_default()));
        assert!(ids.contains(relation["to"].as_str().unwrap_or_default()));
    }

    // DOT, asked for by parameter or by media type, holds the same nodes and relations.
    for request in [
        app.http
            .get(format!("{}/v1/knowledge/graph?format=dot", app.address))
            .bearer_auth(&customer),
        app.http
            .get(format!("{}/v1/knowledge/graph", app.address))
            .header("Accept", "text/vnd.graphviz")
            .bearer_auth(&customer),
    ] {
        let response = request.send().await.expect("the graph is served");
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .expect("a readable type")
                .starts_with("text/vnd.graphviz")
        );
        let dot = response.text().await.expect("a body");
        assert!(dot.starts_with("digraph knowledge {\n") && dot.ends_with("}\n"));
        assert_eq!(dot.matches(" -> ").count(), relations.len());
        assert_eq!(dot.matches(", kind=\"").count(), nodes.len());
        assert!(dot.contains("\"lender\" -> \"product.cash_loan\" [label=\"offers\"];"));
        assert!(dot.contains("\"product.cash_loan\" [label=\"安心随借\\nAnxin cash loan\""));
    }

    let (status, body) = app
        .get("/v1/knowledge/graph?format=xml", Some(&customer))
        .await;
    assert_eq!(status, 400);
    assert!(body.contains("invalid_format"), "{body}");

    // The administrators' routes refuse a customer.
    let (status, _) = post(&app, "/v1/knowledge/reload", Some(&customer)).await;
    assert_eq!(status, 403);
    let (status, _) = app.get("/v1/knowledge/status", Some(&customer)).await;
    assert_eq!(status, 403);
    let (status, _) = post(&app, "/v1/knowledge/reload", None).await;
    assert_eq!(status, 401);

    // The search rejects what it cannot answer, clearly.
    let (status, body) = app.get("/v1/knowledge/search?q=%20", Some(&customer)).await;
    assert_eq!(status, 400);
    assert!(body.contains("empty_query"), "{body}");

    let (status, page) = app.get("/knowledge", None).await;
    assert_eq!(status, 200);
    assert!(page.contains("/v1/knowledge/graph"));

    app.stop().await;
    database.drop_database().await;
}

#[tokio::test]
async fn an_administrator_reloads_the_folder_and_a_broken_folder_leaves_the_old_answers() {
    let folder = copy_of_the_demo_knowledge();
    let database = TestDatabase::create(Engine::Sqlite).await;
    let watched = folder.clone();
    let app = TestApp::spawn_with(&database.url, move |settings| {
        settings.knowledge_dir = Some(watched);
        // Only the request reloads here; the watch has its own test.
        settings.knowledge_watch = false;
    })
    .await;
    let customer = app.token("KG-ASKER");
    let admin = app.admin_token();
    let question = "客服电话是多少";

    let marker = "（本条答案已由管理员更新）";

    let before = searched_answer(&app, &customer, question)
        .await
        .expect("the hotline question is answered");
    assert!(before.contains(HOTLINE), "{before}");
    let grace_entry = answering_entry(&app, &customer, CHAT_QUESTION).await;
    let reply = chat_reply(&app, &customer, CHAT_QUESTION).await;
    assert!(reply.contains("3天") && !reply.contains(marker), "{reply}");

    // A new number everywhere the folder states it, and a reworded answer: nothing changes until the reload.
    assert!(replace_everywhere(&folder, HOTLINE, "400-900-1234") >= 2);
    mark_answer(&folder, &grace_entry, marker);
    let unchanged = searched_answer(&app, &customer, question).await;
    assert!(unchanged.is_some_and(|answer| answer.contains(HOTLINE)));

    let (status, body) = post(&app, "/v1/knowledge/reload", Some(&customer)).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = post(&app, "/v1/knowledge/reload", Some(&admin)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "reloaded");
    assert!(
        body["faq_entries"]
            .as_u64()
            .is_some_and(|count| count >= 200)
    );
    let after = searched_answer(&app, &customer, question)
        .await
        .expect("still answered");
    assert!(
        after.contains("400-900-1234") && !after.contains(HOTLINE),
        "{after}"
    );
    let reply = chat_reply(&app, &customer, CHAT_QUESTION).await;
    assert!(reply.contains(marker), "{reply}");

    // A broken reference: 422 naming its file and line, and the old answers stay.
    std::fs::write(
        folder.join("broken.toml"),
        "[[relation]]\nfrom = \"lender\"\nkind = \"offers\"\nto = \"product.nowhere\"\n",
    )
    .expect("write a broken file");
    let (status, body) = post(&app, "/v1/knowledge/reload", Some(&admin)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_knowledge");
    assert_eq!(
        body["error"]["problems"],
        json!([{"file": "broken.toml", "line": 1,
                "message": "relation offers refers to unknown node \"product.nowhere\""}])
    );
    let kept = searched_answer(&app, &customer, question)
        .await
        .expect("still answered");
    assert!(kept.contains("400-900-1234"), "{kept}");
    std::fs::remove_file(folder.join("broken.toml")).expect("remove the broken file");

    // A number changed in the graph but not in the FAQ answers that repeat it: every such answer is named with its
    // file and line, and the old answers stay.
    for graph_file in ["lender.toml", "service.toml"] {
        let path = folder.join(graph_file);
        let text = std::fs::read_to_string(&path).expect("read a graph file");
        assert!(text.contains("400-900-1234"), "{graph_file}");
        std::fs::write(&path, text.replace("400-900-1234", "400-900-5555"))
            .expect("rewrite a graph file");
    }
    let (status, body) = post(&app, "/v1/knowledge/reload", Some(&admin)).await;
    assert_eq!(status, 422, "{body}");
    let problems = body["error"]["problems"].as_array().expect("problems");
    assert!(problems.len() >= 2, "{body}");
    for problem in problems {
        assert!(
            problem["file"]
                .as_str()
                .is_some_and(|file| file.starts_with("faq/") && file.ends_with(".toml"))
                && problem["line"].as_u64().is_some_and(|line| line > 0)
                && problem["message"].as_str().is_some_and(|message| {
                    message.contains("1234") && message.contains("none of its sources")
                }),
            "{problem}"
        );
    }
    // Paths of the server stay on the server.
    assert!(!body.to_string().contains(&folder.display().to_string()));
    let kept = searched_answer(&app, &customer, question)
        .await
        .expect("still answered");
    assert!(kept.contains("400-900-1234"), "{kept}");
    let reply = chat_reply(&app, &customer, CHAT_QUESTION).await;
    assert!(reply.contains(marker), "{reply}");

    let (status, body) = app.get("/v1/knowledge/status", Some(&admin)).await;
    assert_eq!(status, 200, "{body}");
    let status_body: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(status_body["last_reload"]["trigger"], "request");
    assert_eq!(status_body["last_reload"]["ok"], false);

    app.stop().await;
    database.drop_database().await;
    std::fs::remove_dir_all(&folder).ok();
}

/// Polls the administrators' status until the latest reload satisfies `done`, for at most a minute.
async fn wait_for_reload(app: &TestApp, admin: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, body) = app.get("/v1/knowledge/status", Some(admin)).await;
        assert_eq!(status, 200, "{body}");
        let body: Value = serde_json::from_str(&body).expect("JSON");
        if done(&body["last_reload"]) {
            return body["last_reload"].clone();
        }
        assert!(
            Instant::now() < deadline,
            "the watch did not reload within a minute: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_folder_watch_reloads_changes_and_keeps_the_old_answers_when_a_file_breaks() {
    let folder = copy_of_the_demo_knowledge();
    let database = TestDatabase::create(Engine::Sqlite).await;
    let watched = folder.clone();
    let app = TestApp::spawn_with(&database.url, move |settings| {
        settings.knowledge_dir = Some(watched);
    })
    .await;
    let customer = app.token("KG-WATCHER");
    let admin = app.admin_token();
    let question = "客服电话是多少";
    assert!(
        searched_answer(&app, &customer, question)
            .await
            .is_some_and(|answer| answer.contains(HOTLINE))
    );

    let marker = "（宽限期说明已修订）";
    let grace_entry = answering_entry(&app, &customer, CHAT_QUESTION).await;
    assert!(replace_everywhere(&folder, HOTLINE, "400-700-4321") >= 2);
    mark_answer(&folder, &grace_entry, marker);
    let record = wait_for_reload(&app, &admin, |record| {
        record["trigger"] == "watch" && record["ok"] == true
    })
    .await;
    assert_eq!(record["problems"], json!([]));
    // The edits may have come as more than one burst; the answer settles on the new number.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let answer = searched_answer(&app, &customer, question)
            .await
            .expect("answered");
        if answer.contains("400-700-4321") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the new number never showed: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let reply = chat_reply(&app, &customer, CHAT_QUESTION).await;
    assert!(reply.contains(marker), "{reply}");

    // A file that is not TOML at all: the watch refuses it with its file and line and the answers stay.
    std::fs::write(
        folder.join("faq").join("draft.toml"),
        "[[faq]]\nid = \"faq.draft\"\nquestions_zh = [\"没写完\"\n",
    )
    .expect("write a broken file");
    let record = wait_for_reload(&app, &admin, |record| {
        record["trigger"] == "watch" && record["ok"] == false
    })
    .await;
    let problems = record["problems"].as_array().expect("problems");
    assert!(
        problems
            .iter()
            .any(|problem| problem["file"] == "faq/draft.toml"
                && problem["line"].as_u64().is_some_and(|line| line >= 3)),
        "{record}"
    );
    let kept = searched_answer(&app, &customer, question)
        .await
        .expect("answered");
    assert!(kept.contains("400-700-4321"), "{kept}");
    let reply = chat_reply(&app, &customer, CHAT_QUESTION).await;
    assert!(reply.contains(marker), "{reply}");

    app.stop().await;
    database.drop_database().await;
    std::fs::remove_dir_all(&folder).ok();
}

/// A headless Chromium with a fresh profile, killed when dropped.
struct Chromium {
    process: std::process::Child,
    profile: PathBuf,
}

impl Drop for Chromium {
    fn drop(&mut self) {
        self.process.kill().ok();
        self.process.wait().ok();
        std::fs::remove_dir_all(&self.profile).ok();
    }
}

/// The Chromium binary: `ANXIN_CHROMIUM`, else the first of the usual names on the PATH.
fn chromium_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("ANXIN_CHROMIUM") {
        return PathBuf::from(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ] {
        for folder in std::env::split_paths(&path) {
            let candidate = folder.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "the graph page is tested in headless Chromium, which is not installed; install it with:\n  apt-get install -y chromium\n(or point ANXIN_CHROMIUM at a Chromium or Chrome binary)"
    );
}

impl Chromium {
    /// Starts Chromium headless on a free DevTools port and returns it with the browser's DevTools address.
    fn start() -> (Chromium, String) {
        let profile = std::env::temp_dir().join(format!(
            "anxin-e2e-chromium-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&profile).expect("create a browser profile folder");
        let log = std::fs::File::create(profile.join("chromium.log")).expect("a log file");
        let process = std::process::Command::new(chromium_binary())
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--remote-debugging-port=0",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .spawn()
            .expect("Chromium starts");
        let browser = Chromium { process, profile };
        // Chromium writes the port it bound and the browser's path into the profile once it listens.
        let active_port = browser.profile.join("DevToolsActivePort");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(text) = std::fs::read_to_string(&active_port) {
                let mut lines = text.lines();
                if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                    let address = format!("ws://127.0.0.1:{}{}", port.trim(), path.trim());
                    return (browser, address);
                }
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(browser.profile.join("chromium.log"))
                    .unwrap_or_default();
                panic!("Chromium did not open its DevTools port within a minute:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A DevTools protocol client attached to one page.
struct DevTools {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    session: Option<String>,
}

impl DevTools {
    /// Connects to the browser and opens a new page, attached in flat session mode.
    async fn open_page(browser_address: &str) -> DevTools {
        let (socket, _) = tokio_tungstenite::connect_async(browser_address)
            .await
            .expect("connect to Chromium's DevTools");
        let mut devtools = DevTools {
            socket,
            next_id: 1,
            session: None,
        };
        let target = devtools
            .call("Target.createTarget", json!({"url": "about:blank"}))
            .await;
        let attached = devtools
            .call(
                "Target.attachToTarget",
                json!({"targetId": target["targetId"], "flatten": true}),
            )
            .await;
        devtools.session = Some(
            attached["sessionId"]
                .as_str()
                .expect("a session id")
                .to_owned(),
        );
        devtools.call("Page.enable", json!({})).await;
        devtools.call("Runtime.enable", json!({})).await;
        devtools
    }

    /// Sends one command and returns its result, skipping the events that arrive meanwhile.
    async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(WsMessage::text(message.to_string()))
            .await
            .expect("send a DevTools command");
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(60), self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("{method} got no answer within a minute"))
                .expect("the DevTools socket stays open")
                .expect("a readable DevTools frame");
            let WsMessage::Text(text) = frame else {
                continue;
            };
            let answer: Value = serde_json::from_str(text.as_str()).expect("DevTools speaks JSON");
            if answer["id"] == id {
                assert!(answer.get("error").is_none(), "{method} failed: {answer}");
                return answer["result"].clone();
            }
        }
    }

    /// The value of a JavaScript expression in the page (promises awaited), or the exception it threw.
    async fn try_evaluate(&mut self, expression: &str) -> Result<Value, Value> {
        let result = self
            .call(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
            )
            .await;
        match result.get("exceptionDetails") {
            Some(exception) => Err(exception.clone()),
            None => Ok(result["result"]["value"].clone()),
        }
    }

    /// The value of a JavaScript expression in the page; a thrown exception fails the test.
    async fn evaluate(&mut self, expression: &str) -> Value {
        self.try_evaluate(expression)
            .await
            .unwrap_or_else(|exception| panic!("{expression} threw: {exception}"))
    }

    /// Waits until `expression` is truthy in the page, for at most a minute; returns its value. While the page is
    /// still loading the expression may throw; the last exception is reported if it never succeeds.
    async fn wait_for(&mut self, expression: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let outcome = self.try_evaluate(expression).await;
            let truthy = match &outcome {
                Err(_) | Ok(Value::Null) => false,
                Ok(Value::Bool(flag)) => *flag,
                Ok(Value::Number(number)) => number.as_f64() != Some(0.0),
                Ok(Value::String(text)) => !text.is_empty(),
                Ok(Value::Array(_) | Value::Object(_)) => true,
            };
            if truthy {
                return outcome.unwrap_or_default();
            }
            assert!(
                Instant::now() < deadline,
                "the page never satisfied {expression}: last {outcome:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks like a person at a point of the viewport: mouse moved, pressed and released.
    async fn click_at(&mut self, x: f64, y: f64) {
        self.call(
            "Input.dispatchMouseEvent",
            json!({"type": "mouseMoved", "x": x, "y": y}),
        )
        .await;
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1}),
            )
            .await;
        }
    }

    /// Clicks the element that `selector` finds, at a point of it that is not covered by anything else.
    async fn click(&mut self, selector: &str) {
        let point = self
            .wait_for(&format!(
                r#"(() => {{
                    const target = document.querySelector({selector:?});
                    if (!target) return null;
                    target.scrollIntoView({{block: "center", inline: "center"}});
                    const box = target.getBoundingClientRect();
                    for (const [fx, fy] of [[0.5, 0.5], [0.3, 0.5], [0.7, 0.5], [0.5, 0.3], [0.5, 0.7]]) {{
                        const x = box.left + box.width * fx, y = box.top + box.height * fy;
                        const hit = document.elementFromPoint(x, y);
                        if (hit && (hit === target || target.contains(hit))) return {{x, y}};
                    }}
                    return null;
                }})()"#
            ))
            .await;
        self.click_at(
            point["x"].as_f64().expect("x"),
            point["y"].as_f64().expect("y"),
        )
        .await;
    }
}

#[tokio::test]
async fn the_graph_page_draws_browses_and_searches_in_headless_chromium() {
    let database = TestDatabase::create(Engine::Sqlite).await;
    let app = TestApp::spawn(&database.url).await;
    let customer = app.token("KG-BROWSER");
    let (_, graph) = app.get("/v1/knowledge/graph", Some(&customer)).await;
    let graph: Value = serde_json::from_str(&graph).expect("the graph is JSON");
    let node_count = graph["nodes"].as_array().expect("nodes").len();
    let relation_count = graph["relations"].as_array().expect("relations").len();

    let (_browser, address) = Chromium::start();
    let mut page = DevTools::open_page(&address).await;

    // A token that is not valid brings the sign-in form back with the reason.
    page.call(
        "Page.navigate",
        json!({"url": format!("{}/knowledge#token=not-a-token", app.address)}),
    )
    .await;
    page.wait_for("document.getElementById('login-error').textContent")
        .await;

    // Through a blank page: a change of fragment alone would not load the page again.
    page.call("Page.navigate", json!({"url": "about:blank"}))
        .await;
    page.wait_for("location.href === 'about:blank'").await;
    page.call(
        "Page.navigate",
        json!({"url": format!("{}/knowledge#token={customer}", app.address)}),
    )
    .await;
    page.wait_for("document.body.dataset.ready === 'true'")
        .await;
    // The token leaves the address bar once read.
    assert_eq!(page.evaluate("location.hash").await, "");
    if page.evaluate("document.documentElement.lang").await != "zh-CN" {
        page.click("#lang-toggle").await;
    }
    assert_eq!(
        page.evaluate("document.documentElement.lang").await,
        "zh-CN"
    );

    // Every node and relation is drawn, each node in its kind's colour.
    let drawn = page
        .evaluate(
            "({nodes: document.querySelectorAll('#nodes .node').length,
               edges: document.querySelectorAll('#edges line.edge').length,
               colours: [...document.querySelectorAll('#nodes .node')].map(g => [g.dataset.kind, g.querySelector('circle').getAttribute('fill')]),
               inside: [...document.querySelectorAll('#nodes .node circle')].every(c => {
                   const b = c.getBoundingClientRect(), s = document.getElementById('graph').getBoundingClientRect();
                   return b.left >= s.left && b.right <= s.right && b.top >= s.top && b.bottom <= s.bottom; })})",
        )
        .await;
    assert_eq!(drawn["nodes"], node_count);
    assert_eq!(drawn["edges"], relation_count);
    assert_eq!(drawn["inside"], true, "some nodes are drawn out of sight");
    let colour_of_kind: std::collections::HashMap<&str, &str> = graph["kinds"]
        .as_array()
        .expect("kinds")
        .iter()
        .map(|kind| {
            (
                kind["kind"].as_str().unwrap_or_default(),
                kind["colour"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    let mut colours_seen = std::collections::HashSet::new();
    for pair in drawn["colours"].as_array().expect("colours") {
        let (kind, fill) = (
            pair[0].as_str().expect("a kind"),
            pair[1].as_str().expect("a fill"),
        );
        assert_eq!(colour_of_kind[kind], fill, "{kind}");
        colours_seen.insert(fill.to_owned());
    }
    assert!(colours_seen.len() >= 8, "{colours_seen:?}");

    // Clicking the cash loan shows its names, attributes and relations in both languages.
    page.click("#nodes .node[data-id='product.cash_loan'] circle")
        .await;
    let details = page
        .wait_for(
            "document.querySelector('#details .name-zh') && ({
               zh: document.querySelector('#details .name-zh').textContent,
               en: document.querySelector('#details .name-en').textContent,
               term: [...document.querySelectorAll('#details tr[data-attribute=longest_term] td')].map(td => td.textContent),
               outgoing: document.querySelectorAll('#details .outgoing li[data-kind]').length,
               incoming: [...document.querySelectorAll('#details .incoming li button')].map(b => b.dataset.node),
               selected: document.querySelector('#nodes .node.selected').dataset.id})",
        )
        .await;
    assert_eq!(details["zh"], "安心随借");
    assert_eq!(details["en"], "Anxin cash loan");
    assert_eq!(
        details["term"],
        json!(["最长24期", "24 monthly instalments at most"])
    );
    let outgoing = graph["relations"]
        .as_array()
        .expect("relations")
        .iter()
        .filter(|relation| relation["from"] == "product.cash_loan")
        .count();
    assert!(outgoing > 0);
    assert_eq!(details["outgoing"], outgoing);
    assert!(
        details["incoming"]
            .as_array()
            .expect("incoming")
            .contains(&json!("lender")),
        "{details}"
    );
    assert_eq!(details["selected"], "product.cash_loan");

    // Following a relation selects the node at its other end.
    page.click("#details .incoming button[data-node='lender']")
        .await;
    let lender = page
        .wait_for(
            "document.querySelector('#details .name-en').textContent === 'Anxin Consumer Finance' &&
             [...document.querySelectorAll('#details tr[data-attribute=hotline] td')].map(td => td.textContent)",
        )
        .await;
    assert_eq!(lender, json!([HOTLINE, HOTLINE]));

    // The search box finds nodes and asks the FAQ search, which agrees with the API.
    let question = "提前还款";
    page.click("#search").await;
    page.call("Input.insertText", json!({"text": question}))
        .await;
    let found = page
        .wait_for(
            "document.querySelector('#faq-results li.faq') && ({
               nodes: [...document.querySelectorAll('#node-results li[data-node]')].map(li => li.dataset.node),
               marked: [...document.querySelectorAll('#nodes .node.match')].map(g => g.dataset.id),
               faq: [...document.querySelectorAll('#faq-results li.faq')].map(li => li.dataset.faq),
               answer: document.querySelector('#faq-results li.faq .answer').textContent,
               other: document.querySelector('#faq-results li.faq .other').textContent})",
        )
        .await;
    assert!(
        found["nodes"]
            .as_array()
            .expect("node results")
            .contains(&json!("fee.cash_loan.early_settlement")),
        "{found}"
    );
    assert_eq!(found["nodes"], found["marked"]);
    let response = app
        .http
        .get(search_url(&app, question, 5))
        .bearer_auth(&customer)
        .send()
        .await
        .expect("the search is answered");
    let api: Value = response.json().await.expect("JSON");
    let api_ids: Vec<&Value> = api["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| &hit["faq_id"])
        .collect();
    assert!(!api_ids.is_empty());
    assert_eq!(found["faq"], json!(api_ids));
    assert_eq!(found["answer"], api["hits"][0]["answer"]["zh"]);
    assert_eq!(found["other"], api["hits"][0]["answer"]["en"]);

    // In English the drawing labels its nodes in English.
    page.click("#lang-toggle").await;
    let label = page
        .wait_for(
            "document.documentElement.lang === 'en' &&
             document.querySelector('#nodes .node[data-id=\"product.cash_loan\"] text').textContent",
        )
        .await;
    assert_eq!(label, "Anxin cash loan");

    app.stop().await;
    database.drop_database().await;
}

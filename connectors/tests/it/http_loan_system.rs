//! The HTTP loan system against a real local server on 127.0.0.1 that stands in for a lender's core system: it
//! serves the demo lender's records over the API of `connectors/HTTP-API.md`, counts every request it receives,
//! and can be told to answer slowly, with an error status or with a broken body. Every test is bounded to a few
//! seconds by short timeouts in the client's options.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use connectors::demo::demo_seed;
use connectors::http::{BackoffOptions, BreakerOptions, BreakerState};
use connectors::{
    BackendError, Database, HttpLoanSystem, HttpLoanSystemOptions, LoanSystem, SeedData,
};
use serde_json::{Value, json};

use crate::support::day;

const TOKEN: &str = "core-system-test-token";

/// Something the stand-in core system does instead of answering normally.
#[derive(Debug, Clone)]
enum Fault {
    /// Answers this status with an error body.
    Status(u16),
    /// Waits this long before answering normally.
    Slow(Duration),
    /// Answers 200 with this body as it is.
    Body(String),
}

/// The stand-in core system's records and behaviour.
struct CoreSystem {
    seed: SeedData,
    /// Faults for the next requests whose path ends with the given text, each used once, in order.
    scheduled: Mutex<VecDeque<(&'static str, Fault)>>,
    /// A fault for every request while it is set.
    persistent: Mutex<Option<Fault>>,
    requests: AtomicUsize,
}

impl CoreSystem {
    fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    fn schedule(&self, path_suffix: &'static str, fault: Fault) {
        self.scheduled
            .lock()
            .expect("the fault queue")
            .push_back((path_suffix, fault));
    }

    fn set_persistent(&self, fault: Option<Fault>) {
        *self.persistent.lock().expect("the persistent fault") = fault;
    }

    fn next_fault(&self, path: &str) -> Option<Fault> {
        let mut scheduled = self.scheduled.lock().expect("the fault queue");
        if let Some(position) = scheduled
            .iter()
            .position(|(suffix, _)| path.ends_with(suffix))
        {
            return scheduled.remove(position).map(|(_, fault)| fault);
        }
        drop(scheduled);
        self.persistent
            .lock()
            .expect("the persistent fault")
            .clone()
    }
}

fn error_body(status: StatusCode, code: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": {"code": code, "message": "stand-in core system"}})),
    )
        .into_response()
}

/// Counts the request, checks the token and applies the next fault.
async fn front_door(State(core): State<Arc<CoreSystem>>, request: Request, next: Next) -> Response {
    core.requests.fetch_add(1, Ordering::SeqCst);
    let authorized = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"));
    if !authorized {
        return error_body(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    match core.next_fault(request.uri().path()) {
        Some(Fault::Status(status)) => error_body(
            StatusCode::from_u16(status).expect("a valid test status"),
            "injected_fault",
        ),
        Some(Fault::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        Some(Fault::Body(body)) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response(),
        None => next.run(request).await,
    }
}

fn customer_answer(found: Option<&connectors::Customer>) -> Response {
    match found {
        Some(customer) => axum::Json(json!(customer)).into_response(),
        None => error_body(StatusCode::NOT_FOUND, "customer_not_found"),
    }
}

async fn customer(State(core): State<Arc<CoreSystem>>, Path(id): Path<String>) -> Response {
    let found = core
        .seed
        .customers
        .iter()
        .find(|customer| customer.id == id);
    customer_answer(found)
}

async fn customer_by_phone(
    State(core): State<Arc<CoreSystem>>,
    Path(phone): Path<String>,
) -> Response {
    let found = core
        .seed
        .customers
        .iter()
        .find(|customer| customer.phone == phone);
    customer_answer(found)
}

/// Answers one of the customer's lists, or 404 when there is no such customer.
fn list_answer(core: &CoreSystem, id: &str, key: &str, items: Vec<Value>) -> Response {
    if !core.seed.customers.iter().any(|customer| customer.id == id) {
        return error_body(StatusCode::NOT_FOUND, "customer_not_found");
    }
    axum::Json(json!({ key: items })).into_response()
}

async fn loans(State(core): State<Arc<CoreSystem>>, Path(id): Path<String>) -> Response {
    // Newest first, the reverse of the order the client sorts them into, so the client's sorting is exercised.
    let items = core
        .seed
        .loans
        .iter()
        .rev()
        .filter(|loan| loan.customer_id == id)
        .map(|loan| json!(loan))
        .collect();
    list_answer(&core, &id, "loans", items)
}

async fn cards(State(core): State<Arc<CoreSystem>>, Path(id): Path<String>) -> Response {
    let items = core
        .seed
        .cards
        .iter()
        .filter(|card| card.customer_id == id)
        .map(|card| json!(card))
        .collect();
    list_answer(&core, &id, "cards", items)
}

async fn repayments(State(core): State<Arc<CoreSystem>>, Path(id): Path<String>) -> Response {
    let loan_ids: Vec<&str> = core
        .seed
        .loans
        .iter()
        .filter(|loan| loan.customer_id == id)
        .map(|loan| loan.id.as_str())
        .collect();
    // Oldest first: the client orders them newest first.
    let items = core
        .seed
        .repayments
        .iter()
        .filter(|repayment| loan_ids.contains(&repayment.loan_id.as_str()))
        .map(|repayment| json!(repayment))
        .collect();
    list_answer(&core, &id, "repayments", items)
}

async fn health() -> Response {
    axum::Json(json!({"status": "ok", "version": "v1"})).into_response()
}

/// The demo lender's records as of this day, in both the stand-in and the SQL loan system.
fn today() -> NaiveDate {
    day("2026-05-20")
}

/// Starts the stand-in core system on a free port and returns it with its base URL.
async fn start_core_system() -> (Arc<CoreSystem>, String) {
    let core = Arc::new(CoreSystem {
        seed: demo_seed(today()),
        scheduled: Mutex::new(VecDeque::new()),
        persistent: Mutex::new(None),
        requests: AtomicUsize::new(0),
    });
    let app = Router::new()
        .route("/v1/health", get(health))
        .route("/v1/customers/by-phone/{phone}", get(customer_by_phone))
        .route("/v1/customers/{id}", get(customer))
        .route("/v1/customers/{id}/loans", get(loans))
        .route("/v1/customers/{id}/cards", get(cards))
        .route("/v1/customers/{id}/repayments", get(repayments))
        .layer(middleware::from_fn_with_state(core.clone(), front_door))
        .with_state(core.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let address = listener.local_addr().expect("the bound address");
    tokio::spawn(async move {
        axum::serve(listener, app)
            .await
            .expect("the stand-in core system serves");
    });
    (core, format!("http://{address}"))
}

/// Short timeouts so that every failure shows within a second.
fn options(base_url: &str) -> HttpLoanSystemOptions {
    HttpLoanSystemOptions {
        base_url: base_url.to_owned(),
        token: TOKEN.to_owned(),
        request_timeout: Duration::from_millis(400),
        total_deadline: Duration::from_secs(2),
        retries: 2,
        backoff: BackoffOptions {
            initial: Duration::from_millis(10),
            max: Duration::from_millis(40),
        },
        breaker: BreakerOptions {
            failure_threshold: 50,
            open_duration: Duration::from_secs(1),
        },
    }
}

fn client(options: HttpLoanSystemOptions) -> HttpLoanSystem {
    HttpLoanSystem::new(options).expect("valid options")
}

fn unavailable(result: Result<impl std::fmt::Debug, BackendError>) -> String {
    match result {
        Err(BackendError::Unavailable(message)) => message,
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

fn invalid_data(result: Result<impl std::fmt::Debug, BackendError>) -> String {
    match result {
        Err(BackendError::InvalidData(message)) => message,
        other => panic!("expected InvalidData, got {other:?}"),
    }
}

#[tokio::test]
async fn every_demo_account_equals_the_sql_loan_systems_answer() {
    let (core, base_url) = start_core_system().await;
    let http = client(options(&base_url));
    let database = Database::connect("sqlite::memory:")
        .await
        .expect("an in-memory database");
    let sql = database.loan_system();
    sql.seed(&core.seed).await.expect("seed the demo");

    for customer in &core.seed.customers {
        let over_http = http
            .account(&customer.id, today())
            .await
            .expect("the account over HTTP");
        let from_sql = sql
            .account(&customer.id, today())
            .await
            .expect("the account from SQL");
        assert!(over_http.is_some(), "{} has an account", customer.id);
        assert_eq!(
            over_http, from_sql,
            "the accounts of {} differ",
            customer.id
        );
        assert_eq!(
            http.customer(&customer.id).await.expect("customer"),
            Some(customer.clone())
        );
        assert_eq!(
            http.customer_by_phone(&customer.phone)
                .await
                .expect("customer by phone"),
            sql.customer_by_phone(&customer.phone)
                .await
                .expect("customer by phone from SQL")
        );
    }
    // One request per customer lookup, one per phone lookup, four per account; no retries on the happy path.
    assert_eq!(core.requests(), core.seed.customers.len() * 6);
    assert_eq!(http.breaker_state(), BreakerState::Closed);
    http.health().await.expect("the core system is healthy");
}

#[tokio::test]
async fn an_unknown_customer_is_none_but_a_404_from_a_wrong_base_url_is_an_error() {
    let (core, base_url) = start_core_system().await;
    let http = client(options(&base_url));
    assert_eq!(http.customer("D999").await.expect("answered"), None);
    assert_eq!(
        http.customer_by_phone("+8613000000000")
            .await
            .expect("answered"),
        None
    );
    assert_eq!(http.account("D999", today()).await.expect("answered"), None);
    // Not found is an answer, not a failure: nothing was retried.
    assert_eq!(core.requests(), 3);

    let misconfigured = client(options(&format!("{base_url}/wrong-prefix")));
    let message = invalid_data(misconfigured.customer("D001").await);
    assert!(message.contains("base URL"), "{message}");
}

#[tokio::test]
async fn a_slow_answer_times_out_and_is_retried_within_the_deadline() {
    let (core, base_url) = start_core_system().await;
    let http = client(HttpLoanSystemOptions {
        retries: 0,
        ..options(&base_url)
    });
    core.schedule("/customers/D001", Fault::Slow(Duration::from_secs(5)));
    let started = Instant::now();
    let message = unavailable(http.customer("D001").await);
    assert!(
        message.contains("did not answer within 400 ms"),
        "{message}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // With a retry, the second attempt is answered at once.
    let retrying = client(options(&base_url));
    core.schedule("/customers/D001", Fault::Slow(Duration::from_secs(5)));
    let before = core.requests();
    let customer = retrying.customer("D001").await.expect("answered on retry");
    assert_eq!(
        customer.map(|customer| customer.id),
        Some("D001".to_owned())
    );
    assert_eq!(core.requests() - before, 2);
}

#[tokio::test]
async fn a_server_that_never_answers_in_time_fails_by_the_total_deadline() {
    let (core, base_url) = start_core_system().await;
    core.set_persistent(Some(Fault::Slow(Duration::from_secs(10))));
    let http = client(HttpLoanSystemOptions {
        request_timeout: Duration::from_millis(300),
        total_deadline: Duration::from_millis(700),
        retries: 10,
        ..options(&base_url)
    });
    let started = Instant::now();
    unavailable(http.account("D001", today()).await);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_millis(1_200), "{elapsed:?}");
    // Ten retries would take over three seconds; the deadline allowed at most three attempts.
    assert!(core.requests() <= 3, "{} requests", core.requests());
}

#[tokio::test]
async fn gateway_errors_are_retried_but_other_statuses_are_not() {
    let (core, base_url) = start_core_system().await;
    let http = client(options(&base_url));

    core.schedule("/customers/D002", Fault::Status(503));
    core.schedule("/customers/D002", Fault::Status(502));
    let customer = http
        .customer("D002")
        .await
        .expect("answered on the third try");
    assert_eq!(
        customer.map(|customer| customer.id),
        Some("D002".to_owned())
    );
    assert_eq!(core.requests(), 3);

    // More failures than retries: three attempts, then the last error.
    for _ in 0..3 {
        core.schedule("/customers/D002", Fault::Status(504));
    }
    let message = unavailable(http.customer("D002").await);
    assert!(message.contains("504"), "{message}");
    assert_eq!(core.requests(), 6);

    core.schedule("/customers/D002", Fault::Status(500));
    let message = unavailable(http.customer("D002").await);
    assert!(
        message.contains("500") && message.contains("injected_fault"),
        "{message}"
    );
    assert_eq!(core.requests(), 7);

    core.schedule("/customers/D002", Fault::Status(400));
    assert!(matches!(
        http.customer("D002").await,
        Err(BackendError::Rejected(_))
    ));
    assert_eq!(core.requests(), 8);

    let wrong_token = client(HttpLoanSystemOptions {
        token: "not-the-token".to_owned(),
        ..options(&base_url)
    });
    let message = unavailable(wrong_token.customer("D002").await);
    assert!(
        message.contains("token") && message.contains("401"),
        "{message}"
    );
    assert_eq!(core.requests(), 9);
}

#[tokio::test]
async fn malformed_answers_are_invalid_data_naming_the_field() {
    let (core, base_url) = start_core_system().await;
    let http = client(options(&base_url));

    core.schedule(
        "/customers/D001",
        Fault::Body("{\"id\": \"D001\", ".to_owned()),
    );
    let message = invalid_data(http.customer("D001").await);
    assert!(message.contains("not valid JSON"), "{message}");

    let mut float_limit = json!(core.seed.customers[0]);
    float_limit["credit_limit"] = json!(20000.5);
    core.schedule("/customers/D001", Fault::Body(float_limit.to_string()));
    let message = invalid_data(http.customer("D001").await);
    assert!(
        message.starts_with("customer.credit_limit expected a decimal string"),
        "{message}"
    );

    let mut loan = json!(core.seed.loans[0]);
    loan["installments"][1]
        .as_object_mut()
        .expect("an instalment object")
        .remove("paid");
    core.schedule("/loans", Fault::Body(json!({"loans": [loan]}).to_string()));
    let message = invalid_data(http.account("D001", today()).await);
    assert_eq!(message, "loans[0].installments[1].paid is missing");

    core.schedule(
        "/cards",
        Fault::Body(
            json!({"cards": [{"customer_id": "D001", "bank": "ICBC", "last4": "1234",
                                      "autodebit": "yes"}]})
            .to_string(),
        ),
    );
    let message = invalid_data(http.account("D001", today()).await);
    assert_eq!(
        message,
        "cards[0].autodebit expected true or false, found a string"
    );

    // A record of another customer is a breach of the contract, not something to show this customer.
    let other = core
        .seed
        .cards
        .iter()
        .find(|card| card.customer_id != "D001")
        .expect("another customer's card");
    core.schedule("/cards", Fault::Body(json!({"cards": [other]}).to_string()));
    let message = invalid_data(http.account("D001", today()).await);
    assert!(message.starts_with("cards[0].customer_id"), "{message}");

    // Broken answers say nothing about the server's health: none was retried and the breaker stays closed.
    assert_eq!(http.breaker_state(), BreakerState::Closed);
    assert_eq!(core.requests(), 2 + 4 * 3);
}

#[tokio::test]
async fn a_refused_connection_is_unavailable_at_once() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let address = listener.local_addr().expect("the bound address");
    drop(listener);
    // This build has no TLS, so an https core system is refused when the client is built, not at the first call.
    assert!(matches!(
        HttpLoanSystem::new(options(&format!("https://{address}"))),
        Err(BackendError::Setup(_))
    ));
    let http = client(options(&format!("http://{address}")));
    let started = Instant::now();
    let message = unavailable(http.account("D001", today()).await);
    assert!(message.contains("cannot connect"), "{message}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(
        http.health().await,
        Err(BackendError::Unavailable(_))
    ));
}

#[tokio::test]
async fn the_breaker_opens_after_repeated_failures_fails_fast_and_closes_after_recovery() {
    let (core, base_url) = start_core_system().await;
    let open_duration = Duration::from_millis(300);
    let http = client(HttpLoanSystemOptions {
        retries: 0,
        breaker: BreakerOptions {
            failure_threshold: 3,
            open_duration,
        },
        ..options(&base_url)
    });
    core.set_persistent(Some(Fault::Status(503)));
    for _ in 0..3 {
        unavailable(http.customer("D001").await);
    }
    assert_eq!(core.requests(), 3);
    assert_eq!(http.breaker_state(), BreakerState::Open);

    // Open: calls fail at once and nothing reaches the server.
    let started = Instant::now();
    let message = unavailable(http.account("D001", today()).await);
    assert!(message.contains("circuit breaker"), "{message}");
    assert!(started.elapsed() < Duration::from_millis(50));
    assert_eq!(core.requests(), 3);

    // The core system recovers. Its health endpoint answers, but while the breaker is open the health check
    // still reports the failures.
    core.set_persistent(None);
    let message = unavailable(http.health().await);
    assert!(message.contains("circuit breaker"), "{message}");
    assert_eq!(core.requests(), 4);

    tokio::time::sleep(open_duration + Duration::from_millis(50)).await;
    assert_eq!(http.breaker_state(), BreakerState::HalfOpen);
    let account = http
        .account("D001", today())
        .await
        .expect("the probe and the rest of the account succeed");
    assert!(account.is_some());
    assert_eq!(http.breaker_state(), BreakerState::Closed);
    assert_eq!(core.requests(), 8);
    http.health().await.expect("healthy again");
}

#[tokio::test]
async fn a_failed_probe_opens_the_breaker_again() {
    let (core, base_url) = start_core_system().await;
    let open_duration = Duration::from_millis(200);
    let http = client(HttpLoanSystemOptions {
        retries: 0,
        breaker: BreakerOptions {
            failure_threshold: 1,
            open_duration,
        },
        ..options(&base_url)
    });
    core.set_persistent(Some(Fault::Status(500)));
    unavailable(http.customer("D001").await);
    tokio::time::sleep(open_duration + Duration::from_millis(30)).await;
    unavailable(http.customer("D001").await);
    assert_eq!(core.requests(), 2);
    assert_eq!(http.breaker_state(), BreakerState::Open);
    unavailable(http.customer("D001").await);
    assert_eq!(core.requests(), 2);
}

#[tokio::test]
async fn health_checks_ask_the_server_and_never_trip_the_breaker() {
    let (core, base_url) = start_core_system().await;
    let http = client(HttpLoanSystemOptions {
        breaker: BreakerOptions {
            failure_threshold: 1,
            open_duration: Duration::from_secs(5),
        },
        ..options(&base_url)
    });
    http.health().await.expect("healthy");

    core.schedule(
        "/v1/health",
        Fault::Body(r#"{"status": "degraded"}"#.to_owned()),
    );
    let message = unavailable(http.health().await);
    assert!(message.contains("degraded"), "{message}");

    core.set_persistent(Some(Fault::Status(503)));
    for _ in 0..3 {
        unavailable(http.health().await);
    }
    // One attempt each, no retries, and a monitor polling a sick server does not open the breaker.
    assert_eq!(core.requests(), 5);
    assert_eq!(http.breaker_state(), BreakerState::Closed);
}

//! Cases: the SQL implementation on SQLite and PostgreSQL, and the HTTP implementation against a real local case
//! system on 127.0.0.1 (axum over a real SQLite database through `SqlCases`) that can be told to answer slowly,
//! with an error status or with a broken body. Timeouts in the client's options keep every test to seconds.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, FixedOffset};
use connectors::http::{BackoffOptions, BreakerOptions};
use connectors::{
    BackendError, Cases, Database, HttpCases, HttpLoanSystemOptions, NewCase, SqlCases,
};
use serde_json::{Value, json};

use crate::support::{Scratch, day, on_each_backend};

const TOKEN: &str = "case-system-test-token";

fn moment(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).expect("a valid timestamp")
}

fn request(request_id: &str, customer_id: &str, kind: &str, opened_at: &str) -> NewCase {
    NewCase {
        request_id: request_id.to_owned(),
        customer_id: customer_id.to_owned(),
        kind: kind.to_owned(),
        summary: "退款".to_owned(),
        details: BTreeMap::from([("amount".to_owned(), "200.00".to_owned())]),
        opened_at: moment(opened_at),
    }
}

#[tokio::test]
async fn sql_cases_open_once_per_request_with_the_deadline_and_are_found_again() {
    on_each_backend(|url| async move {
        let database = Database::connect(&url).await.expect("the database opens");
        let cases = database.cases();
        let refund = request(
            "conv-1-3-refund",
            "C001",
            "refund",
            "2026-11-26T10:00:00+08:00",
        );
        let opened = cases.open_case(&refund).await.expect("the case opens");
        assert!(
            opened.reference.starts_with("AX261126"),
            "{}",
            opened.reference
        );
        assert_eq!(opened.deadline, day("2026-12-07"));
        assert_eq!(opened.status, "open");
        assert_eq!(opened.details, refund.details);

        let again = cases
            .open_case(&refund)
            .await
            .expect("the repeat is answered");
        assert_eq!(again, opened, "the same request opens no second case");

        let complaint = request(
            "conv-1-5-complaint",
            "C001",
            "complaint",
            "2026-11-27T09:00:00+08:00",
        );
        let second = cases
            .open_case(&complaint)
            .await
            .expect("the complaint opens");
        assert_eq!(second.deadline, day("2026-12-12"));
        assert_ne!(second.reference, opened.reference);

        let listed = cases.cases_of("C001").await.expect("listed");
        let references: Vec<&str> = listed.iter().map(|case| case.reference.as_str()).collect();
        assert_eq!(
            references,
            [second.reference.as_str(), opened.reference.as_str()]
        );
        assert!(cases.cases_of("C002").await.expect("listed").is_empty());
        assert_eq!(
            cases
                .case(&opened.reference.to_lowercase())
                .await
                .expect("found"),
            Some(opened.clone())
        );
        assert_eq!(cases.case("AX000000XXXXXX").await.expect("asked"), None);

        let unknown = request("conv-1-6", "C001", "lottery", "2026-11-27T09:00:00+08:00");
        assert!(matches!(
            cases.open_case(&unknown).await,
            Err(BackendError::Rejected(_))
        ));
        cases.health().await.expect("healthy");
        database.close().await;
    })
    .await;
}

/// Something the stand-in case system does instead of answering normally.
#[derive(Debug, Clone)]
enum Fault {
    Status(u16),
    Slow(Duration),
    Body(String),
}

struct CaseSystem {
    cases: SqlCases,
    faults: Mutex<VecDeque<Fault>>,
    requests: AtomicUsize,
}

fn error_body(status: StatusCode, code: &str) -> Response {
    (
        status,
        axum::Json(json!({"error": {"code": code, "message": "stand-in case system"}})),
    )
        .into_response()
}

async fn front_door(
    State(system): State<Arc<CaseSystem>>,
    request: Request,
    next: Next,
) -> Response {
    system.requests.fetch_add(1, Ordering::SeqCst);
    let authorized = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        == Some(&format!("Bearer {TOKEN}"));
    if !authorized {
        return error_body(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    let fault = system.faults.lock().expect("the fault queue").pop_front();
    match fault {
        Some(Fault::Status(status)) => error_body(
            StatusCode::from_u16(status).expect("a valid status"),
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

async fn open(
    State(system): State<Arc<CaseSystem>>,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    let Ok(request) = serde_json::from_value::<NewCase>(body) else {
        return error_body(StatusCode::UNPROCESSABLE_ENTITY, "invalid_case");
    };
    match system.cases.open_case(&request).await {
        Ok(case) => (StatusCode::CREATED, axum::Json(json!({"case": case}))).into_response(),
        Err(BackendError::Rejected(_)) => {
            error_body(StatusCode::UNPROCESSABLE_ENTITY, "invalid_case")
        }
        Err(_) => error_body(StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
    }
}

async fn one(State(system): State<Arc<CaseSystem>>, Path(reference): Path<String>) -> Response {
    match system.cases.case(&reference).await {
        Ok(Some(case)) => axum::Json(json!({"case": case})).into_response(),
        Ok(None) => error_body(StatusCode::NOT_FOUND, "case_not_found"),
        Err(_) => error_body(StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
    }
}

async fn of_customer(State(system): State<Arc<CaseSystem>>, Path(id): Path<String>) -> Response {
    match system.cases.cases_of(&id).await {
        Ok(cases) => axum::Json(json!({"cases": cases})).into_response(),
        Err(_) => error_body(StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
    }
}

/// Starts the stand-in on a free port; returns it, its base URL and the scratch database to remove.
async fn stand_in() -> (Arc<CaseSystem>, String, Scratch) {
    let scratch = Scratch::sqlite();
    let database = Database::connect(scratch.url())
        .await
        .expect("the database opens");
    let system = Arc::new(CaseSystem {
        cases: database.cases(),
        faults: Mutex::new(VecDeque::new()),
        requests: AtomicUsize::new(0),
    });
    let router = Router::new()
        .route(
            "/v1/health",
            get(|| async { axum::Json(json!({"status": "ok"})) }),
        )
        .route("/v1/cases", post(open))
        .route("/v1/cases/{reference}", get(one))
        .route("/v1/customers/{id}/cases", get(of_customer))
        .layer(middleware::from_fn_with_state(system.clone(), front_door))
        .with_state(system.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a free port");
    let address = listener.local_addr().expect("the bound address");
    tokio::spawn(async move {
        axum::serve(listener, router).await.ok();
    });
    (system, format!("http://{address}"), scratch)
}

fn client(base_url: &str) -> HttpCases {
    HttpCases::new(HttpLoanSystemOptions {
        request_timeout: Duration::from_millis(300),
        total_deadline: Duration::from_secs(2),
        retries: 2,
        backoff: BackoffOptions {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(50),
        },
        breaker: BreakerOptions {
            failure_threshold: 5,
            open_duration: Duration::from_secs(30),
        },
        ..HttpLoanSystemOptions::new(base_url, TOKEN)
    })
    .expect("valid options")
}

#[tokio::test]
async fn http_cases_open_find_and_list_through_the_stand_in() {
    let (system, base_url, scratch) = stand_in().await;
    let cases = client(&base_url);
    cases.health().await.expect("the stand-in is healthy");
    let refund = request("r-1", "C001", "refund", "2026-11-26T10:00:00+08:00");
    let opened = cases.open_case(&refund).await.expect("opened over HTTP");
    assert_eq!(opened.deadline, day("2026-12-07"));
    assert_eq!(opened.details, refund.details);
    assert_eq!(
        cases.case(&opened.reference).await.expect("found"),
        Some(opened.clone())
    );
    assert_eq!(cases.case("AX000000XXXXXX").await.expect("asked"), None);
    assert_eq!(cases.cases_of("C001").await.expect("listed"), vec![opened]);
    assert!(system.requests.load(Ordering::SeqCst) >= 5);
    scratch.remove().await;
}

#[tokio::test]
async fn a_slow_answer_is_retried_without_opening_the_case_twice() {
    let (system, base_url, scratch) = stand_in().await;
    let cases = client(&base_url);
    // The first attempt outlives its 300 ms timeout (the stand-in still opens the case); the retry carries the
    // same request id and gets the same case back.
    system
        .faults
        .lock()
        .expect("faults")
        .push_back(Fault::Slow(Duration::from_millis(500)));
    let started = Instant::now();
    let opened = cases
        .open_case(&request(
            "r-slow",
            "C002",
            "complaint",
            "2026-11-26T10:00:00+08:00",
        ))
        .await
        .expect("the retry succeeds");
    assert!(started.elapsed() < Duration::from_secs(2));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(cases.cases_of("C002").await.expect("listed"), vec![opened]);

    system
        .faults
        .lock()
        .expect("faults")
        .push_back(Fault::Status(503));
    cases
        .open_case(&request(
            "r-503",
            "C002",
            "fraud_report",
            "2026-11-26T11:00:00+08:00",
        ))
        .await
        .expect("a 503 is retried");
    assert_eq!(cases.cases_of("C002").await.expect("listed").len(), 2);
    scratch.remove().await;
}

#[tokio::test]
async fn failing_and_malformed_answers_are_errors_that_name_the_problem() {
    let (system, base_url, scratch) = stand_in().await;
    let cases = client(&base_url);
    let refund = request("r-500", "C003", "refund", "2026-11-26T10:00:00+08:00");
    system
        .faults
        .lock()
        .expect("faults")
        .push_back(Fault::Status(500));
    let before = system.requests.load(Ordering::SeqCst);
    assert!(matches!(
        cases.open_case(&refund).await,
        Err(BackendError::Unavailable(_))
    ));
    assert_eq!(
        system.requests.load(Ordering::SeqCst) - before,
        1,
        "a 500 is not retried"
    );
    system.faults.lock().expect("faults").push_back(Fault::Body(
        r#"{"case": {"reference": "AX1", "customer_id": "C003", "kind": "refund", "status": "open",
            "summary": "", "opened_at": "yesterday", "deadline": "2026-12-07"}}"#
            .to_owned(),
    ));
    match cases.open_case(&refund).await {
        Err(BackendError::InvalidData(message)) => {
            assert!(message.contains("case.opened_at"), "{message}")
        }
        other => panic!("a broken timestamp must be invalid data, not {other:?}"),
    }
    system
        .faults
        .lock()
        .expect("faults")
        .push_back(Fault::Body("<html>oops</html>".to_owned()));
    assert!(matches!(
        cases.open_case(&refund).await,
        Err(BackendError::InvalidData(_))
    ));
    // Unknown kinds never leave the process.
    let before = system.requests.load(Ordering::SeqCst);
    assert!(matches!(
        cases
            .open_case(&request(
                "r-x",
                "C003",
                "lottery",
                "2026-11-26T10:00:00+08:00"
            ))
            .await,
        Err(BackendError::Rejected(_))
    ));
    assert_eq!(system.requests.load(Ordering::SeqCst), before);
    scratch.remove().await;
}

#[tokio::test]
async fn a_case_system_that_is_down_fails_fast() {
    // Bind and drop a listener: nothing answers on that port.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let cases = client(&format!("http://{address}"));
    let started = Instant::now();
    assert!(matches!(
        cases
            .open_case(&request(
                "r-down",
                "C004",
                "refund",
                "2026-11-26T10:00:00+08:00"
            ))
            .await,
        Err(BackendError::Unavailable(_))
    ));
    assert!(cases.health().await.is_err());
    assert!(started.elapsed() < Duration::from_secs(3));
}

//! The loan system of a lender's core system over HTTP: [`HttpLoanSystem`] implements [`LoanSystem`] against the
//! versioned JSON API documented in `connectors/HTTP-API.md`, so that a lender plugs Anxin into its own records
//! instead of seeding the embedded database.
//!
//! The core system serves raw records (customers, loans with their instalments, cards, repayments); the
//! summaries are computed here with [`crate::loans::summarize`], so every implementation answers alike. Every
//! request is bounded: each attempt has its own timeout, and a whole trait call (with its retries and, for
//! [`LoanSystem::account`], its four requests) must finish within the total deadline. Requests are idempotent
//! `GET`s, retried with capped exponential backoff and jitter when the connection could not be made, the attempt
//! timed out, or the server answered 502, 503 or 504; never on any other status. A 404 carrying the API's
//! `customer_not_found` error is a customer that does not exist (`Ok(None)`).
//!
//! A circuit breaker ([`breaker`]) counts failed attempts: a connection that could not be made, an attempt that
//! timed out, and any 5xx or 429 answer. A 200 whose body is JSON is a success and resets the count; answers
//! that say nothing either way (404, other 4xx, a body that is not JSON) neither count nor reset it. Once open,
//! calls fail at once with [`BackendError::Unavailable`] and no request leaves the process.
//!
//! [`LoanSystem::health`] always asks `GET /v1/health`, even while the breaker is open, with one attempt and no
//! retry, and its outcome is not counted by the breaker, so a monitor polling it can neither open nor close the
//! breaker. It does not hide real failures either: while the breaker is open the health check fails too, even
//! when the health endpoint answers, because the requests that matter have just been failing.
//!
//! Logs are `tracing` events with fields; phone numbers are masked ([`mask_phone`]) and no name, id number or
//! token is ever logged. Only `http://` base URLs are accepted: `https://` needs a TLS feature of `reqwest`,
//! which the workspace does not enable, so [`HttpLoanSystem::new`] refuses it instead of failing every call.

pub mod breaker;
mod cases;
mod decode;

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::NaiveDate;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{StatusCode, Url};
use serde_json::Value;

use crate::loans::summarize;
use crate::{Account, BackendError, Card, Customer, Loan, LoanSystem, Repayment};
use breaker::{CircuitBreaker, Refusal, Transition};

pub use breaker::{BreakerOptions, BreakerState};
pub use cases::HttpCases;

/// The largest response body read; a larger one is a broken answer, not a reason to exhaust memory.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// The error code of a 404 that means "no such customer" (see HTTP-API.md).
const CUSTOMER_NOT_FOUND: &str = "customer_not_found";

/// How retries wait: the n-th retry waits `initial × 2^(n−1)`, capped at `max`, of which a random half is
/// taken off (so waits spread out between half and all of that), and never past the total deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffOptions {
    pub initial: Duration,
    pub max: Duration,
}

impl Default for BackoffOptions {
    fn default() -> BackoffOptions {
        BackoffOptions {
            initial: Duration::from_millis(200),
            max: Duration::from_secs(2),
        }
    }
}

impl BackoffOptions {
    /// The wait before retry number `retry` (1 for the first retry), with `jitter` in `[0, 1]` choosing where
    /// between half and all of the exponential step it falls.
    pub fn delay(&self, retry: u32, jitter: f64) -> Duration {
        let doublings = retry.saturating_sub(1).min(31);
        let step = self
            .initial
            .saturating_mul(1_u32 << doublings)
            .min(self.max);
        let half = step / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

/// Where the core system is and how patiently to talk to it.
#[derive(Clone)]
pub struct HttpLoanSystemOptions {
    /// The API's root, without `/v1` (e.g. `http://core.lender.internal:8080` or `http://host/api`).
    pub base_url: String,
    /// The bearer token sent with every request. It is never logged nor shown by `Debug`.
    pub token: String,
    /// How long one attempt (connecting, sending, and reading the whole answer) may take.
    pub request_timeout: Duration,
    /// How long one call of the [`LoanSystem`] trait may take, retries and waits included.
    pub total_deadline: Duration,
    /// How many times a failed attempt is tried again (0 for none).
    pub retries: u32,
    pub backoff: BackoffOptions,
    pub breaker: BreakerOptions,
}

impl HttpLoanSystemOptions {
    /// Options with the defaults: 3 s per attempt, 8 s per call, 2 retries from 200 ms up to 2 s, and a breaker
    /// that opens after 5 consecutive failures for 30 s.
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> HttpLoanSystemOptions {
        HttpLoanSystemOptions {
            base_url: base_url.into(),
            token: token.into(),
            request_timeout: Duration::from_secs(3),
            total_deadline: Duration::from_secs(8),
            retries: 2,
            backoff: BackoffOptions::default(),
            breaker: BreakerOptions::default(),
        }
    }
}

impl fmt::Debug for HttpLoanSystemOptions {
    /// Everything but the token.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("HttpLoanSystemOptions")
            .field("base_url", &self.base_url)
            .field("token", &"<redacted>")
            .field("request_timeout", &self.request_timeout)
            .field("total_deadline", &self.total_deadline)
            .field("retries", &self.retries)
            .field("backoff", &self.backoff)
            .field("breaker", &self.breaker)
            .finish()
    }
}

/// The loan system of a lender's core system, reached over HTTP. Clones share one connection pool and one
/// circuit breaker.
#[derive(Clone)]
pub struct HttpLoanSystem {
    inner: Arc<Inner>,
}

struct Inner {
    client: reqwest::Client,
    /// The base URL's text without a trailing slash; routes are appended to it.
    base: String,
    authorization: HeaderValue,
    request_timeout: Duration,
    total_deadline: Duration,
    retries: u32,
    backoff: BackoffOptions,
    breaker: CircuitBreaker,
}

impl fmt::Debug for HttpLoanSystem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("HttpLoanSystem")
            .field("base", &self.inner.base)
            .field("breaker", &self.breaker_state())
            .finish_non_exhaustive()
    }
}

/// One request: its method, URL, body and, for logs, the route without personal data.
pub(crate) struct Route {
    url: String,
    template: &'static str,
    method: reqwest::Method,
    /// A JSON body to send, for `POST`.
    body: Option<Vec<u8>>,
    /// The error code of a 404 that means "no such record" (`Ok(None)`), not a wrong base URL.
    not_found_code: &'static str,
}

/// What one attempt came to.
enum Attempt {
    /// 200 with its body.
    Answered(Vec<u8>),
    /// 404 with its body.
    NotFound(Vec<u8>),
    Failed {
        error: BackendError,
        retryable: bool,
        /// Whether the breaker counts it as a sign that the server is unwell.
        counts_as_failure: bool,
    },
}

impl HttpLoanSystem {
    /// Checks the options and builds the client; nothing is sent until the first call.
    pub fn new(options: HttpLoanSystemOptions) -> Result<HttpLoanSystem, BackendError> {
        let url = Url::parse(&options.base_url).map_err(|error| {
            BackendError::Setup(format!("the core system's base URL is invalid: {error}"))
        })?;
        if url.scheme() == "https" {
            // The workspace builds reqwest without a TLS feature, so an https request could never be made.
            return Err(BackendError::Setup(
                "this build has no TLS: reach an https core system through a local TLS-terminating proxy \
                 and give its http:// URL"
                    .to_owned(),
            ));
        }
        if url.scheme() != "http" {
            return Err(BackendError::Setup(format!(
                "the core system's base URL must be http, not {}",
                url.scheme()
            )));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(BackendError::Setup(
                "the core system's base URL may not carry a query or a fragment".to_owned(),
            ));
        }
        if options.request_timeout.is_zero() || options.total_deadline.is_zero() {
            return Err(BackendError::Setup(
                "the core system's request timeout and total deadline must be above zero"
                    .to_owned(),
            ));
        }
        if options.breaker.failure_threshold == 0 {
            return Err(BackendError::Setup(
                "the circuit breaker's failure threshold must be at least 1".to_owned(),
            ));
        }
        let mut authorization = HeaderValue::from_str(&format!("Bearer {}", options.token))
            .map_err(|_| {
                BackendError::Setup(
                    "the core system's token contains characters a header cannot carry".to_owned(),
                )
            })?;
        authorization.set_sensitive(true);
        let client = reqwest::Client::builder()
            .connect_timeout(options.request_timeout)
            // A redirect would carry the token to another address; the API never redirects.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| {
                BackendError::Setup(format!("cannot build the HTTP client: {error}"))
            })?;
        Ok(HttpLoanSystem {
            inner: Arc::new(Inner {
                client,
                base: url.as_str().trim_end_matches('/').to_owned(),
                authorization,
                request_timeout: options.request_timeout,
                total_deadline: options.total_deadline,
                retries: options.retries,
                backoff: options.backoff,
                breaker: CircuitBreaker::new(options.breaker),
            }),
        })
    }

    /// Where the circuit breaker stands now.
    pub fn breaker_state(&self) -> BreakerState {
        self.inner.breaker.state(Instant::now())
    }

    /// A `GET` of the route `segments`, whose 404 `customer_not_found` means no such customer.
    pub(crate) fn route(&self, template: &'static str, segments: &[&str]) -> Route {
        let mut url = self.inner.base.clone();
        for segment in segments {
            url.push('/');
            url.push_str(&encode_path_segment(segment));
        }
        Route {
            url,
            template,
            method: reqwest::Method::GET,
            body: None,
            not_found_code: CUSTOMER_NOT_FOUND,
        }
    }

    pub(crate) fn deadline(&self) -> Instant {
        Instant::now() + self.inner.total_deadline
    }

    /// Sends a request through the breaker with retries; `Ok(None)` is the route's "no such record" 404. Only
    /// idempotent requests are sent: `GET`s, and `POST`s whose body carries a request id the server deduplicates.
    pub(crate) async fn get(
        &self,
        route: &Route,
        deadline: Instant,
    ) -> Result<Option<Value>, BackendError> {
        let inner = &self.inner;
        let mut retries_done = 0;
        loop {
            let (permit, transition) = match inner.breaker.admit(Instant::now()) {
                Ok(admitted) => admitted,
                Err(refusal) => {
                    let error = refused(refusal);
                    tracing::debug!(route = route.template, %error, "core system request not sent");
                    return Err(error);
                }
            };
            log_transition(transition);
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(BackendError::Unavailable(format!(
                    "the core system did not answer within the deadline of {} ms",
                    inner.total_deadline.as_millis()
                )));
            }
            let attempt_timeout = inner.request_timeout.min(remaining);
            let started = Instant::now();
            let attempt = self.attempt(route, attempt_timeout).await;
            let elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            let (error, retryable) = match attempt {
                Attempt::Answered(body) => {
                    let parsed = decode::parse_json(&body, route.template);
                    if parsed.is_ok() {
                        log_transition(permit.succeeded());
                    }
                    tracing::debug!(route = route.template, elapsed_ms, "core system answered");
                    return parsed.map(Some);
                }
                Attempt::NotFound(body) => {
                    drop(permit);
                    return match decode::error_code(&body) {
                        Some(code) if code == route.not_found_code => Ok(None),
                        code => Err(BackendError::InvalidData(format!(
                            "{} answered 404 with the error code {code:?} instead of {:?}: \
                             is the base URL right?",
                            route.template, route.not_found_code
                        ))),
                    };
                }
                Attempt::Failed {
                    error,
                    retryable,
                    counts_as_failure,
                } => {
                    if counts_as_failure {
                        log_transition(permit.failed(Instant::now()));
                    }
                    (error, retryable)
                }
            };
            if !retryable || retries_done >= inner.retries {
                tracing::warn!(
                    route = route.template,
                    attempts = retries_done + 1,
                    elapsed_ms,
                    %error,
                    "core system request failed"
                );
                return Err(error);
            }
            retries_done += 1;
            let wait = inner.backoff.delay(retries_done, rand::random::<f64>());
            if Instant::now() + wait >= deadline {
                tracing::warn!(
                    route = route.template,
                    attempts = retries_done,
                    %error,
                    "core system request failed and no time is left to retry"
                );
                return Err(error);
            }
            tracing::info!(
                route = route.template,
                retry = retries_done,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                %error,
                "retrying a core system request"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// One request, bounded by `timeout` from connecting to the last byte of the answer.
    async fn attempt(&self, route: &Route, timeout: Duration) -> Attempt {
        let mut request = self
            .inner
            .client
            .request(route.method.clone(), &route.url)
            .header(AUTHORIZATION, self.inner.authorization.clone())
            .header(ACCEPT, "application/json");
        if let Some(body) = &route.body {
            request = request
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let exchange = async {
            let response = request.send().await?;
            let status = response.status();
            let body = read_body(response).await?;
            Ok::<_, TransportError>((status, body))
        };
        match tokio::time::timeout(timeout, exchange).await {
            Err(_elapsed) => Attempt::Failed {
                error: BackendError::Unavailable(format!(
                    "{} did not answer within {} ms",
                    route.template,
                    timeout.as_millis()
                )),
                retryable: true,
                counts_as_failure: true,
            },
            Ok(Err(TransportError::Request(error))) => {
                let retryable = error.is_connect() || error.is_timeout();
                Attempt::Failed {
                    error: BackendError::Unavailable(format!(
                        "{} failed: {}",
                        route.template,
                        describe_transport_error(&error)
                    )),
                    retryable,
                    counts_as_failure: true,
                }
            }
            Ok(Err(TransportError::TooLarge)) => Attempt::Failed {
                error: BackendError::InvalidData(format!(
                    "the answer to {} is larger than {MAX_BODY_BYTES} bytes",
                    route.template
                )),
                retryable: false,
                counts_as_failure: false,
            },
            Ok(Ok((status, body))) => classify(route, status, body),
        }
    }

    /// The account's three lists, fetched side by side under one deadline.
    async fn lists(
        &self,
        customer_id: &str,
        deadline: Instant,
    ) -> Result<Option<(Vec<Loan>, Vec<Card>, Vec<Repayment>)>, BackendError> {
        let loans_route = self.route(
            "/v1/customers/{id}/loans",
            &["v1", "customers", customer_id, "loans"],
        );
        let cards_route = self.route(
            "/v1/customers/{id}/cards",
            &["v1", "customers", customer_id, "cards"],
        );
        let repayments_route = self.route(
            "/v1/customers/{id}/repayments",
            &["v1", "customers", customer_id, "repayments"],
        );
        let (loans, cards, repayments) = tokio::try_join!(
            self.get(&loans_route, deadline),
            self.get(&cards_route, deadline),
            self.get(&repayments_route, deadline),
        )?;
        let (Some(loans), Some(cards), Some(repayments)) = (loans, cards, repayments) else {
            // The customer was removed between the requests.
            return Ok(None);
        };
        Ok(Some((
            decode::list(&loans, "loans", decode::loan)?,
            decode::list(&cards, "cards", decode::card)?,
            decode::list(&repayments, "repayments", decode::repayment)?,
        )))
    }
}

#[async_trait]
impl LoanSystem for HttpLoanSystem {
    async fn customer(&self, customer_id: &str) -> Result<Option<Customer>, BackendError> {
        let route = self.route("/v1/customers/{id}", &["v1", "customers", customer_id]);
        let Some(value) = self.get(&route, self.deadline()).await? else {
            return Ok(None);
        };
        let customer = decode::customer(&value, "customer")?;
        if customer.id != customer_id {
            return Err(BackendError::InvalidData(format!(
                "asked for customer {customer_id}, the core system answered with customer {}",
                customer.id
            )));
        }
        Ok(Some(customer))
    }

    async fn customer_by_phone(&self, phone: &str) -> Result<Option<Customer>, BackendError> {
        let route = self.route(
            "/v1/customers/by-phone/{e164}",
            &["v1", "customers", "by-phone", phone],
        );
        let Some(value) = self.get(&route, self.deadline()).await? else {
            tracing::debug!(phone = %mask_phone(phone), "no customer has this phone");
            return Ok(None);
        };
        let customer = decode::customer(&value, "customer")?;
        if customer.phone != phone {
            return Err(BackendError::InvalidData(format!(
                "asked for the customer with phone {}, the core system answered with phone {}",
                mask_phone(phone),
                mask_phone(&customer.phone)
            )));
        }
        Ok(Some(customer))
    }

    async fn account(
        &self,
        customer_id: &str,
        today: NaiveDate,
    ) -> Result<Option<Account>, BackendError> {
        let deadline = self.deadline();
        let route = self.route("/v1/customers/{id}", &["v1", "customers", customer_id]);
        let Some(value) = self.get(&route, deadline).await? else {
            return Ok(None);
        };
        let customer = decode::customer(&value, "customer")?;
        let Some((mut loans, mut cards, mut repayments)) =
            self.lists(customer_id, deadline).await?
        else {
            return Ok(None);
        };
        check_ownership(customer_id, &loans, &cards, &repayments)?;
        // The API leaves the order of each list to the core system; these are the orders every implementation
        // answers in. Sorts are stable, so repayments at the same moment on the same loan keep the server's order.
        loans.sort_by(|left, right| {
            (left.disbursed_on, &left.id).cmp(&(right.disbursed_on, &right.id))
        });
        for loan in &mut loans {
            loan.installments.sort_by_key(|installment| installment.seq);
        }
        cards.sort_by(|left, right| (&left.bank, &left.last4).cmp(&(&right.bank, &right.last4)));
        repayments.sort_by(|left, right| (right.at, &right.loan_id).cmp(&(left.at, &left.loan_id)));
        Ok(Some(Account {
            customer,
            as_of: today,
            loans: loans.iter().map(|loan| summarize(loan, today)).collect(),
            cards,
            repayments,
        }))
    }

    async fn health(&self) -> Result<(), BackendError> {
        let route = self.route("/v1/health", &["v1", "health"]);
        let outcome = match self.attempt(&route, self.inner.request_timeout).await {
            Attempt::Answered(body) => {
                let value = decode::parse_json(&body, route.template)?;
                match value.get("status").and_then(Value::as_str) {
                    Some("ok") => Ok(()),
                    Some(status) => Err(BackendError::Unavailable(format!(
                        "the core system reports its status as {:?}",
                        status.chars().take(32).collect::<String>()
                    ))),
                    None => Err(BackendError::InvalidData(
                        "the health answer has no status string".to_owned(),
                    )),
                }
            }
            Attempt::NotFound(_) => Err(BackendError::Unavailable(
                "the core system has no /v1/health: is the base URL right?".to_owned(),
            )),
            Attempt::Failed { error, .. } => Err(error),
        };
        outcome?;
        let open_for = self.inner.breaker.open_for(Instant::now());
        if !open_for.is_zero() {
            return Err(BackendError::Unavailable(format!(
                "the core system answers its health check, but the circuit breaker is open after repeated \
                 failures for {} ms more",
                open_for.as_millis()
            )));
        }
        Ok(())
    }
}

/// Maps a status other than a transport failure to what the attempt came to.
fn classify(route: &Route, status: StatusCode, body: Vec<u8>) -> Attempt {
    let code = || {
        decode::error_code(&body)
            .map(|code| format!(" ({code})"))
            .unwrap_or_default()
    };
    match status.as_u16() {
        200 | 201 => Attempt::Answered(body),
        404 => Attempt::NotFound(body),
        401 | 403 => Attempt::Failed {
            error: BackendError::Unavailable(format!(
                "the core system refused our token for {}: {status}{}",
                route.template,
                code()
            )),
            retryable: false,
            counts_as_failure: false,
        },
        502..=504 => Attempt::Failed {
            error: BackendError::Unavailable(format!(
                "{} answered {status}{}",
                route.template,
                code()
            )),
            retryable: true,
            counts_as_failure: true,
        },
        429 | 500..=599 => Attempt::Failed {
            error: BackendError::Unavailable(format!(
                "{} answered {status}{}",
                route.template,
                code()
            )),
            retryable: false,
            counts_as_failure: true,
        },
        400..=499 => Attempt::Failed {
            error: BackendError::Rejected(format!(
                "{} answered {status}{}",
                route.template,
                code()
            )),
            retryable: false,
            counts_as_failure: false,
        },
        _ => Attempt::Failed {
            error: BackendError::InvalidData(format!(
                "{} answered {status}, which the API never sends",
                route.template
            )),
            retryable: false,
            counts_as_failure: false,
        },
    }
}

enum TransportError {
    Request(reqwest::Error),
    TooLarge,
}

impl From<reqwest::Error> for TransportError {
    fn from(error: reqwest::Error) -> TransportError {
        TransportError::Request(error)
    }
}

/// Reads the whole body, refusing one larger than [`MAX_BODY_BYTES`].
async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, TransportError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(TransportError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// A transport error in words, without the URL (which may carry a customer id or a phone number).
fn describe_transport_error(error: &reqwest::Error) -> String {
    let kind = if error.is_connect() {
        "cannot connect"
    } else if error.is_timeout() {
        "timed out"
    } else if error.is_body() || error.is_decode() {
        "the answer broke off"
    } else if error.is_builder() {
        "the request could not be built"
    } else {
        "the request failed"
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    match causes.last() {
        Some(root) => format!("{kind}: {root}"),
        None => kind.to_owned(),
    }
}

fn refused(refusal: Refusal) -> BackendError {
    match refusal {
        Refusal::Open { retry_in } => BackendError::Unavailable(format!(
            "the core system failed repeatedly; the circuit breaker lets a request through again in {} ms",
            retry_in.as_millis()
        )),
        Refusal::ProbeInFlight => BackendError::Unavailable(
            "the core system failed repeatedly and a trial request is under way".to_owned(),
        ),
    }
}

fn log_transition(transition: Option<Transition>) {
    match transition {
        Some(Transition::Opened {
            consecutive_failures,
        }) => tracing::warn!(
            consecutive_failures,
            "core system circuit breaker opened: requests fail fast"
        ),
        Some(Transition::Reopened) => {
            tracing::warn!("core system circuit breaker probe failed: open again")
        }
        Some(Transition::HalfOpened) => {
            tracing::info!("core system circuit breaker half-open: sending one probe")
        }
        Some(Transition::Closed) => {
            tracing::info!("core system circuit breaker closed: the core system answers again")
        }
        None => {}
    }
}

/// Every loan, card and repayment must belong to the customer asked about.
fn check_ownership(
    customer_id: &str,
    loans: &[Loan],
    cards: &[Card],
    repayments: &[Repayment],
) -> Result<(), BackendError> {
    for (index, loan) in loans.iter().enumerate() {
        if loan.customer_id != customer_id {
            return Err(BackendError::InvalidData(format!(
                "loans[{index}].customer_id is {}, not the customer asked about ({customer_id})",
                loan.customer_id
            )));
        }
    }
    for (index, card) in cards.iter().enumerate() {
        if card.customer_id != customer_id {
            return Err(BackendError::InvalidData(format!(
                "cards[{index}].customer_id is {}, not the customer asked about ({customer_id})",
                card.customer_id
            )));
        }
    }
    for (index, repayment) in repayments.iter().enumerate() {
        if !loans.iter().any(|loan| loan.id == repayment.loan_id) {
            return Err(BackendError::InvalidData(format!(
                "repayments[{index}].loan_id is {}, which is not one of the customer's loans",
                repayment.loan_id
            )));
        }
    }
    Ok(())
}

/// Percent-encodes one path segment: unreserved characters stay, every other byte becomes `%XX` (so the `+` of
/// an E.164 number travels as `%2B`).
fn encode_path_segment(segment: &str) -> String {
    let mut encoded = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// A phone number fit for logs: the country prefix and first three digits and the last four stay, the digits
/// between become `*` (`+8613812345678` → `+86138****5678`). Short numbers keep only their last two digits.
pub fn mask_phone(phone: &str) -> String {
    let characters: Vec<char> = phone.chars().collect();
    let length = characters.len();
    let (keep_start, keep_end) = if length >= 11 {
        (length - 8, 4)
    } else {
        (0, length.min(2))
    };
    characters
        .iter()
        .enumerate()
        .map(|(index, character)| {
            if index < keep_start || index >= length - keep_end || *character == '+' {
                *character
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_masked_in_the_middle() {
        assert_eq!(mask_phone("+8613812345678"), "+86138****5678");
        assert_eq!(mask_phone("+14155550123"), "+141****0123");
        assert_eq!(mask_phone("12345"), "***45");
        assert_eq!(mask_phone(""), "");
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(encode_path_segment("+8613812345678"), "%2B8613812345678");
        assert_eq!(encode_path_segment("D001"), "D001");
        assert_eq!(encode_path_segment("a/b c"), "a%2Fb%20c");
        assert_eq!(encode_path_segment("张"), "%E5%BC%A0");
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitter_takes_off_up_to_half() {
        let backoff = BackoffOptions {
            initial: Duration::from_millis(100),
            max: Duration::from_millis(350),
        };
        assert_eq!(backoff.delay(1, 1.0), Duration::from_millis(100));
        assert_eq!(backoff.delay(1, 0.0), Duration::from_millis(50));
        assert_eq!(backoff.delay(2, 1.0), Duration::from_millis(200));
        // 400 ms is capped at 350 ms.
        assert_eq!(backoff.delay(3, 1.0), Duration::from_millis(350));
        assert_eq!(
            backoff.delay(3, 0.5),
            Duration::from_millis(262) + Duration::from_micros(500)
        );
        // A huge retry number neither overflows nor passes the cap.
        assert_eq!(backoff.delay(200, 1.0), Duration::from_millis(350));
    }

    #[test]
    fn options_check_the_url_the_threshold_and_the_token() {
        let valid = HttpLoanSystemOptions::new("http://127.0.0.1:9/api/", "secret-token");
        let system = HttpLoanSystem::new(valid.clone()).expect("valid options");
        assert_eq!(system.inner.base, "http://127.0.0.1:9/api");
        assert_eq!(system.breaker_state(), BreakerState::Closed);
        assert!(!format!("{valid:?}").contains("secret-token"));

        let cases = [
            HttpLoanSystemOptions {
                base_url: "ftp://core".to_owned(),
                ..valid.clone()
            },
            HttpLoanSystemOptions {
                base_url: "not a url".to_owned(),
                ..valid.clone()
            },
            HttpLoanSystemOptions {
                token: "line\nbreak".to_owned(),
                ..valid.clone()
            },
            HttpLoanSystemOptions {
                breaker: BreakerOptions {
                    failure_threshold: 0,
                    open_duration: Duration::from_secs(1),
                },
                ..valid.clone()
            },
            HttpLoanSystemOptions {
                request_timeout: Duration::ZERO,
                ..valid
            },
        ];
        for options in cases {
            assert!(
                matches!(
                    HttpLoanSystem::new(options.clone()),
                    Err(BackendError::Setup(_))
                ),
                "{options:?} should be refused"
            );
        }
    }
}

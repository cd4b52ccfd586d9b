//! Cases in a lender's case system over HTTP: [`HttpCases`] implements [`Cases`] against the routes under
//! `/v1/cases` of `connectors/HTTP-API.md`, with the same client as the loan system: per-attempt timeouts, a
//! total deadline, retries with capped jittered backoff, a circuit breaker and a health check.
//!
//! Opening a case is a `POST` and still safe to retry: its body carries the caller's `request_id`, and the API
//! requires the case system to answer a repeated `request_id` with the case it already opened. The answer must be
//! that case, for that customer and kind, or it is refused as invalid data.

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{HttpLoanSystem, HttpLoanSystemOptions, Route, decode};
use crate::cases::{self, Case, Cases, NewCase};
use crate::{BackendError, LoanSystem};

/// The error code of a 404 that means "no such case".
const CASE_NOT_FOUND: &str = "case_not_found";

/// A lender's case system reached over HTTP. Clones share one connection pool and one circuit breaker.
#[derive(Debug, Clone)]
pub struct HttpCases {
    client: HttpLoanSystem,
}

impl HttpCases {
    /// Checks the options (the same as the loan system's: base URL, token, timeouts, retries, breaker) and
    /// builds the client; nothing is sent until the first call.
    pub fn new(options: HttpLoanSystemOptions) -> Result<HttpCases, BackendError> {
        Ok(HttpCases {
            client: HttpLoanSystem::new(options)?,
        })
    }

    /// Where the circuit breaker stands now.
    pub fn breaker_state(&self) -> super::BreakerState {
        self.client.breaker_state()
    }

    fn case_route(&self, template: &'static str, segments: &[&str]) -> Route {
        let mut route = self.client.route(template, segments);
        route.not_found_code = CASE_NOT_FOUND;
        route
    }
}

#[async_trait]
impl Cases for HttpCases {
    async fn open_case(&self, request: &NewCase) -> Result<Case, BackendError> {
        cases::validate(request)?;
        let body = json!({
            "request_id": request.request_id,
            "customer_id": request.customer_id,
            "kind": request.kind,
            "summary": request.summary,
            "details": request.details,
            "opened_at": request.opened_at.to_rfc3339(),
        });
        let mut route = self.case_route("/v1/cases", &["v1", "cases"]);
        route.method = reqwest::Method::POST;
        route.body = Some(body.to_string().into_bytes());
        let Some(answer) = self.client.get(&route, self.client.deadline()).await? else {
            return Err(BackendError::InvalidData(
                "POST /v1/cases answered 404 case_not_found".to_owned(),
            ));
        };
        let case = decode::case(envelope(&answer, "case")?, "case")?;
        if case.customer_id != request.customer_id || case.kind != request.kind {
            return Err(BackendError::InvalidData(format!(
                "asked to open a {} case, the case system answered with a {} case of another customer or kind",
                request.kind,
                case.kind.chars().take(40).collect::<String>()
            )));
        }
        Ok(case)
    }

    async fn case(&self, reference: &str) -> Result<Option<Case>, BackendError> {
        let route = self.case_route("/v1/cases/{reference}", &["v1", "cases", reference]);
        let Some(answer) = self.client.get(&route, self.client.deadline()).await? else {
            return Ok(None);
        };
        let case = decode::case(envelope(&answer, "case")?, "case")?;
        if !case.reference.eq_ignore_ascii_case(reference.trim()) {
            return Err(BackendError::InvalidData(
                "asked for one case, the case system answered with another".to_owned(),
            ));
        }
        Ok(Some(case))
    }

    async fn cases_of(&self, customer_id: &str) -> Result<Vec<Case>, BackendError> {
        let route = self.client.route(
            "/v1/customers/{id}/cases",
            &["v1", "customers", customer_id, "cases"],
        );
        let Some(answer) = self.client.get(&route, self.client.deadline()).await? else {
            return Ok(Vec::new());
        };
        let mut cases = decode::list(&answer, "cases", decode::case)?;
        if let Some((index, _)) = cases
            .iter()
            .enumerate()
            .find(|(_, case)| case.customer_id != customer_id)
        {
            return Err(BackendError::InvalidData(format!(
                "cases[{index}].customer_id is not the customer asked about ({customer_id})"
            )));
        }
        cases.sort_by(|left, right| {
            (right.opened_at, &right.reference).cmp(&(left.opened_at, &left.reference))
        });
        Ok(cases)
    }

    async fn health(&self) -> Result<(), BackendError> {
        self.client.health().await
    }
}

/// The object under `key` of an answer such as `{"case": {...}}`.
fn envelope<'answer>(answer: &'answer Value, key: &str) -> Result<&'answer Value, BackendError> {
    answer
        .get(key)
        .ok_or_else(|| BackendError::InvalidData(format!("the answer has no {key:?} object")))
}

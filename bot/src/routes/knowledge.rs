//! The routes of the lender's knowledge: the graph as JSON or DOT, the FAQ search as the chat would run it, the
//! reload of a knowledge folder without a restart, and the graph browser page.
//!
//! Reading (`GET /v1/knowledge/graph`, `GET /v1/knowledge/search`) takes any valid token, a customer's included:
//! the graph and the FAQ hold the lender's public facts, the same the bot tells any customer who asks, so a
//! customer token is enough; a token is still required so that the full dump and the search are not open to
//! anonymous scraping, like every other `/v1` route but the stateless NLU parse. Where a node was written is given
//! relative to the knowledge folder, never as a path of the server. Reloading (`POST /v1/knowledge/reload`) changes
//! what every customer is told, so it takes an administrator token, as does the reload status
//! (`GET /v1/knowledge/status`); a customer token is 403.

use std::path::Path;
use std::time::Instant;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use knowledge_graph::{GraphExport, Lang};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::AppError;
use crate::knowledge::{KnowledgeError, KnowledgeOrigin, KnowledgeService, ReloadFailure};
use crate::routes::extract::Authenticated;
use crate::server::AppState;
use crate::telemetry;

/// The graph browser page, a self-contained HTML file (script and styles inline, nothing fetched from elsewhere).
pub const GRAPH_PAGE: &str = include_str!("../../assets/graph.html");

/// The media type of Graphviz DOT.
pub const DOT_MEDIA_TYPE: &str = "text/vnd.graphviz";

/// The most FAQ hits one search returns.
const MAX_SEARCH_LIMIT: usize = 20;

/// `GET /knowledge`: the graph browser.
pub async fn graph_page() -> Html<&'static str> {
    Html(GRAPH_PAGE)
}

#[derive(Debug, Deserialize)]
pub struct GraphQuery {
    /// `json` (the default) or `dot`.
    pub format: Option<String>,
}

/// The graph as JSON, with where the knowledge came from.
#[derive(Debug, Serialize)]
struct GraphBody {
    /// `bundled` or `folder`.
    origin: &'static str,
    faq_entries: usize,
    #[serde(flatten)]
    graph: GraphExport,
}

/// `GET /v1/knowledge/graph[?format=json|dot]`: the graph in service; DOT also for `Accept: text/vnd.graphviz`.
pub async fn graph(
    State(state): State<AppState>,
    Authenticated(_claims): Authenticated,
    Query(query): Query<GraphQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let knowledge = knowledge_service(&state)?;
    let wants_dot = match query.format.as_deref().map(str::trim) {
        Some("dot") => true,
        Some("json") => false,
        Some(other) => {
            return Err(AppError::bad_request(
                "invalid_format",
                format!("format must be json or dot, not {other:?}"),
            ));
        }
        None => headers
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains(DOT_MEDIA_TYPE)),
    };
    let base = knowledge.current();
    let folder = folder_of(knowledge);
    let mut export = base.graph.export();
    for node in &mut export.nodes {
        node.origin = relative_to(folder, &node.origin);
    }
    if wants_dot {
        let mut dot = base.graph.to_dot();
        if let Some(folder) = folder {
            // The tooltips carry each node's origin; keep the server's paths out of them too.
            dot = dot.replace(
                &format!("{}{}", folder.display(), std::path::MAIN_SEPARATOR),
                "",
            );
        }
        return Ok((
            [(
                header::CONTENT_TYPE,
                format!("{DOT_MEDIA_TYPE}; charset=utf-8"),
            )],
            dot,
        )
            .into_response());
    }
    let body = GraphBody {
        origin: match knowledge.origin() {
            KnowledgeOrigin::Bundled => "bundled",
            KnowledgeOrigin::Folder(_) => "folder",
        },
        faq_entries: base.faq.len(),
        graph: export,
    };
    Ok(Json(body).into_response())
}

#[derive(Debug, Deserialize)]
pub struct SearchQuery {
    /// The question.
    pub q: Option<String>,
    /// `zh` or `en`: the language of the answers to show first; both are always returned.
    pub lang: Option<String>,
    /// How many entries, 1 to 20; 5 by default.
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize)]
struct SearchHitBody {
    faq_id: String,
    confidence: f32,
    score: f32,
    /// Whether the confidence reaches the threshold at which the chat gives this answer.
    answers: bool,
    matched_question: String,
    question: knowledge_graph::LocalText,
    answer: knowledge_graph::LocalText,
    intent: Option<String>,
    sources: Vec<String>,
}

/// `GET /v1/knowledge/search?q=...`: the FAQ entries the search ranks for a question, best first, each with its
/// confidence and whether the chat would give it as the answer.
pub async fn search(
    State(state): State<AppState>,
    Authenticated(_claims): Authenticated,
    Query(query): Query<SearchQuery>,
) -> Result<Json<serde_json::Value>, AppError> {
    let knowledge = knowledge_service(&state)?.clone();
    let question = query.q.as_deref().map(str::trim).unwrap_or_default();
    if question.is_empty() {
        return Err(AppError::bad_request(
            "empty_query",
            "q must hold the question to search for",
        ));
    }
    let max_chars = state.chat().max_message_chars();
    if question.chars().count() > max_chars {
        return Err(AppError::bad_request(
            "query_too_long",
            format!("q may hold at most {max_chars} characters"),
        ));
    }
    let lang = match query.lang.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("zh") => Some(Lang::Zh),
        Some("en") => Some(Lang::En),
        Some(other) => {
            return Err(AppError::bad_request(
                "invalid_lang",
                format!("lang must be zh or en, not {other:?}"),
            ));
        }
    };
    let limit = query.limit.unwrap_or(5);
    if !(1..=MAX_SEARCH_LIMIT).contains(&limit) {
        return Err(AppError::bad_request(
            "invalid_limit",
            format!("limit must be between 1 and {MAX_SEARCH_LIMIT}"),
        ));
    }
    let question = question.to_owned();
    let (threshold, hits) = tokio::task::spawn_blocking(move || {
        let base = knowledge.current();
        let threshold = base.index.calibration().threshold;
        let hits: Vec<SearchHitBody> = base
            .index
            .search(&question, lang, limit)
            .into_iter()
            .filter_map(|hit| {
                let entry = base.index.entry(&hit.faq_id)?;
                Some(SearchHitBody {
                    answers: hit.confidence >= threshold,
                    question: knowledge_graph::LocalText {
                        zh: entry.questions_zh.first().cloned().unwrap_or_default(),
                        en: entry.questions_en.first().cloned().unwrap_or_default(),
                    },
                    answer: entry.answer.clone(),
                    intent: entry.intent.clone(),
                    sources: entry.sources.clone(),
                    faq_id: hit.faq_id,
                    confidence: hit.confidence,
                    score: hit.score,
                    matched_question: hit.matched_question,
                })
            })
            .collect();
        (threshold, hits)
    })
    .await
    .map_err(|error| AppError::Internal(anyhow::Error::new(error).context("the FAQ search")))?;
    Ok(Json(json!({"threshold": threshold, "hits": hits})))
}

/// `POST /v1/knowledge/reload`: re-reads the knowledge folder, validates it and puts it in service at once.
/// Knowledge that does not validate is 422 with every problem (`file`, `line`, `message`) and the knowledge in
/// service stays; a folder that cannot be read is 500 with the reason. Administrator tokens only.
pub async fn reload(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
) -> Result<Response, AppError> {
    if !claims.is_admin() {
        return Err(AppError::Forbidden(
            "reloading the knowledge needs an administrator token".to_owned(),
        ));
    }
    let knowledge = knowledge_service(&state)?.clone();
    let started = Instant::now();
    let service = knowledge.clone();
    let outcome = tokio::task::spawn_blocking(move || service.reload())
        .await
        .map_err(|error| AppError::Internal(anyhow::Error::new(error).context("the reload")))?;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let folder = folder_of(&knowledge);
    match outcome {
        Ok(base) => {
            tracing::info!(
                nodes = base.graph.node_count(),
                relations = base.graph.relation_count(),
                faq_entries = base.faq.len(),
                elapsed_ms,
                "knowledge reloaded on request"
            );
            Ok(Json(json!({
                "status": "reloaded",
                "nodes": base.graph.node_count(),
                "relations": base.graph.relation_count(),
                "faq_entries": base.faq.len(),
                "elapsed_ms": elapsed_ms,
            }))
            .into_response())
        }
        Err(KnowledgeError::Invalid(error)) => {
            telemetry::record_error("invalid_knowledge");
            tracing::warn!(
                problems = error.0.len(),
                "the knowledge folder does not validate; the knowledge in service stays:\n{error}"
            );
            let problems: Vec<serde_json::Value> = error
                .0
                .iter()
                .map(|problem| {
                    json!({
                        "file": relative_to(folder, &problem.file),
                        "line": problem.line,
                        "message": problem.message,
                    })
                })
                .collect();
            let message = format!(
                "{} problem(s) in the knowledge files; the knowledge in service is unchanged",
                problems.len()
            );
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({"error": {
                    "code": "invalid_knowledge",
                    "message": message,
                    "problems": problems,
                }})),
            )
                .into_response())
        }
        Err(KnowledgeError::Unreadable(error)) => {
            telemetry::record_error("knowledge_unreadable");
            tracing::error!(
                error = format!("{error:#}"),
                "the knowledge folder cannot be read"
            );
            Ok((
                StatusCode::INTERNAL_SERVER_ERROR,
                Json(json!({"error": {
                    "code": "knowledge_unreadable",
                    "message": format!("{error:#}; the knowledge in service is unchanged"),
                }})),
            )
                .into_response())
        }
    }
}

/// `GET /v1/knowledge/status`: what is in service and how the latest reload (on request or by the folder watch)
/// went, with every problem when it failed. Administrator tokens only.
pub async fn status(
    State(state): State<AppState>,
    Authenticated(claims): Authenticated,
) -> Result<Json<serde_json::Value>, AppError> {
    if !claims.is_admin() {
        return Err(AppError::Forbidden(
            "the knowledge status needs an administrator token".to_owned(),
        ));
    }
    let knowledge = knowledge_service(&state)?;
    let folder = folder_of(knowledge);
    let base = knowledge.current();
    let last_reload = knowledge.last_reload().map(|record| {
        let (problems, error) = match &record.failure {
            None => (Vec::new(), None),
            Some(ReloadFailure::Invalid(problems)) => (
                problems
                    .iter()
                    .map(|problem| {
                        json!({
                            "file": relative_to(folder, &problem.file),
                            "line": problem.line,
                            "message": problem.message,
                        })
                    })
                    .collect(),
                None,
            ),
            Some(ReloadFailure::Unreadable(error)) => (Vec::new(), Some(error.clone())),
        };
        json!({
            "trigger": record.trigger.as_str(),
            "finished_at": record.finished_at.to_rfc3339(),
            "elapsed_ms": record.elapsed.as_millis() as u64,
            "ok": record.failure.is_none(),
            "problems": problems,
            "error": error,
        })
    });
    Ok(Json(json!({
        "origin": match knowledge.origin() {
            KnowledgeOrigin::Bundled => "bundled",
            KnowledgeOrigin::Folder(_) => "folder",
        },
        "nodes": base.graph.node_count(),
        "relations": base.graph.relation_count(),
        "faq_entries": base.faq.len(),
        "last_reload": last_reload,
    })))
}

fn knowledge_service(state: &AppState) -> Result<&KnowledgeService, AppError> {
    state
        .chat()
        .knowledge()
        .ok_or_else(|| AppError::Unavailable("this server has no knowledge loaded".to_owned()))
}

fn folder_of(knowledge: &KnowledgeService) -> Option<&Path> {
    match knowledge.origin() {
        KnowledgeOrigin::Folder(folder) => Some(folder),
        KnowledgeOrigin::Bundled => None,
    }
}

/// `origin` (a file name, perhaps with `:line`) without the knowledge folder in front of it.
fn relative_to(folder: Option<&Path>, origin: &str) -> String {
    let Some(folder) = folder else {
        return origin.to_owned();
    };
    Path::new(origin)
        .strip_prefix(folder)
        .map(|rest| rest.display().to_string())
        .unwrap_or_else(|_| origin.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_lose_the_folder_of_the_server() {
        let folder = Path::new("/srv/lender/knowledge");
        assert_eq!(
            relative_to(Some(folder), "/srv/lender/knowledge/faq/fees.toml:12"),
            "faq/fees.toml:12"
        );
        assert_eq!(
            relative_to(Some(folder), "knowledge/lender.toml:3"),
            "knowledge/lender.toml:3"
        );
        assert_eq!(
            relative_to(Some(folder), "/srv/lender/knowledge-old/lender.toml:3"),
            "/srv/lender/knowledge-old/lender.toml:3"
        );
        assert_eq!(
            relative_to(None, "knowledge/lender.toml:3"),
            "knowledge/lender.toml:3"
        );
    }
}

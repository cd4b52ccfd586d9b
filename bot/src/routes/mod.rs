//! The HTTP routes of `anxin serve`, one module per concern, and the router that joins them.

pub mod chat;
pub mod extract;
pub mod knowledge;
pub mod nlu;
pub mod review;
pub mod system;
pub mod websocket;

use axum::Router;
use axum::routing::{get, post};

use crate::server::AppState;

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(system::chat_page))
        .route("/healthz", get(system::health))
        .route("/metrics", get(system::metrics))
        .route("/v1/nlu/parse", post(nlu::parse))
        .route("/v1/chat", post(chat::chat))
        .route("/v1/chat/ws", get(websocket::chat_websocket))
        .route("/v1/conversations", get(chat::list_conversations))
        .route(
            "/v1/conversations/{conversation_id}",
            get(chat::conversation_detail),
        )
        .route("/v1/handoffs", get(chat::list_handoffs))
        .route("/v1/review/items", get(review::list_items))
        .route("/v1/review/items/{id}/label", post(review::label_item))
        .route("/v1/review/items/{id}/dismiss", post(review::dismiss_item))
        .route("/knowledge", get(knowledge::graph_page))
        .route("/v1/knowledge/graph", get(knowledge::graph))
        .route("/v1/knowledge/search", get(knowledge::search))
        .route("/v1/knowledge/reload", post(knowledge::reload))
        .route("/v1/knowledge/status", get(knowledge::status))
        .fallback(system::not_found)
        .with_state(state)
}

//! The `anxin` binary's library: configuration, the command line, the HTTP and WebSocket server, customer
//! authentication, metrics, and the wiring of the NLU, the dialog manager and the backends into one turn
//! pipeline. This is the only crate that knows the wire (JSON shapes, status codes, frames) and the only one
//! that does I/O on behalf of the pure engines (`nlu`, `dialog`).
//!
//! The map:
//! - [`settings`]: one typed [`Settings`] from a TOML file, `ANXIN_*` variables and flags.
//! - [`cli`]: `anxin serve | token | seed | nlu train | nlu eval | nlu parse`.
//! - [`server`]: [`Application::build`], `run_until_stopped`, `run_with_shutdown`; [`routes`] holds the handlers.
//! - [`chat`]: the turn pipeline shared by REST and WebSocket; [`websocket`] is the socket session and its frames.
//! - [`knowledge`]: the lender's graph, FAQ and FAQ index in service, reloadable; [`semantic`]: FAQ search by
//!   meaning with the sentence encoder.
//! - [`auth`]: HS256 tokens; [`models`]: the intent model cache; [`account_view`]: loan system to dialog types.
//! - [`error`]: the one `AppError` of the HTTP edge; [`wire`]: request and response bodies; [`telemetry`]:
//!   logs and Prometheus metrics.

pub mod account_view;
pub mod auth;
pub mod bench;
pub mod chat;
pub mod cli;
pub mod error;
pub mod fetch;
pub mod knowledge;
pub mod knowledge_bench;
pub mod knowledge_tune;
pub mod models;
pub mod routes;
pub mod semantic;
pub mod server;
pub mod settings;
pub mod telemetry;
pub mod voice;
pub mod websocket;
pub mod wire;

pub use server::Application;
pub use settings::Settings;

//! Tests of the `bot` library's pipeline against real parts: a fresh SQLite database per test, the installed
//! intent model (trained once into `target/anxin-test-models`, shared with the end-to-end tests), the real
//! dialog manager, and the WebSocket session driven through channels instead of a socket.

mod support;

mod chat;
mod server;
mod session;

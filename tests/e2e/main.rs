//! Anxin end to end: the real server on a free port with a fresh database, driven over HTTP and the WebSocket as an
//! outside client would. One test binary with a module per concern (faster to link than one binary per file).

mod chat;
mod conversations;
mod facts;
mod knowledge;
mod protocol;
mod review;
mod security;
mod tidy;
mod voice;

//! Integration tests of the SQL stores, each run against SQLite (a file in a fresh temporary folder) and against
//! PostgreSQL at `postgres://root@127.0.0.1:5432/` (a fresh database `anxin_test_<uuid>` created and dropped by the
//! test; no other database is touched).

mod cases;
mod conversations;
mod demo;
mod http_loan_system;
mod loan_system;
mod support;

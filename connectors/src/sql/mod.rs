//! The SQL implementations of [`LoanSystem`](crate::LoanSystem) and [`ConversationStore`](crate::ConversationStore),
//! on SQLite or PostgreSQL through sqlx.
//!
//! One code path serves both databases: the pool is sqlx's runtime-generic `Any` driver, every statement is a
//! runtime `sqlx::query` with `$1`-style placeholders (both databases accept them), and the schema is portable:
//! TEXT ids, money as exact decimal strings parsed with `rust_decimal`, dates as ISO TEXT, timestamps as RFC 3339
//! TEXT, BIGINT counters and no auto-increment (messages are keyed by conversation and sequence number).
//!
//! Migrations are the files in `connectors/migrations/`, embedded in the binary with `include_str!` and run by
//! sqlx's [`Migrator`] into its usual `_sqlx_migrations` table. The files are portable SQL, so one folder serves
//! both databases; should a later migration need dialect-specific SQL, it gets a folder per database picked by
//! URL. They are not loaded with the `sqlx::migrate!` macro because that macro needs sqlx's proc-macro crate,
//! which the workspace does not build; the version, description and checksum of each migration are the ones
//! `sqlx::migrate!` would record, so a database stays valid if the project switches to the macro.
//!
//! Connecting accepts `sqlite://PATH` (also `sqlite:PATH` and `sqlite::memory:`) and `postgres://...`
//! (or `postgresql://...`). A SQLite file and its parent folders are created when missing, the database runs in
//! WAL mode with foreign keys enforced and a busy timeout, and write transactions start with `BEGIN IMMEDIATE` so
//! that concurrent writers wait for each other instead of failing. When the PostgreSQL server answers that the
//! database does not exist, it is created through the server's `postgres` database and connected to again.

mod cases;
mod conversations;
mod loan_system;
mod review;

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, Utc};
use rust_decimal::Decimal;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::migrate::{MigrateDatabase, Migration, MigrationType, Migrator};
use sqlx::{Any, AnyPool, Executor, Row, SqlSafeStr, Transaction};

use crate::BackendError;

pub use cases::SqlCases;
pub use conversations::SqlConversationStore;
pub use loan_system::SqlLoanSystem;
pub use review::SqlReviewQueue;

/// The migrations in `connectors/migrations/`, in order: version, description and SQL.
const MIGRATIONS: [(i64, &str, &str); 4] = [
    (
        1,
        "loan system",
        include_str!("../../migrations/0001_loan_system.sql"),
    ),
    (
        2,
        "conversations",
        include_str!("../../migrations/0002_conversations.sql"),
    ),
    (
        3,
        "review queue",
        include_str!("../../migrations/0003_review_queue.sql"),
    ),
    (5, "cases", include_str!("../../migrations/0005_cases.sql")),
];

/// How long a request waits for a free connection before the database counts as unavailable.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long SQLite waits for another connection's write lock before giving up.
const SQLITE_BUSY_TIMEOUT_MILLISECONDS: u32 = 5_000;
/// WAL lets readers run beside the one writer; a handful of reading connections is plenty on a small machine.
const SQLITE_MAX_CONNECTIONS: u32 = 4;
const POSTGRES_MAX_CONNECTIONS: u32 = 10;

/// Which database a [`Database`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseBackend {
    Sqlite,
    Postgres,
}

impl DatabaseBackend {
    pub fn as_str(self) -> &'static str {
        match self {
            DatabaseBackend::Sqlite => "sqlite",
            DatabaseBackend::Postgres => "postgres",
        }
    }
}

/// A connection pool to the configured database, created and migrated by [`Database::connect`].
#[derive(Clone)]
pub struct Database {
    url: String,
    backend: DatabaseBackend,
    pool: AnyPool,
    /// Where write transactions run. For a SQLite file this is a pool of its own with exactly one connection:
    /// SQLite lets one writer in at a time, and writers that queue for that connection in this process wait their
    /// turn in order and wake the moment it is free, whereas writers on several connections collide in SQLite's
    /// busy handler, which sleeps 1, 2, 5, 10 ms and more between tries. Elsewhere it is the same pool as `pool`.
    writer: AnyPool,
}

impl fmt::Debug for Database {
    /// Shows the backend but not the URL, which may carry a password.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Database")
            .field("backend", &self.backend)
            .field("connections", &self.pool.size())
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Connects to `sqlite://PATH` or `postgres://...`, creating the database if missing and migrating it.
    pub async fn connect(url: &str) -> Result<Database, BackendError> {
        sqlx::any::install_default_drivers();
        let target = DatabaseTarget::parse(url)?;
        let (pool, writer) = match &target {
            DatabaseTarget::SqliteFile { path, connect_url } => {
                create_parent_folders(path)?;
                let options = parse_connect_options(connect_url)?;
                let writer = sqlite_pool_options(1, 0)
                    .connect_with(options.clone())
                    .await
                    .map_err(connect_error)?;
                let readers = sqlite_pool_options(SQLITE_MAX_CONNECTIONS, 0)
                    .connect_with(options)
                    .await
                    .map_err(connect_error)?;
                (readers, writer)
            }
            DatabaseTarget::SqliteMemory { connect_url } => {
                // Every connection to `:memory:` would open a database of its own, so the pool keeps exactly one
                // connection open for as long as it lives.
                let pool = sqlite_pool_options(1, 1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(parse_connect_options(connect_url)?)
                    .await
                    .map_err(connect_error)?;
                (pool.clone(), pool)
            }
            DatabaseTarget::Postgres => {
                let options = parse_connect_options(url)?;
                let pool = match postgres_pool_options().connect_with(options.clone()).await {
                    Ok(pool) => pool,
                    Err(error) if names_a_missing_database(&error) => {
                        create_postgres_database(url).await?;
                        postgres_pool_options()
                            .connect_with(options)
                            .await
                            .map_err(connect_error)?
                    }
                    Err(error) => return Err(connect_error(error)),
                };
                (pool.clone(), pool)
            }
        };
        let database = Database {
            url: url.to_owned(),
            backend: target.backend(),
            pool,
            writer,
        };
        database.migrate().await?;
        tracing::info!(backend = database.backend.as_str(), "database ready");
        Ok(database)
    }

    /// The URL this database was opened with (it may carry a password: do not log it).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.backend
    }

    /// The underlying pool, for tools and tests that need plain SQL.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The pool a statement that writes outside a transaction runs on (see [`Database::begin_write`]).
    pub(crate) fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// The loan system stored in this database.
    pub fn loan_system(&self) -> SqlLoanSystem {
        SqlLoanSystem::new(self.clone())
    }

    /// The cases kept in this database.
    pub fn cases(&self) -> SqlCases {
        SqlCases::new(self.clone())
    }

    /// The conversation store in this database.
    pub fn conversations(&self) -> SqlConversationStore {
        SqlConversationStore::new(self.clone())
    }

    /// Answers `Ok` when a connection can run a query.
    pub async fn health(&self) -> Result<(), BackendError> {
        sqlx::query("SELECT 1")
            .fetch_one(&self.pool)
            .await
            .map(|_| ())
            .map_err(backend_error)
    }

    /// Closes every connection; the pool (and every store made from it) refuses further work.
    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }

    async fn migrate(&self) -> Result<(), BackendError> {
        let migrations = MIGRATIONS
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    (*description).into(),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect();
        Migrator::with_migrations(migrations)
            .run(&self.writer)
            .await
            .map_err(|error| {
                BackendError::Setup(format!(
                    "migrating the {} database failed: {error}",
                    self.backend.as_str()
                ))
            })
    }

    /// Starts a transaction that will write, on the writing connection. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a writer from another process waits on the busy timeout instead of failing when it
    /// upgrades from reading to writing.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Any>, BackendError> {
        let transaction = match self.backend {
            DatabaseBackend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await,
            DatabaseBackend::Postgres => self.writer.begin().await,
        };
        transaction.map_err(backend_error)
    }

    /// Starts a transaction that only reads, seeing one consistent snapshot across its queries.
    pub(crate) async fn begin_read(&self) -> Result<Transaction<'static, Any>, BackendError> {
        let transaction = match self.backend {
            DatabaseBackend::Sqlite => self.pool.begin().await,
            DatabaseBackend::Postgres => {
                self.pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await
            }
        };
        transaction.map_err(backend_error)
    }
}

/// A parsed database URL.
enum DatabaseTarget {
    SqliteFile {
        path: std::path::PathBuf,
        connect_url: String,
    },
    SqliteMemory {
        connect_url: String,
    },
    Postgres,
}

impl DatabaseTarget {
    fn parse(url: &str) -> Result<DatabaseTarget, BackendError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseTarget::Postgres);
        }
        let Some(rest) = url.strip_prefix("sqlite:") else {
            let scheme = url.split_once(':').map(|(scheme, _)| scheme).unwrap_or("");
            return Err(BackendError::Setup(format!(
                "unsupported database URL scheme {scheme:?}: expected sqlite://PATH or postgres://..."
            )));
        };
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let (encoded_path, parameters) = match rest.split_once('?') {
            Some((path, parameters)) => (path, parameters),
            None => (rest, ""),
        };
        let memory = encoded_path == ":memory:"
            || parameters
                .split('&')
                .any(|parameter| parameter == "mode=memory");
        if memory {
            return Ok(DatabaseTarget::SqliteMemory {
                connect_url: "sqlite::memory:".to_owned(),
            });
        }
        if encoded_path.is_empty() {
            return Err(BackendError::Setup(
                "the SQLite database URL names no file: expected sqlite://PATH".to_owned(),
            ));
        }
        let path = std::path::PathBuf::from(percent_decode(encoded_path)?);
        let mut connect_parameters: Vec<&str> = parameters
            .split('&')
            .filter(|parameter| !parameter.is_empty())
            .collect();
        if !connect_parameters
            .iter()
            .any(|parameter| parameter.starts_with("mode="))
        {
            connect_parameters.push("mode=rwc");
        }
        // `sqlite:PATH` without slashes keeps a relative path relative; sqlx decodes the escapes again.
        let connect_url = format!(
            "sqlite:{}?{}",
            percent_encode_path(&path.to_string_lossy()),
            connect_parameters.join("&")
        );
        Ok(DatabaseTarget::SqliteFile { path, connect_url })
    }

    fn backend(&self) -> DatabaseBackend {
        match self {
            DatabaseTarget::SqliteFile { .. } | DatabaseTarget::SqliteMemory { .. } => {
                DatabaseBackend::Sqlite
            }
            DatabaseTarget::Postgres => DatabaseBackend::Postgres,
        }
    }
}

fn sqlite_pool_options(max_connections: u32, min_connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(min_connections)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        // A SQLite connection is a file handle in this process and cannot be dropped by a server or a network, so
        // pinging it before every use would only add a round trip (while a writer holds the write lock, too).
        .test_before_acquire(false)
        .after_connect(|connection, _metadata| {
            Box::pin(async move {
                connection.execute("PRAGMA journal_mode = WAL").await?;
                connection.execute("PRAGMA synchronous = NORMAL").await?;
                connection.execute("PRAGMA foreign_keys = ON").await?;
                connection
                    .execute(sqlx::AssertSqlSafe(format!(
                        "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MILLISECONDS}"
                    )))
                    .await?;
                Ok(())
            })
        })
}

fn parse_connect_options(url: &str) -> Result<AnyConnectOptions, BackendError> {
    AnyConnectOptions::from_str(url)
        .map_err(|error| BackendError::Setup(format!("invalid database URL: {error}")))
}

fn create_parent_folders(path: &std::path::Path) -> Result<(), BackendError> {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => {
            std::fs::create_dir_all(parent).map_err(|error| {
                BackendError::Setup(format!(
                    "cannot create the folder {} for the SQLite database: {error}",
                    parent.display()
                ))
            })
        }
        _ => Ok(()),
    }
}

fn postgres_pool_options() -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(POSTGRES_MAX_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
}

/// PostgreSQL's answer to a connection for a database it does not have (SQLSTATE 3D000, `invalid_catalog_name`).
fn names_a_missing_database(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(database_error) => database_error.code().as_deref() == Some("3D000"),
        _ => false,
    }
}

/// Creates the database named in a PostgreSQL URL through the server's `postgres` database. Another process may
/// create it at the same moment, so a failed `CREATE DATABASE` is fine when the database exists afterwards.
async fn create_postgres_database(url: &str) -> Result<(), BackendError> {
    match Any::create_database(url).await {
        Ok(()) => {
            tracing::info!("created the PostgreSQL database");
            Ok(())
        }
        Err(error) => match Any::database_exists(url).await {
            Ok(true) => Ok(()),
            _ => Err(BackendError::Setup(format!(
                "cannot create the PostgreSQL database: {error}"
            ))),
        },
    }
}

/// Decodes `%XX` escapes in the path of a database URL.
fn percent_decode(encoded: &str) -> Result<String, BackendError> {
    let bytes = encoded.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let escape = encoded
                .get(index + 1..index + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or_else(|| {
                    BackendError::Setup(format!(
                        "invalid % escape in the database path {encoded:?}"
                    ))
                })?;
            decoded.push(escape);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded)
        .map_err(|_| BackendError::Setup("the database path is not valid UTF-8".to_owned()))
}

/// Escapes the characters that would end or change the path part of a URL.
fn percent_encode_path(path: &str) -> String {
    let mut encoded = String::with_capacity(path.len());
    for character in path.chars() {
        match character {
            '%' => encoded.push_str("%25"),
            '?' => encoded.push_str("%3F"),
            '#' => encoded.push_str("%23"),
            ' ' => encoded.push_str("%20"),
            other => encoded.push(other),
        }
    }
    encoded
}

/// A connection that could not be opened: the server is down or refused us.
fn connect_error(error: sqlx::Error) -> BackendError {
    match error {
        sqlx::Error::Configuration(error) => {
            BackendError::Setup(format!("invalid database URL: {error}"))
        }
        sqlx::Error::Database(error) => {
            BackendError::Unavailable(format!("the database refused the connection: {error}"))
        }
        other => backend_error(other),
    }
}

/// Maps a sqlx error onto the backend's error kinds.
pub(crate) fn backend_error(error: sqlx::Error) -> BackendError {
    match error {
        sqlx::Error::Database(database_error) => match database_error.kind() {
            sqlx::error::ErrorKind::UniqueViolation
            | sqlx::error::ErrorKind::ForeignKeyViolation
            | sqlx::error::ErrorKind::NotNullViolation
            | sqlx::error::ErrorKind::CheckViolation => {
                BackendError::Rejected(database_error.message().to_owned())
            }
            _ => BackendError::Unavailable(format!("database error: {database_error}")),
        },
        sqlx::Error::RowNotFound
        | sqlx::Error::TypeNotFound { .. }
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::Encode(_)
        | sqlx::Error::AnyDriverError(_) => BackendError::InvalidData(error.to_string()),
        sqlx::Error::Configuration(_) | sqlx::Error::Migrate(_) => {
            BackendError::Setup(error.to_string())
        }
        other => BackendError::Unavailable(other.to_string()),
    }
}

/// Now, as stored: UTC with microseconds, so that timestamps sort as text.
pub(crate) fn now() -> DateTime<FixedOffset> {
    let now = Utc::now();
    // Stored timestamps keep microseconds, so the value handed back is cut to the same precision.
    let micros = now.timestamp_micros();
    DateTime::from_timestamp_micros(micros)
        .unwrap_or(now)
        .fixed_offset()
}

/// Formats a timestamp for a column that is compared or sorted as text.
pub(crate) fn format_utc_timestamp(at: DateTime<FixedOffset>) -> String {
    at.with_timezone(&Utc)
        .to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Column readers that turn a missing or malformed value into [`BackendError::InvalidData`] naming the column.
pub(crate) struct Columns<'row> {
    row: &'row AnyRow,
}

impl<'row> Columns<'row> {
    pub(crate) fn of(row: &'row AnyRow) -> Columns<'row> {
        Columns { row }
    }

    pub(crate) fn text(&self, column: &str) -> Result<String, BackendError> {
        self.row
            .try_get::<String, _>(column)
            .map_err(|error| BackendError::InvalidData(format!("column {column}: {error}")))
    }

    pub(crate) fn optional_text(&self, column: &str) -> Result<Option<String>, BackendError> {
        self.row
            .try_get::<Option<String>, _>(column)
            .map_err(|error| BackendError::InvalidData(format!("column {column}: {error}")))
    }

    pub(crate) fn integer(&self, column: &str) -> Result<i64, BackendError> {
        self.row
            .try_get::<i64, _>(column)
            .map_err(|error| BackendError::InvalidData(format!("column {column}: {error}")))
    }

    pub(crate) fn small_count(&self, column: &str) -> Result<u32, BackendError> {
        let value = self.integer(column)?;
        u32::try_from(value).map_err(|_| {
            BackendError::InvalidData(format!("column {column}: {value} is out of range"))
        })
    }

    pub(crate) fn money(&self, column: &str) -> Result<Decimal, BackendError> {
        parse_money(column, &self.text(column)?)
    }

    pub(crate) fn optional_money(&self, column: &str) -> Result<Option<Decimal>, BackendError> {
        self.optional_text(column)?
            .map(|text| parse_money(column, &text))
            .transpose()
    }

    pub(crate) fn date(&self, column: &str) -> Result<NaiveDate, BackendError> {
        let text = self.text(column)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
            BackendError::InvalidData(format!("column {column}: {text:?} is not an ISO date"))
        })
    }

    pub(crate) fn timestamp(&self, column: &str) -> Result<DateTime<FixedOffset>, BackendError> {
        let text = self.text(column)?;
        DateTime::parse_from_rfc3339(&text).map_err(|_| {
            BackendError::InvalidData(format!(
                "column {column}: {text:?} is not an RFC 3339 timestamp"
            ))
        })
    }
}

fn parse_money(column: &str, text: &str) -> Result<Decimal, BackendError> {
    Decimal::from_str(text).map_err(|_| {
        BackendError::InvalidData(format!("column {column}: {text:?} is not a decimal amount"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite_file(url: &str) -> (std::path::PathBuf, String) {
        match DatabaseTarget::parse(url) {
            Ok(DatabaseTarget::SqliteFile { path, connect_url }) => (path, connect_url),
            _ => panic!("{url} should name a SQLite file"),
        }
    }

    #[test]
    fn sqlite_urls_keep_relative_and_absolute_paths_and_open_read_write_create() {
        let (path, connect_url) = sqlite_file("sqlite://data/anxin.db");
        assert_eq!(path, std::path::PathBuf::from("data/anxin.db"));
        assert_eq!(connect_url, "sqlite:data/anxin.db?mode=rwc");

        let (path, connect_url) = sqlite_file("sqlite:///var/lib/anxin/state.db");
        assert_eq!(path, std::path::PathBuf::from("/var/lib/anxin/state.db"));
        assert_eq!(connect_url, "sqlite:/var/lib/anxin/state.db?mode=rwc");

        let (path, connect_url) = sqlite_file("sqlite:my%20data/a.db?mode=rw");
        assert_eq!(path, std::path::PathBuf::from("my data/a.db"));
        assert_eq!(connect_url, "sqlite:my%20data/a.db?mode=rw");
    }

    #[test]
    fn memory_and_postgres_urls_are_recognised() {
        assert!(matches!(
            DatabaseTarget::parse("sqlite::memory:"),
            Ok(DatabaseTarget::SqliteMemory { .. })
        ));
        assert!(matches!(
            DatabaseTarget::parse("sqlite://:memory:"),
            Ok(DatabaseTarget::SqliteMemory { .. })
        ));
        assert!(matches!(
            DatabaseTarget::parse("postgresql://anxin@db.internal/anxin"),
            Ok(DatabaseTarget::Postgres)
        ));
    }

    #[test]
    fn unsupported_or_empty_urls_are_setup_errors() {
        for url in [
            "mysql://root@localhost/anxin",
            "anxin.db",
            "sqlite://",
            "sqlite:bad%zzescape.db",
        ] {
            match DatabaseTarget::parse(url) {
                Err(BackendError::Setup(message)) => assert!(!message.is_empty()),
                _ => panic!("{url} should be rejected as a setup error"),
            }
        }
    }

    #[test]
    fn stored_timestamps_sort_as_text_in_time_order() {
        let earlier: DateTime<FixedOffset> = "2026-04-15T10:00:00+08:00".parse().expect("valid");
        let later: DateTime<FixedOffset> = "2026-04-15T03:00:00.5+00:00".parse().expect("valid");
        let earlier_text = format_utc_timestamp(earlier);
        assert_eq!(earlier_text, "2026-04-15T02:00:00.000000Z");
        assert!(earlier_text < format_utc_timestamp(later));
    }
}

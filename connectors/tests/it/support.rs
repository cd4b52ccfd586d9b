//! Scratch databases for the tests: every test gets its own SQLite file and PostgreSQL database, removed at the
//! end even when the test body panics.

use std::future::Future;
use std::path::PathBuf;

use sqlx::migrate::MigrateDatabase;
use uuid::Uuid;

/// The PostgreSQL server the tests use; each test creates its own database there.
pub const POSTGRES_SERVER: &str = "postgres://root@127.0.0.1:5432";

/// Where a scratch database lives.
pub enum Scratch {
    Sqlite { folder: PathBuf, url: String },
    Postgres { url: String },
}

impl Scratch {
    /// A SQLite file two folders deep in a new temporary folder, so connecting must create the folders.
    pub fn sqlite() -> Scratch {
        let folder =
            std::env::temp_dir().join(format!("anxin-connectors-{}", Uuid::new_v4().simple()));
        let url = format!(
            "sqlite://{}",
            folder.join("state").join("anxin.db").display()
        );
        Scratch::Sqlite { folder, url }
    }

    /// A database name that does not exist yet; `Database::connect` creates it.
    pub fn postgres() -> Scratch {
        let url = format!("{POSTGRES_SERVER}/anxin_test_{}", Uuid::new_v4().simple());
        Scratch::Postgres { url }
    }

    pub fn url(&self) -> &str {
        match self {
            Scratch::Sqlite { url, .. } | Scratch::Postgres { url } => url,
        }
    }

    pub async fn remove(&self) {
        match self {
            Scratch::Sqlite { folder, .. } => {
                if folder.exists() {
                    std::fs::remove_dir_all(folder).expect("remove the scratch folder");
                }
            }
            Scratch::Postgres { url } => {
                sqlx::any::install_default_drivers();
                sqlx::Any::force_drop_database(url)
                    .await
                    .expect("drop the scratch PostgreSQL database");
            }
        }
    }
}

/// Runs `body` with the URL of a fresh SQLite database and then of a fresh PostgreSQL database, removing each
/// afterwards; a panic in the body is re-raised after the clean-up.
pub async fn on_each_backend<Body, Run>(body: Body)
where
    Body: Fn(String) -> Run,
    Run: Future<Output = ()> + Send + 'static,
{
    for scratch in [Scratch::sqlite(), Scratch::postgres()] {
        let outcome = tokio::spawn(body(scratch.url().to_owned())).await;
        scratch.remove().await;
        if let Err(failure) = outcome {
            match failure.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(failure) => panic!("the test on {} did not finish: {failure}", scratch.url()),
            }
        }
    }
}

pub fn money(text: &str) -> rust_decimal::Decimal {
    text.parse().expect("test amounts are valid decimals")
}

pub fn day(text: &str) -> chrono::NaiveDate {
    text.parse().expect("test dates are valid ISO dates")
}

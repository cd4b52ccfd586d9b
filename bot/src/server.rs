//! The server: [`Application::build`] wires settings, database, demo data, NLU and routes together and binds
//! the listener; [`Application::run_until_stopped`] serves until SIGTERM or Ctrl-C, and
//! [`Application::run_with_shutdown`] until a given future completes (tests bind port 0 and stop it so).
//!
//! Shutting down: the listener stops accepting, requests in flight finish, open WebSocket sessions are told
//! to end (each finishes its turn in progress and closes with 1001), and the database is closed once they
//! have, or after [`SESSION_DRAIN_TIMEOUT`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use connectors::{
    Cases, ConversationStore, Database, HttpCases, HttpLoanSystem, HttpLoanSystemOptions,
    LoanSystem,
};
use tokio::sync::{mpsc, watch};

use crate::auth::Claims;
use crate::chat::ChatService;
use crate::error::AppError;
use crate::knowledge::{KnowledgeOrigin, KnowledgeService};
use crate::semantic::Semantics;
use crate::settings::{Backend, JwtSecret, Settings, redact_database_password};
use crate::{models, routes, telemetry};

/// How long a stopping server waits for WebSocket sessions to finish their turns.
pub const SESSION_DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    chat: ChatService,
    jwt_secret: Arc<JwtSecret>,
    /// Turns `true` when the server begins to stop.
    stopping: watch::Receiver<bool>,
    /// Held by every WebSocket session; the server knows they have all ended when the last clone is dropped.
    session_guard: mpsc::Sender<()>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("AppState")
            .field("chat", &self.chat)
            .field("jwt_secret", &self.jwt_secret)
            .finish()
    }
}

impl AppState {
    pub fn new(
        chat: ChatService,
        jwt_secret: JwtSecret,
        stopping: watch::Receiver<bool>,
        session_guard: mpsc::Sender<()>,
    ) -> Self {
        Self {
            chat,
            jwt_secret: Arc::new(jwt_secret),
            stopping,
            session_guard,
        }
    }

    /// Completes when the server begins to stop (never, if nobody can stop it any more).
    pub fn stopping(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut stopping = self.stopping.clone();
        async move {
            if stopping.wait_for(|stopping| *stopping).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// A token a WebSocket session holds while it runs, so that shutdown can wait for it.
    pub fn session_guard(&self) -> mpsc::Sender<()> {
        self.session_guard.clone()
    }

    pub fn chat(&self) -> &ChatService {
        &self.chat
    }

    pub fn jwt_secret(&self) -> &JwtSecret {
        &self.jwt_secret
    }

    /// The claims of a valid token, or 401.
    pub fn verify(&self, token: &str) -> Result<Claims, AppError> {
        crate::auth::verify_token(self.jwt_secret.as_bytes(), token)
            .map_err(|error| AppError::Unauthorized(error.to_string()))
    }
}

/// A server that is bound and ready to run.
pub struct Application {
    listener: tokio::net::TcpListener,
    address: SocketAddr,
    router: Router,
    database: Database,
    stopping: watch::Sender<bool>,
    sessions_ended: mpsc::Receiver<()>,
    audiosocket_address: Option<SocketAddr>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Application")
            .field("address", &self.address)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Connects to (and migrates) the database, loads the demo customers into an empty one when configured,
    /// prepares the NLU (training it on first use), and binds the listener (port 0 picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let jwt_secret = settings.resolve_jwt_secret()?;
        let database = connect_database(&settings.database_url).await?;
        let loan_system = database.loan_system();
        // Demo customers go only into the embedded loan system, never beside a lender's own core system.
        let demo_customer = if settings.demo_data && settings.loan_system == Backend::Sql {
            load_demo_data_if_empty(&loan_system, settings.timezone).await?
        } else {
            None
        };
        let loans: Arc<dyn LoanSystem> = match &settings.loan_system {
            Backend::Sql => Arc::new(loan_system),
            Backend::Http { base_url, token } => Arc::new(
                HttpLoanSystem::new(HttpLoanSystemOptions::new(base_url, token))
                    .context("the HTTP loan system cannot be set up")?,
            ),
        };
        let cases: Arc<dyn Cases> = match &settings.cases {
            Backend::Sql => Arc::new(database.cases()),
            Backend::Http { base_url, token } => Arc::new(
                HttpCases::new(HttpLoanSystemOptions::new(base_url, token))
                    .context("the HTTP case system cannot be set up")?,
            ),
        };
        let conversations: Arc<dyn ConversationStore> = Arc::new(database.conversations());
        let reviewed = models::reviewed_examples(&database.review_queue()).await?;
        let nlu = models::installed_nlu_with_reviewed(&settings, reviewed).await?;
        let knowledge = load_knowledge(&settings).await?;
        let chat = ChatService::new(
            nlu,
            loans,
            conversations,
            settings.timezone,
            settings.max_message_chars,
        )
        .with_knowledge(knowledge)
        .with_cases(cases)
        .with_review_queue(Arc::new(database.review_queue()));
        // Install the metrics recorder before the first turn records anything.
        telemetry::prometheus();
        let (stopping, stopping_receiver) = watch::channel(false);
        if settings.knowledge_watch
            && let Some(knowledge) = chat.knowledge()
        {
            // The watch ends when the server begins to stop, or when it is dropped without running.
            let mut stopping_watch = stopping_receiver.clone();
            knowledge.watch(async move {
                let _ = stopping_watch.wait_for(|stopping| *stopping).await;
            })?;
        }
        let (session_guard, sessions_ended) = mpsc::channel(1);
        let jwt_secret_for_link = demo_customer.as_ref().map(|_| jwt_secret.clone());
        let voice = crate::voice::VoiceService::new(
            settings.voice.clone(),
            settings.models_dir.clone(),
            chat.clone(),
            stopping_receiver.clone(),
        );
        if settings.voice.enabled && settings.voice.preload {
            // `anxin serve` prepares the voice channel before it takes calls (installing espeak-ng, fetching and
            // importing the models when missing), so problems show at start and the first caller waits for nothing.
            voice.engine().await?;
        }
        let audiosocket_address = voice.start_audiosocket().await?;
        let router = routes::router(AppState::new(
            chat,
            jwt_secret,
            stopping_receiver,
            session_guard,
        ))
        .merge(voice.router());

        let listener = tokio::net::TcpListener::bind(&settings.listen)
            .await
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let address = listener
            .local_addr()
            .context("cannot read the address the server bound")?;
        tracing::info!(%address, "listening");
        if let (Some(customer_id), Some(secret)) = (demo_customer, jwt_secret_for_link)
            && let Some(link) = demo_chat_link(address, &secret, &customer_id)
        {
            // A demo customer's token on a fresh demo database: the one credential worth printing.
            tracing::info!(customer_id, "chat as a demo customer: {link}");
        }
        Ok(Application {
            listener,
            address,
            router,
            database,
            stopping,
            sessions_ended,
            audiosocket_address,
        })
    }

    /// The bound port (useful when the settings asked for port 0).
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Where the AudioSocket listener is bound, when one is configured.
    pub fn audiosocket_address(&self) -> Option<SocketAddr> {
        self.audiosocket_address
    }

    /// Serves until SIGTERM or Ctrl-C, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_with_shutdown(shutdown_signal()).await
    }

    /// Serves until `signal` completes, then finishes the requests in flight and closes the database.
    pub async fn run_with_shutdown(
        self,
        signal: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let Application {
            listener,
            address,
            router,
            database,
            stopping,
            mut sessions_ended,
            ..
        } = self;
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                signal.await;
                tracing::info!("stopping: no new connections; finishing the requests in flight");
                let _ = stopping.send(true);
            })
            .await
            .context("the server failed");
        // The router and its state are gone now; only running WebSocket sessions still hold a guard.
        if tokio::time::timeout(SESSION_DRAIN_TIMEOUT, sessions_ended.recv())
            .await
            .is_err()
        {
            tracing::warn!("some WebSocket sessions did not end in time");
        }
        tracing::info!(%address, "server stopped");
        database.close().await;
        served
    }
}

/// Connects to the configured database, creating and migrating it when new.
/// The knowledge the chat answers from: the configured folder, or the bundled demo lender's, searched by meaning
/// too when semantic search is on and the encoder can be had. Loading reads, indexes and embeds, so it runs on a
/// blocking thread.
pub async fn load_knowledge(settings: &Settings) -> anyhow::Result<KnowledgeService> {
    let origin = match &settings.knowledge_dir {
        Some(folder) => KnowledgeOrigin::Folder(folder.clone()),
        None => KnowledgeOrigin::Bundled,
    };
    let semantics = settings
        .semantic_search
        .then(|| settings.models_dir.clone());
    tokio::task::spawn_blocking(move || {
        let semantics = semantics.and_then(|models_dir| match Semantics::load(&models_dir, true) {
            Ok(semantics) => Some(Arc::new(semantics)),
            Err(error) => {
                tracing::warn!(
                    error = %format!("{error:#}"),
                    "FAQ search by meaning is unavailable; searching by words alone"
                );
                None
            }
        });
        KnowledgeService::load_with(origin, semantics)
    })
    .await
    .context("loading the knowledge stopped")?
    .context("the knowledge cannot be served")
}

pub async fn connect_database(database_url: &str) -> anyhow::Result<Database> {
    Database::connect(database_url).await.with_context(|| {
        format!(
            "cannot open the database {}",
            redact_database_password(database_url)
        )
    })
}

/// Loads the demo lender's customers, dated relative to today in `timezone`, when the loan system has no
/// customers at all.
/// Returns the id of the first demo customer when it loaded them.
pub async fn load_demo_data_if_empty(
    loan_system: &connectors::sql::SqlLoanSystem,
    timezone: chrono_tz::Tz,
) -> anyhow::Result<Option<String>> {
    let customers = loan_system
        .customer_count()
        .await
        .context("cannot count the customers of the loan system")?;
    if customers != 0 {
        return Ok(None);
    }
    let today = chrono::Utc::now().with_timezone(&timezone).date_naive();
    let demo = connectors::demo::demo_seed(today);
    let report = loan_system
        .seed(&demo)
        .await
        .context("loading the demo customers failed")?;
    tracing::info!(
        customers = report.customers,
        loans = report.loans,
        "loaded the demo lender's customers into an empty database"
    );
    Ok(demo.customers.first().map(|customer| customer.id.clone()))
}

/// How long the token in the demo chat link is valid.
const DEMO_LINK_TTL: Duration = Duration::from_secs(24 * 3600);

/// A link that opens the chat page as `customer_id`, for people trying a fresh demo installation.
fn demo_chat_link(address: SocketAddr, secret: &JwtSecret, customer_id: &str) -> Option<String> {
    let token =
        crate::auth::mint_token(secret.as_bytes(), customer_id, DEMO_LINK_TTL, false).ok()?;
    let host = if address.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], address.port()))
    } else {
        address
    };
    Some(format!("http://{host}/#token={token}"))
}

/// Completes on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("Ctrl-C received; shutting down"),
        () = terminate => tracing::info!("SIGTERM received; shutting down"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_link_opens_the_page_as_the_customer_on_a_reachable_host() {
        let secret = JwtSecret::new("demo-link-secret");
        let link = demo_chat_link("0.0.0.0:8080".parse().expect("an address"), &secret, "D001")
            .expect("a link");
        let token = link
            .strip_prefix("http://127.0.0.1:8080/#token=")
            .expect("the wildcard address becomes 127.0.0.1");
        let claims = crate::auth::verify_token(secret.as_bytes(), token).expect("a valid token");
        assert_eq!(claims.customer_id(), "D001");
        assert!(!claims.is_admin());
        let local = demo_chat_link(
            "127.0.0.1:41000".parse().expect("an address"),
            &secret,
            "D002",
        )
        .expect("a link");
        assert!(local.starts_with("http://127.0.0.1:41000/#token="));
    }
}

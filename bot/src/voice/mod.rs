//! The voice channel: callers talk with Anxin through Twilio Media Streams (`GET /v1/voice/twilio`) or Asterisk
//! AudioSocket (a TCP listener), and hear it answer through the same dialog and conversation store as chat.
//!
//! [`settings`] configures it; [`engine`] prepares the models (Whisper imported to GGML and cached, Silero VAD),
//! the bounded recognition pool and espeak-ng synthesis; [`call`] is the per-call state machine, independent of
//! the transport; [`twilio`] and [`audiosocket`] translate their protocols to and from it. The engines are prepared
//! once, on the first call or at `anxin serve`'s start, and shared by every call.

pub mod audiosocket;
pub mod call;
pub mod engine;
pub mod eval;
pub mod settings;
pub mod simulator;
pub mod twilio;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::routing::get;
use tokio::sync::{OnceCell, watch};

pub use engine::VoiceEngine;
pub use settings::{AudioSocketCallerLookup, TwilioAuthToken, VoiceFileSettings, VoiceSettings};

use crate::chat::ChatService;

/// The voice channel in service. Cheap to clone.
#[derive(Clone)]
pub struct VoiceService {
    inner: Arc<Inner>,
}

struct Inner {
    settings: VoiceSettings,
    models_dir: PathBuf,
    chat: ChatService,
    engine: OnceCell<VoiceEngine>,
    stopping: watch::Receiver<bool>,
}

impl std::fmt::Debug for VoiceService {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("VoiceService")
            .field("settings", &self.inner.settings)
            .field("ready", &self.inner.engine.initialized())
            .finish()
    }
}

impl VoiceService {
    /// The service; nothing is loaded until [`VoiceService::engine`] is first called.
    pub fn new(
        settings: VoiceSettings,
        models_dir: PathBuf,
        chat: ChatService,
        stopping: watch::Receiver<bool>,
    ) -> Self {
        let models_dir = settings.models_dir.clone().unwrap_or(models_dir);
        Self {
            inner: Arc::new(Inner {
                settings,
                models_dir,
                chat,
                engine: OnceCell::new(),
                stopping,
            }),
        }
    }

    pub fn settings(&self) -> &VoiceSettings {
        &self.inner.settings
    }

    pub fn chat(&self) -> &ChatService {
        &self.inner.chat
    }

    /// The engines, prepared on first use (on a blocking thread: it may fetch and import models).
    pub async fn engine(&self) -> anyhow::Result<VoiceEngine> {
        let engine = self
            .inner
            .engine
            .get_or_try_init(|| async {
                let models_dir = self.inner.models_dir.clone();
                let settings = self.inner.settings.clone();
                tokio::task::spawn_blocking(move || VoiceEngine::prepare(&models_dir, &settings))
                    .await
                    .context("preparing the voice channel stopped")?
                    .context("the voice channel cannot be prepared")
            })
            .await?;
        Ok(engine.clone())
    }

    /// Completes when the server begins to stop.
    pub fn stopping(&self) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        let mut stopping = self.inner.stopping.clone();
        Box::pin(async move {
            // A dropped sender means nobody can stop the server any more: the same as stopping for a listener.
            let _ = stopping.wait_for(|stopping| *stopping).await;
        })
    }

    /// The voice routes (empty when the channel is off).
    pub fn router(&self) -> Router {
        if !self.inner.settings.enabled {
            return Router::new();
        }
        if self.inner.settings.twilio_auth_token.is_none() {
            tracing::warn!(
                "Twilio Media Streams requests are not verified: set ANXIN_TWILIO_AUTH_TOKEN (or twilio_auth_token \
                 in [voice]) to refuse calls that do not carry Twilio's signature"
            );
        }
        Router::new()
            .route("/v1/voice/twilio", get(twilio::twilio_stream))
            .with_state(self.clone())
    }

    /// Binds the AudioSocket listener when one is configured and serves it in the background until the server
    /// stops. Returns the bound address.
    pub async fn start_audiosocket(&self) -> anyhow::Result<Option<SocketAddr>> {
        let Some(address) = self.inner.settings.audiosocket_listen.as_deref() else {
            return Ok(None);
        };
        if !self.inner.settings.enabled {
            return Ok(None);
        }
        let listener = tokio::net::TcpListener::bind(address)
            .await
            .with_context(|| format!("cannot listen for AudioSocket on {address}"))?;
        let bound = listener
            .local_addr()
            .context("cannot read the AudioSocket address")?;
        tracing::info!(address = %bound, "listening for AudioSocket calls");
        tokio::spawn(audiosocket::serve(self.clone(), listener));
        Ok(Some(bound))
    }
}

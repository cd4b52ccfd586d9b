//! Logs and metrics: the `tracing` subscriber of the binary, and the Prometheus recorder behind `GET /metrics`
//! with one small function per metric so that call sites cannot misspell a name or a label.
//!
//! The recorder is installed once per process (many `Application`s in one test process share it). Metric
//! labels only ever carry ids (channel, intent, error kind, handoff reason), never message texts or personal data.

use std::sync::OnceLock;
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

pub const TURNS_TOTAL: &str = "anxin_turns_total";
pub const TURN_DURATION_SECONDS: &str = "anxin_turn_duration_seconds";
pub const INTENTS_TOTAL: &str = "anxin_intents_total";
pub const ERRORS_TOTAL: &str = "anxin_errors_total";
pub const HANDOFFS_TOTAL: &str = "anxin_handoffs_total";

/// Bucket bounds of the turn duration histogram, in seconds: a turn is usually a few milliseconds of model
/// inference plus a few database writes, and anything beyond the 5-second backend timeout is pathological.
const TURN_DURATION_BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

static PROMETHEUS: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process-wide Prometheus handle, installing the recorder on first use.
pub fn prometheus() -> &'static PrometheusHandle {
    PROMETHEUS.get_or_init(|| {
        let builder = || {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(TURN_DURATION_SECONDS.to_owned()), &TURN_DURATION_BUCKETS)
        };
        let handle = match builder() {
            Ok(builder) => match builder.install_recorder() {
                Ok(handle) => handle,
                Err(error) => {
                    // Another recorder already owns the process (an embedding program chose its own); render
                    // from an uninstalled recorder so that `/metrics` still answers, if emptily.
                    tracing::warn!(%error, "could not install the Prometheus recorder; metrics stay empty");
                    PrometheusBuilder::new().build_recorder().handle()
                }
            },
            Err(error) => {
                tracing::warn!(%error, "invalid histogram buckets; metrics stay empty");
                PrometheusBuilder::new().build_recorder().handle()
            }
        };
        describe_metrics();
        handle
    })
}

/// The metrics in Prometheus text format.
pub fn render_metrics() -> String {
    let handle = prometheus();
    // Histogram samples reach the rendered distributions only through upkeep.
    handle.run_upkeep();
    handle.render()
}

fn describe_metrics() {
    metrics::describe_counter!(TURNS_TOTAL, "Customer turns answered, by channel.");
    metrics::describe_histogram!(
        TURN_DURATION_SECONDS,
        metrics::Unit::Seconds,
        "Time from receiving a customer message to having the replies stored."
    );
    metrics::describe_counter!(INTENTS_TOTAL, "Customer turns by recognised intent.");
    metrics::describe_counter!(ERRORS_TOTAL, "Failures by kind.");
    metrics::describe_counter!(
        HANDOFFS_TOTAL,
        "Conversations handed to a human agent, by reason."
    );
}

pub fn record_turn(channel: &str, duration: Duration) {
    metrics::counter!(TURNS_TOTAL, "channel" => channel.to_owned()).increment(1);
    metrics::histogram!(TURN_DURATION_SECONDS).record(duration.as_secs_f64());
}

pub fn record_intent(intent: &str) {
    metrics::counter!(INTENTS_TOTAL, "intent" => intent.to_owned()).increment(1);
}

pub fn record_error(kind: &'static str) {
    metrics::counter!(ERRORS_TOTAL, "kind" => kind).increment(1);
}

pub fn record_handoff(reason: &str) {
    metrics::counter!(HANDOFFS_TOTAL, "reason" => reason.to_owned()).increment(1);
}

/// Logs to standard error, filtered by `RUST_LOG` (default `info`). Calling it twice is harmless.
pub fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _already_installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

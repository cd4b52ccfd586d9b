//! `anxin bench`: measures what the foundation promises, on this machine, and prints the numbers.
//!
//! - NLU: training time on the bundled data, model load time from the cache, and `Nlu::parse` latency on one thread over the bundled development set
//!   (every utterance parsed in turn, after a warm-up pass).
//! - Dialog: `Dialog::handle` for a whole account question (utterance, then the account), without I/O.
//! - Chat over the WebSocket: a real server started in this process on a free port with a fresh SQLite database and
//!   the demo customers; concurrent clients each hold one conversation and time every turn from sending the message
//!   to the first reply frame. A `ping` after each message marks the end of the turn (the server answers frames of
//!   one session in order), so replies never spill into the next turn's timing.
//!
//! Percentiles are nearest-rank over all samples.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as WsMessage;

use crate::server::Application;
use crate::settings::Settings;
use crate::{auth, models};

/// What to measure and how much.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Passes over the development set for NLU latency.
    pub nlu_passes: usize,
    /// Concurrent WebSocket conversations.
    pub conversations: usize,
    /// Turns per conversation.
    pub turns: usize,
}

/// Latency summary of one measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct Latency {
    pub samples: usize,
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
    pub max: Duration,
    pub mean: Duration,
}

impl Latency {
    /// Summarises samples; `None` when there are none.
    pub fn from_samples(mut samples: Vec<Duration>) -> Option<Latency> {
        if samples.is_empty() {
            return None;
        }
        samples.sort_unstable();
        let rank = |fraction: f64| {
            let index =
                ((fraction * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1;
            samples[index]
        };
        let total: Duration = samples.iter().sum();
        Some(Latency {
            samples: samples.len(),
            p50: rank(0.50),
            p90: rank(0.90),
            p99: rank(0.99),
            max: samples[samples.len() - 1],
            mean: total / samples.len() as u32,
        })
    }

    fn line(&self, label: &str) -> String {
        format!(
            "{label:<34} n={:<6} p50={:>9} p90={:>9} p99={:>9} max={:>9} mean={:>9}",
            self.samples,
            show(self.p50),
            show(self.p90),
            show(self.p99),
            show(self.max),
            show(self.mean)
        )
    }
}

fn show(duration: Duration) -> String {
    let micros = duration.as_secs_f64() * 1e6;
    if micros < 1_000.0 {
        format!("{micros:.0}µs")
    } else {
        format!("{:.2}ms", micros / 1_000.0)
    }
}

/// Runs every measurement and prints a report on standard output.
pub async fn run(settings: &Settings, options: &BenchOptions) -> anyhow::Result<()> {
    println!(
        "anxin bench: {} CPU(s) available",
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    bench_nlu(settings, options.nlu_passes).await?;
    bench_dialog().await?;
    bench_websocket(settings, options).await?;
    Ok(())
}

async fn bench_nlu(settings: &Settings, passes: usize) -> anyhow::Result<()> {
    // Make sure the installed model exists (training it on a first run), then time a cold load from the cache.
    let nlu = models::installed_nlu(settings).await?;
    let model_dir = match &settings.nlu_model_dir {
        Some(model_dir) => model_dir.clone(),
        None => {
            let examples = models::bundled_training_examples()?;
            models::cached_model_dir(
                &settings.models_dir,
                &examples,
                &nlu::TrainOptions::default(),
            )
        }
    };
    let load_started = Instant::now();
    models::read_model_dir(&model_dir).context("load the installed model for timing")?;
    let load_time = load_started.elapsed();

    let texts: Vec<String> = models::bundled_dev_examples()?
        .into_iter()
        .map(|example| example.text)
        .collect();
    let reference_date = NaiveDate::from_ymd_opt(2026, 11, 26).context("a valid reference date")?;
    let samples = tokio::task::spawn_blocking(move || {
        for text in &texts {
            std::hint::black_box(nlu.parse(text, reference_date));
        }
        let mut samples = Vec::with_capacity(texts.len() * passes);
        for _ in 0..passes {
            for text in &texts {
                let started = Instant::now();
                std::hint::black_box(nlu.parse(text, reference_date));
                samples.push(started.elapsed());
            }
        }
        samples
    })
    .await
    .context("the NLU benchmark thread failed")?;
    let training_examples = models::bundled_training_examples()?;
    let example_count = training_examples.len();
    let training_time = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        nlu::IntentClassifier::train(
            &training_examples,
            &nlu::TrainOptions::default(),
            &mut |_| {},
        )
        .map(|_| started.elapsed())
    })
    .await
    .context("the training benchmark thread failed")??;
    println!("\nNLU (one thread, bundled development set)");
    println!(
        "{:<34} {:.1}s for {example_count} examples",
        "intent model training",
        training_time.as_secs_f64()
    );
    println!("{:<34} {}", "model load from cache", show(load_time));
    if let Some(latency) = Latency::from_samples(samples) {
        println!("{}", latency.line("Nlu::parse"));
    }
    Ok(())
}

async fn bench_dialog() -> anyhow::Result<()> {
    let today = NaiveDate::from_ymd_opt(2026, 11, 26).context("a valid date")?;
    let seed = connectors::demo::demo_seed(today);
    let customer = seed
        .customers
        .first()
        .context("the demo has customers")?
        .clone();
    let loans: Vec<connectors::LoanSummary> = seed
        .loans
        .iter()
        .filter(|loan| loan.customer_id == customer.id)
        .map(|loan| connectors::loans::summarize(loan, today))
        .collect();
    let account = connectors::Account {
        customer: customer.clone(),
        as_of: today,
        loans,
        cards: seed
            .cards
            .iter()
            .filter(|card| card.customer_id == customer.id)
            .cloned()
            .collect(),
        repayments: Vec::new(),
    };
    let view = crate::account_view::account_view(&account);
    let profile = crate::chat::customer_profile(&customer.id, Some(&customer));
    let parse = nlu::Parse {
        text: "本期应还多少".to_owned(),
        lang: nlu::Lang::Zh,
        intent: nlu::IntentScore {
            name: "due_amount_query".to_owned(),
            confidence: 0.97,
        },
        intent_ranking: vec![nlu::IntentScore {
            name: "due_amount_query".to_owned(),
            confidence: 0.97,
        }],
        entities: Vec::new(),
        sentiment: nlu::Sentiment {
            label: nlu::SentimentLabel::Neutral,
            score: 0.6,
        },
    };
    let dialog = dialog::Dialog::new();
    let mut samples = Vec::new();
    for round in 0..2_000 {
        let mut state = dialog::DialogState::new(profile.clone());
        let started = Instant::now();
        let first = dialog.handle(
            &mut state,
            dialog::Input::Utterance {
                parse: parse.clone(),
                today,
            },
        );
        let second = dialog.handle(&mut state, dialog::Input::Account(view.clone()));
        let elapsed = started.elapsed();
        if round == 0
            && !second
                .iter()
                .any(|action| matches!(action, dialog::Action::Say(_)))
        {
            bail!("the dialog did not answer the benchmark question: {first:?} then {second:?}");
        }
        samples.push(elapsed);
    }
    println!("\nDialog (no I/O)");
    if let Some(latency) = Latency::from_samples(samples) {
        println!("{}", latency.line("due-amount turn (2 handle calls)"));
    }
    Ok(())
}

async fn bench_websocket(settings: &Settings, options: &BenchOptions) -> anyhow::Result<()> {
    let scratch =
        std::env::temp_dir().join(format!("anxin-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&scratch).with_context(|| format!("create {}", scratch.display()))?;
    let secret = format!("bench-{}", uuid::Uuid::new_v4().simple());
    let mut server_settings = settings.clone();
    server_settings.listen = "127.0.0.1:0".to_owned();
    server_settings.data_dir = scratch.clone();
    server_settings.database_url = format!("sqlite://{}", scratch.join("bench.db").display());
    server_settings.jwt_secret = Some(secret.clone());
    server_settings.demo_data = true;
    let result = drive_server(server_settings, &secret, options).await;
    std::fs::remove_dir_all(&scratch).ok();
    result
}

async fn drive_server(
    settings: Settings,
    secret: &str,
    options: &BenchOptions,
) -> anyhow::Result<()> {
    let application = Application::build(settings).await?;
    let port = application.port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_with_shutdown(async move {
        stopped.await.ok();
    }));

    let demo =
        connectors::demo::demo_seed(NaiveDate::from_ymd_opt(2026, 11, 26).context("a valid date")?);
    let customers: Vec<(String, String)> = demo
        .customers
        .iter()
        .map(|customer| (customer.id.clone(), customer.language.clone()))
        .collect();
    let started = Instant::now();
    let mut clients = Vec::new();
    for index in 0..options.conversations {
        let (customer_id, language) = customers[index % customers.len()].clone();
        let token = auth::mint_token(secret, &customer_id, Duration::from_secs(3600), false)?;
        let turns = options.turns;
        clients.push(tokio::spawn(async move {
            converse(port, &token, &language, turns).await
        }));
    }
    let mut samples = Vec::new();
    for client in clients {
        samples.extend(client.await.context("a benchmark client panicked")??);
    }
    let wall = started.elapsed();
    stop.send(()).ok();
    server.await.context("the server task failed")??;

    println!(
        "\nChat over the WebSocket ({} concurrent conversations x {} turns, SQLite, demo customers)",
        options.conversations, options.turns
    );
    let turns = samples.len();
    if let Some(latency) = Latency::from_samples(samples) {
        println!("{}", latency.line("message -> first reply frame"));
    }
    println!(
        "{:<34} {:.0} turns/s over {:.1}s",
        "throughput",
        turns as f64 / wall.as_secs_f64(),
        wall.as_secs_f64()
    );
    Ok(())
}

/// One client's conversation: the latency of each turn.
async fn converse(
    port: u16,
    token: &str,
    language: &str,
    turns: usize,
) -> anyhow::Result<Vec<Duration>> {
    const ZH: [&str; 5] = [
        "你好",
        "本期应还多少",
        "还款计划给我看看",
        "今天结清要多少钱",
        "我的额度还有多少",
    ];
    const EN: [&str; 5] = [
        "hello",
        "how much do I owe this month",
        "show me my repayment schedule",
        "how much to pay off the loan today",
        "what is my credit limit",
    ];
    let questions = if language == "en" { EN } else { ZH };
    let url = format!("ws://127.0.0.1:{port}/v1/chat/ws?token={token}");
    let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .context("the benchmark client could not connect")?;
    next_of_type(&mut socket, "conversation").await?;
    let mut samples = Vec::with_capacity(turns);
    for turn in 0..turns {
        let text = questions[turn % questions.len()];
        let sent = Instant::now();
        socket
            .send(WsMessage::text(
                json!({"type": "message", "text": text}).to_string(),
            ))
            .await?;
        socket.send(WsMessage::text(r#"{"type":"ping"}"#)).await?;
        next_of_type(&mut socket, "reply").await?;
        samples.push(sent.elapsed());
        next_of_type(&mut socket, "pong").await?;
    }
    socket.close(None).await.ok();
    Ok(samples)
}

type ClientSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_of_type(socket: &mut ClientSocket, kind: &str) -> anyhow::Result<Value> {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .with_context(|| format!("no {kind} frame within 30 s"))?
            .with_context(|| format!("the socket closed before a {kind} frame"))??;
        if let WsMessage::Text(text) = message {
            let frame: Value = serde_json::from_str(text.as_str())?;
            if frame["type"] == kind {
                return Ok(frame);
            }
            if frame["type"] == "error" {
                bail!("the server answered with an error frame: {frame}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let samples: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        let latency = Latency::from_samples(samples).expect("samples");
        assert_eq!(latency.p50, Duration::from_millis(50));
        assert_eq!(latency.p90, Duration::from_millis(90));
        assert_eq!(latency.p99, Duration::from_millis(99));
        assert_eq!(latency.max, Duration::from_millis(100));
        assert_eq!(latency.mean, Duration::from_micros(50_500));
        assert!(Latency::from_samples(Vec::new()).is_none());
        let one = Latency::from_samples(vec![Duration::from_millis(7)]).expect("one sample");
        assert_eq!(
            (one.p50, one.p99),
            (Duration::from_millis(7), Duration::from_millis(7))
        );
    }
}

//! `anxin bench`: measures what the foundation promises, on this machine, and prints the numbers.
//!
//! - NLU: training time on the bundled data, model load time from the cache, and `Nlu::parse` latency on one thread over the bundled development set
//!   (every utterance parsed in turn, after a warm-up pass).
//! - Dialog: `Dialog::handle` for a whole account question and for the turns of a promise to pay, every action
//!   answered as the chat pipeline would but without I/O (`run_turn`).
//! - Chat over the WebSocket: a real server started in this process on a free port with a fresh SQLite database and
//!   the demo customers; concurrent clients each hold one conversation and time every turn from sending the message
//!   to the first reply frame. A `ping` after each message marks the end of the turn (the server answers frames of
//!   one session in order), so replies never spill into the next turn's timing.
//!
//! - `anxin bench load`: the load generator for a server in another process ([`run_load`]): hundreds of concurrent
//!   WebSocket conversations for a bounded time, timing each turn end to end from outside.
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
        let said = run_turn(
            &dialog,
            &mut state,
            dialog::Input::Utterance {
                parse: parse.clone(),
                today,
            },
            &view,
        );
        let elapsed = started.elapsed();
        if round == 0 && said == 0 {
            bail!("the dialog did not answer the benchmark question");
        }
        samples.push(elapsed);
    }
    println!("\nDialog (no I/O)");
    if let Some(latency) = Latency::from_samples(samples) {
        println!("{}", latency.line("due-amount turn (all handle calls)"));
    }

    // A whole promise to pay: the request with its date and amount, the account, the confirmation and the case,
    // timed per customer turn (each turn's handle calls together).
    let overdue_account = seed
        .customers
        .iter()
        .find_map(|candidate| {
            let loans: Vec<connectors::LoanSummary> = seed
                .loans
                .iter()
                .filter(|loan| loan.customer_id == candidate.id)
                .map(|loan| connectors::loans::summarize(loan, today))
                .collect();
            let account = connectors::Account {
                customer: candidate.clone(),
                as_of: today,
                loans,
                cards: Vec::new(),
                repayments: Vec::new(),
            };
            account.limit_frozen().then_some(account)
        })
        .context("the demo has an overdue customer")?;
    let overdue: rust_decimal::Decimal = overdue_account
        .loans
        .iter()
        .map(|summary| summary.overdue_amount)
        .sum();
    let overdue_view = crate::account_view::account_view(&overdue_account);
    let overdue_profile = crate::chat::customer_profile(
        &overdue_account.customer.id,
        Some(&overdue_account.customer),
    );
    let promise_text = format!("我明天还{overdue}元");
    let mut promise = parse.clone();
    promise.text = promise_text.clone();
    promise.intent.name = "promise_to_pay".to_owned();
    promise.intent_ranking = vec![promise.intent.clone()];
    promise.entities = nlu::entities::extract(&promise_text, today);
    let mut yes = parse.clone();
    yes.text = "是的".to_owned();
    yes.intent.name = "affirm".to_owned();
    yes.intent_ranking = vec![yes.intent.clone()];
    let mut flow_samples = Vec::new();
    for round in 0..2_000 {
        let mut state = dialog::DialogState::new(overdue_profile.clone());
        let started = Instant::now();
        run_turn(
            &dialog,
            &mut state,
            dialog::Input::Utterance {
                parse: promise.clone(),
                today,
            },
            &overdue_view,
        );
        flow_samples.push(started.elapsed());
        let started = Instant::now();
        run_turn(
            &dialog,
            &mut state,
            dialog::Input::Utterance {
                parse: yes.clone(),
                today,
            },
            &overdue_view,
        );
        flow_samples.push(started.elapsed());
        if round == 0 && state.flow.is_some() {
            bail!("the promise-to-pay flow did not finish in the benchmark");
        }
    }
    if let Some(latency) = Latency::from_samples(flow_samples) {
        println!("{}", latency.line("promise-to-pay flow turn"));
    }
    Ok(())
}

/// Carries out one customer turn as the chat pipeline does, without I/O: the account is `view`, the knowledge has
/// no answer, identities are confirmed and cases open at once. Returns how many messages were said.
fn run_turn(
    dialog: &dialog::Dialog,
    state: &mut dialog::DialogState,
    input: dialog::Input,
    view: &dialog::AccountView,
) -> usize {
    let mut said = 0;
    let mut pending: std::collections::VecDeque<dialog::Action> =
        dialog.handle(state, input).into();
    while let Some(action) = pending.pop_front() {
        let follow_up = match action {
            dialog::Action::Say(_) => {
                said += 1;
                continue;
            }
            dialog::Action::Handoff { .. } => continue,
            dialog::Action::FetchAccount => dialog::Input::Account(view.clone()),
            dialog::Action::LookUpKnowledge { .. } => dialog::Input::Knowledge(None),
            dialog::Action::VerifyIdentity { .. } => dialog::Input::Verification(true),
            dialog::Action::OpenCase(request) => dialog::Input::CaseOpened(dialog::CaseView {
                reference: "AX261126BENCH1".to_owned(),
                kind: request.kind,
                deadline: view.today,
            }),
        };
        for action in dialog.handle(state, follow_up).into_iter().rev() {
            pending.push_front(action);
        }
    }
    said
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

/// What `anxin bench load` does: how many conversations against which server, for how long.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// The server's WebSocket chat URL, e.g. `ws://127.0.0.1:8080/v1/chat/ws`.
    pub url: String,
    /// Concurrent conversations, each on its own WebSocket.
    pub conversations: usize,
    /// How long turns are sent; the run then waits at most [`LOAD_DRAIN`] for the turns under way.
    pub duration: Duration,
    /// The pause between a reply and the conversation's next message (a customer reading and typing), with up to
    /// half of it again added at random so conversations do not move in step.
    pub think: Duration,
    /// The customers the conversations are held as, in turn; tokens are minted with this configuration's secret.
    pub customers: Vec<String>,
}

/// How long `anxin bench load` waits for turns under way once its duration is over.
pub const LOAD_DRAIN: Duration = Duration::from_secs(10);

/// `anxin bench load`: holds `conversations` WebSocket conversations against a running `anxin serve` (a separate
/// process) for `duration`, each pausing (up to one and a half `think` times, at random), then sending a question,
/// waiting for the whole answer (marked by the `pong` of a `ping` sent after it), pausing again, and so on. Prints
/// the latency of the first reply and of the whole turn, and the throughput. The server must sign tokens with the
/// same secret as this configuration.
pub async fn run_load(settings: &Settings, options: &LoadOptions) -> anyhow::Result<()> {
    if options.conversations == 0 || options.customers.is_empty() {
        bail!("the load needs at least one conversation and one customer");
    }
    let secret = settings.resolve_jwt_secret()?;
    let base = options.url.trim_end_matches('/').to_owned();
    if !base.starts_with("ws://") {
        bail!("--url must be the server's ws:// chat URL, e.g. ws://127.0.0.1:8080/v1/chat/ws");
    }
    println!(
        "anxin bench load: {} conversations against {base} for {:.0}s, think time {} ms (+0-50%), {} CPU(s) here",
        options.conversations,
        options.duration.as_secs_f64(),
        options.think.as_millis(),
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    let started = Instant::now();
    let stop_sending = started + options.duration;
    let mut clients = Vec::with_capacity(options.conversations);
    for index in 0..options.conversations {
        let customer_id = options.customers[index % options.customers.len()].clone();
        let token = auth::mint_token(
            secret.as_bytes(),
            &customer_id,
            Duration::from_secs(3600),
            false,
        )?;
        let url = format!("{base}?token={token}");
        let think = options.think;
        clients.push(tokio::spawn(async move {
            load_conversation(&url, index, stop_sending, think).await
        }));
        // Connections open over the first half second rather than in one burst.
        if index % 20 == 19 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let mut first_reply = Vec::new();
    let mut whole_turn = Vec::new();
    let mut failures = 0_usize;
    for client in clients {
        match tokio::time::timeout_at((stop_sending + LOAD_DRAIN).into(), client).await {
            Ok(Ok(Ok(samples))) => {
                first_reply.extend(samples.first_reply);
                whole_turn.extend(samples.whole_turn);
                failures += samples.failures;
            }
            Ok(Ok(Err(error))) => {
                failures += 1;
                eprintln!("a conversation failed: {error:#}");
            }
            Ok(Err(error)) => bail!("a load client panicked: {error}"),
            Err(_) => {
                failures += 1;
                eprintln!("a conversation did not finish within the drain time");
            }
        }
    }
    let wall = started.elapsed();
    let turns = whole_turn.len();
    println!(
        "\nChat turns over the WebSocket, measured in this process against the server's process"
    );
    if let Some(latency) = Latency::from_samples(first_reply) {
        println!("{}", latency.line("message -> first reply frame"));
    }
    if let Some(latency) = Latency::from_samples(whole_turn) {
        println!("{}", latency.line("message -> whole answer"));
    }
    println!(
        "{:<34} {turns} turns in {:.1}s = {:.0} turns/s; {failures} failed",
        "throughput",
        wall.as_secs_f64(),
        turns as f64 / wall.as_secs_f64()
    );
    if turns == 0 {
        bail!("no turn completed");
    }
    Ok(())
}

/// The timings one load conversation collected.
struct LoadSamples {
    first_reply: Vec<Duration>,
    whole_turn: Vec<Duration>,
    failures: usize,
}

/// One conversation of the load: questions in the customer's likely language until `stop_sending`.
async fn load_conversation(
    url: &str,
    index: usize,
    stop_sending: Instant,
    think: Duration,
) -> anyhow::Result<LoadSamples> {
    const QUESTIONS: [&str; 8] = [
        "本期应还多少",
        "那再下一期呢",
        "还款计划给我看看",
        "今天结清要多少钱",
        "How much do I owe this month?",
        "我的额度还有多少",
        "为什么扣款失败了",
        "谢谢",
    ];
    let (mut socket, _) = tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::connect_async(url),
    )
    .await
    .context("the WebSocket did not open within 10 s")?
    .context("the WebSocket could not open")?;
    next_of_type(&mut socket, "conversation").await?;
    let mut samples = LoadSamples {
        first_reply: Vec::new(),
        whole_turn: Vec::new(),
        failures: 0,
    };
    // The first question comes after a pause drawn like the pauses between turns: 200 conversations that all ask
    // the moment they open are a start-up burst at several times the steady rate, which no steady load of that
    // many conversations has; with the pause the arrivals are as spread from the start as later on.
    tokio::time::sleep(think.mul_f64(rand::random::<f64>() * 1.5)).await;
    let mut turn = index;
    while Instant::now() < stop_sending {
        let text = QUESTIONS[turn % QUESTIONS.len()];
        turn += 1;
        let sent = Instant::now();
        socket
            .send(WsMessage::text(
                json!({"type": "message", "text": text}).to_string(),
            ))
            .await?;
        socket.send(WsMessage::text(r#"{"type":"ping"}"#)).await?;
        match next_of_type(&mut socket, "reply").await {
            Ok(_) => samples.first_reply.push(sent.elapsed()),
            Err(_) => {
                samples.failures += 1;
                break;
            }
        }
        next_of_type(&mut socket, "pong").await?;
        samples.whole_turn.push(sent.elapsed());
        let jitter = think.mul_f64(rand::random::<f64>() * 0.5);
        tokio::time::sleep(think + jitter).await;
    }
    socket.close(None).await.ok();
    Ok(samples)
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

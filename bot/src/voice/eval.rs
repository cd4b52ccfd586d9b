//! `anxin speech eval` and `anxin speech bench`: how well and how fast the voice channel hears and answers.
//!
//! The evaluation measures recognition accuracy: word error rate on the real English LibriVox recordings of
//! Debian's `pocketsphinx-testdata` (as recorded, 16 kHz, and as they reach Anxin over a phone line: 8 kHz
//! mu-law), and character error rate on a set of Mandarin borrower questions written for Anxin and spoken by
//! espeak-ng over the same phone line; with the recognition real-time factor (processing time over audio time).
//!
//! The benchmark starts the real server on a free port with a scratch SQLite database and calls it with the caller
//! simulator over Twilio Media Streams, in real time: each caller verifies with keypad digits and asks spoken
//! questions. It reports the voice-to-voice latency from the end of the caller's speech (the last sample of the
//! question louder than the line's silence; espeak-ng ends a clip with about a third of a second of silence, which
//! the end-of-turn wait covers too) to the first frame of the answer, for one call and for more calls at once; and,
//! for comparison with earlier measurements, the same from the last frame of the clip.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::NaiveDate;
use speech::{LanguageChoice, SpeechLanguage, SpokenLanguage};

use super::engine::{LINE_RATE, VoiceEngine};
use super::simulator::{Platform, SimulatedCall};
use crate::{Application, Settings};

/// Where Debian's `pocketsphinx-testdata` puts the LibriVox clips.
pub const LIBRIVOX_DIR: &str = "/usr/share/pocketsphinx/test/data/librivox";

/// Mandarin questions a borrower asks, written for this evaluation, with the words that must be recognised.
pub const MANDARIN_SET: &[&str] = &[
    "我这个月要还多少钱",
    "我的还款日是哪一天",
    "我想提前还清贷款",
    "我的额度是多少",
    "为什么自动扣款失败了",
    "我已经逾期了怎么办",
    "逾期会影响征信吗",
    "我想换一张还款银行卡",
    "帮我转人工客服",
    "我想查一下还款计划",
    "利息是怎么计算的",
    "我能不能延期还款",
    "我下周五还三千块",
    "你们的客服电话是多少",
    "我要投诉",
    "提前还款有手续费吗",
];

/// English questions for the benchmark's callers.
pub const ENGLISH_SET: &[&str] = &[
    "How much do I have to pay this month?",
    "When is my next payment due?",
    "What is my credit limit?",
    "I want to pay off my loan early.",
];

/// The edit distance between two token sequences.
pub fn edit_distance<T: PartialEq>(reference: &[T], hypothesis: &[T]) -> usize {
    let mut previous: Vec<usize> = (0..=hypothesis.len()).collect();
    for (row, expected) in reference.iter().enumerate() {
        let mut current = vec![row + 1; hypothesis.len() + 1];
        for (column, heard) in hypothesis.iter().enumerate() {
            let substitution = previous[column] + usize::from(expected != heard);
            current[column + 1] = substitution
                .min(previous[column + 1] + 1)
                .min(current[column] + 1);
        }
        previous = current;
    }
    previous[hypothesis.len()]
}

/// English words for scoring: lower case, punctuation dropped, a few written forms spelt out.
pub fn english_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace('-', " ")
        .split_whitespace()
        .map(|word| {
            word.chars()
                .filter(|character| character.is_alphanumeric() || *character == '\'')
                .collect::<String>()
        })
        .filter(|word| !word.is_empty())
        .map(|word| match word.as_str() {
            "mr" => "mister".to_owned(),
            "mrs" => "missus".to_owned(),
            _ => word,
        })
        .collect()
}

/// Chinese characters (and other letters and digits) for scoring, punctuation and spaces dropped.
pub fn chinese_characters(text: &str) -> Vec<char> {
    text.chars()
        .filter(|character| character.is_alphanumeric())
        .collect()
}

/// Audio as it reaches Anxin over the phone: 8 kHz mu-law, then back to 16 kHz for recognition.
fn over_the_phone(samples: &[i16], rate: u32) -> anyhow::Result<Vec<f32>> {
    let line = speech::resample(&speech::wav::to_f32(samples), rate, LINE_RATE)?;
    let coded = speech::mulaw_decode(&speech::mulaw_encode(&speech::wav::to_i16(&line)));
    Ok(speech::resample(
        &speech::wav::to_f32(&coded),
        LINE_RATE,
        16_000,
    )?)
}

/// Accuracy on one set.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SetScore {
    pub utterances: usize,
    pub errors: usize,
    pub reference_length: usize,
    pub error_rate: f64,
    pub audio_seconds: f64,
    pub processing_seconds: f64,
    pub real_time_factor: f64,
}

impl SetScore {
    fn add(&mut self, errors: usize, length: usize, audio: f64, processing: f64) {
        self.utterances += 1;
        self.errors += errors;
        self.reference_length += length;
        self.audio_seconds += audio;
        self.processing_seconds += processing;
        self.error_rate = self.errors as f64 / self.reference_length.max(1) as f64;
        self.real_time_factor = self.processing_seconds / self.audio_seconds.max(1e-9);
    }
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct EvalReport {
    pub librivox_wer: SetScore,
    pub librivox_phone_wer: SetScore,
    pub mandarin_espeak_cer: SetScore,
    /// The same with the language given, as a call hears once its language is settled.
    pub mandarin_espeak_cer_settled: SetScore,
}

/// The LibriVox clips and their transcripts.
fn librivox_clips(folder: &Path) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let transcription = std::fs::read_to_string(folder.join("transcription")).with_context(|| {
        format!(
            "cannot read {}; install the recordings with `apt-get install -y pocketsphinx-testdata`",
            folder.join("transcription").display()
        )
    })?;
    let mut clips = Vec::new();
    for line in transcription.lines() {
        let Some((text, id)) = line.rsplit_once('(') else {
            continue;
        };
        let id = id.trim().trim_end_matches(')');
        let text = text.replace("<s>", "").replace("</s>", "");
        clips.push((folder.join(format!("{id}.wav")), text.trim().to_owned()));
    }
    if clips.is_empty() {
        bail!("no clips listed in {}", folder.display());
    }
    Ok(clips)
}

/// Runs the evaluation and prints it (as JSON when asked).
pub async fn evaluate(
    settings: &Settings,
    librivox: &Path,
    json: bool,
) -> anyhow::Result<EvalReport> {
    let models_dir = settings
        .voice
        .models_dir
        .clone()
        .unwrap_or_else(|| settings.models_dir.clone());
    let voice = settings.voice.clone();
    let engine = tokio::task::spawn_blocking(move || VoiceEngine::prepare(&models_dir, &voice))
        .await
        .context("preparing the voice engines stopped")??;
    let mut report = EvalReport::default();
    for (path, reference) in librivox_clips(librivox)? {
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let audio = speech::decode_wav(&bytes)?;
        let wideband = speech::resample(
            &speech::wav::to_f32(&audio.samples),
            audio.sample_rate,
            16_000,
        )?;
        let reference_words = english_words(&reference);
        for (score, samples) in [
            (&mut report.librivox_wer, wideband),
            (
                &mut report.librivox_phone_wer,
                over_the_phone(&audio.samples, audio.sample_rate)?,
            ),
        ] {
            let started = Instant::now();
            let transcript = engine
                .pool
                .recognize(samples, engine.recognizer_options.languages)
                .await?;
            let processing = started.elapsed().as_secs_f64();
            let heard = english_words(&transcript.text);
            let errors = edit_distance(&reference_words, &heard);
            if !json {
                println!(
                    "  {:?} [{errors} errors] {}",
                    transcript.language, transcript.text
                );
            }
            score.add(errors, reference_words.len(), audio.seconds(), processing);
        }
    }
    for sentence in MANDARIN_SET {
        let synthesizer = engine.synthesizer.clone();
        let text = (*sentence).to_owned();
        let spoken = tokio::task::spawn_blocking(move || {
            synthesizer.synthesize(&text, SpeechLanguage::Mandarin)
        })
        .await
        .context("synthesis stopped")??;
        let seconds = spoken.len() as f64 / f64::from(LINE_RATE);
        let samples = over_the_phone(&spoken, LINE_RATE)?;
        let reference = chinese_characters(sentence);
        // As a call's first words are heard (the language detected), then as later ones are once the call's
        // language is settled (given).
        for (score, languages) in [
            (
                &mut report.mandarin_espeak_cer,
                engine.recognizer_options.languages,
            ),
            (
                &mut report.mandarin_espeak_cer_settled,
                LanguageChoice::Fixed(SpokenLanguage::Mandarin),
            ),
        ] {
            let started = Instant::now();
            let transcript = engine.pool.recognize(samples.clone(), languages).await?;
            let processing = started.elapsed().as_secs_f64();
            let errors = edit_distance(&reference, &chinese_characters(&transcript.text));
            if !json {
                println!(
                    "  {sentence} -> {} [{errors} errors{}]",
                    transcript.text,
                    if matches!(languages, LanguageChoice::Fixed(_)) {
                        ", language given"
                    } else {
                        ""
                    }
                );
            }
            score.add(errors, reference.len(), seconds, processing);
        }
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        let line = |name: &str, what: &str, score: &SetScore| {
            println!(
                "{name}: {what} {:.1}% ({} errors in {} over {} utterances), real-time factor {:.3} ({:.1} s of audio in {:.1} s)",
                100.0 * score.error_rate,
                score.errors,
                score.reference_length,
                score.utterances,
                score.real_time_factor,
                score.audio_seconds,
                score.processing_seconds
            );
        };
        line(
            "LibriVox, as recorded (16 kHz)",
            "WER",
            &report.librivox_wer,
        );
        line(
            "LibriVox, over the phone (8 kHz mu-law)",
            "WER",
            &report.librivox_phone_wer,
        );
        line(
            "Mandarin, espeak-ng over the phone",
            "CER",
            &report.mandarin_espeak_cer,
        );
        line(
            "Mandarin, espeak-ng over the phone, language given",
            "CER",
            &report.mandarin_espeak_cer_settled,
        );
    }
    Ok(report)
}

/// The latency benchmark's results at one number of simultaneous calls.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoadResult {
    pub calls: usize,
    /// Questions that got audio back, the busy message included.
    pub answers: usize,
    pub unanswered: usize,
    /// Questions answered with the busy message because every recogniser was taken (the server's
    /// `anxin_voice_busy_total` over the level).
    pub busy_messages: u64,
    /// From the end of the caller's speech to the first frame of the answer.
    pub p50_seconds: f64,
    pub p90_seconds: f64,
    pub max_seconds: f64,
    /// From the last frame of the caller's clip (its trailing silence included) to the first frame of the answer.
    pub p50_from_clip_end_seconds: f64,
}

/// How long the clip's closing silence lasts: the time after its last sample louder than `threshold`.
pub fn trailing_silence(samples: &[i16], sample_rate: u32, threshold: i16) -> Duration {
    let quiet = samples
        .iter()
        .rev()
        .take_while(|sample| sample.unsigned_abs() < threshold.unsigned_abs())
        .count();
    Duration::from_secs_f64(quiet as f64 / f64::from(sample_rate))
}

fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() - 1) as f64 * fraction).round() as usize;
    sorted[index]
}

/// Calls the server `calls` times at once; each caller verifies and asks `questions` questions.
async fn load(
    url: &str,
    customers: &[connectors::Customer],
    engine: &VoiceEngine,
    calls: usize,
    questions: usize,
) -> anyhow::Result<LoadResult> {
    let mut tasks = Vec::new();
    for index in 0..calls {
        let customer = customers[index % customers.len()].clone();
        let url = url.to_owned();
        let synthesizer = engine.synthesizer.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut from_clip_end = Vec::new();
            let mut unanswered = 0;
            let call = SimulatedCall::dial(Platform::Twilio {
                url,
                caller: customer.phone.clone(),
            })
            .await?;
            // Stagger the callers a little, as real calls are.
            tokio::time::sleep(Duration::from_millis(300 * index as u64)).await;
            for digit in customer.id_last4.chars() {
                call.press(if digit == 'X' { '*' } else { digit }).await?;
            }
            call.wait_until_quiet(Duration::from_millis(600), Duration::from_secs(60))
                .await?;
            let (set, language) = if customer.language == "en" {
                (ENGLISH_SET, SpeechLanguage::English)
            } else {
                (MANDARIN_SET, SpeechLanguage::Mandarin)
            };
            for question in set.iter().cycle().skip(index).take(questions) {
                let synthesizer = synthesizer.clone();
                let text = (*question).to_owned();
                let audio =
                    tokio::task::spawn_blocking(move || synthesizer.synthesize(&text, language))
                        .await??;
                let silence = trailing_silence(&audio, LINE_RATE, 300);
                let ended = call.say(audio).await?;
                match call.wait_for_answer(ended, Duration::from_secs(20)).await {
                    Ok(answered) => {
                        from_clip_end.push((answered - ended).as_secs_f64());
                        latencies.push((answered - ended + silence).as_secs_f64());
                    }
                    Err(_) => unanswered += 1,
                }
                call.wait_until_quiet(Duration::from_millis(600), Duration::from_secs(90))
                    .await?;
            }
            call.hang_up().await?;
            anyhow::Ok((latencies, from_clip_end, unanswered))
        }));
    }
    let mut latencies = Vec::new();
    let mut from_clip_end = Vec::new();
    let mut unanswered = 0;
    for task in tasks {
        let (call_latencies, call_from_clip_end, call_unanswered) =
            task.await.context("a simulated caller panicked")??;
        latencies.extend(call_latencies);
        from_clip_end.extend(call_from_clip_end);
        unanswered += call_unanswered;
    }
    latencies.sort_by(f64::total_cmp);
    from_clip_end.sort_by(f64::total_cmp);
    Ok(LoadResult {
        calls,
        answers: latencies.len(),
        unanswered,
        busy_messages: 0,
        p50_seconds: percentile(&latencies, 0.5),
        p90_seconds: percentile(&latencies, 0.9),
        max_seconds: latencies.last().copied().unwrap_or(f64::NAN),
        p50_from_clip_end_seconds: percentile(&from_clip_end, 0.5),
    })
}

/// Runs the latency benchmark at each number of simultaneous calls in `levels`.
pub async fn bench(
    settings: &Settings,
    levels: &[usize],
    questions: usize,
    json: bool,
) -> anyhow::Result<Vec<LoadResult>> {
    let scratch = std::env::temp_dir().join(format!(
        "anxin-voice-bench-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&scratch)
        .with_context(|| format!("cannot create {}", scratch.display()))?;
    let mut server_settings = settings.clone();
    server_settings.listen = "127.0.0.1:0".to_owned();
    server_settings.data_dir = scratch.clone();
    server_settings.database_url = format!("sqlite://{}", scratch.join("bench.db").display());
    server_settings.jwt_secret = Some(format!("bench-{}", uuid::Uuid::new_v4().simple()));
    server_settings.demo_data = true;
    server_settings.voice.enabled = true;
    server_settings.voice.preload = true;
    let result = bench_server(server_settings, levels, questions).await;
    std::fs::remove_dir_all(&scratch).ok();
    let results = result?;
    if json {
        println!("{}", serde_json::to_string_pretty(&results)?);
    } else {
        println!(
            "\nVoice to voice over Twilio Media Streams (end of the spoken question to the first answer frame)"
        );
        for result in &results {
            println!(
                "  {} simultaneous call(s): {} answers ({} of them the busy message), {} unanswered; p50 {:.2} s, \
                 p90 {:.2} s, max {:.2} s (p50 from the end of the clip, its closing silence included: {:.2} s)",
                result.calls,
                result.answers,
                result.busy_messages,
                result.unanswered,
                result.p50_seconds,
                result.p90_seconds,
                result.max_seconds,
                result.p50_from_clip_end_seconds
            );
        }
    }
    Ok(results)
}

async fn bench_server(
    settings: Settings,
    levels: &[usize],
    questions: usize,
) -> anyhow::Result<Vec<LoadResult>> {
    let models_dir = settings
        .voice
        .models_dir
        .clone()
        .unwrap_or_else(|| settings.models_dir.clone());
    let voice = settings.voice.clone();
    let application = Application::build(settings).await?;
    let url = format!("ws://127.0.0.1:{}/v1/voice/twilio", application.port());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(application.run_with_shutdown(async move {
        stopped.await.ok();
    }));
    // The callers' own synthesiser (the server's engines are its own).
    let engine =
        tokio::task::spawn_blocking(move || VoiceEngine::prepare(&models_dir, &voice)).await??;
    let demo =
        connectors::demo::demo_seed(NaiveDate::from_ymd_opt(2026, 11, 26).context("a valid date")?);
    let mandarin: Vec<connectors::Customer> = demo
        .customers
        .iter()
        .filter(|customer| customer.language == "zh")
        .cloned()
        .collect();
    let mut results = Vec::new();
    for &calls in levels {
        let busy_before = busy_messages_so_far();
        let mut result = load(&url, &mandarin, &engine, calls, questions).await?;
        result.busy_messages = busy_messages_so_far().saturating_sub(busy_before);
        results.push(result);
    }
    stop.send(()).ok();
    server.await.context("the server task failed")??;
    Ok(results)
}

/// How many busy messages the server in this process has played, from its metrics.
fn busy_messages_so_far() -> u64 {
    crate::telemetry::render_metrics()
        .lines()
        .find_map(|line| line.strip_prefix("anxin_voice_busy_total "))
        .and_then(|count| count.trim().parse::<f64>().ok())
        .map_or(0, |count| count as u64)
}

/// `anxin speech ...`.
#[derive(Debug, clap::Subcommand)]
pub enum SpeechCommand {
    /// Word error rate on the LibriVox recordings, character error rate on spoken Mandarin questions, and the
    /// recognition real-time factor.
    Eval {
        /// The folder of `pocketsphinx-testdata`'s LibriVox clips.
        #[arg(long, value_name = "DIR", default_value = LIBRIVOX_DIR)]
        librivox: PathBuf,
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Voice-to-voice latency over Twilio Media Streams with simulated callers, at each number of simultaneous calls.
    Bench {
        /// Numbers of simultaneous calls, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "1,2,3")]
        calls: Vec<usize>,
        /// Questions each caller asks.
        #[arg(long, default_value_t = 4)]
        questions: usize,
        #[arg(long)]
        json: bool,
    },
}

/// Runs an `anxin speech` command.
pub async fn run(settings: &Settings, command: SpeechCommand) -> anyhow::Result<()> {
    match command {
        SpeechCommand::Eval { librivox, json } => {
            evaluate(settings, &librivox, json).await.map(|_| ())
        }
        SpeechCommand::Bench {
            calls,
            questions,
            json,
        } => {
            if calls.is_empty() || calls.contains(&0) {
                bail!("--calls needs one or more numbers of calls, each at least 1");
            }
            bench(settings, &calls, questions, json).await.map(|_| ())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_rates_count_substitutions_insertions_and_deletions() {
        let reference = english_words("He was not an ill-disposed young man.");
        assert_eq!(
            reference,
            ["he", "was", "not", "an", "ill", "disposed", "young", "man"]
        );
        assert_eq!(
            edit_distance(
                &reference,
                &english_words("he was not an ill disposed young man")
            ),
            0
        );
        assert_eq!(
            edit_distance(&reference, &english_words("he is not an ill disposed man")),
            2
        );
        assert_eq!(
            edit_distance(
                &chinese_characters("我的额度是多少"),
                &chinese_characters("我的额度是多少？")
            ),
            0
        );
        assert_eq!(
            edit_distance(
                &chinese_characters("我的额度是多少"),
                &chinese_characters("我额度时多少钱")
            ),
            3
        );
        assert_eq!(
            english_words("Mr. John Dashwood"),
            ["mister", "john", "dashwood"]
        );
    }

    #[test]
    fn a_clips_closing_silence_is_measured_from_its_last_loud_sample() {
        let mut clip = vec![2000_i16; 800];
        clip.extend([40_i16, -40, 0].repeat(800));
        assert_eq!(
            trailing_silence(&clip, 8000, 300),
            Duration::from_millis(300)
        );
        assert_eq!(trailing_silence(&[5000; 10], 8000, 300), Duration::ZERO);
    }
}

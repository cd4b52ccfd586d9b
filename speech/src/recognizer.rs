//! Speech recognition with whisper.cpp (through whisper-rs): a GGML Whisper model loaded from bytes, shared by
//! workers that each own a decoding state.
//!
//! What a caller gets back is meant for a dialog, not a subtitle: the language is chosen between Mandarin and
//! English only (the languages Anxin speaks), Chinese comes back in Simplified characters, a domain prompt steers
//! the vocabulary (还款, 额度, 逾期 ...), and nothing comes back for silence or noise: audio too quiet to be speech
//! is not decoded, a segment the model itself judges to be no speech is dropped, and so are the phrases Whisper is
//! known to invent on non-speech (subtitle credits, "thanks for watching", the prompt echoed back).

use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use whisper_rs::{
    FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters, WhisperState,
};

use crate::SpeechError;
use crate::vad::SileroVad;

/// With a VAD, audio with fewer voiced 32 ms chunks than this (about a tenth of a second), or fewer than a fifth of
/// its chunks voiced, is not decoded.
pub const MIN_VOICED_CHUNKS: usize = 3;

/// The sample rate Whisper takes.
pub const WHISPER_SAMPLE_RATE: u32 = 16_000;

/// The languages recognition chooses between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpokenLanguage {
    Mandarin,
    English,
}

impl SpokenLanguage {
    /// Whisper's code for the language.
    pub fn whisper_code(self) -> &'static str {
        match self {
            SpokenLanguage::Mandarin => "zh",
            SpokenLanguage::English => "en",
        }
    }
}

/// Which languages to expect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LanguageChoice {
    /// Always this language (one encoder pass fewer).
    Fixed(SpokenLanguage),
    /// Whichever of Mandarin and English the model finds more likely.
    MandarinOrEnglish,
}

/// How recognition runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RecognizerOptions {
    /// CPU threads per transcription.
    pub threads: usize,
    pub languages: LanguageChoice,
    /// The prompt given before Mandarin audio: Simplified characters and the domain's words.
    pub mandarin_prompt: String,
    /// The prompt given before English audio.
    pub english_prompt: String,
    /// A segment the model gives at least this probability of being no speech is dropped.
    pub no_speech_threshold: f32,
    /// Audio whose loudest 100 ms window has a lower RMS (full scale 1.0) is not decoded at all.
    pub min_rms: f32,
    /// Encode only as much of the 30-second window as the audio needs (faster on short turns).
    pub shorten_audio_context: bool,
}

impl Default for RecognizerOptions {
    fn default() -> Self {
        Self {
            threads: 2,
            languages: LanguageChoice::MandarinOrEnglish,
            mandarin_prompt: "以下是普通话的句子，关于借款、还款、额度、逾期、利息、账单、银行卡和自动扣款。"
                .to_owned(),
            english_prompt:
                "A borrower asks about a loan: repayment, due date, credit limit, overdue, interest, bank card."
                    .to_owned(),
            no_speech_threshold: 0.85,
            min_rms: 0.004,
            shorten_audio_context: true,
        }
    }
}

/// What was said.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// The recognised text; empty when nothing was said.
    pub text: String,
    pub language: SpokenLanguage,
    /// The audio's length in seconds.
    pub audio_seconds: f64,
    /// Where the time went.
    pub timings: RecognitionTimings,
}

/// Where one transcription spent its time.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RecognitionTimings {
    /// The VAD's check that the audio holds a voice.
    pub voice_check: Duration,
    /// Choosing between Mandarin and English (zero when the language was given).
    pub language_detection: Duration,
    /// Whisper's encoder and decoder.
    pub decoding: Duration,
}

impl Transcript {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// A loaded Whisper model. Cheap to clone; shared by every worker.
#[derive(Clone)]
pub struct Recognizer {
    context: Arc<WhisperContext>,
    options: RecognizerOptions,
    vad: Option<SileroVad>,
}

impl std::fmt::Debug for Recognizer {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Recognizer")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

static SILENCE_WHISPER_LOGS: Once = Once::new();

impl Recognizer {
    /// Loads a GGML Whisper model (whisper.cpp's format) from its bytes.
    pub fn from_ggml(model: &[u8], options: RecognizerOptions) -> Result<Self, SpeechError> {
        // whisper.cpp prints its progress to standard error; routed through whisper-rs without a logging backend
        // it is dropped, so only Anxin's own logs remain.
        SILENCE_WHISPER_LOGS.call_once(whisper_rs::install_logging_hooks);
        let mut parameters = WhisperContextParameters::default();
        parameters.use_gpu(false);
        let context = WhisperContext::new_from_buffer_with_params(model, parameters)
            .map_err(|error| SpeechError::ModelLoad(error.to_string()))?;
        if options.languages == LanguageChoice::MandarinOrEnglish && !context.is_multilingual() {
            return Err(SpeechError::ModelLoad(
                "an English-only Whisper model cannot recognise Mandarin; configure a multilingual one".to_owned(),
            ));
        }
        Ok(Self {
            context: Arc::new(context),
            options,
            vad: None,
        })
    }

    /// The same recognizer, decoding only audio in which the VAD hears at least [`MIN_VOICED_CHUNKS`] chunks of
    /// speech: Whisper writes fluent sentences for plain noise, the VAD does not take noise for a voice.
    pub fn with_vad(self, vad: SileroVad) -> Self {
        Self {
            vad: Some(vad),
            ..self
        }
    }

    pub fn options(&self) -> &RecognizerOptions {
        &self.options
    }

    /// A worker with its own decoding state (a few tens of MB); one per thread that transcribes.
    pub fn worker(&self) -> Result<RecognizerWorker, SpeechError> {
        let state = self
            .context
            .create_state()
            .map_err(|error| SpeechError::Recognition(error.to_string()))?;
        let mut worker = RecognizerWorker {
            state,
            options: self.options.clone(),
            vad: self.vad.clone(),
        };
        worker.warm_up()?;
        Ok(worker)
    }
}

/// One transcribing thread's state.
pub struct RecognizerWorker {
    state: WhisperState,
    options: RecognizerOptions,
    vad: Option<SileroVad>,
}

impl std::fmt::Debug for RecognizerWorker {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("RecognizerWorker")
            .finish_non_exhaustive()
    }
}

/// The RMS of the loudest 100 ms window.
pub fn peak_window_rms(samples: &[f32], sample_rate: u32) -> f32 {
    let window = (sample_rate as usize / 10).max(1);
    samples
        .chunks(window)
        .map(|chunk| {
            (chunk.iter().map(|sample| sample * sample).sum::<f32>() / chunk.len() as f32).sqrt()
        })
        .fold(0.0, f32::max)
}

impl RecognizerWorker {
    /// Decodes one second of silence with the shortest audio context. Besides paying whisper.cpp's first-run costs
    /// here rather than on a caller's first words, this sets the state's encoder width, which whisper.cpp's language
    /// detection reuses: detection then encodes about five seconds, not the whole 30-second window.
    fn warm_up(&mut self) -> Result<(), SpeechError> {
        let mut parameters = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        parameters.set_n_threads(self.options.threads.max(1) as i32);
        parameters.set_language(Some("en"));
        parameters.set_no_timestamps(true);
        parameters.set_single_segment(true);
        parameters.set_print_progress(false);
        parameters.set_print_realtime(false);
        parameters.set_print_special(false);
        parameters.set_print_timestamps(false);
        parameters.set_max_tokens(1);
        parameters.set_audio_ctx(audio_context_for(0));
        self.state
            .full(parameters, &vec![0.0; WHISPER_SAMPLE_RATE as usize + 1])
            .map_err(|error| SpeechError::Recognition(error.to_string()))
    }

    /// Sets the CPU threads the next transcriptions use.
    pub fn set_threads(&mut self, threads: usize) {
        self.options.threads = threads.max(1);
    }

    /// Transcribes 16 kHz mono audio.
    pub fn transcribe(&mut self, samples: &[f32]) -> Result<Transcript, SpeechError> {
        self.transcribe_as(samples, self.options.languages)
    }

    /// Transcribes 16 kHz mono audio, choosing the language as `languages` says.
    pub fn transcribe_as(
        &mut self,
        samples: &[f32],
        languages: LanguageChoice,
    ) -> Result<Transcript, SpeechError> {
        let audio_seconds = samples.len() as f64 / f64::from(WHISPER_SAMPLE_RATE);
        let fallback_language = match languages {
            LanguageChoice::Fixed(language) => language,
            LanguageChoice::MandarinOrEnglish => SpokenLanguage::Mandarin,
        };
        let mut timings = RecognitionTimings::default();
        let nothing = |language, timings| Transcript {
            text: String::new(),
            language,
            audio_seconds,
            timings,
        };
        if samples.len() < (WHISPER_SAMPLE_RATE as usize) / 5
            || peak_window_rms(samples, WHISPER_SAMPLE_RATE) < self.options.min_rms
        {
            return Ok(nothing(fallback_language, timings));
        }
        if let Some(vad) = &self.vad {
            let started = Instant::now();
            let probabilities = vad.probabilities(samples)?;
            let voiced = probabilities
                .iter()
                .filter(|probability| **probability >= 0.5)
                .count();
            timings.voice_check = started.elapsed();
            // Speech is voiced through most of an utterance; noise only flickers.
            if voiced < MIN_VOICED_CHUNKS.max(probabilities.len() / 5) {
                return Ok(nothing(fallback_language, timings));
            }
        }
        // Whisper is trained on 30-second windows and invents words at a window's very start and end; a little
        // silence around a short turn steadies it.
        let margin = vec![0.0_f32; (WHISPER_SAMPLE_RATE as usize) / 5];
        let mut padded = Vec::with_capacity(samples.len() + 2 * margin.len());
        padded.extend_from_slice(&margin);
        padded.extend_from_slice(samples);
        padded.extend_from_slice(&margin);
        // At least one second: whisper.cpp refuses shorter input.
        if padded.len() < WHISPER_SAMPLE_RATE as usize + 1 {
            padded.resize(WHISPER_SAMPLE_RATE as usize + 1, 0.0);
        }

        let threads = self.options.threads.max(1);
        let failed = |error: whisper_rs::WhisperError| SpeechError::Recognition(error.to_string());
        let language = match languages {
            LanguageChoice::Fixed(language) => language,
            LanguageChoice::MandarinOrEnglish => {
                let started = Instant::now();
                self.state.pcm_to_mel(&padded, threads).map_err(failed)?;
                let (_, probabilities) = self.state.lang_detect(0, threads).map_err(failed)?;
                let probability = |code: &str| {
                    whisper_rs::get_lang_id(code)
                        .and_then(|id| probabilities.get(id as usize).copied())
                        .unwrap_or(0.0)
                };
                timings.language_detection = started.elapsed();
                if probability("en") > probability("zh") {
                    SpokenLanguage::English
                } else {
                    SpokenLanguage::Mandarin
                }
            }
        };

        let mut parameters = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        parameters.set_n_threads(threads as i32);
        parameters.set_language(Some(language.whisper_code()));
        parameters.set_translate(false);
        parameters.set_no_context(true);
        parameters.set_no_timestamps(true);
        parameters.set_single_segment(true);
        parameters.set_suppress_blank(true);
        parameters.set_suppress_nst(true);
        parameters.set_temperature(0.0);
        parameters.set_temperature_inc(0.0);
        parameters.set_print_progress(false);
        parameters.set_print_realtime(false);
        parameters.set_print_special(false);
        parameters.set_print_timestamps(false);
        parameters.set_no_speech_thold(self.options.no_speech_threshold);
        let prompt = match language {
            SpokenLanguage::Mandarin => self.options.mandarin_prompt.as_str(),
            SpokenLanguage::English => self.options.english_prompt.as_str(),
        };
        parameters.set_initial_prompt(prompt);
        if self.options.shorten_audio_context {
            parameters.set_audio_ctx(audio_context_for(padded.len()));
        }
        // Nobody says more than about ten tokens a second; a decoder stuck repeating itself stops there.
        parameters.set_max_tokens(max_tokens_for(audio_seconds));
        let started = Instant::now();
        self.state.full(parameters, &padded).map_err(failed)?;
        timings.decoding = started.elapsed();

        let mut text = String::new();
        for segment in self.state.as_iter() {
            if segment.no_speech_probability() >= self.options.no_speech_threshold {
                continue;
            }
            let piece = segment.to_str_lossy().map_err(failed)?;
            text.push_str(piece.trim());
        }
        let text = clean_transcript(&text, language, prompt);
        Ok(Transcript {
            text,
            language,
            audio_seconds,
            timings,
        })
    }
}

/// The encoder frames (20 ms each, 1500 for 30 s) that cover `samples` at 16 kHz, with room to spare: encoding
/// less than the whole window is much faster on short turns, and a margin keeps the last words.
pub fn audio_context_for(samples: usize) -> i32 {
    let frames = samples.div_ceil(320) + 64;
    // A multiple of 64 keeps whisper.cpp's matrix kernels on their fast paths.
    let rounded = frames.div_ceil(64) * 64;
    rounded.clamp(256, 1500) as i32
}

/// The most tokens a transcript of `seconds` of speech may have.
pub fn max_tokens_for(seconds: f64) -> i32 {
    (16.0 + 10.0 * seconds).min(220.0) as i32
}

/// The text with a sentence repeated back to back kept once: Whisper's decoder sometimes loops on a phrase.
pub fn without_repeats(text: &str) -> String {
    let mut sentences: Vec<String> = Vec::new();
    let mut current = String::new();
    for character in text.chars() {
        current.push(character);
        if matches!(character, '。' | '？' | '！' | '?' | '!' | '.' | '，' | ',') {
            sentences.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        sentences.push(current);
    }
    let mut kept: Vec<String> = Vec::new();
    for sentence in sentences {
        if kept
            .last()
            .is_some_and(|last| last.trim() == sentence.trim())
        {
            continue;
        }
        kept.push(sentence);
    }
    kept.concat()
}

/// Phrases Whisper writes for silence, music and noise, learned from subtitle credits. A transcript that is one
/// of them (ignoring punctuation and case) or contains one of the longer ones is no speech.
const PHANTOM_PHRASES: &[&str] = &[
    "请不吝点赞订阅转发打赏支持明镜与点点栏目",
    "字幕由amara.org社区提供",
    "字幕by索兰娅",
    "优优独播剧场",
    "yoyotelevisionseriesexclusive",
    "明镜需要您的支持",
    "欢迎订阅明镜",
    "中文字幕志愿者",
    "谢谢观看",
    "感谢观看",
    "谢谢大家",
    "谢谢收看",
    "请订阅",
    "subtitlesbytheamara.orgcommunity",
    "thanksforwatching",
    "thankyouforwatching",
    "pleasesubscribe",
    "subscribetomychannel",
    "likeandsubscribe",
    "seeyouinthenextvideo",
];

/// Transcripts that are only one of these, ignoring punctuation and case, are taken as no speech: Whisper's usual
/// answers to a breath or a click.
const PHANTOM_WHOLE: &[&str] = &[
    "you", "bye", "thankyou", "thanks", "ok", "嗯", "啊", "谢谢", "字幕", "music", "音乐",
];

fn letters_only(text: &str) -> String {
    text.chars()
        .filter(|character| character.is_alphanumeric() || *character == '.')
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .trim_matches('.')
        .to_owned()
}

/// The transcript as the dialog should see it: bracketed sound descriptions removed, Simplified characters for
/// Mandarin, phantom phrases and an echoed prompt dropped, whitespace tidied.
pub fn clean_transcript(raw: &str, language: SpokenLanguage, prompt: &str) -> String {
    let mut text = String::with_capacity(raw.len());
    let mut depth = 0_usize;
    for character in raw.chars() {
        match character {
            '[' | '(' | '（' | '【' => depth += 1,
            ']' | ')' | '）' | '】' => depth = depth.saturating_sub(1),
            '♪' | '♫' => {}
            _ if depth == 0 => text.push(character),
            _ => {}
        }
    }
    let mut text = if language == SpokenLanguage::Mandarin {
        fast2s::convert(&text)
    } else {
        text
    };
    text = without_repeats(&text.split_whitespace().collect::<Vec<_>>().join(" "));
    let key = letters_only(&text);
    if key.is_empty() {
        return String::new();
    }
    let prompt_key = letters_only(&fast2s::convert(prompt));
    if PHANTOM_WHOLE.contains(&key.as_str())
        || PHANTOM_PHRASES.iter().any(|phrase| key.contains(phrase))
        || (key.chars().count() >= 6 && prompt_key.contains(&key))
    {
        return String::new();
    }
    // The prompt's opening words echoed in front of the real words.
    for echo in [
        "以下是普通话的句子。",
        "以下是普通话的句子，",
        "以下是普通话的句子",
    ] {
        if let Some(rest) = text.strip_prefix(echo) {
            text = rest.trim().to_owned();
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phantom_phrases_and_sound_descriptions_are_no_speech() {
        let prompt = RecognizerOptions::default().mandarin_prompt;
        for raw in [
            "请不吝点赞 订阅 转发 打赏支持明镜与点点栏目",
            "字幕由Amara.org社区提供",
            "[Music]",
            "(音乐)",
            " Thank you for watching! ",
            "you",
            "♪♪",
            "...",
            "以下是普通话的句子，关于借款、还款、额度",
        ] {
            assert_eq!(
                clean_transcript(raw, SpokenLanguage::Mandarin, &prompt),
                "",
                "{raw}"
            );
        }
    }

    #[test]
    fn real_words_survive_in_simplified_characters() {
        let prompt = RecognizerOptions::default().mandarin_prompt;
        assert_eq!(
            clean_transcript("本期應還多少錢？", SpokenLanguage::Mandarin, &prompt),
            "本期应还多少钱？"
        );
        assert_eq!(
            clean_transcript(
                "以下是普通话的句子。我的额度是多少",
                SpokenLanguage::Mandarin,
                &prompt
            ),
            "我的额度是多少"
        );
        assert_eq!(
            clean_transcript(
                " How much do I owe?  [BLANK_AUDIO]",
                SpokenLanguage::English,
                "A borrower asks."
            ),
            "How much do I owe?"
        );
    }

    #[test]
    fn a_looping_decoder_is_heard_once() {
        assert_eq!(
            without_repeats("我的额度多少?我的额度多少?我的额度多少?"),
            "我的额度多少?"
        );
        assert_eq!(without_repeats("One, two, three."), "One, two, three.");
        assert_eq!(max_tokens_for(2.0), 36);
        assert_eq!(max_tokens_for(60.0), 220);
    }

    #[test]
    fn the_audio_context_covers_the_audio_and_stays_within_whisper_bounds() {
        assert_eq!(audio_context_for(16_000), 256);
        let five_seconds = audio_context_for(5 * 16_000);
        assert!(
            five_seconds >= 250 + 64 && five_seconds % 64 == 0,
            "{five_seconds}"
        );
        assert_eq!(audio_context_for(40 * 16_000), 1500);
    }

    #[test]
    fn quiet_audio_has_no_loud_window() {
        let quiet = vec![0.001_f32; 16_000];
        assert!(peak_window_rms(&quiet, 16_000) < RecognizerOptions::default().min_rms);
        let mut loud = quiet.clone();
        for sample in &mut loud[4_000..6_000] {
            *sample = 0.2;
        }
        assert!(peak_window_rms(&loud, 16_000) > 0.1);
    }
}

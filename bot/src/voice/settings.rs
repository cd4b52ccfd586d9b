//! The voice channel's settings: the `[voice]` table of the configuration file, overridden by `ANXIN_VOICE_*`
//! environment variables (and `ANXIN_TWILIO_AUTH_TOKEN`). Every field has a default that works on a machine set up
//! by the README's commands.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, bail};
use serde::Deserialize;

/// The Twilio account's auth token, with which Twilio signs its requests. Never printed: its `Debug` is redacted.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct TwilioAuthToken(String);

impl TwilioAuthToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself, for computing signatures only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for TwilioAuthToken {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("TwilioAuthToken(<redacted>)")
    }
}

/// How an AudioSocket call's caller is found (AudioSocket itself sends only a call UUID).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioSocketCallerLookup {
    /// The caller's number is written in the UUID's last 12 hexadecimal places as decimal digits, as the dialplan
    /// `AudioSocket(${UUID_PREFIX}-${CALLERID(num)},...)` with the number zero-padded to 12 digits makes it; a
    /// leading country code is taken from `country_code` when the number has 11 digits or fewer.
    UuidDigits { country_code: String },
    /// A fixed table from call UUID to E.164 number (for tests and small installations).
    Table(BTreeMap<String, String>),
}

/// Everything the voice channel can be configured with.
#[derive(Debug, Clone, PartialEq)]
pub struct VoiceSettings {
    /// Serve `GET /v1/voice/twilio` (and the AudioSocket listener when it has an address).
    pub enabled: bool,
    /// Prepare the engines when the server starts rather than on the first call (`anxin serve` does).
    pub preload: bool,
    /// A GGML Whisper model to use instead of the bundled multilingual base model.
    pub whisper_model: Option<PathBuf>,
    /// Where the voice models are fetched and imported to, when not the general models folder.
    pub models_dir: Option<PathBuf>,
    /// Threads that transcribe at the same time.
    pub recognition_workers: usize,
    /// CPU threads one transcription may use.
    pub recognition_threads: usize,
    /// CPU threads all transcriptions together may use: an utterance decoded alone gets up to
    /// `recognition_threads` of them, one decoded beside others what is left, and none waits for a thread while
    /// fewer are free than it needs to start (one). Whisper's threads spin while they wait for each other, so more
    /// threads than cores stalls them all.
    pub recognition_cores: usize,
    /// Utterances that may wait for a free worker; beyond that a caller hears the busy message.
    pub recognition_queue: usize,
    /// The silence that ends a caller's turn, in milliseconds.
    pub end_silence_ms: u32,
    /// The espeak-ng program.
    pub espeak_command: String,
    /// With it, a Media Streams request whose `X-Twilio-Signature` is missing or wrong is refused (403); without
    /// it every request is accepted, and a warning says so at start.
    pub twilio_auth_token: Option<TwilioAuthToken>,
    /// The scheme, host and any path prefix under which Twilio reaches the server (`wss://voice.example.com`),
    /// when a proxy in front of it changes them; the signed URL is this followed by the path and query the server
    /// sees. Without it the URL is rebuilt from the `Host` (or `X-Forwarded-Host`) and `X-Forwarded-Proto` headers.
    pub twilio_public_url: Option<String>,
    /// Where the AudioSocket listener binds (`host:port`); none means no listener.
    pub audiosocket_listen: Option<String>,
    pub audiosocket_callers: AudioSocketCallerLookup,
}

impl Default for VoiceSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            preload: false,
            whisper_model: None,
            models_dir: None,
            recognition_workers: 2,
            recognition_threads: 2,
            recognition_cores: 2,
            recognition_queue: 2,
            end_silence_ms: 600,
            espeak_command: "espeak-ng".to_owned(),
            twilio_auth_token: None,
            twilio_public_url: None,
            audiosocket_listen: None,
            audiosocket_callers: AudioSocketCallerLookup::UuidDigits {
                country_code: "86".to_owned(),
            },
        }
    }
}

/// The `[voice]` table of the configuration file.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoiceFileSettings {
    pub enabled: Option<bool>,
    pub whisper_model: Option<PathBuf>,
    pub models_dir: Option<PathBuf>,
    pub recognition_workers: Option<usize>,
    pub recognition_threads: Option<usize>,
    pub recognition_cores: Option<usize>,
    pub recognition_queue: Option<usize>,
    pub end_silence_ms: Option<u32>,
    pub espeak_command: Option<String>,
    pub twilio_auth_token: Option<TwilioAuthToken>,
    pub twilio_public_url: Option<String>,
    pub audiosocket_listen: Option<String>,
    /// `uuid-digits` (the default) or `table`.
    pub audiosocket_caller_lookup: Option<String>,
    pub audiosocket_country_code: Option<String>,
    /// For `table`: call UUID to E.164 number.
    pub audiosocket_callers: Option<BTreeMap<String, String>>,
}

fn parse_number<T: std::str::FromStr>(name: &str, text: &str) -> anyhow::Result<T> {
    text.trim()
        .parse::<T>()
        .ok()
        .with_context(|| format!("{name} must be a whole number, not {text:?}"))
}

impl VoiceSettings {
    /// Combines the file's table and the environment (a lookup function, so tests need not touch the process).
    pub fn from_sources(
        file: Option<VoiceFileSettings>,
        environment: &dyn Fn(&str) -> Option<String>,
    ) -> anyhow::Result<VoiceSettings> {
        let file = file.unwrap_or_default();
        let defaults = VoiceSettings::default();
        let enabled = match environment("ANXIN_VOICE_ENABLED") {
            Some(text) => match text.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => bail!("ANXIN_VOICE_ENABLED must be true or false, not {text:?}"),
            },
            None => file.enabled.unwrap_or(defaults.enabled),
        };
        let number =
            |name: &str, from_file: Option<usize>, default: usize| -> anyhow::Result<usize> {
                let value = match environment(name) {
                    Some(text) => parse_number::<usize>(name, &text)?,
                    None => from_file.unwrap_or(default),
                };
                if value == 0 {
                    bail!("{name} must be at least 1");
                }
                Ok(value)
            };
        let recognition_workers = number(
            "ANXIN_VOICE_RECOGNITION_WORKERS",
            file.recognition_workers,
            defaults.recognition_workers,
        )?;
        let recognition_threads = number(
            "ANXIN_VOICE_RECOGNITION_THREADS",
            file.recognition_threads,
            defaults.recognition_threads,
        )?;
        let recognition_cores = number(
            "ANXIN_VOICE_RECOGNITION_CORES",
            file.recognition_cores,
            defaults.recognition_cores,
        )?;
        let recognition_queue = number(
            "ANXIN_VOICE_RECOGNITION_QUEUE",
            file.recognition_queue,
            defaults.recognition_queue,
        )?;
        let end_silence_ms = match environment("ANXIN_VOICE_END_SILENCE_MS") {
            Some(text) => parse_number::<u32>("ANXIN_VOICE_END_SILENCE_MS", &text)?,
            None => file.end_silence_ms.unwrap_or(defaults.end_silence_ms),
        };
        if !(200..=5000).contains(&end_silence_ms) {
            bail!("the end-of-turn silence must be between 200 and 5000 ms, not {end_silence_ms}");
        }
        let twilio_auth_token = environment("ANXIN_TWILIO_AUTH_TOKEN")
            .map(TwilioAuthToken::new)
            .or(file.twilio_auth_token)
            .filter(|token| !token.expose().trim().is_empty());
        let twilio_public_url = environment("ANXIN_VOICE_TWILIO_PUBLIC_URL")
            .or(file.twilio_public_url)
            .map(|url| url.trim().trim_end_matches('/').to_owned())
            .filter(|url| !url.is_empty());
        if let Some(url) = &twilio_public_url
            && !["wss://", "ws://", "https://", "http://"]
                .iter()
                .any(|scheme| url.starts_with(scheme))
        {
            bail!("the Twilio public URL must start with wss:// or https://, not {url:?}");
        }
        let lookup = environment("ANXIN_VOICE_AUDIOSOCKET_CALLER_LOOKUP")
            .or(file.audiosocket_caller_lookup)
            .unwrap_or_else(|| "uuid-digits".to_owned());
        let audiosocket_callers = match lookup.trim() {
            "uuid-digits" => AudioSocketCallerLookup::UuidDigits {
                country_code: environment("ANXIN_VOICE_AUDIOSOCKET_COUNTRY_CODE")
                    .or(file.audiosocket_country_code)
                    .unwrap_or_else(|| "86".to_owned())
                    .trim()
                    .trim_start_matches('+')
                    .to_owned(),
            },
            "table" => AudioSocketCallerLookup::Table(file.audiosocket_callers.unwrap_or_default()),
            other => {
                bail!("the AudioSocket caller lookup must be uuid-digits or table, not {other:?}")
            }
        };
        Ok(VoiceSettings {
            enabled,
            preload: false,
            whisper_model: environment("ANXIN_VOICE_WHISPER_MODEL")
                .map(PathBuf::from)
                .or(file.whisper_model),
            models_dir: environment("ANXIN_VOICE_MODELS_DIR")
                .map(PathBuf::from)
                .or(file.models_dir),
            recognition_workers,
            recognition_threads,
            recognition_cores,
            recognition_queue,
            end_silence_ms,
            espeak_command: environment("ANXIN_VOICE_ESPEAK")
                .or(file.espeak_command)
                .unwrap_or(defaults.espeak_command),
            twilio_auth_token,
            twilio_public_url,
            audiosocket_listen: environment("ANXIN_VOICE_AUDIOSOCKET_LISTEN")
                .or(file.audiosocket_listen),
            audiosocket_callers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_the_file_and_bad_values_are_refused() {
        let file = VoiceFileSettings {
            recognition_workers: Some(3),
            audiosocket_listen: Some("127.0.0.1:9092".to_owned()),
            ..VoiceFileSettings::default()
        };
        let environment = |name: &str| match name {
            "ANXIN_VOICE_RECOGNITION_QUEUE" => Some("5".to_owned()),
            _ => None,
        };
        let settings =
            VoiceSettings::from_sources(Some(file.clone()), &environment).expect("valid");
        assert_eq!(settings.recognition_workers, 3);
        assert_eq!(settings.recognition_queue, 5);
        assert_eq!(
            settings.audiosocket_listen.as_deref(),
            Some("127.0.0.1:9092")
        );
        assert!(settings.enabled);

        let zero = |name: &str| (name == "ANXIN_VOICE_RECOGNITION_WORKERS").then(|| "0".to_owned());
        assert!(VoiceSettings::from_sources(None, &zero).is_err());
        let words = |name: &str| (name == "ANXIN_VOICE_END_SILENCE_MS").then(|| "soon".to_owned());
        assert!(VoiceSettings::from_sources(None, &words).is_err());
        let off = |name: &str| (name == "ANXIN_VOICE_ENABLED").then(|| "off".to_owned());
        assert!(
            !VoiceSettings::from_sources(None, &off)
                .expect("valid")
                .enabled
        );
    }

    #[test]
    fn the_twilio_auth_token_comes_from_the_environment_or_the_file_and_is_never_printed() {
        assert_eq!(
            VoiceSettings::from_sources(None, &|_: &str| None)
                .expect("valid")
                .twilio_auth_token,
            None
        );
        let file: VoiceFileSettings = toml::from_str(
            "twilio_auth_token = \"from-the-file-0123\"\ntwilio_public_url = \"wss://voice.example.com/\"",
        )
        .expect("a valid table");
        let from_file =
            VoiceSettings::from_sources(Some(file.clone()), &|_: &str| None).expect("valid");
        assert_eq!(
            from_file
                .twilio_auth_token
                .as_ref()
                .map(TwilioAuthToken::expose),
            Some("from-the-file-0123")
        );
        assert_eq!(
            from_file.twilio_public_url.as_deref(),
            Some("wss://voice.example.com")
        );
        let environment = |name: &str| {
            (name == "ANXIN_TWILIO_AUTH_TOKEN").then(|| "from-the-environment-4567".to_owned())
        };
        let settings = VoiceSettings::from_sources(Some(file), &environment).expect("valid");
        assert_eq!(
            settings
                .twilio_auth_token
                .as_ref()
                .map(TwilioAuthToken::expose),
            Some("from-the-environment-4567")
        );
        let printed = format!("{settings:?}");
        assert!(!printed.contains("from-the-environment-4567"), "{printed}");
        assert!(printed.contains("<redacted>"), "{printed}");
        let empty = |name: &str| (name == "ANXIN_TWILIO_AUTH_TOKEN").then(|| " ".to_owned());
        assert_eq!(
            VoiceSettings::from_sources(None, &empty)
                .expect("valid")
                .twilio_auth_token,
            None
        );
        let bad_url = |name: &str| {
            (name == "ANXIN_VOICE_TWILIO_PUBLIC_URL").then(|| "voice.example.com".to_owned())
        };
        assert!(VoiceSettings::from_sources(None, &bad_url).is_err());
    }
}

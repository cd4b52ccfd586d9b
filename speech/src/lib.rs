//! Audio for Anxin's voice channel: the G.711 codecs that telephony speaks (mu-law for Twilio Media Streams, A-law
//! for much of the rest of the world) and sample-rate conversion between the rates the pipeline meets (8 kHz on the
//! phone line, 16 kHz for speech recognition, 22.05 kHz from the speech synthesiser).
//!
//! On these sit the voice channel's engines: voice activity detection with Silero VAD run in candle (`vad`),
//! end-of-turn detection on telephone audio (`turn`), speech recognition with whisper.cpp that answers in Simplified
//! Chinese or English and never with text for silence or noise (`recognizer`), and the rendering of replies for the
//! ear, with amounts, dates and phone numbers in words (`speakable`). WAVE files are read and written in memory
//! (`wav`).
//!
//! The crate is pure: samples in, samples out, no I/O. Models come in as bytes; running the synthesiser, fetching
//! models and talking to telephony platforms happen in `bot`.

pub mod g711;
pub mod recognizer;
pub mod resample;
pub mod speakable;
pub mod turn;
pub mod vad;
pub mod wav;
pub mod whisper_import;

pub use g711::{alaw_decode, alaw_encode, mulaw_decode, mulaw_encode};
pub use recognizer::{
    LanguageChoice, RecognitionTimings, Recognizer, RecognizerOptions, RecognizerWorker,
    SpokenLanguage, Transcript,
};
pub use resample::{Resampler, resample};
pub use speakable::{SpeechLanguage, speakable};
pub use turn::{TurnDetector, TurnEvent, TurnOptions};
pub use vad::{SileroVad, VadStream};
pub use wav::{Audio, decode_wav, encode_wav};
pub use whisper_import::{WhisperImportError, convert_ct2_to_ggml};

/// Failures of audio conversion.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpeechError {
    /// A sample rate of zero, or one the resampler cannot represent.
    #[error("unsupported sample rate {0} Hz")]
    UnsupportedRate(u32),
    /// A Whisper model could not be imported from CTranslate2's format into whisper.cpp's.
    #[error(transparent)]
    WhisperImport(#[from] WhisperImportError),
    /// Bytes that are not a 16-bit PCM WAVE file.
    #[error("invalid WAVE audio: {0}")]
    InvalidWav(String),
    /// The voice activity model could not be loaded or run.
    #[error("voice activity detection failed: {0}")]
    Vad(String),
    /// A speech recognition model could not be loaded.
    #[error("cannot load the speech recognition model: {0}")]
    ModelLoad(String),
    /// Recognition failed on this audio.
    #[error("speech recognition failed: {0}")]
    Recognition(String),
}

//! Audio for Anxin's voice channel: the G.711 codecs that telephony speaks (mu-law for Twilio Media Streams, A-law
//! for much of the rest of the world) and sample-rate conversion between the rates the pipeline meets (8 kHz on the
//! phone line, 16 kHz for speech recognition, 22.05 kHz from the speech synthesiser).
//!
//! The crate is pure: samples in, samples out, no I/O. Speech recognition, voice activity detection and synthesis
//! build on these pieces in the voice issue.

pub mod g711;
pub mod resample;
pub mod whisper_import;

pub use g711::{alaw_decode, alaw_encode, mulaw_decode, mulaw_encode};
pub use resample::{Resampler, resample};
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
}

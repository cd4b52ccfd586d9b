//! The candle intent classifier: hashed character and word n-grams, an embedding bag, a hidden layer and a
//! softmax over the intents, trained with AdamW and calibrated with a temperature fitted on held-out examples.
//!
//! - [`features`] turns normalised text into hash buckets (Chinese character n-grams, words, word pairs and
//!   character n-grams inside longer words).
//! - `training` runs the candle training loop and the temperature calibration.
//! - `network` holds the trained weights as plain vectors and runs prediction without tensors.
//! - `files` writes and reads the safetensors weights and the JSON description.
//!
//! Training needs at least two intents of `shared/spec/intents.tsv`. Prediction never fails: text with no
//! known features gets the model's answer for an empty bag, which training teaches to be `out_of_scope` when
//! that intent is in the data.

pub mod features;
mod files;
mod network;
mod training;

use serde::{Deserialize, Serialize};

use self::network::Network;
pub(crate) use self::network::softmax_with_temperature;
use crate::{IntentScore, NluError, TrainingExample};

pub use self::files::{FORMAT_NAME, FORMAT_VERSION};
pub(crate) use self::files::{TensorValues, take_f32, take_tensor, write_safetensors};
#[cfg(test)]
pub(crate) use self::network::NetworkParts;
pub(crate) use self::training::{argmax, fit_temperature, mean_negative_log_likelihood};

/// The most intents a ranking lists.
pub const MAX_RANKING: usize = 10;

/// Hyper-parameters of training. Build them as `TrainOptions { epochs: 40, ..TrainOptions::default() }`, so
/// that fields added later keep their defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// Passes over the training part.
    pub epochs: usize,
    /// Seeds every random choice: initial weights, the held-out split, the order of examples and dropout.
    pub seed: u64,
    /// Examples per optimiser step.
    pub batch_size: usize,
    /// The AdamW learning rate of the first epoch; it falls linearly to a tenth of this by the last.
    pub learning_rate: f64,
    /// AdamW's decoupled weight decay.
    pub weight_decay: f64,
    /// The size of the bucket embeddings and so of the bag.
    pub embedding_dim: usize,
    /// The size of the hidden layer.
    pub hidden_dim: usize,
    /// The probability of zeroing a hidden unit during training.
    pub dropout: f64,
    /// The probability of leaving out a feature of an example during training.
    pub feature_dropout: f64,
    /// The fraction of every intent's examples kept out of training to fit the temperature.
    pub held_out_fraction: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            epochs: 24,
            seed: 7,
            batch_size: 128,
            learning_rate: 0.01,
            weight_decay: 0.0001,
            embedding_dim: 64,
            hidden_dim: 128,
            dropout: 0.3,
            feature_dropout: 0.2,
            held_out_fraction: 0.1,
        }
    }
}

impl TrainOptions {
    fn check(&self) -> Result<(), NluError> {
        let problem = if !(1..=10_000).contains(&self.epochs) {
            Some("epochs must be between 1 and 10000")
        } else if !(1..=65_536).contains(&self.batch_size) {
            Some("the batch size must be between 1 and 65536")
        } else if !(1..=1024).contains(&self.embedding_dim) {
            Some("the embedding size must be between 1 and 1024")
        } else if !(1..=4096).contains(&self.hidden_dim) {
            Some("the hidden size must be between 1 and 4096")
        } else if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            Some("the learning rate must be a positive number")
        } else if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            Some("the weight decay must not be negative")
        } else if !(0.0..1.0).contains(&self.dropout) || !(0.0..1.0).contains(&self.feature_dropout)
        {
            Some("dropout probabilities must be at least 0 and below 1")
        } else if !(0.0..=0.5).contains(&self.held_out_fraction) {
            Some("the held-out fraction must be between 0 and 0.5")
        } else {
            None
        };
        match problem {
            Some(problem) => Err(NluError::Training(problem.to_owned())),
            None => Ok(()),
        }
    }
}

/// Reported once per epoch while training.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainProgress {
    pub epoch: usize,
    pub epochs: usize,
    /// The mean cross-entropy over the epoch's training examples, with dropout on.
    pub loss: f32,
    /// The share of the epoch's training examples the network got right while learning them.
    pub train_accuracy: f32,
    /// The share of held-out examples the network gets right after the epoch, if any were held out.
    pub held_out_accuracy: Option<f32>,
}

/// What training saw and how calibration went; saved with the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingSummary {
    /// All examples given.
    pub examples: usize,
    /// Examples trained on.
    pub training_examples: usize,
    /// Examples held out to fit the temperature.
    pub held_out_examples: usize,
    pub held_out_accuracy: Option<f32>,
    /// The held-out mean negative log-likelihood before and after the temperature.
    pub held_out_nll_before_calibration: Option<f32>,
    pub held_out_nll_after_calibration: Option<f32>,
    pub epochs: usize,
    /// [`training_fingerprint`] of the data and options.
    pub fingerprint: String,
}

/// A serialised classifier: safetensors weights and a JSON description (labels, sizes, feature settings).
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFiles {
    pub weights: Vec<u8>,
    pub meta_json: String,
}

/// A trained intent classifier.
pub struct IntentClassifier {
    labels: Vec<String>,
    network: Network,
    temperature: f32,
    summary: TrainingSummary,
}

impl std::fmt::Debug for IntentClassifier {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("IntentClassifier")
            .field("labels", &self.labels.len())
            .field("vocabulary_rows", &self.network.bucket_ids.len())
            .field("embedding_dim", &self.network.embedding_dim)
            .field("hidden_dim", &self.network.hidden_dim)
            .field("temperature", &self.temperature)
            .finish()
    }
}

/// The intents of `examples` in the order of the spec, or the reason they cannot train a classifier.
fn training_labels(examples: &[TrainingExample]) -> Result<Vec<String>, NluError> {
    if examples.is_empty() {
        return Err(NluError::Training("there are no examples".to_owned()));
    }
    let known = crate::intents();
    if let Some((position, example)) = examples
        .iter()
        .enumerate()
        .find(|(_, example)| !known.iter().any(|intent| intent.id == example.intent))
    {
        return Err(NluError::Training(format!(
            "example {} ({:?}) has the unknown intent {:?}",
            position + 1,
            example.text,
            example.intent
        )));
    }
    let labels: Vec<String> = known
        .iter()
        .filter(|intent| examples.iter().any(|example| example.intent == intent.id))
        .map(|intent| intent.id.to_owned())
        .collect();
    if labels.len() < 2 {
        return Err(NluError::Training(
            "the examples must cover at least two intents".to_owned(),
        ));
    }
    Ok(labels)
}

impl IntentClassifier {
    /// Trains on `examples`, calling `progress` after every epoch. The same examples and options always give
    /// the same model.
    pub fn train(
        examples: &[TrainingExample],
        options: &TrainOptions,
        progress: &mut dyn FnMut(&TrainProgress),
    ) -> Result<Self, NluError> {
        options.check()?;
        let labels = training_labels(examples)?;
        let fingerprint = training_fingerprint(examples, options);
        let trained = training::train(examples, &labels, options, fingerprint, progress)?;
        Ok(Self {
            labels,
            network: trained.network,
            temperature: trained.temperature,
            summary: trained.summary,
        })
    }

    /// The safetensors weights and the JSON description of this classifier.
    pub fn to_files(&self) -> Result<ModelFiles, NluError> {
        let meta = files::ModelMeta {
            format: FORMAT_NAME.to_owned(),
            format_version: FORMAT_VERSION,
            labels: self.labels.clone(),
            embedding_dim: self.network.embedding_dim,
            hidden_dim: self.network.hidden_dim,
            vocabulary_rows: self.network.bucket_ids.len(),
            temperature: self.temperature,
            features: features::FeatureSettings::current(),
            training: self.summary.clone(),
        };
        files::write(&self.network, &meta)
    }

    /// Reads a classifier written by [`IntentClassifier::to_files`], refusing files of another format version,
    /// other feature settings, or weights that do not match their description.
    pub fn from_files(files: &ModelFiles) -> Result<Self, NluError> {
        let meta = files::read_meta(&files.meta_json)?;
        let network = files::read_network(&files.weights, &meta)?;
        Ok(Self {
            labels: meta.labels,
            network,
            temperature: meta.temperature,
            summary: meta.training,
        })
    }

    /// The intent labels this model knows, in output order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// The temperature the logits are divided by before the softmax.
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// What training saw and how calibration went.
    pub fn training_summary(&self) -> &TrainingSummary {
        &self.summary
    }

    /// The calibrated probability of every label, in the order of [`IntentClassifier::labels`].
    pub fn probabilities(&self, text: &str) -> Vec<f64> {
        softmax_with_temperature(&self.network.logits(text), f64::from(self.temperature))
    }

    /// Ranks intents for a normalised utterance by falling confidence (at most ten). The confidences are
    /// calibrated probabilities; they are rounded down very slightly so that, even in `f32`, they never add up
    /// to more than one.
    pub fn predict(&self, text: &str) -> Vec<IntentScore> {
        let probabilities = self.probabilities(text);
        let mut order: Vec<usize> = (0..probabilities.len()).collect();
        order.sort_by(|&left, &right| {
            probabilities[right]
                .total_cmp(&probabilities[left])
                .then(left.cmp(&right))
        });
        order.truncate(MAX_RANKING);
        order
            .into_iter()
            .map(|index| IntentScore {
                name: self.labels[index].clone(),
                confidence: round_down_to_f32(probabilities[index] * ROUNDING_MARGIN),
            })
            .collect()
    }

    /// A classifier from hand-made weights, for tests that need to know exactly what it will answer.
    #[cfg(test)]
    pub(crate) fn from_parts(
        labels: Vec<String>,
        parts: NetworkParts,
        temperature: f32,
    ) -> Result<Self, NluError> {
        let network = Network::new(parts).map_err(NluError::Model)?;
        Ok(Self {
            labels,
            network,
            temperature,
            summary: TrainingSummary {
                examples: 0,
                training_examples: 0,
                held_out_examples: 0,
                held_out_accuracy: None,
                held_out_nll_before_calibration: None,
                held_out_nll_after_calibration: None,
                epochs: 0,
                fingerprint: String::new(),
            },
        })
    }
}

/// Probabilities are scaled by this before rounding to `f32`: ten `f32` additions can each round up by at most
/// half a unit in the last place (6e-8 near one), and this leaves room for all of them.
const ROUNDING_MARGIN: f64 = 1.0 - 1.0 / (1u64 << 20) as f64;

fn round_down_to_f32(value: f64) -> f32 {
    let rounded = value as f32;
    if f64::from(rounded) > value {
        rounded.next_down().max(0.0)
    } else {
        rounded
    }
}

/// A 128-bit FNV-1a hash, for fingerprints.
struct Fnv1a128(u128);

impl Fnv1a128 {
    const OFFSET_BASIS: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u128::from(byte);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }

    /// Writes a length before the bytes, so that different splits of the same bytes hash differently.
    fn write_field(&mut self, bytes: &[u8]) {
        self.write(&(bytes.len() as u64).to_le_bytes());
        self.write(bytes);
    }
}

/// A stable hex hash (32 digits) of everything that decides the trained model: the model format version, the
/// feature settings, the options, and the normalised text and intent of every example in order. The text is
/// hashed as training sees it, after [`crate::normalize::normalize`], so a change in normalisation that
/// touches the data changes the fingerprint too. Entity annotations do not enter it, as the intent classifier
/// does not read them. The server keys its model cache on it.
pub fn training_fingerprint(examples: &[TrainingExample], options: &TrainOptions) -> String {
    let mut hasher = Fnv1a128(Fnv1a128::OFFSET_BASIS);
    hasher.write_field(FORMAT_NAME.as_bytes());
    hasher.write(&FORMAT_VERSION.to_le_bytes());
    let settings = serde_json::to_string(&features::FeatureSettings::current()).unwrap_or_default();
    hasher.write_field(settings.as_bytes());
    let TrainOptions {
        epochs,
        seed,
        batch_size,
        learning_rate,
        weight_decay,
        embedding_dim,
        hidden_dim,
        dropout,
        feature_dropout,
        held_out_fraction,
    } = options;
    for whole in [
        *epochs as u64,
        *seed,
        *batch_size as u64,
        *embedding_dim as u64,
        *hidden_dim as u64,
    ] {
        hasher.write(&whole.to_le_bytes());
    }
    for real in [
        learning_rate,
        weight_decay,
        dropout,
        feature_dropout,
        held_out_fraction,
    ] {
        hasher.write(&real.to_bits().to_le_bytes());
    }
    hasher.write(&(examples.len() as u64).to_le_bytes());
    for example in examples {
        hasher.write_field(crate::normalize::normalize(&example.text).text.as_bytes());
        hasher.write_field(example.intent.as_bytes());
    }
    format!("{:032x}", hasher.0)
}

#[cfg(test)]
mod tests;

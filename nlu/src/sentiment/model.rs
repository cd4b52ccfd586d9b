//! The candle sentiment model: negative, neutral or positive with a calibrated probability, tuned to
//! customer-service speech by the project's own domain set.
//!
//! The model sees an utterance two ways. The hashed character and word n-grams of the intent classifier
//! ([`crate::intent::features`]) are averaged into an embedding bag, and the lexicon scorer's counts
//! ([`super::lexicon_cues`]: positive and negative cue weight, negated cues, exclamation and question marks, and
//! the lexicon's own verdict) give a few dense numbers that carry what the lexicon knows about negation and
//! intensity even for phrases the training data never had. Both go through one hidden layer with ReLU to three
//! logits, and a softmax with a temperature fitted on held-out examples turns them into probabilities.
//!
//! Training runs in candle on the CPU with AdamW, from [`SentimentExample`]s that each carry a weight. The bundled
//! model trains on the domain set alone (every weight one) in seconds; a larger, less fitting corpus such as
//! product reviews can be mixed in with weights below one. Only examples of full weight are held out to fit the
//! temperature, so the reported confidence is calibrated to the domain rather than to the auxiliary corpus.
//!
//! Prediction runs in plain Rust without tensors and never fails. The model goes out and comes back as
//! safetensors bytes and a JSON description ([`ModelFiles`]), like the intent classifier.

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{Optimizer, ParamsAdamW};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::{LexiconCues, Sentiment, SentimentLabel, lexicon_cues};
use crate::intent::features::{self, BUCKET_COUNT, FeatureSettings};
use crate::intent::{
    TensorValues, argmax, fit_temperature, mean_negative_log_likelihood, softmax_with_temperature,
    take_f32, take_tensor, write_safetensors,
};
use crate::{Lang, ModelFiles, NluError, lang, normalize};

/// The name in every description this code writes.
pub const SENTIMENT_FORMAT_NAME: &str = "anxin-sentiment-model";
/// Raised whenever the meaning of the files changes.
pub const SENTIMENT_FORMAT_VERSION: u32 = 1;
/// The labels in output order.
pub const LABELS: [SentimentLabel; 3] = [
    SentimentLabel::Negative,
    SentimentLabel::Neutral,
    SentimentLabel::Positive,
];
/// How many numbers the lexicon contributes to the network's input.
pub const CUE_FEATURES: usize = 8;

const EMBEDDING: &str = "embedding";
const EMBEDDING_BUCKETS: &str = "embedding_buckets";
const HIDDEN_WEIGHT: &str = "hidden.weight";
const HIDDEN_BIAS: &str = "hidden.bias";
const OUTPUT_WEIGHT: &str = "output.weight";
const OUTPUT_BIAS: &str = "output.bias";

/// The smallest and largest temperature calibration may keep; `fit_temperature` searches the same range.
const TEMPERATURE_RANGE: (f32, f32) = (0.25, 10.0);

/// One labelled utterance. `weight` scales its share of the loss: one for the domain set, less for auxiliary
/// data that should shape the features without dominating them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentimentExample {
    pub text: String,
    pub label: SentimentLabel,
    #[serde(default = "full_weight")]
    pub weight: f32,
}

fn full_weight() -> f32 {
    1.0
}

impl SentimentExample {
    /// An example of full weight.
    pub fn new(text: impl Into<String>, label: SentimentLabel) -> Self {
        Self {
            text: text.into(),
            label,
            weight: 1.0,
        }
    }
}

/// Hyper-parameters of training. Build them as `SentimentOptions { epochs: 10, ..SentimentOptions::default() }`
/// so that fields added later keep their defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct SentimentOptions {
    /// Passes over the training part.
    pub epochs: usize,
    /// Seeds the initial weights, the held-out split, the order of examples and dropout.
    pub seed: u64,
    /// Examples per optimiser step.
    pub batch_size: usize,
    /// The AdamW learning rate of the first epoch; it falls linearly to a tenth of this by the last.
    pub learning_rate: f64,
    pub weight_decay: f64,
    /// The size of the bucket embeddings.
    pub embedding_dim: usize,
    pub hidden_dim: usize,
    /// The probability of zeroing a hidden unit during training.
    pub dropout: f64,
    /// The most embedding rows kept: the buckets that occur most often in the training part.
    pub max_vocabulary: usize,
    /// The fraction of every label's full-weight examples kept out of training to fit the temperature.
    pub held_out_fraction: f64,
}

impl Default for SentimentOptions {
    fn default() -> Self {
        Self {
            epochs: 30,
            seed: 11,
            batch_size: 32,
            learning_rate: 0.01,
            weight_decay: 0.0001,
            embedding_dim: 32,
            hidden_dim: 32,
            dropout: 0.2,
            max_vocabulary: 60_000,
            held_out_fraction: 0.1,
        }
    }
}

impl SentimentOptions {
    fn check(&self) -> Result<(), NluError> {
        let problem = if !(1..=10_000).contains(&self.epochs) {
            Some("epochs must be between 1 and 10000")
        } else if !(1..=65_536).contains(&self.batch_size) {
            Some("the batch size must be between 1 and 65536")
        } else if !(1..=1024).contains(&self.embedding_dim) {
            Some("the embedding size must be between 1 and 1024")
        } else if !(1..=4096).contains(&self.hidden_dim) {
            Some("the hidden size must be between 1 and 4096")
        } else if !(1..=BUCKET_COUNT).contains(&self.max_vocabulary) {
            Some("the vocabulary must have between 1 and 2^18 rows")
        } else if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            Some("the learning rate must be a positive number")
        } else if !(self.weight_decay.is_finite() && self.weight_decay >= 0.0) {
            Some("the weight decay must not be negative")
        } else if !(0.0..1.0).contains(&self.dropout) {
            Some("the dropout probability must be at least 0 and below 1")
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
pub struct SentimentProgress {
    pub epoch: usize,
    pub epochs: usize,
    /// The weighted mean cross-entropy over the epoch's training examples, with dropout on.
    pub loss: f32,
}

/// What training saw and how calibration went; saved with the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentimentTrainingSummary {
    pub examples: usize,
    pub training_examples: usize,
    pub held_out_examples: usize,
    pub held_out_accuracy: Option<f32>,
    pub held_out_nll_before_calibration: Option<f32>,
    pub held_out_nll_after_calibration: Option<f32>,
    pub epochs: usize,
}

/// The JSON description of a saved model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct SentimentMeta {
    format: String,
    format_version: u32,
    labels: Vec<SentimentLabel>,
    embedding_dim: usize,
    hidden_dim: usize,
    cue_features: usize,
    vocabulary_rows: usize,
    temperature: f32,
    features: FeatureSettings,
    training: SentimentTrainingSummary,
}

/// The weights of a trained model, row-major, as plain vectors.
#[derive(Clone)]
struct SentimentNetwork {
    embedding_dim: usize,
    hidden_dim: usize,
    /// The bucket of every embedding row, strictly increasing.
    bucket_ids: Vec<u32>,
    /// `bucket_ids.len() × embedding_dim`.
    embedding: Vec<f32>,
    /// `hidden_dim × (embedding_dim + CUE_FEATURES)`.
    hidden_weight: Vec<f32>,
    hidden_bias: Vec<f32>,
    /// `3 × hidden_dim`.
    output_weight: Vec<f32>,
    output_bias: Vec<f32>,
}

impl SentimentNetwork {
    /// Checks that the vectors fit together; the error says what does not.
    fn check(&self) -> Result<(), String> {
        let input = self.embedding_dim + CUE_FEATURES;
        if self.embedding_dim == 0 || self.hidden_dim == 0 {
            return Err("the embedding and hidden sizes must be positive".to_owned());
        }
        let sizes = [
            (
                EMBEDDING,
                self.embedding.len(),
                self.bucket_ids.len() * self.embedding_dim,
            ),
            (
                HIDDEN_WEIGHT,
                self.hidden_weight.len(),
                self.hidden_dim * input,
            ),
            (HIDDEN_BIAS, self.hidden_bias.len(), self.hidden_dim),
            (
                OUTPUT_WEIGHT,
                self.output_weight.len(),
                LABELS.len() * self.hidden_dim,
            ),
            (OUTPUT_BIAS, self.output_bias.len(), LABELS.len()),
        ];
        for (name, actual, expected) in sizes {
            if actual != expected {
                return Err(format!(
                    "{name} has {actual} values where {expected} are needed"
                ));
            }
        }
        if self.bucket_ids.windows(2).any(|pair| pair[0] >= pair[1]) {
            return Err("the embedding buckets are not strictly increasing".to_owned());
        }
        if self
            .bucket_ids
            .last()
            .is_some_and(|&bucket| bucket as usize >= BUCKET_COUNT)
        {
            return Err("a bucket is outside the hash buckets".to_owned());
        }
        let all_values = [
            &self.embedding,
            &self.hidden_weight,
            &self.hidden_bias,
            &self.output_weight,
            &self.output_bias,
        ];
        if all_values
            .iter()
            .any(|values| values.iter().any(|value| !value.is_finite()))
        {
            return Err("the weights contain values that are not finite".to_owned());
        }
        Ok(())
    }

    /// The logits of one encoded utterance: the mean of its known rows (unknown features count as zero
    /// vectors), then the cue features, through the hidden layer to the three label scores.
    fn logits(&self, encoded: &EncodedText) -> [f32; 3] {
        let dim = self.embedding_dim;
        let mut input = vec![0f32; dim + CUE_FEATURES];
        for bucket in &encoded.buckets {
            if let Ok(row) = self.bucket_ids.binary_search(bucket) {
                let values = &self.embedding[row * dim..(row + 1) * dim];
                for (total, value) in input.iter_mut().zip(values) {
                    *total += value;
                }
            }
        }
        if !encoded.buckets.is_empty() {
            let scale = 1.0 / encoded.buckets.len() as f32;
            for value in &mut input[..dim] {
                *value *= scale;
            }
        }
        input[dim..].copy_from_slice(&encoded.cues);
        let width = input.len();
        let hidden: Vec<f32> = (0..self.hidden_dim)
            .map(|unit| {
                let weights = &self.hidden_weight[unit * width..(unit + 1) * width];
                let sum: f32 = weights.iter().zip(&input).map(|(w, x)| w * x).sum();
                (sum + self.hidden_bias[unit]).max(0.0)
            })
            .collect();
        let mut logits = [0f32; 3];
        for (label, logit) in logits.iter_mut().enumerate() {
            let weights =
                &self.output_weight[label * self.hidden_dim..(label + 1) * self.hidden_dim];
            let sum: f32 = weights.iter().zip(&hidden).map(|(w, h)| w * h).sum();
            *logit = sum + self.output_bias[label];
        }
        logits
    }
}

/// An utterance as the model sees it: the hash buckets of its n-grams and the lexicon's numbers.
#[derive(Debug, Clone)]
struct EncodedText {
    buckets: Vec<u32>,
    cues: [f32; CUE_FEATURES],
}

/// Encodes already normalised text in the language given.
fn encode(normalized_text: &str, lang: Lang) -> EncodedText {
    EncodedText {
        buckets: features::buckets(normalized_text),
        cues: cue_features(&lexicon_cues(normalized_text, lang)),
    }
}

/// The lexicon's counts, compressed with `ln(1 + x)` so that a long rant does not swamp the network, and its
/// verdict as a one-hot vector scaled by its confidence.
fn cue_features(cues: &LexiconCues) -> [f32; CUE_FEATURES] {
    let compress = |value: f32| value.max(0.0).ln_1p();
    let verdict = |label: SentimentLabel| {
        if cues.sentiment.label == label {
            cues.sentiment.score
        } else {
            0.0
        }
    };
    [
        compress(cues.positive),
        compress(cues.negative),
        compress(cues.negated_cues as f32),
        compress(cues.exclamation_marks as f32),
        compress(cues.question_marks as f32),
        verdict(SentimentLabel::Negative),
        verdict(SentimentLabel::Neutral),
        verdict(SentimentLabel::Positive),
    ]
}

fn label_index(label: SentimentLabel) -> usize {
    match label {
        SentimentLabel::Negative => 0,
        SentimentLabel::Neutral => 1,
        SentimentLabel::Positive => 2,
    }
}

/// A trained sentiment model.
#[derive(Clone)]
pub struct SentimentModel {
    network: SentimentNetwork,
    temperature: f32,
    summary: SentimentTrainingSummary,
}

impl std::fmt::Debug for SentimentModel {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("SentimentModel")
            .field("vocabulary_rows", &self.network.bucket_ids.len())
            .field("embedding_dim", &self.network.embedding_dim)
            .field("hidden_dim", &self.network.hidden_dim)
            .field("temperature", &self.temperature)
            .finish()
    }
}

impl SentimentModel {
    /// Trains on `examples`, calling `progress` after every epoch. The same examples and options always give
    /// the same model. The examples must cover all three labels, and at least one must have full weight.
    pub fn train(
        examples: &[SentimentExample],
        options: &SentimentOptions,
        progress: &mut dyn FnMut(&SentimentProgress),
    ) -> Result<Self, NluError> {
        options.check()?;
        check_examples(examples)?;
        let (network, temperature, summary) = train_network(examples, options, progress)?;
        Ok(Self {
            network,
            temperature,
            summary,
        })
    }

    /// The calibrated probabilities of negative, neutral and positive (the order of [`LABELS`]) for normalised
    /// text in language `lang`.
    pub fn probabilities(&self, normalized_text: &str, lang: Lang) -> [f64; 3] {
        let logits = self.network.logits(&encode(normalized_text, lang));
        let probabilities = softmax_with_temperature(&logits, f64::from(self.temperature));
        [probabilities[0], probabilities[1], probabilities[2]]
    }

    /// The most probable label and its calibrated probability, for normalised text (the output of
    /// [`crate::normalize::normalize`]) in language `lang`.
    pub fn predict(&self, normalized_text: &str, lang: Lang) -> Sentiment {
        let probabilities = self.probabilities(normalized_text, lang);
        let mut best = 0;
        for (index, probability) in probabilities.iter().enumerate() {
            if *probability > probabilities[best] {
                best = index;
            }
        }
        Sentiment {
            label: LABELS[best],
            score: probabilities[best] as f32,
        }
    }

    /// Predicts raw text the way [`crate::Nlu::parse`] does: normalised first, language detected.
    pub fn predict_raw(&self, text: &str) -> Sentiment {
        let normalized = normalize::normalize(text);
        let lang = lang::detect(&normalized.text);
        self.predict(&normalized.text, lang)
    }

    /// The temperature the logits are divided by before the softmax.
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// What training saw and how calibration went.
    pub fn training_summary(&self) -> &SentimentTrainingSummary {
        &self.summary
    }

    /// The safetensors weights and the JSON description of this model.
    pub fn to_files(&self) -> Result<ModelFiles, NluError> {
        let network = &self.network;
        let rows = network.bucket_ids.len();
        let input = network.embedding_dim + CUE_FEATURES;
        let weights = write_safetensors(&[
            (
                EMBEDDING,
                vec![rows, network.embedding_dim],
                TensorValues::F32(&network.embedding),
            ),
            (
                EMBEDDING_BUCKETS,
                vec![rows],
                TensorValues::U32(&network.bucket_ids),
            ),
            (
                HIDDEN_WEIGHT,
                vec![network.hidden_dim, input],
                TensorValues::F32(&network.hidden_weight),
            ),
            (
                HIDDEN_BIAS,
                vec![network.hidden_dim],
                TensorValues::F32(&network.hidden_bias),
            ),
            (
                OUTPUT_WEIGHT,
                vec![LABELS.len(), network.hidden_dim],
                TensorValues::F32(&network.output_weight),
            ),
            (
                OUTPUT_BIAS,
                vec![LABELS.len()],
                TensorValues::F32(&network.output_bias),
            ),
        ])?;
        let meta = SentimentMeta {
            format: SENTIMENT_FORMAT_NAME.to_owned(),
            format_version: SENTIMENT_FORMAT_VERSION,
            labels: LABELS.to_vec(),
            embedding_dim: network.embedding_dim,
            hidden_dim: network.hidden_dim,
            cue_features: CUE_FEATURES,
            vocabulary_rows: rows,
            temperature: self.temperature,
            features: FeatureSettings::current(),
            training: self.summary.clone(),
        };
        let meta_json = serde_json::to_string_pretty(&meta)
            .map_err(|error| NluError::Model(format!("cannot write the description: {error}")))?;
        Ok(ModelFiles { weights, meta_json })
    }

    /// Reads a model written by [`SentimentModel::to_files`], refusing files of another format or version,
    /// other feature settings, or weights that do not match their description.
    pub fn from_files(files: &ModelFiles) -> Result<Self, NluError> {
        let meta: SentimentMeta = serde_json::from_str(&files.meta_json)
            .map_err(|error| NluError::Model(format!("the description is not valid: {error}")))?;
        let refuse = |message: String| Err(NluError::Model(message));
        if meta.format != SENTIMENT_FORMAT_NAME {
            return refuse(format!(
                "the description is for {:?}, not {SENTIMENT_FORMAT_NAME:?}",
                meta.format
            ));
        }
        if meta.format_version != SENTIMENT_FORMAT_VERSION {
            return refuse(format!(
                "format version {} cannot be read by this version, which reads version \
                 {SENTIMENT_FORMAT_VERSION}",
                meta.format_version
            ));
        }
        if meta.features != FeatureSettings::current() {
            return refuse(
                "the model was trained with different feature settings than this version computes"
                    .to_owned(),
            );
        }
        if meta.labels != LABELS || meta.cue_features != CUE_FEATURES {
            return refuse(
                "the labels or the lexicon features differ from this version".to_owned(),
            );
        }
        if !(meta.temperature.is_finite()
            && (TEMPERATURE_RANGE.0..=TEMPERATURE_RANGE.1).contains(&meta.temperature))
        {
            return refuse(format!(
                "temperature {} is outside {TEMPERATURE_RANGE:?}",
                meta.temperature
            ));
        }
        let mut tensors = candle_core::safetensors::load_buffer(&files.weights, &Device::Cpu)
            .map_err(|error| {
                NluError::Model(format!("the weights are not valid safetensors: {error}"))
            })?;
        let names = [
            EMBEDDING,
            EMBEDDING_BUCKETS,
            HIDDEN_WEIGHT,
            HIDDEN_BIAS,
            OUTPUT_WEIGHT,
            OUTPUT_BIAS,
        ];
        if let Some(extra) = tensors.keys().find(|name| !names.contains(&name.as_str())) {
            return refuse(format!("the weights hold an unexpected tensor {extra:?}"));
        }
        let rows = meta.vocabulary_rows;
        let (embedding_dim, hidden_dim) = (meta.embedding_dim, meta.hidden_dim);
        let input = embedding_dim + CUE_FEATURES;
        let embedding = take_f32(&mut tensors, EMBEDDING, &[rows, embedding_dim])?;
        let bucket_ids = take_tensor(&mut tensors, EMBEDDING_BUCKETS, DType::U32, &[rows])?
            .to_vec1::<u32>()
            .map_err(|error| NluError::Model(format!("{EMBEDDING_BUCKETS}: {error}")))?;
        let network = SentimentNetwork {
            embedding_dim,
            hidden_dim,
            bucket_ids,
            embedding,
            hidden_weight: take_f32(&mut tensors, HIDDEN_WEIGHT, &[hidden_dim, input])?,
            hidden_bias: take_f32(&mut tensors, HIDDEN_BIAS, &[hidden_dim])?,
            output_weight: take_f32(&mut tensors, OUTPUT_WEIGHT, &[LABELS.len(), hidden_dim])?,
            output_bias: take_f32(&mut tensors, OUTPUT_BIAS, &[LABELS.len()])?,
        };
        network.check().map_err(NluError::Model)?;
        Ok(Self {
            network,
            temperature: meta.temperature,
            summary: meta.training,
        })
    }
}

fn check_examples(examples: &[SentimentExample]) -> Result<(), NluError> {
    if let Some((position, example)) = examples
        .iter()
        .enumerate()
        .find(|(_, example)| !(example.weight.is_finite() && example.weight >= 0.0))
    {
        return Err(NluError::Training(format!(
            "example {} ({:?}) has the weight {}, which is not a non-negative number",
            position + 1,
            example.text,
            example.weight
        )));
    }
    for label in LABELS {
        if !examples
            .iter()
            .any(|example| example.label == label && example.weight > 0.0)
        {
            return Err(NluError::Training(format!(
                "there are no {label:?} examples; all three labels are needed"
            )));
        }
    }
    if !examples.iter().any(|example| example.weight >= 1.0) {
        return Err(NluError::Training(
            "at least one example must have full weight".to_owned(),
        ));
    }
    Ok(())
}

/// The trainable parameters as candle variables.
struct Parameters {
    embedding: Var,
    hidden_weight: Var,
    hidden_bias: Var,
    output_weight: Var,
    output_bias: Var,
}

impl Parameters {
    fn initialise(
        rows: usize,
        options: &SentimentOptions,
        rng: &mut StdRng,
        device: &Device,
    ) -> Result<Self, NluError> {
        let (dim, hidden) = (options.embedding_dim, options.hidden_dim);
        let input = dim + CUE_FEATURES;
        let mut uniform = |count: usize, limit: f64| -> Vec<f32> {
            (0..count)
                .map(|_| (rng.random::<f32>() * 2.0 - 1.0) * limit as f32)
                .collect()
        };
        let embedding = uniform(rows * dim, 1.0 / (dim as f64).sqrt());
        // He initialisation for the ReLU layer, Glorot for the output layer.
        let hidden_weight = uniform(hidden * input, (6.0 / input as f64).sqrt());
        let output_weight = uniform(LABELS.len() * hidden, (6.0 / (hidden + 3) as f64).sqrt());
        Ok(Self {
            embedding: Var::from_vec(embedding, (rows, dim), device)?,
            hidden_weight: Var::from_vec(hidden_weight, (hidden, input), device)?,
            hidden_bias: Var::zeros(hidden, DType::F32, device)?,
            output_weight: Var::from_vec(output_weight, (LABELS.len(), hidden), device)?,
            output_bias: Var::zeros(LABELS.len(), DType::F32, device)?,
        })
    }

    fn all(&self) -> Vec<Var> {
        vec![
            self.embedding.clone(),
            self.hidden_weight.clone(),
            self.hidden_bias.clone(),
            self.output_weight.clone(),
            self.output_bias.clone(),
        ]
    }
}

/// One example ready for training: the embedding rows of its known features, how many features it has in all,
/// its cue features, label and weight.
struct TrainingRow {
    rows: Vec<u32>,
    feature_count: usize,
    cues: [f32; CUE_FEATURES],
    label: u32,
    weight: f32,
}

/// The logits of a batch, computed by candle, with dropout on the hidden units when a generator is given.
fn batch_logits(
    parameters: &Parameters,
    batch: &[&TrainingRow],
    options: &SentimentOptions,
    dropout_rng: Option<&mut StdRng>,
    device: &Device,
) -> Result<Tensor, NluError> {
    let dim = options.embedding_dim;
    let mut positions = Vec::new();
    let mut owners = Vec::new();
    let mut scales = Vec::with_capacity(batch.len());
    let mut cues = Vec::with_capacity(batch.len() * CUE_FEATURES);
    for (position, example) in batch.iter().enumerate() {
        positions.extend_from_slice(&example.rows);
        owners.extend(std::iter::repeat_n(position as u32, example.rows.len()));
        scales.push(if example.feature_count == 0 {
            0.0
        } else {
            1.0 / example.feature_count as f32
        });
        cues.extend_from_slice(&example.cues);
    }
    let mut bags = Tensor::zeros((batch.len(), dim), DType::F32, device)?;
    if !positions.is_empty() {
        let positions = Tensor::from_vec(positions, owners.len(), device)?;
        let owners = Tensor::from_vec(owners, positions.dims1()?, device)?;
        let gathered = parameters
            .embedding
            .as_tensor()
            .index_select(&positions, 0)?;
        bags = bags.index_add(&owners, &gathered, 0)?;
    }
    let scales = Tensor::from_vec(scales, (batch.len(), 1), device)?;
    let bags = bags.broadcast_mul(&scales)?;
    let cues = Tensor::from_vec(cues, (batch.len(), CUE_FEATURES), device)?;
    let input = Tensor::cat(&[&bags, &cues], 1)?;
    let hidden = input
        .matmul(&parameters.hidden_weight.as_tensor().t()?)?
        .broadcast_add(parameters.hidden_bias.as_tensor())?
        .relu()?;
    let hidden = match dropout_rng {
        Some(rng) if options.dropout > 0.0 => {
            let keep = (1.0 / (1.0 - options.dropout)) as f32;
            let mask: Vec<f32> = (0..batch.len() * options.hidden_dim)
                .map(|_| {
                    if rng.random::<f64>() < options.dropout {
                        0.0
                    } else {
                        keep
                    }
                })
                .collect();
            hidden.mul(&Tensor::from_vec(
                mask,
                (batch.len(), options.hidden_dim),
                device,
            )?)?
        }
        _ => hidden,
    };
    Ok(hidden
        .matmul(&parameters.output_weight.as_tensor().t()?)?
        .broadcast_add(parameters.output_bias.as_tensor())?)
}

/// Picks, from every label's full-weight examples, the held-out fraction (rounded down).
fn held_out_split(
    examples: &[SentimentExample],
    fraction: f64,
    rng: &mut StdRng,
) -> (Vec<usize>, Vec<usize>) {
    let mut held_out = Vec::new();
    for label in LABELS {
        let mut candidates: Vec<usize> = (0..examples.len())
            .filter(|&index| examples[index].label == label && examples[index].weight >= 1.0)
            .collect();
        candidates.shuffle(rng);
        let count = (candidates.len() as f64 * fraction).floor() as usize;
        held_out.extend_from_slice(&candidates[..count]);
    }
    held_out.sort_unstable();
    let training = (0..examples.len())
        .filter(|index| held_out.binary_search(index).is_err() && examples[*index].weight > 0.0)
        .collect();
    (training, held_out)
}

fn train_network(
    examples: &[SentimentExample],
    options: &SentimentOptions,
    progress: &mut dyn FnMut(&SentimentProgress),
) -> Result<(SentimentNetwork, f32, SentimentTrainingSummary), NluError> {
    let device = Device::Cpu;
    let mut rng = StdRng::seed_from_u64(options.seed);
    // Prediction sees normalised text (see `Nlu::parse`), so training must see the same.
    let encoded: Vec<EncodedText> = examples
        .iter()
        .map(|example| {
            let normalized = normalize::normalize(&example.text);
            let lang = lang::detect(&normalized.text);
            encode(&normalized.text, lang)
        })
        .collect();
    let (training_indices, held_out_indices) =
        held_out_split(examples, options.held_out_fraction, &mut rng);

    // The vocabulary: the buckets of the training part that occur most often, at most `max_vocabulary`.
    let mut occurrences = vec![0u32; BUCKET_COUNT];
    for &index in &training_indices {
        for &bucket in &encoded[index].buckets {
            occurrences[bucket as usize] += 1;
        }
    }
    let mut bucket_ids: Vec<u32> = (0..BUCKET_COUNT as u32)
        .filter(|&bucket| occurrences[bucket as usize] > 0)
        .collect();
    bucket_ids.sort_by_key(|&bucket| (std::cmp::Reverse(occurrences[bucket as usize]), bucket));
    bucket_ids.truncate(options.max_vocabulary);
    bucket_ids.sort_unstable();
    let training_rows: Vec<TrainingRow> = training_indices
        .iter()
        .map(|&index| TrainingRow {
            rows: encoded[index]
                .buckets
                .iter()
                .filter_map(|bucket| bucket_ids.binary_search(bucket).ok())
                .map(|row| row as u32)
                .collect(),
            feature_count: encoded[index].buckets.len(),
            cues: encoded[index].cues,
            label: label_index(examples[index].label) as u32,
            weight: examples[index].weight,
        })
        .collect();

    // A table with no rows cannot be a candle variable; one placeholder row stands in and is dropped after.
    let table_rows = bucket_ids.len().max(1);
    let parameters = Parameters::initialise(table_rows, options, &mut rng, &device)?;
    let settings = ParamsAdamW {
        lr: options.learning_rate,
        weight_decay: options.weight_decay,
        ..ParamsAdamW::default()
    };
    let mut optimiser = candle_nn::AdamW::new(parameters.all(), settings)?;
    let mut order: Vec<usize> = (0..training_rows.len()).collect();
    for epoch in 1..=options.epochs {
        let epoch_fraction = (epoch - 1) as f64 / options.epochs as f64;
        optimiser.set_learning_rate(options.learning_rate * (1.0 - 0.9 * epoch_fraction));
        order.shuffle(&mut rng);
        let mut loss_total = 0f64;
        let mut weight_total = 0f64;
        for chunk in order.chunks(options.batch_size) {
            let batch: Vec<&TrainingRow> =
                chunk.iter().map(|&index| &training_rows[index]).collect();
            let batch_weight: f32 = batch.iter().map(|example| example.weight).sum();
            if batch_weight <= 0.0 {
                continue;
            }
            let logits = batch_logits(&parameters, &batch, options, Some(&mut rng), &device)?;
            let labels: Vec<u32> = batch.iter().map(|example| example.label).collect();
            let labels = Tensor::from_vec(labels, (batch.len(), 1), &device)?;
            let weights: Vec<f32> = batch
                .iter()
                .map(|example| example.weight / batch_weight)
                .collect();
            let weights = Tensor::from_vec(weights, (batch.len(), 1), &device)?;
            // The weighted mean of the examples' negative log-likelihoods.
            let loss = candle_nn::ops::log_softmax(&logits, 1)?
                .gather(&labels, 1)?
                .mul(&weights)?
                .sum_all()?
                .neg()?;
            optimiser.backward_step(&loss)?;
            loss_total += f64::from(loss.to_scalar::<f32>()?) * f64::from(batch_weight);
            weight_total += f64::from(batch_weight);
        }
        progress(&SentimentProgress {
            epoch,
            epochs: options.epochs,
            loss: if weight_total > 0.0 {
                (loss_total / weight_total) as f32
            } else {
                0.0
            },
        });
    }

    let flat = |variable: &Var| -> Result<Vec<f32>, NluError> {
        Ok(variable.as_tensor().flatten_all()?.to_vec1::<f32>()?)
    };
    let mut embedding = flat(&parameters.embedding)?;
    embedding.truncate(bucket_ids.len() * options.embedding_dim);
    let network = SentimentNetwork {
        embedding_dim: options.embedding_dim,
        hidden_dim: options.hidden_dim,
        bucket_ids,
        embedding,
        hidden_weight: flat(&parameters.hidden_weight)?,
        hidden_bias: flat(&parameters.hidden_bias)?,
        output_weight: flat(&parameters.output_weight)?,
        output_bias: flat(&parameters.output_bias)?,
    };
    network.check().map_err(|message| {
        NluError::Training(format!("training produced an unusable network: {message}"))
    })?;

    let held_out_logits: Vec<Vec<f32>> = held_out_indices
        .iter()
        .map(|&index| network.logits(&encoded[index]).to_vec())
        .collect();
    let held_out_labels: Vec<u32> = held_out_indices
        .iter()
        .map(|&index| label_index(examples[index].label) as u32)
        .collect();
    let mut summary = SentimentTrainingSummary {
        examples: examples.len(),
        training_examples: training_indices.len(),
        held_out_examples: held_out_indices.len(),
        held_out_accuracy: None,
        held_out_nll_before_calibration: None,
        held_out_nll_after_calibration: None,
        epochs: options.epochs,
    };
    let mut temperature = 1.0f64;
    if !held_out_logits.is_empty() {
        temperature = fit_temperature(&held_out_logits, &held_out_labels);
        let right = held_out_logits
            .iter()
            .zip(&held_out_labels)
            .filter(|(logits, label)| argmax(logits) == **label as usize)
            .count();
        summary.held_out_accuracy = Some(right as f32 / held_out_labels.len() as f32);
        summary.held_out_nll_before_calibration =
            Some(mean_negative_log_likelihood(&held_out_logits, &held_out_labels, 1.0) as f32);
        summary.held_out_nll_after_calibration = Some(mean_negative_log_likelihood(
            &held_out_logits,
            &held_out_labels,
            temperature,
        ) as f32);
    }
    let temperature = (temperature as f32).clamp(TEMPERATURE_RANGE.0, TEMPERATURE_RANGE.1);
    Ok((network, temperature, summary))
}

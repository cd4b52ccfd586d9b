//! Training the intent classifier with candle on the CPU, and calibrating its confidence afterwards.
//!
//! The examples are split, per intent, into a training part and a held-out part (by default a tenth). Only
//! buckets that occur in the training part get an embedding row. Every epoch visits the training part in an order
//! shuffled by a seeded `StdRng`, in mini-batches: each batch gathers the embedding rows its features use, averages
//! them per example (an embedding bag), passes the bag through a hidden layer with ReLU and dropout to the label
//! logits, and takes one optimiser step on the cross-entropy loss.
//!
//! The hidden and output layers are updated by candle-nn's `AdamW`. The embedding table is updated by the same
//! AdamW rule with the same settings, but only on the rows the batch used (a "lazy" AdamW, as sparse embedding
//! optimisers do). The table has tens of thousands of rows, and a dense optimiser step over all of them would
//! change nothing but weight decay on rows the batch did not use, while costing far more than the rest of the
//! step: about 0.3 s per step for the bundled data's 37,000 rows (some seven minutes per training) against about
//! 5 ms for a whole step here.
//!
//! A few features of every example are dropped at random in each epoch, so that the model learns not to hang on
//! a single n-gram, and a handful of featureless examples labelled `out_of_scope` (when that intent is in the
//! data) teach it that text it has no features for is out of scope.
//!
//! After the last epoch a temperature is fitted on the held-out part by minimising its negative log-likelihood,
//! so that the confidence the classifier reports is close to how often it is right.
//!
//! Everything random comes from one `StdRng` seeded with [`TrainOptions::seed`] (the initial weights and the
//! dropout draws, of which there are millions, from small generators seeded from it), and the CPU kernels used
//! here are deterministic, so the same data and options train the same model bit for bit.

use std::collections::HashMap;

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{Linear, Module, Optimizer, ParamsAdamW};
use rand::rngs::{SmallRng, StdRng};
use rand::seq::SliceRandom;
use rand::{Rng, RngCore, SeedableRng};

use super::features::{self, BUCKET_COUNT};
use super::network::{Network, NetworkParts, softmax_with_temperature};
use super::{TrainOptions, TrainProgress, TrainingSummary};
use crate::{NluError, OUT_OF_SCOPE, TrainingExample, normalize};

/// One example ready for the network: the embedding rows of its known features, how many features it has in
/// all (unknown ones count in the mean as zero vectors) and its label index.
#[derive(Debug, Clone)]
pub(crate) struct EncodedExample {
    pub rows: Vec<u32>,
    pub feature_count: usize,
    pub label: u32,
}

/// What training produces.
pub(crate) struct TrainedParts {
    pub network: Network,
    pub temperature: f32,
    pub summary: TrainingSummary,
}

/// The smallest and largest temperature calibration may choose.
const TEMPERATURE_RANGE: (f64, f64) = (0.25, 10.0);
/// One featureless out-of-scope example is added for every this many training examples (and at least one).
const EXAMPLES_PER_FEATURELESS_EXAMPLE: usize = 100;

/// The embedding table and its AdamW moments as one plain vector: every row holds the row's weights, then its
/// first moment, then its second moment, so that the three parts of a row come from memory together. A batch
/// copies out the rows it uses, and the optimiser copies them back.
struct EmbeddingTable {
    dim: usize,
    values: Vec<f32>,
}

/// Gathered rows of the table, each part a contiguous `rows × dim` tensor.
struct GatheredRows {
    weights: Tensor,
    first_moment: Tensor,
    second_moment: Tensor,
}

/// Which part of a table row: weights, first moment or second moment.
const ROW_PARTS: usize = 3;

impl EmbeddingTable {
    fn new(dim: usize, weights: &[f32]) -> Self {
        let mut values = vec![0f32; weights.len() * ROW_PARTS];
        for (row, row_weights) in values
            .chunks_exact_mut(ROW_PARTS * dim)
            .zip(weights.chunks_exact(dim))
        {
            row[..dim].copy_from_slice(row_weights);
        }
        Self { dim, values }
    }

    /// The given parts (indices below [`ROW_PARTS`]) of `rows`, each as a `rows × dim` tensor.
    fn gather_parts<const PARTS: usize>(
        &self,
        rows: &[u32],
        device: &Device,
    ) -> Result<[Tensor; PARTS], NluError> {
        let dim = self.dim;
        let width = ROW_PARTS * dim;
        let mut parts: [Vec<f32>; PARTS] = std::array::from_fn(|_| vec![0f32; rows.len() * dim]);
        for (position, &row) in rows.iter().enumerate() {
            let start = row as usize * width;
            let source = &self.values[start..start + width];
            for (part, gathered) in parts.iter_mut().enumerate() {
                gathered[position * dim..(position + 1) * dim]
                    .copy_from_slice(&source[part * dim..(part + 1) * dim]);
            }
        }
        let mut tensors = Vec::with_capacity(PARTS);
        for gathered in parts {
            tensors.push(Tensor::from_vec(gathered, (rows.len(), dim), device)?);
        }
        tensors
            .try_into()
            .map_err(|_| NluError::Training("the embedding rows could not be gathered".to_owned()))
    }

    /// The weights of `rows`, as a `rows × dim` tensor.
    fn gather_weights(&self, rows: &[u32], device: &Device) -> Result<Tensor, NluError> {
        let [weights] = self.gather_parts::<1>(rows, device)?;
        Ok(weights)
    }

    /// The weights and moments of `rows`.
    fn gather(&self, rows: &[u32], device: &Device) -> Result<GatheredRows, NluError> {
        let [weights, first_moment, second_moment] =
            self.gather_parts::<ROW_PARTS>(rows, device)?;
        Ok(GatheredRows {
            weights,
            first_moment,
            second_moment,
        })
    }

    /// Writes back the updated weights and moments of `rows`.
    fn scatter(&mut self, rows: &[u32], updated: &GatheredRows) -> Result<(), NluError> {
        let dim = self.dim;
        let width = ROW_PARTS * dim;
        let parts = [
            updated.weights.flatten_all()?.to_vec1::<f32>()?,
            updated.first_moment.flatten_all()?.to_vec1::<f32>()?,
            updated.second_moment.flatten_all()?.to_vec1::<f32>()?,
        ];
        for (position, &row) in rows.iter().enumerate() {
            let start = row as usize * width;
            let destination = &mut self.values[start..start + width];
            for (part, values) in parts.iter().enumerate() {
                destination[part * dim..(part + 1) * dim]
                    .copy_from_slice(&values[position * dim..(position + 1) * dim]);
            }
        }
        Ok(())
    }

    /// The weights alone, row after row.
    fn into_weights(self) -> Vec<f32> {
        let dim = self.dim;
        let mut weights = vec![0f32; self.values.len() / ROW_PARTS];
        for (destination, row) in weights
            .chunks_exact_mut(dim)
            .zip(self.values.chunks_exact(ROW_PARTS * dim))
        {
            destination.copy_from_slice(&row[..dim]);
        }
        weights
    }
}

/// The parameters being trained.
struct Parameters {
    embedding: EmbeddingTable,
    hidden_weight: Var,
    hidden_bias: Var,
    output_weight: Var,
    output_bias: Var,
}

/// Cheap Bernoulli draws for dropout, four from every 64-bit output of a small generator seeded from the
/// training `StdRng`. Dropout needs thousands of draws per batch, and this keeps them from costing more than the
/// batch's arithmetic.
struct DropoutDraws {
    generator: SmallRng,
    bits: u64,
    draws_left: u32,
    /// A draw below this (out of 65,536) drops.
    threshold: u32,
}

impl DropoutDraws {
    fn new(rng: &mut StdRng, probability: f64) -> Self {
        Self {
            generator: SmallRng::from_rng(rng),
            bits: 0,
            draws_left: 0,
            threshold: (probability * 65_536.0).round().clamp(0.0, 65_535.0) as u32,
        }
    }

    /// What kept values are multiplied by, so that their expected sum is the same as without dropout.
    fn keep_scale(&self) -> f32 {
        65_536.0 / (65_536 - self.threshold) as f32
    }

    fn drops(&mut self) -> bool {
        if self.threshold == 0 {
            return false;
        }
        if self.draws_left == 0 {
            self.bits = self.generator.next_u64();
            self.draws_left = 4;
        }
        let draw = (self.bits & 0xffff) as u32;
        self.bits >>= 16;
        self.draws_left -= 1;
        draw < self.threshold
    }
}

/// One mini-batch in the index form candle needs.
struct Batch {
    /// The global rows the batch uses, each once.
    rows: Vec<u32>,
    /// For every feature occurrence kept, its position in `rows` and the example it belongs to.
    feature_positions: Vec<u32>,
    feature_examples: Vec<u32>,
    /// `1 / feature_count` per example, times the feature-dropout compensation; zero for featureless examples.
    feature_weights: Vec<f32>,
    labels: Vec<u32>,
}

pub(crate) fn train(
    examples: &[TrainingExample],
    labels: &[String],
    options: &TrainOptions,
    fingerprint: String,
    progress: &mut dyn FnMut(&TrainProgress),
) -> Result<TrainedParts, NluError> {
    let device = Device::Cpu;
    let mut rng = StdRng::seed_from_u64(options.seed);
    let label_index: HashMap<&str, u32> = labels
        .iter()
        .enumerate()
        .map(|(index, label)| (label.as_str(), index as u32))
        .collect();
    let mut example_labels = Vec::with_capacity(examples.len());
    for example in examples {
        let label = label_index
            .get(example.intent.as_str())
            .copied()
            .ok_or_else(|| NluError::Training(format!("unknown intent {:?}", example.intent)))?;
        example_labels.push(label);
    }
    // Training sees normalised text as written, typos included, so the model learns to read them; prediction
    // sees the same normalisation plus the spelling correction (see `Nlu::parse`), which only ever turns a slip
    // into a form the model also knows. Measured on the development set, correcting at prediction only gains
    // 2 to 4 utterances with each of three seeds, while correcting the training text too gains or loses a few.
    let example_buckets: Vec<Vec<u32>> = examples
        .iter()
        .map(|example| features::buckets(&normalize::normalize(&example.text).text))
        .collect();

    let (training_indices, held_out_indices) = stratified_split(
        &example_labels,
        labels.len(),
        options.held_out_fraction,
        &mut rng,
    );

    // The vocabulary: every bucket seen in the training part, the most frequent first. Batches keep coming back
    // to the frequent rows, and keeping those together at the front of the table helps them stay in the cache.
    let mut occurrences = vec![0u32; BUCKET_COUNT];
    for &index in &training_indices {
        for &bucket in &example_buckets[index] {
            occurrences[bucket as usize] += 1;
        }
    }
    let mut bucket_ids: Vec<u32> = (0..BUCKET_COUNT as u32)
        .filter(|&bucket| occurrences[bucket as usize] > 0)
        .collect();
    bucket_ids.sort_by_key(|&bucket| (std::cmp::Reverse(occurrences[bucket as usize]), bucket));
    let mut row_of_bucket = vec![u32::MAX; BUCKET_COUNT];
    for (row, &bucket) in bucket_ids.iter().enumerate() {
        row_of_bucket[bucket as usize] = row as u32;
    }
    let encode = |index: usize| EncodedExample {
        rows: example_buckets[index]
            .iter()
            .map(|&bucket| row_of_bucket[bucket as usize])
            .filter(|&row| row != u32::MAX)
            .collect(),
        feature_count: example_buckets[index].len(),
        label: example_labels[index],
    };
    let mut training_set: Vec<EncodedExample> = training_indices
        .iter()
        .map(|&index| encode(index))
        .collect();
    let held_out_set: Vec<EncodedExample> = held_out_indices
        .iter()
        .map(|&index| encode(index))
        .collect();
    if let Some(&out_of_scope) = label_index.get(OUT_OF_SCOPE) {
        let featureless_count = (training_set.len() / EXAMPLES_PER_FEATURELESS_EXAMPLE).max(1);
        for _ in 0..featureless_count {
            training_set.push(EncodedExample {
                rows: Vec::new(),
                feature_count: 0,
                label: out_of_scope,
            });
        }
    }

    let mut parameters = Parameters::initialise(
        bucket_ids.len().max(1),
        labels.len(),
        options,
        &mut rng,
        &device,
    )?;
    let dense_variables = vec![
        parameters.hidden_weight.clone(),
        parameters.hidden_bias.clone(),
        parameters.output_weight.clone(),
        parameters.output_bias.clone(),
    ];
    let adamw_settings = ParamsAdamW {
        lr: options.learning_rate,
        weight_decay: options.weight_decay,
        ..ParamsAdamW::default()
    };
    let mut optimiser = candle_nn::AdamW::new(dense_variables, adamw_settings.clone())?;
    let mut feature_draws = DropoutDraws::new(&mut rng, options.feature_dropout);
    let mut unit_draws = DropoutDraws::new(&mut rng, options.dropout);
    let mut step_count = 0usize;
    let mut order: Vec<usize> = (0..training_set.len()).collect();
    let mut held_out_logits: Option<Vec<Vec<f32>>> = None;
    // For every row, the last batch that collected it and its position in that batch.
    let mut row_stamps = vec![(0usize, 0u32); bucket_ids.len()];
    let all_held_out: Vec<usize> = (0..held_out_set.len()).collect();
    let held_out_batch = build_batch(
        &held_out_set,
        &all_held_out,
        None,
        &mut row_stamps,
        usize::MAX,
    );

    for epoch in 1..=options.epochs {
        // The learning rate falls linearly to a tenth of its starting value over the epochs.
        let epoch_fraction = (epoch - 1) as f64 / options.epochs as f64;
        let learning_rate = options.learning_rate * (1.0 - 0.9 * epoch_fraction);
        optimiser.set_learning_rate(learning_rate);
        order.shuffle(&mut rng);
        let mut loss_total = 0f64;
        let mut correct = 0usize;
        for batch_indices in order.chunks(options.batch_size) {
            step_count += 1;
            let batch = build_batch(
                &training_set,
                batch_indices,
                Some(&mut feature_draws),
                &mut row_stamps,
                step_count,
            );
            let (loss, batch_correct) = training_step(
                &mut parameters,
                &batch,
                options,
                &mut optimiser,
                &adamw_settings,
                learning_rate,
                step_count,
                &mut unit_draws,
                &device,
            )?;
            loss_total += f64::from(loss) * batch_indices.len() as f64;
            correct += batch_correct;
        }
        let held_out_accuracy = if held_out_set.is_empty() {
            None
        } else {
            let logits = evaluation_logits(&parameters, &held_out_batch, options, &device)?;
            let right = logits
                .iter()
                .zip(&held_out_set)
                .filter(|(row, example)| argmax(row) == example.label as usize)
                .count();
            held_out_logits = Some(logits);
            Some(right as f32 / held_out_set.len() as f32)
        };
        progress(&TrainProgress {
            epoch,
            epochs: options.epochs,
            loss: (loss_total / training_set.len() as f64) as f32,
            train_accuracy: correct as f32 / training_set.len() as f32,
            held_out_accuracy,
        });
    }

    let network = parameters.into_network(bucket_ids, labels.len(), options)?;
    let held_out_labels: Vec<u32> = held_out_set.iter().map(|example| example.label).collect();
    let held_out_logits = held_out_logits.unwrap_or_default();
    let (temperature, nll_before, nll_after) = if held_out_logits.is_empty() {
        (1.0, None, None)
    } else {
        let temperature = fit_temperature(&held_out_logits, &held_out_labels);
        (
            temperature,
            Some(mean_negative_log_likelihood(&held_out_logits, &held_out_labels, 1.0) as f32),
            Some(
                mean_negative_log_likelihood(&held_out_logits, &held_out_labels, temperature)
                    as f32,
            ),
        )
    };
    let held_out_accuracy = (!held_out_logits.is_empty()).then(|| {
        let right = held_out_logits
            .iter()
            .zip(&held_out_labels)
            .filter(|(row, label)| argmax(row) == **label as usize)
            .count();
        right as f32 / held_out_labels.len() as f32
    });
    Ok(TrainedParts {
        network,
        temperature: temperature as f32,
        summary: TrainingSummary {
            examples: examples.len(),
            training_examples: training_indices.len(),
            held_out_examples: held_out_indices.len(),
            held_out_accuracy,
            held_out_nll_before_calibration: nll_before,
            held_out_nll_after_calibration: nll_after,
            epochs: options.epochs,
            fingerprint,
        },
    })
}

impl Parameters {
    fn initialise(
        rows: usize,
        label_count: usize,
        options: &TrainOptions,
        rng: &mut StdRng,
        device: &Device,
    ) -> Result<Self, NluError> {
        let embedding_dim = options.embedding_dim;
        let hidden_dim = options.hidden_dim;
        // The table can have millions of weights: they come from a small generator seeded from the training one.
        let mut generator = SmallRng::from_rng(rng);
        let mut uniform = |count: usize, limit: f64| -> Vec<f32> {
            (0..count)
                .map(|_| (generator.random::<f32>() * 2.0 - 1.0) * limit as f32)
                .collect()
        };
        let embedding_weights = uniform(rows * embedding_dim, 1.0 / (embedding_dim as f64).sqrt());
        // He initialisation for the ReLU layer, Glorot for the output layer.
        let hidden_values = uniform(
            hidden_dim * embedding_dim,
            (6.0 / embedding_dim as f64).sqrt(),
        );
        let output_values = uniform(
            label_count * hidden_dim,
            (6.0 / (hidden_dim + label_count) as f64).sqrt(),
        );
        Ok(Self {
            embedding: EmbeddingTable::new(embedding_dim, &embedding_weights),
            hidden_weight: Var::from_vec(hidden_values, (hidden_dim, embedding_dim), device)?,
            hidden_bias: Var::zeros(hidden_dim, DType::F32, device)?,
            output_weight: Var::from_vec(output_values, (label_count, hidden_dim), device)?,
            output_bias: Var::zeros(label_count, DType::F32, device)?,
        })
    }

    fn hidden_layer(&self) -> Linear {
        Linear::new(
            self.hidden_weight.as_tensor().clone(),
            Some(self.hidden_bias.as_tensor().clone()),
        )
    }

    fn output_layer(&self) -> Linear {
        Linear::new(
            self.output_weight.as_tensor().clone(),
            Some(self.output_bias.as_tensor().clone()),
        )
    }

    fn into_network(
        self,
        bucket_ids: Vec<u32>,
        label_count: usize,
        options: &TrainOptions,
    ) -> Result<Network, NluError> {
        let flat = |tensor: &Tensor| -> Result<Vec<f32>, NluError> {
            Ok(tensor.flatten_all()?.to_vec1::<f32>()?)
        };
        // The saved table is in increasing bucket order. With no training features at all the training table
        // has one placeholder row, which no bucket maps to and which is left out here.
        let dim = options.embedding_dim;
        let training_weights = self.embedding.into_weights();
        let mut rows_by_bucket: Vec<(u32, usize)> = bucket_ids
            .iter()
            .enumerate()
            .map(|(row, &bucket)| (bucket, row))
            .collect();
        rows_by_bucket.sort_unstable();
        let mut embedding = vec![0f32; rows_by_bucket.len() * dim];
        for (destination, &(_, row)) in embedding.chunks_exact_mut(dim).zip(&rows_by_bucket) {
            destination.copy_from_slice(&training_weights[row * dim..(row + 1) * dim]);
        }
        Network::new(NetworkParts {
            embedding_dim: dim,
            hidden_dim: options.hidden_dim,
            label_count,
            bucket_ids: rows_by_bucket.iter().map(|&(bucket, _)| bucket).collect(),
            embedding,
            hidden_weight: flat(self.hidden_weight.as_tensor())?,
            hidden_bias: flat(self.hidden_bias.as_tensor())?,
            output_weight: flat(self.output_weight.as_tensor())?,
            output_bias: flat(self.output_bias.as_tensor())?,
        })
        .map_err(|message| {
            NluError::Training(format!("training produced an unusable network: {message}"))
        })
    }
}

/// Splits example indices into training and held-out parts, taking from every label the same fraction
/// (rounded down, so a label with few examples keeps them all for training).
fn stratified_split(
    example_labels: &[u32],
    label_count: usize,
    held_out_fraction: f64,
    rng: &mut StdRng,
) -> (Vec<usize>, Vec<usize>) {
    let mut by_label: Vec<Vec<usize>> = vec![Vec::new(); label_count];
    for (index, &label) in example_labels.iter().enumerate() {
        by_label[label as usize].push(index);
    }
    let mut training = Vec::new();
    let mut held_out = Vec::new();
    for mut indices in by_label {
        indices.shuffle(rng);
        let held_out_count = (indices.len() as f64 * held_out_fraction).floor() as usize;
        held_out.extend_from_slice(&indices[..held_out_count]);
        training.extend_from_slice(&indices[held_out_count..]);
    }
    training.sort_unstable();
    held_out.sort_unstable();
    (training, held_out)
}

/// Collects the rows, feature positions and weights of the examples at `batch_indices`, leaving out features
/// when `feature_draws` says so. `stamp` must differ from every earlier batch's.
fn build_batch(
    examples: &[EncodedExample],
    batch_indices: &[usize],
    mut feature_draws: Option<&mut DropoutDraws>,
    row_stamps: &mut [(usize, u32)],
    stamp: usize,
) -> Batch {
    let keep_scale = feature_draws
        .as_ref()
        .map_or(1.0, |draws| draws.keep_scale());
    let mut batch = Batch {
        rows: Vec::new(),
        feature_positions: Vec::new(),
        feature_examples: Vec::new(),
        feature_weights: Vec::with_capacity(batch_indices.len()),
        labels: Vec::with_capacity(batch_indices.len()),
    };
    for (position_in_batch, &index) in batch_indices.iter().enumerate() {
        let example = &examples[index];
        for &row in &example.rows {
            if let Some(draws) = feature_draws.as_deref_mut()
                && draws.drops()
            {
                continue;
            }
            // The stamp marks rows this batch has already collected, so nothing needs clearing between batches.
            let slot = &mut row_stamps[row as usize];
            if slot.0 != stamp {
                *slot = (stamp, batch.rows.len() as u32);
                batch.rows.push(row);
            }
            batch.feature_positions.push(slot.1);
            batch.feature_examples.push(position_in_batch as u32);
        }
        let weight = if example.feature_count == 0 {
            0.0
        } else {
            keep_scale / example.feature_count as f32
        };
        batch.feature_weights.push(weight);
        batch.labels.push(example.label);
    }
    batch
}

/// The weighted sum of the gathered rows per example, as a `batch × embedding_dim` tensor.
fn embedding_bag(
    rows: &Tensor,
    batch: &Batch,
    embedding_dim: usize,
    device: &Device,
) -> Result<Tensor, NluError> {
    let batch_size = batch.feature_weights.len();
    let zeros = Tensor::zeros((batch_size, embedding_dim), DType::F32, device)?;
    if batch.feature_positions.is_empty() {
        return Ok(zeros);
    }
    let positions = Tensor::from_slice(
        &batch.feature_positions,
        batch.feature_positions.len(),
        device,
    )?;
    let owners = Tensor::from_slice(
        &batch.feature_examples,
        batch.feature_examples.len(),
        device,
    )?;
    let weights = Tensor::from_slice(&batch.feature_weights, (batch_size, 1), device)?;
    let gathered = rows.index_select(&positions, 0)?;
    Ok(zeros
        .index_add(&owners, &gathered, 0)?
        .broadcast_mul(&weights)?)
}

/// The dense-layer part of the forward pass, from bags to logits, with dropout on the hidden units if asked.
fn logits_of_bags(
    parameters: &Parameters,
    bags: &Tensor,
    unit_draws: Option<&mut DropoutDraws>,
    device: &Device,
) -> Result<Tensor, NluError> {
    let hidden = parameters.hidden_layer().forward(bags)?.relu()?;
    let hidden = match unit_draws {
        Some(draws) if draws.threshold > 0 => {
            let (batch_size, hidden_dim) = hidden.dims2()?;
            let keep_scale = draws.keep_scale();
            let mask: Vec<f32> = (0..batch_size * hidden_dim)
                .map(|_| if draws.drops() { 0.0 } else { keep_scale })
                .collect();
            hidden.mul(&Tensor::from_vec(mask, (batch_size, hidden_dim), device)?)?
        }
        _ => hidden,
    };
    Ok(parameters.output_layer().forward(&hidden)?)
}

/// One optimiser step on a batch; returns the batch's mean loss and how many of its examples were right.
#[allow(clippy::too_many_arguments)]
fn training_step(
    parameters: &mut Parameters,
    batch: &Batch,
    options: &TrainOptions,
    optimiser: &mut candle_nn::AdamW,
    adamw_settings: &ParamsAdamW,
    learning_rate: f64,
    step_count: usize,
    unit_draws: &mut DropoutDraws,
    device: &Device,
) -> Result<(f32, usize), NluError> {
    let dim = options.embedding_dim;
    // The batch's rows become a variable of their own, so the gradient covers only them.
    let gathered = parameters.embedding.gather(&batch.rows, device)?;
    let local_rows = Var::from_tensor(&gathered.weights)?;
    let bags = embedding_bag(local_rows.as_tensor(), batch, dim, device)?;
    let logits = logits_of_bags(parameters, &bags, Some(unit_draws), device)?;
    let targets = Tensor::from_slice(&batch.labels, batch.labels.len(), device)?;
    let loss = candle_nn::loss::cross_entropy(&logits, &targets)?;
    let gradients = loss.backward()?;
    optimiser.step(&gradients)?;
    if let Some(gradient) = gradients.get(local_rows.as_tensor()) {
        let updated = lazy_adamw_update(
            &gathered,
            gradient,
            adamw_settings,
            learning_rate,
            step_count,
            device,
        )?;
        parameters.embedding.scatter(&batch.rows, &updated)?;
    }
    let predicted = logits.argmax(1)?.to_vec1::<u32>()?;
    let correct = predicted
        .iter()
        .zip(&batch.labels)
        .filter(|(predicted, label)| predicted == label)
        .count();
    Ok((loss.to_scalar::<f32>()?, correct))
}

/// The AdamW update of candle-nn, applied to gathered embedding rows. The scalars are one-element tensors
/// broadcast over the rows, which candle's CPU kernels handle several times faster than scalar arithmetic.
fn lazy_adamw_update(
    rows: &GatheredRows,
    gradient: &Tensor,
    settings: &ParamsAdamW,
    learning_rate: f64,
    step_count: usize,
    device: &Device,
) -> Result<GatheredRows, NluError> {
    let step = i32::try_from(step_count).unwrap_or(i32::MAX);
    let first_moment_scale = 1.0 / (1.0 - settings.beta1.powi(step));
    let second_moment_scale = 1.0 / (1.0 - settings.beta2.powi(step));
    let scalar = |value: f64| Tensor::new(&[value as f32], device);
    let first_moment = rows
        .first_moment
        .broadcast_mul(&scalar(settings.beta1)?)?
        .add(&gradient.broadcast_mul(&scalar(1.0 - settings.beta1)?)?)?;
    let second_moment = rows
        .second_moment
        .broadcast_mul(&scalar(settings.beta2)?)?
        .add(
            &gradient
                .mul(gradient)?
                .broadcast_mul(&scalar(1.0 - settings.beta2)?)?,
        )?;
    // sqrt(v · scale) + eps, with the square root of the scale taken once.
    let denominator = second_moment
        .sqrt()?
        .broadcast_mul(&scalar(second_moment_scale.sqrt())?)?
        .broadcast_add(&scalar(settings.eps)?)?;
    let step_size = scalar(learning_rate * first_moment_scale)?;
    let weights = rows
        .weights
        .broadcast_mul(&scalar(1.0 - learning_rate * settings.weight_decay)?)?
        .sub(&first_moment.div(&denominator)?.broadcast_mul(&step_size)?)?;
    Ok(GatheredRows {
        weights,
        first_moment,
        second_moment,
    })
}

/// The logits of a batch built without dropout, computed by candle.
fn evaluation_logits(
    parameters: &Parameters,
    batch: &Batch,
    options: &TrainOptions,
    device: &Device,
) -> Result<Vec<Vec<f32>>, NluError> {
    let dim = options.embedding_dim;
    let weights = parameters.embedding.gather_weights(&batch.rows, device)?;
    let bags = embedding_bag(&weights, batch, dim, device)?;
    let logits = logits_of_bags(parameters, &bags, None, device)?;
    Ok(logits.to_vec2::<f32>()?)
}

/// The index of the largest value (the first of equal ones); 0 for an empty slice.
pub(crate) fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (index, value) in values.iter().enumerate() {
        if *value > values[best] {
            best = index;
        }
    }
    best
}

/// The mean negative log-likelihood of the right labels under `softmax(logits / temperature)`.
pub(crate) fn mean_negative_log_likelihood(
    logits: &[Vec<f32>],
    labels: &[u32],
    temperature: f64,
) -> f64 {
    if logits.is_empty() {
        return 0.0;
    }
    let total: f64 = logits
        .iter()
        .zip(labels)
        .map(|(row, &label)| {
            let probabilities = softmax_with_temperature(row, temperature);
            -probabilities[label as usize].max(f64::MIN_POSITIVE).ln()
        })
        .sum();
    total / logits.len() as f64
}

/// The temperature in [`TEMPERATURE_RANGE`] that minimises the held-out negative log-likelihood. The
/// likelihood is convex in the inverse temperature, so a golden-section search on it finds the minimum.
pub(crate) fn fit_temperature(logits: &[Vec<f32>], labels: &[u32]) -> f64 {
    let golden = (5f64.sqrt() - 1.0) / 2.0;
    let objective = |inverse: f64| mean_negative_log_likelihood(logits, labels, 1.0 / inverse);
    let (mut low, mut high) = (1.0 / TEMPERATURE_RANGE.1, 1.0 / TEMPERATURE_RANGE.0);
    let mut left = high - golden * (high - low);
    let mut right = low + golden * (high - low);
    let mut left_value = objective(left);
    let mut right_value = objective(right);
    for _ in 0..60 {
        if left_value <= right_value {
            high = right;
            right = left;
            right_value = left_value;
            left = high - golden * (high - low);
            left_value = objective(left);
        } else {
            low = left;
            left = right;
            left_value = right_value;
            right = low + golden * (high - low);
            right_value = objective(right);
        }
    }
    2.0 / (low + high)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_split_holds_out_the_same_fraction_of_every_label() {
        let labels: Vec<u32> = (0..40)
            .map(|index| if index < 30 { 0 } else { 1 })
            .collect();
        let mut rng = StdRng::seed_from_u64(3);
        let (training, held_out) = stratified_split(&labels, 2, 0.1, &mut rng);
        assert_eq!(training.len() + held_out.len(), 40);
        assert_eq!(
            held_out.iter().filter(|&&index| labels[index] == 0).count(),
            3
        );
        assert_eq!(
            held_out.iter().filter(|&&index| labels[index] == 1).count(),
            1
        );
        let mut all: Vec<usize> = training.iter().chain(&held_out).copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..40).collect::<Vec<_>>());
    }

    #[test]
    fn the_fitted_temperature_cools_overconfident_logits_and_sharpens_timid_ones() {
        // Confident logits that are right only half the time call for a temperature above one.
        let overconfident = vec![
            vec![6.0, 0.0],
            vec![6.0, 0.0],
            vec![0.0, 6.0],
            vec![0.0, 6.0],
        ];
        let half_right = [0, 1, 1, 0];
        let temperature = fit_temperature(&overconfident, &half_right);
        assert!(temperature > 5.0, "temperature {temperature}");
        // Timid logits that are always right call for one below one.
        let timid = vec![vec![0.5, 0.0], vec![0.0, 0.5], vec![0.5, 0.0]];
        let always_right = [0, 1, 0];
        let temperature = fit_temperature(&timid, &always_right);
        assert!(
            (TEMPERATURE_RANGE.0..0.3).contains(&temperature),
            "temperature {temperature}"
        );
        let before = mean_negative_log_likelihood(&timid, &always_right, 1.0);
        let after = mean_negative_log_likelihood(&timid, &always_right, temperature);
        assert!(after < before);
    }

    #[test]
    fn the_fitted_temperature_is_the_likelihood_minimum() {
        let logits = vec![
            vec![2.0, 0.5, 0.0],
            vec![0.3, 1.5, 0.0],
            vec![1.0, 0.0, 0.8],
            vec![0.0, 0.2, 2.2],
        ];
        let labels = [0, 1, 2, 2];
        let best = fit_temperature(&logits, &labels);
        let at_best = mean_negative_log_likelihood(&logits, &labels, best);
        for nearby in [best * 0.9, best * 1.1] {
            assert!(mean_negative_log_likelihood(&logits, &labels, nearby) >= at_best);
        }
    }
}

//! A linear classifier over sentence vectors: which of a fixed set of classes (FAQ entries, say) a text belongs to,
//! learnt from the vectors of texts known to belong to each.
//!
//! Matching a question with the nearest example in meaning treats every direction of the vector space alike, so
//! two neighbouring classes whose examples share most of their meaning (when a refund arrives and where it arrives)
//! are told apart only by chance. A softmax classifier trained on all classes' examples at once learns which
//! directions separate each class from the others. Inputs are centred on the mean of the training vectors and
//! scaled (unit vectors of a sentence encoder crowd into a narrow cone), then multiplied by one weight vector per
//! class; the weights are fitted by full-batch Adam on the mean cross-entropy with an L2 penalty, from zeros, so
//! training is deterministic.

use candle_core::{D, DType, Device, Tensor, Var};
use candle_nn::{Optimizer, ParamsAdamW};

use crate::NluError;

/// The first bytes of a classifier written by [`VectorClassifier::to_bytes`].
const MAGIC: &[u8; 4] = b"AXC1";

/// How a [`VectorClassifier`] is trained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassifierOptions {
    /// What centred inputs are multiplied by before the weights apply.
    pub input_scale: f32,
    /// The L2 penalty on the weights, added to the mean cross-entropy.
    pub l2: f32,
    /// Full-batch Adam steps.
    pub steps: usize,
    pub learning_rate: f64,
}

impl Default for ClassifierOptions {
    /// Chosen on the demo FAQ's phrasings (held-out phrasings of each entry) and the FAQ tuning set: more steps or
    /// a smaller rate gave the same accuracy at more cost.
    fn default() -> Self {
        ClassifierOptions {
            input_scale: 20.0,
            l2: 1e-4,
            steps: 100,
            learning_rate: 0.03,
        }
    }
}

/// A trained classifier: see the module documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorClassifier {
    dimension: usize,
    classes: usize,
    input_scale: f32,
    /// The mean of the training vectors.
    mean: Vec<f32>,
    /// Row-major `classes x dimension`: one weight vector per class.
    weights: Vec<f32>,
    bias: Vec<f32>,
}

impl VectorClassifier {
    /// Trains on `vectors` (all of one length) labelled with `labels`, each below `classes`.
    pub fn train(
        vectors: &[Vec<f32>],
        labels: &[usize],
        classes: usize,
        options: &ClassifierOptions,
    ) -> Result<VectorClassifier, NluError> {
        let invalid = |message: String| NluError::Training(message);
        if vectors.is_empty() || vectors.len() != labels.len() {
            return Err(invalid(format!(
                "{} vectors for {} labels",
                vectors.len(),
                labels.len()
            )));
        }
        let dimension = vectors[0].len();
        if dimension == 0 || vectors.iter().any(|vector| vector.len() != dimension) {
            return Err(invalid(
                "the vectors are not all of one non-zero length".to_owned(),
            ));
        }
        if let Some(label) = labels.iter().find(|&&label| label >= classes) {
            return Err(invalid(format!("label {label} of {classes} classes")));
        }
        let device = Device::Cpu;
        let count = vectors.len();
        let mut mean = vec![0.0_f32; dimension];
        for vector in vectors {
            for (sum, value) in mean.iter_mut().zip(vector) {
                *sum += value;
            }
        }
        mean.iter_mut().for_each(|value| *value /= count as f32);
        let inputs: Vec<f32> = vectors
            .iter()
            .flat_map(|vector| {
                vector
                    .iter()
                    .zip(&mean)
                    .map(|(value, mean)| (value - mean) * options.input_scale)
            })
            .collect();
        let inputs = Tensor::from_vec(inputs, (count, dimension), &device)?;
        let targets: Vec<u32> = labels.iter().map(|&label| label as u32).collect();
        let targets = Tensor::from_vec(targets, (count, 1), &device)?;
        let weights = Var::zeros((dimension, classes), DType::F32, &device)?;
        let bias = Var::zeros(classes, DType::F32, &device)?;
        let mut optimiser = candle_nn::AdamW::new(
            vec![weights.clone(), bias.clone()],
            ParamsAdamW {
                lr: options.learning_rate,
                weight_decay: 0.0,
                ..ParamsAdamW::default()
            },
        )?;
        for _ in 0..options.steps {
            let logits = inputs.matmul(weights.as_tensor())?.broadcast_add(&bias)?;
            let cross_entropy = candle_nn::ops::log_softmax(&logits, D::Minus1)?
                .gather(&targets, 1)?
                .mean_all()?
                .neg()?;
            let penalty = (weights.as_tensor().sqr()?.sum_all()? * f64::from(options.l2 / 2.0))?;
            optimiser.backward_step(&(cross_entropy + penalty)?)?;
        }
        Ok(VectorClassifier {
            dimension,
            classes,
            input_scale: options.input_scale,
            mean,
            weights: weights.as_tensor().t()?.flatten_all()?.to_vec1()?,
            bias: bias.as_tensor().to_vec1()?,
        })
    }

    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The classifier as bytes for [`VectorClassifier::from_bytes`]: a magic number, the dimension, the number of
    /// classes and the input scale, then the mean, the weights and the biases, all little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let floats = self.mean.len() + self.weights.len() + self.bias.len();
        let mut bytes = Vec::with_capacity(16 + 4 * floats);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&(self.dimension as u32).to_le_bytes());
        bytes.extend_from_slice(&(self.classes as u32).to_le_bytes());
        bytes.extend_from_slice(&self.input_scale.to_le_bytes());
        for value in self.mean.iter().chain(&self.weights).chain(&self.bias) {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        bytes
    }

    /// Reads what [`VectorClassifier::to_bytes`] wrote; anything else, or a truncated copy, is an error.
    pub fn from_bytes(bytes: &[u8]) -> Result<VectorClassifier, NluError> {
        let invalid = |message: &str| NluError::Model(format!("entry classifier: {message}"));
        if bytes.len() < 16 || &bytes[..4] != MAGIC {
            return Err(invalid("not a classifier"));
        }
        let word = |at: usize| [bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]];
        let dimension = u32::from_le_bytes(word(4)) as usize;
        let classes = u32::from_le_bytes(word(8)) as usize;
        let input_scale = f32::from_le_bytes(word(12));
        let floats = dimension
            .checked_mul(classes)
            .and_then(|weights| weights.checked_add(dimension + classes));
        if floats.and_then(|floats| floats.checked_mul(4)) != Some(bytes.len() - 16) {
            return Err(invalid("the size does not match the dimension and classes"));
        }
        let mut values = bytes[16..]
            .chunks_exact(4)
            .map(|value| f32::from_le_bytes([value[0], value[1], value[2], value[3]]));
        let mut take = |count: usize| values.by_ref().take(count).collect::<Vec<f32>>();
        Ok(VectorClassifier {
            dimension,
            classes,
            input_scale,
            mean: take(dimension),
            weights: take(dimension * classes),
            bias: take(classes),
        })
    }

    /// The chance of each class for `vector`, summing to 1; all zeros when `vector` is of another length.
    pub fn probabilities(&self, vector: &[f32]) -> Vec<f32> {
        if vector.len() != self.dimension {
            return vec![0.0; self.classes];
        }
        let input: Vec<f32> = vector
            .iter()
            .zip(&self.mean)
            .map(|(value, mean)| (value - mean) * self.input_scale)
            .collect();
        let logits: Vec<f32> = self
            .weights
            .chunks_exact(self.dimension)
            .zip(&self.bias)
            .map(|(row, bias)| row.iter().zip(&input).map(|(w, x)| w * x).sum::<f32>() + bias)
            .collect();
        let highest = logits.iter().copied().fold(f32::MIN, f32::max);
        let exponentials: Vec<f32> = logits.iter().map(|logit| (logit - highest).exp()).collect();
        let total: f32 = exponentials.iter().sum();
        exponentials.iter().map(|value| value / total).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit vector of 8 dimensions leaning towards `axis`, with a little of `noise_axis`.
    fn leaning(axis: usize, noise_axis: usize, noise: f32) -> Vec<f32> {
        let mut vector = [0.1_f32; 8];
        vector[axis] += 1.0;
        vector[noise_axis] += noise;
        let length = vector.iter().map(|value| value * value).sum::<f32>().sqrt();
        vector.iter().map(|value| value / length).collect()
    }

    #[test]
    fn it_learns_which_direction_separates_two_close_classes() {
        // Both classes lean on axis 0; class 0 adds some of axis 1 and class 1 some of axis 2, and every example
        // also carries a different amount of axis 3 to 7, which says nothing about the class.
        let mut vectors = Vec::new();
        let mut labels = Vec::new();
        for (example, noise_axis) in (3..8).enumerate() {
            let noise = 0.2 + 0.1 * example as f32;
            let mut zero = leaning(0, noise_axis, noise);
            zero[1] += 0.15;
            let mut one = leaning(0, noise_axis, noise);
            one[2] += 0.15;
            vectors.push(zero);
            labels.push(0);
            vectors.push(one);
            labels.push(1);
        }
        let classifier =
            VectorClassifier::train(&vectors, &labels, 2, &ClassifierOptions::default())
                .expect("trains");
        let mut query = leaning(0, 4, 0.9);
        query[2] += 0.1;
        let probabilities = classifier.probabilities(&query);
        assert!((probabilities.iter().sum::<f32>() - 1.0).abs() < 1e-5);
        assert!(probabilities[1] > 0.9, "{probabilities:?}");
        assert_eq!(classifier.probabilities(&[1.0]), vec![0.0, 0.0]);
    }

    #[test]
    fn training_is_deterministic_and_checks_its_input() {
        let vectors = vec![leaning(0, 3, 0.1), leaning(1, 3, 0.1), leaning(2, 3, 0.1)];
        let labels = vec![0, 1, 2];
        let options = ClassifierOptions {
            steps: 10,
            ..ClassifierOptions::default()
        };
        let first = VectorClassifier::train(&vectors, &labels, 3, &options).expect("trains");
        let second = VectorClassifier::train(&vectors, &labels, 3, &options).expect("trains");
        assert_eq!(first, second);
        assert!(VectorClassifier::train(&vectors, &labels[..2], 3, &options).is_err());
        assert!(VectorClassifier::train(&vectors, &[0, 1, 3], 3, &options).is_err());
        assert!(
            VectorClassifier::train(&[vec![1.0], vec![1.0, 0.0]], &[0, 1], 2, &options).is_err()
        );
    }

    #[test]
    fn a_classifier_reads_back_what_it_wrote_and_nothing_else() {
        let vectors = vec![leaning(0, 3, 0.1), leaning(1, 3, 0.1), leaning(2, 3, 0.1)];
        let options = ClassifierOptions {
            steps: 10,
            ..ClassifierOptions::default()
        };
        let classifier =
            VectorClassifier::train(&vectors, &[0, 1, 2], 3, &options).expect("trains");
        let bytes = classifier.to_bytes();
        // 16 bytes of header, then 8 means, 3 x 8 weights and 3 biases.
        assert_eq!(bytes.len(), 16 + 4 * (8 + 24 + 3));
        let read = VectorClassifier::from_bytes(&bytes).expect("reads");
        assert_eq!(read, classifier);
        assert_eq!(
            read.probabilities(&vectors[1]),
            classifier.probabilities(&vectors[1])
        );
        for broken in [&bytes[..bytes.len() - 4], &bytes[..10], &b"AXV1"[..]] {
            assert!(matches!(
                VectorClassifier::from_bytes(broken),
                Err(NluError::Model(_))
            ));
        }
        let mut other_magic = bytes.clone();
        other_magic[3] = b'9';
        assert!(VectorClassifier::from_bytes(&other_magic).is_err());
    }
}

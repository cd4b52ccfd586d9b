//! The trained network as plain vectors, and the forward pass that prediction runs.
//!
//! Training happens in candle; prediction does not need it. One utterance has a few dozen features, so the
//! forward pass is a handful of row lookups and two small matrix-vector products, which plain Rust does in
//! microseconds without building a single tensor. The embedding table keeps only the rows of buckets that
//! occurred in the training data (`bucket_ids`, sorted); every other bucket reads as a zero vector, which is also
//! what those rows would have been worth, since training never moved them.

use super::features::{self, BUCKET_COUNT};

/// Marks a bucket without a row in `row_of_bucket`.
const NO_ROW: u32 = u32::MAX;

/// The weights of a trained classifier, in row-major order.
#[derive(Clone)]
pub(crate) struct Network {
    pub embedding_dim: usize,
    pub hidden_dim: usize,
    pub label_count: usize,
    /// The bucket of every embedding row, strictly increasing.
    pub bucket_ids: Vec<u32>,
    /// `bucket_ids.len() × embedding_dim`.
    pub embedding: Vec<f32>,
    /// `hidden_dim × embedding_dim`.
    pub hidden_weight: Vec<f32>,
    pub hidden_bias: Vec<f32>,
    /// `label_count × hidden_dim`.
    pub output_weight: Vec<f32>,
    pub output_bias: Vec<f32>,
    /// For every bucket, its row in `embedding` or [`NO_ROW`].
    row_of_bucket: Vec<u32>,
}

/// The vectors a [`Network`] is made of, before their sizes are checked.
pub(crate) struct NetworkParts {
    pub embedding_dim: usize,
    pub hidden_dim: usize,
    pub label_count: usize,
    pub bucket_ids: Vec<u32>,
    pub embedding: Vec<f32>,
    pub hidden_weight: Vec<f32>,
    pub hidden_bias: Vec<f32>,
    pub output_weight: Vec<f32>,
    pub output_bias: Vec<f32>,
}

impl Network {
    /// Checks that the parts fit together and builds the bucket index. The error says what does not fit.
    pub fn new(parts: NetworkParts) -> Result<Self, String> {
        let NetworkParts {
            embedding_dim,
            hidden_dim,
            label_count,
            bucket_ids,
            embedding,
            hidden_weight,
            hidden_bias,
            output_weight,
            output_bias,
        } = parts;
        if embedding_dim == 0 || hidden_dim == 0 || label_count == 0 {
            return Err("the embedding, hidden and label sizes must be positive".to_owned());
        }
        let expected_sizes = [
            (
                "embedding",
                embedding.len(),
                bucket_ids.len() * embedding_dim,
            ),
            (
                "hidden.weight",
                hidden_weight.len(),
                hidden_dim * embedding_dim,
            ),
            ("hidden.bias", hidden_bias.len(), hidden_dim),
            (
                "output.weight",
                output_weight.len(),
                label_count * hidden_dim,
            ),
            ("output.bias", output_bias.len(), label_count),
        ];
        for (name, actual, expected) in expected_sizes {
            if actual != expected {
                return Err(format!(
                    "{name} has {actual} values where {expected} are needed"
                ));
            }
        }
        let all_values = [
            &embedding,
            &hidden_weight,
            &hidden_bias,
            &output_weight,
            &output_bias,
        ];
        if all_values
            .iter()
            .any(|values| values.iter().any(|value| !value.is_finite()))
        {
            return Err("the weights contain values that are not finite".to_owned());
        }
        let mut row_of_bucket = vec![NO_ROW; BUCKET_COUNT];
        let mut previous: Option<u32> = None;
        for (row, &bucket) in bucket_ids.iter().enumerate() {
            if bucket as usize >= BUCKET_COUNT {
                return Err(format!(
                    "bucket {bucket} is outside the {BUCKET_COUNT} hash buckets"
                ));
            }
            if previous.is_some_and(|previous| previous >= bucket) {
                return Err("the embedding buckets are not strictly increasing".to_owned());
            }
            previous = Some(bucket);
            // The rows are fewer than the buckets (checked above), so a row number fits in a u32.
            row_of_bucket[bucket as usize] = row as u32;
        }
        Ok(Self {
            embedding_dim,
            hidden_dim,
            label_count,
            bucket_ids,
            embedding,
            hidden_weight,
            hidden_bias,
            output_weight,
            output_bias,
            row_of_bucket,
        })
    }

    /// The embedding row of a bucket, if the bucket occurred in training.
    pub fn row_of(&self, bucket: u32) -> Option<u32> {
        self.row_of_bucket
            .get(bucket as usize)
            .copied()
            .filter(|&row| row != NO_ROW)
    }

    /// The known rows of a text's features and the number of all its features.
    pub fn encode(&self, text: &str) -> (Vec<u32>, usize) {
        let mut rows = Vec::new();
        let mut feature_count = 0;
        features::for_each_bucket(text, &mut |bucket| {
            feature_count += 1;
            if let Some(row) = self.row_of(bucket) {
                rows.push(row);
            }
        });
        (rows, feature_count)
    }

    /// The logits of a text.
    pub fn logits(&self, text: &str) -> Vec<f32> {
        let (rows, feature_count) = self.encode(text);
        self.logits_of_rows(&rows, feature_count)
    }

    /// The logits for known `rows` out of `feature_count` features: the mean of the rows' embeddings, with
    /// unknown features counting as zero vectors, through the hidden layer and its ReLU to the label scores.
    pub fn logits_of_rows(&self, rows: &[u32], feature_count: usize) -> Vec<f32> {
        let dim = self.embedding_dim;
        let mut bag = vec![0f32; dim];
        for &row in rows {
            let start = row as usize * dim;
            if let Some(embedding_row) = self.embedding.get(start..start + dim) {
                add_to(&mut bag, embedding_row);
            }
        }
        if feature_count > 0 {
            let scale = 1.0 / feature_count as f32;
            for value in &mut bag {
                *value *= scale;
            }
        }
        let mut hidden = vec![0f32; self.hidden_dim];
        for (unit, value) in hidden.iter_mut().enumerate() {
            let weights = &self.hidden_weight[unit * dim..(unit + 1) * dim];
            *value = (self.hidden_bias[unit] + dot(weights, &bag)).max(0.0);
        }
        let mut logits = vec![0f32; self.label_count];
        for (label, value) in logits.iter_mut().enumerate() {
            let weights =
                &self.output_weight[label * self.hidden_dim..(label + 1) * self.hidden_dim];
            *value = self.output_bias[label] + dot(weights, &hidden);
        }
        logits
    }
}

// The two loops below are written with plain indices and four running sums rather than iterator adaptors: the
// workspace compiles this crate without optimisation in development builds, where every adaptor call is a real
// function call, and prediction must stay well under a millisecond there too.

/// The dot product of two slices of the same length.
fn dot(left: &[f32], right: &[f32]) -> f32 {
    let length = left.len().min(right.len());
    let (left, right) = (&left[..length], &right[..length]);
    let mut sums = [0f32; 4];
    let mut index = 0;
    while index + 4 <= length {
        sums[0] += left[index] * right[index];
        sums[1] += left[index + 1] * right[index + 1];
        sums[2] += left[index + 2] * right[index + 2];
        sums[3] += left[index + 3] * right[index + 3];
        index += 4;
    }
    while index < length {
        sums[0] += left[index] * right[index];
        index += 1;
    }
    (sums[0] + sums[1]) + (sums[2] + sums[3])
}

/// Adds `values` to `totals`, element by element.
fn add_to(totals: &mut [f32], values: &[f32]) {
    let length = totals.len().min(values.len());
    let mut index = 0;
    while index + 4 <= length {
        totals[index] += values[index];
        totals[index + 1] += values[index + 1];
        totals[index + 2] += values[index + 2];
        totals[index + 3] += values[index + 3];
        index += 4;
    }
    while index < length {
        totals[index] += values[index];
        index += 1;
    }
}

/// Softmax of `logits / temperature` in double precision.
pub(crate) fn softmax_with_temperature(logits: &[f32], temperature: f64) -> Vec<f64> {
    let scaled: Vec<f64> = logits
        .iter()
        .map(|&logit| f64::from(logit) / temperature)
        .collect();
    let maximum = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exponentials: Vec<f64> = scaled.iter().map(|value| (value - maximum).exp()).collect();
    let total: f64 = exponentials.iter().sum();
    exponentials.iter().map(|value| value / total).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_parts() -> NetworkParts {
        NetworkParts {
            embedding_dim: 2,
            hidden_dim: 2,
            label_count: 2,
            bucket_ids: vec![5, 9],
            embedding: vec![1.0, 0.0, 0.0, 3.0],
            hidden_weight: vec![1.0, 0.0, 0.0, 1.0],
            hidden_bias: vec![0.0, -1.0],
            output_weight: vec![2.0, 0.0, 0.0, 1.0],
            output_bias: vec![0.5, 0.0],
        }
    }

    #[test]
    fn the_forward_pass_averages_known_rows_over_all_features() {
        let network = Network::new(tiny_parts()).expect("valid parts");
        // Rows 0 and 1 out of four features: bag (0.25, 0.75); hidden (0.25, relu(-0.25) = 0); logits (1.0, 0.0).
        assert_eq!(network.logits_of_rows(&[0, 1], 4), vec![1.0, 0.0]);
        // No features at all: the bag is zero and only the biases speak.
        assert_eq!(network.logits_of_rows(&[], 0), vec![0.5, 0.0]);
        assert_eq!(network.row_of(9), Some(1));
        assert_eq!(network.row_of(6), None);
    }

    fn refusal(parts: NetworkParts) -> String {
        match Network::new(parts) {
            Ok(_) => panic!("the parts were accepted"),
            Err(message) => message,
        }
    }

    #[test]
    fn mismatched_or_unordered_parts_are_refused() {
        let mut parts = tiny_parts();
        parts.output_bias.push(0.0);
        assert!(refusal(parts).contains("output.bias"));
        let mut parts = tiny_parts();
        parts.bucket_ids = vec![9, 5];
        assert!(refusal(parts).contains("increasing"));
        let mut parts = tiny_parts();
        parts.embedding[0] = f32::NAN;
        assert!(refusal(parts).contains("finite"));
        let mut parts = tiny_parts();
        parts.bucket_ids = vec![5, BUCKET_COUNT as u32];
        assert!(refusal(parts).contains("outside"));
    }

    #[test]
    fn softmax_with_temperature_flattens_and_sums_to_one() {
        let sharp = softmax_with_temperature(&[2.0, 0.0], 1.0);
        let flat = softmax_with_temperature(&[2.0, 0.0], 4.0);
        assert!((sharp.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!((sharp[0] - 1.0 / (1.0 + (-2f64).exp())).abs() < 1e-12);
        assert!(flat[0] < sharp[0] && flat[0] > 0.5);
    }
}

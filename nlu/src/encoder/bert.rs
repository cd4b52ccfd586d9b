//! The BERT encoder of multilingual-e5-small as candle tensors, loaded from an `E5S1` file.
//!
//! The forward pass is the standard post-norm BERT: word, position and token-type embeddings summed and
//! layer-normalised; then, per layer, multi-head self-attention (query, key and value from one fused projection,
//! padded keys masked out) with a residual connection and layer normalisation, and an exact-erf GELU feed-forward
//! block with another residual connection and layer normalisation. The sentence vector is the mean of the final
//! hidden states over the real (non-padding) tokens, scaled to unit length.
//!
//! Memory: the 250,037 x 384 word-embedding table stays in its 4-bit form (54 MB instead of 384 MB as floats) and
//! only the rows of the tokens in a batch are dequantised. The layer matrices are expanded to `f32` at load by
//! default (about 85 MB) and multiplied with candle's float kernels; [`LayerWeights::Quantized`] keeps them as
//! candle `q4_0` tensors instead (about 11 MB), multiplied with candle's quantised kernels, which round activations
//! to 8 bits per block as the model's own engine does. On the development machine the quantised kernels took
//! about 1.3 to 1.8 times as long for one short message and twice as long per text in batches. Matrices whose
//! rows are not whole `q4_0` blocks are always expanded.

use std::borrow::Cow;
use std::sync::Arc;

use candle_core::quantized::{GgmlDType, QMatMul, QStorage, QTensor};
use candle_core::{Device, Module, Tensor};

use super::e5s1::{E5s1File, Hyperparameters, Q4_0_BLOCK_VALUES, TensorEntry, TensorKind};
use crate::NluError;

/// How the matrices of the transformer layers are held in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LayerWeights {
    /// Dequantised to 32-bit floats at load (about 85 MB for e5-small) and multiplied by candle's float kernels;
    /// the faster choice.
    #[default]
    Float32,
    /// Kept as 4-bit `q4_0` blocks and multiplied by candle's quantised kernels (about 11 MB for e5-small); the
    /// smaller choice, somewhat slower.
    Quantized,
}

/// The additive attention bias of a padded key: large enough that its softmax weight is exactly zero.
const MASKED_KEY_BIAS: f32 = -1.0e9;

/// The loaded encoder. It is immutable after loading and can be shared between threads.
pub(crate) struct BertEncoder {
    hyperparameters: Hyperparameters,
    word_embeddings: EmbeddingTable,
    position_embeddings: Tensor,
    token_type_embedding: Tensor,
    embedding_norm: LayerNorm,
    layers: Vec<TransformerLayer>,
    device: Device,
}

impl BertEncoder {
    /// Loads every tensor the encoder needs, checking each one's size against the hyper-parameters.
    pub(crate) fn load(file: &E5s1File<'_>, layer_weights: LayerWeights) -> Result<Self, NluError> {
        let device = Device::Cpu;
        let hyper = file.hyperparameters();
        let hidden = hyper.hidden_size;
        let intermediate = hyper.intermediate_size;
        let loader = TensorLoader {
            file,
            device: &device,
            layer_weights,
        };
        let word = file.tensor_with_length("emb.word", hyper.vocabulary_rows * hidden)?;
        let word_embeddings = EmbeddingTable {
            kind: word.kind,
            bytes: word.bytes.to_vec(),
            row_length: hidden,
            row_count: hyper.vocabulary_rows,
        };
        let position_embeddings = loader.matrix_f32("emb.pos", hyper.max_positions, hidden)?;
        let token_type_embedding = loader
            .matrix_f32("emb.type", hyper.token_type_count, hidden)?
            .get(0)?;
        let embedding_norm = loader.layer_norm("emb.ln", hidden, hyper.layer_norm_epsilon)?;
        let layers = (0..hyper.layer_count)
            .map(|layer| {
                let name = |part: &str| format!("l{layer}.{part}");
                Ok(TransformerLayer {
                    query_key_value: loader.linear(
                        &[&name("q"), &name("k"), &name("v")],
                        hidden,
                        hidden,
                    )?,
                    attention_output: loader.linear(&[&name("ao")], hidden, hidden)?,
                    attention_norm: loader.layer_norm(
                        &name("aln"),
                        hidden,
                        hyper.layer_norm_epsilon,
                    )?,
                    intermediate: loader.linear(&[&name("fi")], intermediate, hidden)?,
                    output: loader.linear(&[&name("fo")], hidden, intermediate)?,
                    output_norm: loader.layer_norm(
                        &name("oln"),
                        hidden,
                        hyper.layer_norm_epsilon,
                    )?,
                })
            })
            .collect::<Result<Vec<_>, NluError>>()?;
        Ok(Self {
            hyperparameters: hyper,
            word_embeddings,
            position_embeddings,
            token_type_embedding,
            embedding_norm,
            layers,
            device,
        })
    }

    pub(crate) fn hyperparameters(&self) -> &Hyperparameters {
        &self.hyperparameters
    }

    /// Sentence vectors for a batch of token id sequences, each already wrapped in `<s> … </s>`.
    ///
    /// Sequences may differ in length; shorter ones are padded with `padding_id` and the padding is masked out of
    /// attention and pooling. Every sequence must be non-empty, no longer than the model's positions, and made of
    /// ids below the vocabulary size; the caller's tokenizer guarantees that and this function checks it.
    pub(crate) fn embed_token_batch(
        &self,
        batch: &[Vec<u32>],
        padding_id: u32,
    ) -> Result<Vec<Vec<f32>>, NluError> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let hidden = self.hyperparameters.hidden_size;
        let batch_size = batch.len();
        let sequence_length = batch.iter().map(Vec::len).max().unwrap_or(0);
        if sequence_length == 0 || sequence_length > self.hyperparameters.max_positions {
            return Err(NluError::Model(format!(
                "a token sequence of {sequence_length} tokens cannot be encoded (the model takes 1 to {})",
                self.hyperparameters.max_positions
            )));
        }
        let mut word_vectors = vec![0.0f32; batch_size * sequence_length * hidden];
        let mut mask = vec![0.0f32; batch_size * sequence_length];
        for (sequence_index, sequence) in batch.iter().enumerate() {
            if sequence.is_empty() {
                return Err(NluError::Model(
                    "an empty token sequence cannot be encoded".to_owned(),
                ));
            }
            for position in 0..sequence_length {
                let token = match sequence.get(position) {
                    Some(&token) => {
                        mask[sequence_index * sequence_length + position] = 1.0;
                        token
                    }
                    None => padding_id,
                };
                let row_start = (sequence_index * sequence_length + position) * hidden;
                self.word_embeddings.read_row(
                    token as usize,
                    &mut word_vectors[row_start..row_start + hidden],
                )?;
            }
        }
        let words = Tensor::from_vec(
            word_vectors,
            (batch_size, sequence_length, hidden),
            &self.device,
        )?;
        let positions = self.position_embeddings.narrow(0, 0, sequence_length)?;
        let embeddings = words
            .broadcast_add(&positions)?
            .broadcast_add(&self.token_type_embedding)?;
        let mut hidden_states = self.embedding_norm.forward(&embeddings)?;

        let mask = Tensor::from_vec(mask, (batch_size, sequence_length), &self.device)?;
        let has_padding = batch
            .iter()
            .any(|sequence| sequence.len() < sequence_length);
        let attention_bias = if has_padding {
            // 0 for real keys and MASKED_KEY_BIAS for padding, shaped to broadcast over heads and queries.
            let bias = ((mask.ones_like()? - &mask)? * f64::from(MASKED_KEY_BIAS))?;
            Some(bias.reshape((batch_size, 1, 1, sequence_length))?)
        } else {
            None
        };
        for layer in &self.layers {
            hidden_states = layer.forward(
                &hidden_states,
                attention_bias.as_ref(),
                &self.hyperparameters,
            )?;
        }

        let mask = mask.unsqueeze(2)?;
        let summed = hidden_states.broadcast_mul(&mask)?.sum(1)?;
        let counts = mask.sum(1)?;
        let mean = summed.broadcast_div(&counts)?;
        let length = mean
            .sqr()?
            .sum_keepdim(1)?
            .sqrt()?
            .clamp(1e-12f32, f32::MAX)?;
        Ok(mean.broadcast_div(&length)?.to_vec2::<f32>()?)
    }
}

/// The word-embedding table in the file's own storage, read one row at a time.
struct EmbeddingTable {
    kind: TensorKind,
    bytes: Vec<u8>,
    row_length: usize,
    row_count: usize,
}

impl EmbeddingTable {
    fn read_row(&self, row: usize, output: &mut [f32]) -> Result<(), NluError> {
        if row >= self.row_count {
            return Err(NluError::Model(format!(
                "token id {row} is outside the {} rows of the word-embedding table",
                self.row_count
            )));
        }
        let entry = TensorEntry {
            name: "emb.word",
            kind: self.kind,
            element_count: self.row_count * self.row_length,
            bytes: &self.bytes,
        };
        entry.read_values(row * self.row_length, output)
    }
}

struct LayerNorm {
    weight: Tensor,
    bias: Tensor,
    epsilon: f32,
}

impl LayerNorm {
    fn forward(&self, input: &Tensor) -> Result<Tensor, NluError> {
        Ok(candle_nn::ops::layer_norm(
            &input.contiguous()?,
            &self.weight,
            &self.bias,
            self.epsilon,
        )?)
    }
}

/// A dense layer `input · weightᵀ + bias` with the weight in either storage.
struct Linear {
    weight: QMatMul,
    bias: Tensor,
}

impl Linear {
    fn forward(&self, input: &Tensor) -> Result<Tensor, NluError> {
        Ok(self.weight.forward(input)?.broadcast_add(&self.bias)?)
    }
}

struct TransformerLayer {
    query_key_value: Linear,
    attention_output: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

impl TransformerLayer {
    fn forward(
        &self,
        hidden_states: &Tensor,
        attention_bias: Option<&Tensor>,
        hyper: &Hyperparameters,
    ) -> Result<Tensor, NluError> {
        let (batch_size, sequence_length, hidden) = hidden_states.dims3()?;
        let heads = hyper.attention_head_count;
        let head_size = hidden / heads;
        let flat = hidden_states.reshape((batch_size * sequence_length, hidden))?;

        let projected = self.query_key_value.forward(&flat)?;
        let split_heads = |part: usize| -> Result<Tensor, NluError> {
            Ok(projected
                .narrow(1, part * hidden, hidden)?
                .reshape((batch_size, sequence_length, heads, head_size))?
                .transpose(1, 2)?
                .contiguous()?)
        };
        let (query, key, value) = (split_heads(0)?, split_heads(1)?, split_heads(2)?);
        let mut scores = (query.matmul(&key.t()?)? * (1.0 / (head_size as f64).sqrt()))?;
        if let Some(bias) = attention_bias {
            scores = scores.broadcast_add(bias)?;
        }
        let probabilities = candle_nn::ops::softmax_last_dim(&scores)?;
        let context = probabilities
            .matmul(&value)?
            .transpose(1, 2)?
            .reshape((batch_size * sequence_length, hidden))?;
        let attended = self.attention_output.forward(&context)?;
        let flat = self.attention_norm.forward(&(flat + attended)?)?;

        let expanded = self.intermediate.forward(&flat)?.gelu_erf()?;
        let contracted = self.output.forward(&expanded)?;
        let output = self.output_norm.forward(&(flat + contracted)?)?;
        Ok(output.reshape((batch_size, sequence_length, hidden))?)
    }
}

/// Turns directory entries into candle tensors, checking sizes.
struct TensorLoader<'file, 'bytes> {
    file: &'file E5s1File<'bytes>,
    device: &'file Device,
    layer_weights: LayerWeights,
}

impl TensorLoader<'_, '_> {
    fn vector_f32(&self, name: &str, length: usize) -> Result<Tensor, NluError> {
        let values = self.file.tensor_with_length(name, length)?.to_f32();
        Ok(Tensor::from_vec(values, length, self.device)?)
    }

    fn matrix_f32(&self, name: &str, rows: usize, columns: usize) -> Result<Tensor, NluError> {
        let values = self.file.tensor_with_length(name, rows * columns)?.to_f32();
        Ok(Tensor::from_vec(values, (rows, columns), self.device)?)
    }

    fn layer_norm(&self, prefix: &str, width: usize, epsilon: f32) -> Result<LayerNorm, NluError> {
        Ok(LayerNorm {
            weight: self.vector_f32(&format!("{prefix}.w"), width)?,
            bias: self.vector_f32(&format!("{prefix}.b"), width)?,
            epsilon,
        })
    }

    /// A dense layer whose weight is the row-wise concatenation of the `.w` tensors of `prefixes` (each
    /// `rows x columns`) and whose bias is the concatenation of their `.b` tensors.
    fn linear(&self, prefixes: &[&str], rows: usize, columns: usize) -> Result<Linear, NluError> {
        let entries = prefixes
            .iter()
            .map(|prefix| {
                self.file
                    .tensor_with_length(&format!("{prefix}.w"), rows * columns)
            })
            .collect::<Result<Vec<_>, NluError>>()?;
        let total_rows = rows * prefixes.len();
        let whole_blocks = columns.is_multiple_of(Q4_0_BLOCK_VALUES)
            && entries.iter().all(|entry| entry.kind == TensorKind::Q4_0);
        let weight = if whole_blocks {
            let mut blocks =
                Vec::with_capacity(entries.iter().map(|entry| entry.bytes.len()).sum());
            for entry in &entries {
                blocks.extend_from_slice(entry.bytes);
            }
            let storage = q4_0_storage(&blocks, self.device)?;
            let quantized = QTensor::new(storage, (total_rows, columns))?;
            match self.layer_weights {
                LayerWeights::Quantized => QMatMul::QTensor(Arc::new(quantized)),
                // Candle's dequantisation gives the same values as TensorEntry::to_f32, faster.
                LayerWeights::Float32 => QMatMul::Tensor(quantized.dequantize(self.device)?),
            }
        } else {
            let mut values = vec![0.0f32; total_rows * columns];
            for (entry, part) in entries.iter().zip(values.chunks_exact_mut(rows * columns)) {
                entry.read_values(0, part)?;
            }
            QMatMul::Tensor(Tensor::from_vec(
                values,
                (total_rows, columns),
                self.device,
            )?)
        };
        let biases = prefixes
            .iter()
            .map(|prefix| self.vector_f32(&format!("{prefix}.b"), rows))
            .collect::<Result<Vec<_>, NluError>>()?;
        let bias = Tensor::cat(&biases, 0)?;
        Ok(Linear { weight, bias })
    }
}

/// Candle storage for `q4_0` blocks. Candle reads the blocks' `f16` scales in place, so the bytes must start at an
/// even address; bytes at an odd one are first copied into a buffer one byte longer, from its even position.
fn q4_0_storage(bytes: &[u8], device: &Device) -> Result<QStorage, NluError> {
    if (bytes.as_ptr() as usize).is_multiple_of(2) {
        return Ok(QStorage::from_data(
            Cow::Borrowed(bytes),
            device,
            GgmlDType::Q4_0,
        )?);
    }
    let mut buffer = vec![0u8; bytes.len() + 1];
    let start = (buffer.as_ptr() as usize) % 2;
    let aligned = &mut buffer[start..start + bytes.len()];
    aligned.copy_from_slice(bytes);
    Ok(QStorage::from_data(
        Cow::Borrowed(aligned),
        device,
        GgmlDType::Q4_0,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::synthetic::SyntheticModel;

    #[test]
    fn candle_dequantises_q4_0_exactly_as_the_file_reader_does_at_any_address() {
        let bytes = SyntheticModel::small(32).to_bytes();
        let file = E5s1File::parse(&bytes).expect("parses");
        let entry = file.tensor("l0.fi.w").expect("listed");
        let expected = entry.to_f32();
        // The same blocks once from the start of a buffer and once one byte in, so that one of the two starts at
        // an odd address and goes through the aligning copy.
        let at_start = entry.bytes().to_vec();
        let mut one_byte_in = vec![0u8];
        one_byte_in.extend_from_slice(entry.bytes());
        for blocks in [&at_start[..], &one_byte_in[1..]] {
            let storage = q4_0_storage(blocks, &Device::Cpu).expect("storage");
            let tensor = QTensor::new(storage, (64, 32)).expect("a 64 x 32 matrix");
            let values = tensor
                .dequantize(&Device::Cpu)
                .and_then(|values| values.flatten_all())
                .and_then(|values| values.to_vec1::<f32>())
                .expect("dequantises");
            assert_eq!(values, expected);
        }
    }
}

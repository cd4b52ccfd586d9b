//! The serialised form of a classifier: its weights as safetensors bytes and a JSON description.
//!
//! The weights file holds six tensors: `embedding` (rows × embedding size, f32), `embedding_buckets` (the hash
//! bucket of every row, u32, strictly increasing), `hidden.weight`, `hidden.bias`, `output.weight` and
//! `output.bias` (f32, weights as output × input). The description names the format and its version, the labels in
//! output order, the sizes, the feature settings, the calibrated temperature and a summary of training.
//!
//! Writing produces the safetensors layout directly (an eight-byte little-endian header length, a JSON header
//! padded with spaces to a multiple of eight bytes, then the tensors' little-endian bytes in header order), in
//! memory. Reading goes through candle's safetensors loader and then checks every name, type and shape against
//! the description, and the description against this code, so a file from another version or another model is
//! refused with [`NluError::Model`] rather than misread.

use std::collections::HashMap;

use candle_core::{DType, Device, Tensor};
use serde::{Deserialize, Serialize};

use super::features::FeatureSettings;
use super::network::{Network, NetworkParts};
use super::{ModelFiles, TrainingSummary};
use crate::NluError;

/// The name in every description this code writes.
pub const FORMAT_NAME: &str = "anxin-intent-classifier";
/// Raised whenever the meaning of the files changes.
pub const FORMAT_VERSION: u32 = 1;

const EMBEDDING: &str = "embedding";
const EMBEDDING_BUCKETS: &str = "embedding_buckets";
const HIDDEN_WEIGHT: &str = "hidden.weight";
const HIDDEN_BIAS: &str = "hidden.bias";
const OUTPUT_WEIGHT: &str = "output.weight";
const OUTPUT_BIAS: &str = "output.bias";

/// The JSON description of a saved classifier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ModelMeta {
    pub format: String,
    pub format_version: u32,
    pub labels: Vec<String>,
    pub embedding_dim: usize,
    pub hidden_dim: usize,
    pub vocabulary_rows: usize,
    pub temperature: f32,
    pub features: FeatureSettings,
    pub training: TrainingSummary,
}

/// The values of one tensor to write.
pub(crate) enum TensorValues<'a> {
    F32(&'a [f32]),
    U32(&'a [u32]),
}

impl TensorValues<'_> {
    fn dtype_name(&self) -> &'static str {
        match self {
            TensorValues::F32(_) => "F32",
            TensorValues::U32(_) => "U32",
        }
    }

    fn byte_length(&self) -> usize {
        match self {
            TensorValues::F32(values) => values.len() * 4,
            TensorValues::U32(values) => values.len() * 4,
        }
    }

    fn write_to(&self, bytes: &mut Vec<u8>) {
        match self {
            TensorValues::F32(values) => values
                .iter()
                .for_each(|value| bytes.extend_from_slice(&value.to_le_bytes())),
            TensorValues::U32(values) => values
                .iter()
                .for_each(|value| bytes.extend_from_slice(&value.to_le_bytes())),
        }
    }
}

/// Writes named tensors in the safetensors layout, in the order given.
pub(crate) fn write_safetensors(
    tensors: &[(&str, Vec<usize>, TensorValues<'_>)],
) -> Result<Vec<u8>, NluError> {
    let mut header = serde_json::Map::new();
    let mut metadata = serde_json::Map::new();
    metadata.insert(
        "format".to_owned(),
        serde_json::Value::String(FORMAT_NAME.to_owned()),
    );
    header.insert(
        "__metadata__".to_owned(),
        serde_json::Value::Object(metadata),
    );
    let mut offset = 0usize;
    for (name, shape, values) in tensors {
        let end = offset + values.byte_length();
        header.insert(
            (*name).to_owned(),
            serde_json::json!({"dtype": values.dtype_name(), "shape": shape, "data_offsets": [offset, end]}),
        );
        offset = end;
    }
    let mut header_bytes = serde_json::to_vec(&header)
        .map_err(|error| NluError::Model(format!("cannot write the header: {error}")))?;
    while header_bytes.len() % 8 != 0 {
        header_bytes.push(b' ');
    }
    let mut bytes = Vec::with_capacity(8 + header_bytes.len() + offset);
    bytes.extend_from_slice(&(header_bytes.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&header_bytes);
    for (_, _, values) in tensors {
        values.write_to(&mut bytes);
    }
    Ok(bytes)
}

/// Serialises a network and its description.
pub(crate) fn write(network: &Network, meta: &ModelMeta) -> Result<ModelFiles, NluError> {
    let embedding_dim = network.embedding_dim;
    let hidden_dim = network.hidden_dim;
    let rows = network.bucket_ids.len();
    let labels = network.label_count;
    let weights = write_safetensors(&[
        (
            EMBEDDING,
            vec![rows, embedding_dim],
            TensorValues::F32(&network.embedding),
        ),
        (
            EMBEDDING_BUCKETS,
            vec![rows],
            TensorValues::U32(&network.bucket_ids),
        ),
        (
            HIDDEN_WEIGHT,
            vec![hidden_dim, embedding_dim],
            TensorValues::F32(&network.hidden_weight),
        ),
        (
            HIDDEN_BIAS,
            vec![hidden_dim],
            TensorValues::F32(&network.hidden_bias),
        ),
        (
            OUTPUT_WEIGHT,
            vec![labels, hidden_dim],
            TensorValues::F32(&network.output_weight),
        ),
        (
            OUTPUT_BIAS,
            vec![labels],
            TensorValues::F32(&network.output_bias),
        ),
    ])?;
    let meta_json = serde_json::to_string_pretty(meta)
        .map_err(|error| NluError::Model(format!("cannot write the description: {error}")))?;
    Ok(ModelFiles { weights, meta_json })
}

fn model_error(message: impl Into<String>) -> NluError {
    NluError::Model(message.into())
}

/// Reads and checks the description.
pub(crate) fn read_meta(meta_json: &str) -> Result<ModelMeta, NluError> {
    let meta: ModelMeta = serde_json::from_str(meta_json)
        .map_err(|error| model_error(format!("the description is not valid: {error}")))?;
    if meta.format != FORMAT_NAME {
        return Err(model_error(format!(
            "the description is for {:?}, not {FORMAT_NAME:?}",
            meta.format
        )));
    }
    if meta.format_version != FORMAT_VERSION {
        return Err(model_error(format!(
            "format version {} cannot be read by this version, which reads version {FORMAT_VERSION}",
            meta.format_version
        )));
    }
    if meta.features != FeatureSettings::current() {
        return Err(model_error(
            "the model was trained with different feature settings than this version computes",
        ));
    }
    if meta.labels.len() < 2 {
        return Err(model_error("a model needs at least two labels"));
    }
    let mut sorted_labels = meta.labels.clone();
    sorted_labels.sort();
    sorted_labels.dedup();
    if sorted_labels.len() != meta.labels.len() {
        return Err(model_error("the labels repeat"));
    }
    if !(meta.temperature.is_finite() && meta.temperature > 0.0) {
        return Err(model_error(format!(
            "temperature {} is not a positive number",
            meta.temperature
        )));
    }
    Ok(meta)
}

/// Reads the weights and checks them against the description.
pub(crate) fn read_network(weights: &[u8], meta: &ModelMeta) -> Result<Network, NluError> {
    let mut tensors = candle_core::safetensors::load_buffer(weights, &Device::Cpu)
        .map_err(|error| model_error(format!("the weights are not valid safetensors: {error}")))?;
    let expected_names = [
        EMBEDDING,
        EMBEDDING_BUCKETS,
        HIDDEN_WEIGHT,
        HIDDEN_BIAS,
        OUTPUT_WEIGHT,
        OUTPUT_BIAS,
    ];
    if let Some(extra) = tensors
        .keys()
        .find(|name| !expected_names.contains(&name.as_str()))
    {
        return Err(model_error(format!(
            "the weights hold an unexpected tensor {extra:?}"
        )));
    }
    let rows = meta.vocabulary_rows;
    let embedding_dim = meta.embedding_dim;
    let hidden_dim = meta.hidden_dim;
    let labels = meta.labels.len();
    let embedding = take_f32(&mut tensors, EMBEDDING, &[rows, embedding_dim])?;
    let bucket_ids = take_tensor(&mut tensors, EMBEDDING_BUCKETS, DType::U32, &[rows])?
        .to_vec1::<u32>()
        .map_err(|error| model_error(format!("{EMBEDDING_BUCKETS}: {error}")))?;
    let hidden_weight = take_f32(&mut tensors, HIDDEN_WEIGHT, &[hidden_dim, embedding_dim])?;
    let hidden_bias = take_f32(&mut tensors, HIDDEN_BIAS, &[hidden_dim])?;
    let output_weight = take_f32(&mut tensors, OUTPUT_WEIGHT, &[labels, hidden_dim])?;
    let output_bias = take_f32(&mut tensors, OUTPUT_BIAS, &[labels])?;
    Network::new(NetworkParts {
        embedding_dim,
        hidden_dim,
        label_count: labels,
        bucket_ids,
        embedding,
        hidden_weight,
        hidden_bias,
        output_weight,
        output_bias,
    })
    .map_err(model_error)
}

pub(crate) fn take_tensor(
    tensors: &mut HashMap<String, Tensor>,
    name: &str,
    dtype: DType,
    shape: &[usize],
) -> Result<Tensor, NluError> {
    let tensor = tensors
        .remove(name)
        .ok_or_else(|| model_error(format!("the weights lack the tensor {name:?}")))?;
    if tensor.dtype() != dtype {
        return Err(model_error(format!(
            "{name} is {:?} where {dtype:?} is needed",
            tensor.dtype()
        )));
    }
    if tensor.dims() != shape {
        return Err(model_error(format!(
            "{name} has shape {:?} where the description needs {shape:?}",
            tensor.dims()
        )));
    }
    Ok(tensor)
}

pub(crate) fn take_f32(
    tensors: &mut HashMap<String, Tensor>,
    name: &str,
    shape: &[usize],
) -> Result<Vec<f32>, NluError> {
    take_tensor(tensors, name, DType::F32, shape)?
        .flatten_all()
        .and_then(|flat| flat.to_vec1::<f32>())
        .map_err(|error| model_error(format!("{name}: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_written_layout_is_read_back_by_candle() {
        let weights = [1.5f32, -2.0, 0.25, 8.0, 0.0, -0.5];
        let buckets = [3u32, 70_000];
        let bytes = write_safetensors(&[
            ("a", vec![2, 3], TensorValues::F32(&weights)),
            ("b", vec![2], TensorValues::U32(&buckets)),
        ])
        .expect("writes");
        let header_length =
            u64::from_le_bytes(bytes[..8].try_into().expect("eight bytes")) as usize;
        assert_eq!(header_length % 8, 0);
        assert_eq!(bytes.len(), 8 + header_length + 6 * 4 + 2 * 4);
        let tensors =
            candle_core::safetensors::load_buffer(&bytes, &Device::Cpu).expect("candle reads it");
        assert_eq!(
            tensors["a"].to_vec2::<f32>().expect("f32"),
            vec![vec![1.5, -2.0, 0.25], vec![8.0, 0.0, -0.5]]
        );
        assert_eq!(tensors["b"].to_vec1::<u32>().expect("u32"), vec![3, 70_000]);
    }

    #[test]
    fn truncated_bytes_are_refused() {
        let bytes =
            write_safetensors(&[("a", vec![2], TensorValues::F32(&[1.0, 2.0]))]).expect("writes");
        assert!(
            candle_core::safetensors::load_buffer(&bytes[..bytes.len() - 1], &Device::Cpu).is_err()
        );
    }
}

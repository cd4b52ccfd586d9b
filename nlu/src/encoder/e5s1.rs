//! A reader for the `E5S1` model file in which multilingual-e5-small is distributed with 4-bit weights.
//!
//! The file holds, in this order and little-endian throughout: the magic `E5S1` and a format version; the
//! hyper-parameters of the BERT encoder; the SentencePiece unigram vocabulary (piece byte offsets, one score per
//! piece and the concatenated UTF-8 piece bytes); a per-character normalisation map; and a directory of named
//! tensors whose data sits at absolute offsets further on. Tensors are either plain `f32` arrays or ggml `q4_0`
//! blocks: 32 values share one `f16` scale, 16 bytes carry 32 four-bit values (the low nibbles are the first 16
//! values of the block, the high nibbles the last 16) and each value is `(nibble - 8) * scale`.
//!
//! [`E5s1File::parse`] borrows the bytes and checks every length, offset and count against them, so a truncated
//! or corrupt file is reported as [`NluError::Model`] and never read out of bounds. Nothing is dequantised at
//! parse time: callers decide which tensors to expand and which to keep in their 4-bit form.

use crate::NluError;

/// The four bytes every `E5S1` file starts with.
pub const MAGIC: &[u8; 4] = b"E5S1";

/// The only format version this reader understands.
pub const SUPPORTED_VERSION: u32 = 1;

/// The number of values in one `q4_0` block.
pub const Q4_0_BLOCK_VALUES: usize = 32;

/// The number of bytes in one `q4_0` block: a two-byte `f16` scale and sixteen bytes of nibbles.
pub const Q4_0_BLOCK_BYTES: usize = 18;

/// The shape of the BERT encoder stored in the file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hyperparameters {
    /// The width of every hidden state (384 for multilingual-e5-small).
    pub hidden_size: usize,
    /// The number of transformer layers.
    pub layer_count: usize,
    /// The number of attention heads; it divides `hidden_size`.
    pub attention_head_count: usize,
    /// The width of the feed-forward layer inside each transformer layer.
    pub intermediate_size: usize,
    /// The number of rows of the word-embedding table (at least the number of pieces).
    pub vocabulary_rows: usize,
    /// The number of learned positions, which is the longest input the model accepts.
    pub max_positions: usize,
    /// The number of token types (segment ids) the embedding table knows.
    pub token_type_count: usize,
    /// The epsilon added to the variance in every layer normalisation.
    pub layer_norm_epsilon: f32,
    /// The quantisation block length the file declares; always 32.
    pub quantization_block: usize,
}

/// The ids of the tokenizer's control pieces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecialTokenIds {
    /// The start-of-sequence piece `<s>`.
    pub begin: u32,
    /// The end-of-sequence piece `</s>`.
    pub end: u32,
    /// The padding piece `<pad>`.
    pub padding: u32,
    /// The piece that stands for text no other piece covers, `<unk>`.
    pub unknown: u32,
}

/// How the values of one tensor are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorKind {
    /// Little-endian 32-bit floats.
    Float32,
    /// ggml `q4_0` blocks of 32 values.
    Q4_0,
}

/// One entry of the tensor directory with the bytes it points at.
///
/// Entries are only made by [`E5s1File::parse`], which checks that the bytes hold exactly the declared values.
#[derive(Debug, Clone, Copy)]
pub struct TensorEntry<'a> {
    pub(crate) name: &'a str,
    pub(crate) kind: TensorKind,
    pub(crate) element_count: usize,
    pub(crate) bytes: &'a [u8],
}

impl<'a> TensorEntry<'a> {
    /// The tensor's name, such as `emb.word` or `l3.fi.w`.
    pub fn name(&self) -> &'a str {
        self.name
    }

    pub fn kind(&self) -> TensorKind {
        self.kind
    }

    /// The number of values, whatever the storage.
    pub fn element_count(&self) -> usize {
        self.element_count
    }

    /// The stored data: `4 * element_count` bytes for floats, `18 * element_count / 32` for `q4_0`.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// All values of the tensor as floats, dequantising `q4_0` data.
    pub fn to_f32(&self) -> Vec<f32> {
        let mut values = vec![0.0; self.element_count];
        self.write_values(0, &mut values);
        values
    }

    /// Writes the values `first .. first + output.len()` into `output`, dequantising `q4_0` data, or reports a
    /// range that does not lie inside the tensor.
    pub fn read_values(&self, first: usize, output: &mut [f32]) -> Result<(), NluError> {
        match first.checked_add(output.len()) {
            Some(end) if end <= self.element_count => {
                self.write_values(first, output);
                Ok(())
            }
            _ => Err(NluError::Model(format!(
                "values {first} to {} of the tensor {} were asked for, but it holds {}",
                first.saturating_add(output.len()),
                self.name,
                self.element_count
            ))),
        }
    }

    /// The unchecked part of [`TensorEntry::read_values`]; the range must lie inside the tensor.
    fn write_values(&self, first: usize, output: &mut [f32]) {
        match self.kind {
            TensorKind::Float32 => read_f32_values(self.bytes, first, output),
            TensorKind::Q4_0 => dequantize_q4_0_range(self.bytes, first, output),
        }
    }
}

/// A parsed `E5S1` file, borrowing the bytes it was parsed from.
#[derive(Debug, Clone)]
pub struct E5s1File<'a> {
    version: u32,
    hyperparameters: Hyperparameters,
    special_tokens: SpecialTokenIds,
    pieces: Vec<&'a str>,
    scores: Vec<f32>,
    normalization: Vec<(char, String)>,
    tensors: Vec<TensorEntry<'a>>,
}

impl<'a> E5s1File<'a> {
    /// Reads the header, the vocabulary, the normalisation map and the tensor directory.
    ///
    /// Every count, offset and length is checked against `bytes`; any inconsistency is an
    /// [`NluError::Model`] naming the part of the file that is wrong.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, NluError> {
        let mut reader = ByteReader::new(bytes);
        let magic = reader.take(4, "the magic number")?;
        if magic != MAGIC {
            return Err(format_error(
                "the file does not start with the E5S1 magic number",
            ));
        }
        let version = reader.u32("the format version")?;
        if version != SUPPORTED_VERSION {
            return Err(format_error(format!(
                "format version {version} is not supported (expected {SUPPORTED_VERSION})"
            )));
        }
        let hyperparameters = read_hyperparameters(&mut reader)?;

        let piece_count = reader.count("the number of pieces")?;
        let special_tokens = SpecialTokenIds {
            begin: reader.u32("the id of <s>")?,
            end: reader.u32("the id of </s>")?,
            padding: reader.u32("the id of <pad>")?,
            unknown: reader.u32("the id of <unk>")?,
        };
        for (role, id) in [
            ("<s>", special_tokens.begin),
            ("</s>", special_tokens.end),
            ("<pad>", special_tokens.padding),
            ("<unk>", special_tokens.unknown),
        ] {
            if id as usize >= piece_count {
                return Err(format_error(format!(
                    "the id {id} of {role} is outside the {piece_count} pieces"
                )));
            }
        }
        if piece_count > hyperparameters.vocabulary_rows {
            return Err(format_error(format!(
                "{piece_count} pieces but only {} word-embedding rows",
                hyperparameters.vocabulary_rows
            )));
        }
        let piece_bytes_length = reader.u64_as_usize("the length of the piece bytes")?;
        let offset_bytes = reader.take_array(piece_count + 1, 4, "the piece offsets")?;
        let score_bytes = reader.take_array(piece_count, 4, "the piece scores")?;
        let piece_bytes = reader.take(piece_bytes_length, "the piece bytes")?;
        let pieces = split_pieces(offset_bytes, piece_bytes)?;
        let scores = read_scores(score_bytes)?;

        let normalization = read_normalization(&mut reader)?;
        let tensors = read_tensor_directory(&mut reader, bytes)?;

        Ok(Self {
            version,
            hyperparameters,
            special_tokens,
            pieces,
            scores,
            normalization,
            tensors,
        })
    }

    /// The format version, which is always [`SUPPORTED_VERSION`] for a parsed file.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The shape of the encoder, checked for consistency (positive sizes, heads dividing the hidden size).
    pub fn hyperparameters(&self) -> Hyperparameters {
        self.hyperparameters
    }

    /// The ids of the control pieces, each checked to be a piece of the vocabulary.
    pub fn special_tokens(&self) -> SpecialTokenIds {
        self.special_tokens
    }

    /// The vocabulary pieces, indexed by token id.
    pub fn pieces(&self) -> &[&'a str] {
        &self.pieces
    }

    /// The unigram log-probability of every piece, indexed by token id.
    pub fn scores(&self) -> &[f32] {
        &self.scores
    }

    /// The normalisation map: each listed character is replaced by its string (possibly empty), sorted by character.
    pub fn normalization(&self) -> &[(char, String)] {
        &self.normalization
    }

    /// All directory entries in file order.
    pub fn tensors(&self) -> &[TensorEntry<'a>] {
        &self.tensors
    }

    /// The tensor of that name, or an error naming it when the file lacks it.
    pub fn tensor(&self, name: &str) -> Result<&TensorEntry<'a>, NluError> {
        self.tensors
            .iter()
            .find(|entry| entry.name == name)
            .ok_or_else(|| format_error(format!("the tensor {name} is missing")))
    }

    /// The tensor of that name after checking that it holds exactly `element_count` values.
    pub fn tensor_with_length(
        &self,
        name: &str,
        element_count: usize,
    ) -> Result<&TensorEntry<'a>, NluError> {
        let entry = self.tensor(name)?;
        if entry.element_count != element_count {
            return Err(format_error(format!(
                "the tensor {name} holds {} values where {element_count} were expected",
                entry.element_count
            )));
        }
        Ok(entry)
    }
}

/// Converts the bits of an IEEE 754 half-precision number to `f32`, exactly, including subnormals, infinities and NaN.
pub fn f16_bits_to_f32(bits: u16) -> f32 {
    let sign = u32::from(bits >> 15) << 31;
    let exponent = u32::from((bits >> 10) & 0x1f);
    let mantissa = u32::from(bits & 0x3ff);
    let magnitude = match exponent {
        // Subnormal numbers are mantissa * 2^-24, which f32 represents exactly.
        0 => {
            let value = mantissa as f32 * 2f32.powi(-24);
            return if sign == 0 { value } else { -value };
        }
        0x1f => 0x7f80_0000 | (mantissa << 13),
        _ => ((exponent + 127 - 15) << 23) | (mantissa << 13),
    };
    f32::from_bits(sign | magnitude)
}

/// Dequantises whole `q4_0` data: `bytes` must hold a whole number of 18-byte blocks.
pub fn dequantize_q4_0(bytes: &[u8]) -> Vec<f32> {
    let mut values = vec![0.0; bytes.len() / Q4_0_BLOCK_BYTES * Q4_0_BLOCK_VALUES];
    dequantize_q4_0_range(bytes, 0, &mut values);
    values
}

/// Dequantises the values `first .. first + output.len()` of `q4_0` data into `output`.
///
/// The range need not start or end on a block boundary. It must lie inside the data.
pub(crate) fn dequantize_q4_0_range(bytes: &[u8], first: usize, output: &mut [f32]) {
    let mut position = first;
    let mut written = 0;
    while written < output.len() {
        let block_index = position / Q4_0_BLOCK_VALUES;
        let block = &bytes[block_index * Q4_0_BLOCK_BYTES..(block_index + 1) * Q4_0_BLOCK_BYTES];
        let scale = f16_bits_to_f32(u16::from_le_bytes([block[0], block[1]]));
        let nibbles = &block[2..];
        let start_in_block = position % Q4_0_BLOCK_VALUES;
        let end_in_block = Q4_0_BLOCK_VALUES.min(start_in_block + output.len() - written);
        if start_in_block == 0 && end_in_block == Q4_0_BLOCK_VALUES {
            // A whole block: byte j gives value j from its low nibble and value j + 16 from its high one.
            let (low_half, high_half) =
                output[written..written + Q4_0_BLOCK_VALUES].split_at_mut(16);
            for ((byte, low), high) in nibbles.iter().zip(low_half).zip(high_half) {
                *low = (f32::from(byte & 0x0f) - 8.0) * scale;
                *high = (f32::from(byte >> 4) - 8.0) * scale;
            }
        } else {
            for (index_in_block, value) in
                (start_in_block..end_in_block).zip(&mut output[written..])
            {
                let nibble = if index_in_block < 16 {
                    nibbles[index_in_block] & 0x0f
                } else {
                    nibbles[index_in_block - 16] >> 4
                };
                *value = (f32::from(nibble) - 8.0) * scale;
            }
        }
        written += end_in_block - start_in_block;
        position += end_in_block - start_in_block;
    }
}

fn read_f32_values(bytes: &[u8], first: usize, output: &mut [f32]) {
    let source = &bytes[first * 4..(first + output.len()) * 4];
    for (value, chunk) in output.iter_mut().zip(source.chunks_exact(4)) {
        *value = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
}

fn format_error(message: impl Into<String>) -> NluError {
    NluError::Model(format!("E5S1 file: {}", message.into()))
}

fn read_hyperparameters(reader: &mut ByteReader<'_>) -> Result<Hyperparameters, NluError> {
    let hidden_size = reader.count("the hidden size")?;
    let layer_count = reader.count("the number of layers")?;
    let attention_head_count = reader.count("the number of attention heads")?;
    let intermediate_size = reader.count("the intermediate size")?;
    let vocabulary_rows = reader.count("the vocabulary size")?;
    let max_positions = reader.count("the number of positions")?;
    let token_type_count = reader.count("the number of token types")?;
    let layer_norm_epsilon = reader.f32("the layer-norm epsilon")?;
    let quantization_block = reader.count("the quantisation block length")?;
    let hyperparameters = Hyperparameters {
        hidden_size,
        layer_count,
        attention_head_count,
        intermediate_size,
        vocabulary_rows,
        max_positions,
        token_type_count,
        layer_norm_epsilon,
        quantization_block,
    };
    let positive = [
        ("hidden size", hidden_size),
        ("number of attention heads", attention_head_count),
        ("intermediate size", intermediate_size),
        ("vocabulary size", vocabulary_rows),
        ("number of positions", max_positions),
        ("number of token types", token_type_count),
    ];
    for (what, value) in positive {
        if value == 0 {
            return Err(format_error(format!("the {what} is zero")));
        }
    }
    if !hidden_size.is_multiple_of(attention_head_count) {
        return Err(format_error(format!(
            "the hidden size {hidden_size} is not a multiple of the {attention_head_count} heads"
        )));
    }
    if quantization_block != Q4_0_BLOCK_VALUES {
        return Err(format_error(format!(
            "quantisation blocks of {quantization_block} values are not supported (expected 32)"
        )));
    }
    if !(layer_norm_epsilon.is_finite() && layer_norm_epsilon >= 0.0) {
        return Err(format_error(
            "the layer-norm epsilon is not a non-negative number",
        ));
    }
    Ok(hyperparameters)
}

fn split_pieces<'a>(offset_bytes: &[u8], piece_bytes: &'a [u8]) -> Result<Vec<&'a str>, NluError> {
    // Validating the concatenated bytes once and then checking that every offset falls on a character boundary
    // is the same as validating each piece, and much faster for 250,000 pieces.
    let text = std::str::from_utf8(piece_bytes).map_err(|error| {
        format_error(format!(
            "the piece bytes are not valid UTF-8 (at byte {})",
            error.valid_up_to()
        ))
    })?;
    let offsets: Vec<usize> = offset_bytes
        .chunks_exact(4)
        .map(|chunk| u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]) as usize)
        .collect();
    if offsets.first() != Some(&0) || offsets.last() != Some(&piece_bytes.len()) {
        return Err(format_error(
            "the piece offsets do not span the piece bytes from start to end",
        ));
    }
    let mut pieces = Vec::with_capacity(offsets.len() - 1);
    for (id, bounds) in offsets.windows(2).enumerate() {
        let piece = text.get(bounds[0]..bounds[1]).ok_or_else(|| {
            format_error(format!(
                "piece {id} runs backwards or is not valid UTF-8 on its own (bytes {} to {})",
                bounds[0], bounds[1]
            ))
        })?;
        pieces.push(piece);
    }
    Ok(pieces)
}

fn read_scores(score_bytes: &[u8]) -> Result<Vec<f32>, NluError> {
    score_bytes
        .chunks_exact(4)
        .enumerate()
        .map(|(id, chunk)| {
            let score = f32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            if score.is_finite() {
                Ok(score)
            } else {
                Err(format_error(format!(
                    "the score of piece {id} is not a finite number"
                )))
            }
        })
        .collect()
}

fn read_normalization(reader: &mut ByteReader<'_>) -> Result<Vec<(char, String)>, NluError> {
    let entry_count = reader.count("the number of normalisation entries")?;
    let map_length = reader.u32("the length of the normalisation map")? as usize;
    let mut map_reader = ByteReader::new(reader.take(map_length, "the normalisation map")?);
    // Each entry takes at least five bytes, which bounds the allocation by the data actually present.
    let mut normalization = Vec::with_capacity(entry_count.min(map_length / 5));
    for _ in 0..entry_count {
        let source = read_char(&mut map_reader, "a normalised character")?;
        let replacement_length = map_reader.u8("the length of a replacement")?;
        let mut replacement = String::with_capacity(usize::from(replacement_length));
        for _ in 0..replacement_length {
            replacement.push(read_char(&mut map_reader, "a replacement character")?);
        }
        normalization.push((source, replacement));
    }
    if map_reader.remaining() != 0 {
        return Err(format_error(format!(
            "{} bytes of the normalisation map are left after its {entry_count} entries",
            map_reader.remaining()
        )));
    }
    normalization.sort_by_key(|(source, _)| *source);
    if normalization.windows(2).any(|pair| pair[0].0 == pair[1].0) {
        return Err(format_error(
            "the normalisation map lists a character twice",
        ));
    }
    Ok(normalization)
}

fn read_char(reader: &mut ByteReader<'_>, what: &str) -> Result<char, NluError> {
    let code_point = reader.u32(what)?;
    char::from_u32(code_point).ok_or_else(|| {
        format_error(format!(
            "{what} U+{code_point:X} is not a Unicode scalar value"
        ))
    })
}

fn read_tensor_directory<'a>(
    reader: &mut ByteReader<'a>,
    file: &'a [u8],
) -> Result<Vec<TensorEntry<'a>>, NluError> {
    let entry_count = reader.count("the number of tensors")?;
    // Each directory entry takes at least 23 bytes, which bounds the allocation by the data present.
    let mut tensors: Vec<TensorEntry<'a>> =
        Vec::with_capacity(entry_count.min(reader.remaining() / 23));
    for _ in 0..entry_count {
        let name_length = usize::from(reader.u16("the length of a tensor name")?);
        let name = std::str::from_utf8(reader.take(name_length, "a tensor name")?)
            .map_err(|_| format_error("a tensor name is not valid UTF-8"))?;
        let kind = match reader.u8("the storage type of a tensor")? {
            0 => TensorKind::Float32,
            1 => TensorKind::Q4_0,
            other => {
                return Err(format_error(format!(
                    "the tensor {name} has the unknown storage type {other}"
                )));
            }
        };
        let element_count = reader.u32("the size of a tensor")? as usize;
        let offset = reader.u64_as_usize("the offset of a tensor")?;
        let byte_count = reader.u64_as_usize("the byte length of a tensor")?;
        let expected_bytes = match kind {
            TensorKind::Float32 => element_count.checked_mul(4),
            TensorKind::Q4_0 if element_count.is_multiple_of(Q4_0_BLOCK_VALUES) => {
                Some(element_count / Q4_0_BLOCK_VALUES * Q4_0_BLOCK_BYTES)
            }
            TensorKind::Q4_0 => {
                return Err(format_error(format!(
                    "the q4_0 tensor {name} has {element_count} values, not a whole number of blocks"
                )));
            }
        };
        if expected_bytes != Some(byte_count) {
            return Err(format_error(format!(
                "the tensor {name} declares {byte_count} bytes for {element_count} values"
            )));
        }
        let bytes = offset
            .checked_add(byte_count)
            .and_then(|end| file.get(offset..end))
            .ok_or_else(|| {
                format_error(format!(
                    "the data of the tensor {name} lies outside the file (offset {offset}, {byte_count} bytes, file of {} bytes)",
                    file.len()
                ))
            })?;
        if tensors.iter().any(|entry| entry.name == name) {
            return Err(format_error(format!("the tensor {name} is listed twice")));
        }
        tensors.push(TensorEntry {
            name,
            kind,
            element_count,
            bytes,
        });
    }
    Ok(tensors)
}

/// A cursor over the file that turns every short read into a format error naming what was being read.
struct ByteReader<'a> {
    bytes: &'a [u8],
    position: usize,
}

impl<'a> ByteReader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, position: 0 }
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.position
    }

    fn take(&mut self, length: usize, what: &str) -> Result<&'a [u8], NluError> {
        if length > self.remaining() {
            return Err(format_error(format!(
                "the file ends inside {what} (at byte {}, {length} bytes needed, {} left)",
                self.position,
                self.remaining()
            )));
        }
        let slice = &self.bytes[self.position..self.position + length];
        self.position += length;
        Ok(slice)
    }

    fn take_array(&mut self, count: usize, width: usize, what: &str) -> Result<&'a [u8], NluError> {
        let length = count
            .checked_mul(width)
            .ok_or_else(|| format_error(format!("{what} would be larger than memory")))?;
        self.take(length, what)
    }

    fn fixed<const N: usize>(&mut self, what: &str) -> Result<[u8; N], NluError> {
        let mut array = [0; N];
        array.copy_from_slice(self.take(N, what)?);
        Ok(array)
    }

    fn u8(&mut self, what: &str) -> Result<u8, NluError> {
        Ok(self.fixed::<1>(what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<u16, NluError> {
        Ok(u16::from_le_bytes(self.fixed(what)?))
    }

    fn u32(&mut self, what: &str) -> Result<u32, NluError> {
        Ok(u32::from_le_bytes(self.fixed(what)?))
    }

    fn f32(&mut self, what: &str) -> Result<f32, NluError> {
        Ok(f32::from_le_bytes(self.fixed(what)?))
    }

    /// A signed 32-bit count that must not be negative.
    fn count(&mut self, what: &str) -> Result<usize, NluError> {
        let value = i32::from_le_bytes(self.fixed(what)?);
        usize::try_from(value).map_err(|_| format_error(format!("{what} is negative ({value})")))
    }

    fn u64_as_usize(&mut self, what: &str) -> Result<usize, NluError> {
        let value = u64::from_le_bytes(self.fixed(what)?);
        usize::try_from(value)
            .map_err(|_| format_error(format!("{what} ({value}) does not fit in memory")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoder::synthetic::{SyntheticModel, f32_to_f16_bits};

    #[test]
    fn half_precision_bits_decode_exactly() {
        assert_eq!(f16_bits_to_f32(0x3c00), 1.0);
        assert_eq!(f16_bits_to_f32(0xc000), -2.0);
        assert_eq!(f16_bits_to_f32(0x3555), 0.333_251_95);
        assert_eq!(f16_bits_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_bits_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_bits_to_f32(0x8200), -(2f32.powi(-15)));
        assert_eq!(f16_bits_to_f32(0x0000), 0.0);
        assert!(f16_bits_to_f32(0x8000).is_sign_negative());
        assert_eq!(f16_bits_to_f32(0x7c00), f32::INFINITY);
        assert_eq!(f16_bits_to_f32(0xfc00), f32::NEG_INFINITY);
        assert!(f16_bits_to_f32(0x7e00).is_nan());
        for value in [0.5f32, 0.0625, -3.75, 1024.0, 2f32.powi(-14)] {
            assert_eq!(f16_bits_to_f32(f32_to_f16_bits(value)), value);
        }
    }

    #[test]
    fn q4_0_blocks_put_low_nibbles_first_and_subtract_eight() {
        // Scale 0.5; byte j holds nibble j in its low half and nibble j + 16 in its high half.
        let mut block = Vec::from(0x3800u16.to_le_bytes());
        for byte_index in 0..16u8 {
            let low = byte_index;
            let high = 15 - byte_index;
            block.push(low | (high << 4));
        }
        let values = dequantize_q4_0(&block);
        assert_eq!(values.len(), 32);
        for index in 0..16 {
            assert_eq!(
                values[index],
                (index as f32 - 8.0) * 0.5,
                "low nibble {index}"
            );
            assert_eq!(
                values[16 + index],
                (7.0 - index as f32) * 0.5,
                "high nibble {index}"
            );
        }
        // A range crossing into the next block reads the second block with its own scale.
        let mut two_blocks = block.clone();
        two_blocks.extend(0x4000u16.to_le_bytes());
        two_blocks.extend([0x9a; 16]);
        let mut window = [0.0f32; 6];
        dequantize_q4_0_range(&two_blocks, 29, &mut window);
        // Values 29 to 31 are the high nibbles of bytes 13 to 15 (2, 1, 0); the next block holds nibble 10 at scale 2.
        assert_eq!(window, [-3.0, -3.5, -4.0, 4.0, 4.0, 4.0]);
    }

    #[test]
    fn a_synthetic_file_parses_into_its_parts() {
        let model = SyntheticModel::small(8);
        let bytes = model.to_bytes();
        let file = E5s1File::parse(&bytes).expect("the synthetic file parses");
        assert_eq!(file.version(), 1);
        assert_eq!(file.hyperparameters().hidden_size, 8);
        assert_eq!(file.hyperparameters().layer_count, 2);
        assert_eq!(file.hyperparameters().attention_head_count, 2);
        assert_eq!(file.hyperparameters().max_positions, 16);
        assert_eq!(
            file.hyperparameters().vocabulary_rows,
            model.pieces.len() + 4
        );
        assert_eq!(file.pieces().len(), model.pieces.len());
        assert_eq!(file.pieces()[4], model.pieces[4].0);
        assert_eq!(file.scores()[5], model.pieces[5].1);
        assert_eq!(file.special_tokens().unknown, 3);
        assert_eq!(file.special_tokens().padding, 1);
        assert_eq!(file.normalization().len(), model.normalization.len());
        assert!(
            file.normalization()
                .iter()
                .any(|(source, replacement)| *source == '\u{FF21}' && replacement == "A")
        );
        // 5 embedding tensors and 16 per layer.
        assert_eq!(file.tensors().len(), 5 + 2 * 16);
        let word = file.tensor("emb.word").expect("the word table is listed");
        assert_eq!(word.kind, TensorKind::Q4_0);
        assert_eq!(word.element_count, (model.pieces.len() + 4) * 8);
        assert!(file.tensor("l1.oln.b").is_ok());
        assert!(matches!(file.tensor("l2.q.w"), Err(NluError::Model(_))));
        assert!(matches!(
            file.tensor_with_length("emb.ln.w", 9),
            Err(NluError::Model(_))
        ));
    }

    #[test]
    fn dequantised_tensors_match_the_values_that_were_quantised() {
        let model = SyntheticModel::small(8);
        let bytes = model.to_bytes();
        let file = E5s1File::parse(&bytes).expect("the synthetic file parses");
        for (name, original) in &model.tensors {
            let entry = file.tensor(name).expect("every written tensor is listed");
            let values = entry.to_f32();
            assert_eq!(values.len(), original.values.len(), "{name}");
            let largest = original
                .values
                .iter()
                .fold(0.0f32, |acc, value| acc.max(value.abs()));
            for (read, written) in values.iter().zip(&original.values) {
                if original.quantized {
                    // A q4_0 step is a block's largest magnitude over 8; a value of the sign opposite to the
                    // largest one can land a whole step away because the nibbles stop at +7.
                    assert!(
                        (read - written).abs() <= largest / 8.0 + 1e-3,
                        "{name}: {read} vs {written}"
                    );
                } else {
                    assert_eq!(read, written, "{name}");
                }
            }
        }
        // Reading a window of rows agrees with reading everything.
        let word = file.tensor("emb.word").expect("listed");
        let everything = word.to_f32();
        let mut row = [0.0f32; 8];
        word.read_values(5 * 8, &mut row)
            .expect("rows inside the table");
        assert!(word.read_values(everything.len() - 4, &mut row).is_err());
        assert!(word.read_values(usize::MAX, &mut row).is_err());
        assert_eq!(row, everything[40..48]);
    }

    #[test]
    fn truncated_files_are_rejected_cleanly_at_every_length() {
        let bytes = SyntheticModel::small(8).to_bytes();
        // Every strict prefix of the file must be refused with a model error, never a panic. The tensor data is
        // at the end of the file, so prefixes cut the header, the vocabulary, the directory and the data.
        for length in 0..bytes.len() {
            match E5s1File::parse(&bytes[..length]) {
                Err(NluError::Model(message)) => {
                    assert!(message.starts_with("E5S1 file:"), "{message}")
                }
                other => panic!("a prefix of {length} bytes gave {other:?}"),
            }
        }
    }

    #[test]
    fn corrupt_headers_and_directories_are_rejected() {
        let model = SyntheticModel::small(8);
        let good = model.to_bytes();
        let corrupt = |position: usize, replacement: &[u8]| {
            let mut bytes = good.clone();
            bytes[position..position + replacement.len()].copy_from_slice(replacement);
            E5s1File::parse(&bytes)
                .map(|_| ())
                .map_err(|error| error.to_string())
        };
        let expect_error = |result: Result<(), String>, fragment: &str| match result {
            Err(message) => assert!(message.contains(fragment), "{message} lacks {fragment:?}"),
            Ok(()) => panic!("corruption expected to mention {fragment:?} was accepted"),
        };
        expect_error(corrupt(0, b"E5S2"), "magic");
        expect_error(corrupt(4, &2u32.to_le_bytes()), "version 2");
        // Hidden size 7 is not a multiple of the 2 heads.
        expect_error(corrupt(8, &7i32.to_le_bytes()), "not a multiple");
        expect_error(corrupt(8, &(-8i32).to_le_bytes()), "negative");
        // The quantisation block length follows seven counts and the epsilon.
        expect_error(corrupt(8 + 7 * 4 + 4, &16i32.to_le_bytes()), "blocks of 16");
        // The id of <unk> lies past the pieces.
        expect_error(corrupt(8 + 9 * 4 + 16, &1000u32.to_le_bytes()), "outside");
        // An unknown storage type and an offset past the end, in the last directory entry.
        let last_entry = model.last_directory_entry_position();
        let name_length = usize::from(u16::from_le_bytes([good[last_entry], good[last_entry + 1]]));
        let type_position = last_entry + 2 + name_length;
        expect_error(corrupt(type_position, &[7]), "unknown storage type 7");
        expect_error(
            corrupt(type_position + 5, &(good.len() as u64).to_le_bytes()),
            "outside the file",
        );
        expect_error(
            corrupt(type_position + 13, &3u64.to_le_bytes()),
            "declares 3 bytes",
        );
    }

    #[test]
    fn invalid_pieces_and_normalisation_entries_are_rejected() {
        let mut model = SyntheticModel::small(8);
        model.raw_piece_bytes_override = Some((6, vec![0xff, 0xfe]));
        let error = E5s1File::parse(&model.to_bytes()).expect_err("invalid UTF-8 is refused");
        assert!(error.to_string().contains("not valid UTF-8"), "{error}");

        // The bytes are valid overall, but an offset falls inside a character: piece 10 is "还" (three bytes)
        // and the offset where it ends is moved two bytes back, into the character.
        let model = SyntheticModel::small(8);
        assert_eq!(model.pieces[10].0, "还");
        let mut bytes = model.to_bytes();
        // The offsets follow the 64-byte header and the 8-byte length of the piece bytes.
        let end_of_piece_ten = 64 + 8 + 11 * 4;
        let mut offset = [0u8; 4];
        offset.copy_from_slice(&bytes[end_of_piece_ten..end_of_piece_ten + 4]);
        let moved = u32::from_le_bytes(offset) - 2;
        bytes[end_of_piece_ten..end_of_piece_ten + 4].copy_from_slice(&moved.to_le_bytes());
        let error = E5s1File::parse(&bytes).expect_err("an offset inside a character is refused");
        assert!(
            error
                .to_string()
                .contains("piece 10 runs backwards or is not valid UTF-8"),
            "{error}"
        );

        let mut model = SyntheticModel::small(8);
        model.raw_normalization_override = Some(vec![(0xD800, vec![0x41])]);
        let error = E5s1File::parse(&model.to_bytes()).expect_err("a surrogate is refused");
        assert!(error.to_string().contains("U+D800"), "{error}");
    }
}

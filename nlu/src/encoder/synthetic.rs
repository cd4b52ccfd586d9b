//! A writer of tiny `E5S1` files for the unit tests: a handful of pieces, a small normalisation map and a
//! two-layer encoder with deterministic pseudo-random weights, quantised to `q4_0` where the real file is.
//!
//! The writer lays the file out as the real one is (header, vocabulary, normalisation map, tensor directory, then
//! the tensor data), and it can plant specific faults so the tests can check that the reader refuses them.

use super::e5s1::{Q4_0_BLOCK_BYTES, Q4_0_BLOCK_VALUES};

/// The values of one tensor and whether the file stores them as `q4_0`.
#[derive(Debug, Clone)]
pub(crate) struct SyntheticTensor {
    pub values: Vec<f32>,
    pub quantized: bool,
}

/// Everything that goes into a synthetic file.
#[derive(Debug, Clone)]
pub(crate) struct SyntheticModel {
    pub hidden_size: usize,
    pub layer_count: usize,
    pub head_count: usize,
    pub intermediate_size: usize,
    pub max_positions: usize,
    pub vocabulary_rows: usize,
    pub pieces: Vec<(String, f32)>,
    pub normalization: Vec<(char, String)>,
    pub tensors: Vec<(String, SyntheticTensor)>,
    /// Replaces the bytes of one piece, to plant invalid UTF-8.
    pub raw_piece_bytes_override: Option<(usize, Vec<u8>)>,
    /// Replaces the normalisation map with raw code points, to plant invalid characters.
    pub raw_normalization_override: Option<Vec<(u32, Vec<u32>)>>,
}

impl SyntheticModel {
    /// Two layers, two heads, a feed-forward width of twice `hidden_size` and 16 positions.
    pub fn small(hidden_size: usize) -> Self {
        let piece_list: [(&str, f32); 16] = [
            ("<s>", 0.0),
            ("<pad>", 0.0),
            ("</s>", 0.0),
            ("<unk>", 0.0),
            ("▁", -2.0),
            ("▁a", -3.0),
            ("b", -2.5),
            ("▁ab", -4.0),
            ("c", -3.0),
            ("▁hello", -5.0),
            ("还", -4.0),
            ("款", -4.0),
            ("还款", -6.0),
            ("A", -3.5),
            ("本期", -5.5),
            ("<mask>", 0.0),
        ];
        let pieces: Vec<(String, f32)> = piece_list
            .iter()
            .map(|(piece, score)| ((*piece).to_owned(), *score))
            .collect();
        let normalization = vec![
            ('\u{1}', String::new()),
            ('\t', " ".to_owned()),
            ('\u{3000}', " ".to_owned()),
            ('\u{2581}', " ".to_owned()),
            ('\u{FF21}', "A".to_owned()),
            ('\u{FF42}', "b".to_owned()),
            ('\u{2474}', "(1)".to_owned()),
        ];
        let mut model = Self {
            hidden_size,
            layer_count: 2,
            head_count: 2,
            intermediate_size: 2 * hidden_size,
            max_positions: 16,
            vocabulary_rows: pieces.len() + 4,
            pieces,
            normalization,
            tensors: Vec::new(),
            raw_piece_bytes_override: None,
            raw_normalization_override: None,
        };
        model.tensors = model.random_tensors(0x5eed_1234_abcd_0042);
        model
    }

    fn random_tensors(&self, seed: u64) -> Vec<(String, SyntheticTensor)> {
        let mut random = SmallRandom(seed);
        let hidden = self.hidden_size;
        let intermediate = self.intermediate_size;
        let mut tensors = Vec::new();
        let mut add = |name: String, count: usize, center: f32, spread: f32, quantized: bool| {
            let values = (0..count)
                .map(|_| center + spread * random.next_signed())
                .collect();
            tensors.push((name, SyntheticTensor { values, quantized }));
        };
        add(
            "emb.word".to_owned(),
            self.vocabulary_rows * hidden,
            0.0,
            1.0,
            true,
        );
        add(
            "emb.pos".to_owned(),
            self.max_positions * hidden,
            0.0,
            0.5,
            false,
        );
        add("emb.type".to_owned(), 2 * hidden, 0.0, 0.2, false);
        add("emb.ln.w".to_owned(), hidden, 1.0, 0.1, false);
        add("emb.ln.b".to_owned(), hidden, 0.0, 0.1, false);
        let matrix_spread = 1.0 / (hidden as f32).sqrt();
        for layer in 0..self.layer_count {
            for part in ["q", "k", "v", "ao"] {
                add(
                    format!("l{layer}.{part}.w"),
                    hidden * hidden,
                    0.0,
                    matrix_spread,
                    true,
                );
                add(format!("l{layer}.{part}.b"), hidden, 0.0, 0.1, false);
            }
            add(format!("l{layer}.aln.w"), hidden, 1.0, 0.1, false);
            add(format!("l{layer}.aln.b"), hidden, 0.0, 0.1, false);
            add(
                format!("l{layer}.fi.w"),
                intermediate * hidden,
                0.0,
                matrix_spread,
                true,
            );
            add(format!("l{layer}.fi.b"), intermediate, 0.0, 0.1, false);
            let down_spread = 1.0 / (intermediate as f32).sqrt();
            add(
                format!("l{layer}.fo.w"),
                hidden * intermediate,
                0.0,
                down_spread,
                true,
            );
            add(format!("l{layer}.fo.b"), hidden, 0.0, 0.1, false);
            add(format!("l{layer}.oln.w"), hidden, 1.0, 0.1, false);
            add(format!("l{layer}.oln.b"), hidden, 0.0, 0.1, false);
        }
        tensors
    }

    /// The file's bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.write().0
    }

    /// Where the last tensor directory entry starts in [`SyntheticModel::to_bytes`].
    pub fn last_directory_entry_position(&self) -> usize {
        self.write().1
    }

    fn write(&self) -> (Vec<u8>, usize) {
        let mut out = Vec::new();
        out.extend_from_slice(b"E5S1");
        out.extend(1u32.to_le_bytes());
        for count in [
            self.hidden_size,
            self.layer_count,
            self.head_count,
            self.intermediate_size,
            self.vocabulary_rows,
            self.max_positions,
            2,
        ] {
            out.extend((count as i32).to_le_bytes());
        }
        out.extend(1e-12f32.to_le_bytes());
        out.extend((Q4_0_BLOCK_VALUES as i32).to_le_bytes());
        out.extend((self.pieces.len() as i32).to_le_bytes());
        for special_id in [0i32, 2, 1, 3] {
            out.extend(special_id.to_le_bytes());
        }
        let piece_bytes: Vec<Vec<u8>> = self
            .pieces
            .iter()
            .enumerate()
            .map(|(id, (piece, _))| match &self.raw_piece_bytes_override {
                Some((override_id, bytes)) if *override_id == id => bytes.clone(),
                _ => piece.as_bytes().to_vec(),
            })
            .collect();
        let blob: Vec<u8> = piece_bytes.concat();
        out.extend((blob.len() as u64).to_le_bytes());
        let mut offset = 0u32;
        out.extend(offset.to_le_bytes());
        for bytes in &piece_bytes {
            offset += bytes.len() as u32;
            out.extend(offset.to_le_bytes());
        }
        for (_, score) in &self.pieces {
            out.extend(score.to_le_bytes());
        }
        out.extend(&blob);

        let normalization: Vec<(u32, Vec<u32>)> = match &self.raw_normalization_override {
            Some(raw) => raw.clone(),
            None => self
                .normalization
                .iter()
                .map(|(source, replacement)| {
                    (
                        *source as u32,
                        replacement.chars().map(|c| c as u32).collect(),
                    )
                })
                .collect(),
        };
        let mut map_bytes = Vec::new();
        for (source, replacement) in &normalization {
            map_bytes.extend(source.to_le_bytes());
            map_bytes.push(replacement.len() as u8);
            for code_point in replacement {
                map_bytes.extend(code_point.to_le_bytes());
            }
        }
        out.extend((normalization.len() as i32).to_le_bytes());
        out.extend((map_bytes.len() as u32).to_le_bytes());
        out.extend(&map_bytes);

        let data: Vec<(u8, usize, Vec<u8>)> = self
            .tensors
            .iter()
            .map(|(_, tensor)| {
                if tensor.quantized {
                    (1, tensor.values.len(), quantize_q4_0(&tensor.values))
                } else {
                    let bytes = tensor
                        .values
                        .iter()
                        .flat_map(|value| value.to_le_bytes())
                        .collect();
                    (0, tensor.values.len(), bytes)
                }
            })
            .collect();
        out.extend((self.tensors.len() as i32).to_le_bytes());
        let directory_size: usize = self
            .tensors
            .iter()
            .map(|(name, _)| 2 + name.len() + 1 + 4 + 8 + 8)
            .sum();
        let mut data_offset = out.len() + directory_size;
        let mut last_entry = 0;
        for ((name, _), (kind, count, bytes)) in self.tensors.iter().zip(&data) {
            last_entry = out.len();
            out.extend((name.len() as u16).to_le_bytes());
            out.extend(name.as_bytes());
            out.push(*kind);
            out.extend((*count as u32).to_le_bytes());
            out.extend((data_offset as u64).to_le_bytes());
            out.extend((bytes.len() as u64).to_le_bytes());
            data_offset += bytes.len();
        }
        for (_, _, bytes) in &data {
            out.extend(bytes);
        }
        (out, last_entry)
    }
}

/// Quantises values to `q4_0` the way ggml does: the scale is the block's largest-magnitude value over -8.
pub(crate) fn quantize_q4_0(values: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() / Q4_0_BLOCK_VALUES * Q4_0_BLOCK_BYTES);
    for block in values.chunks(Q4_0_BLOCK_VALUES) {
        let extreme =
            block.iter().copied().fold(
                0.0f32,
                |acc, value| if value.abs() > acc.abs() { value } else { acc },
            );
        let scale_bits = f32_to_f16_bits(extreme / -8.0);
        let scale = super::e5s1::f16_bits_to_f32(scale_bits);
        let inverse = if scale == 0.0 { 0.0 } else { 1.0 / scale };
        let nibble = |value: f32| ((value * inverse + 8.5).max(0.0) as u8).min(15);
        out.extend(scale_bits.to_le_bytes());
        for index in 0..Q4_0_BLOCK_VALUES / 2 {
            out.push(nibble(block[index]) | (nibble(block[index + 16]) << 4));
        }
    }
    out
}

/// Rounds a float to the nearest half-precision number for values in the normal half range (and zero).
pub(crate) fn f32_to_f16_bits(value: f32) -> u16 {
    let bits = value.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exponent = ((bits >> 23) & 0xff) as i32 - 127 + 15;
    if value == 0.0 || exponent <= 0 {
        return sign;
    }
    let mantissa = bits & 0x7f_ffff;
    let rounded = ((exponent as u32) << 10) + ((mantissa + 0x1000) >> 13);
    sign | (rounded.min(0x7bff) as u16)
}

/// A xorshift generator, enough for reproducible test weights.
struct SmallRandom(u64);

impl SmallRandom {
    /// A value in [-1, 1).
    fn next_signed(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

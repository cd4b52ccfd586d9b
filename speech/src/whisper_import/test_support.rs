//! Fixtures for the importer's unit tests: a writer of synthetic CTranslate2 files, a tiny two-layer Whisper model in
//! that format, a synthetic byte-level tokenizer, and a reader that takes a GGML file apart again so tests can check
//! what the converter wrote.

use super::ct2::Ct2DataType;
use super::half_float::f16_bits_to_f32;
use super::vocabulary::{END_OF_TEXT_TOKEN, byte_level_character};

/// Writes a CTranslate2 `model.bin` piece by piece.
pub struct Ct2FileBuilder {
    header: Vec<u8>,
    variables: Vec<u8>,
    variable_count: u32,
    aliases: Vec<u8>,
    alias_count: u32,
}

fn push_string(buffer: &mut Vec<u8>, text: &str) {
    let length = u16::try_from(text.len() + 1).expect("test strings are short");
    buffer.extend_from_slice(&length.to_le_bytes());
    buffer.extend_from_slice(text.as_bytes());
    buffer.push(0);
}

impl Ct2FileBuilder {
    pub fn new(binary_version: u32, spec_name: &str, spec_revision: u32) -> Self {
        let mut header = binary_version.to_le_bytes().to_vec();
        push_string(&mut header, spec_name);
        header.extend_from_slice(&spec_revision.to_le_bytes());
        Self {
            header,
            variables: Vec::new(),
            variable_count: 0,
            aliases: Vec::new(),
            alias_count: 0,
        }
    }

    /// Appends a variable exactly as given, even when its byte count and data disagree with its shape.
    pub fn raw_variable(
        &mut self,
        name: &str,
        shape: &[u32],
        type_identifier: u8,
        byte_count: u32,
        data: &[u8],
    ) {
        push_string(&mut self.variables, name);
        self.variables
            .push(u8::try_from(shape.len()).expect("test ranks are small"));
        for dimension in shape {
            self.variables.extend_from_slice(&dimension.to_le_bytes());
        }
        self.variables.push(type_identifier);
        self.variables.extend_from_slice(&byte_count.to_le_bytes());
        self.variables.extend_from_slice(data);
        self.variable_count += 1;
    }

    pub fn typed_variable(
        &mut self,
        name: &str,
        shape: &[u32],
        data_type: Ct2DataType,
        data: &[u8],
    ) {
        let type_identifier = (0..=u8::MAX)
            .find(|&identifier| Ct2DataType::from_identifier(identifier) == Some(data_type))
            .expect("every data type has an identifier");
        let byte_count = u32::try_from(data.len()).expect("test variables are small");
        self.raw_variable(name, shape, type_identifier, byte_count, data);
    }

    pub fn float16_variable(&mut self, name: &str, shape: &[u32], values: &[u16]) {
        let data: Vec<u8> = values
            .iter()
            .flat_map(|value| value.to_le_bytes())
            .collect();
        self.typed_variable(name, shape, Ct2DataType::Float16, &data);
    }

    pub fn alias(&mut self, alias: &str, target: &str) {
        push_string(&mut self.aliases, alias);
        push_string(&mut self.aliases, target);
        self.alias_count += 1;
    }

    pub fn finish(self) -> Vec<u8> {
        let mut file = self.header;
        file.extend_from_slice(&self.variable_count.to_le_bytes());
        file.extend_from_slice(&self.variables);
        file.extend_from_slice(&self.alias_count.to_le_bytes());
        file.extend_from_slice(&self.aliases);
        file
    }
}

/// The dimensions of the synthetic model: tiny widths, two layers a side, and the real multilingual vocabulary size
/// so that whisper.cpp's token numbering applies.
#[derive(Debug, Clone, Copy)]
pub struct TinyWhisperDimensions {
    pub width: u32,
    pub heads: u32,
    pub encoder_layers: u32,
    pub decoder_layers: u32,
    pub mel_bins: u32,
    pub audio_context: u32,
    pub text_context: u32,
    pub vocabulary_size: u32,
}

impl Default for TinyWhisperDimensions {
    fn default() -> Self {
        Self {
            width: 4,
            heads: 2,
            encoder_layers: 2,
            decoder_layers: 2,
            mel_bins: 3,
            audio_context: 6,
            text_context: 5,
            vocabulary_size: 51_865,
        }
    }
}

/// A variable of a synthetic model before it is written out.
#[derive(Debug, Clone)]
pub struct SyntheticVariable {
    pub name: String,
    pub shape: Vec<u32>,
    pub data_type: Ct2DataType,
    pub data: Vec<u8>,
}

impl SyntheticVariable {
    /// The half-precision elements of a float16 variable.
    pub fn float16_values(&self) -> Vec<u16> {
        self.data
            .chunks_exact(2)
            .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
            .collect()
    }
}

/// Generates the variables of a Whisper model in CTranslate2's naming, filled with varied finite half floats.
pub fn tiny_whisper_variables(dimensions: &TinyWhisperDimensions) -> Vec<SyntheticVariable> {
    let width = dimensions.width;
    let mut variables = Vec::new();
    let mut generator_state: u32 = 0x9e37_79b9;
    let mut float16 = |name: String, shape: Vec<u32>| {
        let count: u32 = shape.iter().product();
        let data = (0..count)
            .flat_map(|_| {
                generator_state = generator_state
                    .wrapping_mul(1_664_525)
                    .wrapping_add(1_013_904_223);
                // Exponents below 30 keep every value finite; the top bit picks the sign.
                let magnitude = (generator_state >> 8) % 0x7800;
                let sign = (generator_state >> 31) << 15;
                ((magnitude | sign) as u16).to_le_bytes()
            })
            .collect();
        variables.push(SyntheticVariable {
            name,
            shape,
            data_type: Ct2DataType::Float16,
            data,
        });
    };

    float16(
        "encoder/conv1/weight".to_owned(),
        vec![width, dimensions.mel_bins, 3],
    );
    float16("encoder/conv1/bias".to_owned(), vec![width]);
    float16("encoder/conv2/weight".to_owned(), vec![width, width, 3]);
    float16("encoder/conv2/bias".to_owned(), vec![width]);
    float16(
        "encoder/position_encodings/encodings".to_owned(),
        vec![dimensions.audio_context, width],
    );
    let mut block = |prefix: String, cross_attention: bool| {
        for part in ["self_attention/layer_norm", "ffn/layer_norm"] {
            float16(format!("{prefix}/{part}/gamma"), vec![width]);
            float16(format!("{prefix}/{part}/beta"), vec![width]);
        }
        float16(
            format!("{prefix}/self_attention/linear_0/weight"),
            vec![3 * width, width],
        );
        float16(
            format!("{prefix}/self_attention/linear_0/bias"),
            vec![3 * width],
        );
        float16(
            format!("{prefix}/self_attention/linear_1/weight"),
            vec![width, width],
        );
        float16(
            format!("{prefix}/self_attention/linear_1/bias"),
            vec![width],
        );
        if cross_attention {
            float16(format!("{prefix}/attention/layer_norm/gamma"), vec![width]);
            float16(format!("{prefix}/attention/layer_norm/beta"), vec![width]);
            float16(
                format!("{prefix}/attention/linear_0/weight"),
                vec![width, width],
            );
            float16(format!("{prefix}/attention/linear_0/bias"), vec![width]);
            float16(
                format!("{prefix}/attention/linear_1/weight"),
                vec![2 * width, width],
            );
            float16(format!("{prefix}/attention/linear_1/bias"), vec![2 * width]);
            float16(
                format!("{prefix}/attention/linear_2/weight"),
                vec![width, width],
            );
            float16(format!("{prefix}/attention/linear_2/bias"), vec![width]);
        }
        float16(
            format!("{prefix}/ffn/linear_0/weight"),
            vec![4 * width, width],
        );
        float16(format!("{prefix}/ffn/linear_0/bias"), vec![4 * width]);
        float16(
            format!("{prefix}/ffn/linear_1/weight"),
            vec![width, 4 * width],
        );
        float16(format!("{prefix}/ffn/linear_1/bias"), vec![width]);
    };
    for layer in 0..dimensions.encoder_layers {
        block(format!("encoder/layer_{layer}"), false);
    }
    for layer in 0..dimensions.decoder_layers {
        block(format!("decoder/layer_{layer}"), true);
    }
    float16("encoder/layer_norm/gamma".to_owned(), vec![width]);
    float16("encoder/layer_norm/beta".to_owned(), vec![width]);
    float16(
        "decoder/embeddings/weight".to_owned(),
        vec![dimensions.vocabulary_size, width],
    );
    float16(
        "decoder/position_encodings/encodings".to_owned(),
        vec![dimensions.text_context, width],
    );
    float16("decoder/layer_norm/gamma".to_owned(), vec![width]);
    float16("decoder/layer_norm/beta".to_owned(), vec![width]);

    let scalar = |name: &str, data_type: Ct2DataType, value: i64| {
        let data = match data_type {
            Ct2DataType::Int8 => (value as i8).to_le_bytes().to_vec(),
            Ct2DataType::Int16 => (value as i16).to_le_bytes().to_vec(),
            _ => (value as i32).to_le_bytes().to_vec(),
        };
        SyntheticVariable {
            name: name.to_owned(),
            shape: Vec::new(),
            data_type,
            data,
        }
    };
    variables.extend([
        scalar("decoder/activation", Ct2DataType::Int8, 3),
        scalar("decoder/alibi", Ct2DataType::Int8, 0),
        scalar(
            "decoder/num_heads",
            Ct2DataType::Int16,
            i64::from(dimensions.heads),
        ),
        scalar("decoder/pre_norm", Ct2DataType::Int8, 1),
        scalar("decoder/scale_embeddings", Ct2DataType::Int8, 0),
        scalar("decoder/start_from_zero_embedding", Ct2DataType::Int8, 0),
        scalar(
            "encoder/num_heads",
            Ct2DataType::Int16,
            i64::from(dimensions.heads),
        ),
    ]);
    variables
}

/// The alias every CTranslate2 Whisper model carries: the output projection shares the token embedding.
pub const TIED_PROJECTION_ALIAS: (&str, &str) =
    ("decoder/projection/weight", "decoder/embeddings/weight");

/// Writes variables and aliases as a binary version 6 `WhisperSpec` revision 3 file.
pub fn assemble_ct2(variables: &[SyntheticVariable], aliases: &[(&str, &str)]) -> Vec<u8> {
    let mut builder = Ct2FileBuilder::new(6, "WhisperSpec", 3);
    for variable in variables {
        builder.typed_variable(
            &variable.name,
            &variable.shape,
            variable.data_type,
            &variable.data,
        );
    }
    for (alias, target) in aliases {
        builder.alias(alias, target);
    }
    builder.finish()
}

/// The tiny Whisper model as a complete CTranslate2 file.
pub fn tiny_whisper_ct2_file(dimensions: &TinyWhisperDimensions) -> Vec<u8> {
    assemble_ct2(
        &tiny_whisper_variables(dimensions),
        &[TIED_PROJECTION_ALIAS],
    )
}

/// A byte-level BPE `tokenizer.json` with `end_of_text_id` ordinary tokens: the 256 single bytes, 场 spelled as its
/// three UTF-8 bytes, invented words `Ġw<id>`, and the empty token Whisper's vocabulary has just before
/// `<|endoftext|>`; then `<|endoftext|>` and `<|startoftranscript|>` as added tokens.
pub fn synthetic_tokenizer_json(end_of_text_id: u32) -> String {
    let byte_text = |bytes: &[u8]| -> String {
        bytes
            .iter()
            .map(|&byte| byte_level_character(byte))
            .collect()
    };
    let mut entries: Vec<String> = Vec::new();
    for id in 0..end_of_text_id {
        let text = match id {
            0..=255 => byte_text(&[id as u8]),
            256 => byte_text("场".as_bytes()),
            _ if id == end_of_text_id - 1 => String::new(),
            _ => format!("Ġw{id}"),
        };
        entries.push(format!("{}:{id}", serde_json::Value::from(text)));
    }
    entries.push(format!("\"{END_OF_TEXT_TOKEN}\":{end_of_text_id}"));
    format!(
        "{{\"version\":\"1.0\",\"added_tokens\":[{{\"id\":{end_of_text_id},\"content\":\"{END_OF_TEXT_TOKEN}\",\
         \"special\":true}},{{\"id\":{},\"content\":\"<|startoftranscript|>\",\"special\":true}}],\
         \"model\":{{\"type\":\"BPE\",\"vocab\":{{{}}},\"merges\":[]}}}}",
        end_of_text_id + 1,
        entries.join(",")
    )
}

/// A GGML file taken apart.
#[derive(Debug)]
pub struct ParsedGgml {
    pub magic: u32,
    pub header: Vec<i32>,
    pub filter_rows: i32,
    pub filter_columns: i32,
    pub filters: Vec<f32>,
    pub tokens: Vec<Vec<u8>>,
    pub tensors: Vec<ParsedTensor>,
}

/// One tensor record of a GGML file.
#[derive(Debug)]
pub struct ParsedTensor {
    pub name: String,
    pub type_identifier: i32,
    pub dimensions_innermost_first: Vec<i32>,
    pub data: Vec<u8>,
}

impl ParsedTensor {
    /// The elements as `f32`, widening half floats.
    pub fn values(&self) -> Vec<f32> {
        match self.type_identifier {
            0 => self
                .data
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
            _ => self
                .data
                .chunks_exact(2)
                .map(|b| f16_bits_to_f32(u16::from_le_bytes([b[0], b[1]])))
                .collect(),
        }
    }
}

/// A read position in a GGML file under test.
struct GgmlCursor<'file> {
    bytes: &'file [u8],
    offset: usize,
}

impl<'file> GgmlCursor<'file> {
    fn take(&mut self, length: usize) -> &'file [u8] {
        let slice = self
            .bytes
            .get(self.offset..self.offset + length)
            .expect("the GGML file is long enough");
        self.offset += length;
        slice
    }

    fn read_i32(&mut self) -> i32 {
        let bytes = self.take(4);
        i32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]])
    }
}

/// Reads a GGML Whisper file the way whisper.cpp does, failing the test on anything malformed.
pub fn parse_ggml(bytes: &[u8]) -> ParsedGgml {
    let mut cursor = GgmlCursor { bytes, offset: 0 };
    let magic = cursor.read_i32() as u32;
    let header: Vec<i32> = (0..11).map(|_| cursor.read_i32()).collect();
    let filter_rows = cursor.read_i32();
    let filter_columns = cursor.read_i32();
    let filters = cursor
        .take((filter_rows * filter_columns * 4) as usize)
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let token_count = cursor.read_i32();
    let tokens = (0..token_count)
        .map(|_| {
            let length = cursor.read_i32() as usize;
            cursor.take(length).to_vec()
        })
        .collect();
    let mut tensors = Vec::new();
    while cursor.offset < bytes.len() {
        let rank = cursor.read_i32();
        let name_length = cursor.read_i32() as usize;
        let type_identifier = cursor.read_i32();
        let dimensions_innermost_first: Vec<i32> = (0..rank).map(|_| cursor.read_i32()).collect();
        let name =
            String::from_utf8(cursor.take(name_length).to_vec()).expect("tensor names are UTF-8");
        let element_size = if type_identifier == 0 { 4 } else { 2 };
        let element_count: i32 = dimensions_innermost_first.iter().product();
        let data = cursor.take(element_count as usize * element_size).to_vec();
        tensors.push(ParsedTensor {
            name,
            type_identifier,
            dimensions_innermost_first,
            data,
        });
    }
    ParsedGgml {
        magic,
        header,
        filter_rows,
        filter_columns,
        filters,
        tokens,
        tensors,
    }
}

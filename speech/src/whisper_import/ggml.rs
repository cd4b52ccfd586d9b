//! Conversion of a parsed CTranslate2 Whisper model into the GGML file whisper.cpp (1.8.3) loads.
//!
//! The file is, in order and all little-endian: the magic `ggml`, eleven 32-bit hyper-parameters, the mel filter
//! bank (rows, columns, then `f32` weights), the vocabulary (a count, then each ordinary token as a length and its
//! raw bytes) and the tensors, each as rank, name length, element type (0 for `f32`, 1 for `f16`), the dimensions
//! innermost first, the name and the data. whisper.cpp finds tensors by name, insists on the exact shape and element
//! type it allocated, and refuses a file that leaves any of its tensors out.
//!
//! CTranslate2 stores the same weights under other names and fuses some of them: the self-attention query, key and
//! value projections are one matrix with the three stacked by rows, and the cross-attention key and value projections
//! another. The conversion splits them back apart and drops the key biases, which whisper.cpp does not have. Those
//! biases are zero in Whisper, and even a non-zero one would be harmless to drop: it adds the same amount to every
//! attention logit of a query, which the softmax cancels.
//!
//! Everything is checked before the first byte is written, so a model that does not fit whisper.cpp is refused with
//! an error that names the problem instead of producing a file whisper.cpp would reject.

use std::io::{self, BufWriter, Write};

use super::WhisperImportError;
use super::ct2::{Ct2DataType, Ct2Model, Ct2Variable};
use super::half_float::{bf16_bits_to_f32, f16_bits_to_f32, f32_to_f16_bits};
use super::mel_filters::{WHISPER_FFT_SIZE, WHISPER_SAMPLE_RATE, slaney_mel_filter_bank};
use super::vocabulary::byte_level_tokens;

/// The first four bytes of a GGML file: `ggml` as a little-endian 32-bit number.
pub const GGML_FILE_MAGIC: u32 = 0x6767_6d6c;

/// The model-wide element type recorded in the header: mostly half precision, with small vectors in `f32`.
const GGML_FILE_TYPE_MOSTLY_F16: i32 = 1;

/// The name of the CTranslate2 specification this importer understands.
pub const WHISPER_SPEC_NAME: &str = "WhisperSpec";

/// The revisions of `WhisperSpec` with the variable layout the importer reads (revision 3 only added separate layer and
/// head counts for the encoder and the decoder).
pub const SUPPORTED_WHISPER_SPEC_REVISIONS: std::ops::RangeInclusive<u32> = 2..=3;

/// The vocabulary size from which whisper.cpp treats a model as multilingual; it places the special tokens one id
/// later in such models.
pub const MULTILINGUAL_VOCABULARY_SIZE: u32 = 51_865;

/// The most mel bins a model may ask for: Whisper uses 80 or 128, and the bound keeps a corrupt shape from making the
/// filter bank enormous.
pub const MAX_MEL_BINS: u32 = 512;

/// CTranslate2's code for the exact (erf) GELU activation, the one Whisper and whisper.cpp use.
const CT2_ACTIVATION_GELU: i64 = 3;

/// How many elements to convert at a time when the element type changes, to bound the scratch buffer.
const CONVERSION_CHUNK_ELEMENTS: usize = 1 << 16;

/// The hyper-parameters in the header of a whisper.cpp model, read from the shapes of the CTranslate2 variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WhisperHyperparameters {
    /// Rows of the token embedding: ordinary and special tokens together.
    pub vocabulary_size: u32,
    /// Positions the encoder attends over (1500 audio frames after the strided convolution).
    pub audio_context: u32,
    /// Width of the encoder's hidden states.
    pub audio_width: u32,
    /// Attention heads in each encoder layer.
    pub audio_heads: u32,
    /// Encoder layers.
    pub audio_layers: u32,
    /// Positions of the decoder's text context.
    pub text_context: u32,
    /// Width of the decoder's hidden states.
    pub text_width: u32,
    /// Attention heads in each decoder layer.
    pub text_heads: u32,
    /// Decoder layers.
    pub text_layers: u32,
    /// Mel bins of the input spectrogram (80, or 128 for large-v3).
    pub mel_bins: u32,
}

impl WhisperHyperparameters {
    /// Whether whisper.cpp will treat the model as multilingual.
    pub fn is_multilingual(&self) -> bool {
        self.vocabulary_size >= MULTILINGUAL_VOCABULARY_SIZE
    }

    /// The id whisper.cpp gives `<|endoftext|>`; the ordinary BPE tokens are exactly the ids below it.
    pub fn end_of_text_id(&self) -> u32 {
        if self.is_multilingual() {
            50_257
        } else {
            50_256
        }
    }

    /// The header values in whisper.cpp's order.
    fn header_values(&self) -> [u32; 10] {
        [
            self.vocabulary_size,
            self.audio_context,
            self.audio_width,
            self.audio_heads,
            self.audio_layers,
            self.text_context,
            self.text_width,
            self.text_heads,
            self.text_layers,
            self.mel_bins,
        ]
    }
}

/// What a conversion produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhisperGgmlSummary {
    /// The hyper-parameters written to the header.
    pub hyperparameters: WhisperHyperparameters,
    /// The number of ordinary tokens written to the vocabulary.
    pub vocabulary_tokens: usize,
    /// The number of tensors written.
    pub tensor_count: usize,
    /// The size of the GGML file.
    pub bytes_written: u64,
}

/// The element types a whisper.cpp tensor is stored in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GgmlTensorType {
    /// Single precision, for biases, layer norms, positional embeddings and convolution biases.
    Float32,
    /// Half precision, for the weight matrices and the convolution kernels.
    Float16,
}

impl GgmlTensorType {
    fn identifier(self) -> i32 {
        match self {
            Self::Float32 => 0,
            Self::Float16 => 1,
        }
    }
}

/// One tensor of the output: its elements in the CTranslate2 model and how to store them.
struct PlannedTensor<'model> {
    ggml_name: String,
    /// The dimensions, outermost first (the file stores them reversed).
    shape: Vec<u32>,
    tensor_type: GgmlTensorType,
    /// The element type in the CTranslate2 model.
    source_type: Ct2DataType,
    /// The tensor's elements in the CTranslate2 model: a whole variable or a block of its rows.
    source_bytes: &'model [u8],
}

/// Converts a parsed CTranslate2 Whisper model and its `tokenizer.json` to a whisper.cpp GGML file written to `out`.
pub fn write_whisper_ggml(
    model: &Ct2Model<'_>,
    tokenizer_json: &str,
    out: &mut impl Write,
) -> Result<WhisperGgmlSummary, WhisperImportError> {
    if model.spec_name != WHISPER_SPEC_NAME
        || !SUPPORTED_WHISPER_SPEC_REVISIONS.contains(&model.spec_revision)
    {
        return Err(WhisperImportError::UnsupportedSpec {
            spec_name: model.spec_name.clone(),
            revision: model.spec_revision,
        });
    }
    let hyperparameters = read_hyperparameters(model)?;
    check_decoder_design(model)?;
    let tensors = plan_tensors(model, &hyperparameters)?;
    let tokens = byte_level_tokens(tokenizer_json, hyperparameters.end_of_text_id())?;
    let filters = slaney_mel_filter_bank(
        WHISPER_SAMPLE_RATE,
        WHISPER_FFT_SIZE,
        hyperparameters.mel_bins as usize,
    );

    let mut writer = CountingWriter {
        inner: BufWriter::with_capacity(1 << 20, out),
        bytes_written: 0,
    };
    write_all_sections(&mut writer, &hyperparameters, &filters, &tokens, &tensors)
        .map_err(output_error)?;
    writer.inner.flush().map_err(output_error)?;
    Ok(WhisperGgmlSummary {
        hyperparameters,
        vocabulary_tokens: tokens.len(),
        tensor_count: tensors.len(),
        bytes_written: writer.bytes_written,
    })
}

fn output_error(error: io::Error) -> WhisperImportError {
    WhisperImportError::OutputWrite {
        kind: error.kind(),
        message: error.to_string(),
    }
}

fn write_all_sections(
    writer: &mut CountingWriter<impl Write>,
    hyperparameters: &WhisperHyperparameters,
    filters: &[f32],
    tokens: &[Vec<u8>],
    tensors: &[PlannedTensor<'_>],
) -> io::Result<()> {
    writer.write_all(&GGML_FILE_MAGIC.to_le_bytes())?;
    for value in hyperparameters.header_values() {
        write_i32(writer, value)?;
    }
    writer.write_all(&GGML_FILE_TYPE_MOSTLY_F16.to_le_bytes())?;

    let frequency_bins = WHISPER_FFT_SIZE / 2 + 1;
    write_i32(writer, hyperparameters.mel_bins)?;
    write_i32(writer, frequency_bins)?;
    for weight in filters {
        writer.write_all(&weight.to_le_bytes())?;
    }

    write_i32(writer, tokens.len())?;
    for token in tokens {
        write_i32(writer, token.len())?;
        writer.write_all(token)?;
    }

    let mut scratch = Vec::new();
    for tensor in tensors {
        write_tensor(writer, tensor, &mut scratch)?;
    }
    Ok(())
}

/// Writes a count or dimension as the 32-bit signed integer the format uses. The planner has already checked that
/// every dimension fits; a value that does not is reported as invalid data rather than silently wrapped.
fn write_i32(writer: &mut impl Write, value: impl TryInto<i32>) -> io::Result<()> {
    let value = value.try_into().map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "a count does not fit the GGML format's 32 bits",
        )
    })?;
    writer.write_all(&value.to_le_bytes())
}

fn write_tensor(
    writer: &mut impl Write,
    tensor: &PlannedTensor<'_>,
    scratch: &mut Vec<u8>,
) -> io::Result<()> {
    write_i32(writer, tensor.shape.len())?;
    write_i32(writer, tensor.ggml_name.len())?;
    writer.write_all(&tensor.tensor_type.identifier().to_le_bytes())?;
    for &dimension in tensor.shape.iter().rev() {
        write_i32(writer, dimension)?;
    }
    writer.write_all(tensor.ggml_name.as_bytes())?;

    let source_element_size = tensor.source_type.element_size();
    let source_bytes = tensor.source_bytes;
    match (tensor.source_type, tensor.tensor_type) {
        (Ct2DataType::Float16, GgmlTensorType::Float16)
        | (Ct2DataType::Float32, GgmlTensorType::Float32) => writer.write_all(source_bytes),
        (source_type, target_type) => {
            for chunk in source_bytes.chunks(CONVERSION_CHUNK_ELEMENTS * source_element_size) {
                scratch.clear();
                for element in chunk.chunks_exact(source_element_size) {
                    let value = match source_type {
                        Ct2DataType::Float16 => {
                            f16_bits_to_f32(u16::from_le_bytes([element[0], element[1]]))
                        }
                        Ct2DataType::BFloat16 => {
                            bf16_bits_to_f32(u16::from_le_bytes([element[0], element[1]]))
                        }
                        _ => f32::from_le_bytes([element[0], element[1], element[2], element[3]]),
                    };
                    match target_type {
                        GgmlTensorType::Float32 => scratch.extend_from_slice(&value.to_le_bytes()),
                        GgmlTensorType::Float16 => {
                            scratch.extend_from_slice(&f32_to_f16_bits(value).to_le_bytes())
                        }
                    }
                }
                writer.write_all(scratch)?;
            }
            Ok(())
        }
    }
}

/// Counts the bytes that pass through, so the summary can report the file size without asking the destination.
struct CountingWriter<W: Write> {
    inner: W,
    bytes_written: u64,
}

impl<W: Write> Write for CountingWriter<W> {
    fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
        let written = self.inner.write(buffer)?;
        self.bytes_written += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn find<'plan, 'model>(
    model: &'plan Ct2Model<'model>,
    name: &str,
) -> Result<&'plan Ct2Variable<'model>, WhisperImportError> {
    model
        .variable(name)
        .ok_or_else(|| WhisperImportError::MissingVariable(name.to_owned()))
}

fn unexpected_shape(variable: &Ct2Variable<'_>, expected: String) -> WhisperImportError {
    WhisperImportError::UnexpectedShape {
        name: variable.name.clone(),
        found: variable.shape.clone(),
        expected,
    }
}

/// The two dimensions of a matrix variable.
fn matrix_dimensions(model: &Ct2Model<'_>, name: &str) -> Result<(u32, u32), WhisperImportError> {
    let variable = find(model, name)?;
    match variable.shape[..] {
        [rows, columns] => Ok((rows, columns)),
        _ => Err(unexpected_shape(variable, "two dimensions".to_owned())),
    }
}

/// A positive count stored as a scalar integer variable.
fn positive_count(model: &Ct2Model<'_>, name: &str) -> Result<u32, WhisperImportError> {
    let variable = find(model, name)?;
    variable
        .scalar_integer()
        .and_then(|value| u32::try_from(value).ok())
        .filter(|&value| value > 0)
        .ok_or_else(|| unexpected_shape(variable, "a positive integer scalar".to_owned()))
}

/// The number of layers of one side: one more than the highest `layer_N` among the variable names.
fn layer_count(model: &Ct2Model<'_>, side: &str) -> Result<u32, WhisperImportError> {
    let prefix = format!("{side}/layer_");
    let highest = model
        .variables
        .iter()
        .map(|variable| variable.name.as_str())
        .filter_map(|name| {
            name.strip_prefix(&prefix)?
                .split('/')
                .next()?
                .parse::<u32>()
                .ok()
        })
        .max();
    highest
        .and_then(|highest| highest.checked_add(1))
        .ok_or_else(|| WhisperImportError::MissingVariable(format!("{prefix}0/...")))
}

fn read_hyperparameters(
    model: &Ct2Model<'_>,
) -> Result<WhisperHyperparameters, WhisperImportError> {
    let (vocabulary_size, text_width) = matrix_dimensions(model, "decoder/embeddings/weight")?;
    let (audio_context, audio_width) =
        matrix_dimensions(model, "encoder/position_encodings/encodings")?;
    let (text_context, _) = matrix_dimensions(model, "decoder/position_encodings/encodings")?;
    let first_convolution = find(model, "encoder/conv1/weight")?;
    let mel_bins = match first_convolution.shape[..] {
        [_, mel_bins, _] => mel_bins,
        _ => {
            return Err(unexpected_shape(
                first_convolution,
                "three dimensions".to_owned(),
            ));
        }
    };
    let hyperparameters = WhisperHyperparameters {
        vocabulary_size,
        audio_context,
        audio_width,
        audio_heads: positive_count(model, "encoder/num_heads")?,
        audio_layers: layer_count(model, "encoder")?,
        text_context,
        text_width,
        text_heads: positive_count(model, "decoder/num_heads")?,
        text_layers: layer_count(model, "decoder")?,
        mel_bins,
    };

    let unsupported = WhisperImportError::UnsupportedArchitecture;
    if audio_width != text_width {
        return Err(unsupported(format!(
            "the encoder is {audio_width} wide and the decoder {text_width}; whisper.cpp needs one width"
        )));
    }
    for (side, width, heads) in [
        ("encoder", audio_width, hyperparameters.audio_heads),
        ("decoder", text_width, hyperparameters.text_heads),
    ] {
        if width % heads != 0 {
            return Err(unsupported(format!(
                "the {side} width {width} does not split into {heads} heads"
            )));
        }
    }
    // whisper.cpp keeps every count in a signed 32-bit integer and sizes the feed-forward layers at four times the
    // width, so both must fit.
    let largest = hyperparameters
        .header_values()
        .into_iter()
        .max()
        .unwrap_or(0)
        .max(audio_width.saturating_mul(4));
    if mel_bins == 0
        || mel_bins > MAX_MEL_BINS
        || vocabulary_size == 0
        || i32::try_from(largest).is_err()
    {
        return Err(unsupported(format!(
            "the dimensions {hyperparameters:?} do not fit whisper.cpp"
        )));
    }
    Ok(hyperparameters)
}

/// Checks the decoder's configuration flags against the one design whisper.cpp implements: pre-norm blocks, GELU,
/// learned positions, no embedding scaling, and an output projection tied to the token embedding.
fn check_decoder_design(model: &Ct2Model<'_>) -> Result<(), WhisperImportError> {
    let expected_flags = [
        ("decoder/pre_norm", 1, "normalises before each block"),
        (
            "decoder/activation",
            CT2_ACTIVATION_GELU,
            "uses the exact GELU activation",
        ),
        (
            "decoder/scale_embeddings",
            0,
            "does not scale token embeddings",
        ),
        ("decoder/alibi", 0, "uses learned positions, not ALiBi"),
        (
            "decoder/start_from_zero_embedding",
            0,
            "starts from the real start-token embedding",
        ),
    ];
    for (name, expected, meaning) in expected_flags {
        if let Some(variable) = model.variable(name)
            && variable.scalar_integer() != Some(expected)
        {
            return Err(WhisperImportError::UnsupportedArchitecture(format!(
                "`{name}` is {:?}, but whisper.cpp {meaning}",
                variable.scalar_integer()
            )));
        }
    }
    if model.variable("decoder/projection/bias").is_some() {
        return Err(WhisperImportError::UnsupportedArchitecture(
            "the decoder's output projection has a bias, which whisper.cpp does not".to_owned(),
        ));
    }
    let embeddings = find(model, "decoder/embeddings/weight")?;
    if let Some(projection) = model.variable("decoder/projection/weight")
        && (projection.shape != embeddings.shape
            || projection.data_type != embeddings.data_type
            || projection.data != embeddings.data)
    {
        return Err(WhisperImportError::UnsupportedArchitecture(
            "the decoder's output projection differs from its token embedding; whisper.cpp ties the two".to_owned(),
        ));
    }
    Ok(())
}

/// Collects the output tensors in the order the reference converter writes them, checking each source as it goes.
struct TensorPlanner<'plan, 'model> {
    model: &'plan Ct2Model<'model>,
    tensors: Vec<PlannedTensor<'model>>,
}

impl<'plan, 'model> TensorPlanner<'plan, 'model> {
    /// Adds `rows` (first row and row count; `None` for all) of the CTranslate2 variable `source_name`, which must
    /// have `source_shape`, as the output tensor `ggml_name` of `ggml_shape`.
    fn add(
        &mut self,
        ggml_name: String,
        source_name: &str,
        source_shape: &[u32],
        rows: Option<(u32, u32)>,
        ggml_shape: &[u32],
        tensor_type: GgmlTensorType,
    ) -> Result<(), WhisperImportError> {
        let source = find(self.model, source_name)?;
        if source.shape != source_shape {
            return Err(unexpected_shape(source, format!("{source_shape:?}")));
        }
        if !source.data_type.is_floating_point() {
            return Err(WhisperImportError::UnsupportedDataType {
                name: source.name.clone(),
                data_type: source.data_type,
            });
        }
        let row_elements: usize = source_shape
            .iter()
            .skip(1)
            .map(|&dimension| dimension as usize)
            .product();
        let element_size = source.data_type.element_size();
        let source_bytes = match rows {
            Some((first_row, row_count)) => {
                let first_byte = first_row as usize * row_elements * element_size;
                let byte_count = row_count as usize * row_elements * element_size;
                source.data.get(first_byte..first_byte + byte_count)
            }
            None => Some(source.data),
        };
        // The shape check above makes the rows fit; a failure here would be a planning mistake, reported as such.
        let source_bytes = source_bytes.ok_or_else(|| WhisperImportError::Corrupt {
            offset: source.data_offset,
            reason: format!("rows {rows:?} lie outside `{}`", source.name),
        })?;
        self.tensors.push(PlannedTensor {
            ggml_name,
            shape: ggml_shape.to_vec(),
            tensor_type,
            source_type: source.data_type,
            source_bytes,
        });
        Ok(())
    }

    fn vector(
        &mut self,
        ggml_name: String,
        source_name: &str,
        length: u32,
    ) -> Result<(), WhisperImportError> {
        self.add(
            ggml_name,
            source_name,
            &[length],
            None,
            &[length],
            GgmlTensorType::Float32,
        )
    }

    fn layer_norm(
        &mut self,
        ggml_prefix: &str,
        source_prefix: &str,
        width: u32,
    ) -> Result<(), WhisperImportError> {
        self.vector(
            format!("{ggml_prefix}.weight"),
            &format!("{source_prefix}/gamma"),
            width,
        )?;
        self.vector(
            format!("{ggml_prefix}.bias"),
            &format!("{source_prefix}/beta"),
            width,
        )
    }

    /// A whole linear layer: an `outputs x inputs` half-precision weight and an `f32` bias.
    fn linear(
        &mut self,
        ggml_prefix: &str,
        source_prefix: &str,
        outputs: u32,
        inputs: u32,
    ) -> Result<(), WhisperImportError> {
        let shape = [outputs, inputs];
        self.add(
            format!("{ggml_prefix}.weight"),
            &format!("{source_prefix}/weight"),
            &shape,
            None,
            &shape,
            GgmlTensorType::Float16,
        )?;
        self.vector(
            format!("{ggml_prefix}.bias"),
            &format!("{source_prefix}/bias"),
            outputs,
        )
    }

    /// One block of `width` rows of a fused projection with `blocks` blocks, optionally with its part of the bias.
    fn fused_part(
        &mut self,
        ggml_prefix: &str,
        source_prefix: &str,
        (block, blocks): (u32, u32),
        width: u32,
        with_bias: bool,
    ) -> Result<(), WhisperImportError> {
        let fused_rows = blocks * width;
        self.add(
            format!("{ggml_prefix}.weight"),
            &format!("{source_prefix}/weight"),
            &[fused_rows, width],
            Some((block * width, width)),
            &[width, width],
            GgmlTensorType::Float16,
        )?;
        if with_bias {
            self.add(
                format!("{ggml_prefix}.bias"),
                &format!("{source_prefix}/bias"),
                &[fused_rows],
                Some((block * width, width)),
                &[width],
                GgmlTensorType::Float32,
            )?;
        }
        Ok(())
    }

    /// Self-attention: a layer norm, the fused query/key/value projection split in three, and the output projection.
    fn self_attention(
        &mut self,
        ggml_block: &str,
        source_layer: &str,
        width: u32,
    ) -> Result<(), WhisperImportError> {
        let fused = format!("{source_layer}/self_attention/linear_0");
        self.layer_norm(
            &format!("{ggml_block}.attn_ln"),
            &format!("{source_layer}/self_attention/layer_norm"),
            width,
        )?;
        self.fused_part(
            &format!("{ggml_block}.attn.query"),
            &fused,
            (0, 3),
            width,
            true,
        )?;
        self.fused_part(
            &format!("{ggml_block}.attn.key"),
            &fused,
            (1, 3),
            width,
            false,
        )?;
        self.fused_part(
            &format!("{ggml_block}.attn.value"),
            &fused,
            (2, 3),
            width,
            true,
        )?;
        self.linear(
            &format!("{ggml_block}.attn.out"),
            &format!("{source_layer}/self_attention/linear_1"),
            width,
            width,
        )
    }

    /// Cross-attention: a layer norm, the query projection, the fused key/value projection split in two, and the
    /// output projection.
    fn cross_attention(
        &mut self,
        ggml_block: &str,
        source_layer: &str,
        width: u32,
    ) -> Result<(), WhisperImportError> {
        let fused = format!("{source_layer}/attention/linear_1");
        self.layer_norm(
            &format!("{ggml_block}.cross_attn_ln"),
            &format!("{source_layer}/attention/layer_norm"),
            width,
        )?;
        self.linear(
            &format!("{ggml_block}.cross_attn.query"),
            &format!("{source_layer}/attention/linear_0"),
            width,
            width,
        )?;
        self.fused_part(
            &format!("{ggml_block}.cross_attn.key"),
            &fused,
            (0, 2),
            width,
            false,
        )?;
        self.fused_part(
            &format!("{ggml_block}.cross_attn.value"),
            &fused,
            (1, 2),
            width,
            true,
        )?;
        self.linear(
            &format!("{ggml_block}.cross_attn.out"),
            &format!("{source_layer}/attention/linear_2"),
            width,
            width,
        )
    }

    /// The feed-forward block: a layer norm and two linear layers through four times the width.
    fn feed_forward(
        &mut self,
        ggml_block: &str,
        source_layer: &str,
        width: u32,
    ) -> Result<(), WhisperImportError> {
        let hidden = 4 * width;
        self.layer_norm(
            &format!("{ggml_block}.mlp_ln"),
            &format!("{source_layer}/ffn/layer_norm"),
            width,
        )?;
        self.linear(
            &format!("{ggml_block}.mlp.0"),
            &format!("{source_layer}/ffn/linear_0"),
            hidden,
            width,
        )?;
        self.linear(
            &format!("{ggml_block}.mlp.2"),
            &format!("{source_layer}/ffn/linear_1"),
            width,
            hidden,
        )
    }
}

fn plan_tensors<'model>(
    model: &Ct2Model<'model>,
    hyperparameters: &WhisperHyperparameters,
) -> Result<Vec<PlannedTensor<'model>>, WhisperImportError> {
    let width = hyperparameters.audio_width;
    let mut planner = TensorPlanner {
        model,
        tensors: Vec::new(),
    };
    use GgmlTensorType::{Float16, Float32};

    let convolutions = [("conv1", hyperparameters.mel_bins), ("conv2", width)];
    for (convolution, input_channels) in convolutions {
        let kernel_shape = [width, input_channels, 3];
        planner.add(
            format!("encoder.{convolution}.weight"),
            &format!("encoder/{convolution}/weight"),
            &kernel_shape,
            None,
            &kernel_shape,
            Float16,
        )?;
        // whisper.cpp adds the bias as a one-column matrix, broadcast over time, and keeps it in f32.
        planner.add(
            format!("encoder.{convolution}.bias"),
            &format!("encoder/{convolution}/bias"),
            &[width],
            None,
            &[width, 1],
            Float32,
        )?;
    }
    let encoder_positions = [hyperparameters.audio_context, width];
    planner.add(
        "encoder.positional_embedding".to_owned(),
        "encoder/position_encodings/encodings",
        &encoder_positions,
        None,
        &encoder_positions,
        Float32,
    )?;
    for layer in 0..hyperparameters.audio_layers {
        let (ggml_block, source_layer) = (
            format!("encoder.blocks.{layer}"),
            format!("encoder/layer_{layer}"),
        );
        planner.self_attention(&ggml_block, &source_layer, width)?;
        planner.feed_forward(&ggml_block, &source_layer, width)?;
    }
    planner.layer_norm("encoder.ln_post", "encoder/layer_norm", width)?;

    let embedding_shape = [hyperparameters.vocabulary_size, width];
    planner.add(
        "decoder.token_embedding.weight".to_owned(),
        "decoder/embeddings/weight",
        &embedding_shape,
        None,
        &embedding_shape,
        Float16,
    )?;
    let decoder_positions = [hyperparameters.text_context, width];
    planner.add(
        "decoder.positional_embedding".to_owned(),
        "decoder/position_encodings/encodings",
        &decoder_positions,
        None,
        &decoder_positions,
        Float32,
    )?;
    for layer in 0..hyperparameters.text_layers {
        let (ggml_block, source_layer) = (
            format!("decoder.blocks.{layer}"),
            format!("decoder/layer_{layer}"),
        );
        planner.self_attention(&ggml_block, &source_layer, width)?;
        planner.cross_attention(&ggml_block, &source_layer, width)?;
        planner.feed_forward(&ggml_block, &source_layer, width)?;
    }
    planner.layer_norm("decoder.ln", "decoder/layer_norm", width)?;
    Ok(planner.tensors)
}

#[cfg(test)]
mod tests {
    use super::super::half_float::f16_bits_to_f32;
    use super::super::test_support::{
        SyntheticVariable, TIED_PROJECTION_ALIAS, TinyWhisperDimensions, assemble_ct2, parse_ggml,
        synthetic_tokenizer_json, tiny_whisper_ct2_file, tiny_whisper_variables,
    };
    use super::*;

    fn convert(file: &[u8]) -> Result<(Vec<u8>, WhisperGgmlSummary), WhisperImportError> {
        let model = Ct2Model::parse(file)?;
        let mut output = Vec::new();
        let summary = write_whisper_ggml(&model, &synthetic_tokenizer_json(50_257), &mut output)?;
        Ok((output, summary))
    }

    fn convert_variables(variables: &[SyntheticVariable]) -> Result<Vec<u8>, WhisperImportError> {
        convert(&assemble_ct2(variables, &[TIED_PROJECTION_ALIAS])).map(|(output, _)| output)
    }

    fn find_variable<'a>(variables: &'a [SyntheticVariable], name: &str) -> &'a SyntheticVariable {
        variables
            .iter()
            .find(|variable| variable.name == name)
            .expect("the synthetic model has the variable")
    }

    fn find_variable_mut<'a>(
        variables: &'a mut [SyntheticVariable],
        name: &str,
    ) -> &'a mut SyntheticVariable {
        variables
            .iter_mut()
            .find(|variable| variable.name == name)
            .expect("the synthetic model has the variable")
    }

    /// The names whisper.cpp looks up, in the order the reference converter writes them.
    fn expected_tensor_names(dimensions: &TinyWhisperDimensions) -> Vec<String> {
        let mut names: Vec<String> = [
            "conv1.weight",
            "conv1.bias",
            "conv2.weight",
            "conv2.bias",
            "positional_embedding",
        ]
        .iter()
        .map(|name| format!("encoder.{name}"))
        .collect();
        let attention = |kind: &str| {
            [format!("{kind}_ln.weight"), format!("{kind}_ln.bias")]
                .into_iter()
                .chain(
                    [
                        "query.weight",
                        "query.bias",
                        "key.weight",
                        "value.weight",
                        "value.bias",
                        "out.weight",
                        "out.bias",
                    ]
                    .iter()
                    .map(move |part| format!("{kind}.{part}")),
                )
                .collect::<Vec<_>>()
        };
        let feed_forward = [
            "mlp_ln.weight",
            "mlp_ln.bias",
            "mlp.0.weight",
            "mlp.0.bias",
            "mlp.2.weight",
            "mlp.2.bias",
        ];
        for layer in 0..dimensions.encoder_layers {
            for part in attention("attn")
                .iter()
                .map(String::as_str)
                .chain(feed_forward)
            {
                names.push(format!("encoder.blocks.{layer}.{part}"));
            }
        }
        names.extend(["encoder.ln_post.weight", "encoder.ln_post.bias"].map(str::to_owned));
        names.extend(
            [
                "decoder.token_embedding.weight",
                "decoder.positional_embedding",
            ]
            .map(str::to_owned),
        );
        for layer in 0..dimensions.decoder_layers {
            let parts = attention("attn").into_iter().chain(attention("cross_attn"));
            for part in parts.chain(feed_forward.map(str::to_owned)) {
                names.push(format!("decoder.blocks.{layer}.{part}"));
            }
        }
        names.extend(["decoder.ln.weight", "decoder.ln.bias"].map(str::to_owned));
        names
    }

    /// The element type (0 for f32, 1 for f16) and innermost-first dimensions whisper.cpp allocates for a tensor.
    fn whisper_cpp_allocation(name: &str, dimensions: &TinyWhisperDimensions) -> (i32, Vec<i32>) {
        let width = dimensions.width as i32;
        let hidden = 4 * width;
        match name {
            "encoder.conv1.weight" => (1, vec![3, dimensions.mel_bins as i32, width]),
            "encoder.conv2.weight" => (1, vec![3, width, width]),
            "encoder.conv1.bias" | "encoder.conv2.bias" => (0, vec![1, width]),
            "encoder.positional_embedding" => (0, vec![width, dimensions.audio_context as i32]),
            "decoder.positional_embedding" => (0, vec![width, dimensions.text_context as i32]),
            "decoder.token_embedding.weight" => (1, vec![width, dimensions.vocabulary_size as i32]),
            _ if name.ends_with("mlp.0.weight") => (1, vec![width, hidden]),
            _ if name.ends_with("mlp.2.weight") => (1, vec![hidden, width]),
            _ if name.ends_with("mlp.0.bias") => (0, vec![hidden]),
            _ if name.ends_with(".weight") && !name.contains("_ln.") && !name.contains(".ln") => {
                (1, vec![width, width])
            }
            _ => (0, vec![width]),
        }
    }

    #[test]
    fn writes_every_section_with_whisper_cpp_names_types_and_shapes() {
        let dimensions = TinyWhisperDimensions::default();
        let (output, summary) =
            convert(&tiny_whisper_ct2_file(&dimensions)).expect("the tiny model converts");
        let parsed = parse_ggml(&output);

        assert_eq!(parsed.magic, GGML_FILE_MAGIC);
        assert_eq!(parsed.header, vec![51_865, 6, 4, 2, 2, 5, 4, 2, 2, 3, 1]);
        assert_eq!((parsed.filter_rows, parsed.filter_columns), (3, 201));
        assert_eq!(parsed.filters, slaney_mel_filter_bank(16_000, 400, 3));
        assert_eq!(parsed.tokens.len(), 50_257);
        assert_eq!(parsed.tokens[256], "场".as_bytes());
        assert_eq!(parsed.tokens[50_256], b"");

        let names: Vec<&str> = parsed
            .tensors
            .iter()
            .map(|tensor| tensor.name.as_str())
            .collect();
        assert_eq!(names, expected_tensor_names(&dimensions));
        assert_eq!(names.len(), 5 + 2 * 15 + 2 + 2 + 2 * 24 + 2);
        for tensor in &parsed.tensors {
            let allocation = whisper_cpp_allocation(&tensor.name, &dimensions);
            assert_eq!(
                (
                    tensor.type_identifier,
                    tensor.dimensions_innermost_first.clone()
                ),
                allocation,
                "{}",
                tensor.name
            );
        }

        assert_eq!(summary.bytes_written, output.len() as u64);
        assert_eq!(summary.tensor_count, names.len());
        assert_eq!(summary.vocabulary_tokens, 50_257);
        assert!(summary.hyperparameters.is_multilingual());
    }

    #[test]
    fn splits_fused_projections_by_rows_and_widens_small_vectors_exactly() {
        let dimensions = TinyWhisperDimensions::default();
        let variables = tiny_whisper_variables(&dimensions);
        let parsed = parse_ggml(&convert_variables(&variables).expect("the tiny model converts"));
        let tensor = |name: &str| {
            parsed
                .tensors
                .iter()
                .find(|tensor| tensor.name == name)
                .unwrap_or_else(|| panic!("no tensor {name}"))
        };
        let width = dimensions.width as usize;
        // Both fused matrices have `width` columns, so a row is `width` elements long.
        let rows = |name: &str, first_row: usize, row_count: usize| -> Vec<f32> {
            let values = find_variable(&variables, name).float16_values();
            values[first_row * width..(first_row + row_count) * width]
                .iter()
                .map(|&bits| f16_bits_to_f32(bits))
                .collect()
        };

        let fused = "encoder/layer_1/self_attention/linear_0/weight";
        assert_eq!(
            tensor("encoder.blocks.1.attn.query.weight").values(),
            rows(fused, 0, width)
        );
        assert_eq!(
            tensor("encoder.blocks.1.attn.key.weight").values(),
            rows(fused, width, width)
        );
        assert_eq!(
            tensor("encoder.blocks.1.attn.value.weight").values(),
            rows(fused, 2 * width, width)
        );
        let fused_bias: Vec<f32> =
            find_variable(&variables, "encoder/layer_1/self_attention/linear_0/bias")
                .float16_values()
                .into_iter()
                .map(f16_bits_to_f32)
                .collect();
        assert_eq!(
            tensor("encoder.blocks.1.attn.query.bias").values(),
            fused_bias[..width]
        );
        assert_eq!(
            tensor("encoder.blocks.1.attn.value.bias").values(),
            fused_bias[2 * width..]
        );
        assert!(
            parsed
                .tensors
                .iter()
                .all(|tensor| !tensor.name.contains("key.bias"))
        );

        let cross = "decoder/layer_0/attention/linear_1/weight";
        assert_eq!(
            tensor("decoder.blocks.0.cross_attn.key.weight").values(),
            rows(cross, 0, width)
        );
        assert_eq!(
            tensor("decoder.blocks.0.cross_attn.value.weight").values(),
            rows(cross, width, width)
        );
        let cross_bias =
            find_variable(&variables, "decoder/layer_0/attention/linear_1/bias").float16_values();
        let cross_value_bias: Vec<f32> = cross_bias[width..]
            .iter()
            .map(|&bits| f16_bits_to_f32(bits))
            .collect();
        assert_eq!(
            tensor("decoder.blocks.0.cross_attn.value.bias").values(),
            cross_value_bias
        );

        // Half-precision weights are copied bit for bit; f32 tensors hold the exact widened values.
        let embedding = find_variable(&variables, "decoder/embeddings/weight");
        assert_eq!(
            tensor("decoder.token_embedding.weight").data,
            embedding.data
        );
        let positions = find_variable(&variables, "encoder/position_encodings/encodings");
        let widened: Vec<u8> = positions
            .float16_values()
            .into_iter()
            .flat_map(|bits| f16_bits_to_f32(bits).to_le_bytes())
            .collect();
        assert_eq!(tensor("encoder.positional_embedding").data, widened);
        let ffn_output = find_variable(&variables, "decoder/layer_1/ffn/linear_1/weight");
        assert_eq!(
            tensor("decoder.blocks.1.mlp.2.weight").data,
            ffn_output.data
        );
    }

    #[test]
    fn float32_and_float16_sources_give_the_same_file() {
        let variables = tiny_whisper_variables(&TinyWhisperDimensions::default());
        let widened: Vec<SyntheticVariable> = variables
            .iter()
            .map(|variable| match variable.data_type {
                Ct2DataType::Float16 => SyntheticVariable {
                    data_type: Ct2DataType::Float32,
                    data: variable
                        .float16_values()
                        .into_iter()
                        .flat_map(|bits| f16_bits_to_f32(bits).to_le_bytes())
                        .collect(),
                    ..variable.clone()
                },
                _ => variable.clone(),
            })
            .collect();
        assert_eq!(convert_variables(&widened), convert_variables(&variables));
    }

    #[test]
    fn refuses_models_whisper_cpp_could_not_run_before_writing_anything() {
        let dimensions = TinyWhisperDimensions::default();
        let variables = tiny_whisper_variables(&dimensions);
        let refusal = |edit: &dyn Fn(&mut Vec<SyntheticVariable>)| {
            let mut edited = variables.clone();
            edit(&mut edited);
            // A stored projection replaces the alias, which would otherwise reuse its name.
            let stores_projection = edited
                .iter()
                .any(|variable| variable.name == TIED_PROJECTION_ALIAS.0);
            let aliases: &[(&str, &str)] = if stores_projection {
                &[]
            } else {
                &[TIED_PROJECTION_ALIAS]
            };
            let file = assemble_ct2(&edited, aliases);
            let model = Ct2Model::parse(&file).expect("the edited file still parses");
            let mut output = Vec::new();
            let error = write_whisper_ggml(&model, &synthetic_tokenizer_json(50_257), &mut output)
                .expect_err("the edited model is refused");
            assert!(
                output.is_empty(),
                "{error} was reported after writing {} bytes",
                output.len()
            );
            error
        };

        assert_eq!(
            refusal(&|variables| variables
                .retain(|variable| variable.name != "decoder/layer_1/ffn/linear_1/bias")),
            WhisperImportError::MissingVariable("decoder/layer_1/ffn/linear_1/bias".to_owned())
        );
        assert_eq!(
            refusal(&|variables| find_variable_mut(
                variables,
                "encoder/layer_0/self_attention/linear_0/weight"
            )
            .shape = vec![4, 12]),
            WhisperImportError::UnexpectedShape {
                name: "encoder/layer_0/self_attention/linear_0/weight".to_owned(),
                found: vec![4, 12],
                expected: "[12, 4]".to_owned(),
            }
        );
        assert_eq!(
            refusal(&|variables| {
                let weight = find_variable_mut(variables, "decoder/layer_0/ffn/linear_0/weight");
                weight.data_type = Ct2DataType::Int8;
                weight.data.truncate(weight.data.len() / 2);
            }),
            WhisperImportError::UnsupportedDataType {
                name: "decoder/layer_0/ffn/linear_0/weight".to_owned(),
                data_type: Ct2DataType::Int8,
            }
        );
        let heads_error = refusal(&|variables| {
            find_variable_mut(variables, "encoder/num_heads").data = 3i16.to_le_bytes().to_vec()
        });
        assert!(
            matches!(heads_error, WhisperImportError::UnsupportedArchitecture(reason) if reason.contains("into 3 heads"))
        );
        let flag_error =
            refusal(&|variables| find_variable_mut(variables, "decoder/pre_norm").data = vec![0]);
        assert!(
            matches!(flag_error, WhisperImportError::UnsupportedArchitecture(reason) if reason.contains("pre_norm"))
        );
        let untied_error = refusal(&|variables| {
            let mut projection = find_variable(variables, "decoder/embeddings/weight").clone();
            projection.name = "decoder/projection/weight".to_owned();
            projection.data[0] ^= 1;
            variables.push(projection);
        });
        assert!(
            matches!(untied_error, WhisperImportError::UnsupportedArchitecture(reason) if reason.contains("ties"))
        );
        let wrong_width = refusal(&|variables| {
            let positions = find_variable_mut(variables, "encoder/position_encodings/encodings");
            positions.shape = vec![3, 8];
        });
        assert!(
            matches!(wrong_width, WhisperImportError::UnsupportedArchitecture(reason) if reason.contains("one width"))
        );

        let file = tiny_whisper_ct2_file(&dimensions);
        let model = Ct2Model::parse(&file).expect("the tiny model parses");
        let mut output = Vec::new();
        let tokenizer_error =
            write_whisper_ggml(&model, &synthetic_tokenizer_json(50_256), &mut output);
        assert!(matches!(
            tokenizer_error,
            Err(WhisperImportError::InvalidTokenizer(_))
        ));
        assert!(output.is_empty());
    }

    #[test]
    fn a_separately_stored_but_identical_projection_is_accepted() {
        let mut variables = tiny_whisper_variables(&TinyWhisperDimensions::default());
        let mut projection = find_variable(&variables, "decoder/embeddings/weight").clone();
        projection.name = "decoder/projection/weight".to_owned();
        variables.push(projection);
        let separate = convert(&assemble_ct2(&variables, &[])).map(|(output, _)| output);
        variables.pop();
        assert_eq!(separate, convert_variables(&variables));
    }

    #[test]
    fn other_specifications_are_refused() {
        let mut builder = super::super::test_support::Ct2FileBuilder::new(6, "TransformerSpec", 3);
        builder.float16_variable("x", &[1], &[0]);
        let file = builder.finish();
        assert_eq!(
            convert(&file).map(|(_, summary)| summary),
            Err(WhisperImportError::UnsupportedSpec {
                spec_name: "TransformerSpec".to_owned(),
                revision: 3
            })
        );
    }

    /// Accepts a fixed number of bytes, then fails as a full disk would.
    struct FillingWriter {
        room: usize,
    }

    impl Write for FillingWriter {
        fn write(&mut self, buffer: &[u8]) -> io::Result<usize> {
            if self.room == 0 {
                return Err(io::Error::new(io::ErrorKind::StorageFull, "no space left"));
            }
            let accepted = buffer.len().min(self.room);
            self.room -= accepted;
            Ok(accepted)
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_failing_destination_is_reported_with_its_error_kind() {
        let file = tiny_whisper_ct2_file(&TinyWhisperDimensions::default());
        let model = Ct2Model::parse(&file).expect("the tiny model parses");
        for room in [0, 10, 100_000] {
            let result = write_whisper_ggml(
                &model,
                &synthetic_tokenizer_json(50_257),
                &mut FillingWriter { room },
            );
            assert!(
                matches!(
                    &result,
                    Err(WhisperImportError::OutputWrite {
                        kind: io::ErrorKind::StorageFull,
                        ..
                    })
                ),
                "room {room}: {result:?}"
            );
        }
    }
}

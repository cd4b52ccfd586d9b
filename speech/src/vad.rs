//! Voice activity detection with Silero VAD (v6, 16 kHz), run in candle from the `silero-vad` package's
//! safetensors.
//!
//! The forward pass follows the package's own small reference model: each 512-sample chunk (32 ms), preceded by
//! the last 64 samples of the chunk before, is padded by reflection, turned into a magnitude spectrum by a fixed
//! convolution (256-point STFT, hop 128), passed through four ReLU convolutions, one LSTM cell whose state carries
//! from chunk to chunk, and a 1x1 convolution with a sigmoid: the probability that the chunk holds speech.
//! [`SileroVad`] holds the weights (shared, read-only); [`VadStream`] holds one audio stream's state.

use std::sync::Arc;

use candle_core::{DType, Device, Tensor};

use crate::SpeechError;

/// The sample rate the model runs at.
pub const VAD_SAMPLE_RATE: u32 = 16_000;
/// Samples per chunk at [`VAD_SAMPLE_RATE`].
pub const VAD_CHUNK: usize = 512;
/// Samples of the previous chunk the model sees before each chunk.
const CONTEXT: usize = 64;
/// Reflection padding on the right of the input.
const RIGHT_PAD: usize = 64;
/// FFT bins: `n_fft / 2 + 1`.
const CUTOFF: usize = 129;
const HIDDEN: usize = 128;

/// The Silero VAD weights. Cheap to clone.
#[derive(Clone)]
pub struct SileroVad {
    weights: Arc<Weights>,
}

impl std::fmt::Debug for SileroVad {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("SileroVad").finish_non_exhaustive()
    }
}

struct Weights {
    stft: Tensor,
    convolutions: [(Tensor, Tensor, usize); 4],
    /// `weight_ih` and `weight_hh` side by side, transposed: (256, 512).
    lstm_weight: Tensor,
    /// `bias_ih + bias_hh`: (1, 512).
    lstm_bias: Tensor,
    /// (128, 1).
    final_weight: Tensor,
    final_bias: f32,
}

fn model_error(error: candle_core::Error) -> SpeechError {
    SpeechError::Vad(error.to_string())
}

impl SileroVad {
    /// Loads the model from the bytes of `silero_vad_16k.safetensors`.
    pub fn from_safetensors(bytes: &[u8]) -> Result<Self, SpeechError> {
        let device = Device::Cpu;
        let tensors = candle_core::safetensors::load_buffer(bytes, &device).map_err(model_error)?;
        let take = |name: &str| -> Result<Tensor, SpeechError> {
            tensors
                .get(name)
                .cloned()
                .ok_or_else(|| SpeechError::Vad(format!("the VAD model lacks {name}")))?
                .to_dtype(DType::F32)
                .map_err(model_error)
        };
        let stft = take("stft_conv.weight")?;
        if stft.dims() != [258, 1, 256] {
            return Err(SpeechError::Vad(format!(
                "unexpected STFT shape {:?}",
                stft.dims()
            )));
        }
        let convolution =
            |index: usize, stride: usize| -> Result<(Tensor, Tensor, usize), SpeechError> {
                Ok((
                    take(&format!("conv{index}.weight"))?,
                    take(&format!("conv{index}.bias"))?,
                    stride,
                ))
            };
        let lstm_weight = Tensor::cat(
            &[take("lstm_cell.weight_ih")?, take("lstm_cell.weight_hh")?],
            1,
        )
        .and_then(|weight| weight.t())
        .and_then(|weight| weight.contiguous())
        .map_err(model_error)?;
        let lstm_bias = (take("lstm_cell.bias_ih")? + take("lstm_cell.bias_hh")?)
            .and_then(|bias| bias.reshape((1, 4 * HIDDEN)))
            .map_err(model_error)?;
        let final_weight = take("final_conv.weight")?
            .reshape((1, HIDDEN))
            .and_then(|weight| weight.t())
            .and_then(|weight| weight.contiguous())
            .map_err(model_error)?;
        let final_bias = take("final_conv.bias")?
            .flatten_all()
            .and_then(|bias| bias.to_vec1::<f32>())
            .map_err(model_error)?
            .first()
            .copied()
            .ok_or_else(|| SpeechError::Vad("empty final bias".to_owned()))?;
        Ok(Self {
            weights: Arc::new(Weights {
                stft,
                convolutions: [
                    convolution(1, 1)?,
                    convolution(2, 2)?,
                    convolution(3, 2)?,
                    convolution(4, 1)?,
                ],
                lstm_weight,
                lstm_bias,
                final_weight,
                final_bias,
            }),
        })
    }

    /// A fresh stream: no context, zero LSTM state.
    pub fn stream(&self) -> VadStream {
        VadStream {
            model: self.clone(),
            context: vec![0.0; CONTEXT],
            hidden: vec![0.0; HIDDEN],
            cell: vec![0.0; HIDDEN],
            pending: Vec::new(),
        }
    }

    /// The speech probability of every 32 ms chunk of a 16 kHz signal (the last chunk padded with silence).
    pub fn probabilities(&self, samples: &[f32]) -> Result<Vec<f32>, SpeechError> {
        let mut stream = self.stream();
        let mut probabilities = stream.push(samples)?;
        let remainder = samples.len() % VAD_CHUNK;
        if remainder != 0 {
            probabilities.extend(stream.push(&vec![0.0; VAD_CHUNK - remainder])?);
        }
        Ok(probabilities)
    }
}

/// One audio stream through the VAD: carries the context samples and the LSTM state between chunks.
#[derive(Debug, Clone)]
pub struct VadStream {
    model: SileroVad,
    context: Vec<f32>,
    hidden: Vec<f32>,
    cell: Vec<f32>,
    /// Samples not yet making up a whole chunk.
    pending: Vec<f32>,
}

impl VadStream {
    /// Feeds 16 kHz samples; returns the speech probability of every chunk they complete.
    pub fn push(&mut self, samples: &[f32]) -> Result<Vec<f32>, SpeechError> {
        self.pending.extend_from_slice(samples);
        let mut probabilities = Vec::new();
        while self.pending.len() >= VAD_CHUNK {
            let chunk: Vec<f32> = self.pending.drain(..VAD_CHUNK).collect();
            probabilities.push(self.chunk(&chunk).map_err(model_error)?);
        }
        Ok(probabilities)
    }

    /// Forgets everything heard so far.
    pub fn reset(&mut self) {
        self.context.iter_mut().for_each(|sample| *sample = 0.0);
        self.hidden.iter_mut().for_each(|value| *value = 0.0);
        self.cell.iter_mut().for_each(|value| *value = 0.0);
        self.pending.clear();
    }

    fn chunk(&mut self, chunk: &[f32]) -> candle_core::Result<f32> {
        let weights = &self.model.weights;
        let device = Device::Cpu;
        let mut input = Vec::with_capacity(CONTEXT + VAD_CHUNK + RIGHT_PAD);
        input.extend_from_slice(&self.context);
        input.extend_from_slice(chunk);
        // Reflection padding, the edge sample not repeated.
        let length = input.len();
        for index in 0..RIGHT_PAD {
            input.push(input[length - 2 - index]);
        }
        self.context.copy_from_slice(&chunk[VAD_CHUNK - CONTEXT..]);

        let signal = Tensor::from_vec(input, (1, 1, CONTEXT + VAD_CHUNK + RIGHT_PAD), &device)?;
        let spectrum = signal.conv1d(&weights.stft, 0, 128, 1, 1)?;
        let real = spectrum.narrow(1, 0, CUTOFF)?;
        let imaginary = spectrum.narrow(1, CUTOFF, CUTOFF)?;
        let mut features = (real.sqr()? + imaginary.sqr()?)?.sqrt()?;
        for (weight, bias, stride) in &weights.convolutions {
            features = features
                .conv1d(weight, 1, *stride, 1, 1)?
                .broadcast_add(&bias.reshape((1, bias.dim(0)?, 1))?)?
                .relu()?;
        }
        // After two stride-2 convolutions a single frame is left: (1, 128, 1) -> (1, 128).
        let frames = features.dim(2)?;
        let features = features.narrow(2, frames - 1, 1)?.reshape((1, HIDDEN))?;
        let hidden = Tensor::from_slice(&self.hidden, (1, HIDDEN), &device)?;
        let gates = Tensor::cat(&[&features, &hidden], 1)?
            .matmul(&weights.lstm_weight)?
            .broadcast_add(&weights.lstm_bias)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        // PyTorch's gate order: input, forget, cell, output.
        let sigmoid = |value: f32| 1.0 / (1.0 + (-value).exp());
        for unit in 0..HIDDEN {
            let input_gate = sigmoid(gates[unit]);
            let forget_gate = sigmoid(gates[HIDDEN + unit]);
            let cell_input = gates[2 * HIDDEN + unit].tanh();
            let output_gate = sigmoid(gates[3 * HIDDEN + unit]);
            let cell = forget_gate * self.cell[unit] + input_gate * cell_input;
            self.cell[unit] = cell;
            self.hidden[unit] = output_gate * cell.tanh();
        }
        let activation: f32 = self
            .hidden
            .iter()
            .zip(weights.final_weight.flatten_all()?.to_vec1::<f32>()?)
            .map(|(hidden, weight)| hidden.max(0.0) * weight)
            .sum();
        Ok(sigmoid(activation + weights.final_bias))
    }
}

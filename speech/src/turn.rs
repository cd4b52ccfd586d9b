//! End-of-turn detection: telephone audio in, "the caller started speaking" and "the caller finished this
//! utterance" out.
//!
//! 8 kHz frames are resampled to 16 kHz and scored by the Silero VAD in 32 ms chunks. Speech starts after a few
//! voiced chunks in a row (a click or a cough is too short); the utterance keeps a little audio from before the
//! start so the first syllable is not clipped, and ends after a stretch of silence (the caller's pause) or at a
//! maximum length. Noise the VAD does not take for a voice never starts an utterance.

use crate::SpeechError;
use crate::resample::Resampler;
use crate::vad::{SileroVad, VAD_CHUNK, VAD_SAMPLE_RATE, VadStream};

/// Thresholds and durations of turn taking.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnOptions {
    /// A chunk at or above this speech probability is voiced.
    pub speech_threshold: f32,
    /// Below this a chunk is silent (between the two, the current state holds).
    pub silence_threshold: f32,
    /// Voiced chunks in a row that start an utterance.
    pub start_chunks: usize,
    /// Silence that ends an utterance, in milliseconds.
    pub end_silence_ms: u32,
    /// Audio kept from before the start, in milliseconds.
    pub pre_roll_ms: u32,
    /// The longest utterance, in milliseconds; a longer one is cut here.
    pub max_utterance_ms: u32,
}

impl Default for TurnOptions {
    fn default() -> Self {
        Self {
            speech_threshold: 0.5,
            silence_threshold: 0.35,
            start_chunks: 4,
            end_silence_ms: 600,
            pre_roll_ms: 320,
            max_utterance_ms: 15_000,
        }
    }
}

/// What the detector noticed in the audio it was given.
#[derive(Debug, Clone, PartialEq)]
pub enum TurnEvent {
    /// The caller began to speak (used for barge-in).
    SpeechStarted,
    /// The caller finished an utterance: its 16 kHz audio, with the pre-roll and a short tail of silence.
    SpeechEnded { samples: Vec<f32> },
}

const CHUNK_MS: u32 = (VAD_CHUNK as u32 * 1000) / VAD_SAMPLE_RATE;

/// One call's turn detector.
#[derive(Debug, Clone)]
pub struct TurnDetector {
    options: TurnOptions,
    resampler: Resampler,
    vad: VadStream,
    /// 16 kHz audio not yet scored, plus the chunks scored while idle (the pre-roll window).
    recent: Vec<f32>,
    /// The utterance being collected.
    utterance: Vec<f32>,
    speaking: bool,
    voiced_run: usize,
    silent_run: usize,
    /// 16 kHz samples waiting to complete a chunk.
    pending: Vec<f32>,
}

impl TurnDetector {
    /// A detector for audio at `input_rate` (8000 on a phone line).
    pub fn new(
        vad: &SileroVad,
        input_rate: u32,
        options: TurnOptions,
    ) -> Result<Self, SpeechError> {
        Ok(Self {
            options,
            resampler: Resampler::new(input_rate, VAD_SAMPLE_RATE)?,
            vad: vad.stream(),
            recent: Vec::new(),
            utterance: Vec::new(),
            speaking: false,
            voiced_run: 0,
            silent_run: 0,
            pending: Vec::new(),
        })
    }

    /// Whether an utterance is in progress.
    pub fn is_speaking(&self) -> bool {
        self.speaking
    }

    /// Feeds audio (as floats in [-1, 1) at the input rate); returns what happened.
    pub fn push(&mut self, samples: &[f32]) -> Result<Vec<TurnEvent>, SpeechError> {
        let resampled = self.resampler.process(samples);
        self.pending.extend_from_slice(&resampled);
        let mut events = Vec::new();
        while self.pending.len() >= VAD_CHUNK {
            let chunk: Vec<f32> = self.pending.drain(..VAD_CHUNK).collect();
            let probability = self.vad.push(&chunk)?.first().copied().unwrap_or(0.0);
            self.take_chunk(chunk, probability, &mut events);
        }
        Ok(events)
    }

    /// Ends the current utterance now (the caller hung up or pressed a key), returning it if there is one.
    pub fn flush(&mut self) -> Option<TurnEvent> {
        if !self.speaking {
            return None;
        }
        Some(self.finish_utterance())
    }

    /// Forgets the audio so far (after the bot has stopped listening for a while).
    pub fn reset(&mut self) {
        self.vad.reset();
        self.recent.clear();
        self.utterance.clear();
        self.pending.clear();
        self.speaking = false;
        self.voiced_run = 0;
        self.silent_run = 0;
    }

    fn chunks_for(&self, milliseconds: u32) -> usize {
        milliseconds.div_ceil(CHUNK_MS) as usize
    }

    fn take_chunk(&mut self, chunk: Vec<f32>, probability: f32, events: &mut Vec<TurnEvent>) {
        if self.speaking {
            self.utterance.extend_from_slice(&chunk);
            if probability < self.options.silence_threshold {
                self.silent_run += 1;
            } else if probability >= self.options.speech_threshold {
                self.silent_run = 0;
            }
            let too_long =
                self.utterance.len() >= self.chunks_for(self.options.max_utterance_ms) * VAD_CHUNK;
            if self.silent_run >= self.chunks_for(self.options.end_silence_ms) || too_long {
                events.push(self.finish_utterance());
            }
            return;
        }
        self.recent.extend_from_slice(&chunk);
        let keep =
            (self.chunks_for(self.options.pre_roll_ms) + self.options.start_chunks) * VAD_CHUNK;
        if self.recent.len() > keep {
            let excess = self.recent.len() - keep;
            self.recent.drain(..excess);
        }
        if probability >= self.options.speech_threshold {
            self.voiced_run += 1;
        } else {
            self.voiced_run = 0;
        }
        if self.voiced_run >= self.options.start_chunks {
            self.speaking = true;
            self.silent_run = 0;
            self.utterance = std::mem::take(&mut self.recent);
            events.push(TurnEvent::SpeechStarted);
        }
    }

    fn finish_utterance(&mut self) -> TurnEvent {
        self.speaking = false;
        self.voiced_run = 0;
        // Keep about 200 ms of the trailing silence.
        let tail_keep = self.chunks_for(200);
        let trim = self.silent_run.saturating_sub(tail_keep) * VAD_CHUNK;
        let length = self.utterance.len().saturating_sub(trim);
        self.utterance.truncate(length);
        self.silent_run = 0;
        TurnEvent::SpeechEnded {
            samples: std::mem::take(&mut self.utterance),
        }
    }
}

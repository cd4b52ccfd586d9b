//! End-of-turn detection: telephone audio in, "the caller started speaking" and "the caller finished this
//! utterance" out.
//!
//! 8 kHz frames are resampled to 16 kHz and scored by the Silero VAD in 32 ms chunks. Speech starts after a few
//! voiced chunks in a row (a click or a cough is too short); the utterance keeps a little audio from before the
//! start so the first syllable is not clipped, and ends after a stretch of silence (the caller's pause) or at a
//! maximum length. Noise the VAD does not take for a voice never starts an utterance.
//!
//! A shorter pause first makes the detector offer the utterance as it stands ("paused"), so that recognition can
//! run while the detector is still waiting to be sure the caller has finished. If the caller speaks again the offer
//! is withdrawn ("resumed"); if the pause lasts, the turn ends with the same audio and the early result stands.

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
    /// Silence after which the utterance so far is offered early ([`TurnEvent::SpeechPaused`]), in milliseconds;
    /// none, or one not shorter than `end_silence_ms`, offers nothing early.
    pub early_silence_ms: Option<u32>,
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
            early_silence_ms: Some(250),
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
    /// The caller has paused for the early silence: the utterance so far, as [`TurnEvent::SpeechEnded`] would
    /// carry it if the caller said nothing more. Recognition may start on it before the turn is over.
    SpeechPaused { samples: Vec<f32> },
    /// The caller spoke again after [`TurnEvent::SpeechPaused`]: that audio is not the whole utterance.
    SpeechResumed,
    /// The caller finished an utterance: its 16 kHz audio, with the pre-roll and a short tail of silence, and how
    /// long the caller had been silent when the turn was judged over (the end-of-turn wait).
    SpeechEnded {
        samples: Vec<f32>,
        trailing_silence_ms: u32,
    },
}

const CHUNK_MS: u32 = (VAD_CHUNK as u32 * 1000) / VAD_SAMPLE_RATE;
/// Trailing silence kept at the end of an utterance, in milliseconds.
const TAIL_KEEP_MS: u32 = 200;

/// One call's turn detector.
#[derive(Debug, Clone)]
pub struct TurnDetector {
    resampler: Resampler,
    vad: VadStream,
    /// 16 kHz samples waiting to complete a chunk.
    pending: Vec<f32>,
    turns: Turns,
}

impl TurnDetector {
    /// A detector for audio at `input_rate` (8000 on a phone line).
    pub fn new(
        vad: &SileroVad,
        input_rate: u32,
        options: TurnOptions,
    ) -> Result<Self, SpeechError> {
        Ok(Self {
            resampler: Resampler::new(input_rate, VAD_SAMPLE_RATE)?,
            vad: vad.stream(),
            pending: Vec::new(),
            turns: Turns::new(options),
        })
    }

    /// Whether an utterance is in progress.
    pub fn is_speaking(&self) -> bool {
        self.turns.speaking
    }

    /// Feeds audio (as floats in [-1, 1) at the input rate); returns what happened.
    pub fn push(&mut self, samples: &[f32]) -> Result<Vec<TurnEvent>, SpeechError> {
        let resampled = self.resampler.process(samples);
        self.pending.extend_from_slice(&resampled);
        let mut events = Vec::new();
        while self.pending.len() >= VAD_CHUNK {
            let chunk: Vec<f32> = self.pending.drain(..VAD_CHUNK).collect();
            let probability = self.vad.push(&chunk)?.first().copied().unwrap_or(0.0);
            self.turns.take_chunk(chunk, probability, &mut events);
        }
        Ok(events)
    }

    /// Ends the current utterance now (the caller hung up or pressed a key), returning it if there is one.
    pub fn flush(&mut self) -> Option<TurnEvent> {
        if !self.turns.speaking {
            return None;
        }
        Some(self.turns.finish_utterance())
    }

    /// Forgets the audio so far (after the bot has stopped listening for a while).
    pub fn reset(&mut self) {
        self.vad.reset();
        self.pending.clear();
        self.turns = Turns::new(self.turns.options.clone());
    }
}

/// Turn taking over scored chunks: the detector without its VAD.
#[derive(Debug, Clone)]
struct Turns {
    options: TurnOptions,
    /// The chunks scored while idle (the pre-roll window).
    recent: Vec<f32>,
    /// The utterance being collected.
    utterance: Vec<f32>,
    speaking: bool,
    voiced_run: usize,
    silent_run: usize,
    /// The utterance was offered early and no voice has come since.
    paused: bool,
}

impl Turns {
    fn new(options: TurnOptions) -> Self {
        Self {
            options,
            recent: Vec::new(),
            utterance: Vec::new(),
            speaking: false,
            voiced_run: 0,
            silent_run: 0,
            paused: false,
        }
    }

    fn chunks_for(milliseconds: u32) -> usize {
        milliseconds.div_ceil(CHUNK_MS) as usize
    }

    fn take_chunk(&mut self, chunk: Vec<f32>, probability: f32, events: &mut Vec<TurnEvent>) {
        if self.speaking {
            self.utterance.extend_from_slice(&chunk);
            if probability < self.options.silence_threshold {
                self.silent_run += 1;
            } else if probability >= self.options.speech_threshold {
                self.silent_run = 0;
                if self.paused {
                    self.paused = false;
                    events.push(TurnEvent::SpeechResumed);
                }
            }
            let end_chunks = Self::chunks_for(self.options.end_silence_ms);
            let too_long =
                self.utterance.len() >= Self::chunks_for(self.options.max_utterance_ms) * VAD_CHUNK;
            if self.silent_run >= end_chunks || too_long {
                events.push(self.finish_utterance());
                return;
            }
            if let Some(early) = self.options.early_silence_ms {
                let early_chunks = Self::chunks_for(early).max(1);
                if early_chunks < end_chunks && self.silent_run == early_chunks && !self.paused {
                    self.paused = true;
                    events.push(TurnEvent::SpeechPaused {
                        samples: self.utterance[..self.trimmed_length()].to_vec(),
                    });
                }
            }
            return;
        }
        self.recent.extend_from_slice(&chunk);
        let keep =
            (Self::chunks_for(self.options.pre_roll_ms) + self.options.start_chunks) * VAD_CHUNK;
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
            self.paused = false;
            self.utterance = std::mem::take(&mut self.recent);
            events.push(TurnEvent::SpeechStarted);
        }
    }

    /// The utterance's length with only about [`TAIL_KEEP_MS`] of its trailing silence.
    fn trimmed_length(&self) -> usize {
        let trim = self
            .silent_run
            .saturating_sub(Self::chunks_for(TAIL_KEEP_MS))
            * VAD_CHUNK;
        self.utterance.len().saturating_sub(trim)
    }

    fn finish_utterance(&mut self) -> TurnEvent {
        self.speaking = false;
        self.voiced_run = 0;
        self.paused = false;
        let length = self.trimmed_length();
        self.utterance.truncate(length);
        let trailing_silence_ms = self.silent_run as u32 * CHUNK_MS;
        self.silent_run = 0;
        TurnEvent::SpeechEnded {
            samples: std::mem::take(&mut self.utterance),
            trailing_silence_ms,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds one chunk per probability, each chunk filled with its index so that audio can be traced.
    fn feed(turns: &mut Turns, probabilities: &[f32]) -> Vec<TurnEvent> {
        let mut events = Vec::new();
        for probability in probabilities {
            turns.take_chunk(vec![*probability; VAD_CHUNK], *probability, &mut events);
        }
        events
    }

    fn kinds(events: &[TurnEvent]) -> Vec<&'static str> {
        events
            .iter()
            .map(|event| match event {
                TurnEvent::SpeechStarted => "started",
                TurnEvent::SpeechPaused { .. } => "paused",
                TurnEvent::SpeechResumed => "resumed",
                TurnEvent::SpeechEnded { .. } => "ended",
            })
            .collect()
    }

    #[test]
    fn a_long_pause_offers_the_utterance_early_and_ends_it_with_the_same_audio() {
        let mut turns = Turns::new(TurnOptions::default());
        let mut probabilities = vec![0.9; 30];
        probabilities.extend([0.0; 25]);
        let events = feed(&mut turns, &probabilities);
        assert_eq!(kinds(&events), ["started", "paused", "ended"]);
        let TurnEvent::SpeechPaused { samples: paused } = &events[1] else {
            unreachable!()
        };
        let TurnEvent::SpeechEnded {
            samples: ended,
            trailing_silence_ms,
        } = &events[2]
        else {
            unreachable!()
        };
        assert_eq!(
            paused, ended,
            "the early offer is the utterance the turn ends with"
        );
        // 600 ms is 19 chunks of 32 ms.
        assert_eq!(*trailing_silence_ms, 19 * 32);
        // All the voice, and 7 chunks (224 ms) of the silence after it.
        assert_eq!(ended.len(), (30 + 7) * VAD_CHUNK);
    }

    #[test]
    fn speech_after_the_early_offer_withdraws_it() {
        let mut turns = Turns::new(TurnOptions::default());
        let mut probabilities = vec![0.9; 20];
        probabilities.extend([0.0; 10]);
        probabilities.extend([0.9; 10]);
        probabilities.extend([0.0; 19]);
        let events = feed(&mut turns, &probabilities);
        assert_eq!(
            kinds(&events),
            ["started", "paused", "resumed", "paused", "ended"]
        );
        let TurnEvent::SpeechPaused { samples: first } = &events[1] else {
            unreachable!()
        };
        let TurnEvent::SpeechEnded { samples: ended, .. } = &events[4] else {
            unreachable!()
        };
        assert!(
            ended.len() > first.len() + 9 * VAD_CHUNK,
            "the utterance goes on after the pause"
        );
    }

    #[test]
    fn a_pause_shorter_than_the_early_silence_offers_nothing() {
        let mut turns = Turns::new(TurnOptions::default());
        let mut probabilities = vec![0.9; 20];
        probabilities.extend([0.0; 7]);
        probabilities.extend([0.9; 10]);
        let events = feed(&mut turns, &probabilities);
        assert_eq!(kinds(&events), ["started"]);
        let mut without_early = Turns::new(TurnOptions {
            early_silence_ms: None,
            ..TurnOptions::default()
        });
        let mut probabilities = vec![0.9; 20];
        probabilities.extend([0.0; 25]);
        assert_eq!(
            kinds(&feed(&mut without_early, &probabilities)),
            ["started", "ended"]
        );
    }
}

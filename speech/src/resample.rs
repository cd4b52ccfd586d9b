//! Sample-rate conversion by band-limited interpolation: each output sample is a windowed-sinc (Blackman) weighted sum
//! of the input around its position, with the cut-off at the lower of the two Nyquist frequencies so that
//! down-sampling (22.05 kHz synthesis to the 8 kHz phone line) does not alias.
//!
//! [`Resampler`] keeps the tail of the previous block, so audio arriving in 20 ms frames converts exactly as if it had
//! arrived in one piece.

use crate::SpeechError;

/// Zero crossings of the sinc on each side of the centre: the filter spans `2 * HALF_TAPS` input samples at the
/// output rate's cut-off.
const HALF_TAPS: usize = 16;

/// Converts a whole signal from `from_rate` to `to_rate`.
pub fn resample(samples: &[f32], from_rate: u32, to_rate: u32) -> Result<Vec<f32>, SpeechError> {
    let mut resampler = Resampler::new(from_rate, to_rate)?;
    let mut output = resampler.process(samples);
    output.extend(resampler.finish());
    Ok(output)
}

/// A streaming resampler between two fixed rates.
#[derive(Debug, Clone)]
pub struct Resampler {
    from_rate: u32,
    to_rate: u32,
    /// Input kept for the filter: everything from `history_start` on.
    history: Vec<f32>,
    /// The absolute index (in input samples) of `history[0]`.
    history_start: usize,
    /// Input samples received so far.
    received: usize,
    /// Output samples produced so far.
    produced: usize,
    /// Cut-off as a fraction of the input rate, times two (1.0 means the input's Nyquist frequency).
    cutoff: f64,
    /// Half-width of the filter in input samples.
    half_width: f64,
}

impl Resampler {
    pub fn new(from_rate: u32, to_rate: u32) -> Result<Self, SpeechError> {
        for rate in [from_rate, to_rate] {
            if rate == 0 || rate > 384_000 {
                return Err(SpeechError::UnsupportedRate(rate));
            }
        }
        let cutoff = (f64::from(to_rate) / f64::from(from_rate)).min(1.0);
        Ok(Self {
            from_rate,
            to_rate,
            history: Vec::new(),
            history_start: 0,
            received: 0,
            produced: 0,
            cutoff,
            half_width: HALF_TAPS as f64 / cutoff,
        })
    }

    /// The position, in input samples, of output sample `index`.
    fn position(&self, index: usize) -> f64 {
        index as f64 * f64::from(self.from_rate) / f64::from(self.to_rate)
    }

    /// Converts the next block and returns every output sample whose filter window is complete.
    pub fn process(&mut self, samples: &[f32]) -> Vec<f32> {
        self.history.extend_from_slice(samples);
        self.received += samples.len();
        self.drain(false)
    }

    /// Flushes the last samples, treating the input after the end as silence.
    pub fn finish(&mut self) -> Vec<f32> {
        self.drain(true)
    }

    fn drain(&mut self, at_end: bool) -> Vec<f32> {
        let mut output = Vec::new();
        let total_output = (self.received as f64 * f64::from(self.to_rate)
            / f64::from(self.from_rate))
        .round() as usize;
        loop {
            if at_end && self.produced >= total_output {
                break;
            }
            let centre = self.position(self.produced);
            let last_needed = (centre + self.half_width).floor() as usize;
            if !at_end && last_needed >= self.received {
                break;
            }
            if at_end && centre >= self.received as f64 + self.half_width {
                break;
            }
            output.push(self.interpolate(centre));
            self.produced += 1;
        }
        // Forget input that no later output sample can reach.
        let keep_from = (self.position(self.produced) - self.half_width)
            .floor()
            .max(0.0) as usize;
        if keep_from > self.history_start {
            let drop = (keep_from - self.history_start).min(self.history.len());
            self.history.drain(..drop);
            self.history_start += drop;
        }
        output
    }

    fn interpolate(&self, centre: f64) -> f32 {
        let first = (centre - self.half_width).ceil().max(0.0) as usize;
        let last = (centre + self.half_width).floor() as usize;
        let mut sum = 0.0f64;
        for index in first.max(self.history_start)..=last {
            let Some(&sample) = self.history.get(index - self.history_start) else {
                break;
            };
            let distance = index as f64 - centre;
            sum += f64::from(sample) * self.kernel(distance);
        }
        sum as f32
    }

    /// The windowed-sinc weight of an input sample `distance` input samples from the output position.
    fn kernel(&self, distance: f64) -> f64 {
        let scaled = distance * self.cutoff;
        let sinc = if scaled.abs() < 1e-9 {
            1.0
        } else {
            let angle = std::f64::consts::PI * scaled;
            angle.sin() / angle
        };
        // Blackman window over [-half_width, half_width].
        let phase = (distance / self.half_width + 1.0) * 0.5;
        if !(0.0..=1.0).contains(&phase) {
            return 0.0;
        }
        let tau = std::f64::consts::TAU * phase;
        let window = 0.42 - 0.5 * tau.cos() + 0.08 * (2.0 * tau).cos();
        self.cutoff * sinc * window
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(frequency: f64, rate: u32, seconds: f64) -> Vec<f32> {
        let count = (f64::from(rate) * seconds) as usize;
        (0..count)
            .map(|index| {
                (std::f64::consts::TAU * frequency * index as f64 / f64::from(rate)).sin() as f32
                    * 0.5
            })
            .collect()
    }

    /// The amplitude of `frequency` in `signal`, by correlating with a sine and a cosine.
    fn amplitude(signal: &[f32], frequency: f64, rate: u32) -> f64 {
        let (mut sine, mut cosine) = (0.0, 0.0);
        for (index, &sample) in signal.iter().enumerate() {
            let angle = std::f64::consts::TAU * frequency * index as f64 / f64::from(rate);
            sine += f64::from(sample) * angle.sin();
            cosine += f64::from(sample) * angle.cos();
        }
        2.0 * (sine * sine + cosine * cosine).sqrt() / signal.len() as f64
    }

    #[test]
    fn lengths_follow_the_rate_ratio() {
        for (from, to) in [
            (8_000, 16_000),
            (16_000, 8_000),
            (22_050, 8_000),
            (8_000, 22_050),
            (22_050, 16_000),
        ] {
            let input = tone(440.0, from, 1.0);
            let output = resample(&input, from, to).expect("valid rates");
            assert_eq!(output.len(), to as usize, "{from} -> {to}");
        }
    }

    #[test]
    fn a_tone_keeps_its_frequency_and_level() {
        for (from, to) in [(8_000, 16_000), (22_050, 8_000), (16_000, 8_000)] {
            let output = resample(&tone(1_000.0, from, 0.5), from, to).expect("valid rates");
            // Skip the edges, where the filter sees silence beyond the signal.
            let middle = &output[to as usize / 20..output.len() - to as usize / 20];
            let level = amplitude(middle, 1_000.0, to);
            assert!(
                (level - 0.5).abs() < 0.02,
                "{from} -> {to}: 1 kHz at {level}"
            );
            assert!(amplitude(middle, 1_700.0, to) < 0.01);
        }
    }

    #[test]
    fn down_sampling_removes_what_the_new_rate_cannot_carry() {
        // 6 kHz cannot exist at 8 kHz; without filtering it would fold over to 2 kHz.
        let output = resample(&tone(6_000.0, 22_050, 0.5), 22_050, 8_000).expect("valid rates");
        let middle = &output[400..output.len() - 400];
        assert!(
            amplitude(middle, 2_000.0, 8_000) < 0.01,
            "6 kHz aliased to 2 kHz"
        );
    }

    #[test]
    fn streaming_in_frames_equals_one_piece() {
        let input = tone(700.0, 8_000, 0.4);
        let whole = resample(&input, 8_000, 16_000).expect("valid rates");
        let mut resampler = Resampler::new(8_000, 16_000).expect("valid rates");
        let mut streamed = Vec::new();
        for frame in input.chunks(160) {
            streamed.extend(resampler.process(frame));
        }
        streamed.extend(resampler.finish());
        assert_eq!(streamed.len(), whole.len());
        for (a, b) in streamed.iter().zip(&whole) {
            assert!((a - b).abs() < 1e-6);
        }
    }

    #[test]
    fn zero_rates_are_refused() {
        assert_eq!(
            resample(&[0.0], 0, 8_000).unwrap_err(),
            SpeechError::UnsupportedRate(0)
        );
        assert!(Resampler::new(8_000, 0).is_err());
    }
}

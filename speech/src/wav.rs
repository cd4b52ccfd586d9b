//! Reading and writing RIFF WAVE audio in memory: 16-bit PCM, any rate, mono or interleaved channels mixed down
//! to mono. Enough for what the voice channel meets: espeak-ng's output (which, written to a pipe, states
//! impossible chunk sizes because it cannot seek back to fix them), recordings used to measure recognition, and
//! test fixtures.

use crate::SpeechError;

/// Mono audio at a known rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    pub sample_rate: u32,
    pub samples: Vec<i16>,
}

impl Audio {
    /// The length in seconds.
    pub fn seconds(&self) -> f64 {
        self.samples.len() as f64 / f64::from(self.sample_rate.max(1))
    }
}

fn read_u16(bytes: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?))
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

/// Decodes a 16-bit PCM WAVE file. A `data` chunk that claims more bytes than there are (a streamed header) is
/// taken to run to the end of the input.
pub fn decode_wav(bytes: &[u8]) -> Result<Audio, SpeechError> {
    let invalid = |reason: &str| SpeechError::InvalidWav(reason.to_owned());
    if bytes.get(0..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
        return Err(invalid("not a RIFF WAVE file"));
    }
    let mut position = 12;
    let mut format: Option<(u16, u16, u32, u16)> = None;
    while position + 8 <= bytes.len() {
        let id = &bytes[position..position + 4];
        let size =
            read_u32(bytes, position + 4).ok_or_else(|| invalid("truncated chunk"))? as usize;
        let body_start = position + 8;
        if id == b"fmt " {
            let audio_format = read_u16(bytes, body_start).ok_or_else(|| invalid("short fmt"))?;
            let channels = read_u16(bytes, body_start + 2).ok_or_else(|| invalid("short fmt"))?;
            let rate = read_u32(bytes, body_start + 4).ok_or_else(|| invalid("short fmt"))?;
            let bits = read_u16(bytes, body_start + 14).ok_or_else(|| invalid("short fmt"))?;
            format = Some((audio_format, channels, rate, bits));
        } else if id == b"data" {
            let (audio_format, channels, sample_rate, bits) =
                format.ok_or_else(|| invalid("data before fmt"))?;
            // 0xFFFE is WAVE_FORMAT_EXTENSIBLE, whose PCM subtype is what 16-bit writers use.
            if !(audio_format == 1 || audio_format == 0xFFFE) || bits != 16 {
                return Err(invalid(&format!(
                    "only 16-bit PCM is supported (format {audio_format}, {bits} bits)"
                )));
            }
            if channels == 0 || sample_rate == 0 {
                return Err(invalid("zero channels or sample rate"));
            }
            let end = body_start.saturating_add(size).min(bytes.len());
            let data = &bytes[body_start..end];
            let frame_bytes = 2 * usize::from(channels);
            let samples = data
                .chunks_exact(frame_bytes)
                .map(|frame| {
                    let sum: i32 = frame
                        .chunks_exact(2)
                        .map(|pair| i32::from(i16::from_le_bytes([pair[0], pair[1]])))
                        .sum();
                    (sum / i32::from(channels)) as i16
                })
                .collect();
            return Ok(Audio {
                sample_rate,
                samples,
            });
        }
        position = body_start.saturating_add(size + (size & 1));
    }
    Err(invalid("no data chunk"))
}

/// Encodes mono 16-bit PCM as a WAVE file.
pub fn encode_wav(audio: &Audio) -> Vec<u8> {
    let data_bytes = (audio.samples.len() * 2) as u32;
    let mut bytes = Vec::with_capacity(44 + data_bytes as usize);
    bytes.extend_from_slice(b"RIFF");
    bytes.extend_from_slice(&(36 + data_bytes).to_le_bytes());
    bytes.extend_from_slice(b"WAVEfmt ");
    bytes.extend_from_slice(&16_u32.to_le_bytes());
    bytes.extend_from_slice(&1_u16.to_le_bytes());
    bytes.extend_from_slice(&1_u16.to_le_bytes());
    bytes.extend_from_slice(&audio.sample_rate.to_le_bytes());
    bytes.extend_from_slice(&(audio.sample_rate * 2).to_le_bytes());
    bytes.extend_from_slice(&2_u16.to_le_bytes());
    bytes.extend_from_slice(&16_u16.to_le_bytes());
    bytes.extend_from_slice(b"data");
    bytes.extend_from_slice(&data_bytes.to_le_bytes());
    for sample in &audio.samples {
        bytes.extend_from_slice(&sample.to_le_bytes());
    }
    bytes
}

/// 16-bit samples as floats in [-1, 1).
pub fn to_f32(samples: &[i16]) -> Vec<f32> {
    samples
        .iter()
        .map(|&sample| f32::from(sample) / 32768.0)
        .collect()
}

/// Floats as 16-bit samples, clipped.
pub fn to_i16(samples: &[f32]) -> Vec<i16> {
    samples
        .iter()
        .map(|&sample| (sample * 32768.0).round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_reads_back_the_same() {
        let audio = Audio {
            sample_rate: 8000,
            samples: vec![0, 1, -1, 32767, -32768, 1234],
        };
        assert_eq!(decode_wav(&encode_wav(&audio)).expect("valid"), audio);
    }

    #[test]
    fn a_streamed_header_with_an_impossible_size_reads_to_the_end() {
        let audio = Audio {
            sample_rate: 22050,
            samples: vec![5, -5, 7],
        };
        let mut bytes = encode_wav(&audio);
        bytes[40..44].copy_from_slice(&0x7fff_f000_u32.to_le_bytes());
        assert_eq!(decode_wav(&bytes).expect("valid").samples, vec![5, -5, 7]);
    }

    #[test]
    fn stereo_is_mixed_down_and_garbage_is_refused() {
        let mut bytes = encode_wav(&Audio {
            sample_rate: 16000,
            samples: vec![100, 300, -10, -30],
        });
        bytes[22] = 2; // two channels
        bytes[32] = 4; // block align
        assert_eq!(decode_wav(&bytes).expect("valid").samples, vec![200, -20]);
        assert!(matches!(
            decode_wav(b"not audio at all"),
            Err(SpeechError::InvalidWav(_))
        ));
        let mut float_file = encode_wav(&Audio {
            sample_rate: 16000,
            samples: vec![1],
        });
        float_file[20] = 3; // IEEE float
        assert!(decode_wav(&float_file).is_err());
    }

    #[test]
    fn conversions_between_integer_and_float_samples_round_trip() {
        let samples = vec![0, 16384, -16384, 32767, -32768];
        assert_eq!(to_i16(&to_f32(&samples)), samples);
        assert_eq!(to_i16(&[2.0, -2.0]), vec![32767, -32768]);
    }
}

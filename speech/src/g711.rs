//! ITU-T G.711 companding: 16-bit linear PCM to and from 8-bit mu-law and A-law.
//!
//! Mu-law adds a bias of 0x84, finds the segment (exponent) of the biased magnitude, keeps four mantissa bits and
//! stores the inverted result; A-law has no bias, a linear first segment, and inverts every other bit (XOR 0x55).
//! Decoding reconstructs the middle of each quantisation step, so that `decode(encode(x))` is within half a step of
//! `x`, and `encode(decode(b)) == b` for every code byte except the redundant negative zero of mu-law.

const MULAW_BIAS: i32 = 0x84;
const MULAW_CLIP: i32 = 32_635;

/// Encodes one linear sample as mu-law.
pub fn mulaw_encode_sample(sample: i16) -> u8 {
    let mut value = i32::from(sample);
    let sign = if value < 0 {
        value = -value;
        0x80
    } else {
        0x00
    };
    value = value.min(MULAW_CLIP) + MULAW_BIAS;
    // The segment is the position of the highest set bit above bit 7, from 0 to 7.
    let exponent = (31 - (value as u32).leading_zeros())
        .saturating_sub(7)
        .min(7) as i32;
    let mantissa = (value >> (exponent + 3)) & 0x0F;
    !(sign | (exponent << 4) as u8 | mantissa as u8)
}

/// Decodes one mu-law byte to a linear sample.
pub fn mulaw_decode_sample(byte: u8) -> i16 {
    let byte = !byte;
    let sign = byte & 0x80;
    let exponent = i32::from((byte >> 4) & 0x07);
    let mantissa = i32::from(byte & 0x0F);
    let magnitude = (((mantissa << 3) + MULAW_BIAS) << exponent) - MULAW_BIAS;
    if sign != 0 {
        -magnitude as i16
    } else {
        magnitude as i16
    }
}

/// Encodes one linear sample as A-law.
pub fn alaw_encode_sample(sample: i16) -> u8 {
    let value = i32::from(sample);
    let (sign, magnitude) = if value >= 0 {
        (0x80, value)
    } else {
        (0x00, -value - 1)
    };
    // A-law works on 13-bit magnitudes.
    let magnitude = (magnitude >> 3).min(0x0FFF);
    let code = if magnitude < 32 {
        magnitude >> 1
    } else {
        let exponent = (31 - (magnitude as u32).leading_zeros()) as i32 - 4;
        let mantissa = (magnitude >> exponent) & 0x0F;
        (exponent << 4) | mantissa
    };
    ((sign | code) ^ 0x55) as u8
}

/// Decodes one A-law byte to a linear sample.
pub fn alaw_decode_sample(byte: u8) -> i16 {
    let byte = i32::from(byte ^ 0x55);
    let positive = byte & 0x80 != 0;
    let exponent = (byte >> 4) & 0x07;
    let mantissa = byte & 0x0F;
    let magnitude = if exponent == 0 {
        (mantissa << 4) + 8
    } else {
        ((mantissa << 4) + 0x108) << (exponent - 1)
    };
    if positive {
        magnitude as i16
    } else {
        -magnitude as i16
    }
}

/// Encodes linear samples as mu-law bytes.
pub fn mulaw_encode(samples: &[i16]) -> Vec<u8> {
    samples
        .iter()
        .map(|&sample| mulaw_encode_sample(sample))
        .collect()
}

/// Decodes mu-law bytes to linear samples.
pub fn mulaw_decode(bytes: &[u8]) -> Vec<i16> {
    bytes
        .iter()
        .map(|&byte| mulaw_decode_sample(byte))
        .collect()
}

/// Encodes linear samples as A-law bytes.
pub fn alaw_encode(samples: &[i16]) -> Vec<u8> {
    samples
        .iter()
        .map(|&sample| alaw_encode_sample(sample))
        .collect()
}

/// Decodes A-law bytes to linear samples.
pub fn alaw_decode(bytes: &[u8]) -> Vec<i16> {
    bytes.iter().map(|&byte| alaw_decode_sample(byte)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mulaw_matches_the_standard_code_points() {
        // Silence is 0xFF, full scale positive 0x80, full scale negative 0x00 (G.711 table 2).
        assert_eq!(mulaw_encode_sample(0), 0xFF);
        assert_eq!(mulaw_encode_sample(i16::MAX), 0x80);
        assert_eq!(mulaw_encode_sample(i16::MIN), 0x00);
        assert_eq!(mulaw_decode_sample(0xFF), 0);
        assert_eq!(mulaw_decode_sample(0x80), 32_124);
        assert_eq!(mulaw_decode_sample(0x00), -32_124);
    }

    #[test]
    fn alaw_matches_the_standard_code_points() {
        // The smallest positive step is 0xD5, the smallest negative 0x55 (even bits inverted).
        assert_eq!(alaw_encode_sample(0), 0xD5);
        assert_eq!(alaw_encode_sample(-1), 0x55);
        assert_eq!(alaw_encode_sample(i16::MAX), 0xAA);
        assert_eq!(alaw_encode_sample(i16::MIN), 0x2A);
        assert_eq!(alaw_decode_sample(0xD5), 8);
        assert_eq!(alaw_decode_sample(0xAA), 32_256);
        assert_eq!(alaw_decode_sample(0x2A), -32_256);
    }

    #[test]
    fn every_code_byte_survives_a_round_trip() {
        for byte in 0..=255u8 {
            // 0x7F is mu-law's negative zero; it decodes to 0, which encodes as positive zero.
            if byte != 0x7F {
                assert_eq!(
                    mulaw_encode_sample(mulaw_decode_sample(byte)),
                    byte,
                    "mu-law {byte:#04x}"
                );
            }
            assert_eq!(
                alaw_encode_sample(alaw_decode_sample(byte)),
                byte,
                "A-law {byte:#04x}"
            );
        }
    }

    #[test]
    fn quantisation_error_stays_within_the_segment_step() {
        for sample in (i16::MIN..=i16::MAX).step_by(7) {
            let value = i32::from(sample);
            let mulaw_error =
                (i32::from(mulaw_decode_sample(mulaw_encode_sample(sample))) - value).abs();
            let alaw_error =
                (i32::from(alaw_decode_sample(alaw_encode_sample(sample))) - value).abs();
            // Each segment's step is at most 1/16 of the magnitudes it covers, and decoding lands mid-step.
            let bound = value.abs() / 16 + 16;
            assert!(
                mulaw_error <= bound,
                "mu-law error {mulaw_error} at {sample}"
            );
            assert!(alaw_error <= bound, "A-law error {alaw_error} at {sample}");
        }
    }

    #[test]
    fn sign_is_kept() {
        for sample in [-20_000i16, -1_000, -50, 50, 1_000, 20_000] {
            assert_eq!(
                mulaw_decode_sample(mulaw_encode_sample(sample)).signum(),
                sample.signum()
            );
            assert_eq!(
                alaw_decode_sample(alaw_encode_sample(sample)).signum(),
                sample.signum()
            );
        }
    }
}

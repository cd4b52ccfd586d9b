//! Conversions between IEEE 754 half precision (binary16), bfloat16 and single precision, written out by hand so the
//! importer needs no numeric crate. Widening is exact; narrowing rounds to the nearest value with ties to even, the
//! rounding numpy's `astype(float16)` uses, so converted weights match the reference tools bit for bit.

/// Widens a binary16 value, given by its bit pattern, to `f32`. Every binary16 value is exactly representable.
pub fn f16_bits_to_f32(bits: u16) -> f32 {
    let sign = u32::from(bits & 0x8000) << 16;
    let exponent = u32::from((bits >> 10) & 0x1f);
    let mantissa = u32::from(bits & 0x03ff);
    let magnitude_bits = match exponent {
        0 if mantissa == 0 => 0,
        // A subnormal half is `mantissa * 2^-24`; both factors are exact in `f32`, and so is their product.
        0 => (mantissa as f32 * f32::from_bits(0x3380_0000)).to_bits(),
        0x1f => 0x7f80_0000 | (mantissa << 13),
        _ => ((exponent + 112) << 23) | (mantissa << 13),
    };
    f32::from_bits(sign | magnitude_bits)
}

/// Widens a bfloat16 value, given by its bit pattern, to `f32`: bfloat16 is the upper half of an `f32`.
pub fn bf16_bits_to_f32(bits: u16) -> f32 {
    f32::from_bits(u32::from(bits) << 16)
}

/// Narrows an `f32` to the nearest binary16 value (ties to even) and returns its bit pattern. Values too large for
/// binary16 become infinities, tiny values become subnormals or signed zeros, and NaNs stay NaNs.
pub fn f32_to_f16_bits(value: f32) -> u16 {
    let bits = value.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let magnitude = bits & 0x7fff_ffff;

    if magnitude >= 0x7f80_0000 {
        if magnitude == 0x7f80_0000 {
            return sign | 0x7c00;
        }
        // Keep the top of the NaN payload, but never let it collapse into the pattern of an infinity.
        let payload = ((magnitude >> 13) & 0x03ff) as u16;
        return sign | 0x7c00 | payload.max(1);
    }
    // 65520 is halfway between the largest half (65504) and the next power of two; from there on, round to infinity.
    if magnitude >= 0x477f_f000 {
        return sign | 0x7c00;
    }
    // Below 2^-14 the result is subnormal (or zero): count in units of 2^-24, the smallest subnormal.
    if magnitude < 0x3880_0000 {
        // Up to and including 2^-25, half of the smallest subnormal, the value rounds to zero (the tie goes to even).
        if magnitude <= 0x3300_0000 {
            return sign;
        }
        let exponent = magnitude >> 23;
        let significand = (magnitude & 0x007f_ffff) | 0x0080_0000;
        let shift = 126 - exponent;
        let quotient = significand >> shift;
        let remainder = significand & ((1 << shift) - 1);
        let halfway = 1 << (shift - 1);
        let rounded = if remainder > halfway || (remainder == halfway && quotient & 1 == 1) {
            quotient + 1
        } else {
            quotient
        };
        // A carry out of the subnormal range lands exactly on the smallest normal pattern, which is correct.
        return sign | rounded as u16;
    }
    let exponent = (magnitude >> 23) - 112;
    let mantissa = magnitude & 0x007f_ffff;
    let truncated = (exponent << 10) | (mantissa >> 13);
    let remainder = mantissa & 0x1fff;
    let rounded = if remainder > 0x1000 || (remainder == 0x1000 && truncated & 1 == 1) {
        truncated + 1
    } else {
        truncated
    };
    // A carry out of the mantissa correctly bumps the exponent; the overflow check above keeps it below infinity.
    sign | rounded as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rounds through `f64` by brute force: the nearest of the non-negative finite halves to the magnitude, ties to
    /// the even pattern, with the sign put back afterwards.
    fn nearest_half_by_search(value: f32, finite_halves: &[(u16, f64)]) -> u16 {
        let target = f64::from(value.abs());
        let mut best = finite_halves[0];
        for &candidate in finite_halves {
            let candidate_distance = (candidate.1 - target).abs();
            let best_distance = (best.1 - target).abs();
            if candidate_distance < best_distance
                || (candidate_distance == best_distance && candidate.0 & 1 == 0 && best.0 & 1 == 1)
            {
                best = candidate;
            }
        }
        best.0 | if value.is_sign_negative() { 0x8000 } else { 0 }
    }

    #[test]
    fn every_finite_half_survives_a_round_trip_through_f32() {
        for bits in 0..=u16::MAX {
            let widened = f16_bits_to_f32(bits);
            if widened.is_nan() {
                assert!(
                    f16_bits_to_f32(f32_to_f16_bits(widened)).is_nan(),
                    "NaN pattern {bits:#06x}"
                );
            } else {
                assert_eq!(
                    f32_to_f16_bits(widened),
                    bits,
                    "pattern {bits:#06x} widened to {widened}"
                );
            }
        }
    }

    #[test]
    fn widening_gives_the_textbook_values() {
        assert_eq!(f16_bits_to_f32(0x3c00), 1.0);
        assert_eq!(f16_bits_to_f32(0xc000), -2.0);
        assert_eq!(f16_bits_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_bits_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_bits_to_f32(0x0400), 2f32.powi(-14));
        assert_eq!(f16_bits_to_f32(0x7c00), f32::INFINITY);
        assert_eq!(f16_bits_to_f32(0x8000).to_bits(), 0x8000_0000);
        assert_eq!(bf16_bits_to_f32(0x3f80), 1.0);
        assert_eq!(bf16_bits_to_f32(0xc2f7), -123.5);
    }

    #[test]
    fn narrowing_rounds_ties_to_even_at_every_scale() {
        // Halfway between 1 and the next half (1 + 2^-10) goes down to the even 1; the next tie goes up.
        assert_eq!(f32_to_f16_bits(1.0 + 2f32.powi(-11)), 0x3c00);
        assert_eq!(f32_to_f16_bits(1.0 + 3.0 * 2f32.powi(-11)), 0x3c02);
        assert_eq!(f32_to_f16_bits(65519.0), 0x7bff);
        assert_eq!(f32_to_f16_bits(65520.0), 0x7c00);
        assert_eq!(f32_to_f16_bits(-1.0e9), 0xfc00);
        assert_eq!(f32_to_f16_bits(2f32.powi(-25)), 0x0000);
        assert_eq!(f32_to_f16_bits(-(2f32.powi(-25))), 0x8000);
        assert_eq!(f32_to_f16_bits(3.0 * 2f32.powi(-25)), 0x0002);
        assert_eq!(f32_to_f16_bits(2f32.powi(-14) - 2f32.powi(-26)), 0x0400);
        assert!(f16_bits_to_f32(f32_to_f16_bits(f32::NAN)).is_nan());
    }

    #[test]
    fn narrowing_agrees_with_a_brute_force_nearest_search() {
        let finite_halves: Vec<(u16, f64)> = (0..=u16::MAX)
            .filter(|bits| bits & 0x7c00 != 0x7c00 && bits & 0x8000 == 0)
            .map(|bits| (bits, f64::from(f16_bits_to_f32(bits))))
            .collect();
        // A fixed linear congruential sequence of f32 patterns inside the finite half range, including subnormals.
        let mut state: u32 = 0x1234_5678;
        for _ in 0..300 {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let magnitude = 0x3000_0000 + state % (0x477f_e000 - 0x3000_0000);
            let value = f32::from_bits(magnitude | (state & 0x8000_0000));
            assert_eq!(
                f32_to_f16_bits(value),
                nearest_half_by_search(value, &finite_halves),
                "value {value:e} ({:#010x})",
                value.to_bits()
            );
        }
    }
}

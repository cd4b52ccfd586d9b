//! The mel filter bank Whisper's front end applies to the power spectrum: triangular filters evenly spaced on the
//! Slaney mel scale (linear below 1 kHz, logarithmic above) with Slaney's area normalisation, as librosa builds them
//! and as OpenAI ships them in `mel_filters.npz`. whisper.cpp reads the bank from the model file, so the importer
//! computes it here: `mel_bins` rows of `fft_size / 2 + 1` weights.
//!
//! The arithmetic is done in `f64`, in the same order as the reference implementation, and rounded to `f32` only at
//! the end, so the result is bit-identical to the reference converter's.

/// The sample rate Whisper's audio front end works at.
pub const WHISPER_SAMPLE_RATE: u32 = 16_000;

/// The FFT window length of Whisper's short-time Fourier transform (25 ms at 16 kHz).
pub const WHISPER_FFT_SIZE: usize = 400;

/// Hertz per mel on the linear part of the Slaney scale.
const LINEAR_HERTZ_PER_MEL: f64 = 200.0 / 3.0;

/// Where the Slaney scale turns logarithmic.
const LOGARITHMIC_REGION_START_HERTZ: f64 = 1000.0;

/// The mel value at which the logarithmic region starts.
fn logarithmic_region_start_mel() -> f64 {
    LOGARITHMIC_REGION_START_HERTZ / LINEAR_HERTZ_PER_MEL
}

/// The natural-log step per mel in the logarithmic region: a factor of 6.4 every 27 mels.
fn logarithmic_step() -> f64 {
    6.4_f64.ln() / 27.0
}

/// Converts a frequency to the Slaney mel scale.
pub fn hertz_to_slaney_mel(hertz: f64) -> f64 {
    if hertz >= LOGARITHMIC_REGION_START_HERTZ {
        logarithmic_region_start_mel()
            + (hertz.max(1e-10) / LOGARITHMIC_REGION_START_HERTZ).ln() / logarithmic_step()
    } else {
        hertz / LINEAR_HERTZ_PER_MEL
    }
}

/// Converts a Slaney mel value back to a frequency.
pub fn slaney_mel_to_hertz(mel: f64) -> f64 {
    if mel >= logarithmic_region_start_mel() {
        LOGARITHMIC_REGION_START_HERTZ
            * (logarithmic_step() * (mel - logarithmic_region_start_mel())).exp()
    } else {
        LINEAR_HERTZ_PER_MEL * mel
    }
}

/// `count` evenly spaced values from `start` to `stop` inclusive, computed as `start + index * step` with the last
/// value set to `stop` exactly (numpy's `linspace`).
fn evenly_spaced(start: f64, stop: f64, count: usize) -> Vec<f64> {
    if count == 1 {
        return vec![start];
    }
    let step = (stop - start) / (count - 1) as f64;
    let mut values: Vec<f64> = (0..count)
        .map(|index| index as f64 * step + start)
        .collect();
    if let Some(last) = values.last_mut() {
        *last = stop;
    }
    values
}

/// Builds the filter bank: `mel_bins` rows, each with `fft_size / 2 + 1` weights for the FFT bins from 0 Hz to the
/// Nyquist frequency, row-major.
pub fn slaney_mel_filter_bank(sample_rate: u32, fft_size: usize, mel_bins: usize) -> Vec<f32> {
    let nyquist = f64::from(sample_rate) / 2.0;
    let frequency_bins = fft_size / 2 + 1;
    let bin_frequencies = evenly_spaced(0.0, nyquist, frequency_bins);
    // Filter `i` rises from edge `i` to a peak at edge `i + 1` and falls back to zero at edge `i + 2`.
    let edge_frequencies: Vec<f64> = evenly_spaced(
        hertz_to_slaney_mel(0.0),
        hertz_to_slaney_mel(nyquist),
        mel_bins + 2,
    )
    .into_iter()
    .map(slaney_mel_to_hertz)
    .collect();

    let mut weights = Vec::with_capacity(mel_bins * frequency_bins);
    for filter in 0..mel_bins {
        let (lower_edge, centre, upper_edge) = (
            edge_frequencies[filter],
            edge_frequencies[filter + 1],
            edge_frequencies[filter + 2],
        );
        let rising_width = centre - lower_edge;
        let falling_width = upper_edge - centre;
        // Slaney normalisation: scale each triangle so that its area is the same for every filter.
        let area_normalisation = 2.0 / (upper_edge - lower_edge);
        for &frequency in &bin_frequencies {
            let rising = -(lower_edge - frequency) / rising_width;
            let falling = (upper_edge - frequency) / falling_width;
            let triangle = if rising < falling { rising } else { falling };
            // Clamp negatives to zero but keep a zero's sign, as the reference does: the very first weight, where
            // the rising edge starts exactly at 0 Hz, is a negative zero in the shipped filters.
            let clamped = if triangle < 0.0 { 0.0 } else { triangle };
            weights.push((clamped * area_normalisation) as f32);
        }
    }
    weights
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_is_linear_below_one_kilohertz_and_logarithmic_above() {
        assert_eq!(hertz_to_slaney_mel(0.0), 0.0);
        assert!((hertz_to_slaney_mel(500.0) - 7.5).abs() < 1e-12);
        assert!((hertz_to_slaney_mel(1000.0) - 15.0).abs() < 1e-12);
        // Each factor of 6.4 in frequency adds 27 mels above 1 kHz.
        assert!((hertz_to_slaney_mel(6400.0) - 42.0).abs() < 1e-9);
        for hertz in [10.0, 999.0, 1000.0, 2500.0, 8000.0] {
            assert!((slaney_mel_to_hertz(hertz_to_slaney_mel(hertz)) - hertz).abs() < 1e-9 * hertz);
        }
    }

    #[test]
    fn each_filter_is_a_triangle_of_unit_area_between_its_edges() {
        let bins = WHISPER_FFT_SIZE / 2 + 1;
        let bank = slaney_mel_filter_bank(WHISPER_SAMPLE_RATE, WHISPER_FFT_SIZE, 80);
        assert_eq!(bank.len(), 80 * bins);
        let bin_width = f64::from(WHISPER_SAMPLE_RATE) / WHISPER_FFT_SIZE as f64;
        let mut previous_peak = 0;
        for (filter, row) in bank.chunks(bins).enumerate() {
            assert!(
                row.iter().all(|&weight| weight >= 0.0),
                "filter {filter} has a negative weight"
            );
            let peak = (0..bins)
                .max_by(|&a, &b| row[a].total_cmp(&row[b]))
                .unwrap_or(0);
            assert!(
                peak >= previous_peak,
                "filter {filter} peaks below its predecessor"
            );
            previous_peak = peak;
            // The weights rise to the peak and fall after it.
            assert!(
                row[..=peak].windows(2).all(|pair| pair[0] <= pair[1]),
                "filter {filter} does not rise"
            );
            assert!(
                row[peak..].windows(2).all(|pair| pair[0] >= pair[1]),
                "filter {filter} does not fall"
            );
            // Sampled every 40 Hz, a triangle of unit area in Hz sums to about 1 / 40; the narrow low filters span
            // only two or three bins, so their sampled area is rougher than that of the wide high ones.
            let area = row.iter().map(|&weight| f64::from(weight)).sum::<f64>() * bin_width;
            let tolerance = if filter >= 50 { 0.02 } else { 0.1 };
            assert!(
                (area - 1.0).abs() < tolerance,
                "filter {filter} has area {area}"
            );
        }
        assert_eq!(
            bank[0].to_bits(),
            0x8000_0000,
            "the first weight is the reference's negative zero"
        );
    }

    #[test]
    fn matches_weights_of_the_reference_converter() {
        // Weights of the 80-bin bank, written down from the reference converter's `melfilters80.bytes`; the whole
        // bank is checked bit for bit by the integration test, through the hash of the converted model.
        let bank = slaney_mel_filter_bank(WHISPER_SAMPLE_RATE, WHISPER_FFT_SIZE, 80);
        let bins = WHISPER_FFT_SIZE / 2 + 1;
        for (filter, bin, expected_bits) in REFERENCE_WEIGHTS {
            assert_eq!(
                bank[filter * bins + bin].to_bits(),
                expected_bits,
                "filter {filter}, bin {bin}"
            );
        }
    }

    const REFERENCE_WEIGHTS: [(usize, usize, u32); 8] = [
        (0, 1, 0x3ccb_aca4),
        (0, 2, 0),
        (1, 1, 0x3b02_7873),
        (1, 2, 0x3cbb_5d95),
        (40, 43, 0x3c71_6d71),
        (40, 44, 0x3bd5_968a),
        (79, 192, 0x3b4f_670d),
        (79, 199, 0x39eb_476b),
    ];
}

//! Measuring a spelling corrector on SIGHAN-style pairs (a sentence as written, a tab, the sentence as it should
//! be), as in pycorrector's `sighan2015_test.tsv`.
//!
//! The scores are the usual sentence-level ones. A sentence is *detected* when the corrector changed exactly the
//! positions where the written and the right sentence differ, and *corrected* when its output equals the right
//! sentence. Precision divides by the sentences the corrector changed, recall by the sentences that hold an error.
//! Character-level scores count changed positions the same way, and the false-alarm rate is the share of
//! error-free sentences the corrector changed, the number a conservative corrector must keep near zero. Pairs
//! whose correct sentence is longer or shorter count as errors no one-for-one corrector can fix.

use serde::Serialize;

use crate::NluError;

/// One written sentence and its correct form, usually of equal length in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpellingPair {
    pub written: String,
    pub correct: String,
}

/// Reads `written<TAB>correct` lines; empty lines and lines starting with `#` are skipped. A line without a tab
/// is an error naming the line.
pub fn parse_pairs(source_name: &str, text: &str) -> Result<Vec<SpellingPair>, NluError> {
    let mut pairs = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let error = |message: &str| NluError::Data {
            source_name: source_name.to_owned(),
            line: index + 1,
            message: message.to_owned(),
        };
        let (written, correct) = line
            .split_once('\t')
            .ok_or_else(|| error("expected a written sentence, a tab and the correct sentence"))?;
        pairs.push(SpellingPair {
            written: written.to_owned(),
            correct: correct.to_owned(),
        });
    }
    Ok(pairs)
}

/// Scores of a corrector on a set of pairs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpellingReport {
    pub sentences: usize,
    /// Sentences whose written form holds at least one error.
    pub sentences_with_errors: usize,
    /// Sentences the corrector changed.
    pub sentences_changed: usize,
    pub detection_precision: f64,
    pub detection_recall: f64,
    pub detection_f1: f64,
    pub correction_precision: f64,
    pub correction_recall: f64,
    pub correction_f1: f64,
    /// Character level: changed positions that were errors, over all changed positions and all error positions.
    pub char_detection_precision: f64,
    pub char_detection_recall: f64,
    pub char_correction_precision: f64,
    pub char_correction_recall: f64,
    /// Error-free sentences the corrector changed, over all error-free sentences.
    pub false_alarm_rate: f64,
    /// Output that did not keep the input's length (always 0 for a one-for-one corrector).
    pub length_changes: usize,
    /// Pairs whose correct sentence adds or drops characters (10 of SIGHAN-2015's 707). They count as sentences
    /// with errors that were neither detected nor corrected, since no position can be compared; a one-for-one
    /// corrector cannot fix them.
    pub unequal_length_pairs: usize,
}

fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

/// Runs `corrector` over every written sentence and scores its output.
pub fn evaluate(pairs: &[SpellingPair], corrector: impl Fn(&str) -> String) -> SpellingReport {
    let mut with_errors = 0;
    let mut changed_sentences = 0;
    let mut detected_sentences = 0;
    let mut corrected_sentences = 0;
    let mut error_free = 0;
    let mut false_alarms = 0;
    let mut length_changes = 0;
    let mut unequal_length_pairs = 0;
    let (mut error_chars, mut changed_chars, mut detected_chars, mut corrected_chars) =
        (0, 0, 0, 0);
    for pair in pairs {
        let written: Vec<char> = pair.written.chars().collect();
        let correct: Vec<char> = pair.correct.chars().collect();
        let output: Vec<char> = corrector(&pair.written).chars().collect();
        if output.len() != written.len() {
            length_changes += 1;
        }
        if correct.len() != written.len() {
            unequal_length_pairs += 1;
            with_errors += 1;
            if output != written {
                changed_sentences += 1;
            }
            continue;
        }
        let errors: Vec<usize> = (0..written.len())
            .filter(|&index| written[index] != correct[index])
            .collect();
        let changes: Vec<usize> = (0..written.len())
            .filter(|&index| output.get(index) != Some(&written[index]))
            .collect();
        error_chars += errors.len();
        changed_chars += changes.len();
        detected_chars += changes
            .iter()
            .filter(|index| errors.contains(index))
            .count();
        corrected_chars += changes
            .iter()
            .filter(|&&index| errors.contains(&index) && output.get(index) == Some(&correct[index]))
            .count();
        if errors.is_empty() {
            error_free += 1;
            if !changes.is_empty() {
                false_alarms += 1;
            }
        } else {
            with_errors += 1;
        }
        if !changes.is_empty() {
            changed_sentences += 1;
            if !errors.is_empty() && changes == errors {
                detected_sentences += 1;
                if output == correct {
                    corrected_sentences += 1;
                }
            }
        }
    }
    let detection_precision = ratio(detected_sentences, changed_sentences);
    let detection_recall = ratio(detected_sentences, with_errors);
    let correction_precision = ratio(corrected_sentences, changed_sentences);
    let correction_recall = ratio(corrected_sentences, with_errors);
    SpellingReport {
        sentences: pairs.len(),
        sentences_with_errors: with_errors,
        sentences_changed: changed_sentences,
        detection_precision,
        detection_recall,
        detection_f1: f1(detection_precision, detection_recall),
        correction_precision,
        correction_recall,
        correction_f1: f1(correction_precision, correction_recall),
        char_detection_precision: ratio(detected_chars, changed_chars),
        char_detection_recall: ratio(detected_chars, error_chars),
        char_correction_precision: ratio(corrected_chars, changed_chars),
        char_correction_recall: ratio(corrected_chars, error_chars),
        false_alarm_rate: ratio(false_alarms, error_free),
        length_changes,
        unequal_length_pairs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAIRS: &str = "我想换款\t我想还款\n额渡多少\t额度多少\n今天天气好\t今天天气好\n# a comment\n\n他在学校\t他在学校\n去超市\t去超级市场\n";

    #[test]
    fn pairs_are_read_and_bad_lines_named() {
        let pairs = parse_pairs("t.tsv", PAIRS).expect("valid");
        assert_eq!(pairs.len(), 5);
        let error = parse_pairs("t.tsv", "好\t好\nno tab here\n").expect_err("no tab");
        assert!(error.to_string().starts_with("t.tsv:2:"), "{error}");
    }

    #[test]
    fn scores_count_detections_corrections_and_false_alarms() {
        let pairs = parse_pairs("t.tsv", PAIRS).expect("valid");
        // Right on the first, the right position but the wrong character on the second, a false alarm on the
        // third, and the fourth left alone.
        let report = evaluate(&pairs, |text| match text {
            "我想换款" => "我想还款".to_owned(),
            "额渡多少" => "额读多少".to_owned(),
            "今天天气好" => "今天天汽好".to_owned(),
            other => other.to_owned(),
        });
        assert_eq!(report.sentences, 5);
        assert_eq!(report.sentences_with_errors, 3);
        assert_eq!(report.unequal_length_pairs, 1);
        assert_eq!(report.sentences_changed, 3);
        assert!((report.detection_precision - 2.0 / 3.0).abs() < 1e-9);
        assert!((report.detection_recall - 2.0 / 3.0).abs() < 1e-9);
        assert!((report.correction_precision - 1.0 / 3.0).abs() < 1e-9);
        assert!((report.correction_recall - 1.0 / 3.0).abs() < 1e-9);
        assert!((report.false_alarm_rate - 0.5).abs() < 1e-9);
        assert!((report.char_correction_precision - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(report.length_changes, 0);
    }

    #[test]
    fn the_domain_corrector_keeps_lengths() {
        let pairs = parse_pairs("t.tsv", PAIRS).expect("valid");
        let report = evaluate(&pairs, |text| super::super::correct(text).text);
        assert_eq!(report.length_changes, 0);
        assert_eq!(report.false_alarm_rate, 0.0);
        assert!((report.correction_recall - 2.0 / 3.0).abs() < 1e-9);
        assert!((report.correction_precision - 1.0).abs() < 1e-9);
    }
}

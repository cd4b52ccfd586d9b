//! Evaluation of the NLU on labelled examples: intent accuracy, per-intent precision, recall and F1, macro-F1,
//! the most confused pairs, and entity precision, recall and F1.
//!
//! [`evaluate`] runs the whole pipeline on every example and hands the answers to [`report`], which does the
//! counting and can be given predictions from anywhere. The conventions, so that the figures can be checked by hand:
//! - Per-intent rows cover every intent that is in the gold labels or in the predictions, in the order of the
//!   spec (intents outside it last, alphabetically). An intent never predicted has precision 0; one never
//!   expected has recall 0; F1 is 0 when precision and recall both are.
//! - Macro-F1 is the mean F1 over the intents of the gold labels only, so a spurious prediction lowers the F1 of
//!   the intents it was taken from without adding a row of zero to the mean.
//! - Entities are scored only over examples whose `entities` field is present (an empty list counts: it says
//!   there is nothing to find). A predicted entity is found when an expected one has the same type and the same
//!   normalised JSON value, each expected entity matching at most one predicted entity (multiset matching). Gold
//!   values are normalised as the recognisers normalise theirs, so `{"amount": "3500"}` equals `"3500.00"`.
//!   With nothing predicted, precision is 1 (nothing wrong was found); with nothing expected, recall is 1.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;

use crate::{EntityValue, ExpectedEntity, Nlu, TrainingExample};

/// How many of the most confused pairs a report lists.
pub const CONFUSED_PAIRS_LISTED: usize = 10;

/// Precision, recall and F1 of one intent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntentMetrics {
    pub intent: String,
    /// How many examples expect this intent.
    pub support: usize,
    /// How many examples were classified as this intent.
    pub predicted: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// How often `expected` was taken for `predicted`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confusion {
    pub expected: String,
    pub predicted: String,
    pub count: usize,
}

/// Entity counts over the examples that carry entities, overall or for one type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityCounts {
    /// The type, or `None` for all types together.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<String>,
    /// Entities the examples expect.
    pub expected: usize,
    /// Entities the recognisers returned.
    pub predicted: usize,
    /// Predicted entities that matched an expected one.
    pub matched: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// The evaluation report; `anxin nlu eval --json` prints it as it serialises.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    pub n: usize,
    /// Examples whose top intent was the expected one.
    pub correct: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    pub per_intent: Vec<IntentMetrics>,
    pub confused_pairs: Vec<Confusion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_precision: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_recall: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_f1: Option<f64>,
    /// How many examples carry entities; zero when none do.
    pub entity_examples: usize,
    /// Overall entity counts first, then one row per type, alphabetically; empty when no example carries entities.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub entity_counts: Vec<EntityCounts>,
}

/// What the NLU answered for one example.
#[derive(Debug, Clone, PartialEq)]
pub struct Prediction {
    pub intent: String,
    /// The entities found, with their type names and their values as the spec's JSON.
    pub entities: Vec<ExpectedEntity>,
}

/// Evaluates `nlu` on `examples`, resolving relative dates against `reference_date`.
pub fn evaluate(nlu: &Nlu, examples: &[TrainingExample], reference_date: NaiveDate) -> EvalReport {
    let predictions: Vec<Prediction> = examples
        .iter()
        .map(|example| {
            let parse = nlu.parse(&example.text, reference_date);
            Prediction {
                intent: parse.intent.name,
                entities: parse
                    .entities
                    .iter()
                    .map(|entity| ExpectedEntity {
                        kind: entity.kind.as_str().to_owned(),
                        value: entity.value.to_json(),
                    })
                    .collect(),
            }
        })
        .collect();
    report(examples, &predictions)
}

/// `numerator / denominator`, or `when_empty` when the denominator is zero.
fn ratio(numerator: usize, denominator: usize, when_empty: f64) -> f64 {
    if denominator == 0 {
        when_empty
    } else {
        numerator as f64 / denominator as f64
    }
}

fn harmonic_mean(precision: f64, recall: f64) -> f64 {
    if precision + recall == 0.0 {
        0.0
    } else {
        2.0 * precision * recall / (precision + recall)
    }
}

/// An intent's place in the report: its position in the spec, or after all of them.
fn spec_position(intent: &str, spec_order: &[&str]) -> usize {
    spec_order
        .iter()
        .position(|id| *id == intent)
        .unwrap_or(spec_order.len())
}

/// A gold value in the form the recognisers give theirs; values that are no entity value stay as written.
fn normalised_gold_value(value: &serde_json::Value) -> serde_json::Value {
    serde_json::from_value::<EntityValue>(value.clone())
        .map(|parsed| parsed.to_json())
        .unwrap_or_else(|_| value.clone())
}

#[derive(Default)]
struct Tally {
    expected: usize,
    predicted: usize,
    matched: usize,
}

impl Tally {
    fn counts(&self, entity_type: Option<String>) -> EntityCounts {
        let precision = ratio(self.matched, self.predicted, 1.0);
        let recall = ratio(self.matched, self.expected, 1.0);
        EntityCounts {
            entity_type,
            expected: self.expected,
            predicted: self.predicted,
            matched: self.matched,
            precision,
            recall,
            f1: harmonic_mean(precision, recall),
        }
    }
}

/// Scores `predictions` against the `examples` they were made for, pairing them in order (if one list is
/// longer, its extra items are left out).
pub fn report(examples: &[TrainingExample], predictions: &[Prediction]) -> EvalReport {
    let pairs: Vec<(&TrainingExample, &Prediction)> = examples.iter().zip(predictions).collect();
    let n = pairs.len();

    // Intents: true positives, gold counts and prediction counts per intent, and the confusions.
    let mut support: BTreeMap<&str, usize> = BTreeMap::new();
    let mut predicted: BTreeMap<&str, usize> = BTreeMap::new();
    let mut true_positives: BTreeMap<&str, usize> = BTreeMap::new();
    let mut confusions: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for (example, prediction) in &pairs {
        let expected = example.intent.as_str();
        let answered = prediction.intent.as_str();
        *support.entry(expected).or_insert(0) += 1;
        *predicted.entry(answered).or_insert(0) += 1;
        if expected == answered {
            *true_positives.entry(expected).or_insert(0) += 1;
        } else {
            *confusions.entry((expected, answered)).or_insert(0) += 1;
        }
    }
    let correct: usize = true_positives.values().sum();
    let intents = crate::intents();
    let spec_order: Vec<&str> = intents.iter().map(|intent| intent.id).collect();
    let mut intent_names: Vec<&str> = support.keys().chain(predicted.keys()).copied().collect();
    intent_names.sort_by(|left, right| {
        spec_position(left, &spec_order)
            .cmp(&spec_position(right, &spec_order))
            .then(left.cmp(right))
    });
    intent_names.dedup();
    let per_intent: Vec<IntentMetrics> = intent_names
        .iter()
        .map(|&intent| {
            let hits = true_positives.get(intent).copied().unwrap_or(0);
            let intent_support = support.get(intent).copied().unwrap_or(0);
            let intent_predicted = predicted.get(intent).copied().unwrap_or(0);
            let precision = ratio(hits, intent_predicted, 0.0);
            let recall = ratio(hits, intent_support, 0.0);
            IntentMetrics {
                intent: intent.to_owned(),
                support: intent_support,
                predicted: intent_predicted,
                precision,
                recall,
                f1: harmonic_mean(precision, recall),
            }
        })
        .collect();
    let gold_f1: Vec<f64> = per_intent
        .iter()
        .filter(|metrics| metrics.support > 0)
        .map(|metrics| metrics.f1)
        .collect();
    let macro_f1 = if gold_f1.is_empty() {
        0.0
    } else {
        gold_f1.iter().sum::<f64>() / gold_f1.len() as f64
    };
    let mut confused_pairs: Vec<Confusion> = confusions
        .into_iter()
        .map(|((expected, answered), count)| Confusion {
            expected: expected.to_owned(),
            predicted: answered.to_owned(),
            count,
        })
        .collect();
    // The map is ordered by (expected, predicted) already; a stable sort by count keeps that order among equals.
    confused_pairs.sort_by_key(|confusion| std::cmp::Reverse(confusion.count));
    confused_pairs.truncate(CONFUSED_PAIRS_LISTED);

    // Entities, over the examples that carry them.
    let mut overall = Tally::default();
    let mut by_type: BTreeMap<String, Tally> = BTreeMap::new();
    let mut entity_examples = 0;
    for (example, prediction) in &pairs {
        let Some(gold) = &example.entities else {
            continue;
        };
        entity_examples += 1;
        let mut unmatched_predictions: Vec<&ExpectedEntity> = prediction.entities.iter().collect();
        for entity in &prediction.entities {
            overall.predicted += 1;
            by_type.entry(entity.kind.clone()).or_default().predicted += 1;
        }
        for expected in gold {
            overall.expected += 1;
            let tally = by_type.entry(expected.kind.clone()).or_default();
            tally.expected += 1;
            let value = normalised_gold_value(&expected.value);
            if let Some(position) = unmatched_predictions
                .iter()
                .position(|found| found.kind == expected.kind && found.value == value)
            {
                unmatched_predictions.swap_remove(position);
                tally.matched += 1;
                overall.matched += 1;
            }
        }
    }
    let (entity_precision, entity_recall, entity_f1, entity_counts) = if entity_examples == 0 {
        (None, None, None, Vec::new())
    } else {
        let total = overall.counts(None);
        let mut rows = vec![total.clone()];
        rows.extend(
            by_type
                .into_iter()
                .map(|(entity_type, tally)| tally.counts(Some(entity_type))),
        );
        (
            Some(total.precision),
            Some(total.recall),
            Some(total.f1),
            rows,
        )
    };

    EvalReport {
        n,
        correct,
        accuracy: ratio(correct, n, 0.0),
        macro_f1,
        per_intent,
        confused_pairs,
        entity_precision,
        entity_recall,
        entity_f1,
        entity_examples,
        entity_counts,
    }
}

impl EvalReport {
    /// The report as plain-text tables for a terminal.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail, so the results of `writeln!` are ignored below.
        let _ = writeln!(
            text,
            "Intents: accuracy {:.4} ({} of {}), macro-F1 {:.4}",
            self.accuracy, self.correct, self.n, self.macro_f1
        );
        if !self.per_intent.is_empty() {
            let width = self
                .per_intent
                .iter()
                .map(|metrics| metrics.intent.chars().count())
                .max()
                .unwrap_or(0)
                .max("intent".len());
            let _ = writeln!(
                text,
                "\n{:<width$}  {:>7}  {:>9}  {:>9}  {:>6}  {:>6}",
                "intent", "support", "predicted", "precision", "recall", "F1"
            );
            for metrics in &self.per_intent {
                let _ = writeln!(
                    text,
                    "{:<width$}  {:>7}  {:>9}  {:>9.4}  {:>6.4}  {:>6.4}",
                    metrics.intent,
                    metrics.support,
                    metrics.predicted,
                    metrics.precision,
                    metrics.recall,
                    metrics.f1
                );
            }
        }
        if !self.confused_pairs.is_empty() {
            let _ = writeln!(text, "\nMost confused (expected -> predicted):");
            for confusion in &self.confused_pairs {
                let _ = writeln!(
                    text,
                    "{:>6}  {} -> {}",
                    confusion.count, confusion.expected, confusion.predicted
                );
            }
        }
        if let Some((overall, by_type)) = self.entity_counts.split_first() {
            let _ = writeln!(
                text,
                "\nEntities over {} examples: precision {:.4}, recall {:.4}, F1 {:.4}",
                self.entity_examples, overall.precision, overall.recall, overall.f1
            );
            let width = by_type
                .iter()
                .filter_map(|counts| counts.entity_type.as_ref())
                .map(|name| name.chars().count())
                .max()
                .unwrap_or(0)
                .max("type".len());
            let _ = writeln!(
                text,
                "\n{:<width$}  {:>8}  {:>9}  {:>7}  {:>9}  {:>6}  {:>6}",
                "type", "expected", "predicted", "matched", "precision", "recall", "F1"
            );
            for counts in self.entity_counts.iter().skip(1).chain([overall]) {
                let name = counts.entity_type.as_deref().unwrap_or("all");
                let _ = writeln!(
                    text,
                    "{:<width$}  {:>8}  {:>9}  {:>7}  {:>9.4}  {:>6.4}  {:>6.4}",
                    name,
                    counts.expected,
                    counts.predicted,
                    counts.matched,
                    counts.precision,
                    counts.recall,
                    counts.f1
                );
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(kind: &str, value: serde_json::Value) -> ExpectedEntity {
        ExpectedEntity {
            kind: kind.to_owned(),
            value,
        }
    }

    fn money(amount: &str) -> serde_json::Value {
        serde_json::json!({"amount": amount, "currency": "CNY"})
    }

    fn example(intent: &str, entities: Option<Vec<ExpectedEntity>>) -> TrainingExample {
        TrainingExample {
            text: format!("an example of {intent}"),
            intent: intent.to_owned(),
            entities,
        }
    }

    fn prediction(intent: &str, entities: Vec<ExpectedEntity>) -> Prediction {
        Prediction {
            intent: intent.to_owned(),
            entities,
        }
    }

    /// Five examples with known answers; the expected figures are worked out in the test below.
    fn sample() -> (Vec<TrainingExample>, Vec<Prediction>) {
        let date = |day: &str| serde_json::json!(day);
        let examples = vec![
            example(
                "greeting",
                Some(vec![
                    entity("money", money("500.00")),
                    entity("date", date("2026-12-04")),
                ]),
            ),
            example("greeting", Some(vec![])),
            example("thanks", None),
            example(
                "thanks",
                Some(vec![
                    entity("date", date("2026-12-04")),
                    entity("date", date("2026-12-04")),
                ]),
            ),
            example("deny", Some(vec![entity("money", money("3500"))])),
        ];
        let predictions = vec![
            prediction(
                "greeting",
                vec![
                    entity("money", money("500.00")),
                    entity("date", date("2026-12-05")),
                ],
            ),
            prediction("thanks", vec![entity("digits", serde_json::json!("1234"))]),
            // Entities of an example without an `entities` field are not scored.
            prediction("thanks", vec![entity("bank", serde_json::json!("ICBC"))]),
            prediction("greeting", vec![entity("date", date("2026-12-04"))]),
            prediction(
                "affirm",
                vec![
                    entity("money", money("3500.00")),
                    entity("bank", serde_json::json!("ICBC")),
                ],
            ),
        ];
        (examples, predictions)
    }

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() < 1e-12
    }

    #[test]
    fn intent_figures_follow_the_counts() {
        let (examples, predictions) = sample();
        let report = report(&examples, &predictions);
        assert_eq!((report.n, report.correct), (5, 2));
        assert!(close(report.accuracy, 0.4));
        // Spec order: greeting, thanks, affirm, deny.
        let rows: Vec<(&str, usize, usize, f64, f64, f64)> = report
            .per_intent
            .iter()
            .map(|m| {
                (
                    m.intent.as_str(),
                    m.support,
                    m.predicted,
                    m.precision,
                    m.recall,
                    m.f1,
                )
            })
            .collect();
        assert_eq!(
            rows,
            vec![
                ("greeting", 2, 2, 0.5, 0.5, 0.5),
                ("thanks", 2, 2, 0.5, 0.5, 0.5),
                ("affirm", 0, 1, 0.0, 0.0, 0.0),
                ("deny", 1, 0, 0.0, 0.0, 0.0),
            ]
        );
        // The mean over greeting, thanks and deny; affirm is not in the gold labels.
        assert!(close(report.macro_f1, 1.0 / 3.0));
        let pairs: Vec<(&str, &str, usize)> = report
            .confused_pairs
            .iter()
            .map(|c| (c.expected.as_str(), c.predicted.as_str(), c.count))
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("deny", "affirm", 1),
                ("greeting", "thanks", 1),
                ("thanks", "greeting", 1)
            ]
        );
    }

    #[test]
    fn entities_match_by_type_and_normalised_value_as_multisets() {
        let (examples, predictions) = sample();
        let report = report(&examples, &predictions);
        // Four examples carry entities. Expected: 2 + 0 + 2 + 1 = 5. Predicted: 2 + 1 + 1 + 2 = 6.
        // Matched: the money of the first, one of the two equal dates of the fourth, and the money of the last
        // (its gold "3500" normalises to "3500.00").
        assert_eq!(report.entity_examples, 4);
        let overall = &report.entity_counts[0];
        assert_eq!(overall.entity_type, None);
        assert_eq!(
            (overall.expected, overall.predicted, overall.matched),
            (5, 6, 3)
        );
        assert!(close(report.entity_precision.expect("scored"), 0.5));
        assert!(close(report.entity_recall.expect("scored"), 0.6));
        assert!(close(report.entity_f1.expect("scored"), 6.0 / 11.0));
        let by_type: Vec<(&str, usize, usize, usize)> = report.entity_counts[1..]
            .iter()
            .map(|c| {
                (
                    c.entity_type.as_deref().unwrap_or("?"),
                    c.expected,
                    c.predicted,
                    c.matched,
                )
            })
            .collect();
        assert_eq!(
            by_type,
            vec![
                ("bank", 0, 1, 0),
                ("date", 3, 2, 1),
                ("digits", 0, 1, 0),
                ("money", 2, 2, 2)
            ]
        );
        let bank = &report.entity_counts[1];
        assert_eq!((bank.precision, bank.recall, bank.f1), (0.0, 1.0, 0.0));
    }

    #[test]
    fn empty_sets_have_defined_figures() {
        let report_of_nothing = report(&[], &[]);
        assert_eq!(
            (
                report_of_nothing.n,
                report_of_nothing.accuracy,
                report_of_nothing.macro_f1
            ),
            (0, 0.0, 0.0)
        );
        assert!(report_of_nothing.per_intent.is_empty());
        assert_eq!(report_of_nothing.entity_f1, None);

        // Without any `entities` fields there is no entity score at all.
        let without = report(
            &[example("greeting", None)],
            &[prediction("greeting", vec![])],
        );
        assert_eq!(
            (
                without.entity_precision,
                without.entity_recall,
                without.entity_f1
            ),
            (None, None, None)
        );
        let json = serde_json::to_value(&without).expect("serialises");
        assert!(json.get("entity_f1").is_none() && json.get("entity_counts").is_none());
        assert_eq!(json["accuracy"], 1.0);

        // Empty lists on both sides: nothing to find and nothing wrongly found.
        let nothing_to_find = report(
            &[example("greeting", Some(vec![]))],
            &[prediction("greeting", vec![])],
        );
        assert_eq!(nothing_to_find.entity_f1, Some(1.0));
        let json = serde_json::to_value(&nothing_to_find).expect("serialises");
        assert_eq!(json["entity_precision"], 1.0);
    }

    #[test]
    fn at_most_ten_confusions_are_listed_most_frequent_first() {
        let intents: Vec<&str> = crate::intents()
            .iter()
            .map(|intent| intent.id)
            .take(13)
            .collect();
        let mut examples = Vec::new();
        let mut predictions = Vec::new();
        for (position, intent) in intents.iter().enumerate().skip(1) {
            // Intent number k is taken for the first intent k times.
            for _ in 0..position {
                examples.push(example(intent, None));
                predictions.push(prediction(intents[0], vec![]));
            }
        }
        let report = report(&examples, &predictions);
        assert_eq!(report.confused_pairs.len(), CONFUSED_PAIRS_LISTED);
        assert_eq!(report.confused_pairs[0].count, 12);
        assert_eq!(report.confused_pairs[0].expected, intents[12]);
        assert_eq!(report.confused_pairs[9].count, 3);
    }

    #[test]
    fn the_text_report_is_a_readable_table() {
        let (examples, predictions) = sample();
        let text = report(&examples, &predictions).to_text();
        expect_test::expect![[r#"
            Intents: accuracy 0.4000 (2 of 5), macro-F1 0.3333

            intent    support  predicted  precision  recall      F1
            greeting        2          2     0.5000  0.5000  0.5000
            thanks          2          2     0.5000  0.5000  0.5000
            affirm          0          1     0.0000  0.0000  0.0000
            deny            1          0     0.0000  0.0000  0.0000

            Most confused (expected -> predicted):
                 1  deny -> affirm
                 1  greeting -> thanks
                 1  thanks -> greeting

            Entities over 4 examples: precision 0.5000, recall 0.6000, F1 0.5455

            type    expected  predicted  matched  precision  recall      F1
            bank           0          1        0     0.0000  1.0000  0.0000
            date           3          2        1     0.5000  0.3333  0.4000
            digits         0          1        0     0.0000  1.0000  0.0000
            money          2          2        2     1.0000  1.0000  1.0000
            all            5          6        3     0.5000  0.6000  0.5455
        "#]]
        .assert_eq(&text);
    }

    #[test]
    fn evaluate_runs_the_pipeline_on_every_example() {
        use crate::intent::features;
        let bucket_of = |text: &str| features::buckets(text)[0];
        let (first, second) = (bucket_of("甲"), bucket_of("乙"));
        let (low, high) = if first < second {
            (first, second)
        } else {
            (second, first)
        };
        let embedding = if low == first {
            vec![4.0, 0.0, 0.0, 4.0]
        } else {
            vec![0.0, 4.0, 4.0, 0.0]
        };
        let classifier = crate::IntentClassifier::from_parts(
            vec!["greeting".to_owned(), "thanks".to_owned()],
            crate::intent::NetworkParts {
                embedding_dim: 2,
                hidden_dim: 2,
                label_count: 2,
                bucket_ids: vec![low, high],
                embedding,
                hidden_weight: vec![1.0, 0.0, 0.0, 1.0],
                hidden_bias: vec![0.0, 0.0],
                output_weight: vec![1.0, 0.0, 0.0, 1.0],
                output_bias: vec![0.0, 0.0],
            },
            1.0,
        )
        .expect("valid parts");
        let nlu = Nlu::new(classifier);
        let text_example = |text: &str, intent: &str| TrainingExample {
            text: text.to_owned(),
            intent: intent.to_owned(),
            entities: None,
        };
        let examples = [
            text_example("甲", "greeting"),
            text_example("乙", "thanks"),
            text_example("乙", "greeting"),
        ];
        let reference_date = NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date");
        let report = evaluate(&nlu, &examples, reference_date);
        assert_eq!((report.n, report.correct), (3, 2));
        assert_eq!(report.confused_pairs[0].expected, "greeting");
        assert_eq!(report.confused_pairs[0].predicted, "thanks");
        assert_eq!(report.entity_examples, 0);
        // Greeting: precision 1, recall 1/2, F1 2/3. Thanks: precision 1/2, recall 1, F1 2/3.
        assert!(close(report.macro_f1, 2.0 / 3.0));
    }
}

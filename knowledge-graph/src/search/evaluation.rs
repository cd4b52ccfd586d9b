//! Measuring FAQ retrieval on labelled questions: top-1 accuracy, MRR@5 and how well "no answer" is given.
//!
//! An example is a query with what should answer it: a FAQ id, a graph node id (right when the entry found cites
//! that node), or `"none"` for a question the FAQ does not answer. Examples are read from JSON lines
//! (`{"query": "...", "expected": "faq.grace_period"}`) by [`EvalExample::parse_jsonl`]; the caller reads the file.

use serde::Deserialize;

use crate::Lang;

use super::{FaqIndex, Hit, SearchError, has_chinese};

/// What should answer a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// This FAQ entry, or for an id not starting with `faq.`, any entry citing this graph node.
    Faq(String),
    /// Nothing: the right reply is that there is no answer.
    NoAnswer,
}

/// One labelled query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalExample {
    pub query: String,
    pub expected: Expected,
}

#[derive(Deserialize)]
struct RawExample {
    query: String,
    expected: String,
}

impl EvalExample {
    /// Reads examples from JSON lines; blank lines are skipped.
    pub fn parse_jsonl(text: &str) -> Result<Vec<EvalExample>, SearchError> {
        let mut examples = Vec::new();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let raw: RawExample =
                serde_json::from_str(line).map_err(|error| SearchError::Example {
                    line: index + 1,
                    message: error.to_string(),
                })?;
            let expected = if raw.expected == "none" {
                Expected::NoAnswer
            } else {
                Expected::Faq(raw.expected)
            };
            examples.push(EvalExample {
                query: raw.query,
                expected,
            });
        }
        Ok(examples)
    }

    /// Whether the entry `faq_id` is a right answer to this example (never, when none is expected).
    pub fn is_answered_by(&self, index: &FaqIndex, faq_id: &str) -> bool {
        match &self.expected {
            Expected::Faq(expected) => is_right(index, faq_id, expected),
            Expected::NoAnswer => false,
        }
    }
}

/// How retrieval did on a set of examples. Rates are between 0 and 1; a rate with nothing to count is 0.
#[derive(Debug, Clone, PartialEq)]
pub struct KgEvalReport {
    /// Examples asked.
    pub n: usize,
    /// Of the examples with an answer, the share whose answer was given (above the threshold) as the first hit.
    pub top1_accuracy: f64,
    /// Of the examples with an answer, the mean of 1/rank of the first right hit among the first five, whatever
    /// the confidence.
    pub mrr_at_5: f64,
    /// Of the times no answer was given, the share where none was expected.
    pub no_answer_precision: f64,
    /// Of the examples expecting no answer, the share given none.
    pub no_answer_recall: f64,
}

impl std::fmt::Display for KgEvalReport {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "n={} top1_accuracy={:.3} mrr@5={:.3} no_answer_precision={:.3} no_answer_recall={:.3}",
            self.n,
            self.top1_accuracy,
            self.mrr_at_5,
            self.no_answer_precision,
            self.no_answer_recall
        )
    }
}

/// Whether the entry `faq_id` is what `expected` asks for.
fn is_right(index: &FaqIndex, faq_id: &str, expected: &str) -> bool {
    if faq_id == expected {
        return true;
    }
    !expected.starts_with("faq.")
        && index
            .entry(faq_id)
            .is_some_and(|entry| entry.sources.iter().any(|source| source == expected))
}

fn rate(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Asks the index every example and scores the replies.
pub fn evaluate(index: &FaqIndex, examples: &[EvalExample]) -> KgEvalReport {
    let threshold = index.calibration().threshold;
    evaluate_with(index, examples, |query, lang| {
        let hits = index.search(query, Some(lang), 5);
        let answered = hits.first().is_some_and(|hit| hit.confidence >= threshold);
        (hits, answered)
    })
}

/// Scores a retrieval method on the examples: `rank` gives the ranked hits (at least the top 5) for a query in its
/// language, and whether the first is given as the answer. `index` resolves expected graph-node ids.
pub fn evaluate_with(
    index: &FaqIndex,
    examples: &[EvalExample],
    mut rank: impl FnMut(&str, Lang) -> (Vec<Hit>, bool),
) -> KgEvalReport {
    let mut answerable = 0usize;
    let mut top1_right = 0usize;
    let mut reciprocal_ranks = 0.0f64;
    let mut refusals = 0usize;
    let mut right_refusals = 0usize;
    let mut unanswerable = 0usize;
    for example in examples {
        let lang = if has_chinese(&example.query) {
            Lang::Zh
        } else {
            Lang::En
        };
        let (hits, given) = rank(&example.query, lang);
        let answered = hits.first().filter(|_| given);
        if answered.is_none() {
            refusals += 1;
        }
        match &example.expected {
            Expected::NoAnswer => {
                unanswerable += 1;
                if answered.is_none() {
                    right_refusals += 1;
                }
            }
            Expected::Faq(expected) => {
                answerable += 1;
                if answered.is_some_and(|hit| is_right(index, &hit.faq_id, expected)) {
                    top1_right += 1;
                }
                if let Some(rank) = hits
                    .iter()
                    .position(|hit| is_right(index, &hit.faq_id, expected))
                {
                    reciprocal_ranks += 1.0 / (rank as f64 + 1.0);
                }
            }
        }
    }
    KgEvalReport {
        n: examples.len(),
        top1_accuracy: rate(top1_right, answerable),
        mrr_at_5: if answerable == 0 {
            0.0
        } else {
            reciprocal_ranks / answerable as f64
        },
        no_answer_precision: rate(right_refusals, refusals),
        no_answer_recall: rate(right_refusals, unanswerable),
    }
}

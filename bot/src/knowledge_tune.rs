//! `anxin kg tune`: chooses the options of search by meaning ([`HybridOptions`]) on a development set.
//!
//! Every question is searched by words and embedded once; each combination of options on a grid is then judged from
//! those, the way [`KnowledgeBase::rank`](crate::knowledge::KnowledgeBase::rank) ranks (words alone when they are sure
//! enough, else the blend). A combination is judged at its best threshold by right answers less wrong ones (a wrong
//! answer, whether to an answerable question or to one with no answer, costs what a right one gains; a refusal, which
//! tells the customer so and offers a human, costs nothing), then by right answers, then by MRR@5. Tune on a
//! development set only: a set the options were chosen on no longer measures them.

use std::path::Path;

use anyhow::{Context, bail};
use knowledge_graph::search::{
    EvalExample, FaqIndex, Hit, HybridOptions, KgEvalReport, Similarities,
};

use crate::settings::Settings;

/// How many ranked entries a question keeps, as the chat does.
const RANKED: usize = 5;

/// The grid: every combination of these values is tried.
const DENSE_WEIGHTS: [f32; 5] = [0.6, 0.7, 0.8, 0.9, 1.0];
const FLOORS: [f32; 6] = [0.60, 0.65, 0.70, 0.75, 0.80, 0.85];
const CEILINGS: [f32; 3] = [0.95, 0.98, 1.0];
const SHORTCUTS: [f32; 4] = [0.85, 0.9, 0.95, 1.01];
const SUPPORTS: [f32; 7] = [0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 1.0];
const CENTROIDS: [f32; 6] = [0.0, 0.25, 0.5, 0.75, 0.9, 1.0];
/// Tried only when the entry classifier is trained (see `semantic::CLASSIFIER_BUDGET`).
const CLASSIFIERS: [f32; 4] = [0.0, 0.2, 0.35, 0.5];

/// Each question's ranked hits, and whether they came from the blend (else from words alone).
type Ranked = Vec<(Vec<Hit>, bool)>;

/// One question, searched and embedded once.
struct Prepared {
    lexical: Vec<Hit>,
    similarities: Similarities,
}

/// The best options found, with their report, and the report of the options in service for comparison.
pub struct Tuned {
    pub options: HybridOptions,
    pub report: KgEvalReport,
    pub current_options: HybridOptions,
    pub current_report: KgEvalReport,
    pub combinations: usize,
}

pub async fn tune(settings: &Settings, data: &Path) -> anyhow::Result<Tuned> {
    let text =
        std::fs::read_to_string(data).with_context(|| format!("cannot read {}", data.display()))?;
    let examples = EvalExample::parse_jsonl(&text)
        .with_context(|| format!("{} is not a valid evaluation file", data.display()))?;
    if examples.is_empty() {
        bail!("{} holds no questions", data.display());
    }
    let mut settings = settings.clone();
    settings.semantic_search = true;
    let knowledge = crate::server::load_knowledge(&settings).await?;
    tokio::task::spawn_blocking(move || {
        let base = knowledge.current();
        let Some(semantic) = base.semantic.as_ref() else {
            bail!("search by meaning is not available (the sentence encoder did not load), so there is nothing to tune");
        };
        eprintln!("embedding {} questions", examples.len());
        let mut prepared = Vec::with_capacity(examples.len());
        for example in &examples {
            let vector = semantic
                .embed_question(&example.query)
                .with_context(|| format!("the encoder failed on {:?}", example.query))?;
            prepared.push(Prepared {
                // Both languages' phrasings are searched whatever the hint.
                lexical: base.index.search(&example.query, None, usize::MAX),
                similarities: base.index.similarities(&vector, semantic.vectors()),
            });
        }
        let lexical_threshold = base.index.calibration().threshold;
        let rank = |options: &HybridOptions| -> Ranked {
            prepared
                .iter()
                .map(|question| {
                    if options.words_suffice(&question.lexical) {
                        let mut hits = question.lexical.clone();
                        hits.truncate(RANKED);
                        (hits, false)
                    } else {
                        let hits = base.index.blend_similarities(
                            &question.lexical,
                            &question.similarities,
                            options,
                            RANKED,
                        );
                        (hits, true)
                    }
                })
                .collect()
        };
        let judge = |ranked: &Ranked, threshold: f32| -> KgEvalReport {
            let mut next = ranked.iter();
            knowledge_graph::search::evaluate_with(&base.index, &examples, |_, _| {
                let Some((hits, blended)) = next.next() else {
                    return (Vec::new(), false);
                };
                let threshold = if *blended {
                    threshold
                } else {
                    lexical_threshold
                };
                let given = hits.first().is_some_and(|hit| hit.confidence >= threshold);
                (hits.clone(), given)
            })
        };
        let current_options = *semantic.options();
        let current_report = judge(&rank(&current_options), current_options.threshold);
        let mut best: Option<(HybridOptions, Score, Ranked)> = None;
        let mut combinations = 0;
        let classifiers: &[f32] = if semantic.vectors().has_scorer() {
            &CLASSIFIERS
        } else {
            &[0.0]
        };
        for (dense_weight, &classifier) in DENSE_WEIGHTS
            .into_iter()
            .flat_map(|weight| classifiers.iter().map(move |classifier| (weight, classifier)))
        {
            for similarity_floor in FLOORS {
                for similarity_ceiling in CEILINGS {
                    for lexical_shortcut in SHORTCUTS {
                        for (support, centroid) in SUPPORTS
                            .into_iter()
                            .flat_map(|support| CENTROIDS.map(|centroid| (support, centroid)))
                        {
                            combinations += 1;
                            let mut options = HybridOptions {
                                dense_weight,
                                similarity_floor,
                                similarity_ceiling,
                                threshold: 0.0,
                                lexical_shortcut,
                                support,
                                centroid,
                                classifier,
                            };
                            let ranked = rank(&options);
                            let (threshold, score) =
                                best_threshold(&ranked, &examples, &base.index, lexical_threshold);
                            options.threshold = threshold;
                            let better = best.as_ref().is_none_or(|(_, known, _)| score > *known);
                            if better {
                                best = Some((options, score, ranked));
                            }
                        }
                    }
                }
            }
        }
        let (options, _, ranked) = best.context("the grid is empty")?;
        let report = judge(&ranked, options.threshold);
        Ok(Tuned {
            options,
            report,
            current_options,
            current_report,
            combinations,
        })
    })
    .await
    .context("the tuning thread failed")?
}

/// How a combination did on the set, compared in this order: right answers less wrong ones, then right answers, then
/// the sum of reciprocal ranks (in millionths). A wrong answer, to an answerable question or to one with no answer,
/// costs what a right answer gains, and a refusal (the customer is told so and offered a human) costs nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Score {
    net: i64,
    right: i64,
    reciprocal_ranks: i64,
}

/// The threshold, in hundredths from 0 to 0.80, at which the ranked hits score best, and that score; among equal
/// scores the highest threshold wins, as it refuses most. Questions settled by words alone (`false` beside their
/// hits) keep the lexical threshold.
fn best_threshold(
    ranked: &Ranked,
    examples: &[EvalExample],
    index: &FaqIndex,
    lexical_threshold: f32,
) -> (f32, Score) {
    // Per question with a hit: its first hit's confidence, whether that came from the blend, and whether it is right.
    let mut firsts = Vec::with_capacity(ranked.len());
    let mut reciprocal_ranks = 0.0_f64;
    for ((hits, blended), example) in ranked.iter().zip(examples) {
        let right_at = hits
            .iter()
            .position(|hit| example.is_answered_by(index, &hit.faq_id));
        if let Some(position) = right_at {
            reciprocal_ranks += 1.0 / (position as f64 + 1.0);
        }
        if let Some(first) = hits.first() {
            firsts.push((first.confidence, *blended, right_at == Some(0)));
        }
    }
    let reciprocal_ranks = (reciprocal_ranks * 1e6).round() as i64;
    (0..=80_u8)
        .map(|step| {
            let threshold = f32::from(step) * 0.01;
            let (mut right, mut wrong) = (0_i64, 0_i64);
            for &(confidence, blended, is_right) in &firsts {
                let needed = if blended {
                    threshold
                } else {
                    lexical_threshold
                };
                if confidence >= needed {
                    if is_right {
                        right += 1;
                    } else {
                        wrong += 1;
                    }
                }
            }
            let score = Score {
                net: right - wrong,
                right,
                reciprocal_ranks,
            };
            (threshold, score)
        })
        // The last of equal maxima: the highest threshold.
        .max_by_key(|(_, score)| *score)
        .unwrap_or_default()
}

/// The options on one line.
pub fn describe(options: &HybridOptions) -> String {
    format!(
        "dense_weight {:.2}, similarity_floor {:.2}, similarity_ceiling {:.2}, threshold {:.2}, lexical_shortcut {:.2}, support {:.2}, centroid {:.2}, classifier {:.2}",
        options.dense_weight,
        options.similarity_floor,
        options.similarity_ceiling,
        options.threshold,
        options.lexical_shortcut,
        options.support,
        options.centroid,
        options.classifier
    )
}

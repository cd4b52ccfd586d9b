//! `anxin kg tune`: chooses the options of search by meaning ([`HybridOptions`]) on a development set.
//!
//! Every question is searched by words and embedded once; each combination of options on a grid is then judged from
//! those, the way [`KnowledgeBase::rank`](crate::knowledge::KnowledgeBase::rank) ranks (words alone when they are sure
//! enough, else the blend). A combination is judged by top-1 accuracy; among equal ones the higher share of
//! unanswerable questions refused wins, then MRR@5. For each combination the threshold is the highest that keeps its
//! best top-1, so refusals cost no right answer on the set. Tune on a development set only: a set the options were
//! chosen on no longer measures them.

use std::path::Path;

use anyhow::{Context, bail};
use knowledge_graph::search::{EvalExample, Hit, HybridOptions, KgEvalReport, Similarities};

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
        // Each question's ranked hits and whether they came from the blend (else from words alone).
        let rank = |options: &HybridOptions| -> Vec<(Vec<Hit>, bool)> {
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
        let judge = |ranked: &[(Vec<Hit>, bool)], threshold: f32| -> KgEvalReport {
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
        let mut best: Option<(HybridOptions, KgEvalReport)> = None;
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
                            // The highest threshold (in hundredths, up to 0.80) that keeps top-1: a higher threshold
                            // only withholds answers, so top-1 never rises with it and the search can halve.
                            let unrefused = judge(&ranked, 0.0);
                            let keeps = |step: u32| -> Option<KgEvalReport> {
                                let report = judge(&ranked, step as f32 * 0.01);
                                (report.top1_accuracy + 1e-9 >= unrefused.top1_accuracy)
                                    .then_some(report)
                            };
                            let (mut kept, mut lost) = (0_u32, 81_u32);
                            let mut chosen = (0.0, unrefused.clone());
                            while lost - kept > 1 {
                                let middle = (kept + lost) / 2;
                                match keeps(middle) {
                                    Some(report) => {
                                        kept = middle;
                                        chosen = (middle as f32 * 0.01, report);
                                    }
                                    None => lost = middle,
                                }
                            }
                            options.threshold = chosen.0;
                            let better = best
                                .as_ref()
                                .is_none_or(|(_, known)| ranks_above(&chosen.1, known));
                            if better {
                                best = Some((options, chosen.1));
                            }
                        }
                    }
                }
            }
        }
        let (options, report) = best.context("the grid is empty")?;
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

/// Top-1 first, then the share of unanswerable questions refused, then MRR@5.
fn ranks_above(candidate: &KgEvalReport, known: &KgEvalReport) -> bool {
    let key = |report: &KgEvalReport| {
        (
            (report.top1_accuracy * 1e6).round() as i64,
            (report.no_answer_recall * 1e6).round() as i64,
            (report.mrr_at_5 * 1e6).round() as i64,
        )
    };
    key(candidate) > key(known)
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

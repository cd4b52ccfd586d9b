//! Hybrid retrieval: the lexical judgement of [`FaqIndex`] blended with how close in meaning the query is to each
//! entry's phrasings, for the questions words alone do not settle.
//!
//! The sentence encoder lives in the `nlu` crate, which this crate may not use, so the caller embeds every indexed
//! phrasing once ([`FaqIndex::phrasing_questions`], in that order, into [`PhrasingVectors`]) and the query when it
//! asks. An entry's similarity is the best cosine between the query and any of its phrasings, drawn towards the
//! second best by `support` (an entry whose phrasings agree is surer than one phrasing that happens to be close), and
//! then towards the cosine with the centre of all its phrasings by `centroid`. When the caller also gives an
//! [`EntryScorer`] (a classifier trained on the phrasings' vectors, which learns what tells neighbouring entries
//! apart), the chance it gives the entry, times `classifier`, is added.
//! Cosines of a sentence
//! encoder crowd into a narrow band, so they are first stretched from `[similarity_floor, similarity_ceiling]` onto
//! `[0, 1]`; the blend is then `(1 - dense_weight) * lexical + dense_weight * similarity`, where `lexical` is the
//! calibrated lexical confidence (0 for an entry tantivy did not propose). Entries are ranked by the blend, and the
//! blend must reach `threshold` to answer.
//!
//! Embedding a query costs far more than the lexical search, so the caller asks the lexical search first and only
//! embeds when its best confidence is below `lexical_shortcut`.

use std::collections::HashMap;
use std::sync::Arc;

use super::{FaqIndex, Hit, SearchError};

/// The embeddings of an index's phrasings, in the order of [`FaqIndex::phrasing_questions`].
#[derive(Debug, Clone)]
pub struct PhrasingVectors {
    vectors: Vec<Vec<f32>>,
    /// Per entry, the unit-length mean of its phrasings' vectors: where the entry's phrasings gather.
    centroids: Vec<Vec<f32>>,
    scorer: Option<Arc<dyn EntryScorer>>,
}

/// Judges from a query's vector how likely each entry is to answer it: one chance per entry, in the order of
/// [`FaqIndex::entries`], summing to at most 1.
pub trait EntryScorer: Send + Sync + std::fmt::Debug {
    fn chances(&self, query_vector: &[f32]) -> Vec<f32>;
}

impl PhrasingVectors {
    /// The same vectors with `scorer`'s judgement added to the similarity of meaning (see the module documentation).
    pub fn with_scorer(self, scorer: Arc<dyn EntryScorer>) -> PhrasingVectors {
        PhrasingVectors {
            scorer: Some(scorer),
            ..self
        }
    }

    /// Every phrasing's vector, in the order of [`FaqIndex::phrasing_questions`].
    pub fn vectors(&self) -> &[Vec<f32>] {
        &self.vectors
    }

    pub fn has_scorer(&self) -> bool {
        self.scorer.is_some()
    }
}

/// How the two judgements are blended, and when the blend answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HybridOptions {
    /// The weight of meaning against words, between 0 and 1.
    pub dense_weight: f32,
    /// The cosine that counts as no likeness at all.
    pub similarity_floor: f32,
    /// The cosine that counts as the same question.
    pub similarity_ceiling: f32,
    /// The blend an entry needs to be given as the answer.
    pub threshold: f32,
    /// A lexical confidence at or above which the lexical answer stands without embedding the query.
    pub lexical_shortcut: f32,
    /// How far an entry's similarity is drawn from its best phrasing's cosine towards its second best's, 0 to 1.
    pub support: f32,
    /// How far that is then drawn towards the cosine with the centre of all the entry's phrasings, 0 to 1.
    pub centroid: f32,
    /// The weight of the [`EntryScorer`]'s chance, added to the cosine before it is stretched (when there is one).
    pub classifier: f32,
}

impl Default for HybridOptions {
    /// Chosen with `anxin kg tune` on the tuning set `knowledge-graph/eval/tune_paraphrases.jsonl` (see its README),
    /// the best of a grid of 60,480 combinations by right answers less wrong ones: there top-1 0.916, MRR@5 0.954,
    /// "no answer" precision 0.650 and recall 0.619, with 28 wrong answers of 353. The options that kept the best
    /// top-1 (0.932) refused 4 of the 42 unanswerable questions and gave 59 wrong answers. Never chosen on the
    /// held-out paraphrases.
    fn default() -> HybridOptions {
        HybridOptions {
            dense_weight: 0.7,
            similarity_floor: 0.85,
            similarity_ceiling: 0.98,
            threshold: 0.71,
            lexical_shortcut: 0.95,
            support: 0.8,
            centroid: 0.5,
            classifier: 0.35,
        }
    }
}

impl HybridOptions {
    /// Whether the words are sure enough (the best lexical hit at or above `lexical_shortcut`) for their answer to
    /// stand without embedding the query.
    pub fn words_suffice(&self, lexical_hits: &[Hit]) -> bool {
        lexical_hits
            .first()
            .is_some_and(|best| best.confidence >= self.lexical_shortcut)
    }
}

impl FaqIndex {
    /// The entry of every indexed phrasing, as a position in [`FaqIndex::entries`], in the order of
    /// [`FaqIndex::phrasing_questions`].
    pub fn phrasing_entries(&self) -> Vec<usize> {
        self.phrasings
            .iter()
            .map(|phrasing| phrasing.entry)
            .collect()
    }

    /// Every indexed phrasing, in the order [`PhrasingVectors`] expects their vectors.
    pub fn phrasing_questions(&self) -> Vec<&str> {
        self.phrasings
            .iter()
            .map(|phrasing| phrasing.question.as_str())
            .collect()
    }

    /// Pairs vectors with this index's phrasings; they must be one per phrasing, all of one non-zero length.
    pub fn phrasing_vectors(&self, vectors: Vec<Vec<f32>>) -> Result<PhrasingVectors, SearchError> {
        if vectors.len() != self.phrasings.len() {
            return Err(SearchError::Vectors(format!(
                "{} vectors for {} phrasings",
                vectors.len(),
                self.phrasings.len()
            )));
        }
        let dimension = vectors.first().map_or(0, Vec::len);
        if vectors
            .iter()
            .any(|vector| vector.len() != dimension || dimension == 0)
        {
            return Err(SearchError::Vectors(
                "the vectors are not all of one non-zero length".to_owned(),
            ));
        }
        let mut centroids = vec![vec![0.0_f32; dimension]; self.entries.len()];
        for (phrasing, vector) in self.phrasings.iter().zip(&vectors) {
            for (sum, value) in centroids[phrasing.entry].iter_mut().zip(vector) {
                *sum += value;
            }
        }
        for centroid in &mut centroids {
            let length = centroid
                .iter()
                .map(|value| value * value)
                .sum::<f32>()
                .sqrt();
            if length > 0.0 {
                centroid.iter_mut().for_each(|value| *value /= length);
            }
        }
        Ok(PhrasingVectors {
            vectors,
            centroids,
            scorer: None,
        })
    }

    /// Up to `limit` entries for a query, ranked by the blend of lexical confidence and similarity of meaning; each
    /// hit's `confidence` is the blend. `lexical_hits` are all the query's hits as [`FaqIndex::search`] gives them
    /// (the caller has them already, having asked the words first).
    pub fn blend(
        &self,
        lexical_hits: &[Hit],
        query_vector: &[f32],
        vectors: &PhrasingVectors,
        options: &HybridOptions,
        limit: usize,
    ) -> Vec<Hit> {
        let similarities = self.similarities(query_vector, vectors);
        self.blend_similarities(lexical_hits, &similarities, options, limit)
    }

    /// How close in meaning the query is to each entry, before any option applies: what [`FaqIndex::blend`] does
    /// first, apart so that options can be compared on many queries without comparing vectors again.
    pub fn similarities(&self, query_vector: &[f32], vectors: &PhrasingVectors) -> Similarities {
        let mut per_entry = vec![
            EntrySimilarity {
                best: f32::MIN,
                phrasing: 0,
                second: f32::MIN,
                centroid: 0.0,
                chance: 0.0,
            };
            self.entries.len()
        ];
        for (slot, centroid) in per_entry.iter_mut().zip(&vectors.centroids) {
            slot.centroid = dot(query_vector, centroid);
        }
        if let Some(scorer) = &vectors.scorer {
            for (slot, chance) in per_entry.iter_mut().zip(scorer.chances(query_vector)) {
                slot.chance = chance;
            }
        }
        for (phrasing_index, (phrasing, vector)) in
            self.phrasings.iter().zip(&vectors.vectors).enumerate()
        {
            let cosine = dot(query_vector, vector);
            let slot = &mut per_entry[phrasing.entry];
            if cosine > slot.best {
                slot.second = slot.best;
                slot.best = cosine;
                slot.phrasing = phrasing_index;
            } else if cosine > slot.second {
                slot.second = cosine;
            }
        }
        Similarities { per_entry }
    }

    /// [`FaqIndex::blend`] from similarities already measured.
    pub fn blend_similarities(
        &self,
        lexical_hits: &[Hit],
        similarities: &Similarities,
        options: &HybridOptions,
        limit: usize,
    ) -> Vec<Hit> {
        let lexical: HashMap<usize, &Hit> = lexical_hits
            .iter()
            .filter_map(|hit| Some((*self.by_id.get(&hit.faq_id)?, hit)))
            .collect();
        let support = options.support.clamp(0.0, 1.0);
        let toward_centroid = options.centroid.clamp(0.0, 1.0);
        let span = (options.similarity_ceiling - options.similarity_floor).max(f32::EPSILON);
        let weight = options.dense_weight.clamp(0.0, 1.0);
        // (entry, blend, stretched similarity, lexical confidence)
        let mut scored: Vec<(usize, f32, f32, f32)> = similarities
            .per_entry
            .iter()
            .enumerate()
            .filter(|(_, similarity)| similarity.best > f32::MIN)
            .map(|(entry, similarity)| {
                let phrasings = if similarity.second > f32::MIN {
                    (1.0 - support) * similarity.best + support * similarity.second
                } else {
                    similarity.best
                };
                let cosine = (1.0 - toward_centroid) * phrasings
                    + toward_centroid * similarity.centroid
                    + options.classifier * similarity.chance;
                let stretched = ((cosine - options.similarity_floor) / span).clamp(0.0, 1.0);
                let lexical_confidence = lexical.get(&entry).map_or(0.0, |hit| hit.confidence);
                let blended = (1.0 - weight) * lexical_confidence + weight * stretched;
                (entry, blended, stretched, lexical_confidence)
            })
            .collect();
        scored.sort_by(|left, right| {
            right
                .1
                .total_cmp(&left.1)
                .then_with(|| self.entries[left.0].id.cmp(&self.entries[right.0].id))
        });
        scored.truncate(limit);
        scored
            .into_iter()
            .map(|(entry, blended, stretched, lexical_confidence)| {
                let lexical_hit = lexical.get(&entry).copied();
                Hit {
                    faq_id: self.entries[entry].id.clone(),
                    score: lexical_hit.map_or(0.0, |hit| hit.score),
                    confidence: blended,
                    matched_question: match lexical_hit {
                        Some(hit) if lexical_confidence >= stretched => {
                            hit.matched_question.clone()
                        }
                        _ => self.phrasings[similarities.per_entry[entry].phrasing]
                            .question
                            .clone(),
                    },
                }
            })
            .collect()
    }
}

/// How close a query is to each entry's phrasings: see [`FaqIndex::similarities`].
#[derive(Debug, Clone)]
pub struct Similarities {
    per_entry: Vec<EntrySimilarity>,
}

#[derive(Debug, Clone, Copy)]
struct EntrySimilarity {
    /// The best cosine of any phrasing, and that phrasing.
    best: f32,
    phrasing: usize,
    /// The second best cosine.
    second: f32,
    /// The cosine with the centre of the entry's phrasings.
    centroid: f32,
    /// The [`EntryScorer`]'s chance for the entry (0 without one).
    chance: f32,
}

fn dot(left: &[f32], right: &[f32]) -> f32 {
    if left.len() != right.len() {
        return 0.0;
    }
    left.iter().zip(right).map(|(a, b)| a * b).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::SearchOptions;
    use crate::{FaqSet, KnowledgeGraph};

    fn demo_index() -> FaqIndex {
        let graph = KnowledgeGraph::demo().expect("demo graph");
        let faq = FaqSet::demo(&graph).expect("demo faq");
        FaqIndex::build(&faq, &SearchOptions::default()).expect("index")
    }

    /// A vector pointing along axis `axis` of a 4-dimensional space.
    fn axis(axis: usize) -> Vec<f32> {
        let mut vector = vec![0.0; 4];
        vector[axis] = 1.0;
        vector
    }

    #[test]
    fn meaning_finds_an_entry_that_shares_no_word_with_the_query() {
        let index = demo_index();
        let questions = index.phrasing_questions();
        let target = index
            .entry("faq.grace_period")
            .expect("the grace-period entry")
            .questions_zh[0]
            .clone();
        // Every phrasing of the grace-period entry points one way, every other phrasing another.
        let grace_phrasings: Vec<bool> = questions
            .iter()
            .map(|question| {
                index.entry("faq.grace_period").is_some_and(|entry| {
                    entry
                        .questions_zh
                        .iter()
                        .chain(&entry.questions_en)
                        .any(|own| own == question)
                })
            })
            .collect();
        assert!(grace_phrasings.iter().any(|&own| own), "{target}");
        let vectors = index
            .phrasing_vectors(
                grace_phrasings
                    .iter()
                    .map(|&own| if own { axis(0) } else { axis(1) })
                    .collect(),
            )
            .expect("one vector per phrasing");
        let options = HybridOptions::default();
        let lexical = index.search("喵喵喵", None, usize::MAX);
        let hits = index.blend(&lexical, &axis(0), &vectors, &options, 3);
        assert_eq!(hits[0].faq_id, "faq.grace_period");
        assert!((hits[0].confidence - options.dense_weight).abs() < 1e-6);
        assert!(hits[1].confidence < 1e-6);
    }

    /// Gives all the chance to one entry, whatever the query.
    #[derive(Debug)]
    struct Favours {
        entry: usize,
        entries: usize,
    }

    impl EntryScorer for Favours {
        fn chances(&self, _query_vector: &[f32]) -> Vec<f32> {
            let mut chances = vec![0.0; self.entries];
            chances[self.entry] = 1.0;
            chances
        }
    }

    #[test]
    fn the_scorer_s_chance_sets_apart_entries_that_are_equally_close() {
        let index = demo_index();
        let count = index.phrasing_questions().len();
        let vectors = index
            .phrasing_vectors(vec![axis(0); count])
            .expect("one vector per phrasing");
        // Every phrasing, so every entry, is at cosine 0.9 from the query.
        let query = [0.9, (1.0_f32 - 0.81).sqrt(), 0.0, 0.0];
        let options = HybridOptions {
            classifier: 0.05,
            ..HybridOptions::default()
        };
        let stretch = |cosine: f32| {
            options.dense_weight * (cosine - options.similarity_floor)
                / (options.similarity_ceiling - options.similarity_floor)
        };
        let lexical = index.search("喵喵喵", None, usize::MAX);
        assert!(lexical.is_empty());

        let unscored = index.blend(&lexical, &query, &vectors, &options, 2);
        assert!((unscored[0].confidence - stretch(0.9)).abs() < 1e-5);
        assert!((unscored[1].confidence - stretch(0.9)).abs() < 1e-5);

        let target = index
            .entries()
            .iter()
            .position(|entry| entry.id == "faq.grace_period")
            .expect("the grace-period entry");
        let scored = vectors.with_scorer(Arc::new(Favours {
            entry: target,
            entries: index.entries().len(),
        }));
        assert!(scored.has_scorer());
        let hits = index.blend(&lexical, &query, &scored, &options, 2);
        assert_eq!(hits[0].faq_id, "faq.grace_period");
        // The chance, times the classifier's weight, is added to the cosine before it is stretched.
        assert!((hits[0].confidence - stretch(0.95)).abs() < 1e-5);
        assert!((hits[1].confidence - stretch(0.9)).abs() < 1e-5);
    }

    #[test]
    fn vectors_must_match_the_phrasings() {
        let index = demo_index();
        assert!(index.phrasing_vectors(vec![axis(0)]).is_err());
        let count = index.phrasing_questions().len();
        let mut ragged = vec![axis(0); count];
        ragged[1] = vec![1.0];
        assert!(index.phrasing_vectors(ragged).is_err());
    }
}

//! FAQ retrieval: finding the FAQ entry that answers a customer's question, or saying that none does.
//!
//! [`FaqIndex::build`] puts every phrasing of every question into an in-memory tantivy index, one document per
//! phrasing, with the entry's answer, tags and intent beside it in the same language. One document per phrasing
//! (rather than per entry) keeps documents as short as the questions customers type, so a short query that matches
//! one phrasing well is not diluted by the entry's other phrasings. Text is analysed by [`Analyser`]: jieba with the
//! lender's dictionary and character pairs for Chinese, rough stems for English, traditional characters folded into
//! simplified ones. Synonyms are applied when searching.
//!
//! Candidates come from tantivy's BM25 ranking; each is then judged on three measures: how much of the query (by
//! word rarity) the phrasing holds, how much of the phrasing the query holds, and the BM25 score. A logistic model
//! over them, fitted by [`calibrate`] on held-out phrasings and on questions the FAQ does not answer, turns them
//! into a confidence: the estimated chance the entry answers the query. Hits are ranked by it, and
//! [`FaqIndex::best_answer`] gives no answer below the calibrated threshold, so that the caller can say it does not
//! know and offer a person instead of giving a wrong answer. A caller holding a sentence encoder blends the lexical
//! judgement with similarity of meaning through [`FaqIndex::blend`] (`hybrid.rs`).

mod analysis;
mod calibration;
mod evaluation;
mod hybrid;
#[cfg(test)]
mod tests;

pub use analysis::{Analyser, has_chinese};
pub use calibration::{Calibration, calibrate};
pub use evaluation::{EvalExample, Expected, KgEvalReport, evaluate, evaluate_with};
pub use hybrid::{EntryScorer, HybridOptions, PhrasingVectors, Similarities};

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument, Term};

use crate::{FaqEntry, FaqSet, Lang};

use analysis::AnalyserTokenizer;
use calibration::Features;

/// The lender words the segmenter must keep whole (`knowledge/search/dictionary.txt`).
pub const DEMO_DICTIONARY: &str = include_str!("../../knowledge/search/dictionary.txt");
/// Groups of words customers use for the same thing (`knowledge/search/synonyms.txt`).
pub const DEMO_SYNONYMS: &str = include_str!("../../knowledge/search/synonyms.txt");
/// Words too common to tell questions apart (`knowledge/search/stopwords.txt`).
pub const DEMO_STOPWORDS: &str = include_str!("../../knowledge/search/stopwords.txt");
/// Traditional characters with their simplified forms (`knowledge/search/traditional.txt`).
pub const DEMO_TRADITIONAL: &str = include_str!("../../knowledge/search/traditional.txt");
/// Questions the demo FAQ does not answer, for calibrating the threshold (`knowledge/search/unanswerable.jsonl`).
pub const DEMO_UNANSWERABLE: &str = include_str!("../../knowledge/search/unanswerable.jsonl");

/// The name the analyser is registered under in the tantivy index.
const ANALYSER_NAME: &str = "anxin";

/// What can go wrong building a search index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A line of one of the analyser's tables is malformed.
    #[error("{table} table, line {line}: {message}")]
    Data {
        table: &'static str,
        line: usize,
        message: String,
    },
    /// A line of an evaluation file is malformed.
    #[error("evaluation line {line}: {message}")]
    Example { line: usize, message: String },
    /// Phrasing vectors that do not fit the index.
    #[error("phrasing vectors: {0}")]
    Vectors(String),
    /// The search engine failed.
    #[error("search engine: {0}")]
    Engine(#[from] tantivy::TantivyError),
}

/// How to analyse text and how to judge hits. [`SearchOptions::default`] is the demo lender's.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Extra words for the Chinese segmenter: `word frequency part-of-speech` a line.
    pub dictionary: String,
    /// Synonym groups, members separated by `|`, one group a line.
    pub synonyms: String,
    /// Stop words, separated by white space.
    pub stopwords: String,
    /// Traditional and simplified character pairs, separated by white space.
    pub traditional: String,
    /// The model that turns a hit's measures into a confidence, with its threshold.
    pub calibration: Calibration,
    /// How many phrasings tantivy hands on for judging.
    pub candidates: usize,
}

impl Default for SearchOptions {
    fn default() -> SearchOptions {
        SearchOptions {
            dictionary: DEMO_DICTIONARY.to_owned(),
            synonyms: DEMO_SYNONYMS.to_owned(),
            stopwords: DEMO_STOPWORDS.to_owned(),
            traditional: DEMO_TRADITIONAL.to_owned(),
            calibration: Calibration::default(),
            candidates: 40,
        }
    }
}

/// One FAQ entry found for a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub faq_id: String,
    /// The BM25 score of the entry's best-matching phrasing.
    pub score: f32,
    /// The estimated chance, between 0 and 1, that the entry answers the query.
    pub confidence: f32,
    /// The phrasing that matched best.
    pub matched_question: String,
}

/// One indexed phrasing.
#[derive(Debug, Clone)]
struct Phrasing {
    entry: usize,
    question: String,
    /// The distinct terms of the question.
    terms: HashSet<String>,
}

/// The fields of the index.
#[derive(Debug, Clone, Copy)]
struct Fields {
    question: Field,
    answer: Field,
    labels: Field,
    phrasing: Field,
}

/// A query, analysed: its terms, the synonyms it says, and the weight of each term.
#[derive(Debug)]
struct AnalysedQuery {
    terms: Vec<String>,
    expansions: Vec<analysis::SynonymExpansion>,
}

/// FAQ entries indexed for search.
pub struct FaqIndex {
    entries: Vec<FaqEntry>,
    by_id: HashMap<String, usize>,
    phrasings: Vec<Phrasing>,
    /// How rare each question term is: `ln(1 + N / (df + 0.5))` over the phrasings.
    rarity: HashMap<String, f32>,
    /// The rarity given to a term no phrasing holds.
    unseen_rarity: f32,
    analyser: Arc<Analyser>,
    fields: Fields,
    reader: IndexReader,
    /// For each segment, the phrasing of each of its documents.
    phrasing_of_document: Vec<Vec<u32>>,
    options: SearchOptions,
}

impl std::fmt::Debug for FaqIndex {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("FaqIndex")
            .field("entries", &self.entries.len())
            .field("phrasings", &self.phrasings.len())
            .finish_non_exhaustive()
    }
}

impl FaqIndex {
    /// Indexes a FAQ set.
    pub fn build(faqs: &FaqSet, options: &SearchOptions) -> Result<FaqIndex, SearchError> {
        let analyser = Arc::new(Analyser::new(options)?);
        FaqIndex::build_from_entries(faqs.entries().to_vec(), analyser, options)
    }

    /// Indexes entries with an analyser already built (building one loads the segmenter's dictionary).
    pub fn build_from_entries(
        entries: Vec<FaqEntry>,
        analyser: Arc<Analyser>,
        options: &SearchOptions,
    ) -> Result<FaqIndex, SearchError> {
        let mut schema = Schema::builder();
        let analysed = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYSER_NAME)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        let fields = Fields {
            question: schema.add_text_field("question", analysed.clone()),
            answer: schema.add_text_field("answer", analysed.clone()),
            labels: schema.add_text_field("labels", analysed),
            phrasing: schema.add_u64_field("phrasing", tantivy::schema::FAST),
        };
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(
            ANALYSER_NAME,
            AnalyserTokenizer {
                analyser: Arc::clone(&analyser),
            },
        );

        let mut phrasings = Vec::new();
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 50_000_000)?;
        for (entry_index, entry) in entries.iter().enumerate() {
            let mut labels = entry.tags.join(" ");
            if let Some(intent) = &entry.intent {
                labels.push(' ');
                labels.push_str(&intent.replace('_', " "));
            }
            for lang in [Lang::Zh, Lang::En] {
                for question in entry.questions(lang) {
                    let mut document = TantivyDocument::new();
                    document.add_text(fields.question, question);
                    document.add_text(fields.answer, entry.answer.get(lang));
                    document.add_text(fields.labels, &labels);
                    document.add_u64(fields.phrasing, phrasings.len() as u64);
                    writer.add_document(document)?;
                    phrasings.push(Phrasing {
                        entry: entry_index,
                        question: question.clone(),
                        terms: analyser.terms(question).into_iter().collect(),
                    });
                }
            }
        }
        writer.commit()?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;

        let searcher = reader.searcher();
        let mut phrasing_of_document = Vec::new();
        for segment in searcher.segment_readers() {
            let column = segment.fast_fields().u64("phrasing")?;
            let phrasing_numbers = (0..segment.max_doc())
                .map(|document| column.first(document).unwrap_or_default() as u32)
                .collect();
            phrasing_of_document.push(phrasing_numbers);
        }

        let mut document_frequency: HashMap<&str, u32> = HashMap::new();
        for phrasing in &phrasings {
            for term in &phrasing.terms {
                *document_frequency.entry(term).or_default() += 1;
            }
        }
        let count = phrasings.len().max(1) as f32;
        let rarity = document_frequency
            .into_iter()
            .map(|(term, frequency)| {
                (
                    term.to_owned(),
                    (1.0 + count / (frequency as f32 + 0.5)).ln(),
                )
            })
            .collect();
        let unseen_rarity = (1.0 + count / 0.5).ln();
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(index, entry)| (entry.id.clone(), index))
            .collect();

        Ok(FaqIndex {
            entries,
            by_id,
            phrasings,
            rarity,
            unseen_rarity,
            analyser,
            fields,
            reader,
            phrasing_of_document,
            options: options.clone(),
        })
    }

    /// The indexed entries.
    pub fn entries(&self) -> &[FaqEntry] {
        &self.entries
    }

    /// The entry with this id.
    pub fn entry(&self, faq_id: &str) -> Option<&FaqEntry> {
        self.by_id.get(faq_id).map(|index| &self.entries[*index])
    }

    /// The analyser the index was built with.
    pub fn analyser(&self) -> &Arc<Analyser> {
        &self.analyser
    }

    /// The calibrated model and threshold in use.
    pub fn calibration(&self) -> &Calibration {
        &self.options.calibration
    }

    /// Up to `limit` entries for a query, best first. The language hint is accepted for callers that know the
    /// customer's language; phrasings of both languages are searched, since customers mix them.
    pub fn search(&self, query: &str, lang_hint: Option<Lang>, limit: usize) -> Vec<Hit> {
        let _ = lang_hint;
        self.judged_candidates(query, &self.options.calibration)
            .into_iter()
            .take(limit)
            .map(|(hit, _)| hit)
            .collect()
    }

    /// The entry that answers the query, with its confidence, or `None` when no entry is likely enough to.
    pub fn best_answer(&self, query: &str, lang: Lang) -> Option<(&FaqEntry, f32)> {
        let hit = self.search(query, Some(lang), 1).into_iter().next()?;
        if hit.confidence < self.options.calibration.threshold {
            return None;
        }
        let entry = self.entry(&hit.faq_id)?;
        Some((entry, hit.confidence))
    }

    fn analyse(&self, query: &str) -> AnalysedQuery {
        let mut terms = self.analyser.terms(query);
        let mut seen = HashSet::new();
        terms.retain(|term| seen.insert(term.clone()));
        AnalysedQuery {
            terms,
            expansions: self.analyser.synonym_expansions(query),
        }
    }

    fn rarity_of(&self, term: &str) -> f32 {
        self.rarity.get(term).copied().unwrap_or(self.unseen_rarity)
    }

    /// Every candidate entry with its hit and measures, judged by `calibration`, best first.
    fn judged_candidates(&self, query: &str, calibration: &Calibration) -> Vec<(Hit, Features)> {
        let analysed = self.analyse(query);
        let scored = self.bm25_candidates(&analysed);
        let mut best_per_entry: HashMap<usize, (Hit, Features)> = HashMap::new();
        for (score, phrasing_index) in scored {
            let Some(phrasing) = self.phrasings.get(phrasing_index) else {
                continue;
            };
            let features = self.features(&analysed, phrasing, score);
            let confidence = calibration.confidence(&features);
            let hit = Hit {
                faq_id: self.entries[phrasing.entry].id.clone(),
                score,
                confidence,
                matched_question: phrasing.question.clone(),
            };
            let better = best_per_entry
                .get(&phrasing.entry)
                .is_none_or(|(known, _)| confidence > known.confidence);
            if better {
                best_per_entry.insert(phrasing.entry, (hit, features));
            }
        }
        let mut judged: Vec<(Hit, Features)> = best_per_entry.into_values().collect();
        judged.sort_by(|(left, _), (right, _)| {
            right
                .confidence
                .total_cmp(&left.confidence)
                .then(right.score.total_cmp(&left.score))
                .then(left.faq_id.cmp(&right.faq_id))
        });
        judged
    }

    /// Phrasings ranked by BM25 over the query's terms and their synonyms: `(score, phrasing index)`.
    fn bm25_candidates(&self, analysed: &AnalysedQuery) -> Vec<(f32, usize)> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut add = |field: Field, term: &str, boost: f32| {
            let query = TermQuery::new(
                Term::from_field_text(field, term),
                IndexRecordOption::WithFreqs,
            );
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(query), boost)),
            ));
        };
        let mut searched: HashSet<&str> = HashSet::new();
        for term in &analysed.terms {
            searched.insert(term);
            add(self.fields.question, term, 1.0);
            add(self.fields.answer, term, 0.2);
            add(self.fields.labels, term, 0.3);
        }
        for expansion in &analysed.expansions {
            for (terms, _) in &expansion.alternatives {
                for term in terms {
                    if searched.insert(term) {
                        add(self.fields.question, term, 0.8);
                    }
                }
            }
        }
        if clauses.is_empty() {
            return Vec::new();
        }
        let query = BooleanQuery::new(clauses);
        let searcher = self.reader.searcher();
        let collector = TopDocs::with_limit(self.options.candidates.max(1)).order_by_score();
        let Ok(found) = searcher.search(&query, &collector) else {
            return Vec::new();
        };
        found
            .into_iter()
            .filter_map(|(score, address)| {
                let phrasing = self
                    .phrasing_of_document
                    .get(address.segment_ord as usize)?
                    .get(address.doc_id as usize)?;
                Some((score, *phrasing as usize))
            })
            .collect()
    }

    /// The measures a hit is judged on.
    fn features(&self, analysed: &AnalysedQuery, phrasing: &Phrasing, score: f32) -> Features {
        let mut matched: HashSet<&str> = analysed
            .terms
            .iter()
            .filter(|term| phrasing.terms.contains(*term))
            .map(String::as_str)
            .collect();
        let mut matched_alternatives: HashSet<&str> = HashSet::new();
        for expansion in &analysed.expansions {
            let said_otherwise = expansion.alternatives.iter().find(|(_, signature)| {
                !signature.is_empty() && signature.iter().all(|term| phrasing.terms.contains(term))
            });
            if let Some((terms, signature)) = said_otherwise {
                matched.extend(expansion.covered_terms.iter().map(String::as_str));
                matched_alternatives.extend(terms.iter().map(String::as_str));
                matched_alternatives.extend(signature.iter().map(String::as_str));
            }
        }
        let query_weight: f32 = analysed.terms.iter().map(|term| self.rarity_of(term)).sum();
        let query_matched: f32 = analysed
            .terms
            .iter()
            .filter(|term| matched.contains(term.as_str()))
            .map(|term| self.rarity_of(term))
            .sum();
        let phrasing_weight: f32 = phrasing.terms.iter().map(|term| self.rarity_of(term)).sum();
        let phrasing_matched: f32 = phrasing
            .terms
            .iter()
            .filter(|term| {
                matched.contains(term.as_str()) || matched_alternatives.contains(term.as_str())
            })
            .map(|term| self.rarity_of(term))
            .sum();
        Features {
            query_coverage: ratio(query_matched, query_weight),
            phrasing_coverage: ratio(phrasing_matched, phrasing_weight),
            bm25: (1.0 + score).ln(),
        }
    }
}

fn ratio(part: f32, whole: f32) -> f32 {
    if whole > 0.0 {
        (part / whole).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

//! Natural-language understanding for Anxin: from one customer utterance to a language, a ranked intent,
//! typed entities with normalised values, and a sentiment.
//!
//! The crate is pure. It reads no environment, opens no files or sockets and never downloads: models come in as
//! bytes and go out as bytes, training data comes in as text, and the caller (the `bot` crate) decides where
//! they live. Bad input is never an error here: any string parses to *some* [`Parse`], possibly with low
//! confidence, which the dialog manager turns into a clarifying question.
//!
//! The pieces, in the order [`Nlu::parse`] runs them:
//! - [`normalize`]: full-width to half-width, case, spacing; offsets map back to the original text.
//! - [`correct`]: conservative spelling correction (Traditional to Simplified, domain words mistyped by sound or
//!   shape, pinyin initials), one character for one, before the classifier.
//! - [`lang`]: Chinese or English, from the scripts the text uses.
//! - [`intent`]: the candle intent classifier (hashed character and word n-grams, an embedding bag and a
//!   small feed-forward network), its training loop and its serialised form.
//! - [`entities`]: rule-based recognisers for the entity types of `shared/spec/entities.md`.
//! - [`sentiment`]: a candle sentiment model tuned to customer-service speech, with a lexicon scorer as the
//!   fallback when no model is given.
//! - [`data`] and [`eval`]: the JSONL training format shared with lenders, and the evaluation report.
//! - [`name_tagger`]: a candle sequence tagger for Chinese person names, taught from People's Daily 1998.
//! - [`review`]: which parses go to the review queue of active learning, and their masked text.

pub mod correct;
pub mod data;
pub mod encoder;
pub mod entities;
pub mod eval;
pub mod intent;
pub mod lang;
pub mod name_tagger;
pub mod normalize;
pub mod review;
pub mod sentiment;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use data::{ExpectedEntity, TrainingExample};
pub use entities::{Entity, EntityKind, EntityValue};
pub use intent::{IntentClassifier, ModelFiles, TrainOptions, TrainProgress};
pub use lang::Lang;
pub use sentiment::{Sentiment, SentimentLabel};

/// The intent ids with their group and descriptions, exactly as `shared/spec/intents.tsv` lists them.
pub const INTENTS_TSV: &str = include_str!("../data/intents.tsv");

/// The intent a classifier falls back to when nothing fits.
pub const OUT_OF_SCOPE: &str = "out_of_scope";

/// One intent id from [`INTENTS_TSV`] with its group (`general`, `service` or `collections`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntentInfo {
    pub id: &'static str,
    pub group: &'static str,
    pub description_zh: &'static str,
    pub description_en: &'static str,
}

/// All 56 intents, in the order of the spec.
pub fn intents() -> Vec<IntentInfo> {
    INTENTS_TSV
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .filter_map(|line| {
            let mut fields = line.split('\t');
            Some(IntentInfo {
                id: fields.next()?,
                group: fields.next()?,
                description_zh: fields.next()?,
                description_en: fields.next()?,
            })
        })
        .collect()
}

/// A candidate intent and the classifier's calibrated probability for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentScore {
    pub name: String,
    pub confidence: f32,
}

/// Everything the NLU understood of one utterance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parse {
    /// The text as the customer sent it.
    pub text: String,
    pub lang: Lang,
    /// The top intent; equal to `intent_ranking[0]`.
    pub intent: IntentScore,
    /// Intents by falling confidence (at most ten).
    pub intent_ranking: Vec<IntentScore>,
    /// Entities with offsets into `text` in Unicode scalar values, end exclusive, sorted by start.
    pub entities: Vec<Entity>,
    pub sentiment: Sentiment,
}

impl Parse {
    /// The first entity of a kind, if any.
    pub fn entity(&self, kind: EntityKind) -> Option<&Entity> {
        self.entities.iter().find(|entity| entity.kind == kind)
    }
}

/// The NLU pipeline: a trained intent classifier plus the rule-based parts.
#[derive(Debug)]
pub struct Nlu {
    classifier: IntentClassifier,
    sentiment_model: Option<sentiment::SentimentModel>,
    name_tagger: Option<name_tagger::NameTagger>,
}

impl Nlu {
    /// A pipeline whose sentiment comes from the lexicon scorer.
    pub fn new(classifier: IntentClassifier) -> Self {
        Self {
            classifier,
            sentiment_model: None,
            name_tagger: None,
        }
    }

    /// The same pipeline finding Chinese person names with a trained tagger as well as by rule.
    pub fn with_name_tagger(mut self, tagger: name_tagger::NameTagger) -> Self {
        self.name_tagger = Some(tagger);
        self
    }

    pub fn name_tagger(&self) -> Option<&name_tagger::NameTagger> {
        self.name_tagger.as_ref()
    }

    /// The same pipeline with its sentiment from a trained model instead of the lexicon.
    pub fn with_sentiment(mut self, model: sentiment::SentimentModel) -> Self {
        self.sentiment_model = Some(model);
        self
    }

    pub fn sentiment_model(&self) -> Option<&sentiment::SentimentModel> {
        self.sentiment_model.as_ref()
    }

    pub fn classifier(&self) -> &IntentClassifier {
        &self.classifier
    }

    /// Understands one utterance. Relative dates ("明天", "next Friday") resolve against `reference_date`.
    pub fn parse(&self, text: &str, reference_date: NaiveDate) -> Parse {
        let normalized = normalize::for_classifier(text);
        let lang = lang::detect(&normalized.text);
        let intent_ranking = self.classifier.predict(&normalized.text);
        let intent = intent_ranking.first().cloned().unwrap_or(IntentScore {
            name: OUT_OF_SCOPE.to_owned(),
            confidence: 0.0,
        });
        let entities =
            entities::extract_with_names(text, reference_date, self.name_tagger.as_ref());
        let sentiment = match &self.sentiment_model {
            Some(model) => model.predict(&normalized.text, lang),
            None => sentiment::score(&normalized.text, lang),
        };
        Parse {
            text: text.to_owned(),
            lang,
            intent,
            intent_ranking,
            entities,
            sentiment,
        }
    }
}

/// Failures of training, loading and reading data. Parsing an utterance never fails.
#[derive(Debug, thiserror::Error)]
pub enum NluError {
    /// A line of a JSONL data file is not a valid example.
    #[error("{source_name}:{line}: {message}")]
    Data {
        source_name: String,
        line: usize,
        message: String,
    },
    /// The data cannot train a model (no examples, an unknown intent id, ...).
    #[error("cannot train: {0}")]
    Training(String),
    /// Serialised model files are missing parts or do not match this version of the code.
    #[error("invalid model: {0}")]
    Model(String),
    #[error("tensor computation failed: {0}")]
    Candle(#[from] candle_core::Error),
}

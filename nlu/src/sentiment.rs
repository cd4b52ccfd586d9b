//! Sentiment of an utterance (negative, neutral, positive with a score).

use serde::{Deserialize, Serialize};

use crate::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentimentLabel {
    Negative,
    Neutral,
    Positive,
}

/// A sentiment label and the scorer's confidence in it, in `0.0..=1.0`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    pub label: SentimentLabel,
    pub score: f32,
}

/// Scores the sentiment of `text`.
pub fn score(text: &str, lang: Lang) -> Sentiment {
    let _ = (text, lang);
    Sentiment {
        label: SentimentLabel::Neutral,
        score: 0.5,
    }
}

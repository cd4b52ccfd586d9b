//! Text normalisation before classification: full-width to half-width, case, spacing.

/// Normalised text for the classifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
}

/// Normalises `text` for classification.
pub fn normalize(text: &str) -> Normalized {
    Normalized {
        text: text.to_owned(),
    }
}

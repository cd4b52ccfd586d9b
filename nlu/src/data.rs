//! The JSONL example format shared by training and evaluation, and the bundled bilingual data.
//!
//! One JSON object a line: `{"text": "...", "intent": "...", "entities": [{"type": "money", "value": {...}}]}`,
//! `entities` optional. Blank lines and lines starting with `#` are skipped.

use serde::{Deserialize, Serialize};

use crate::NluError;

/// An entity an example expects: its type name and normalised value, as in the spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpectedEntity {
    #[serde(rename = "type")]
    pub kind: String,
    pub value: serde_json::Value,
}

/// One labelled utterance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingExample {
    pub text: String,
    pub intent: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entities: Option<Vec<ExpectedEntity>>,
}

/// The project's own training data, compiled into the binary: `(file name, contents)`.
pub const BUNDLED_TRAINING: [(&str, &str); 2] = [
    ("train/zh.jsonl", include_str!("../data/train/zh.jsonl")),
    ("train/en.jsonl", include_str!("../data/train/en.jsonl")),
];

/// The development set, written apart from the training data and never trained on.
pub const BUNDLED_DEV: [(&str, &str); 2] = [
    ("dev/zh.jsonl", include_str!("../data/dev/zh.jsonl")),
    ("dev/en.jsonl", include_str!("../data/dev/en.jsonl")),
];

/// Reads JSONL examples; `source_name` names the file in errors, which carry 1-based line numbers.
pub fn parse_jsonl(source_name: &str, contents: &str) -> Result<Vec<TrainingExample>, NluError> {
    let mut examples = Vec::new();
    for (index, line) in contents.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let example: TrainingExample = serde_json::from_str(trimmed).map_err(|error| NluError::Data {
            source_name: source_name.to_owned(),
            line: index + 1,
            message: error.to_string(),
        })?;
        examples.push(example);
    }
    Ok(examples)
}

/// Reads all bundled files of a set.
pub fn parse_bundled(files: &[(&str, &str)]) -> Result<Vec<TrainingExample>, NluError> {
    let mut all = Vec::new();
    for (name, contents) in files {
        all.extend(parse_jsonl(name, contents)?);
    }
    Ok(all)
}

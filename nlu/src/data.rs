//! The JSONL example format shared by training and evaluation, and the bundled bilingual data.
//!
//! One JSON object a line: `{"text": "...", "intent": "...", "entities": [{"type": "money", "value": {...}}]}`,
//! `entities` optional. Blank lines and lines starting with `#` are skipped. Every intent must be one of
//! `shared/spec/intents.tsv` and every entity type one of `shared/spec/entities.md`; a line that breaks a rule is
//! reported with its file name and 1-based line number.
//!
//! Nothing here reads files: the caller passes the contents in (the `bot` crate reads them), and
//! [`to_jsonl`] gives text back to be written.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{EntityKind, NluError};

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

/// Why an example breaks the rules of the format, if it does.
fn example_problem(example: &TrainingExample, known_intents: &[&str]) -> Option<String> {
    if example.text.trim().is_empty() {
        return Some("the text is empty".to_owned());
    }
    if !known_intents.contains(&example.intent.as_str()) {
        return Some(format!(
            "unknown intent {:?}; the intents are those of intents.tsv",
            example.intent
        ));
    }
    example
        .entities
        .iter()
        .flatten()
        .find(|entity| EntityKind::from_name(&entity.kind).is_none())
        .map(|entity| format!("unknown entity type {:?}", entity.kind))
}

/// Reads JSONL examples; `source_name` names the file in errors, which carry 1-based line numbers.
pub fn parse_jsonl(source_name: &str, contents: &str) -> Result<Vec<TrainingExample>, NluError> {
    let intents = crate::intents();
    let known_intents: Vec<&str> = intents.iter().map(|intent| intent.id).collect();
    let mut examples = Vec::new();
    for (index, line) in contents.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let data_error = |message: String| NluError::Data {
            source_name: source_name.to_owned(),
            line: index + 1,
            message,
        };
        let example: TrainingExample =
            serde_json::from_str(trimmed).map_err(|error| data_error(error.to_string()))?;
        if let Some(problem) = example_problem(&example, &known_intents) {
            return Err(data_error(problem));
        }
        examples.push(example);
    }
    Ok(examples)
}

/// Reads all files of a set, given as `(file name, contents)`, in order.
pub fn parse_bundled(files: &[(&str, &str)]) -> Result<Vec<TrainingExample>, NluError> {
    let mut all = Vec::new();
    for (name, contents) in files {
        all.extend(parse_jsonl(name, contents)?);
    }
    Ok(all)
}

/// The bundled training examples, Chinese first.
pub fn bundled_training() -> Result<Vec<TrainingExample>, NluError> {
    parse_bundled(&BUNDLED_TRAINING)
}

/// The bundled development examples, Chinese first.
pub fn bundled_dev() -> Result<Vec<TrainingExample>, NluError> {
    parse_bundled(&BUNDLED_DEV)
}

/// Examples as JSONL text, one line each, in the format [`parse_jsonl`] reads.
pub fn to_jsonl(examples: &[TrainingExample]) -> String {
    examples
        .iter()
        .filter_map(|example| serde_json::to_string(example).ok())
        .map(|line| line + "\n")
        .collect()
}

/// How many examples each intent has, by intent id.
pub fn count_by_intent(examples: &[TrainingExample]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for example in examples {
        *counts.entry(example.intent.clone()).or_insert(0) += 1;
    }
    counts
}

/// The intents of the spec that no example has, in the order of the spec.
pub fn missing_intents(examples: &[TrainingExample]) -> Vec<&'static str> {
    crate::intents()
        .into_iter()
        .map(|intent| intent.id)
        .filter(|id| !examples.iter().any(|example| example.intent == *id))
        .collect()
}

/// Texts that appear with more than one intent, with their intents sorted; such contradictions cap the
/// accuracy any classifier can reach. Texts are compared after trimming.
pub fn conflicting_labels(examples: &[TrainingExample]) -> Vec<(String, Vec<String>)> {
    let mut intents_by_text: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for example in examples {
        let intents = intents_by_text.entry(example.text.trim()).or_default();
        if !intents.contains(&example.intent) {
            intents.push(example.intent.clone());
        }
    }
    intents_by_text
        .into_iter()
        .filter(|(_, intents)| intents.len() > 1)
        .map(|(text, mut intents)| {
            intents.sort();
            (text.to_owned(), intents)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_error(result: Result<Vec<TrainingExample>, NluError>) -> (String, usize, String) {
        match result {
            Err(NluError::Data {
                source_name,
                line,
                message,
            }) => (source_name, line, message),
            other => panic!("expected a data error, got {other:?}"),
        }
    }

    #[test]
    fn reads_examples_skipping_blank_and_comment_lines() {
        let contents = "# Greetings first.\n\n{\"text\": \"你好\", \"intent\": \"greeting\"}\n   \n\
            {\"text\": \"I'll pay 500 on Friday\", \"intent\": \"promise_to_pay\", \"entities\": \
            [{\"type\": \"money\", \"value\": {\"amount\": \"500.00\", \"currency\": \"CNY\"}}]}\n";
        let examples = parse_jsonl("sample.jsonl", contents).expect("valid");
        assert_eq!(examples.len(), 2);
        assert_eq!(examples[0].text, "你好");
        assert_eq!(examples[0].entities, None);
        let entities = examples[1].entities.as_ref().expect("entities");
        assert_eq!(entities[0].kind, "money");
        assert_eq!(entities[0].value["amount"], "500.00");
    }

    #[test]
    fn errors_name_the_file_and_the_line() {
        let unknown_intent = "{\"text\": \"你好\", \"intent\": \"greeting\"}\n\n{\"text\": \"嗨\", \"intent\": \"hello\"}\n";
        let (source, line, message) = data_error(parse_jsonl("train/zh.jsonl", unknown_intent));
        assert_eq!((source.as_str(), line), ("train/zh.jsonl", 3));
        assert!(message.contains("\"hello\""), "{message}");

        let broken_json = "{\"text\": \"你好\", \"intent\": \"greeting\"}\n{\"text\": \"嗨\"\n";
        assert_eq!(data_error(parse_jsonl("a.jsonl", broken_json)).1, 2);

        let missing_intent = "{\"text\": \"嗨\"}\n";
        assert_eq!(data_error(parse_jsonl("a.jsonl", missing_intent)).1, 1);

        let empty_text = "{\"text\": \"  \", \"intent\": \"greeting\"}\n";
        assert!(
            data_error(parse_jsonl("a.jsonl", empty_text))
                .2
                .contains("empty")
        );

        let unknown_entity = "{\"text\": \"明天\", \"intent\": \"inform\", \"entities\": [{\"type\": \"when\", \"value\": \"2026-01-01\"}]}\n";
        assert!(
            data_error(parse_jsonl("a.jsonl", unknown_entity))
                .2
                .contains("\"when\"")
        );
    }

    #[test]
    fn parse_bundled_reports_the_failing_file() {
        let files = [
            (
                "one.jsonl",
                "{\"text\": \"你好\", \"intent\": \"greeting\"}\n",
            ),
            (
                "two.jsonl",
                "{\"text\": \"谢谢\", \"intent\": \"thank_you\"}\n",
            ),
        ];
        assert_eq!(data_error(parse_bundled(&files)).0, "two.jsonl");
        assert_eq!(parse_bundled(&files[..1]).expect("valid").len(), 1);
    }

    #[test]
    fn the_bundled_files_parse_and_name_only_known_intents() {
        let known: Vec<&str> = crate::intents().iter().map(|intent| intent.id).collect();
        assert_eq!(known.len(), 56);
        for examples in [
            bundled_training().expect("training data parses"),
            bundled_dev().expect("dev data parses"),
        ] {
            for example in &examples {
                assert!(known.contains(&example.intent.as_str()), "{example:?}");
                assert!(!example.text.trim().is_empty());
            }
            let counted: usize = count_by_intent(&examples).values().sum();
            assert_eq!(counted, examples.len());
        }
    }

    #[test]
    fn jsonl_written_out_reads_back_the_same() {
        let examples = vec![
            TrainingExample {
                text: "我下周五还三千五".to_owned(),
                intent: "promise_to_pay".to_owned(),
                entities: Some(vec![ExpectedEntity {
                    kind: "date".to_owned(),
                    value: serde_json::json!("2026-12-04"),
                }]),
            },
            TrainingExample {
                text: "thanks \"a lot\"\nreally".to_owned(),
                intent: "thanks".to_owned(),
                entities: None,
            },
        ];
        let text = to_jsonl(&examples);
        assert_eq!(text.lines().count(), 2);
        assert_eq!(
            parse_jsonl("round-trip.jsonl", &text).expect("valid"),
            examples
        );
    }

    #[test]
    fn summaries_count_intents_and_find_gaps_and_contradictions() {
        let example = |text: &str, intent: &str| TrainingExample {
            text: text.to_owned(),
            intent: intent.to_owned(),
            entities: None,
        };
        let examples = vec![
            example("你好", "greeting"),
            example("嗨", "greeting"),
            example("好的", "affirm"),
            example(" 好的 ", "thanks"),
            example("你好", "greeting"),
        ];
        let counts = count_by_intent(&examples);
        assert_eq!(counts["greeting"], 3);
        assert_eq!(counts["affirm"], 1);
        let missing = missing_intents(&examples);
        assert_eq!(missing.len(), 56 - 3);
        assert!(!missing.contains(&"greeting") && missing.contains(&"goodbye"));
        assert_eq!(
            conflicting_labels(&examples),
            vec![(
                "好的".to_owned(),
                vec!["affirm".to_owned(), "thanks".to_owned()]
            )]
        );
    }
}

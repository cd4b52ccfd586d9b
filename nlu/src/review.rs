//! Which utterances deserve a person's review (active learning), and the masked text they are kept as.
//!
//! An utterance is worth reviewing when the classifier found it out of scope, or when its best intent's confidence
//! falls below [`REVIEW_CONFIDENCE_THRESHOLD`] (the dialog's default confidence threshold, below which the
//! customer is asked to clarify). The kept text hides personal data: ID, card and phone numbers through
//! [`crate::entities::mask_personal_data`], and the person names the NLU found, each character replaced by `*`,
//! so a stored item never holds what the logs may not.

use crate::entities::{EntityKind, mask_personal_data};
use crate::{OUT_OF_SCOPE, Parse};

/// Confidence below which an utterance is queued for review.
pub const REVIEW_CONFIDENCE_THRESHOLD: f32 = 0.5;

/// Why an utterance is worth reviewing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewReason {
    LowConfidence,
    OutOfScope,
}

/// Whether `parse` should be reviewed, and why; `None` for a confident, in-scope parse.
pub fn review_reason(parse: &Parse) -> Option<ReviewReason> {
    if parse.intent.name == OUT_OF_SCOPE {
        Some(ReviewReason::OutOfScope)
    } else if parse.intent.confidence.is_nan()
        || parse.intent.confidence < REVIEW_CONFIDENCE_THRESHOLD
    {
        Some(ReviewReason::LowConfidence)
    } else {
        None
    }
}

/// The parse's text with personal data masked; it has as many characters as the text.
pub fn masked_text(parse: &Parse) -> String {
    let mut characters: Vec<char> = mask_personal_data(&parse.text).chars().collect();
    for entity in &parse.entities {
        if matches!(entity.kind, EntityKind::PersonName | EntityKind::IdNumber) {
            for character in characters.iter_mut().take(entity.end).skip(entity.start) {
                if !character.is_whitespace() {
                    *character = '*';
                }
            }
        }
    }
    characters.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{IntentScore, Lang};

    fn parse_of(text: &str, intent: &str, confidence: f32) -> Parse {
        let reference_date = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date");
        let score = IntentScore {
            name: intent.to_owned(),
            confidence,
        };
        Parse {
            text: text.to_owned(),
            lang: Lang::Zh,
            intent: score.clone(),
            intent_ranking: vec![score],
            entities: crate::entities::extract(text, reference_date),
            sentiment: crate::sentiment::score(text, Lang::Zh),
        }
    }

    #[test]
    fn out_of_scope_and_unsure_parses_are_reviewed() {
        assert_eq!(
            review_reason(&parse_of("今天天气怎么样", OUT_OF_SCOPE, 0.9)),
            Some(ReviewReason::OutOfScope)
        );
        assert_eq!(
            review_reason(&parse_of("那个东西弄一下", "make_payment", 0.31)),
            Some(ReviewReason::LowConfidence)
        );
        assert_eq!(
            review_reason(&parse_of("那个东西弄一下", "make_payment", f32::NAN)),
            Some(ReviewReason::LowConfidence)
        );
        assert_eq!(
            review_reason(&parse_of("我要还款", "make_payment", 0.93)),
            None
        );
    }

    #[test]
    fn names_and_numbers_are_masked_and_the_length_kept() {
        let text = "我是张伟，手机13812345678，身份证110101199003071234";
        let masked = masked_text(&parse_of(text, OUT_OF_SCOPE, 0.2));
        assert_eq!(masked.chars().count(), text.chars().count());
        assert!(!masked.contains("张伟"), "{masked}");
        assert!(!masked.contains("12345678"), "{masked}");
        assert!(!masked.contains("19900307"), "{masked}");
        assert!(masked.starts_with("我是**"), "{masked}");
        assert!(masked.contains("138****5678"), "{masked}");
        let plain = "利息怎么算的";
        assert_eq!(masked_text(&parse_of(plain, OUT_OF_SCOPE, 0.2)), plain);
    }
}

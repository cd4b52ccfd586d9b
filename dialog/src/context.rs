//! What earlier turns established that later turns build on: the instalment the conversation is about (so that
//! "那再下一期呢" means the one after it), an amount the customer named with a question that waits for the account,
//! and whether the customer passed step-up verification in this conversation.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The instalment an answer was about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Focus {
    pub loan_id: String,
    pub seq: u32,
}

/// Context carried from turn to turn, stored with the dialog state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationContext {
    /// The instalment the latest due-amount, schedule or follow-up answer was about.
    #[serde(default)]
    pub focus: Option<Focus>,
    /// An amount named with a question that waits for the account ("我想提前还5000").
    #[serde(default)]
    pub pending_amount: Option<Decimal>,
    /// The customer gave the right last 4 characters of their ID number in this conversation.
    #[serde(default)]
    pub identity_verified: bool,
}

/// Chinese phrasings that ask about the instalment after the one just discussed.
const NEXT_MARKERS_ZH: &[&str] = &[
    "再下一期",
    "再下期",
    "下下期",
    "再往后一期",
    "再后面一期",
    "后面一期",
    "之后那期",
    "之后一期",
];

/// English phrasings that ask about the instalment after the one just discussed (matched lower-case).
const NEXT_MARKERS_EN: &[&str] = &[
    "the one after",
    "after that",
    "next one",
    "and the next",
    "the following one",
    "the month after",
    "what about next month",
    "and next month",
];

/// Whether `text` asks about the instalment after the one the conversation is about: "那再下一期呢",
/// "下一期呢", "and the one after that?".
pub fn asks_for_the_next_instalment(text: &str) -> bool {
    let lowered = text.trim().to_lowercase();
    if NEXT_MARKERS_ZH
        .iter()
        .any(|marker| lowered.contains(marker))
        || NEXT_MARKERS_EN
            .iter()
            .any(|marker| lowered.contains(marker))
    {
        return true;
    }
    let mentions_next =
        lowered.contains("下一期") || lowered.contains("下期") || lowered.contains("下个月");
    let is_follow_up = lowered.starts_with('那')
        || lowered
            .trim_end_matches(['?', '？', '。', '!', '！'])
            .ends_with('呢');
    mentions_next && is_follow_up
}

/// Whether `text` asks about the instalment before the one the conversation is about: "那上一期呢",
/// "and the one before?".
pub fn asks_for_the_previous_instalment(text: &str) -> bool {
    let lowered = text.trim().to_lowercase();
    if [
        "the one before",
        "the previous one",
        "previous instalment",
        "previous installment",
    ]
    .iter()
    .any(|marker| lowered.contains(marker))
    {
        return true;
    }
    let mentions_previous = lowered.contains("上一期") || lowered.contains("上期");
    let is_follow_up = lowered.starts_with('那')
        || lowered
            .trim_end_matches(['?', '？', '。', '!', '！'])
            .ends_with('呢');
    mentions_previous && is_follow_up
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follow_ups_about_the_next_instalment_are_recognised() {
        for text in [
            "那再下一期呢",
            "那再下一期呢？",
            "下一期呢",
            "那下期呢",
            "下下期要还多少",
            "And the one after that?",
            "what about the next one",
        ] {
            assert!(asks_for_the_next_instalment(text), "{text}");
        }
        for text in [
            "下一期还多少",
            "本期应还多少",
            "How much is my next payment?",
            "还款计划",
        ] {
            assert!(!asks_for_the_next_instalment(text), "{text}");
        }
        assert!(asks_for_the_next_instalment("那下个月呢"));
        assert!(asks_for_the_previous_instalment("那上一期呢"));
        assert!(asks_for_the_previous_instalment("and the one before?"));
        assert!(!asks_for_the_previous_instalment("上期还了吗"));
    }
}

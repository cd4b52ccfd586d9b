//! Which intents the dialog manager answers and how: the intents answered from the account, the dialog acts that
//! depend on the previous turn, the confidence below which an intent is not acted on, and the debit failure codes
//! it can put into words.

use std::collections::BTreeMap;

/// Below this confidence the top intent is not acted on and the customer is asked to clarify.
pub const DEFAULT_CONFIDENCE_THRESHOLD: f32 = 0.5;

/// Intents whose threshold differs from [`DEFAULT_CONFIDENCE_THRESHOLD`], and why.
///
/// - Asking for a person is honoured readily: a needless handoff costs an agent a minute, a missed one loses the
///   customer's trust.
/// - Short acknowledgements (yes, no, thanks, bye) are easy to recognise but spread their probability over
///   neighbours such as `affirm` and `thanks`, so their calibrated confidence runs lower.
/// - Chit-chat is acted on only when the classifier is sure, because the reply sends the customer away.
pub const CONFIDENCE_THRESHOLD_OVERRIDES: &[(&str, f32)] = &[
    ("human_agent", 0.35),
    ("affirm", 0.4),
    ("deny", 0.4),
    ("thanks", 0.4),
    ("goodbye", 0.4),
    ("greeting", 0.4),
    ("out_of_scope", 0.6),
];

/// The intents answered from the customer's account, each needing [`crate::Action::FetchAccount`] first.
pub const ACCOUNT_INTENTS: &[&str] = &[
    "due_amount_query",
    "schedule_query",
    "payoff_balance_query",
    "limit_query",
    "autodebit_failed",
    "early_settlement",
    "make_payment",
    "already_paid",
    "partial_prepay",
    "limit_frozen",
    "limit_increase",
    "application_status",
    "disbursement_missing",
    "extension_request",
    "installment_plan",
    "settlement_request",
    "partial_payment",
    "refuse_to_pay",
];

/// Intents that manage the conversation rather than name a topic: never a topic in an agent's summary, and never
/// looked up in the knowledge when read confidently (their words, "好的", "no", match FAQ entries only by accident).
pub const CONVERSATION_ACTS: &[&str] = &[
    "greeting",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "inform",
    "repeat",
    "human_agent",
];

/// Intents that only mean something as an answer to the bot's previous turn; they are never offered as a
/// clarification choice.
pub const CONTEXTUAL_INTENTS: &[&str] = &["affirm", "deny", "inform", "repeat"];

/// Debit failure codes the reply templates explain, with specific advice for each.
pub const KNOWN_DEBIT_FAILURE_REASONS: &[&str] = &[
    "insufficient_funds",
    "card_expired",
    "card_frozen",
    "card_lost",
    "limit_exceeded",
    "account_closed",
    "card_not_supported",
    "autodebit_disabled",
    "bank_system_error",
];

/// The confidence an intent needs before it is acted on: a default plus per-intent overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfidenceThresholds {
    pub default: f32,
    pub overrides: BTreeMap<String, f32>,
}

impl Default for ConfidenceThresholds {
    fn default() -> Self {
        Self {
            default: DEFAULT_CONFIDENCE_THRESHOLD,
            overrides: CONFIDENCE_THRESHOLD_OVERRIDES
                .iter()
                .map(|(intent, threshold)| ((*intent).to_owned(), *threshold))
                .collect(),
        }
    }
}

impl ConfidenceThresholds {
    /// The threshold for `intent`.
    pub fn for_intent(&self, intent: &str) -> f32 {
        self.overrides.get(intent).copied().unwrap_or(self.default)
    }

    /// Whether `confidence` is enough to act on `intent`.
    pub fn is_confident(&self, intent: &str, confidence: f32) -> bool {
        confidence.is_finite() && confidence >= self.for_intent(intent)
    }
}

/// Whether `intent` is answered from the account.
pub fn needs_account(intent: &str) -> bool {
    ACCOUNT_INTENTS.contains(&intent)
}

/// Whether `intent` may be offered as one of the choices when the bot is unsure what the customer meant.
pub fn offered_in_clarification(intent: &str) -> bool {
    intent != nlu::OUT_OF_SCOPE && !CONTEXTUAL_INTENTS.contains(&intent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_intent_exists_in_the_spec() {
        let known: Vec<&str> = nlu::intents().iter().map(|intent| intent.id).collect();
        let listed = ACCOUNT_INTENTS.iter().chain(CONTEXTUAL_INTENTS).chain(
            CONFIDENCE_THRESHOLD_OVERRIDES
                .iter()
                .map(|(intent, _)| intent),
        );
        for intent in listed {
            assert!(
                known.contains(intent),
                "{intent} is not an intent of the spec"
            );
        }
    }

    #[test]
    fn thresholds_use_overrides_and_reject_nonsense() {
        let thresholds = ConfidenceThresholds::default();
        assert_eq!(
            thresholds.for_intent("due_amount_query"),
            DEFAULT_CONFIDENCE_THRESHOLD
        );
        assert_eq!(thresholds.for_intent("human_agent"), 0.35);
        assert!(thresholds.is_confident("human_agent", 0.4));
        assert!(!thresholds.is_confident("due_amount_query", 0.4));
        assert!(thresholds.is_confident("due_amount_query", 0.5));
        assert!(!thresholds.is_confident("due_amount_query", f32::NAN));
    }
}

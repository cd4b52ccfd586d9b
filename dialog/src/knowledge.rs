//! Answers from the lender's knowledge: what the dialog asks for when a customer's question is about the lender's
//! general facts (fees, rules, procedures, service hours) rather than their own account, and what it gets back.
//!
//! The dialog never searches. For such a question it returns [`crate::Action::LookUpKnowledge`]; the caller asks its
//! knowledge base (the FAQ index and the graph) and hands back [`crate::Input::Knowledge`] with the best answer it
//! trusts, or `None` when nothing answers the question well enough. The answer carries the ids of the entries and
//! graph nodes it came from, so a reply can be traced to its source. With no answer the dialog falls back to what it
//! would have done without knowledge: clarify, rephrase, or offer a person.

use serde::{Deserialize, Serialize};

/// An answer found in the lender's knowledge for a customer's question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeAnswer {
    /// The answer, in the language asked for, ready to send.
    pub text: String,
    /// The id of the FAQ entry or graph node that answered.
    pub entry_id: String,
    /// The graph nodes the answer rests on.
    pub sources: Vec<String>,
    /// The intent the answering entry belongs to, when it has one.
    pub intent: Option<String>,
    /// How sure the search is that the entry answers the question, from 0 to 1.
    pub confidence: f32,
}

/// Intents that are never looked up in the knowledge: dialog acts, whose words ("好的", "no") would only match
/// FAQ entries by accident, and the request for a person.
const NEVER_LOOKED_UP: &[&str] = &[
    "greeting",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "inform",
    "repeat",
    "human_agent",
];

/// Whether an utterance read as `intent` (confidently or not) should be looked up in the knowledge before the dialog
/// falls back.
pub fn worth_looking_up(intent: &str, confident: bool) -> bool {
    !confident || !NEVER_LOOKED_UP.contains(&intent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialog_acts_are_looked_up_only_when_their_reading_is_uncertain() {
        assert!(!worth_looking_up("affirm", true));
        assert!(worth_looking_up("affirm", false));
        assert!(worth_looking_up("rate_apr_query", true));
        assert!(worth_looking_up(nlu::OUT_OF_SCOPE, true));
    }
}

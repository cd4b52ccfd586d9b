//! The dialog manager: decides what Anxin says and does next, given what the customer said and what the
//! backends answered.
//!
//! It is pure. It never fetches anything; it returns [`Action`]s ("look up this customer's account",
//! "hand over to an agent", "say this") and receives their results as [`Input`]s, so a whole conversation can
//! be tested as a transcript without a network or a database. Its state is a plain serialisable value that the
//! caller stores after every turn. A confused or rude customer is normal input: low confidence leads to a
//! clarifying question or an offer of a human, never to an error.
//!
//! The pieces: [`engine`] decides what to do with each input; the private `answers` module turns account facts
//! into replies; [`templates`] holds every sentence as bilingual data (`templates/replies.txt`); [`format`](mod@format) writes
//! money and dates per language; [`routing`] says which intents are answered how and how sure the classifier must
//! be; [`language`] follows the script the customer writes in.

pub mod account;
mod answers;
pub mod context;
pub mod engine;
pub mod flows;
pub mod format;
pub mod knowledge;
pub mod language;
pub mod routing;
pub mod templates;

use chrono::NaiveDate;
use nlu::{Lang, Parse};
use serde::{Deserialize, Serialize};

pub use account::{
    AccountView, CardView, DueView, FailedDebitView, LoanState, LoanView, PayoffView,
    RepaymentView, ScheduleLine,
};
pub use context::ConversationContext;
pub use engine::Dialog;
pub use flows::{FlowError, FlowSet};
pub use knowledge::KnowledgeAnswer;
pub use routing::{ConfidenceThresholds, DEFAULT_CONFIDENCE_THRESHOLD};
pub use templates::{TemplateError, Templates};

/// Who the conversation is with, known from the customer's token before the first turn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerProfile {
    pub customer_id: String,
    pub name: String,
    /// The language on file, used until the customer writes in another.
    pub language: Lang,
}

/// What the dialog manager remembers between turns. The caller stores it as JSON after every turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DialogState {
    pub customer: CustomerProfile,
    /// The language of the conversation: the customer's latest clearly Chinese or English utterance.
    pub lang: Lang,
    /// Customer turns so far.
    pub turns: u32,
    /// The last intent acted on.
    pub last_intent: Option<String>,
    /// Consecutive customer turns whose intent was too uncertain to act on; drives the fallback ladder (choose
    /// between two readings, then rephrase, then a person).
    pub misunderstood_in_a_row: u32,
    /// The intent waiting for account data (set when [`Action::FetchAccount`] was returned).
    pub pending_intent: Option<String>,
    /// The day of the turn being handled, for phrasing relative dates.
    pub today: Option<NaiveDate>,
    /// Whether a human agent has been asked for in this conversation.
    pub handoff_requested: bool,
    /// The handoff the bot offered on its latest turn, if any: an `affirm` on the next turn accepts it.
    #[serde(default)]
    pub handoff_offer: Option<HandoffReason>,
    /// Whether the bot has introduced itself as Anxin Consumer Finance's AI assistant.
    #[serde(default)]
    pub introduced: bool,
    /// The intents of the latest topics acted on, oldest first, at most [`RECENT_INTENTS_KEPT`]; they go into the
    /// summary an agent reads at a handoff.
    #[serde(default)]
    pub recent_intents: Vec<String>,
    /// What the bot said on its latest turn, sent again when the customer asks to repeat.
    #[serde(default)]
    pub last_replies: Vec<Reply>,
    /// The utterance waiting for an answer from the knowledge (set when [`Action::LookUpKnowledge`] was
    /// returned). It lives only within the turn and is never stored: it holds what the customer typed.
    #[serde(skip)]
    pub pending_question: Option<Parse>,
    /// Set when the pending question was asked of the knowledge before acting on a confident intent, holding the
    /// handoff offer of the previous turn for when the intent is acted on after all. Lives only within the turn.
    #[serde(skip)]
    pub knowledge_first: Option<Option<HandoffReason>>,
    /// The multi-turn flow under way ([`flows`]), if any.
    #[serde(default)]
    pub flow: Option<flows::FlowState>,
    /// What earlier turns established: the instalment in focus, step-up verification.
    #[serde(default)]
    pub context: ConversationContext,
    /// The conversation is heard rather than read (a phone call): long lists are summarised, since nobody can
    /// scroll back through a recording. Set by the channel before each turn, so never stored.
    #[serde(skip)]
    pub spoken: bool,
}

/// How many recent topics [`DialogState::recent_intents`] keeps.
pub const RECENT_INTENTS_KEPT: usize = 5;

impl DialogState {
    /// The state at the start of a conversation with `customer`.
    pub fn new(customer: CustomerProfile) -> Self {
        let lang = customer.language;
        Self {
            customer,
            lang,
            turns: 0,
            last_intent: None,
            misunderstood_in_a_row: 0,
            pending_intent: None,
            today: None,
            handoff_requested: false,
            handoff_offer: None,
            introduced: false,
            recent_intents: Vec::new(),
            last_replies: Vec::new(),
            pending_question: None,
            knowledge_first: None,
            flow: None,
            context: ConversationContext::default(),
            spoken: false,
        }
    }
}

/// What happened that the dialog manager must react to.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// The customer said something, understood as `parse`, on `today` in the customer's time zone.
    Utterance { parse: Parse, today: NaiveDate },
    /// The account the last [`Action::FetchAccount`] asked for.
    Account(AccountView),
    /// The loan system could not answer the last [`Action::FetchAccount`].
    AccountUnavailable,
    /// The answer to the last [`Action::LookUpKnowledge`], or `None` when the knowledge holds no answer the
    /// caller trusts (or could not be searched).
    Knowledge(Option<KnowledgeAnswer>),
    /// Whether the answer of the last [`Action::VerifyIdentity`] matches the customer's ID number.
    Verification(bool),
    /// The case the last [`Action::OpenCase`] opened.
    CaseOpened(CaseView),
    /// The case system could not open the last [`Action::OpenCase`].
    CaseUnavailable,
}

/// A case as the dialog tells the customer about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub reference: String,
    pub kind: String,
    pub deadline: NaiveDate,
}

/// A case to open for the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRequest {
    /// A kind the case system knows (`refund`, `complaint`, `promise_to_pay`, ...).
    pub kind: String,
    /// A short topic for the people who handle it, free of personal data.
    pub summary: String,
    /// The values the flow collected (`date`, `amount`, `bank`, `last4`, `phone` ...) and the `intent`.
    pub details: std::collections::BTreeMap<String, String>,
}

/// A button the customer can press instead of typing; pressing it sends `text` as a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickReply {
    pub label: String,
    pub text: String,
}

/// One message from the bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    pub text: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quick_replies: Vec<QuickReply>,
}

/// Why a conversation goes to a human.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HandoffReason {
    /// The customer asked for a person.
    CustomerRequest,
    /// The bot failed to understand several times in a row.
    NotUnderstood,
    /// The loan system was down when the customer needed it.
    BackendUnavailable,
    /// A collections situation that must go to a person, with collection paused (a dispute, hardship, a lawyer or
    /// bankruptcy, a death, a request to stop contact, a complaint about collectors).
    CollectionsPaused,
}

impl HandoffReason {
    pub fn as_str(self) -> &'static str {
        match self {
            HandoffReason::CustomerRequest => "customer_request",
            HandoffReason::NotUnderstood => "not_understood",
            HandoffReason::BackendUnavailable => "backend_unavailable",
            HandoffReason::CollectionsPaused => "collections_paused",
        }
    }
}

/// What the caller must do, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Send this to the customer.
    Say(Reply),
    /// Look up the customer's account as of today and pass it back as [`Input::Account`]
    /// (or [`Input::AccountUnavailable`]).
    FetchAccount,
    /// Look `question` up in the lender's knowledge (FAQ and graph) in `lang`, preferring entries of `intent` when
    /// one is given, and pass the best trusted answer back as [`Input::Knowledge`].
    LookUpKnowledge {
        question: String,
        intent: Option<String>,
        lang: Lang,
    },
    /// Check whether `answer` is the last 4 characters of the customer's ID number, and pass the result back as
    /// [`Input::Verification`]. The answer is personal data: never log it.
    VerifyIdentity { answer: String },
    /// Open a case for the customer and pass it back as [`Input::CaseOpened`] (or [`Input::CaseUnavailable`]).
    OpenCase(CaseRequest),
    /// Record a request for a human agent. `summary` is for the agent and holds no unmasked personal data.
    Handoff {
        reason: HandoffReason,
        summary: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    /// State stored by a caller before the fields with `#[serde(default)]` existed still loads, and a full
    /// state survives the JSON round trip the caller makes after every turn.
    #[test]
    fn stored_state_loads_with_and_without_the_newer_fields() {
        let stored = r#"{"customer":{"customer_id":"C001","name":"张伟","language":"zh"},"lang":"en","turns":3,
            "last_intent":"limit_query","misunderstood_in_a_row":1,"pending_intent":null,"today":"2026-11-26",
            "handoff_requested":false}"#;
        let state: DialogState = serde_json::from_str(stored).expect("older state loads");
        assert_eq!(state.lang, Lang::En);
        assert_eq!(state.turns, 3);
        assert_eq!(state.handoff_offer, None);
        assert!(
            state.recent_intents.is_empty() && state.last_replies.is_empty() && !state.introduced
        );

        let mut full = state.clone();
        full.handoff_offer = Some(HandoffReason::BackendUnavailable);
        full.recent_intents = vec!["limit_query".to_owned()];
        full.last_replies = vec![Reply {
            text: "好的".to_owned(),
            quick_replies: vec![QuickReply {
                label: "转人工".to_owned(),
                text: "转人工".to_owned(),
            }],
        }];
        let json = serde_json::to_string(&full).expect("state serialises");
        let reloaded: DialogState = serde_json::from_str(&json).expect("state reloads");
        assert_eq!(reloaded, full);
    }
}

//! Drives a conversation through the dialog manager the way the bot does, playing the loan system, and writes
//! everything that happens as a readable transcript for `expect-test` snapshots.
//!
//! Customer lines start with `>`, followed by the intent and confidence the test's hand-made parse carries; bot
//! messages start with `<` (continuation lines are indented); buttons, account lookups and handoffs are in square
//! brackets. Every customer turn is checked to end in at least one message with every placeholder filled.

use chrono::{Days, NaiveDate};
use dialog::{
    Action, CaseView, CustomerProfile, Dialog, DialogState, HandoffReason, Input, KnowledgeAnswer,
    account::AccountView,
};
use nlu::{IntentScore, Lang, Parse, Sentiment, SentimentLabel};

/// What the loan system answers when the dialog manager asks for the account.
#[derive(Debug, Clone)]
pub enum LoanSystem {
    Up(Box<AccountView>),
    Down,
}

/// One conversation between a customer and the dialog manager.
pub struct Conversation {
    dialog: Dialog,
    pub state: DialogState,
    today: NaiveDate,
    loan_system: LoanSystem,
    transcript: String,
    /// Every handoff recorded so far, in order.
    pub handoffs: Vec<(HandoffReason, String)>,
    /// What the knowledge base answers: the first entry whose key the question contains. Empty, it answers nothing.
    knowledge: Vec<(&'static str, KnowledgeAnswer)>,
    /// The last 4 characters of the customer's ID number, for step-up verification.
    pub id_last4: &'static str,
    /// Whether the case system is down.
    pub cases_down: bool,
    /// Every case opened so far, as `kind` and its details.
    pub cases: Vec<(String, std::collections::BTreeMap<String, String>)>,
}

impl Conversation {
    pub fn new(name: &str, language: Lang, today: NaiveDate, loan_system: LoanSystem) -> Self {
        let customer = CustomerProfile {
            customer_id: "C-TEST".to_owned(),
            name: name.to_owned(),
            language,
        };
        Self {
            dialog: Dialog::new(),
            state: DialogState::new(customer),
            today,
            loan_system,
            transcript: String::new(),
            handoffs: Vec::new(),
            knowledge: Vec::new(),
            id_last4: "123X",
            cases_down: false,
            cases: Vec::new(),
        }
    }

    /// The knowledge base answers questions containing `key` with `text`, citing the FAQ entry `entry_id`.
    pub fn knows(&mut self, key: &'static str, entry_id: &str, text: &str) -> &mut Self {
        self.knowledge.push((
            key,
            KnowledgeAnswer {
                text: text.to_owned(),
                entry_id: entry_id.to_owned(),
                sources: Vec::new(),
                intent: None,
                confidence: 0.9,
                personal: false,
            },
        ));
        self
    }

    /// A conversation on the fixtures' day with a loan system that answers with `view`.
    pub fn with_account(name: &str, language: Lang, view: AccountView) -> Self {
        Self::new(
            name,
            language,
            crate::fixtures::today(),
            LoanSystem::Up(Box::new(view)),
        )
    }

    /// The customer sends `text`, which the NLU understood as `ranking` (best first, at least one entry).
    pub fn customer(&mut self, text: &str, ranking: &[(&str, f32)]) -> &mut Self {
        let mut parse = parse(text, ranking);
        parse.entities = nlu::entities::extract(text, self.today);
        self.transcript.push_str(&format!(
            "> {text}    ({} {:.2})\n",
            parse.intent.name, parse.intent.confidence
        ));
        let actions = self.dialog.handle(
            &mut self.state,
            Input::Utterance {
                parse,
                today: self.today,
            },
        );
        let said = self.carry_out(actions);
        assert!(said > 0, "the customer's {text:?} got no reply");
        self
    }

    /// Carries out `actions` in order, answering account lookups, and returns how many messages were sent.
    fn carry_out(&mut self, actions: Vec<Action>) -> usize {
        let mut said = 0;
        for action in actions {
            match action {
                Action::Say(reply) => {
                    said += 1;
                    assert!(
                        dialog::templates::placeholders(&reply.text)
                            .is_some_and(|names| names.is_empty()),
                        "unfilled placeholder in {:?}",
                        reply.text
                    );
                    self.transcript
                        .push_str(&format!("< {}\n", reply.text.replace('\n', "\n  ")));
                    if !reply.quick_replies.is_empty() {
                        let buttons: Vec<String> = reply
                            .quick_replies
                            .iter()
                            .map(|button| {
                                if button.label == button.text {
                                    button.label.clone()
                                } else {
                                    format!("{} → {}", button.label, button.text)
                                }
                            })
                            .collect();
                        self.transcript
                            .push_str(&format!("  [buttons: {}]\n", buttons.join(" | ")));
                    }
                }
                Action::Handoff { reason, summary } => {
                    self.transcript
                        .push_str(&format!("  [handoff {}: {summary}]\n", reason.as_str()));
                    self.handoffs.push((reason, summary));
                }
                Action::LookUpKnowledge { question, .. } => {
                    let answer = self
                        .knowledge
                        .iter()
                        .find(|(key, _)| question.contains(key))
                        .map(|(_, answer)| answer.clone());
                    match &answer {
                        Some(answer) => self
                            .transcript
                            .push_str(&format!("  [knowledge: {}]\n", answer.entry_id)),
                        None => self.transcript.push_str("  [knowledge: no answer]\n"),
                    }
                    let follow_up = self
                        .dialog
                        .handle(&mut self.state, Input::Knowledge(answer));
                    let asks_again = follow_up
                        .iter()
                        .any(|action| matches!(action, Action::LookUpKnowledge { .. }));
                    assert!(
                        self.state.pending_question.is_none() || asks_again,
                        "the pending question outlived its answer"
                    );
                    said += self.carry_out(follow_up);
                }
                Action::VerifyIdentity { answer } => {
                    let matches = answer.eq_ignore_ascii_case(self.id_last4);
                    self.transcript.push_str(if matches {
                        "  [identity verified]\n"
                    } else {
                        "  [identity not verified]\n"
                    });
                    let follow_up = self
                        .dialog
                        .handle(&mut self.state, Input::Verification(matches));
                    said += self.carry_out(follow_up);
                }
                Action::OpenCase(request) => {
                    let details: Vec<String> = request
                        .details
                        .iter()
                        .map(|(name, value)| format!("{name}={value}"))
                        .collect();
                    let input = if self.cases_down {
                        self.transcript.push_str(&format!(
                            "  [case {} not opened: the case system is down]\n",
                            request.kind
                        ));
                        Input::CaseUnavailable
                    } else {
                        self.cases
                            .push((request.kind.clone(), request.details.clone()));
                        let reference = format!("AXTEST{:02}", self.cases.len());
                        self.transcript.push_str(&format!(
                            "  [case {} opened as {reference}: {}]\n",
                            request.kind,
                            details.join(", ")
                        ));
                        // The stand-in case system answers every case within 7 days.
                        Input::CaseOpened(CaseView {
                            reference,
                            kind: request.kind,
                            deadline: self.today + Days::new(7),
                        })
                    };
                    let follow_up = self.dialog.handle(&mut self.state, input);
                    said += self.carry_out(follow_up);
                }
                Action::FetchAccount => {
                    assert!(
                        self.state.pending_intent.is_some(),
                        "FetchAccount without a pending intent"
                    );
                    let input = match &self.loan_system {
                        LoanSystem::Up(view) => {
                            self.transcript.push_str("  [account fetched]\n");
                            Input::Account((**view).clone())
                        }
                        LoanSystem::Down => {
                            self.transcript.push_str("  [account lookup failed]\n");
                            Input::AccountUnavailable
                        }
                    };
                    let follow_up = self.dialog.handle(&mut self.state, input);
                    assert!(
                        self.state.pending_intent.is_none(),
                        "the pending intent outlived its answer"
                    );
                    said += self.carry_out(follow_up);
                }
            }
        }
        said
    }

    pub fn transcript(&self) -> &str {
        &self.transcript
    }
}

/// A parse as the NLU would produce it for `text`, with the given intent ranking.
pub fn parse(text: &str, ranking: &[(&str, f32)]) -> Parse {
    let intent_ranking: Vec<IntentScore> = ranking
        .iter()
        .map(|(name, confidence)| IntentScore {
            name: (*name).to_owned(),
            confidence: *confidence,
        })
        .collect();
    let intent = intent_ranking.first().cloned().unwrap_or(IntentScore {
        name: nlu::OUT_OF_SCOPE.to_owned(),
        confidence: 0.0,
    });
    Parse {
        text: text.to_owned(),
        lang: dialog::language::language_of_script(text).unwrap_or(Lang::Zh),
        intent,
        intent_ranking,
        entities: Vec::new(),
        sentiment: Sentiment {
            label: SentimentLabel::Neutral,
            score: 0.5,
        },
    }
}

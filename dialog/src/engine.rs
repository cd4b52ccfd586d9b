//! The dialog engine: one call per event (a customer utterance, an account, a failed account lookup) that updates
//! the conversation state and returns the actions to carry out, in order.
//!
//! A customer turn goes through three gates. First the conversation language follows the script of the text.
//! Then the top intent must clear its confidence threshold; when it does not, the fallback ladder asks the customer
//! to choose between the two likeliest readings, then to rephrase, and finally hands the conversation to a person.
//! Last, the intent is dispatched: small talk and dialog acts are answered at once, account questions return
//! [`Action::FetchAccount`] and are answered when the account arrives, `human_agent` hands over, and questions about
//! the lender's general facts return [`Action::LookUpKnowledge`] and are answered from the FAQ and the graph. An
//! uncertain reading is looked up too, since the knowledge may recognise a question the classifier does not; only
//! when the knowledge has no trusted answer does the ladder (or an honest "not in this chat yet" with an offer of a
//! person) follow.

use nlu::{Lang, Parse};

mod flow_turns;

use crate::answers::{self, Phrasing};
use crate::flows::{FlowError, FlowSet};
use crate::knowledge::{self, KnowledgeAnswer};
use crate::language::language_of_script;
use crate::routing::{self, ConfidenceThresholds};
use crate::templates::{TemplateError, TemplateKey, Templates, family, keys};
use crate::{Action, DialogState, HandoffReason, Input, QuickReply, RECENT_INTENTS_KEPT, Reply};

/// The intents whose canonical sentences the greeting offers as buttons.
const COMMON_QUESTIONS: &[&str] = &[
    "due_amount_query",
    "schedule_query",
    "payoff_balance_query",
    "limit_query",
    "autodebit_failed",
];

/// How many recent topics an agent's handoff summary names.
const SUMMARY_TOPICS: usize = 3;

/// The dialog manager with its bundled bilingual reply templates.
#[derive(Debug)]
pub struct Dialog {
    templates: Templates,
    thresholds: ConfidenceThresholds,
    flows: FlowSet,
}

impl Default for Dialog {
    fn default() -> Self {
        Self::new()
    }
}

impl Dialog {
    /// A dialog manager with the bundled templates and the default confidence thresholds.
    pub fn new() -> Self {
        Self {
            templates: Templates::bundled(),
            thresholds: ConfidenceThresholds::default(),
            flows: FlowSet::bundled(),
        }
    }

    /// A dialog manager speaking from a lender's own template text (the format of [`crate::templates`]).
    pub fn with_templates(text: &str) -> Result<Self, TemplateError> {
        Ok(Self {
            templates: Templates::parse(text)?,
            thresholds: ConfidenceThresholds::default(),
            flows: FlowSet::bundled(),
        })
    }

    /// Replaces the bundled flows with a lender's own flow file (the format of `flows/flows.toml`).
    pub fn with_flows(mut self, text: &str) -> Result<Self, FlowError> {
        self.flows = FlowSet::parse(text)?;
        Ok(self)
    }

    pub fn flows(&self) -> &FlowSet {
        &self.flows
    }

    /// Replaces the confidence thresholds below which an intent is not acted on.
    pub fn with_confidence_thresholds(mut self, thresholds: ConfidenceThresholds) -> Self {
        self.thresholds = thresholds;
        self
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    pub fn confidence_thresholds(&self) -> &ConfidenceThresholds {
        &self.thresholds
    }

    /// Reacts to `input`, updating `state`, and returns what to do in order.
    ///
    /// A customer utterance always yields at least one [`Action::Say`], except that an account question yields
    /// only [`Action::FetchAccount`]; the answer (or an apology) then comes from the following
    /// [`Input::Account`] or [`Input::AccountUnavailable`]. Those two inputs yield nothing when no lookup was
    /// pending.
    pub fn handle(&self, state: &mut DialogState, input: Input) -> Vec<Action> {
        let mut actions = match input {
            Input::Utterance { parse, today } => self.on_utterance(state, &parse, today),
            Input::Account(view) => match state.pending_intent.take() {
                Some(intent) if intent == flow_turns::FLOW_PENDING => {
                    self.flow_on_account(state, &view)
                }
                Some(intent) if intent == flow_turns::NEXT_INSTALMENT_PENDING => {
                    self.neighbouring_instalment(state, &view, 1)
                }
                Some(intent) if intent == flow_turns::PREVIOUS_INSTALMENT_PENDING => {
                    self.neighbouring_instalment(state, &view, -1)
                }
                Some(intent) if flow_turns::ARRANGEMENT_INTENTS.contains(&intent.as_str()) => {
                    self.arrangement(state, &intent, &view)
                }
                Some(intent) => {
                    let today = state.today.unwrap_or(view.today);
                    let phrasing = Phrasing {
                        templates: &self.templates,
                        lang: state.lang,
                        today,
                    };
                    let replies = match intent.as_str() {
                        "due_amount_query" => answers::due_amount(&phrasing, &view),
                        "schedule_query" => answers::schedule(&phrasing, &view, state.spoken),
                        "payoff_balance_query" => answers::payoff(&phrasing, &view),
                        "limit_query" => answers::limit(&phrasing, &view),
                        "autodebit_failed" => answers::failed_debit(&phrasing, &view),
                        "early_settlement" => answers::payoff(&phrasing, &view),
                        "make_payment" => answers::make_payment(&phrasing, &view),
                        "already_paid" => answers::already_paid(&phrasing, &view, state.spoken),
                        "partial_prepay" => answers::partial_prepay(
                            &phrasing,
                            &view,
                            state.context.pending_amount.take(),
                        ),
                        "limit_frozen" => answers::limit_frozen(&phrasing, &view),
                        "limit_increase" => answers::limit_increase(&phrasing, &view),
                        "application_status" => answers::application_status(&phrasing, &view),
                        "disbursement_missing" => answers::disbursement(&phrasing, &view),
                        _ => vec![self.unsupported_intent(state, &intent)],
                    };
                    if matches!(
                        intent.as_str(),
                        "due_amount_query" | "schedule_query" | "make_payment"
                    ) {
                        self.note_focus(state, &view);
                    }
                    let mut replies = replies;
                    if intent == "already_paid"
                        && !state.handoff_requested
                        && let Some(last) = replies.last_mut()
                    {
                        // The note ends by offering a person to trace a missing payment: a yes accepts it.
                        state.handoff_offer = Some(HandoffReason::CustomerRequest);
                        last.quick_replies = [keys::QUICK_REPLY_HUMAN, keys::QUICK_REPLY_NO_THANKS]
                            .into_iter()
                            .map(|button| {
                                Phrasing::quick_reply(self.templates.render(
                                    button,
                                    state.lang,
                                    &[],
                                ))
                            })
                            .collect();
                    }
                    replies.into_iter().map(Action::Say).collect()
                }
                None => Vec::new(),
            },
            Input::Knowledge(answer) => self.on_knowledge(state, answer),
            Input::Verification(matches) => self.flow_on_verification(state, matches),
            Input::CaseOpened(case) => self.flow_on_case(state, Some(case)),
            Input::CaseUnavailable => self.flow_on_case(state, None),
            Input::AccountUnavailable => match state.pending_intent.take() {
                Some(intent) => {
                    if intent == flow_turns::FLOW_PENDING {
                        state.flow = None;
                    }
                    vec![Action::Say(self.offer_handoff(
                        state,
                        (
                            keys::ACCOUNT_UNAVAILABLE,
                            keys::ACCOUNT_UNAVAILABLE_PERSON_COMING,
                        ),
                        &[],
                        HandoffReason::BackendUnavailable,
                    ))]
                }
                None => Vec::new(),
            },
        };
        self.resume_after_digression(state, &mut actions);
        let said: Vec<Reply> = actions
            .iter()
            .filter_map(|action| match action {
                Action::Say(said) => Some(said.clone()),
                _ => None,
            })
            .collect();
        if !said.is_empty() {
            state.last_replies = said;
        }
        actions
    }

    fn on_utterance(
        &self,
        state: &mut DialogState,
        parse: &Parse,
        today: chrono::NaiveDate,
    ) -> Vec<Action> {
        state.turns = state.turns.saturating_add(1);
        state.today = Some(today);
        if let Some(lang) = language_of_script(&parse.text) {
            state.lang = lang;
        }
        state.pending_intent = None;
        let offered_handoff = state.handoff_offer.take();
        let intent = parse.intent.name.as_str();
        if let Some(actions) = self.flow_turn(state, parse) {
            return actions;
        }
        if let Some(actions) = self.follow_up(state, parse) {
            return actions;
        }
        if !self
            .thresholds
            .is_confident(intent, parse.intent.confidence)
        {
            if knowledge::worth_looking_up(intent, false) {
                return self.look_up(state, parse, None);
            }
            return self.not_understood(state, parse);
        }
        state.misunderstood_in_a_row = 0;
        state.last_intent = Some(intent.to_owned());
        self.remember_topic(state, intent);
        // A confident question about the customer's own account is answered from the account: the customer is
        // signed in, so "为什么扣款失败了" is about their debit, which a general FAQ answer cannot tell them
        // (`knowledge::preempts_the_intent` keeps it so); a question about a rule or a product is not.
        if knowledge::worth_asking_first(parse) {
            state.knowledge_first = Some(offered_handoff);
            return self.look_up(state, parse, Some(intent));
        }
        self.dispatch(state, parse, offered_handoff)
    }

    /// Acts on a confident intent: its flow, its account answer, or its direct reply.
    fn dispatch(
        &self,
        state: &mut DialogState,
        parse: &Parse,
        offered_handoff: Option<HandoffReason>,
    ) -> Vec<Action> {
        let intent = parse.intent.name.as_str();
        if let Some(flow) = self.flows.for_intent(intent) {
            let flow = flow.clone();
            return self.start_flow(state, &flow, parse);
        }
        if intent == "partial_prepay" {
            state.context.pending_amount =
                parse
                    .entity(nlu::EntityKind::Money)
                    .and_then(|entity| match entity.value {
                        nlu::EntityValue::Money { amount, .. } => Some(amount),
                        _ => None,
                    });
        }
        if routing::needs_account(intent) {
            state.pending_intent = Some(intent.to_owned());
            return vec![Action::FetchAccount];
        }
        match intent {
            "greeting" => {
                let key = if state.introduced {
                    keys::GREETING_AGAIN
                } else {
                    keys::GREETING_FIRST
                };
                state.introduced = true;
                let text = self.say(state, key, &[("name", &state.customer.name)]);
                vec![Action::Say(Reply {
                    text,
                    quick_replies: self.common_questions(state.lang),
                })]
            }
            "thanks" => vec![self.plain(state, keys::THANKS)],
            "goodbye" => vec![self.plain(state, keys::GOODBYE)],
            "affirm" => match offered_handoff {
                Some(reason) => self.hand_over(state, reason),
                None => vec![self.anything_else(state)],
            },
            "deny" => vec![self.anything_else(state)],
            "inform" => vec![Action::Say(Reply {
                text: self.say(state, keys::INFORM_WITHOUT_QUESTION, &[]),
                quick_replies: self.common_questions(state.lang),
            })],
            "repeat" if !state.last_replies.is_empty() => state
                .last_replies
                .iter()
                .cloned()
                .map(Action::Say)
                .collect(),
            "repeat" => vec![Action::Say(Reply {
                text: self.say(state, keys::NOTHING_TO_REPEAT, &[]),
                quick_replies: self.common_questions(state.lang),
            })],
            "human_agent" => self.hand_over(state, HandoffReason::CustomerRequest),
            nlu::OUT_OF_SCOPE => self.look_up(state, parse, None),
            other => self.look_up(state, parse, Some(other)),
        }
    }

    /// Asks for the lender's knowledge on the customer's question; the answer (or the fallback) comes with the
    /// following [`Input::Knowledge`].
    fn look_up(&self, state: &mut DialogState, parse: &Parse, intent: Option<&str>) -> Vec<Action> {
        state.pending_question = Some(parse.clone());
        vec![Action::LookUpKnowledge {
            question: parse.text.clone(),
            intent: intent.map(str::to_owned),
            lang: state.lang,
        }]
    }

    /// Answers the pending question from the knowledge, or falls back to what the dialog does without it.
    fn on_knowledge(
        &self,
        state: &mut DialogState,
        answer: Option<KnowledgeAnswer>,
    ) -> Vec<Action> {
        let Some(parse) = state.pending_question.take() else {
            return Vec::new();
        };
        if let Some(offered_handoff) = state.knowledge_first.take() {
            // Asked before acting on a confident intent: a general answer wins only when it is strong and not
            // about the customer's own account, which the intent's own handling answers better.
            return match answer.filter(|answer| knowledge::preempts_the_intent(answer, &parse)) {
                Some(answer) => vec![Action::Say(Reply {
                    text: answer.text,
                    quick_replies: Vec::new(),
                })],
                None => self.dispatch(state, &parse, offered_handoff),
            };
        }
        let intent = parse.intent.name.as_str();
        let confident = self
            .thresholds
            .is_confident(intent, parse.intent.confidence);
        match answer {
            Some(answer) => {
                if !confident {
                    // The classifier was unsure but the knowledge was not: the entry's intent is the topic.
                    state.misunderstood_in_a_row = 0;
                    if let Some(topic) = &answer.intent {
                        state.last_intent = Some(topic.clone());
                        self.remember_topic(state, topic);
                    }
                }
                vec![Action::Say(Reply {
                    text: answer.text,
                    quick_replies: Vec::new(),
                })]
            }
            None if !confident => self.not_understood(state, &parse),
            None if intent == nlu::OUT_OF_SCOPE => vec![Action::Say(self.offer_handoff(
                state,
                (keys::OUT_OF_SCOPE, keys::OUT_OF_SCOPE_PERSON_COMING),
                &[],
                HandoffReason::CustomerRequest,
            ))],
            None => vec![Action::Say(self.unsupported_intent(state, intent))],
        }
    }

    /// Adds `intent` to the recent topics an agent's summary names, unless it is conversation management.
    fn remember_topic(&self, state: &mut DialogState, intent: &str) {
        if routing::CONVERSATION_ACTS.contains(&intent) {
            return;
        }
        state.recent_intents.push(intent.to_owned());
        let excess = state
            .recent_intents
            .len()
            .saturating_sub(RECENT_INTENTS_KEPT);
        state.recent_intents.drain(..excess);
    }

    /// The fallback ladder for an utterance whose intent is too uncertain to act on.
    fn not_understood(&self, state: &mut DialogState, parse: &Parse) -> Vec<Action> {
        state.misunderstood_in_a_row = state.misunderstood_in_a_row.saturating_add(1);
        match state.misunderstood_in_a_row {
            1 => {
                let choices = self.clarification_choices(parse, state.lang);
                if choices.len() == 2 {
                    let text = self.say(state, keys::CLARIFY_CHOOSE, &[]);
                    return vec![Action::Say(Reply {
                        text,
                        quick_replies: choices,
                    })];
                }
                vec![self.plain(state, keys::CLARIFY_REPHRASE)]
            }
            2 => vec![self.plain(state, keys::CLARIFY_REPHRASE)],
            _ => {
                state.misunderstood_in_a_row = 0;
                self.hand_over(state, HandoffReason::NotUnderstood)
            }
        }
    }

    /// Buttons for the two likeliest intents that make sense as a choice, each sending its canonical sentence.
    fn clarification_choices(&self, parse: &Parse, lang: Lang) -> Vec<QuickReply> {
        let mut seen: Vec<&str> = Vec::new();
        let candidates = std::iter::once(&parse.intent).chain(parse.intent_ranking.iter());
        let mut choices = Vec::new();
        for candidate in candidates {
            let intent = candidate.name.as_str();
            if seen.contains(&intent) || !routing::offered_in_clarification(intent) {
                continue;
            }
            seen.push(intent);
            if let Some(sentence) = self.templates.member(family::CANONICAL, intent, lang) {
                choices.push(Phrasing::quick_reply(sentence.to_owned()));
            }
            if choices.len() == 2 {
                break;
            }
        }
        choices
    }

    /// Hands the conversation to a person (once per conversation) and tells the customer.
    fn hand_over(&self, state: &mut DialogState, reason: HandoffReason) -> Vec<Action> {
        if state.handoff_requested {
            return vec![self.plain(state, keys::HANDOFF_ALREADY_REQUESTED)];
        }
        state.handoff_requested = true;
        let told = match reason {
            HandoffReason::NotUnderstood => keys::HANDOFF_NOT_UNDERSTOOD,
            HandoffReason::CustomerRequest
            | HandoffReason::BackendUnavailable
            | HandoffReason::CollectionsPaused => keys::HANDOFF_TRANSFER,
        };
        vec![
            self.plain(state, told),
            Action::Handoff {
                reason,
                summary: self.handoff_summary(state, reason),
            },
        ]
    }

    /// A short note for the agent in the conversation's language: why, the latest topics, the language and the
    /// number of customer messages. It names no person and quotes nothing the customer typed.
    fn handoff_summary(&self, state: &DialogState, reason: HandoffReason) -> String {
        let lang = state.lang;
        let reason_words = self.member(family::HANDOFF_REASON, reason.as_str(), lang);
        let first_shown = state.recent_intents.len().saturating_sub(SUMMARY_TOPICS);
        let topics: Vec<String> = state.recent_intents[first_shown..]
            .iter()
            .map(|intent| self.member(family::TOPIC, intent, lang))
            .collect();
        let topics = if topics.is_empty() {
            self.templates.render(keys::SUMMARY_NO_TOPICS, lang, &[])
        } else {
            topics.join(if lang == Lang::Zh { "、" } else { "; " })
        };
        let language = self.member(family::LANGUAGE, lang.as_str(), lang);
        self.templates.render(
            keys::HANDOFF_SUMMARY,
            lang,
            &[
                ("reason", &reason_words),
                ("topics", &topics),
                ("language", &language),
                ("turns", &state.turns.to_string()),
            ],
        )
    }

    /// "Not in this chat yet" for `intent`, naming its topic, with an offer of a person.
    fn unsupported_intent(&self, state: &mut DialogState, intent: &str) -> Reply {
        match self.templates.member(family::TOPIC, intent, state.lang) {
            Some(topic) => {
                let topic = topic.to_owned();
                self.offer_handoff(
                    state,
                    (
                        keys::UNSUPPORTED_TOPIC,
                        keys::UNSUPPORTED_TOPIC_PERSON_COMING,
                    ),
                    &[("topic", &topic)],
                    HandoffReason::CustomerRequest,
                )
            }
            None => self.offer_handoff(
                state,
                (
                    keys::UNSUPPORTED_UNKNOWN,
                    keys::UNSUPPORTED_UNKNOWN_PERSON_COMING,
                ),
                &[],
                HandoffReason::CustomerRequest,
            ),
        }
    }

    /// A reply ending in an offer of a person, with 转人工 / 不用了 buttons; remembers the offer so that a
    /// following `affirm` accepts it. Once a person has been asked for, the second key's text (which says that
    /// person will pick the matter up) is used instead and nothing is offered.
    fn offer_handoff(
        &self,
        state: &mut DialogState,
        (offer_key, person_coming_key): (TemplateKey, TemplateKey),
        values: &[(&str, &str)],
        reason: HandoffReason,
    ) -> Reply {
        if state.handoff_requested {
            return Reply {
                text: self.say(state, person_coming_key, values),
                quick_replies: Vec::new(),
            };
        }
        state.handoff_offer = Some(reason);
        let quick_replies = [keys::QUICK_REPLY_HUMAN, keys::QUICK_REPLY_NO_THANKS]
            .into_iter()
            .map(|button| Phrasing::quick_reply(self.templates.render(button, state.lang, &[])))
            .collect();
        Reply {
            text: self.say(state, offer_key, values),
            quick_replies,
        }
    }

    fn anything_else(&self, state: &DialogState) -> Action {
        Action::Say(Reply {
            text: self.say(state, keys::ANYTHING_ELSE, &[]),
            quick_replies: self.common_questions(state.lang),
        })
    }

    /// Buttons for the questions customers ask most, plus one for a person.
    fn common_questions(&self, lang: Lang) -> Vec<QuickReply> {
        let mut buttons: Vec<QuickReply> = COMMON_QUESTIONS
            .iter()
            .filter_map(|intent| self.templates.member(family::CANONICAL, intent, lang))
            .map(|sentence| Phrasing::quick_reply(sentence.to_owned()))
            .collect();
        buttons.push(Phrasing::quick_reply(self.templates.render(
            keys::QUICK_REPLY_HUMAN,
            lang,
            &[],
        )));
        buttons
    }

    fn say(&self, state: &DialogState, key: TemplateKey, values: &[(&str, &str)]) -> String {
        self.templates.render(key, state.lang, values)
    }

    fn plain(&self, state: &DialogState, key: TemplateKey) -> Action {
        Action::Say(Reply {
            text: self.say(state, key, &[]),
            quick_replies: Vec::new(),
        })
    }

    /// A family member's text, or the member id itself when the template file has none.
    fn member(&self, family_name: &str, member: &str, lang: Lang) -> String {
        self.templates
            .member(family_name, member, lang)
            .unwrap_or(member)
            .to_owned()
    }
}

//! The engine's multi-turn side: walking a customer through a flow of `flows/flows.toml` (verification, slots,
//! confirmation, the case), digressions that are answered before the flow resumes, corrections, cancelling,
//! the "那再下一期呢" follow-up, and the collections arrangements the bot explains before a person takes over.
//!
//! Every function here returns actions like the rest of the engine; the flow's progress lives in
//! [`DialogState::flow`] and the carried context in [`DialogState::context`], both stored after each turn.

use std::collections::BTreeMap;

use chrono::Days;
use nlu::Parse;
use rust_decimal::Decimal;

use super::Dialog;
use crate::account::{AccountView, LoanState, LoanView};
use crate::answers::Phrasing;
use crate::context::{Focus, asks_for_the_next_instalment, asks_for_the_previous_instalment};
use crate::flows::{self, Condition, Flow, FlowState, Stage, Text};
use crate::format;
use crate::routing;
use crate::templates::{family, keys};
use crate::{Action, CaseRequest, CaseView, DialogState, HandoffReason, Reply};

/// The marker in [`DialogState::pending_intent`] of an account lookup a flow asked for.
pub(crate) const FLOW_PENDING: &str = "@flow";
/// The marker of an account lookup for the instalment after the one in focus.
pub(crate) const NEXT_INSTALMENT_PENDING: &str = "@next_instalment";
/// The marker of an account lookup for the instalment before the one in focus.
pub(crate) const PREVIOUS_INSTALMENT_PENDING: &str = "@previous_instalment";
/// How many turns in a row may fail to give what a flow asked for before it gives up.
const MAX_REPROMPTS: u32 = 3;
/// How many wrong answers to the verification question are allowed.
const MAX_FAILED_VERIFICATIONS: u32 = 3;
/// Collections intents answered with what the policy allows and an offer of a person.
pub(crate) const ARRANGEMENT_INTENTS: &[&str] = &[
    "extension_request",
    "installment_plan",
    "settlement_request",
    "partial_payment",
    "refuse_to_pay",
];
/// Days past due from which a payment plan may be offered.
const PLAN_MIN_DAYS_PAST_DUE: u32 = 31;
/// Days past due from which a waiver of penalty interest may be offered.
const WAIVER_MIN_DAYS_PAST_DUE: u32 = 61;

impl Dialog {
    /// Starts `flow` for the customer's `parse`: values already said fill their slots, the account is fetched
    /// when the flow needs it, and otherwise the first question is asked.
    pub(super) fn start_flow(
        &self,
        state: &mut DialogState,
        flow: &Flow,
        parse: &Parse,
    ) -> Vec<Action> {
        let mut flow_state = FlowState::new(flow, &parse.intent.name);
        for slot in &flow.slots {
            if let Some(value) = flows::read_slot(slot.slot_type, parse) {
                flow_state.slots.insert(slot.name.clone(), value);
            }
        }
        state.flow = Some(flow_state);
        if flow.needs_account {
            state.pending_intent = Some(FLOW_PENDING.to_owned());
            return vec![Action::FetchAccount];
        }
        let intro = flow
            .intro
            .as_ref()
            .map(|intro| self.flow_text(state, flow, intro, &[]));
        self.advance_flow(state, flow, intro.into_iter().collect())
    }

    /// The account a flow asked for: facts are noted, the flow's condition checked, then the flow goes on.
    pub(super) fn flow_on_account(
        &self,
        state: &mut DialogState,
        view: &AccountView,
    ) -> Vec<Action> {
        let Some((flow, mut flow_state)) = self.current_flow(state) else {
            return Vec::new();
        };
        let active: Vec<&LoanView> = view
            .loans
            .iter()
            .filter(|loan| loan.state != LoanState::Settled)
            .collect();
        let overdue: Decimal = active.iter().map(|loan| loan.overdue_amount).sum();
        let outstanding: Decimal = active.iter().map(|loan| loan.outstanding_total).sum();
        let settled: Vec<&str> = view
            .loans
            .iter()
            .filter(|loan| loan.state == LoanState::Settled)
            .map(|loan| loan.id.as_str())
            .collect();
        let cards: Vec<String> = view
            .cards
            .iter()
            .map(|card| {
                format!(
                    "{}:{}:{}",
                    card.bank,
                    card.last4,
                    if card.autodebit { "on" } else { "off" }
                )
            })
            .collect();
        flow_state
            .facts
            .insert("overdue".to_owned(), overdue.to_string());
        flow_state
            .facts
            .insert("outstanding".to_owned(), outstanding.to_string());
        flow_state.facts.insert("cards".to_owned(), cards.join(","));
        if !settled.is_empty() {
            flow_state
                .facts
                .insert("settled_loans".to_owned(), settled.join(","));
        }
        let holds = match flow.require {
            None => true,
            Some(Condition::HasOverdue) => overdue > Decimal::ZERO,
            Some(Condition::AllSettled) => active.is_empty(),
            Some(Condition::HasSettledLoan) => !settled.is_empty(),
            Some(Condition::HasActiveLoan) => !active.is_empty(),
        };
        state.flow = Some(flow_state);
        if !holds {
            let refusal = flow
                .refuse
                .as_ref()
                .map(|refuse| self.flow_text(state, &flow, refuse, &[]))
                .unwrap_or_default();
            state.flow = None;
            return vec![say(refusal)];
        }
        let intro = flow
            .intro
            .as_ref()
            .map(|intro| self.flow_text(state, &flow, intro, &[]));
        self.advance_flow(state, &flow, intro.into_iter().collect())
    }

    /// The customer's turn while a flow is under way, or `None` when the turn is not for the flow (a question
    /// about something else, or a request for a person) and the engine should handle it as usual.
    pub(super) fn flow_turn(&self, state: &mut DialogState, parse: &Parse) -> Option<Vec<Action>> {
        let (flow, mut flow_state) = self.current_flow(state)?;
        let intent = parse.intent.name.as_str();
        let confident = self
            .thresholds
            .is_confident(intent, parse.intent.confidence);
        if intent == "human_agent" && confident {
            state.flow = None;
            return None;
        }
        let today = state.today.unwrap_or_default();
        let denies = intent == "deny" && confident;
        match flow_state.stage.clone() {
            Stage::Verifying => {
                if let Some(answer) = flows::id_tail(parse) {
                    flow_state.stage = Stage::AwaitingVerification;
                    state.flow = Some(flow_state);
                    return Some(vec![Action::VerifyIdentity { answer }]);
                }
                if flows::is_cancel(&parse.text) || denies {
                    return Some(self.cancel_flow(state));
                }
                if self.is_digression(parse, &flow) {
                    flow_state.digressing = true;
                    state.flow = Some(flow_state);
                    return None;
                }
                state.flow = Some(flow_state);
                Some(self.reprompt(state, &flow, &self.flows.common.verify_reask))
            }
            Stage::Slot { index } => {
                let slot = flow.slots.get(index)?;
                if let Some(value) = flows::read_slot(slot.slot_type, parse) {
                    if flows::check_rules(slot, &value, today, &flow_state.facts) {
                        flow_state.slots.insert(slot.name.clone(), value);
                        flow_state.reprompts = 0;
                        state.flow = Some(flow_state);
                        return Some(self.advance_flow(state, &flow, Vec::new()));
                    }
                    state.flow = Some(flow_state);
                    return Some(self.reprompt(state, &flow, &slot.invalid));
                }
                if flows::is_cancel(&parse.text) {
                    return Some(self.cancel_flow(state));
                }
                // "不对，是下周五" while asked for something else: an earlier answer is corrected, even though
                // the classifier reads the "不对" as a no.
                if let Some(reply) = self.correct_slots(state, &flow, &mut flow_state, parse, index)
                {
                    return Some(reply);
                }
                if denies {
                    return Some(self.cancel_flow(state));
                }
                if self.is_digression(parse, &flow) {
                    flow_state.digressing = true;
                    state.flow = Some(flow_state);
                    return None;
                }
                state.flow = Some(flow_state);
                Some(self.reprompt(state, &flow, &slot.ask))
            }
            Stage::Confirming => {
                if let Some(reply) =
                    self.correct_slots(state, &flow, &mut flow_state, parse, flow.slots.len())
                {
                    return Some(reply);
                }
                if flows::is_cancel(&parse.text) || denies {
                    return Some(self.cancel_flow(state));
                }
                if intent == "affirm" && confident {
                    state.flow = Some(flow_state);
                    return Some(self.open_flow_case(state, &flow));
                }
                if self.is_digression(parse, &flow) {
                    flow_state.digressing = true;
                    state.flow = Some(flow_state);
                    return None;
                }
                state.flow = Some(flow_state);
                let mut lines = vec![self.flows.common.confirm_again.get(state.lang).to_owned()];
                if let Some(confirm) = &flow.confirm {
                    lines.insert(0, self.flow_text(state, &flow, confirm, &[]));
                }
                Some(vec![say(lines.join("\n"))])
            }
            Stage::AwaitingAccount | Stage::AwaitingVerification | Stage::AwaitingCase => {
                // A result never came back (the caller stopped mid-turn): start afresh with this utterance.
                state.flow = None;
                None
            }
        }
    }

    /// The verification answer came back.
    pub(super) fn flow_on_verification(
        &self,
        state: &mut DialogState,
        matches: bool,
    ) -> Vec<Action> {
        let Some((flow, mut flow_state)) = self.current_flow(state) else {
            return Vec::new();
        };
        let common = &self.flows.common;
        if matches {
            state.context.identity_verified = true;
            flow_state.failed_verifications = 0;
            flow_state.reprompts = 0;
            state.flow = Some(flow_state);
            return self.advance_flow(
                state,
                &flow,
                vec![common.verified.get(state.lang).to_owned()],
            );
        }
        flow_state.failed_verifications += 1;
        if flow_state.failed_verifications >= MAX_FAILED_VERIFICATIONS {
            state.flow = None;
            return vec![Action::Say(self.offer_flow_handoff(
                state,
                &common.verify_locked,
                None,
                HandoffReason::CustomerRequest,
            ))];
        }
        flow_state.stage = Stage::Verifying;
        state.flow = Some(flow_state);
        vec![say(common.verify_retry.get(state.lang).to_owned())]
    }

    /// The case a flow asked for was opened (`Some`) or could not be (`None`).
    pub(super) fn flow_on_case(
        &self,
        state: &mut DialogState,
        case: Option<CaseView>,
    ) -> Vec<Action> {
        let Some((flow, _)) = self.current_flow(state) else {
            return Vec::new();
        };
        let Some(case) = case else {
            state.flow = None;
            return vec![Action::Say(self.offer_flow_handoff(
                state,
                &self.flows.common.case_failed,
                Some(&self.flows.common.case_failed_person_coming),
                HandoffReason::BackendUnavailable,
            ))];
        };
        let deadline = format::date(case.deadline, state.lang);
        let text = self.flow_text(
            state,
            &flow,
            &flow.done,
            &[
                ("reference", case.reference.clone()),
                ("deadline", deadline),
            ],
        );
        state.flow = None;
        let mut actions = vec![say(text)];
        if flow.handoff {
            actions.extend(self.hand_over(state, HandoffReason::CollectionsPaused));
        }
        actions
    }

    /// After the answer to a digression, the flow's open question again.
    pub(super) fn resume_after_digression(
        &self,
        state: &mut DialogState,
        actions: &mut Vec<Action>,
    ) {
        if state.pending_intent.is_some() || state.pending_question.is_some() {
            return;
        }
        let Some((flow, mut flow_state)) = self.current_flow(state) else {
            return;
        };
        if !flow_state.digressing
            || !actions
                .iter()
                .any(|action| matches!(action, Action::Say(_)))
        {
            return;
        }
        flow_state.digressing = false;
        let prompt = self.open_question(state, &flow, &flow_state);
        state.flow = Some(flow_state);
        if let Some(prompt) = prompt {
            let text = flows_fill(
                self.flows.common.resume.get(state.lang),
                &[("prompt", prompt)],
            );
            actions.push(say(text));
        }
    }

    /// The flow in the state and its definition; a flow the definitions no longer have is dropped.
    fn current_flow(&self, state: &mut DialogState) -> Option<(Flow, FlowState)> {
        let flow_state = state.flow.clone()?;
        match self.flows.by_id(&flow_state.id) {
            Some(flow) => Some((flow.clone(), flow_state)),
            None => {
                state.flow = None;
                None
            }
        }
    }

    /// Moves the flow to its next open step: verification, the first empty (or invalid) slot, the
    /// confirmation, or the case. `lines` are said first.
    fn advance_flow(
        &self,
        state: &mut DialogState,
        flow: &Flow,
        mut lines: Vec<String>,
    ) -> Vec<Action> {
        let Some(mut flow_state) = state.flow.clone() else {
            return Vec::new();
        };
        let today = state.today.unwrap_or_default();
        if flow.verify && !state.context.identity_verified {
            flow_state.stage = Stage::Verifying;
            state.flow = Some(flow_state);
            lines.push(self.flows.common.verify_ask.get(state.lang).to_owned());
            return vec![say(lines.join("\n"))];
        }
        for (index, slot) in flow.slots.iter().enumerate() {
            match flow_state.slots.get(&slot.name) {
                Some(value) if flows::check_rules(slot, value, today, &flow_state.facts) => {
                    continue;
                }
                Some(_) => {
                    flow_state.slots.remove(&slot.name);
                    flow_state.stage = Stage::Slot { index };
                    state.flow = Some(flow_state);
                    lines.push(self.flow_text(state, flow, &slot.invalid, &[]));
                    return vec![say(lines.join("\n"))];
                }
                None => {
                    flow_state.stage = Stage::Slot { index };
                    state.flow = Some(flow_state);
                    lines.push(self.flow_text(state, flow, &slot.ask, &[]));
                    return vec![say(lines.join("\n"))];
                }
            }
        }
        if let Some(confirm) = &flow.confirm {
            flow_state.stage = Stage::Confirming;
            state.flow = Some(flow_state);
            lines.push(self.flow_text(state, flow, confirm, &[]));
            return vec![Action::Say(Reply {
                text: lines.join("\n"),
                quick_replies: self.confirm_buttons(state),
            })];
        }
        state.flow = Some(flow_state);
        let mut actions: Vec<Action> = if lines.is_empty() {
            Vec::new()
        } else {
            vec![say(lines.join("\n"))]
        };
        actions.extend(self.open_flow_case(state, flow));
        actions
    }

    /// Asks for the case, with the slots (and the facts the case needs) as its details.
    fn open_flow_case(&self, state: &mut DialogState, flow: &Flow) -> Vec<Action> {
        let Some(mut flow_state) = state.flow.clone() else {
            return Vec::new();
        };
        flow_state.stage = Stage::AwaitingCase;
        let mut details: BTreeMap<String, String> = flow_state.slots.clone();
        details.insert("intent".to_owned(), flow_state.intent.clone());
        if let Some(loans) = flow_state.facts.get("settled_loans") {
            details.insert("loans".to_owned(), loans.clone());
        }
        if let Some(overdue) = flow_state.facts.get("overdue") {
            details.insert("overdue".to_owned(), overdue.clone());
        }
        let topic = self.member(family::TOPIC, &flow_state.intent, state.lang);
        state.flow = Some(flow_state);
        vec![Action::OpenCase(CaseRequest {
            kind: flow.case.clone(),
            summary: topic,
            details,
        })]
    }

    /// Replaces earlier slot values the customer corrects (any slot before `before`), and asks the open question
    /// again; `None` when nothing was corrected.
    fn correct_slots(
        &self,
        state: &mut DialogState,
        flow: &Flow,
        flow_state: &mut FlowState,
        parse: &Parse,
        before: usize,
    ) -> Option<Vec<Action>> {
        let today = state.today.unwrap_or_default();
        let mut corrected: Vec<String> = Vec::new();
        let bank_name = |code: &str| self.member(family::BANK, code, state.lang);
        for slot in flow.slots.iter().take(before) {
            let Some(value) = flows::read_slot(slot.slot_type, parse) else {
                continue;
            };
            if flow_state.slots.get(&slot.name) == Some(&value) {
                continue;
            }
            if !flows::check_rules(slot, &value, today, &flow_state.facts) {
                state.flow = Some(flow_state.clone());
                return Some(vec![say(self.flow_text(state, flow, &slot.invalid, &[]))]);
            }
            corrected.push(flows::show_slot(
                slot.slot_type,
                &value,
                state.lang,
                &self.flows.common,
                &bank_name,
            ));
            flow_state.slots.insert(slot.name.clone(), value);
        }
        if corrected.is_empty() {
            return None;
        }
        flow_state.reprompts = 0;
        state.flow = Some(flow_state.clone());
        let separator = if state.lang == nlu::Lang::Zh {
            "、"
        } else {
            ", "
        };
        let corrected_line = flows_fill(
            self.flows.common.corrected.get(state.lang),
            &[("value", corrected.join(separator))],
        );
        Some(self.advance_flow(state, flow, vec![corrected_line]))
    }

    /// Says `text` again (or gives up after too many tries, offering a person).
    fn reprompt(&self, state: &mut DialogState, flow: &Flow, text: &Text) -> Vec<Action> {
        let Some(mut flow_state) = state.flow.clone() else {
            return Vec::new();
        };
        flow_state.reprompts += 1;
        if flow_state.reprompts >= MAX_REPROMPTS {
            state.flow = None;
            return vec![Action::Say(self.offer_flow_handoff(
                state,
                &self.flows.common.gave_up,
                None,
                HandoffReason::NotUnderstood,
            ))];
        }
        state.flow = Some(flow_state);
        vec![say(self.flow_text(state, flow, text, &[]))]
    }

    fn cancel_flow(&self, state: &mut DialogState) -> Vec<Action> {
        state.flow = None;
        vec![say(self.flows.common.cancelled.get(state.lang).to_owned())]
    }

    /// Whether the customer asked about something else: a confident intent that is not an answer to the flow.
    fn is_digression(&self, parse: &Parse, flow: &Flow) -> bool {
        let intent = parse.intent.name.as_str();
        self.thresholds
            .is_confident(intent, parse.intent.confidence)
            && !routing::CONTEXTUAL_INTENTS.contains(&intent)
            && intent != nlu::OUT_OF_SCOPE
            && !flow.intents.iter().any(|own| own == intent)
    }

    /// The question the flow is waiting on, rendered.
    fn open_question(
        &self,
        state: &DialogState,
        flow: &Flow,
        flow_state: &FlowState,
    ) -> Option<String> {
        match &flow_state.stage {
            Stage::Verifying => Some(self.flows.common.verify_ask.get(state.lang).to_owned()),
            Stage::Slot { index } => flow
                .slots
                .get(*index)
                .map(|slot| self.flow_text(state, flow, &slot.ask, &[])),
            Stage::Confirming => flow
                .confirm
                .as_ref()
                .map(|confirm| self.flow_text(state, flow, confirm, &[])),
            _ => None,
        }
    }

    /// A flow text with its placeholders filled: slots, facts and `extra`.
    fn flow_text(
        &self,
        state: &DialogState,
        flow: &Flow,
        text: &Text,
        extra: &[(&str, String)],
    ) -> String {
        let lang = state.lang;
        let today = state.today.unwrap_or_default();
        let mut values: Vec<(String, String)> = Vec::new();
        let bank_name = |code: &str| self.member(family::BANK, code, lang);
        if let Some(flow_state) = &state.flow {
            for slot in &flow.slots {
                if let Some(value) = flow_state.slots.get(&slot.name) {
                    values.push((
                        slot.name.clone(),
                        flows::show_slot(
                            slot.slot_type,
                            value,
                            lang,
                            &self.flows.common,
                            &bank_name,
                        ),
                    ));
                }
            }
            for amount_fact in ["overdue", "outstanding"] {
                if let Some(amount) = flow_state
                    .facts
                    .get(amount_fact)
                    .and_then(|text| text.parse::<Decimal>().ok())
                {
                    values.push((amount_fact.to_owned(), format::money(amount, lang)));
                }
            }
            if let Some(cards) = flow_state.facts.get("cards") {
                values.push(("cards".to_owned(), self.card_list(cards, state)));
            }
        }
        if let Some(latest) = flows::latest_day(flow, today) {
            values.push(("latest_date".to_owned(), format::date(latest, lang)));
        }
        for (name, value) in extra {
            values.push(((*name).to_owned(), value.clone()));
        }
        let pairs: Vec<(&str, &str)> = values
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        crate::templates::fill_placeholders(text.get(lang), &pairs)
    }

    /// The linked cards (`BANK:1234:on,...`) in words, or a note that there are none.
    fn card_list(&self, cards: &str, state: &DialogState) -> String {
        let lines: Vec<String> = cards
            .split(',')
            .filter(|item| !item.is_empty())
            .filter_map(|item| {
                let mut parts = item.split(':');
                let (bank, last4, autodebit) = (parts.next()?, parts.next()?, parts.next()?);
                let setting = self.say(
                    state,
                    if autodebit == "on" {
                        keys::CARD_AUTODEBIT_ON
                    } else {
                        keys::CARD_AUTODEBIT_OFF
                    },
                    &[],
                );
                Some(self.say(
                    state,
                    keys::CARD_LINE,
                    &[
                        ("bank", &self.member(family::BANK, bank, state.lang)),
                        ("last4", last4),
                        ("autodebit", &setting),
                    ],
                ))
            })
            .collect();
        if lines.is_empty() {
            self.say(state, keys::NO_CARDS, &[])
        } else {
            lines.join("\n")
        }
    }

    /// Yes and cancel buttons for a confirmation.
    fn confirm_buttons(&self, state: &DialogState) -> Vec<crate::QuickReply> {
        [keys::QUICK_REPLY_CONFIRM, keys::QUICK_REPLY_CANCEL]
            .into_iter()
            .map(|key| Phrasing::quick_reply(self.say(state, key, &[])))
            .collect()
    }

    /// A flow text ending in an offer of a person (remembered, so a yes accepts it); once a person is coming,
    /// `person_coming` (or the text alone) instead.
    fn offer_flow_handoff(
        &self,
        state: &mut DialogState,
        offer: &Text,
        person_coming: Option<&Text>,
        reason: HandoffReason,
    ) -> Reply {
        if state.handoff_requested {
            return Reply {
                text: person_coming.unwrap_or(offer).get(state.lang).to_owned(),
                quick_replies: Vec::new(),
            };
        }
        state.handoff_offer = Some(reason);
        Reply {
            text: offer.get(state.lang).to_owned(),
            quick_replies: [keys::QUICK_REPLY_HUMAN, keys::QUICK_REPLY_NO_THANKS]
                .into_iter()
                .map(|button| Phrasing::quick_reply(self.say(state, button, &[])))
                .collect(),
        }
    }

    /// "那再下一期呢": when the conversation is about an instalment, the account is fetched to answer about the
    /// one after it. `None` when the text is not such a follow-up or nothing is in focus.
    pub(super) fn follow_up(&self, state: &mut DialogState, parse: &Parse) -> Option<Vec<Action>> {
        state.context.focus.as_ref()?;
        let pending = if asks_for_the_next_instalment(&parse.text) {
            NEXT_INSTALMENT_PENDING
        } else if asks_for_the_previous_instalment(&parse.text) {
            PREVIOUS_INSTALMENT_PENDING
        } else {
            return None;
        };
        state.misunderstood_in_a_row = 0;
        state.pending_intent = Some(pending.to_owned());
        Some(vec![Action::FetchAccount])
    }

    /// The instalment after (or, with `step` −1, before) the one in focus, which then becomes the focus.
    pub(super) fn neighbouring_instalment(
        &self,
        state: &mut DialogState,
        view: &AccountView,
        step: i64,
    ) -> Vec<Action> {
        let Some(focus) = state.context.focus.clone() else {
            return Vec::new();
        };
        let phrasing = Phrasing {
            templates: &self.templates,
            lang: state.lang,
            today: state.today.unwrap_or(view.today),
        };
        let Some(loan) = view.loans.iter().find(|loan| loan.id == focus.loan_id) else {
            state.context.focus = None;
            return vec![say(phrasing.say(keys::NEXT_INSTALMENT_UNKNOWN, &[]))];
        };
        let label = phrasing.loan_label(loan);
        let wanted = i64::from(focus.seq) + step;
        let Some(line) = loan
            .schedule
            .iter()
            .find(|line| i64::from(line.seq) == wanted)
        else {
            let key = if step > 0 {
                keys::NEXT_INSTALMENT_NONE
            } else {
                keys::PREVIOUS_INSTALMENT_NONE
            };
            return vec![say(
                phrasing.say(key, &[("loan", &label), ("seq", &focus.seq.to_string())])
            )];
        };
        state.context.focus = Some(Focus {
            loan_id: loan.id.clone(),
            seq: line.seq,
        });
        let status = crate::answers::instalment_status(&phrasing, line);
        vec![say(phrasing.say(
            keys::NEXT_INSTALMENT,
            &[
                ("loan", &label),
                ("seq", &line.seq.to_string()),
                ("amount", &phrasing.money(line.total)),
                (
                    "date",
                    &format::date_with_relative(line.due_date, phrasing.today, phrasing.lang),
                ),
                ("status", &status),
            ],
        ))]
    }

    /// Notes the instalment a due-amount or schedule answer was about: the first active loan's next instalment.
    pub(super) fn note_focus(&self, state: &mut DialogState, view: &AccountView) {
        state.context.focus = view
            .loans
            .iter()
            .filter(|loan| loan.state != LoanState::Settled)
            .find_map(|loan| {
                let seq = loan
                    .next_due
                    .as_ref()
                    .map(|next| next.seq)
                    .or_else(|| loan.overdue.last().map(|due| due.seq))?;
                Some(Focus {
                    loan_id: loan.id.clone(),
                    seq,
                })
            });
    }

    /// What the policy allows for an extension, a payment plan, a waiver, a partial payment or a refusal, with
    /// an offer of a collections officer.
    pub(super) fn arrangement(
        &self,
        state: &mut DialogState,
        intent: &str,
        view: &AccountView,
    ) -> Vec<Action> {
        let phrasing = Phrasing {
            templates: &self.templates,
            lang: state.lang,
            today: state.today.unwrap_or(view.today),
        };
        let overdue: Decimal = view.loans.iter().map(|loan| loan.overdue_amount).sum();
        if overdue <= Decimal::ZERO {
            return vec![say(phrasing.say(keys::ARRANGEMENT_NOTHING_OVERDUE, &[]))];
        }
        let days_past_due = view
            .loans
            .iter()
            .map(|loan| loan.days_past_due)
            .max()
            .unwrap_or(0);
        let days = format::day_count(days_past_due, phrasing.lang);
        let latest = phrasing
            .today
            .checked_add_days(Days::new(7))
            .unwrap_or(phrasing.today);
        let mut lines = vec![phrasing.say(
            keys::ARRANGEMENT_OVERDUE,
            &[("amount", &phrasing.money(overdue)), ("days", &days)],
        )];
        match intent {
            "extension_request" => lines.push(phrasing.say(keys::ARRANGEMENT_EXTENSION, &[])),
            "installment_plan" => lines.push(if days_past_due >= PLAN_MIN_DAYS_PAST_DUE {
                phrasing.say(keys::ARRANGEMENT_PLAN_YES, &[])
            } else {
                phrasing.say(keys::ARRANGEMENT_PLAN_NO, &[("days", &days)])
            }),
            "settlement_request" => lines.push(if days_past_due >= WAIVER_MIN_DAYS_PAST_DUE {
                phrasing.say(keys::ARRANGEMENT_WAIVER_YES, &[])
            } else {
                phrasing.say(keys::ARRANGEMENT_WAIVER_NO, &[("days", &days)])
            }),
            "partial_payment" => lines.push(phrasing.say(keys::ARRANGEMENT_PARTIAL, &[])),
            _ => lines.push(phrasing.say(keys::ARRANGEMENT_REFUSE, &[])),
        }
        lines.push(phrasing.say(
            keys::ARRANGEMENT_PROMISE,
            &[("latest_date", &format::date(latest, phrasing.lang))],
        ));
        let offer = self.offer_handoff(
            state,
            (keys::ARRANGEMENT_PERSON, keys::ARRANGEMENT_PERSON_COMING),
            &[],
            HandoffReason::CustomerRequest,
        );
        lines.push(offer.text);
        vec![Action::Say(Reply {
            text: lines.join("\n"),
            quick_replies: offer.quick_replies,
        })]
    }
}

/// Fills `{name}` placeholders of a flow text.
fn flows_fill(text: &str, values: &[(&str, String)]) -> String {
    let pairs: Vec<(&str, &str)> = values
        .iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect();
    crate::templates::fill_placeholders(text, &pairs)
}

fn say(text: String) -> Action {
    Action::Say(Reply {
        text,
        quick_replies: Vec::new(),
    })
}

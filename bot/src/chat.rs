//! The turn pipeline shared by the REST and WebSocket channels: one customer message in, the bot's replies
//! (and perhaps a handoff) out, with everything stored before the replies are returned.
//!
//! A turn: validate the text (nothing is stored for an empty or oversized one); take the conversation's lock,
//! so that turns of one conversation run one after another while different conversations run in parallel;
//! check that the conversation belongs to the customer; work out "today" in the customer's time zone; parse
//! the text on a blocking thread; append the customer's message (with the intent and confidence as meta);
//! then run the dialog manager, carrying out its actions in order: `FetchAccount` asks the loan system (a
//! failure or a 5-second silence becomes `Input::AccountUnavailable`, so the customer still gets a kind
//! answer), `LookUpKnowledge` searches the lender's FAQ and graph, `Handoff` records a handoff, `Say` collects a reply. Finally the replies and the new dialog state
//! are stored in one transaction. The dialog state is created from the customer's profile when a conversation
//! starts and restored from the store afterwards, so a restarted server continues where it stopped.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use chrono_tz::Tz;
use connectors::{
    BackendError, Cases, Conversation, ConversationStore, Customer, Handoff, LoanSystem, NewCase,
    Role,
};
use dialog::{
    Action, CustomerProfile, Dialog, DialogState, Input, KnowledgeAnswer, QuickReply, Reply,
};
use nlu::{Lang, Nlu, Parse};
use serde_json::json;

use crate::account_view::account_view;
use crate::knowledge::KnowledgeService;
use crate::telemetry;

/// How long a turn waits for the loan system before answering without it.
pub const BACKEND_TIMEOUT: Duration = Duration::from_secs(5);

/// The most account lookups one turn may make; the dialog asks once, so more means a loop.
const MAX_ACCOUNT_FETCHES_PER_TURN: usize = 3;

/// Where a conversation takes place; stored with the conversation and used as the metrics label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// `POST /v1/chat`.
    Rest,
    /// The chat WebSocket (the web page, app webviews).
    Web,
    /// A phone call (Twilio Media Streams or Asterisk AudioSocket), recognised and spoken by `voice`.
    Voice,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Rest => "rest",
            Channel::Web => "web",
            Channel::Voice => "voice",
        }
    }
}

/// Why a turn was not taken. Everything a customer can say is a valid turn; these are the exceptions.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error("the message is empty")]
    EmptyMessage,
    #[error("the message is longer than {max_chars} characters")]
    MessageTooLong { max_chars: usize },
    /// The conversation does not exist or belongs to another customer (the two are not told apart).
    #[error("no such conversation")]
    ConversationNotFound,
    /// The conversation store failed; the turn was not completed.
    #[error("the conversation store failed: {0}")]
    Store(#[from] BackendError),
    #[error("{0}")]
    Internal(String),
}

impl ChatError {
    /// The machine-readable code sent to clients.
    pub fn code(&self) -> &'static str {
        match self {
            ChatError::EmptyMessage => "empty_message",
            ChatError::MessageTooLong { .. } => "message_too_long",
            ChatError::ConversationNotFound => "not_found",
            ChatError::Store(_) => "unavailable",
            ChatError::Internal(_) => "internal",
        }
    }
}

/// What one turn produced.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnOutcome {
    pub conversation_id: String,
    pub replies: Vec<Reply>,
    /// The conversation's open handoff after this turn, whether requested now or earlier.
    pub handoff: Option<Handoff>,
    /// The intent the customer's message was understood as.
    pub intent: String,
}

/// The turn pipeline with its engines and backends. Cheap to clone.
#[derive(Clone)]
pub struct ChatService {
    inner: Arc<ChatServiceInner>,
    /// How long a turn waits for the loan system.
    backend_timeout: Duration,
    /// The lender's FAQ and graph; without it every knowledge lookup finds nothing.
    knowledge: Option<KnowledgeService>,
    /// Where cases are opened; without it every case request is answered as unavailable.
    cases: Option<Arc<dyn Cases>>,
    /// Where unsure and out-of-scope utterances wait for review (`routes::review`); none when `None`.
    review_queue: Option<Arc<dyn connectors::ReviewQueue>>,
}

struct ChatServiceInner {
    nlu: Arc<Nlu>,
    dialog: Dialog,
    loans: Arc<dyn LoanSystem>,
    conversations: Arc<dyn ConversationStore>,
    server_timezone: Tz,
    max_message_chars: usize,
    conversation_locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl std::fmt::Debug for ChatService {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ChatService")
            .field("server_timezone", &self.inner.server_timezone)
            .field("max_message_chars", &self.inner.max_message_chars)
            .finish_non_exhaustive()
    }
}

impl ChatService {
    pub fn new(
        nlu: Arc<Nlu>,
        loans: Arc<dyn LoanSystem>,
        conversations: Arc<dyn ConversationStore>,
        server_timezone: Tz,
        max_message_chars: usize,
    ) -> Self {
        Self {
            inner: Arc::new(ChatServiceInner {
                nlu,
                dialog: Dialog::new(),
                loans,
                conversations,
                server_timezone,
                max_message_chars,
                conversation_locks: Mutex::new(HashMap::new()),
            }),
            backend_timeout: BACKEND_TIMEOUT,
            knowledge: None,
            cases: None,
            review_queue: None,
        }
    }

    /// The same service queueing unsure and out-of-scope utterances, masked, in `queue`.
    pub fn with_review_queue(self, queue: Arc<dyn connectors::ReviewQueue>) -> Self {
        Self {
            review_queue: Some(queue),
            ..self
        }
    }

    pub fn review_queue(&self) -> Option<&Arc<dyn connectors::ReviewQueue>> {
        self.review_queue.as_ref()
    }

    /// The same service opening cases (refunds, complaints, promises to pay ...) in `cases`.
    pub fn with_cases(self, cases: Arc<dyn Cases>) -> Self {
        Self {
            cases: Some(cases),
            ..self
        }
    }

    pub fn cases(&self) -> Option<&Arc<dyn Cases>> {
        self.cases.as_ref()
    }

    /// The same service answering the lender's general questions from `knowledge`.
    pub fn with_knowledge(self, knowledge: KnowledgeService) -> Self {
        Self {
            knowledge: Some(knowledge),
            ..self
        }
    }

    pub fn knowledge(&self) -> Option<&KnowledgeService> {
        self.knowledge.as_ref()
    }

    /// The knowledge base's answer to a question, searched on a blocking thread; `None` when there is no
    /// knowledge, no trusted answer, or the search failed.
    pub async fn look_up_knowledge(
        &self,
        question: String,
        intent: Option<String>,
        lang: Lang,
    ) -> Option<KnowledgeAnswer> {
        let knowledge = self.knowledge.clone()?;
        match tokio::task::spawn_blocking(move || {
            knowledge.answer(&question, intent.as_deref(), lang)
        })
        .await
        {
            Ok(answer) => answer,
            Err(error) => {
                telemetry::record_error("knowledge_search_failed");
                tracing::error!(%error, "the knowledge search failed");
                None
            }
        }
    }

    /// The same service waiting at most `timeout` for the loan system (default [`BACKEND_TIMEOUT`]).
    pub fn with_backend_timeout(self, timeout: Duration) -> Self {
        Self {
            backend_timeout: timeout,
            ..self
        }
    }

    pub fn nlu(&self) -> &Arc<Nlu> {
        &self.inner.nlu
    }

    pub fn conversations(&self) -> &Arc<dyn ConversationStore> {
        &self.inner.conversations
    }

    pub fn loans(&self) -> &Arc<dyn LoanSystem> {
        &self.inner.loans
    }

    pub fn server_timezone(&self) -> Tz {
        self.inner.server_timezone
    }

    pub fn max_message_chars(&self) -> usize {
        self.inner.max_message_chars
    }

    /// Today in the server's time zone.
    pub fn server_today(&self) -> NaiveDate {
        chrono::Utc::now()
            .with_timezone(&self.inner.server_timezone)
            .date_naive()
    }

    /// The text to store for a message, or why it cannot be taken: empty (after trimming) or longer than the
    /// configured maximum.
    pub fn validate_text<'text>(&self, text: &'text str) -> Result<&'text str, ChatError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(ChatError::EmptyMessage);
        }
        if trimmed.chars().count() > self.inner.max_message_chars {
            return Err(ChatError::MessageTooLong {
                max_chars: self.inner.max_message_chars,
            });
        }
        Ok(trimmed)
    }

    /// Parses `text` on a blocking thread, keeping model inference off the async workers.
    pub async fn parse(&self, text: &str, reference_date: NaiveDate) -> Result<Parse, ChatError> {
        let nlu = self.inner.nlu.clone();
        let text = text.to_owned();
        tokio::task::spawn_blocking(move || nlu.parse(&text, reference_date))
            .await
            .map_err(|error| ChatError::Internal(format!("the parsing thread failed: {error}")))
    }

    /// The conversation `conversation_id` if it belongs to `customer_id`.
    pub async fn owned_conversation(
        &self,
        customer_id: &str,
        conversation_id: &str,
    ) -> Result<Conversation, ChatError> {
        match self
            .inner
            .conversations
            .conversation(conversation_id)
            .await?
        {
            Some(conversation) if conversation.customer_id == customer_id => Ok(conversation),
            _ => Err(ChatError::ConversationNotFound),
        }
    }

    /// Resumes the customer's conversation `conversation_id`, or starts a new one on `channel` when `None`.
    pub async fn open_conversation(
        &self,
        customer_id: &str,
        conversation_id: Option<&str>,
        channel: Channel,
    ) -> Result<Conversation, ChatError> {
        match conversation_id {
            Some(conversation_id) => self.owned_conversation(customer_id, conversation_id).await,
            None => {
                let conversation = self
                    .inner
                    .conversations
                    .create_conversation(customer_id, channel.as_str())
                    .await?;
                tracing::info!(
                    conversation_id = %conversation.id,
                    customer_id,
                    channel = channel.as_str(),
                    "conversation started"
                );
                Ok(conversation)
            }
        }
    }

    /// Takes one turn: `text` from `customer_id` in `conversation_id`, or in a new conversation when `None`.
    /// Nothing is stored when the text is refused or the conversation is not the customer's.
    pub async fn take_turn(
        &self,
        customer_id: &str,
        conversation_id: Option<&str>,
        text: &str,
        channel: Channel,
    ) -> Result<TurnOutcome, ChatError> {
        let text = self.validate_text(text)?;
        let conversation_id = match conversation_id {
            Some(conversation_id) => conversation_id.to_owned(),
            None => self.open_conversation(customer_id, None, channel).await?.id,
        };
        let started = Instant::now();
        let lock = self.conversation_lock(&conversation_id);
        let _turn_guard = lock.lock().await;
        let outcome = self
            .take_locked_turn(customer_id, &conversation_id, text)
            .await;
        match &outcome {
            Ok(outcome) => {
                telemetry::record_turn(channel.as_str(), started.elapsed());
                tracing::info!(
                    conversation_id = %conversation_id,
                    customer_id,
                    channel = channel.as_str(),
                    intent = %outcome.intent,
                    replies = outcome.replies.len(),
                    milliseconds = started.elapsed().as_millis() as u64,
                    "turn answered"
                );
            }
            Err(ChatError::ConversationNotFound) => {}
            Err(error) => {
                telemetry::record_error("turn_failed");
                tracing::warn!(conversation_id = %conversation_id, customer_id, %error, "turn failed");
            }
        }
        outcome
    }

    async fn take_locked_turn(
        &self,
        customer_id: &str,
        conversation_id: &str,
        text: &str,
    ) -> Result<TurnOutcome, ChatError> {
        let turn_started = Instant::now();
        let mut timings = TurnTimings::default();
        // Read inside the lock, so the dialog state is the one the previous turn stored. The customer's record is
        // read at the same time; a conversation that is not theirs ends the turn at once, without waiting for it.
        let (conversation, customer) = tokio::try_join!(
            self.owned_conversation(customer_id, conversation_id),
            async { Ok(self.customer_record(customer_id).await) }
        )?;
        timings.load = turn_started.elapsed();
        let timezone = customer
            .as_ref()
            .and_then(|customer| customer.timezone.parse::<Tz>().ok())
            .unwrap_or(self.inner.server_timezone);
        let today = chrono::Utc::now().with_timezone(&timezone).date_naive();
        let mut state = self.restore_state(&conversation, customer_id, customer.as_ref());
        state.spoken = conversation.channel == Channel::Voice.as_str();

        let step = Instant::now();
        let parse = self.parse(text, today).await?;
        timings.parse = step.elapsed();
        let intent = parse.intent.name.clone();
        telemetry::record_intent(&intent);
        let customer_meta =
            json!({"intent": intent, "confidence": parse.intent.confidence}).to_string();
        let step = Instant::now();
        let customer_message = self
            .inner
            .conversations
            .append_message(conversation_id, Role::Customer, text, Some(&customer_meta))
            .await?;
        timings.store_message = step.elapsed();
        let step = Instant::now();
        self.queue_for_review(conversation_id, &parse).await;
        timings.review = step.elapsed();

        let mut replies: Vec<Reply> = Vec::new();
        let mut pending: VecDeque<Action> = self
            .inner
            .dialog
            .handle(&mut state, Input::Utterance { parse, today })
            .into();
        let mut account_fetches = 0_usize;
        while let Some(action) = pending.pop_front() {
            match action {
                Action::Say(reply) => replies.push(reply),
                Action::FetchAccount => {
                    account_fetches += 1;
                    if account_fetches > MAX_ACCOUNT_FETCHES_PER_TURN + 1 {
                        tracing::warn!(
                            conversation_id,
                            "the dialog keeps asking for the account; stopping"
                        );
                        continue;
                    }
                    let step = Instant::now();
                    let input = if account_fetches > MAX_ACCOUNT_FETCHES_PER_TURN {
                        Input::AccountUnavailable
                    } else {
                        self.fetch_account(customer_id, today).await
                    };
                    timings.account += step.elapsed();
                    let follow_up = self.inner.dialog.handle(&mut state, input);
                    // The follow-up actions come before whatever the dialog had queued after the lookup.
                    for action in follow_up.into_iter().rev() {
                        pending.push_front(action);
                    }
                }
                Action::LookUpKnowledge {
                    question,
                    intent,
                    lang,
                } => {
                    let step = Instant::now();
                    let answer = self.look_up_knowledge(question, intent, lang).await;
                    timings.knowledge += step.elapsed();
                    if let Some(answer) = &answer {
                        tracing::info!(
                            conversation_id,
                            entry_id = %answer.entry_id,
                            confidence = answer.confidence,
                            "answered from the knowledge"
                        );
                    }
                    let follow_up = self
                        .inner
                        .dialog
                        .handle(&mut state, Input::Knowledge(answer));
                    for action in follow_up.into_iter().rev() {
                        pending.push_front(action);
                    }
                }
                Action::VerifyIdentity { answer } => {
                    let matches = customer.as_ref().is_some_and(|customer| {
                        customer.id_last4.eq_ignore_ascii_case(answer.trim())
                    });
                    if customer.is_none() {
                        tracing::warn!(
                            conversation_id,
                            "identity check without the customer's record: the loan system did not answer"
                        );
                    }
                    tracing::info!(
                        conversation_id,
                        customer_id,
                        matches,
                        "step-up verification"
                    );
                    let follow_up = self
                        .inner
                        .dialog
                        .handle(&mut state, Input::Verification(matches));
                    for action in follow_up.into_iter().rev() {
                        pending.push_front(action);
                    }
                }
                Action::OpenCase(request) => {
                    let opened_at = chrono::Utc::now().with_timezone(&timezone).fixed_offset();
                    let mut details = request.details;
                    details.insert("conversation_id".to_owned(), conversation_id.to_owned());
                    let new_case = NewCase {
                        request_id: format!(
                            "{conversation_id}-{}-{}",
                            customer_message.seq, request.kind
                        ),
                        customer_id: customer_id.to_owned(),
                        kind: request.kind,
                        summary: request.summary,
                        details,
                        opened_at,
                    };
                    let step = Instant::now();
                    let input = self.open_case(conversation_id, &new_case).await;
                    timings.backends += step.elapsed();
                    let follow_up = self.inner.dialog.handle(&mut state, input);
                    for action in follow_up.into_iter().rev() {
                        pending.push_front(action);
                    }
                }
                Action::Handoff { reason, summary } => {
                    let step = Instant::now();
                    let already_open = self
                        .inner
                        .conversations
                        .open_handoff(conversation_id)
                        .await?;
                    let handoff = self
                        .inner
                        .conversations
                        .request_handoff(conversation_id, reason.as_str(), &summary)
                        .await?;
                    timings.backends += step.elapsed();
                    if already_open.is_some_and(|open| open.id == handoff.id) {
                        tracing::info!(
                            conversation_id,
                            handoff_id = %handoff.id,
                            "a handoff is already open for this conversation"
                        );
                    } else {
                        telemetry::record_handoff(reason.as_str());
                        tracing::info!(
                            conversation_id,
                            customer_id,
                            handoff_id = %handoff.id,
                            reason = reason.as_str(),
                            "handoff requested"
                        );
                    }
                }
            }
        }
        if replies.is_empty() {
            tracing::warn!(conversation_id, intent = %intent, "the dialog produced no reply for a turn");
        }

        let step = Instant::now();
        let state_json = serde_json::to_string(&state).map_err(|error| {
            ChatError::Internal(format!("the dialog state cannot be serialised: {error}"))
        })?;
        let stored_replies: Vec<(String, Option<String>)> = replies
            .iter()
            .map(|reply| (reply.text.clone(), reply_meta(&reply.quick_replies)))
            .collect();
        // The open handoff is read beside the write: this turn's own request, if any, is already stored, and the
        // replies do not change it.
        let (stored, handoff) = tokio::join!(
            self.inner
                .conversations
                .complete_turn(conversation_id, &stored_replies, &state_json),
            self.inner.conversations.open_handoff(conversation_id)
        );
        stored?;
        let handoff = handoff?;
        timings.store_replies = step.elapsed();
        timings.log(conversation_id, turn_started.elapsed());
        Ok(TurnOutcome {
            conversation_id: conversation_id.to_owned(),
            replies,
            handoff,
            intent,
        })
    }

    /// Records that the customer proved who they are outside the dialog (the voice channel's step-up check by ID
    /// tail), so that the dialog does not ask them again in this conversation.
    pub async fn record_identity_verified(
        &self,
        customer_id: &str,
        conversation_id: &str,
    ) -> Result<(), ChatError> {
        let lock = self.conversation_lock(conversation_id);
        let _turn_guard = lock.lock().await;
        let conversation = self
            .owned_conversation(customer_id, conversation_id)
            .await?;
        let customer = self.customer_record(customer_id).await;
        let mut state = self.restore_state(&conversation, customer_id, customer.as_ref());
        state.context.identity_verified = true;
        let state_json = serde_json::to_string(&state).map_err(|error| {
            ChatError::Internal(format!("the dialog state cannot be serialised: {error}"))
        })?;
        self.inner
            .conversations
            .complete_turn(conversation_id, &[], &state_json)
            .await?;
        Ok(())
    }

    /// The dialog state stored with the conversation, or a fresh one from the customer's profile.
    /// A state begun while the loan system could not tell who the customer is gets their profile as soon as
    /// it can.
    fn restore_state(
        &self,
        conversation: &Conversation,
        customer_id: &str,
        customer: Option<&Customer>,
    ) -> DialogState {
        if let Some(stored) = conversation.dialog_state.as_deref() {
            match serde_json::from_str::<DialogState>(stored) {
                Ok(mut state) => {
                    if state.customer.name.is_empty()
                        && let Some(customer) = customer
                    {
                        state.customer = customer_profile(customer_id, Some(customer));
                    }
                    return state;
                }
                Err(error) => tracing::warn!(
                    conversation_id = %conversation.id,
                    %error,
                    "the stored dialog state is unreadable; starting afresh"
                ),
            }
        }
        DialogState::new(customer_profile(customer_id, customer))
    }

    /// The customer's record, or `None` when the loan system does not know them or does not answer in time.
    async fn customer_record(&self, customer_id: &str) -> Option<Customer> {
        match tokio::time::timeout(self.backend_timeout, self.inner.loans.customer(customer_id))
            .await
        {
            Ok(Ok(customer)) => customer,
            Ok(Err(error)) => {
                telemetry::record_error("loan_system");
                tracing::warn!(customer_id, %error, "customer lookup failed");
                None
            }
            Err(_) => {
                telemetry::record_error("loan_system_timeout");
                tracing::warn!(customer_id, "customer lookup timed out");
                None
            }
        }
    }

    /// The account for the dialog, or `AccountUnavailable` when the loan system fails, times out or does not
    /// know the customer.
    async fn fetch_account(&self, customer_id: &str, today: NaiveDate) -> Input {
        match tokio::time::timeout(
            self.backend_timeout,
            self.inner.loans.account(customer_id, today),
        )
        .await
        {
            Ok(Ok(Some(account))) => Input::Account(account_view(&account)),
            Ok(Ok(None)) => {
                tracing::warn!(
                    customer_id,
                    "the loan system has no account for this customer"
                );
                Input::AccountUnavailable
            }
            Ok(Err(error)) => {
                telemetry::record_error("loan_system");
                tracing::warn!(customer_id, %error, "account lookup failed");
                Input::AccountUnavailable
            }
            Err(_) => {
                telemetry::record_error("loan_system_timeout");
                tracing::warn!(customer_id, "account lookup timed out");
                Input::AccountUnavailable
            }
        }
    }

    /// Opens a case, or says it could not be opened: no case system, a failure, or a silence past the backend
    /// timeout.
    async fn open_case(&self, conversation_id: &str, request: &NewCase) -> Input {
        let Some(cases) = &self.cases else {
            tracing::warn!(conversation_id, kind = %request.kind, "no case system is configured");
            return Input::CaseUnavailable;
        };
        match tokio::time::timeout(self.backend_timeout, cases.open_case(request)).await {
            Ok(Ok(case)) => {
                tracing::info!(
                    conversation_id,
                    customer_id = %request.customer_id,
                    reference = %case.reference,
                    kind = %case.kind,
                    deadline = %case.deadline,
                    "case opened"
                );
                Input::CaseOpened(dialog::CaseView {
                    reference: case.reference,
                    kind: case.kind,
                    deadline: case.deadline,
                })
            }
            Ok(Err(error)) => {
                telemetry::record_error("cases");
                tracing::warn!(conversation_id, kind = %request.kind, %error, "opening a case failed");
                Input::CaseUnavailable
            }
            Err(_) => {
                telemetry::record_error("cases_timeout");
                tracing::warn!(conversation_id, kind = %request.kind, "opening a case timed out");
                Input::CaseUnavailable
            }
        }
    }

    /// The lock that serialises the turns of one conversation. Locks nobody holds are dropped from the map.
    fn conversation_lock(&self, conversation_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self
            .inner
            .conversation_locks
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        locks.retain(|id, lock| id == conversation_id || Arc::strong_count(lock) > 1);
        locks.entry(conversation_id.to_owned()).or_default().clone()
    }
}

/// Where one turn's time went, each part measured around its await, so waiting for a database connection, the
/// blocking pool or a lock counts with the work. Logged at debug level as "turn timings"; `dialog_us` is the rest
/// (the dialog manager itself, building replies and serialising the state).
#[derive(Debug, Default)]
struct TurnTimings {
    /// Reading the conversation and the customer's record.
    load: Duration,
    parse: Duration,
    /// Storing the customer's message.
    store_message: Duration,
    /// Queueing the message for review when it was unsure or out of scope.
    review: Duration,
    account: Duration,
    knowledge: Duration,
    /// Opening cases and requesting handoffs.
    backends: Duration,
    /// Storing the replies with the dialog state, and reading the open handoff beside it.
    store_replies: Duration,
}

impl TurnTimings {
    fn log(&self, conversation_id: &str, total: Duration) {
        let micros = |duration: Duration| u64::try_from(duration.as_micros()).unwrap_or(u64::MAX);
        let measured = self.load
            + self.parse
            + self.store_message
            + self.review
            + self.account
            + self.knowledge
            + self.backends
            + self.store_replies;
        tracing::debug!(
            conversation_id,
            total_us = micros(total),
            load_us = micros(self.load),
            parse_us = micros(self.parse),
            store_message_us = micros(self.store_message),
            review_us = micros(self.review),
            account_us = micros(self.account),
            knowledge_us = micros(self.knowledge),
            backends_us = micros(self.backends),
            store_replies_us = micros(self.store_replies),
            dialog_us = micros(total.saturating_sub(measured)),
            "turn timings"
        );
    }
}

/// The profile the dialog starts from. A customer the loan system does not know (or could not tell about)
/// is addressed without a name in the server's default language.
pub fn customer_profile(customer_id: &str, customer: Option<&Customer>) -> CustomerProfile {
    CustomerProfile {
        customer_id: customer_id.to_owned(),
        name: customer
            .map(|customer| customer.name.clone())
            .unwrap_or_default(),
        language: customer
            .and_then(|customer| Lang::from_code(&customer.language))
            .unwrap_or(Lang::Zh),
    }
}

/// The meta JSON stored with a bot reply: its quick replies, when there are any.
fn reply_meta(quick_replies: &[QuickReply]) -> Option<String> {
    if quick_replies.is_empty() {
        None
    } else {
        Some(json!({ "quick_replies": quick_replies }).to_string())
    }
}

/// The quick replies stored in a bot message's meta JSON.
pub fn quick_replies_from_meta(meta: Option<&str>) -> Vec<QuickReply> {
    meta.and_then(|meta| serde_json::from_str::<serde_json::Value>(meta).ok())
        .and_then(|value| value.get("quick_replies").cloned())
        .and_then(|value| serde_json::from_value(value).ok())
        .unwrap_or_default()
}

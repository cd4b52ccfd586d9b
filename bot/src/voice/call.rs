//! One phone call, whatever the telephony transport: audio, keypad digits, playback marks and the hang-up come
//! in as [`CallInput`]; audio, marks, "stop playing" and the hang-up go out as [`CallOutput`].
//!
//! The call moves between four states: listening; the caller speaking (from the VAD's start of speech to the end
//! of the turn); thinking (recognising, running the same dialog as chat, synthesising); and speaking (the reply's
//! pieces sent, each followed by a mark that the transport echoes once the caller has heard it). Speech while the
//! bot is speaking is a barge-in: the call sends `Clear`, drops the rest of the answer and listens; the pieces whose
//! marks came back before are what the caller heard.
//!
//! Before anything about the account is said, the caller proves who they are: the customer is found by the calling
//! number, and the caller says or keys the last four characters of their ID number (`*` stands for X). The digits are
//! never stored or logged; the transcript keeps a masked line in their place. Afterwards every utterance is one
//! chat turn in a conversation on the voice channel, stored like any other; keypad digits are turns too (a digit
//! picks the matching numbered choice the bot offered). The caller hears a busy message, never silence, when
//! recognition is saturated.
//!
//! Recognition starts before the turn is over when it can: the turn detector offers the utterance after a short
//! pause, and if a worker is free it is decoded at once; when the pause lasts to the end of the turn that result
//! is used, and when the caller speaks on it is withdrawn. Whisper's language detection costs an extra encoder pass,
//! so it runs only until the call's language is settled: at once when the first detection agrees with the
//! customer's preferred language, else after two detections agree; later utterances are decoded in that language.

use std::time::Duration;

use connectors::{Customer, Role};
use dialog::QuickReply;
use speech::{
    LanguageChoice, RecognitionTimings, SpeechLanguage, SpokenLanguage, TurnDetector, TurnEvent,
    TurnOptions,
};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::engine::{LINE_RATE, RecognitionError, VoiceEngine, Withdraw};
use crate::chat::{Channel, ChatService};

/// What the transport delivers.
#[derive(Debug, Clone, PartialEq)]
pub enum CallInput {
    /// 8 kHz 16-bit samples from the caller.
    Audio(Vec<i16>),
    /// A keypad digit: `0`-`9`, `*` or `#`.
    Dtmf(char),
    /// The transport played everything up to this mark.
    Mark(String),
    /// The caller hung up or the stream stopped.
    Hangup,
}

/// What the call asks the transport to do.
#[derive(Debug, Clone, PartialEq)]
pub enum CallOutput {
    /// Play 8 kHz 16-bit samples.
    Audio(Vec<i16>),
    /// Echo this mark when everything before it has been played.
    Mark(String),
    /// Drop everything not yet played.
    Clear,
    /// End the call.
    Hangup,
}

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallState {
    Listening,
    CallerSpeaking,
    Thinking,
    Speaking,
}

/// How many wrong verification answers end the call.
const MAX_VERIFICATION_ATTEMPTS: u32 = 3;
/// Keypad digits are gathered until `#` or this pause.
const DTMF_PAUSE: Duration = Duration::from_millis(1500);

/// The voice layer's own lines (the dialog's replies come from its templates).
struct Lines {
    greeting: &'static str,
    unknown_caller: &'static str,
    verified: &'static str,
    wrong_digits: &'static str,
    not_verified: &'static str,
    busy: &'static str,
    not_heard: &'static str,
    technical_problem: &'static str,
    choice_prefix: &'static str,
}

const MANDARIN_LINES: Lines = Lines {
    greeting: "您好，这里是安心消费金融的AI语音助手，由人工智能为您服务。为了保护您的账户安全，请说出或用按键输入您身份证号码的后四位，字母X请按星号键。",
    unknown_caller: "您好，这里是安心消费金融的AI语音助手。抱歉，我们无法通过您的来电号码找到您的账户。请用您在我们这里登记的手机号码拨打，或拨打客服热线400-800-6688。再见。",
    verified: "验证成功，谢谢。请问有什么可以帮您？",
    wrong_digits: "抱歉，号码不对。请再说一次或用按键输入您身份证号码的后四位。",
    not_verified: "抱歉，暂时无法验证您的身份。为了您的账户安全，请拨打客服热线400-800-6688，由人工客服为您办理。再见。",
    busy: "抱歉，现在线路繁忙，请稍等片刻再说一遍。",
    not_heard: "抱歉，我没有听清，请再说一遍。",
    technical_problem: "抱歉，系统出了点问题，请稍后再试，或拨打客服热线400-800-6688。",
    choice_prefix: "请按",
};

const ENGLISH_LINES: Lines = Lines {
    greeting: "Hello, this is the AI voice assistant of Anxin Consumer Finance, an automated system. To protect your account, please say or key in the last four characters of your ID number. For the letter X, press star.",
    unknown_caller: "Hello, this is the AI voice assistant of Anxin Consumer Finance. Sorry, we cannot find your account from the number you are calling from. Please call from the mobile number you registered with us, or call our hotline on 400-800-6688. Goodbye.",
    verified: "Thank you, you are verified. How can I help you?",
    wrong_digits: "Sorry, that does not match. Please say or key in the last four characters of your ID number again.",
    not_verified: "Sorry, I cannot verify you right now. To keep your account safe, please call our hotline on 400-800-6688 and a person will help you. Goodbye.",
    busy: "Sorry, our lines are busy right now. Please wait a moment and say that again.",
    not_heard: "Sorry, I didn't catch that. Could you say it again?",
    technical_problem: "Sorry, something went wrong on our side. Please try again later, or call our hotline on 400-800-6688.",
    choice_prefix: "Press",
};

fn lines(language: SpeechLanguage) -> &'static Lines {
    match language {
        SpeechLanguage::Mandarin => &MANDARIN_LINES,
        SpeechLanguage::English => &ENGLISH_LINES,
    }
}

/// The language to speak a text in: Mandarin when it holds Chinese characters.
pub fn language_of(text: &str) -> SpeechLanguage {
    if text
        .chars()
        .any(|character| ('\u{4e00}'..='\u{9fff}').contains(&character))
    {
        SpeechLanguage::Mandarin
    } else {
        SpeechLanguage::English
    }
}

/// The characters of an ID number's tail heard in an utterance: digits (Arabic, Chinese or English words) and X.
pub fn spoken_id_characters(text: &str) -> String {
    let lowered = text.to_lowercase();
    let mut characters = String::new();
    let words: Vec<&str> = lowered
        .split(|character: char| !character.is_ascii_alphabetic())
        .filter(|word| !word.is_empty())
        .collect();
    let english_digit = |word: &str| -> Option<char> {
        Some(match word {
            "zero" | "oh" | "o" => '0',
            "one" => '1',
            "two" | "to" | "too" => '2',
            "three" => '3',
            "four" | "for" => '4',
            "five" => '5',
            "six" => '6',
            "seven" => '7',
            "eight" => '8',
            "nine" => '9',
            "x" | "ex" => 'X',
            _ => return None,
        })
    };
    // English number words, where the transcript spells them out.
    let english: String = words
        .iter()
        .filter_map(|word| english_digit(word))
        .collect();
    for character in lowered.chars() {
        let digit = match character {
            '0'..='9' => character,
            '零' | '〇' | '洞' => '0',
            '一' | '幺' | '壹' => '1',
            '二' | '两' | '贰' => '2',
            '三' | '叁' => '3',
            '四' | '肆' => '4',
            '五' | '伍' => '5',
            '六' | '陆' => '6',
            '七' | '柒' | '拐' => '7',
            '八' | '捌' => '8',
            '九' | '玖' | '勾' => '9',
            'x' | '叉' => 'X',
            _ => continue,
        };
        characters.push(digit);
    }
    if characters.chars().filter(char::is_ascii_digit).count()
        < english.chars().filter(char::is_ascii_digit).count()
    {
        english
    } else {
        characters
    }
}

/// What a finished piece of background work tells the call.
enum Work {
    /// Recognition of an utterance finished.
    Heard {
        utterance: u64,
        result: Result<speech::Transcript, RecognitionError>,
    },
    /// One synthesised piece of an answer, ready to play.
    Piece {
        generation: u64,
        text: String,
        audio: Vec<i16>,
        synthesis: Duration,
    },
    /// All pieces of an answer were sent.
    AnswerDone { generation: u64, hang_up: bool },
}

/// Measurements of one call, for the benchmark and the logs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CallReport {
    pub conversation_id: Option<String>,
    pub customer_id: Option<String>,
    pub verified: bool,
    /// Recognised caller utterances, in order (verification digits masked).
    pub heard: Vec<String>,
    /// From the end of each caller utterance (the last voiced chunk, as the VAD saw it) to the first audio of the
    /// answer.
    pub response_latencies: Vec<Duration>,
    /// Where each of those answers' time went.
    pub phases: Vec<TurnPhases>,
    pub barge_ins: usize,
    /// The answer pieces whose marks came back: what the caller actually heard.
    pub pieces_heard: Vec<String>,
    pub busy: usize,
}

/// Where the time of one spoken turn went, from the end of the caller's voice to the first audio of the answer.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct TurnPhases {
    /// The silence waited for before the turn was judged over.
    pub end_of_turn_wait: Duration,
    /// Recognition was started on the early offer, during that wait.
    pub recognised_early: bool,
    /// From the end of the turn until the transcript was there (zero when the early result was ready).
    pub recognition_after_turn: Duration,
    /// Inside recognition: language detection (zero once the call's language is settled) and decoding.
    pub recognition: RecognitionTimings,
    /// The dialog turn (NLU, dialog, backends, storing).
    pub dialog: Duration,
    /// Synthesising the answer's first piece.
    pub first_piece_synthesis: Duration,
}

/// An utterance offered early and handed to recognition while the end of the turn is awaited.
struct Speculation {
    utterance: u64,
    languages: LanguageChoice,
    withdraw: Withdraw,
    result: Option<Result<speech::Transcript, RecognitionError>>,
}

/// An ended utterance whose transcript the call is waiting for.
struct Awaited {
    utterance: u64,
    languages: LanguageChoice,
    generation: u64,
    voice_ended: Instant,
    turn_ended: Instant,
    recognised_early: bool,
}

/// One call's state.
pub struct Call {
    engine: VoiceEngine,
    chat: ChatService,
    outputs: mpsc::Sender<CallOutput>,
    work_sender: mpsc::UnboundedSender<Work>,
    detector: TurnDetector,
    state: CallState,
    customer: Option<Customer>,
    conversation_id: Option<String>,
    verified: bool,
    attempts: u32,
    language: SpeechLanguage,
    digits: String,
    digits_deadline: Option<Instant>,
    /// Answers from an older generation were interrupted and are dropped.
    generation: u64,
    /// Marks sent and not yet echoed, with the text of their piece.
    outstanding_marks: Vec<(String, String)>,
    answer_in_progress: bool,
    hang_up_after_answer: bool,
    last_choices: Vec<QuickReply>,
    pending_latency_from: Option<Instant>,
    /// Where the time of the turn now being answered went, so far.
    pending_phases: Option<TurnPhases>,
    next_mark: u64,
    next_utterance: u64,
    speculation: Option<Speculation>,
    awaited: Option<Awaited>,
    /// The language the caller speaks, once recognition has settled it.
    settled_language: Option<SpokenLanguage>,
    last_detected_language: Option<SpokenLanguage>,
    report: CallReport,
}

impl std::fmt::Debug for Call {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Call")
            .field("state", &self.state)
            .field("conversation_id", &self.conversation_id)
            .field("verified", &self.verified)
            .finish_non_exhaustive()
    }
}

/// Runs a call from its start to its hang-up. `caller` is the calling number (E.164) when the transport knows it.
pub async fn run_call(
    engine: VoiceEngine,
    chat: ChatService,
    end_silence_ms: u32,
    caller: Option<String>,
    mut inputs: mpsc::Receiver<CallInput>,
    outputs: mpsc::Sender<CallOutput>,
) -> CallReport {
    let (work_sender, mut work) = mpsc::unbounded_channel();
    let options = TurnOptions {
        end_silence_ms,
        ..TurnOptions::default()
    };
    let detector = match TurnDetector::new(&engine.vad, LINE_RATE, options) {
        Ok(detector) => detector,
        Err(error) => {
            tracing::error!(%error, "cannot start the turn detector");
            let _ = outputs.send(CallOutput::Hangup).await;
            return CallReport::default();
        }
    };
    let mut call = Call {
        engine,
        chat,
        outputs,
        work_sender,
        detector,
        state: CallState::Listening,
        customer: None,
        conversation_id: None,
        verified: false,
        attempts: 0,
        language: SpeechLanguage::Mandarin,
        digits: String::new(),
        digits_deadline: None,
        generation: 0,
        outstanding_marks: Vec::new(),
        answer_in_progress: false,
        hang_up_after_answer: false,
        last_choices: Vec::new(),
        pending_latency_from: None,
        pending_phases: None,
        next_mark: 0,
        next_utterance: 0,
        speculation: None,
        awaited: None,
        settled_language: None,
        last_detected_language: None,
        report: CallReport::default(),
    };
    call.start(caller).await;
    loop {
        let deadline = call.digits_deadline;
        tokio::select! {
            input = inputs.recv() => match input {
                None | Some(CallInput::Hangup) => break,
                Some(input) => call.take_input(input).await,
            },
            Some(done) = work.recv() => {
                if call.take_work(done).await {
                    break;
                }
            }
            () = async {
                match deadline {
                    Some(deadline) => tokio::time::sleep_until(deadline).await,
                    None => std::future::pending().await,
                }
            } => {
                call.digits_deadline = None;
                call.take_digits().await;
            }
        }
    }
    call.finish().await
}

impl Call {
    async fn send(&self, output: CallOutput) {
        // A transport that has gone away ends the call through its inputs; nothing to do here.
        let _ = self.outputs.send(output).await;
    }

    async fn start(&mut self, caller: Option<String>) {
        let customer = match caller.as_deref() {
            Some(phone) => match self.chat.loans().customer_by_phone(phone).await {
                Ok(customer) => customer,
                Err(error) => {
                    tracing::warn!(%error, "customer lookup by phone failed");
                    None
                }
            },
            None => None,
        };
        let Some(customer) = customer else {
            tracing::info!("a call from a number no customer has");
            self.say_lines(MANDARIN_LINES.unknown_caller, true);
            return;
        };
        self.language = if customer.language == "en" {
            SpeechLanguage::English
        } else {
            SpeechLanguage::Mandarin
        };
        match self
            .chat
            .open_conversation(&customer.id, None, Channel::Voice)
            .await
        {
            Ok(conversation) => {
                tracing::info!(conversation_id = %conversation.id, customer_id = %customer.id, "call started");
                self.report.conversation_id = Some(conversation.id.clone());
                self.conversation_id = Some(conversation.id);
            }
            Err(error) => {
                tracing::warn!(%error, "cannot open a conversation for a call");
                self.customer = None;
                self.say_lines(lines(self.language).technical_problem, true);
                return;
            }
        }
        self.report.customer_id = Some(customer.id.clone());
        self.customer = Some(customer);
        let greeting = lines(self.language).greeting;
        self.store(Role::Bot, greeting, None).await;
        self.say_lines(greeting, false);
    }

    /// Appends a line to the call's conversation (the voice layer's own lines; chat turns store themselves).
    async fn store(&self, role: Role, text: &str, meta: Option<&str>) {
        if let Some(conversation_id) = &self.conversation_id
            && let Err(error) = self
                .chat
                .conversations()
                .append_message(conversation_id, role, text, meta)
                .await
        {
            tracing::warn!(conversation_id, %error, "cannot store a line of the call");
        }
    }

    async fn take_input(&mut self, input: CallInput) {
        match input {
            CallInput::Audio(samples) => {
                let floats = speech::wav::to_f32(&samples);
                let events = match self.detector.push(&floats) {
                    Ok(events) => events,
                    Err(error) => {
                        tracing::warn!(%error, "voice activity detection failed");
                        return;
                    }
                };
                for event in events {
                    self.take_turn_event(event).await;
                }
            }
            CallInput::Dtmf(digit) => {
                if self.speaking() {
                    self.barge_in().await;
                }
                if digit == '#' {
                    self.digits_deadline = None;
                    self.take_digits().await;
                } else {
                    self.digits.push(if digit == '*' { 'X' } else { digit });
                    let complete_id = !self.verified && self.digits.chars().count() >= 4;
                    if complete_id {
                        self.digits_deadline = None;
                        self.take_digits().await;
                    } else {
                        self.digits_deadline = Some(Instant::now() + DTMF_PAUSE);
                    }
                }
            }
            CallInput::Mark(name) => {
                if let Some(position) = self
                    .outstanding_marks
                    .iter()
                    .position(|(mark, _)| *mark == name)
                {
                    let (_, text) = self.outstanding_marks.remove(position);
                    self.report.pieces_heard.push(text);
                }
                self.settle_after_speaking().await;
            }
            CallInput::Hangup => {}
        }
    }

    fn speaking(&self) -> bool {
        self.answer_in_progress || !self.outstanding_marks.is_empty()
    }

    async fn barge_in(&mut self) {
        tracing::info!(conversation_id = ?self.conversation_id, "the caller spoke over the answer; stopping it");
        self.generation += 1;
        self.answer_in_progress = false;
        self.outstanding_marks.clear();
        self.report.barge_ins += 1;
        self.send(CallOutput::Clear).await;
        if self.hang_up_after_answer {
            self.hang_up_after_answer = false;
            self.send(CallOutput::Hangup).await;
        }
    }

    async fn settle_after_speaking(&mut self) {
        if self.speaking() {
            return;
        }
        if self.hang_up_after_answer {
            self.send(CallOutput::Hangup).await;
            return;
        }
        if self.state == CallState::Speaking {
            self.state = CallState::Listening;
        }
    }

    async fn take_turn_event(&mut self, event: TurnEvent) {
        tracing::debug!(
            conversation_id = ?self.conversation_id,
            state = ?self.state,
            event = match &event {
                TurnEvent::SpeechStarted => "started",
                TurnEvent::SpeechPaused { .. } => "paused",
                TurnEvent::SpeechResumed => "resumed",
                TurnEvent::SpeechEnded { .. } => "ended",
            },
            "turn event"
        );
        match event {
            TurnEvent::SpeechStarted => {
                self.withdraw_speculation();
                if self.speaking() {
                    self.barge_in().await;
                }
                self.state = CallState::CallerSpeaking;
            }
            TurnEvent::SpeechPaused { samples } => {
                self.withdraw_speculation();
                // Early recognition only uses a worker nobody else needs: it must never make a caller wait or
                // hear the busy message.
                if self.customer.is_none() || !self.engine.pool.has_idle_worker() {
                    return;
                }
                let utterance = self.new_utterance();
                let languages = self.recognition_languages();
                match self.submit_recognition(samples, languages, utterance) {
                    Ok(withdraw) => {
                        self.speculation = Some(Speculation {
                            utterance,
                            languages,
                            withdraw,
                            result: None,
                        });
                    }
                    Err(error) => tracing::debug!(%error, "no early recognition"),
                }
            }
            TurnEvent::SpeechResumed => self.withdraw_speculation(),
            TurnEvent::SpeechEnded {
                samples,
                trailing_silence_ms,
            } => {
                let turn_ended = Instant::now();
                let waited = Duration::from_millis(u64::from(trailing_silence_ms));
                let voice_ended = turn_ended.checked_sub(waited).unwrap_or(turn_ended);
                if self.customer.is_none() {
                    self.withdraw_speculation();
                    self.state = CallState::Listening;
                    return;
                }
                self.state = CallState::Thinking;
                self.generation += 1;
                if let Some(speculation) = self.speculation.take() {
                    let awaited = Awaited {
                        utterance: speculation.utterance,
                        languages: speculation.languages,
                        generation: self.generation,
                        voice_ended,
                        turn_ended,
                        recognised_early: true,
                    };
                    match speculation.result {
                        Some(result) => self.take_heard(awaited, result).await,
                        None => self.awaited = Some(awaited),
                    }
                    return;
                }
                let utterance = self.new_utterance();
                let languages = self.recognition_languages();
                match self.submit_recognition(samples, languages, utterance) {
                    Ok(_) => {
                        self.awaited = Some(Awaited {
                            utterance,
                            languages,
                            generation: self.generation,
                            voice_ended,
                            turn_ended,
                            recognised_early: false,
                        });
                    }
                    Err(error) => {
                        tracing::warn!(%error, "speech recognition is saturated; the caller hears the busy message");
                        self.report.busy += 1;
                        self.pending_latency_from = Some(voice_ended);
                        self.pending_phases = None;
                        self.say_lines(lines(self.language).busy, false);
                    }
                }
            }
        }
    }

    fn new_utterance(&mut self) -> u64 {
        self.next_utterance += 1;
        self.next_utterance
    }

    fn withdraw_speculation(&mut self) {
        if let Some(speculation) = self.speculation.take() {
            speculation.withdraw.withdraw();
        }
    }

    /// Hands audio to the recognition pool; its transcript comes back as [`Work::Heard`] for `utterance`.
    fn submit_recognition(
        &self,
        samples: Vec<f32>,
        languages: LanguageChoice,
        utterance: u64,
    ) -> Result<Withdraw, RecognitionError> {
        let submitted = self.engine.pool.submit(samples, languages)?;
        let sender = self.work_sender.clone();
        tokio::spawn(async move {
            let result = submitted.answer.await.unwrap_or_else(|_| {
                Err(RecognitionError::Failed(
                    "the recognition thread stopped".to_owned(),
                ))
            });
            let _ = sender.send(Work::Heard { utterance, result });
        });
        Ok(submitted.withdraw)
    }

    /// How the next utterance is to be recognised: in the call's language once it is settled.
    fn recognition_languages(&self) -> LanguageChoice {
        match (
            self.engine.recognizer_options.languages,
            self.settled_language,
        ) {
            (LanguageChoice::MandarinOrEnglish, Some(language)) => LanguageChoice::Fixed(language),
            (configured, _) => configured,
        }
    }

    /// Learns from a detected language: the call's language is settled when a detection agrees with the
    /// customer's preferred language, or with the detection before it.
    fn learn_language(&mut self, detected: SpokenLanguage) {
        if self.settled_language.is_some() {
            return;
        }
        let preferred = match self.language {
            SpeechLanguage::Mandarin => SpokenLanguage::Mandarin,
            SpeechLanguage::English => SpokenLanguage::English,
        };
        if detected == preferred || self.last_detected_language == Some(detected) {
            tracing::debug!(conversation_id = ?self.conversation_id, language = ?detected, "the call's language is settled");
            self.settled_language = Some(detected);
        }
        self.last_detected_language = Some(detected);
    }

    /// A transcript for the utterance the call is waiting for.
    async fn take_heard(
        &mut self,
        awaited: Awaited,
        result: Result<speech::Transcript, RecognitionError>,
    ) {
        match result {
            Ok(transcript) if transcript.is_empty() => {
                self.state = CallState::Listening;
            }
            Ok(transcript) => {
                if awaited.languages == LanguageChoice::MandarinOrEnglish {
                    self.learn_language(transcript.language);
                }
                tracing::info!(
                    conversation_id = ?self.conversation_id,
                    audio_seconds = transcript.audio_seconds,
                    since_end_of_voice_ms = awaited.voice_ended.elapsed().as_millis() as u64,
                    recognised_early = awaited.recognised_early,
                    "utterance recognised"
                );
                self.pending_latency_from = Some(awaited.voice_ended);
                self.pending_phases = Some(TurnPhases {
                    end_of_turn_wait: awaited.turn_ended - awaited.voice_ended,
                    recognised_early: awaited.recognised_early,
                    recognition_after_turn: awaited.turn_ended.elapsed(),
                    recognition: transcript.timings,
                    ..TurnPhases::default()
                });
                self.take_text(transcript.text, false).await;
            }
            Err(error) => {
                tracing::warn!(%error, "speech recognition failed");
                self.pending_latency_from = Some(awaited.voice_ended);
                self.pending_phases = None;
                self.say_lines(lines(self.language).not_heard, false);
            }
        }
    }

    /// Returns whether the call should end.
    async fn take_work(&mut self, work: Work) -> bool {
        match work {
            Work::Heard { utterance, result } => {
                if let Some(speculation) = self.speculation.as_mut()
                    && speculation.utterance == utterance
                {
                    // The turn has not ended yet; the result waits for it.
                    speculation.result = Some(result);
                    return false;
                }
                match self.awaited.take() {
                    Some(awaited)
                        if awaited.utterance == utterance
                            && awaited.generation == self.generation =>
                    {
                        self.take_heard(awaited, result).await;
                    }
                    awaited => {
                        tracing::debug!(utterance, "a stale recognition result");
                        self.awaited = awaited;
                    }
                }
            }
            Work::Piece {
                generation,
                text,
                audio,
                synthesis,
            } => {
                if generation != self.generation {
                    return false;
                }
                if let Some(from) = self.pending_latency_from.take() {
                    let latency = from.elapsed();
                    tracing::info!(
                        conversation_id = ?self.conversation_id,
                        since_end_of_voice_ms = latency.as_millis() as u64,
                        "first audio of the answer"
                    );
                    metrics::histogram!("anxin_voice_response_seconds")
                        .record(latency.as_secs_f64());
                    self.report.response_latencies.push(latency);
                    if let Some(mut phases) = self.pending_phases.take() {
                        phases.first_piece_synthesis = synthesis;
                        let milliseconds = |duration: Duration| duration.as_millis() as u64;
                        tracing::debug!(
                            conversation_id = ?self.conversation_id,
                            total_ms = milliseconds(latency),
                            end_of_turn_wait_ms = milliseconds(phases.end_of_turn_wait),
                            recognised_early = phases.recognised_early,
                            recognition_after_turn_ms = milliseconds(phases.recognition_after_turn),
                            language_detection_ms = milliseconds(phases.recognition.language_detection),
                            decoding_ms = milliseconds(phases.recognition.decoding),
                            dialog_ms = milliseconds(phases.dialog),
                            first_piece_synthesis_ms = milliseconds(phases.first_piece_synthesis),
                            "voice turn phases"
                        );
                        self.report.phases.push(phases);
                    }
                }
                self.state = CallState::Speaking;
                self.next_mark += 1;
                let mark = format!("piece-{}", self.next_mark);
                self.outstanding_marks.push((mark.clone(), text));
                self.send(CallOutput::Audio(audio)).await;
                self.send(CallOutput::Mark(mark)).await;
            }
            Work::AnswerDone {
                generation,
                hang_up,
            } => {
                if generation != self.generation {
                    return false;
                }
                self.answer_in_progress = false;
                self.hang_up_after_answer = hang_up;
                if self.outstanding_marks.is_empty() {
                    if hang_up {
                        self.send(CallOutput::Hangup).await;
                        return true;
                    }
                    self.state = CallState::Listening;
                }
            }
        }
        false
    }

    /// Gathered keypad digits: the ID tail while verifying, a turn afterwards.
    async fn take_digits(&mut self) {
        let digits = std::mem::take(&mut self.digits);
        if digits.is_empty() || self.customer.is_none() {
            return;
        }
        self.pending_latency_from = Some(Instant::now());
        self.pending_phases = None;
        if !self.verified {
            self.take_text(digits, true).await;
            return;
        }
        // A single digit picks the numbered choice the bot just offered.
        let text = digits
            .parse::<usize>()
            .ok()
            .and_then(|number| number.checked_sub(1))
            .and_then(|index| self.last_choices.get(index))
            .map_or_else(|| digits.clone(), |choice| choice.text.clone());
        self.take_text(text, true).await;
    }

    /// One caller utterance or keyed entry, as text.
    async fn take_text(&mut self, text: String, keyed: bool) {
        let Some(customer) = self.customer.clone() else {
            return;
        };
        if !self.verified {
            let answer = spoken_id_characters(&text);
            let expected = customer.id_last4.to_uppercase();
            let matched = answer.len() >= 4 && answer[answer.len() - 4..] == expected;
            let masked = if keyed {
                "（按键输入身份证后四位：****）"
            } else {
                "（说出身份证后四位：****）"
            };
            self.report.heard.push(masked.to_owned());
            self.store(Role::Customer, masked, Some(r#"{"voice":"verification"}"#))
                .await;
            if matched {
                self.verified = true;
                self.report.verified = true;
                if let Some(conversation_id) = &self.conversation_id
                    && let Err(error) = self
                        .chat
                        .record_identity_verified(&customer.id, conversation_id)
                        .await
                {
                    tracing::warn!(conversation_id, %error, "cannot tell the dialog the caller is verified");
                }
                tracing::info!(customer_id = %customer.id, "the caller passed verification");
                let line = lines(self.language).verified;
                self.store(Role::Bot, line, None).await;
                self.say_lines(line, false);
            } else {
                self.attempts += 1;
                tracing::info!(customer_id = %customer.id, attempts = self.attempts, "the caller failed verification");
                let (line, hang_up) = if self.attempts >= MAX_VERIFICATION_ATTEMPTS {
                    (lines(self.language).not_verified, true)
                } else {
                    (lines(self.language).wrong_digits, false)
                };
                self.store(Role::Bot, line, None).await;
                self.say_lines(line, hang_up);
            }
            return;
        }
        self.report.heard.push(text.clone());
        let Some(conversation_id) = self.conversation_id.clone() else {
            return;
        };
        self.state = CallState::Thinking;
        let chat = self.chat.clone();
        let synthesizer = self.engine.synthesizer.clone();
        let sender = self.work_sender.clone();
        let generation = self.generation;
        let fallback = lines(self.language).technical_problem;
        self.answer_in_progress = true;
        let turn_started = std::time::Instant::now();
        let outcome = chat
            .take_turn(&customer.id, Some(&conversation_id), &text, Channel::Voice)
            .await;
        tracing::info!(
            conversation_id,
            milliseconds = turn_started.elapsed().as_millis() as u64,
            "voice turn through the dialog"
        );
        if let Some(phases) = self.pending_phases.as_mut() {
            phases.dialog = turn_started.elapsed();
        }
        let replies = match outcome {
            Ok(outcome) => outcome.replies,
            Err(error) => {
                tracing::warn!(%conversation_id, %error, "a voice turn failed");
                vec![dialog::Reply {
                    text: fallback.to_owned(),
                    quick_replies: Vec::new(),
                }]
            }
        };
        self.last_choices = replies
            .last()
            .map(|reply| reply.quick_replies.clone())
            .unwrap_or_default();
        let mut texts: Vec<String> = replies.iter().map(|reply| reply.text.clone()).collect();
        if !self.last_choices.is_empty() {
            let prefix = lines(language_of(&texts.concat())).choice_prefix;
            let offer: Vec<String> = self
                .last_choices
                .iter()
                .enumerate()
                .map(|(index, choice)| format!("{prefix} {}：{}", index + 1, choice.label))
                .collect();
            texts.push(offer.join("；"));
        }
        tokio::spawn(speak(synthesizer, texts, generation, false, sender));
    }

    /// Speaks the voice layer's own line, in the background.
    fn say_lines(&mut self, text: &str, hang_up: bool) {
        self.answer_in_progress = true;
        self.state = CallState::Thinking;
        tokio::spawn(speak(
            self.engine.synthesizer.clone(),
            vec![text.to_owned()],
            self.generation,
            hang_up,
            self.work_sender.clone(),
        ));
    }

    async fn finish(mut self) -> CallReport {
        if let Some(TurnEvent::SpeechEnded { .. }) = self.detector.flush() {
            tracing::debug!("the caller hung up while speaking");
        }
        self.report.verified = self.verified;
        tracing::info!(
            conversation_id = ?self.conversation_id,
            turns = self.report.heard.len(),
            barge_ins = self.report.barge_ins,
            pieces_heard = self.report.pieces_heard.len(),
            "call ended"
        );
        std::mem::take(&mut self.report)
    }
}

/// Synthesises the texts piece by piece (each piece is sent as soon as it is ready) and reports the end.
async fn speak(
    synthesizer: super::engine::Synthesizer,
    texts: Vec<String>,
    generation: u64,
    hang_up: bool,
    sender: mpsc::UnboundedSender<Work>,
) {
    for text in texts {
        let language = language_of(&text);
        for piece in speech::speakable(&text, language) {
            let synthesizer = synthesizer.clone();
            let spoken = piece.clone();
            let started = std::time::Instant::now();
            let audio =
                tokio::task::spawn_blocking(move || synthesizer.synthesize(&spoken, language))
                    .await;
            match audio {
                Ok(Ok(audio)) => {
                    if sender
                        .send(Work::Piece {
                            generation,
                            text: piece,
                            audio,
                            synthesis: started.elapsed(),
                        })
                        .is_err()
                    {
                        return;
                    }
                }
                Ok(Err(error)) => tracing::warn!(%error, "speech synthesis failed"),
                Err(error) => tracing::warn!(%error, "the synthesis thread failed"),
            }
        }
    }
    let _ = sender.send(Work::AnswerDone {
        generation,
        hang_up,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_tails_are_heard_in_any_way_they_are_said() {
        assert_eq!(spoken_id_characters("1234"), "1234");
        assert_eq!(spoken_id_characters("我的是一二三四。"), "1234");
        assert_eq!(spoken_id_characters("幺二三四"), "1234");
        assert_eq!(spoken_id_characters("七六二叉"), "762X");
        assert_eq!(spoken_id_characters("7 6 2 X"), "762X");
        assert_eq!(spoken_id_characters("One, two, three, four."), "1234");
        assert_eq!(spoken_id_characters("It's five five one nine"), "5519");
        assert_eq!(spoken_id_characters("你好"), "");
    }

    #[test]
    fn the_reply_language_follows_the_text() {
        assert_eq!(language_of("您好"), SpeechLanguage::Mandarin);
        assert_eq!(language_of("Hello there"), SpeechLanguage::English);
    }
}

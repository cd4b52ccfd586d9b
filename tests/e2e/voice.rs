//! Phone calls end to end: the real server with the voice channel on, called by the caller simulator over Twilio
//! Media Streams and over AudioSocket in real time (20 ms frames), with questions spoken by espeak-ng in Mandarin and
//! English. The caller verifies (keypad digits over Twilio, spoken digits over AudioSocket), is silent and makes
//! noise (no text may come of either), asks a question (the stored transcript holds its key words and the answer
//! comes back as audio), talks over the answer (Twilio: a `clear` arrives; AudioSocket: the audio stops), keys a
//! digit (it reaches the dialog as a turn), and hangs up (the call ends cleanly and the transcript is stored).
//! With a Twilio auth token configured, only upgrade requests that carry Twilio's signature are accepted.
//!
//! The models are those `tests/run.sh` fetched into `target/anxin-models`; espeak-ng is a system program that
//! `tests/run.sh` installs.

use std::time::Duration;

use base64::Engine as _;
use bot::voice::engine::Synthesizer;
use bot::voice::simulator::{Platform, SimulatedCall};
use bot::voice::{AudioSocketCallerLookup, TwilioAuthToken, VoiceSettings};
use connectors::{ConversationStore, Message};
use hmac::{Hmac, Mac};
use speech::SpeechLanguage;
use tests::{
    TestApp, TestDatabase, customer_with_current_loan, new_customer_id, today_in_shanghai,
};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::StatusCode;

/// The phone number `customer_with_current_loan` gives its customer.
const CALLER: &str = "+8613900001111";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

async fn voice_app(database: &TestDatabase, audiosocket_port: Option<u16>) -> TestApp {
    TestApp::spawn_with(&database.url, |settings| {
        settings.voice = VoiceSettings {
            enabled: true,
            models_dir: Some(tests::fetched_models_dir()),
            audiosocket_listen: audiosocket_port.map(|port| format!("127.0.0.1:{port}")),
            audiosocket_callers: AudioSocketCallerLookup::UuidDigits {
                country_code: "86".to_owned(),
            },
            ..VoiceSettings::default()
        };
    })
    .await
}

fn speak(text: &str, language: SpeechLanguage) -> Vec<i16> {
    Synthesizer::new("espeak-ng")
        .synthesize(text, language)
        .expect("espeak-ng speaks (tests/run.sh installs it)")
}

/// White noise at a tenth of full scale, 8 kHz.
fn noise(seconds: f64) -> Vec<i16> {
    let mut state = 0x1234_5678_u32;
    (0..(seconds * 8000.0) as usize)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            ((state as f32 / u32::MAX as f32 * 2.0 - 1.0) * 3200.0) as i16
        })
        .collect()
}

fn rms(samples: &[i16]) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    (samples
        .iter()
        .map(|sample| f64::from(*sample).powi(2))
        .sum::<f64>()
        / samples.len() as f64)
        .sqrt()
}

/// The messages of the customer's one voice conversation.
async fn voice_transcript(database_url: &str, customer_id: &str) -> Vec<Message> {
    let database = connectors::Database::connect(database_url)
        .await
        .expect("the test database");
    let store = database.conversations();
    let conversations = store
        .conversations_of(customer_id)
        .await
        .expect("conversations");
    let voice: Vec<_> = conversations
        .iter()
        .filter(|conversation| conversation.channel == "voice")
        .collect();
    assert_eq!(voice.len(), 1, "one voice conversation: {conversations:?}");
    let messages = store.messages(&voice[0].id).await.expect("messages");
    database.close().await;
    messages
}

async fn customer_lines(database_url: &str, customer_id: &str) -> Vec<String> {
    voice_transcript(database_url, customer_id)
        .await
        .into_iter()
        .filter(|message| message.role == connectors::Role::Customer)
        .map(|message| message.text)
        .collect()
}

/// Waits until the stored transcript satisfies `done` (replies are stored before they are spoken).
async fn until_stored(
    database_url: &str,
    customer_id: &str,
    what: &str,
    done: impl Fn(&[Message]) -> bool,
) -> Vec<Message> {
    let deadline = tokio::time::Instant::now() + LONG;
    loop {
        let transcript = voice_transcript(database_url, customer_id).await;
        if done(&transcript) {
            return transcript;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what} never happened: {transcript:?}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn customers_said(transcript: &[Message]) -> usize {
    transcript
        .iter()
        .filter(|message| message.role == connectors::Role::Customer)
        .count()
}

fn bot_said(transcript: &[Message], words: &str) -> bool {
    transcript
        .iter()
        .any(|message| message.role == connectors::Role::Bot && message.text.contains(words))
}

/// Waits for the answer to what the caller said or keyed at `since` (`what` names that answer), then for it to end.
async fn hear_out(call: &SimulatedCall, since: tokio::time::Instant, what: &str) {
    call.wait_for_answer(since, LONG)
        .await
        .unwrap_or_else(|error| panic!("{what}: {error:#}"));
    call.wait_until_quiet(QUIET, LONG)
        .await
        .unwrap_or_else(|error| panic!("{what}, and then ends: {error:#}"));
}

/// Keys `digit` and `#` as the caller's fourth turn, waits until it is stored, and hears its answer out.
async fn key_a_turn(call: &SimulatedCall, database_url: &str, customer_id: &str, digit: char) {
    let keyed = tokio::time::Instant::now();
    call.press(digit).await.expect("a digit");
    call.press('#').await.expect("the end of the entry");
    until_stored(database_url, customer_id, "the keyed turn", |transcript| {
        customers_said(transcript) >= 4
    })
    .await;
    hear_out(call, keyed, "the keyed turn is answered").await;
}

const QUIET: Duration = Duration::from_millis(1500);
const LONG: Duration = Duration::from_secs(150);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mandarin_caller_over_twilio_verifies_asks_interrupts_keys_and_hangs_up() {
    let database = TestDatabase::create(tests::Engine::Sqlite).await;
    let customer_id = new_customer_id("VZ");
    tests::seed(
        &database.url,
        &customer_with_current_loan(&customer_id, "zh", today_in_shanghai()),
    )
    .await;
    let app = voice_app(&database, None).await;
    let call = SimulatedCall::dial(Platform::Twilio {
        url: format!("ws://127.0.0.1:{}/v1/voice/twilio", app.port),
        caller: CALLER.to_owned(),
    })
    .await
    .expect("the stream opens");

    // The greeting asks for the ID tail; the caller keys it in over the greeting (123X: * for X).
    let dialled = tokio::time::Instant::now();
    call.wait_for_answer(dialled, LONG)
        .await
        .expect("a spoken greeting");
    let keyed_id = tokio::time::Instant::now();
    for digit in ['1', '2', '3', '*'] {
        call.press(digit).await.expect("a keypad digit");
    }
    until_stored(
        &database.url,
        &customer_id,
        "keyed verification",
        |transcript| bot_said(transcript, "验证成功"),
    )
    .await;
    hear_out(
        &call,
        keyed_id + Duration::from_millis(100),
        "verification is answered",
    )
    .await;
    let after_greeting = call.log();
    assert!(
        !after_greeting.clears.is_empty(),
        "keying over the greeting stops it"
    );
    let lines = customer_lines(&database.url, &customer_id).await;
    assert_eq!(
        lines,
        ["（按键输入身份证后四位：****）"],
        "the digits are stored masked"
    );

    // Silence and noise produce no text and no answer.
    let before_noise = tokio::time::Instant::now();
    call.say(noise(2.0)).await.expect("noise is sent");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        call.log().media_frames_after(before_noise),
        0,
        "noise was answered"
    );
    assert_eq!(
        customer_lines(&database.url, &customer_id).await.len(),
        1,
        "noise became text"
    );

    // A spoken question: its key words are recognised and the answer comes back as audio.
    let asked = call
        .say(speak("我这个月要还多少钱", SpeechLanguage::Mandarin))
        .await
        .expect("the question is spoken");
    let answered = call
        .wait_for_answer(asked, LONG)
        .await
        .expect("a spoken answer");
    eprintln!("voice to voice: {:?}", answered - asked);
    let lines = customer_lines(&database.url, &customer_id).await;
    let question = lines.last().expect("the question is stored");
    assert!(
        question.contains("多少"),
        "the recognised question {question:?} lacks its key words"
    );

    // Talking over the answer brings `clear`.
    let clears_before = call.log().clears.len();
    let interrupted = call
        .say(speak("我的额度是多少", SpeechLanguage::Mandarin))
        .await
        .expect("the interruption is spoken");
    until_stored(
        &database.url,
        &customer_id,
        "the interruption",
        |transcript| customers_said(transcript) >= 3,
    )
    .await;
    let log = call.log();
    assert!(
        log.clears.len() > clears_before,
        "talking over the answer did not bring clear"
    );
    let answer_audio = &log.received[..];
    assert!(rms(answer_audio) > 300.0, "the answers are audible");
    hear_out(&call, interrupted, "the interruption is answered").await;
    assert!(
        !call.log().marks_played.is_empty(),
        "marks come back as the caller hears the pieces"
    );

    // A keypad digit reaches the dialog as a turn.
    key_a_turn(&call, &database.url, &customer_id, '2').await;

    // Hanging up ends the call; the transcript is stored, with the ID tail never in it.
    call.hang_up().await.expect("stop is sent");
    let transcript = voice_transcript(&database.url, &customer_id).await;
    let customer: Vec<&str> = transcript
        .iter()
        .filter(|message| message.role == connectors::Role::Customer)
        .map(|message| message.text.as_str())
        .collect();
    assert!(customer.len() >= 4, "{customer:?}");
    assert!(
        !customer.last().expect("a keyed turn").is_empty(),
        "{customer:?}"
    );
    assert!(
        transcript
            .iter()
            .filter(|message| message.role == connectors::Role::Bot)
            .count()
            >= 4
    );
    assert!(
        transcript
            .iter()
            .all(|message| !message.text.contains("123X")),
        "the ID tail was stored"
    );
    app.stop().await;
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_english_caller_over_audiosocket_verifies_by_voice_asks_interrupts_keys_and_hangs_up() {
    let database = TestDatabase::create(tests::Engine::Sqlite).await;
    let customer_id = new_customer_id("VE");
    tests::seed(
        &database.url,
        &customer_with_current_loan(&customer_id, "en", today_in_shanghai()),
    )
    .await;
    let port = free_port();
    let app = voice_app(&database, Some(port)).await;
    // The dialplan writes the calling number into the UUID's last 12 digits.
    let call = SimulatedCall::dial(Platform::AudioSocket {
        address: format!("127.0.0.1:{port}"),
        uuid: "5a1d3c2e-0000-4000-8000-013900001111".to_owned(),
    })
    .await
    .expect("the AudioSocket connection opens");

    let dialled = tokio::time::Instant::now();
    call.wait_for_answer(dialled, LONG)
        .await
        .expect("a spoken greeting");
    // Verification by voice, over the greeting.
    let said = call
        .say(speak("one two three X", SpeechLanguage::English))
        .await
        .expect("the digits are spoken");
    let transcript = until_stored(
        &database.url,
        &customer_id,
        "spoken verification",
        |transcript| bot_said(transcript, "verified") || bot_said(transcript, "does not match"),
    )
    .await;
    hear_out(&call, said, "verification is answered").await;
    let last_bot = transcript
        .iter()
        .rev()
        .find(|message| message.role == connectors::Role::Bot)
        .expect("a bot line");
    assert!(
        last_bot.text.contains("verified"),
        "spoken verification failed: {transcript:?}"
    );

    // A question in English.
    let asked = call
        .say(speak("What is my credit limit?", SpeechLanguage::English))
        .await
        .expect("the question is spoken");
    until_stored(&database.url, &customer_id, "the question", |transcript| {
        customers_said(transcript) >= 2
    })
    .await;
    let answered = call
        .wait_for_answer(asked, LONG)
        .await
        .expect("a spoken answer");
    eprintln!("voice to voice: {:?}", answered - asked);
    let lines = customer_lines(&database.url, &customer_id).await;
    let question = lines.last().expect("the question is stored").to_lowercase();
    assert!(
        question.contains("credit limit"),
        "the recognised question {question:?} lacks its key words"
    );

    // Talking over the answer stops the audio: nothing more arrives until the interruption is answered.
    let speaking = call
        .start_saying(speak(
            "Sorry, I would like to talk to a person, please.",
            SpeechLanguage::English,
        ))
        .await
        .expect("the interruption starts");
    let interrupted_at = tokio::time::Instant::now();
    let finished = speaking.await.expect("the interruption ends");
    until_stored(
        &database.url,
        &customer_id,
        "the interruption",
        |transcript| customers_said(transcript) >= 3,
    )
    .await;
    let log = call.log();
    let late_frames = log
        .media_times
        .iter()
        .filter(|time| **time > interrupted_at + Duration::from_millis(800) && **time < finished)
        .count();
    assert_eq!(late_frames, 0, "the answer kept playing over the caller");
    hear_out(&call, finished, "the interruption is answered").await;

    // Keypad digits reach the dialog.
    key_a_turn(&call, &database.url, &customer_id, '1').await;

    call.hang_up().await.expect("the hang-up is sent");
    let customer = customer_lines(&database.url, &customer_id).await;
    assert!(customer.len() >= 4, "{customer:?}");
    assert_eq!(customer[0], "（说出身份证后四位：****）");
    assert!(
        customer
            .iter()
            .any(|line| line.to_lowercase().contains("person")),
        "{customer:?}"
    );
    app.stop().await;
    database.drop_database().await;
}

/// Twilio's signature of a request with no form parameters: base64 of the HMAC-SHA1 of the full URL (query string
/// included), keyed with the account's auth token.
fn twilio_signature(auth_token: &str, url: &str) -> String {
    let mut mac =
        Hmac::<sha1::Sha1>::new_from_slice(auth_token.as_bytes()).expect("any key length");
    mac.update(url.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The status a WebSocket upgrade to `url` gets, with `signature` in `X-Twilio-Signature` when given.
async fn upgrade_status(url: &str, signature: Option<&str>) -> StatusCode {
    let mut request = url.into_client_request().expect("a WebSocket request");
    if let Some(signature) = signature {
        request.headers_mut().insert(
            "X-Twilio-Signature",
            signature.parse().expect("a header value"),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((mut socket, response)) => {
            socket.close(None).await.ok();
            response.status()
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status(),
        Err(error) => panic!("the upgrade failed otherwise than by status: {error}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_an_auth_token_only_upgrades_signed_by_twilio_are_accepted() {
    const AUTH_TOKEN: &str = "e2e-twilio-auth-token-5c1f";
    let database = TestDatabase::create(tests::Engine::Sqlite).await;
    // The upgrade is what is tested: with no model to load, an accepted stream is closed right after it.
    let settings_for = |token: Option<&str>| VoiceSettings {
        enabled: true,
        whisper_model: Some("/nonexistent/ggml-model.bin".into()),
        models_dir: Some(tests::fetched_models_dir()),
        twilio_auth_token: token.map(TwilioAuthToken::new),
        ..VoiceSettings::default()
    };
    let verifying = TestApp::spawn_with(&database.url, |settings| {
        settings.voice = settings_for(Some(AUTH_TOKEN));
    })
    .await;
    let url = format!(
        "ws://127.0.0.1:{}/v1/voice/twilio?tenant=demo&leg=1",
        verifying.port
    );
    assert_eq!(
        upgrade_status(&url, Some(&twilio_signature(AUTH_TOKEN, &url))).await,
        StatusCode::SWITCHING_PROTOCOLS,
        "a request signed by Twilio is upgraded"
    );
    let without_query = url.split('?').next().expect("a URL").to_owned();
    for (what, signature) in [
        ("no signature", None),
        (
            "another token's",
            Some(twilio_signature("another-token", &url)),
        ),
        (
            "one over the URL without its query",
            Some(twilio_signature(AUTH_TOKEN, &without_query)),
        ),
        (
            "one that is not base64",
            Some("not a signature!".to_owned()),
        ),
    ] {
        assert_eq!(
            upgrade_status(&url, signature.as_deref()).await,
            StatusCode::FORBIDDEN,
            "a request with {what} is refused"
        );
    }
    verifying.stop().await;

    let open = TestApp::spawn_with(&database.url, |settings| {
        settings.voice = settings_for(None);
    })
    .await;
    let url = format!("ws://127.0.0.1:{}/v1/voice/twilio", open.port);
    assert_eq!(
        upgrade_status(&url, None).await,
        StatusCode::SWITCHING_PROTOCOLS,
        "without an auth token requests are accepted unverified"
    );
    open.stop().await;
    database.drop_database().await;
}

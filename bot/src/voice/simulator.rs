//! A caller simulator: plays the telephony platform's side of a call against a running server, in real time,
//! for the end-to-end tests and `anxin speech bench`.
//!
//! Every 20 ms it sends one frame of the caller's audio (queued speech, else silence, as a real line does) and
//! plays one frame of what the bot sent. Over Twilio Media Streams it behaves as Twilio does: it echoes each `mark`
//! when playback reaches it and empties its playback buffer on `clear`. Over AudioSocket it plays frames as they
//! arrive. Everything it sees is kept with its time in a [`CallLog`].

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

use super::audiosocket::{AudioSocketMessage, encode_message, parse_message};

const FRAME: usize = 160;

/// What the simulated caller has seen.
#[derive(Debug, Default, Clone)]
pub struct CallLog {
    /// Every sample of bot audio received, in order.
    pub received: Vec<i16>,
    /// When each frame of bot audio arrived.
    pub media_times: Vec<Instant>,
    pub clears: Vec<Instant>,
    /// Marks echoed back after playing.
    pub marks_played: Vec<String>,
    /// The bot ended the call.
    pub closed: bool,
    /// Samples still waiting to be played.
    pub playback_backlog: usize,
}

impl CallLog {
    /// The first bot audio that arrived at or after `instant`.
    pub fn first_media_after(&self, instant: Instant) -> Option<Instant> {
        self.media_times
            .iter()
            .copied()
            .find(|time| *time >= instant)
    }

    pub fn media_frames_after(&self, instant: Instant) -> usize {
        self.media_times
            .iter()
            .filter(|time| **time >= instant)
            .count()
    }
}

enum Command {
    Speak(Vec<i16>, oneshot::Sender<Instant>),
    Dtmf(char),
    HangUp(oneshot::Sender<()>),
}

/// The platform the simulator speaks.
#[derive(Debug, Clone)]
pub enum Platform {
    /// `ws://host:port/v1/voice/twilio`, with the calling number in `customParameters.caller`.
    Twilio { url: String, caller: String },
    /// An AudioSocket listener and the call UUID to announce.
    AudioSocket { address: String, uuid: String },
}

/// One simulated call in progress.
#[derive(Debug)]
pub struct SimulatedCall {
    commands: mpsc::Sender<Command>,
    log: Arc<Mutex<CallLog>>,
}

impl SimulatedCall {
    /// Dials: connects and starts the stream. The simulator then runs in the background.
    pub async fn dial(platform: Platform) -> anyhow::Result<SimulatedCall> {
        let (commands, receiver) = mpsc::channel(16);
        let log = Arc::new(Mutex::new(CallLog::default()));
        match platform {
            Platform::Twilio { url, caller } => {
                let (socket, _) = tokio_tungstenite::connect_async(url.as_str())
                    .await
                    .with_context(|| format!("cannot connect to {url}"))?;
                tokio::spawn(run_twilio(socket, caller, receiver, log.clone()));
            }
            Platform::AudioSocket { address, uuid } => {
                let stream = tokio::net::TcpStream::connect(&address)
                    .await
                    .with_context(|| format!("cannot connect to {address}"))?;
                tokio::spawn(run_audiosocket(stream, uuid, receiver, log.clone()));
            }
        }
        Ok(SimulatedCall { commands, log })
    }

    /// A copy of what the caller has seen so far.
    pub fn log(&self) -> CallLog {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Speaks 8 kHz audio at real-time pace; returns when the last frame was sent, with that time.
    pub async fn say(&self, samples: Vec<i16>) -> anyhow::Result<Instant> {
        let (done, finished) = oneshot::channel();
        self.commands
            .send(Command::Speak(samples, done))
            .await
            .context("the call has ended")?;
        finished.await.context("the call ended while speaking")
    }

    /// Starts speaking without waiting for the end.
    pub async fn start_saying(
        &self,
        samples: Vec<i16>,
    ) -> anyhow::Result<oneshot::Receiver<Instant>> {
        let (done, finished) = oneshot::channel();
        self.commands
            .send(Command::Speak(samples, done))
            .await
            .context("the call has ended")?;
        Ok(finished)
    }

    pub async fn press(&self, digit: char) -> anyhow::Result<()> {
        self.commands
            .send(Command::Dtmf(digit))
            .await
            .context("the call has ended")
    }

    /// Waits for bot audio at or after `after`; returns when it arrived.
    pub async fn wait_for_answer(
        &self,
        after: Instant,
        timeout: Duration,
    ) -> anyhow::Result<Instant> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(time) = self.log().first_media_after(after) {
                return Ok(time);
            }
            if Instant::now() >= deadline {
                bail!("no answer within {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until the bot has said everything it sent and nothing new arrived for `quiet`.
    pub async fn wait_until_quiet(&self, quiet: Duration, timeout: Duration) -> anyhow::Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let log = self.log();
            let last = log.media_times.last().copied();
            if log.playback_backlog == 0 && last.is_none_or(|last| last.elapsed() >= quiet) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                bail!("the bot was still speaking after {timeout:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Hangs up (`stop` over Twilio, the hang-up message over AudioSocket).
    pub async fn hang_up(&self) -> anyhow::Result<()> {
        let (done, finished) = oneshot::channel();
        if self.commands.send(Command::HangUp(done)).await.is_err() {
            return Ok(());
        }
        let _ = finished.await;
        Ok(())
    }
}

/// The caller's side of the line: queued speech, else silence.
struct Line {
    speech: VecDeque<i16>,
    speaking_done: Option<oneshot::Sender<Instant>>,
}

impl Line {
    fn next_frame(&mut self) -> Vec<i16> {
        let take = self.speech.len().min(FRAME);
        let mut frame: Vec<i16> = self.speech.drain(..take).collect();
        frame.resize(FRAME, 0);
        if self.speech.is_empty()
            && let Some(done) = self.speaking_done.take()
        {
            let _ = done.send(Instant::now());
        }
        frame
    }
}

enum Queued {
    Samples(Vec<i16>),
    Mark(String),
}

async fn run_twilio(
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    caller: String,
    mut commands: mpsc::Receiver<Command>,
    log: Arc<Mutex<CallLog>>,
) {
    let (mut sender, mut receiver) = socket.split();
    let stream_sid = format!("MZ{}", uuid::Uuid::new_v4().simple());
    let call_sid = format!("CA{}", uuid::Uuid::new_v4().simple());
    let opening = [
        json!({"event": "connected", "protocol": "Call", "version": "1.0.0"}),
        json!({"event": "start", "sequenceNumber": "1", "streamSid": stream_sid, "start": {
            "accountSid": "AC0", "streamSid": stream_sid, "callSid": call_sid, "tracks": ["inbound"],
            "customParameters": {"caller": caller},
            "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}}}),
    ];
    for frame in opening {
        if sender
            .send(Message::Text(frame.to_string().into()))
            .await
            .is_err()
        {
            return;
        }
    }
    let mut line = Line {
        speech: VecDeque::new(),
        speaking_done: None,
    };
    let mut playback: VecDeque<Queued> = VecDeque::new();
    let mut ticker = tokio::time::interval(Duration::from_millis(20));
    let mut sequence = 2_u64;
    let mut chunk = 0_u64;
    let mut hang_up: Option<oneshot::Sender<()>> = None;
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                chunk += 1;
                sequence += 1;
                let frame = line.next_frame();
                let media = json!({"event": "media", "sequenceNumber": sequence.to_string(), "streamSid": stream_sid,
                    "media": {"track": "inbound", "chunk": chunk.to_string(), "timestamp": (chunk * 20).to_string(),
                    "payload": BASE64.encode(speech::mulaw_encode(&frame))}});
                if sender.send(Message::Text(media.to_string().into())).await.is_err() {
                    break;
                }
                // Play one frame; echo the marks that playback reaches.
                let mut echoes = Vec::new();
                while let Some(Queued::Mark(_)) = playback.front() {
                    if let Some(Queued::Mark(name)) = playback.pop_front() {
                        echoes.push(name);
                    }
                }
                if let Some(Queued::Samples(_)) = playback.front() {
                    playback.pop_front();
                }
                while let Some(Queued::Mark(_)) = playback.front() {
                    if let Some(Queued::Mark(name)) = playback.pop_front() {
                        echoes.push(name);
                    }
                }
                for name in echoes {
                    sequence += 1;
                    let mark = json!({"event": "mark", "sequenceNumber": sequence.to_string(), "streamSid": stream_sid, "mark": {"name": name}});
                    if sender.send(Message::Text(mark.to_string().into())).await.is_err() {
                        break;
                    }
                    log.lock().unwrap_or_else(PoisonError::into_inner).marks_played.push(name);
                }
                let backlog = playback.iter().map(|queued| match queued { Queued::Samples(samples) => samples.len(), Queued::Mark(_) => 0 }).sum();
                log.lock().unwrap_or_else(PoisonError::into_inner).playback_backlog = backlog;
            }
            command = commands.recv() => match command {
                Some(Command::Speak(samples, done)) => {
                    line.speech.extend(samples);
                    line.speaking_done = Some(done);
                }
                Some(Command::Dtmf(digit)) => {
                    sequence += 1;
                    let dtmf = json!({"event": "dtmf", "sequenceNumber": sequence.to_string(), "streamSid": stream_sid,
                        "dtmf": {"track": "inbound_track", "digit": digit.to_string()}});
                    if sender.send(Message::Text(dtmf.to_string().into())).await.is_err() {
                        break;
                    }
                }
                Some(Command::HangUp(done)) => {
                    let stop = json!({"event": "stop", "sequenceNumber": (sequence + 1).to_string(), "streamSid": stream_sid,
                        "stop": {"accountSid": "AC0", "callSid": call_sid}});
                    let _ = sender.send(Message::Text(stop.to_string().into())).await;
                    let _ = sender.close().await;
                    hang_up = Some(done);
                    break;
                }
                None => break,
            },
            message = receiver.next() => {
                let Some(Ok(message)) = message else {
                    log.lock().unwrap_or_else(PoisonError::into_inner).closed = true;
                    break;
                };
                let text = match message {
                    Message::Text(text) => text,
                    Message::Close(_) => {
                        log.lock().unwrap_or_else(PoisonError::into_inner).closed = true;
                        break;
                    }
                    _ => continue,
                };
                let Ok(frame) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                match frame["event"].as_str() {
                    Some("media") => {
                        let samples = frame["media"]["payload"].as_str().and_then(|payload| BASE64.decode(payload).ok()).map(|bytes| speech::mulaw_decode(&bytes)).unwrap_or_default();
                        let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
                        log.received.extend_from_slice(&samples);
                        log.media_times.push(Instant::now());
                        for frame in samples.chunks(FRAME) {
                            playback.push_back(Queued::Samples(frame.to_vec()));
                        }
                    }
                    Some("mark") => {
                        if let Some(name) = frame["mark"]["name"].as_str() {
                            playback.push_back(Queued::Mark(name.to_owned()));
                        }
                    }
                    Some("clear") => {
                        // As Twilio does: drop the unplayed audio, and echo the marks it held.
                        let marks: Vec<String> = playback.drain(..).filter_map(|queued| match queued { Queued::Mark(name) => Some(name), Queued::Samples(_) => None }).collect();
                        for name in marks {
                            sequence += 1;
                            let mark = json!({"event": "mark", "sequenceNumber": sequence.to_string(), "streamSid": stream_sid, "mark": {"name": name}});
                            let _ = sender.send(Message::Text(mark.to_string().into())).await;
                        }
                        let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
                        log.clears.push(Instant::now());
                        log.playback_backlog = 0;
                    }
                    _ => {}
                }
            }
        }
    }
    if let Some(done) = line.speaking_done.take() {
        let _ = done.send(Instant::now());
    }
    if let Some(done) = hang_up {
        let _ = done.send(());
    }
}

async fn run_audiosocket(
    stream: tokio::net::TcpStream,
    uuid: String,
    mut commands: mpsc::Receiver<Command>,
    log: Arc<Mutex<CallLog>>,
) {
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = stream.into_split();
    if writer
        .write_all(&encode_message(&AudioSocketMessage::Uuid(uuid)))
        .await
        .is_err()
    {
        return;
    }
    let mut line = Line {
        speech: VecDeque::new(),
        speaking_done: None,
    };
    let mut ticker = tokio::time::interval(Duration::from_millis(20));
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 4096];
    let mut hang_up: Option<oneshot::Sender<()>> = None;
    loop {
        tokio::select! {
            _ = ticker.tick() => {
                let frame = line.next_frame();
                if writer.write_all(&encode_message(&AudioSocketMessage::Audio(frame))).await.is_err() {
                    break;
                }
            }
            command = commands.recv() => match command {
                Some(Command::Speak(samples, done)) => {
                    line.speech.extend(samples);
                    line.speaking_done = Some(done);
                }
                Some(Command::Dtmf(digit)) => {
                    if writer.write_all(&encode_message(&AudioSocketMessage::Dtmf(digit))).await.is_err() {
                        break;
                    }
                }
                Some(Command::HangUp(done)) => {
                    let _ = writer.write_all(&encode_message(&AudioSocketMessage::Hangup)).await;
                    let _ = writer.shutdown().await;
                    hang_up = Some(done);
                    break;
                }
                None => break,
            },
            read = reader.read(&mut chunk) => {
                let read = match read {
                    Ok(0) | Err(_) => {
                        log.lock().unwrap_or_else(PoisonError::into_inner).closed = true;
                        break;
                    }
                    Ok(read) => read,
                };
                buffer.extend_from_slice(&chunk[..read]);
                let mut closed = false;
                while let Ok(Some((message, used))) = parse_message(&buffer) {
                    buffer.drain(..used);
                    let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
                    match message {
                        AudioSocketMessage::Audio(samples) => {
                            log.received.extend_from_slice(&samples);
                            log.media_times.push(Instant::now());
                        }
                        AudioSocketMessage::Hangup => {
                            log.closed = true;
                            closed = true;
                        }
                        _ => {}
                    }
                }
                if closed {
                    break;
                }
            }
        }
    }
    if let Some(done) = line.speaking_done.take() {
        let _ = done.send(Instant::now());
    }
    if let Some(done) = hang_up {
        let _ = done.send(());
    }
}

/// Synthesises what the caller says with espeak-ng, as it would reach the phone line (8 kHz).
pub fn caller_speech(
    synthesizer: &super::engine::Synthesizer,
    text: &str,
    language: speech::SpeechLanguage,
) -> anyhow::Result<Vec<i16>> {
    synthesizer.synthesize(text, language)
}

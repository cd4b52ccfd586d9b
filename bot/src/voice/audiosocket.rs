//! The Asterisk AudioSocket listener: a plain TCP protocol in which every message is a 3-byte header (a kind byte
//! and a big-endian 16-bit length) and a payload. Asterisk sends the call's UUID (kind 0x01) first, then 8 kHz
//! signed 16-bit little-endian audio (0x10), keypad digits (0x03), and hang-up (0x00) or an error (0xff); Anxin
//! sends audio back in the same form and 0x00 to hang up.
//!
//! AudioSocket has no marks and no buffer to clear, so the sending side here is the playback: it writes one 20 ms
//! frame every 20 ms from a queue, tells the call when a piece's mark is reached (the caller has heard it), and
//! empties the queue on `Clear`. The caller's number is found from the UUID by the configured lookup.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::VoiceService;
use super::call::{CallInput, CallOutput, run_call};
use super::settings::AudioSocketCallerLookup;

pub const KIND_HANGUP: u8 = 0x00;
pub const KIND_UUID: u8 = 0x01;
pub const KIND_DTMF: u8 = 0x03;
pub const KIND_AUDIO: u8 = 0x10;
pub const KIND_ERROR: u8 = 0xff;

/// Samples in one outgoing 20 ms frame.
const FRAME_SAMPLES: usize = 160;

/// One AudioSocket message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AudioSocketMessage {
    Hangup,
    /// The call's UUID, formatted with dashes.
    Uuid(String),
    Dtmf(char),
    /// 8 kHz samples.
    Audio(Vec<i16>),
    Error(u8),
}

/// Parses one message from the start of `buffer`: the message and the bytes it took, `None` when more bytes are
/// needed, or why the bytes are not AudioSocket.
pub fn parse_message(buffer: &[u8]) -> Result<Option<(AudioSocketMessage, usize)>, String> {
    if buffer.len() < 3 {
        return Ok(None);
    }
    let kind = buffer[0];
    let length = usize::from(u16::from_be_bytes([buffer[1], buffer[2]]));
    if buffer.len() < 3 + length {
        return Ok(None);
    }
    let payload = &buffer[3..3 + length];
    let message = match kind {
        KIND_HANGUP => AudioSocketMessage::Hangup,
        KIND_UUID => {
            if payload.len() != 16 {
                return Err(format!("a UUID message of {} bytes", payload.len()));
            }
            let hex: String = payload.iter().map(|byte| format!("{byte:02x}")).collect();
            AudioSocketMessage::Uuid(format!(
                "{}-{}-{}-{}-{}",
                &hex[0..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..32]
            ))
        }
        KIND_DTMF => match payload.first().map(|byte| char::from(*byte)) {
            Some(digit) if digit.is_ascii_digit() || digit == '*' || digit == '#' => {
                AudioSocketMessage::Dtmf(digit)
            }
            other => return Err(format!("a DTMF message with {other:?}")),
        },
        KIND_AUDIO => AudioSocketMessage::Audio(
            payload
                .chunks_exact(2)
                .map(|pair| i16::from_le_bytes([pair[0], pair[1]]))
                .collect(),
        ),
        KIND_ERROR => AudioSocketMessage::Error(payload.first().copied().unwrap_or(0)),
        other => return Err(format!("unknown message kind 0x{other:02x}")),
    };
    Ok(Some((message, 3 + length)))
}

/// Encodes one message.
pub fn encode_message(message: &AudioSocketMessage) -> Vec<u8> {
    let (kind, payload): (u8, Vec<u8>) = match message {
        AudioSocketMessage::Hangup => (KIND_HANGUP, Vec::new()),
        AudioSocketMessage::Uuid(uuid) => {
            let hex: String = uuid.chars().filter(char::is_ascii_hexdigit).collect();
            let bytes = (0..hex.len() / 2)
                .filter_map(|index| u8::from_str_radix(&hex[2 * index..2 * index + 2], 16).ok())
                .collect();
            (KIND_UUID, bytes)
        }
        AudioSocketMessage::Dtmf(digit) => (KIND_DTMF, vec![*digit as u8]),
        AudioSocketMessage::Audio(samples) => (
            KIND_AUDIO,
            samples
                .iter()
                .flat_map(|sample| sample.to_le_bytes())
                .collect(),
        ),
        AudioSocketMessage::Error(code) => (KIND_ERROR, vec![*code]),
    };
    let mut bytes = Vec::with_capacity(3 + payload.len());
    bytes.push(kind);
    bytes.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    bytes.extend_from_slice(&payload);
    bytes
}

/// The calling number for a call UUID, by the configured lookup.
pub fn caller_for(uuid: &str, lookup: &AudioSocketCallerLookup) -> Option<String> {
    match lookup {
        AudioSocketCallerLookup::Table(table) => table
            .get(&uuid.to_ascii_lowercase())
            .or_else(|| table.get(uuid))
            .cloned(),
        AudioSocketCallerLookup::UuidDigits { country_code } => {
            let hex: String = uuid.chars().filter(char::is_ascii_hexdigit).collect();
            let tail = hex.get(hex.len().checked_sub(12)?..)?;
            if !tail.chars().all(|character| character.is_ascii_digit()) {
                return None;
            }
            let digits = tail.trim_start_matches('0');
            if digits.len() < 5 {
                return None;
            }
            if digits.len() <= 11 {
                Some(format!("+{country_code}{digits}"))
            } else {
                Some(format!("+{digits}"))
            }
        }
    }
}

/// Accepts AudioSocket connections until the server stops.
pub async fn serve(voice: VoiceService, listener: TcpListener) {
    let mut stopping = voice.stopping();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stopping => return,
        };
        match accepted {
            Ok((stream, peer)) => {
                tracing::info!(%peer, "AudioSocket connection");
                tokio::spawn(serve_connection(voice.clone(), stream));
            }
            Err(error) => {
                tracing::warn!(%error, "cannot accept an AudioSocket connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn serve_connection(voice: VoiceService, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = stream.into_split();
    let mut buffer: Vec<u8> = Vec::with_capacity(4096);
    let mut chunk = [0_u8; 4096];
    // The first message names the call.
    let uuid = loop {
        match parse_message(&buffer) {
            Ok(Some((AudioSocketMessage::Uuid(uuid), used))) => {
                buffer.drain(..used);
                break uuid;
            }
            Ok(Some((other, _))) => {
                tracing::warn!(?other, "an AudioSocket call did not start with its UUID");
                return;
            }
            Ok(None) => match reader.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            },
            Err(error) => {
                tracing::warn!(%error, "not an AudioSocket stream");
                return;
            }
        }
    };
    let engine = match voice.engine().await {
        Ok(engine) => engine,
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "the voice channel is not available");
            let _ = writer
                .write_all(&encode_message(&AudioSocketMessage::Hangup))
                .await;
            return;
        }
    };
    let caller = caller_for(&uuid, &voice.settings().audiosocket_callers);
    let (input_sender, inputs) = mpsc::channel::<CallInput>(256);
    let (outputs, mut output_receiver) = mpsc::channel::<CallOutput>(64);
    let call = tokio::spawn(run_call(
        engine,
        voice.chat().clone(),
        voice.settings().end_silence_ms,
        caller,
        inputs,
        outputs,
    ));

    // The playback: one frame every 20 ms from the queue; marks are echoed when reached.
    let marks = input_sender.clone();
    let player = tokio::spawn(async move {
        enum Queued {
            Samples(Vec<i16>),
            Mark(String),
        }
        let mut queue: std::collections::VecDeque<Queued> = std::collections::VecDeque::new();
        let mut ticker = tokio::time::interval(Duration::from_millis(20));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                output = output_receiver.recv() => match output {
                    None | Some(CallOutput::Hangup) => {
                        let _ = writer.write_all(&encode_message(&AudioSocketMessage::Hangup)).await;
                        return;
                    }
                    Some(CallOutput::Audio(samples)) => {
                        queue.extend(samples.chunks(FRAME_SAMPLES).map(|frame| Queued::Samples(frame.to_vec())));
                    }
                    Some(CallOutput::Mark(name)) => queue.push_back(Queued::Mark(name)),
                    Some(CallOutput::Clear) => queue.clear(),
                },
                _ = ticker.tick() => {
                    while let Some(Queued::Mark(_)) = queue.front() {
                        if let Some(Queued::Mark(name)) = queue.pop_front() {
                            let _ = marks.send(CallInput::Mark(name)).await;
                        }
                    }
                    if let Some(Queued::Samples(frame)) = queue.pop_front()
                        && writer.write_all(&encode_message(&AudioSocketMessage::Audio(frame))).await.is_err()
                    {
                        return;
                    }
                }
            }
        }
    });

    let mut stopping = voice.stopping();
    let mut player = player;
    'reading: loop {
        loop {
            match parse_message(&buffer) {
                Ok(Some((message, used))) => {
                    buffer.drain(..used);
                    let input = match message {
                        AudioSocketMessage::Audio(samples) => CallInput::Audio(samples),
                        AudioSocketMessage::Dtmf(digit) => CallInput::Dtmf(digit),
                        AudioSocketMessage::Hangup => break 'reading,
                        AudioSocketMessage::Error(code) => {
                            tracing::warn!(code, "Asterisk reported an AudioSocket error");
                            break 'reading;
                        }
                        AudioSocketMessage::Uuid(_) => continue,
                    };
                    if input_sender.send(input).await.is_err() {
                        break 'reading;
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    tracing::warn!(%error, "a bad AudioSocket message; ending the call");
                    break 'reading;
                }
            }
        }
        let read = tokio::select! {
            read = reader.read(&mut chunk) => read,
            () = &mut stopping => break,
            _ = &mut player => break,
        };
        match read {
            Ok(0) | Err(_) => break,
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
        }
    }
    let _ = input_sender.send(CallInput::Hangup).await;
    drop(input_sender);
    if let Ok(report) = call.await {
        tracing::debug!(?report, "AudioSocket call ended");
    }
    player.abort();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip_and_partial_input_waits_for_more() {
        for message in [
            AudioSocketMessage::Hangup,
            AudioSocketMessage::Uuid("01234567-89ab-cdef-0000-013812345678".to_owned()),
            AudioSocketMessage::Dtmf('5'),
            AudioSocketMessage::Audio(vec![1, -1, 32767, -32768]),
            AudioSocketMessage::Error(3),
        ] {
            let bytes = encode_message(&message);
            assert_eq!(
                parse_message(&bytes).expect("valid"),
                Some((message.clone(), bytes.len()))
            );
            assert_eq!(
                parse_message(&bytes[..bytes.len() - 1]).expect("valid"),
                None,
                "{message:?}"
            );
        }
        assert!(parse_message(&[0x42, 0, 0]).is_err());
        assert!(parse_message(&[KIND_UUID, 0, 2, 1, 2]).is_err());
    }

    #[test]
    fn the_caller_is_read_from_the_uuid_or_a_table() {
        let digits = AudioSocketCallerLookup::UuidDigits {
            country_code: "86".to_owned(),
        };
        assert_eq!(
            caller_for("01234567-89ab-cdef-0000-013812345678", &digits).as_deref(),
            Some("+8613812345678")
        );
        assert_eq!(
            caller_for("01234567-89ab-cdef-0000-112025550123", &digits).as_deref(),
            Some("+112025550123")
        );
        assert_eq!(
            caller_for("01234567-89ab-cdef-0000-abcdef012345", &digits),
            None
        );
        let table = AudioSocketCallerLookup::Table(
            [(
                "01234567-89ab-cdef-0000-abcdef012345".to_owned(),
                "+12025550123".to_owned(),
            )]
            .into(),
        );
        assert_eq!(
            caller_for("01234567-89AB-CDEF-0000-ABCDEF012345", &table).as_deref(),
            Some("+12025550123")
        );
    }
}

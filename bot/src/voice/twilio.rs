//! `GET /v1/voice/twilio`: Twilio Media Streams, bidirectional. Twilio (or anything speaking its protocol) opens a
//! WebSocket and sends JSON text frames: `connected`, `start` (with `customParameters.caller`, the calling number
//! in E.164), `media` (base64 8 kHz mu-law), `dtmf`, `mark` (echoes of the marks Anxin sent, once played) and
//! `stop`. Anxin answers with `media` (base64 mu-law in 20 ms frames), `mark` after each spoken piece, and `clear`
//! when the caller talks over the answer.
//!
//! Frames are parsed here into [`CallInput`] and the call's [`CallOutput`] written back; everything else about the
//! call is in [`super::call`]. A frame that is not valid JSON or lacks what its event needs is logged and skipped:
//! one bad frame does not end a call.

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::mpsc;

use super::VoiceService;
use super::call::{CallInput, CallOutput, run_call};

/// Samples per outgoing media frame: 20 ms at 8 kHz.
const FRAME_SAMPLES: usize = 160;

/// One inbound Twilio Media Streams frame.
#[derive(Debug, Deserialize)]
#[serde(tag = "event", rename_all = "lowercase")]
pub enum TwilioFrame {
    Connected,
    Start {
        #[serde(rename = "streamSid", default)]
        stream_sid: Option<String>,
        start: StartDetails,
    },
    Media {
        media: MediaDetails,
    },
    Dtmf {
        dtmf: DtmfDetails,
    },
    Mark {
        mark: MarkDetails,
    },
    Stop,
}

#[derive(Debug, Deserialize)]
pub struct StartDetails {
    #[serde(rename = "streamSid", default)]
    pub stream_sid: Option<String>,
    #[serde(rename = "callSid", default)]
    pub call_sid: Option<String>,
    #[serde(rename = "customParameters", default)]
    pub custom_parameters: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct MediaDetails {
    pub payload: String,
    #[serde(default)]
    pub track: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct DtmfDetails {
    pub digit: String,
}

#[derive(Debug, Deserialize)]
pub struct MarkDetails {
    pub name: String,
}

/// What an inbound frame means for the call: the stream's start (its id and the caller), or an input.
#[derive(Debug, PartialEq)]
pub enum Inbound {
    Ignored,
    Started {
        stream_sid: String,
        caller: Option<String>,
    },
    Input(CallInput),
}

/// Parses one text frame.
pub fn parse_frame(text: &str) -> Result<Inbound, String> {
    let frame: TwilioFrame = serde_json::from_str(text)
        .map_err(|error| format!("not a Media Streams frame: {error}"))?;
    Ok(match frame {
        TwilioFrame::Connected => Inbound::Ignored,
        TwilioFrame::Start { stream_sid, start } => Inbound::Started {
            stream_sid: stream_sid
                .or(start.stream_sid)
                .or(start.call_sid)
                .unwrap_or_default(),
            caller: start
                .custom_parameters
                .get("caller")
                .and_then(|caller| caller.as_str())
                .map(|caller| caller.trim().to_owned())
                .filter(|caller| !caller.is_empty()),
        },
        TwilioFrame::Media { media } => {
            if media
                .track
                .as_deref()
                .is_some_and(|track| track == "outbound")
            {
                return Ok(Inbound::Ignored);
            }
            let bytes = BASE64
                .decode(media.payload.as_bytes())
                .map_err(|error| format!("media payload is not base64: {error}"))?;
            Inbound::Input(CallInput::Audio(speech::mulaw_decode(&bytes)))
        }
        TwilioFrame::Dtmf { dtmf } => match dtmf.digit.chars().next() {
            Some(digit) if digit.is_ascii_digit() || digit == '*' || digit == '#' => {
                Inbound::Input(CallInput::Dtmf(digit))
            }
            _ => return Err(format!("not a keypad digit: {:?}", dtmf.digit)),
        },
        TwilioFrame::Mark { mark } => Inbound::Input(CallInput::Mark(mark.name)),
        TwilioFrame::Stop => Inbound::Input(CallInput::Hangup),
    })
}

/// The outbound frames for one call output.
pub fn render_output(stream_sid: &str, output: &CallOutput) -> Vec<String> {
    match output {
        CallOutput::Audio(samples) => samples
            .chunks(FRAME_SAMPLES)
            .map(|frame| {
                json!({
                    "event": "media",
                    "streamSid": stream_sid,
                    "media": {"payload": BASE64.encode(speech::mulaw_encode(frame))},
                })
                .to_string()
            })
            .collect(),
        CallOutput::Mark(name) => {
            vec![
                json!({"event": "mark", "streamSid": stream_sid, "mark": {"name": name}})
                    .to_string(),
            ]
        }
        CallOutput::Clear => vec![json!({"event": "clear", "streamSid": stream_sid}).to_string()],
        CallOutput::Hangup => Vec::new(),
    }
}

/// The route handler.
pub async fn twilio_stream(
    State(voice): State<VoiceService>,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade.on_upgrade(move |socket| serve_stream(voice, socket))
}

async fn serve_stream(voice: VoiceService, socket: WebSocket) {
    let (mut sender, mut receiver) = socket.split();
    let engine = match voice.engine().await {
        Ok(engine) => engine,
        Err(error) => {
            tracing::error!(error = %format!("{error:#}"), "the voice channel is not available");
            let _ = sender.send(Message::Close(None)).await;
            return;
        }
    };
    // Wait for `start`: it names the stream and the caller.
    let mut stopping = voice.stopping();
    let (stream_sid, caller) = loop {
        let message = tokio::select! {
            message = receiver.next() => message,
            () = &mut stopping => return,
        };
        let Some(Ok(message)) = message else {
            return;
        };
        let Message::Text(text) = message else {
            continue;
        };
        match parse_frame(text.as_str()) {
            Ok(Inbound::Started {
                stream_sid: sid,
                caller: number,
            }) => break (sid, number),
            Ok(Inbound::Input(CallInput::Hangup)) => return,
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "skipping a Media Streams frame"),
        }
    };
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
    let writer = tokio::spawn(async move {
        while let Some(output) = output_receiver.recv().await {
            if output == CallOutput::Hangup {
                break;
            }
            for frame in render_output(&stream_sid, &output) {
                if sender.send(Message::Text(frame.into())).await.is_err() {
                    return;
                }
            }
        }
        let _ = sender.send(Message::Close(None)).await;
    });
    let mut writer = writer;
    loop {
        let message = tokio::select! {
            message = receiver.next() => message,
            () = &mut stopping => break,
            _ = &mut writer => break,
        };
        let Some(Ok(message)) = message else {
            break;
        };
        let text = match message {
            Message::Text(text) => text,
            Message::Close(_) => break,
            _ => continue,
        };
        match parse_frame(text.as_str()) {
            Ok(Inbound::Input(input)) => {
                let hang_up = input == CallInput::Hangup;
                if input_sender.send(input).await.is_err() || hang_up {
                    break;
                }
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "skipping a Media Streams frame"),
        }
    }
    let _ = input_sender.send(CallInput::Hangup).await;
    drop(input_sender);
    if let Ok(report) = call.await {
        tracing::debug!(?report, "Twilio stream ended");
    }
    writer.abort();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_parse_into_call_inputs() {
        let start = r#"{"event":"start","sequenceNumber":"1","streamSid":"MZ1","start":{"streamSid":"MZ1","callSid":"CA1","tracks":["inbound"],"customParameters":{"caller":"+8613800000001"},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}"#;
        assert_eq!(
            parse_frame(start).expect("valid"),
            Inbound::Started {
                stream_sid: "MZ1".to_owned(),
                caller: Some("+8613800000001".to_owned())
            }
        );
        let media = json!({"event": "media", "streamSid": "MZ1", "media": {"track": "inbound", "payload": BASE64.encode([0xFF_u8, 0x7F])}});
        assert_eq!(
            parse_frame(&media.to_string()).expect("valid"),
            Inbound::Input(CallInput::Audio(vec![0, 0]))
        );
        assert_eq!(
            parse_frame(r#"{"event":"dtmf","dtmf":{"track":"inbound_track","digit":"7"}}"#)
                .expect("valid"),
            Inbound::Input(CallInput::Dtmf('7'))
        );
        assert_eq!(
            parse_frame(r#"{"event":"mark","mark":{"name":"piece-3"}}"#).expect("valid"),
            Inbound::Input(CallInput::Mark("piece-3".to_owned()))
        );
        assert_eq!(
            parse_frame(r#"{"event":"stop","stop":{}}"#).expect("valid"),
            Inbound::Input(CallInput::Hangup)
        );
        assert_eq!(
            parse_frame(r#"{"event":"connected","protocol":"Call"}"#).expect("valid"),
            Inbound::Ignored
        );
        assert!(parse_frame("not json").is_err());
        assert!(parse_frame(r#"{"event":"media","media":{"payload":"@@@"}}"#).is_err());
        assert!(parse_frame(r#"{"event":"dtmf","dtmf":{"digit":"A"}}"#).is_err());
    }

    #[test]
    fn outputs_become_twenty_millisecond_media_frames_marks_and_clear() {
        let frames = render_output("MZ1", &CallOutput::Audio(vec![0; 400]));
        assert_eq!(frames.len(), 3);
        let first: serde_json::Value = serde_json::from_str(&frames[0]).expect("JSON");
        assert_eq!(first["event"], "media");
        assert_eq!(first["streamSid"], "MZ1");
        let payload = BASE64
            .decode(first["media"]["payload"].as_str().expect("payload"))
            .expect("base64");
        assert_eq!(payload.len(), 160);
        let mark: serde_json::Value =
            serde_json::from_str(&render_output("MZ1", &CallOutput::Mark("piece-1".to_owned()))[0])
                .expect("JSON");
        assert_eq!(
            mark,
            json!({"event": "mark", "streamSid": "MZ1", "mark": {"name": "piece-1"}})
        );
        let clear: serde_json::Value =
            serde_json::from_str(&render_output("MZ1", &CallOutput::Clear)[0]).expect("JSON");
        assert_eq!(clear, json!({"event": "clear", "streamSid": "MZ1"}));
    }
}

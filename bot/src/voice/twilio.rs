//! `GET /v1/voice/twilio`: Twilio Media Streams, bidirectional. Twilio (or anything speaking its protocol) opens a
//! WebSocket and sends JSON text frames: `connected`, `start` (with `customParameters.caller`, the calling number
//! in E.164), `media` (base64 8 kHz mu-law), `dtmf`, `mark` (echoes of the marks Anxin sent, once played) and
//! `stop`. Anxin answers with `media` (base64 mu-law in 20 ms frames), `mark` after each spoken piece, and `clear`
//! when the caller talks over the answer.
//!
//! Frames are parsed here into [`CallInput`] and the call's [`CallOutput`] written back; everything else about the
//! call is in [`super::call`]. A frame that is not valid JSON or lacks what its event needs is logged and skipped:
//! one bad frame does not end a call.
//!
//! Twilio signs the WebSocket upgrade request as it signs its webhooks: `X-Twilio-Signature` is the base64 of the
//! HMAC-SHA1, keyed with the account's auth token, of the full URL it requested (scheme, host, path and query
//! string; a GET has no form parameters to append). With an auth token configured, an upgrade whose signature is
//! missing or matches none of the URLs the request may have been addressed as is refused with 403.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use futures_util::{SinkExt, StreamExt};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::json;
use sha1::Sha1;
use tokio::sync::mpsc;

use super::VoiceService;
use super::call::{CallInput, CallOutput, run_call};
use crate::error::AppError;

/// The header in which Twilio sends its request signature.
pub const SIGNATURE_HEADER: &str = "x-twilio-signature";

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

/// Why a request's signature was not accepted (for the log; it names neither the token nor the signature).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureProblem {
    Missing,
    Malformed,
    Mismatch,
}

impl SignatureProblem {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureProblem::Missing => "missing",
            SignatureProblem::Malformed => "not base64",
            SignatureProblem::Mismatch => "does not match",
        }
    }
}

/// The URLs under which Twilio may have signed a request that reached the server as `uri` with `headers`.
///
/// With a public URL configured it is that, followed by the path and query. Otherwise the host comes from
/// `X-Forwarded-Host` or `Host`, and the scheme from `X-Forwarded-Proto` (`https` meaning `wss`); without that header
/// both `wss` and `ws` are tried, since a TLS proxy in front of the server may not say. Each URL is also tried with
/// its default port added or removed, as Twilio's own validators do.
pub fn signed_url_candidates(
    public_url: Option<&str>,
    headers: &HeaderMap,
    uri: &Uri,
) -> Vec<String> {
    let path_and_query = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |path| path.as_str().to_owned());
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.split(',').next())
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    let mut bases: Vec<String> = Vec::new();
    if let Some(public_url) = public_url {
        bases.push(public_url.trim_end_matches('/').to_owned());
    } else if let Some(host) = header("x-forwarded-host")
        .or_else(|| header("host"))
        .or_else(|| {
            uri.authority()
                .map(|authority| authority.as_str().to_owned())
        })
    {
        let schemes: Vec<&str> = match header("x-forwarded-proto")
            .map(|proto| proto.to_ascii_lowercase())
            .as_deref()
        {
            Some("https" | "wss") => vec!["wss"],
            Some("http" | "ws") => vec!["ws"],
            _ => vec!["wss", "ws"],
        };
        for scheme in schemes {
            bases.push(format!("{scheme}://{host}"));
        }
    }
    let mut candidates = Vec::new();
    for base in bases {
        for variant in with_and_without_default_port(&base) {
            let url = format!("{variant}{path_and_query}");
            if !candidates.contains(&url) {
                candidates.push(url);
            }
        }
    }
    candidates
}

/// `scheme://host[:port][/prefix]` as given, and with the scheme's default port removed or added.
fn with_and_without_default_port(base: &str) -> Vec<String> {
    let Some((scheme, rest)) = base.split_once("://") else {
        return vec![base.to_owned()];
    };
    let default_port = match scheme {
        "wss" | "https" => "443",
        "ws" | "http" => "80",
        _ => return vec![base.to_owned()],
    };
    let (authority, prefix) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, ""),
    };
    // An IPv6 literal keeps its colons inside brackets; the port follows the last `]`.
    let port_start = authority
        .rfind(':')
        .filter(|colon| authority.rfind(']').is_none_or(|bracket| bracket < *colon));
    let mut variants = vec![base.to_owned()];
    match port_start {
        Some(colon) if &authority[colon + 1..] == default_port => {
            variants.push(format!("{scheme}://{}{prefix}", &authority[..colon]));
        }
        Some(_) => {}
        None => variants.push(format!("{scheme}://{authority}:{default_port}{prefix}")),
    }
    variants
}

/// Checks `X-Twilio-Signature` against the URLs the request may have been addressed as.
pub fn verify_signature(
    auth_token: &str,
    headers: &HeaderMap,
    candidates: &[String],
) -> Result<(), SignatureProblem> {
    let signature = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .ok_or(SignatureProblem::Missing)?;
    let signature = BASE64
        .decode(signature.as_bytes())
        .map_err(|_| SignatureProblem::Malformed)?;
    for url in candidates {
        let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()) else {
            return Err(SignatureProblem::Mismatch);
        };
        mac.update(url.as_bytes());
        // A constant-time comparison.
        if mac.verify_slice(&signature).is_ok() {
            return Ok(());
        }
    }
    Err(SignatureProblem::Mismatch)
}

/// The route handler.
pub async fn twilio_stream(
    State(voice): State<VoiceService>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if let Some(auth_token) = &voice.settings().twilio_auth_token {
        let candidates = signed_url_candidates(
            voice.settings().twilio_public_url.as_deref(),
            &headers,
            &uri,
        );
        if let Err(problem) = verify_signature(auth_token.expose(), &headers, &candidates) {
            tracing::warn!(
                signature = problem.as_str(),
                path = uri.path(),
                "refused a Media Streams request not signed by Twilio"
            );
            metrics::counter!("anxin_voice_unsigned_requests_total").increment(1);
            return AppError::Forbidden(
                "the request does not carry a valid Twilio signature".to_owned(),
            )
            .into_response();
        }
    }
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

    /// Twilio's rule, written out here apart from the code under test.
    fn signed_by_twilio(auth_token: &str, url: &str) -> String {
        let mut mac = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).expect("any key length");
        mac.update(url.as_bytes());
        BASE64.encode(mac.finalize().into_bytes())
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, value.parse().expect("a header value"));
        }
        headers
    }

    #[test]
    fn hmac_sha1_matches_the_rfc_2202_vector() {
        // RFC 2202, test case 2: key "Jefe", data "what do ya want for nothing?".
        let mut mac = Hmac::<Sha1>::new_from_slice(b"Jefe").expect("any key length");
        mac.update(b"what do ya want for nothing?");
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        assert_eq!(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    }

    #[test]
    fn a_signature_over_the_full_url_with_its_query_is_accepted_and_others_are_not() {
        let token = "0123456789abcdef0123456789abcdef";
        let uri: Uri = "/v1/voice/twilio?tenant=demo&x=1".parse().expect("a URI");
        let url = "wss://voice.example.com/v1/voice/twilio?tenant=demo&x=1";
        let request = |signature: &str| {
            headers(&[
                ("host", "voice.example.com"),
                ("x-forwarded-proto", "https"),
                (SIGNATURE_HEADER, signature),
            ])
        };
        let good = request(&signed_by_twilio(token, url));
        let candidates = signed_url_candidates(None, &good, &uri);
        assert_eq!(verify_signature(token, &good, &candidates), Ok(()));
        // Signed with another token, over the URL without its query, or over another host: refused.
        for signature in [
            signed_by_twilio("another-token", url),
            signed_by_twilio(token, "wss://voice.example.com/v1/voice/twilio"),
            signed_by_twilio(
                token,
                "wss://elsewhere.example.com/v1/voice/twilio?tenant=demo&x=1",
            ),
        ] {
            let request = request(&signature);
            assert_eq!(
                verify_signature(token, &request, &candidates),
                Err(SignatureProblem::Mismatch)
            );
        }
        let unsigned = headers(&[("host", "voice.example.com")]);
        assert_eq!(
            verify_signature(token, &unsigned, &candidates),
            Err(SignatureProblem::Missing)
        );
        assert_eq!(
            verify_signature(token, &request("@@not base64@@"), &candidates),
            Err(SignatureProblem::Malformed)
        );
    }

    #[test]
    fn the_signed_url_is_rebuilt_from_the_public_url_or_the_forwarded_headers_with_and_without_the_port()
     {
        let uri: Uri = "/v1/voice/twilio?a=b".parse().expect("a URI");
        let plain = headers(&[("host", "127.0.0.1:8080")]);
        assert_eq!(
            signed_url_candidates(None, &plain, &uri),
            [
                "wss://127.0.0.1:8080/v1/voice/twilio?a=b",
                "ws://127.0.0.1:8080/v1/voice/twilio?a=b"
            ]
        );
        let proxied = headers(&[
            ("host", "10.0.0.5:8080"),
            ("x-forwarded-host", "voice.example.com"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(
            signed_url_candidates(None, &proxied, &uri),
            [
                "wss://voice.example.com/v1/voice/twilio?a=b",
                "wss://voice.example.com:443/v1/voice/twilio?a=b"
            ]
        );
        assert_eq!(
            signed_url_candidates(Some("wss://voice.example.com:443/anxin/"), &plain, &uri),
            [
                "wss://voice.example.com:443/anxin/v1/voice/twilio?a=b",
                "wss://voice.example.com/anxin/v1/voice/twilio?a=b"
            ]
        );
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

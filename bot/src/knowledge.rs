//! The lender's knowledge in service: the graph, the FAQ set and the FAQ index, loaded together, validated
//! together, and swapped in together, so a reader never sees a graph from one load and an index from another.
//!
//! Knowledge comes either from the files compiled into the binary (the demo lender's, `knowledge-graph/knowledge/`)
//! or from a folder of the same layout that a lender keeps: `*.toml` graph files at the top, `faq/*.toml` FAQ files,
//! and optionally the search tables `search/dictionary.txt`, `search/synonyms.txt`, `search/stopwords.txt` and
//! `search/traditional.txt` (the bundled ones are used for any that is missing). [`KnowledgeService::reload`]
//! re-reads the folder; a folder that does not validate leaves the knowledge in service untouched and reports every
//! problem with its file and line. Reloads are taken one at a time and the latest one's outcome is kept
//! ([`KnowledgeService::last_reload`]) for the administrators' status route. [`KnowledgeService::watch`] reloads a
//! folder by itself when its files change: a burst of changes (an editor's save, a `git pull`) becomes one reload
//! once the folder has been quiet for [`WATCH_QUIET`], and its success or every validation problem is logged.
//!
//! [`KnowledgeService::answer`] is what the chat asks when the dialog returns `LookUpKnowledge`: the FAQ entry that
//! answers the question, in the customer's language, when the search trusts it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use dialog::KnowledgeAnswer;
use knowledge_graph::search::{FaqIndex, Hit, SearchOptions};
use knowledge_graph::{FaqSet, KnowledgeGraph, LoadError, Source, ValidationError};
use nlu::Lang;

use crate::semantic::{SemanticIndex, Semantics};

/// Where the knowledge is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KnowledgeOrigin {
    /// The demo lender's files, compiled into the binary.
    Bundled,
    /// A lender's knowledge folder.
    Folder(PathBuf),
}

/// One consistent load of the knowledge.
#[derive(Debug)]
pub struct KnowledgeBase {
    pub graph: KnowledgeGraph,
    pub faq: FaqSet,
    pub index: FaqIndex,
    /// The phrasings' vectors for search by meaning, when the sentence encoder is in use.
    pub semantic: Option<SemanticIndex>,
}

/// Why knowledge could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    /// The files were read but do not validate; every problem with its file and line.
    #[error("the knowledge does not validate:\n{0}")]
    Invalid(LoadError),
    /// A file or the folder could not be read, or the index could not be built.
    #[error("{0:#}")]
    Unreadable(anyhow::Error),
}

impl KnowledgeBase {
    /// Validates graph and FAQ files and indexes the FAQ.
    pub fn load(
        graph_files: &[Source<'_>],
        faq_files: &[Source<'_>],
        options: &SearchOptions,
    ) -> Result<KnowledgeBase, KnowledgeError> {
        let graph = KnowledgeGraph::load(graph_files).map_err(KnowledgeError::Invalid)?;
        let faq = FaqSet::load(faq_files, &graph).map_err(KnowledgeError::Invalid)?;
        let index = FaqIndex::build(&faq, options)
            .map_err(|error| KnowledgeError::Unreadable(error.into()))?;
        Ok(KnowledgeBase {
            graph,
            faq,
            index,
            semantic: None,
        })
    }

    /// The demo lender's knowledge, compiled in.
    pub fn bundled() -> Result<KnowledgeBase, KnowledgeError> {
        let graph_files: Vec<Source<'_>> = knowledge_graph::DEMO_KNOWLEDGE
            .iter()
            .map(|(name, text)| Source { name, text })
            .collect();
        let faq_files: Vec<Source<'_>> = knowledge_graph::DEMO_FAQ
            .iter()
            .map(|(name, text)| Source { name, text })
            .collect();
        KnowledgeBase::load(&graph_files, &faq_files, &SearchOptions::default())
    }

    /// A knowledge folder: `*.toml` graph files, `faq/*.toml` FAQ files, optional `search/*.txt` tables.
    pub fn from_folder(folder: &Path) -> Result<KnowledgeBase, KnowledgeError> {
        let graph_files = read_toml_files(folder).map_err(KnowledgeError::Unreadable)?;
        let faq_files = read_toml_files(&folder.join("faq")).map_err(KnowledgeError::Unreadable)?;
        let mut options = SearchOptions::default();
        let search = folder.join("search");
        for (name, table) in [
            ("dictionary.txt", &mut options.dictionary),
            ("synonyms.txt", &mut options.synonyms),
            ("stopwords.txt", &mut options.stopwords),
            ("traditional.txt", &mut options.traditional),
        ] {
            let path = search.join(name);
            if path.is_file() {
                *table = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {}", path.display()))
                    .map_err(KnowledgeError::Unreadable)?;
            }
        }
        let graph_sources: Vec<Source<'_>> = graph_files
            .iter()
            .map(|(name, text)| Source { name, text })
            .collect();
        let faq_sources: Vec<Source<'_>> = faq_files
            .iter()
            .map(|(name, text)| Source { name, text })
            .collect();
        KnowledgeBase::load(&graph_sources, &faq_sources, &options)
    }

    /// The best five entries for `question`, with the confidence the first needs to be given as the answer.
    ///
    /// Two tiers: the lexical search answers at once when it is sure (at or above the hybrid options'
    /// `lexical_shortcut`) or when there is no encoder; otherwise the question is embedded and the entries are ranked
    /// by the blend of words and meaning.
    pub fn rank(&self, question: &str, lang: knowledge_graph::Lang) -> (Vec<Hit>, f32) {
        self.rank_by(question, lang, true)
    }

    /// [`KnowledgeBase::rank`], by words alone unless `by_meaning`.
    pub fn rank_by(
        &self,
        question: &str,
        lang: knowledge_graph::Lang,
        by_meaning: bool,
    ) -> (Vec<Hit>, f32) {
        let all = self.index.search(question, Some(lang), usize::MAX);
        let lexical_threshold = self.index.calibration().threshold;
        let semantic = self
            .semantic
            .as_ref()
            .filter(|semantic| by_meaning && !semantic.options().words_suffice(&all));
        if let Some(semantic) = semantic
            && let Some(vector) = semantic.embed_question(question)
        {
            let options = semantic.options();
            let hits = self
                .index
                .blend(&all, &vector, semantic.vectors(), options, RANKED);
            return (hits, options.threshold);
        }
        let mut hits = all;
        hits.truncate(RANKED);
        (hits, lexical_threshold)
    }

    /// The FAQ answer to `question` in `lang`, when the search trusts it.
    ///
    /// `intent` is the classifier's reading when it was confident. It is a hint, not a filter: the entry the search
    /// ranks first wins unless an entry of that intent is nearly as likely, since the classifier and the search err
    /// on different questions. For an intent answered from the customer's account the knowledge is searched by words
    /// alone: only a strong general answer would be given instead of the account's, and words find those, while
    /// embedding every account question would cost tens of milliseconds of CPU a turn.
    pub fn answer(
        &self,
        question: &str,
        intent: Option<&str>,
        lang: Lang,
    ) -> Option<KnowledgeAnswer> {
        let kg_lang = match lang {
            Lang::En => knowledge_graph::Lang::En,
            _ => knowledge_graph::Lang::Zh,
        };
        let (hits, threshold) = self.rank_for(question, intent, kg_lang);
        let chosen = hits.first()?;
        if chosen.confidence < threshold {
            return None;
        }
        let entry = self.index.entry(&chosen.faq_id)?;
        let answer = entry.answer(kg_lang);
        Some(KnowledgeAnswer {
            text: answer.text,
            entry_id: entry.id.clone(),
            sources: answer.sources,
            intent: entry.intent.clone(),
            confidence: chosen.confidence,
            personal: entry.tags.iter().any(|tag| tag == PERSONAL_TAG),
        })
    }

    /// The ranking [`KnowledgeBase::answer`] takes its answer from, with the confidence the first needs: by words
    /// alone for an account intent, and with the first entry of `intent` whose confidence comes within
    /// [`INTENT_HINT_MARGIN`] of the best moved to the front.
    pub fn rank_for(
        &self,
        question: &str,
        intent: Option<&str>,
        lang: knowledge_graph::Lang,
    ) -> (Vec<Hit>, f32) {
        let by_meaning = intent.is_none_or(|intent| !dialog::routing::needs_account(intent));
        let (mut hits, threshold) = self.rank_by(question, lang, by_meaning);
        let best = hits.first().map_or(0.0, |hit| hit.confidence);
        let preferred = intent.and_then(|intent| {
            hits.iter().position(|hit| {
                hit.confidence >= best * INTENT_HINT_MARGIN
                    && self
                        .index
                        .entry(&hit.faq_id)
                        .is_some_and(|entry| entry.intent.as_deref() == Some(intent))
            })
        });
        if let Some(position) = preferred {
            let hit = hits.remove(position);
            hits.insert(0, hit);
        }
        (hits, threshold)
    }
}

/// The FAQ tag of entries about the customer's own account, whose general answers point to the account.
pub const PERSONAL_TAG: &str = "personal";

/// How many ranked entries [`KnowledgeBase::rank`] returns.
const RANKED: usize = 5;

/// How close to the best hit's confidence an entry of the classifier's intent must come to be preferred.
const INTENT_HINT_MARGIN: f32 = 0.8;

/// The knowledge in service, swappable without a restart. Cheap to clone.
#[derive(Debug, Clone)]
pub struct KnowledgeService {
    current: Arc<RwLock<Arc<KnowledgeBase>>>,
    origin: KnowledgeOrigin,
    /// Held for the whole of a reload, so that two reloads (a request and the watch) never interleave and the
    /// later one always reads the later files.
    reloading: Arc<Mutex<()>>,
    last_reload: Arc<Mutex<Option<ReloadRecord>>>,
    /// The sentence encoder and its phrasing vectors, when FAQ search by meaning is in use.
    semantics: Option<Arc<Semantics>>,
}

/// What asked for a reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReloadTrigger {
    /// `POST /v1/knowledge/reload` (or a caller of [`KnowledgeService::reload`]).
    Request,
    /// The watch on the knowledge folder saw its files change.
    Watch,
}

impl ReloadTrigger {
    pub fn as_str(self) -> &'static str {
        match self {
            ReloadTrigger::Request => "request",
            ReloadTrigger::Watch => "watch",
        }
    }
}

/// Why a reload left the knowledge in service as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReloadFailure {
    /// Every problem of the files, with its file and line.
    Invalid(Vec<ValidationError>),
    /// A file or the folder could not be read, or the index could not be built.
    Unreadable(String),
}

/// The outcome of one reload.
#[derive(Debug, Clone)]
pub struct ReloadRecord {
    pub trigger: ReloadTrigger,
    pub finished_at: chrono::DateTime<chrono::Utc>,
    pub elapsed: Duration,
    /// `None` when the new knowledge went into service.
    pub failure: Option<ReloadFailure>,
}

/// How long the knowledge folder must stay quiet after a change before the watch reloads it.
pub const WATCH_QUIET: Duration = Duration::from_millis(400);

impl KnowledgeService {
    /// Loads the knowledge from `origin`, searched by words alone.
    pub fn load(origin: KnowledgeOrigin) -> Result<KnowledgeService, KnowledgeError> {
        KnowledgeService::load_with(origin, None)
    }

    /// Loads the knowledge from `origin`; with `semantics`, its phrasings (and those of every later reload) are
    /// embedded so that questions are searched by meaning too.
    pub fn load_with(
        origin: KnowledgeOrigin,
        semantics: Option<Arc<Semantics>>,
    ) -> Result<KnowledgeService, KnowledgeError> {
        let started = Instant::now();
        let base = match &origin {
            KnowledgeOrigin::Bundled => KnowledgeBase::bundled()?,
            KnowledgeOrigin::Folder(folder) => KnowledgeBase::from_folder(folder)?,
        };
        let base = attach_vectors(semantics.as_deref(), base);
        tracing::info!(
            nodes = base.graph.node_count(),
            faq_entries = base.faq.len(),
            origin = ?origin,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "knowledge loaded"
        );
        Ok(KnowledgeService {
            current: Arc::new(RwLock::new(Arc::new(base))),
            origin,
            reloading: Arc::new(Mutex::new(())),
            last_reload: Arc::new(Mutex::new(None)),
            semantics,
        })
    }

    /// Gives a freshly loaded base the vectors of its phrasings; on failure it is searched by words alone.
    fn with_vectors(&self, base: KnowledgeBase) -> KnowledgeBase {
        attach_vectors(self.semantics.as_deref(), base)
    }

    /// The knowledge in service now. Hold it for one question, not longer, so a reload takes effect.
    pub fn current(&self) -> Arc<KnowledgeBase> {
        Arc::clone(
            &self
                .current
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    pub fn origin(&self) -> &KnowledgeOrigin {
        &self.origin
    }

    /// Puts `base` in service; questions already being answered finish with the knowledge they started with.
    pub fn replace(&self, base: KnowledgeBase) {
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(base);
    }

    /// Reads the origin again and, if it validates, puts it in service. On error the knowledge in service stays.
    pub fn reload(&self) -> Result<Arc<KnowledgeBase>, KnowledgeError> {
        self.reload_for(ReloadTrigger::Request)
    }

    /// [`KnowledgeService::reload`], recording what asked for it. Reloads run one at a time; readers keep
    /// answering from the knowledge in service meanwhile, and the new knowledge replaces it in one step.
    pub fn reload_for(&self, trigger: ReloadTrigger) -> Result<Arc<KnowledgeBase>, KnowledgeError> {
        let _one_at_a_time = self
            .reloading
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let started = Instant::now();
        let loaded = match &self.origin {
            KnowledgeOrigin::Bundled => KnowledgeBase::bundled(),
            KnowledgeOrigin::Folder(folder) => KnowledgeBase::from_folder(folder),
        };
        let failure = match &loaded {
            Ok(_) => None,
            Err(KnowledgeError::Invalid(error)) => Some(ReloadFailure::Invalid(error.0.clone())),
            Err(KnowledgeError::Unreadable(error)) => {
                Some(ReloadFailure::Unreadable(format!("{error:#}")))
            }
        };
        let outcome = loaded.map(|base| {
            self.replace(self.with_vectors(base));
            self.current()
        });
        *self
            .last_reload
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(ReloadRecord {
            trigger,
            finished_at: chrono::Utc::now(),
            elapsed: started.elapsed(),
            failure,
        });
        outcome
    }

    /// The outcome of the latest reload since the server started, if any.
    pub fn last_reload(&self) -> Option<ReloadRecord> {
        self.last_reload
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Watches the knowledge folder (nothing to watch for the bundled knowledge) and reloads it after its files
    /// change, until `stop` completes. Changes to `*.toml` and `*.txt` files count; a burst of them becomes one
    /// reload once the folder has been quiet for [`WATCH_QUIET`]. Each reload's success, or every validation
    /// problem, is logged; a folder that does not validate leaves the knowledge in service.
    ///
    /// Must be called within a Tokio runtime. Fails when the operating system refuses the watch.
    pub fn watch(&self, stop: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        use notify::Watcher;

        let KnowledgeOrigin::Folder(folder) = &self.origin else {
            return Ok(());
        };
        // One pending signal is enough: the reload reads the whole folder anyway.
        let (changed, mut changes) = tokio::sync::mpsc::channel::<()>(1);
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
                Ok(event) if is_knowledge_change(&event) => {
                    let _ = changed.try_send(());
                }
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "the knowledge folder watch reported an error")
                }
            })
            .context("cannot set up a watch on the knowledge folder")?;
        watcher
            .watch(folder, notify::RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch the knowledge folder {}", folder.display()))?;
        tracing::info!(folder = %folder.display(), "watching the knowledge folder for changes");
        let service = self.clone();
        tokio::spawn(async move {
            // The watch lasts as long as this task.
            let _watcher = watcher;
            let mut stop = std::pin::pin!(stop);
            loop {
                tokio::select! {
                    () = &mut stop => return,
                    change = changes.recv() => if change.is_none() { return },
                }
                // Wait for the burst to end.
                loop {
                    match tokio::time::timeout(WATCH_QUIET, changes.recv()).await {
                        Ok(Some(())) => continue,
                        Ok(None) => return,
                        Err(_quiet) => break,
                    }
                }
                let reloading = service.clone();
                match tokio::task::spawn_blocking(move || {
                    reloading.reload_for(ReloadTrigger::Watch)
                })
                .await
                {
                    Ok(Ok(base)) => tracing::info!(
                        nodes = base.graph.node_count(),
                        relations = base.graph.relation_count(),
                        faq_entries = base.faq.len(),
                        "the knowledge folder changed; reloaded"
                    ),
                    Ok(Err(KnowledgeError::Invalid(error))) => tracing::warn!(
                        problems = error.0.len(),
                        "the knowledge folder changed but does not validate; the knowledge in service stays:\n{error}"
                    ),
                    Ok(Err(KnowledgeError::Unreadable(error))) => tracing::error!(
                        error = format!("{error:#}"),
                        "the knowledge folder changed but cannot be read; the knowledge in service stays"
                    ),
                    Err(error) => tracing::error!(%error, "the knowledge reload stopped"),
                }
            }
        });
        Ok(())
    }

    /// See [`KnowledgeBase::answer`].
    pub fn answer(
        &self,
        question: &str,
        intent: Option<&str>,
        lang: Lang,
    ) -> Option<KnowledgeAnswer> {
        self.current().answer(question, intent, lang)
    }
}

/// Whether a file-system event may change the knowledge: a `*.toml` or `*.txt` file (or a folder) created, changed,
/// renamed or removed. Reads, and editors' swap and backup files, do not count.
/// Gives `base` the vectors of its phrasings from `semantics`; on failure it is searched by words alone.
fn attach_vectors(semantics: Option<&Semantics>, mut base: KnowledgeBase) -> KnowledgeBase {
    if let Some(semantics) = semantics {
        match semantics.index_for(&base.index) {
            Ok(semantic) => base.semantic = Some(semantic),
            Err(error) => tracing::warn!(
                error = %format!("{error:#}"),
                "the FAQ cannot be searched by meaning; searching by words alone"
            ),
        }
    }
    base
}

fn is_knowledge_change(event: &notify::Event) -> bool {
    use notify::EventKind;
    if matches!(event.kind, EventKind::Access(_)) {
        return false;
    }
    event.paths.iter().any(|path| {
        path.extension()
            .is_some_and(|extension| extension == "toml" || extension == "txt")
            || matches!(
                event.kind,
                EventKind::Create(notify::event::CreateKind::Folder)
                    | EventKind::Remove(notify::event::RemoveKind::Folder)
            )
    })
}

/// The `*.toml` files directly in `folder`, sorted by name, as `(path as given, text)`.
fn read_toml_files(folder: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(folder)
        .with_context(|| format!("reading the knowledge folder {}", folder.display()))?
    {
        let path = entry?.path();
        if path.is_file()
            && path
                .extension()
                .is_some_and(|extension| extension == "toml")
        {
            paths.push(path);
        }
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            Ok((path.display().to_string(), text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_knowledge_answers_a_fact_in_both_languages() {
        let service = KnowledgeService::load(KnowledgeOrigin::Bundled).expect("bundled knowledge");
        let zh = service
            .answer("人工客服几点上班", None, Lang::Zh)
            .expect("an answer in Chinese");
        assert!(
            zh.text.contains("8:00") || zh.text.contains("08:00"),
            "{zh:?}"
        );
        let en = service
            .answer(
                "What is your customer service hotline number?",
                None,
                Lang::En,
            )
            .expect("an answer in English");
        assert!(en.text.contains("400-800-6688"), "{en:?}");
        assert!(
            service
                .answer("天王盖地虎，宝塔镇河妖", None, Lang::Zh)
                .is_none()
        );
    }

    #[test]
    fn a_folder_that_does_not_validate_leaves_the_knowledge_in_service() {
        let folder = tempfile::tempdir().expect("a temp folder");
        std::fs::create_dir(folder.path().join("faq")).expect("faq folder");
        for (name, text) in knowledge_graph::DEMO_KNOWLEDGE {
            let file = Path::new(name).file_name().expect("a file name");
            std::fs::write(folder.path().join(file), text).expect("graph file");
        }
        for (name, text) in knowledge_graph::DEMO_FAQ {
            let file = Path::new(name).file_name().expect("a file name");
            std::fs::write(folder.path().join("faq").join(file), text).expect("faq file");
        }
        let service = KnowledgeService::load(KnowledgeOrigin::Folder(folder.path().to_owned()))
            .expect("the copied demo knowledge loads");
        let entries = service.current().faq.len();

        std::fs::write(
            folder.path().join("broken.toml"),
            "[[relation]]\nfrom = \"lender\"\nkind = \"offers\"\nto = \"product.nowhere\"\n",
        )
        .expect("a broken file");
        let error = service.reload().expect_err("a broken reference is refused");
        let message = error.to_string();
        assert!(message.contains("broken.toml:1"), "{message}");
        assert!(message.contains("product.nowhere"), "{message}");
        assert_eq!(service.current().faq.len(), entries);
    }

    #[test]
    fn the_watch_reloads_for_knowledge_files_only() {
        use notify::event::{AccessKind, CreateKind, DataChange, ModifyKind, RemoveKind};
        use notify::{Event, EventKind};
        let event = |kind: EventKind, path: &str| Event::new(kind).add_path(PathBuf::from(path));
        let written = EventKind::Modify(ModifyKind::Data(DataChange::Content));
        assert!(is_knowledge_change(&event(written, "/k/faq/fees.toml")));
        assert!(is_knowledge_change(&event(
            EventKind::Remove(RemoveKind::File),
            "/k/search/synonyms.txt"
        )));
        assert!(is_knowledge_change(&event(
            EventKind::Create(CreateKind::Folder),
            "/k/faq"
        )));
        assert!(!is_knowledge_change(&event(
            written,
            "/k/faq/.fees.toml.swp"
        )));
        assert!(!is_knowledge_change(&event(written, "/k/faq/fees.toml~")));
        assert!(!is_knowledge_change(&event(
            EventKind::Access(AccessKind::Any),
            "/k/lender.toml"
        )));
    }
}

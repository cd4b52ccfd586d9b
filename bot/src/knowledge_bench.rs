//! `anxin bench knowledge`: how long reloading a lender's knowledge folder takes when it holds many FAQ entries,
//! and how fast the chat's FAQ lookup answers from it.
//!
//! A fresh temporary folder gets the bundled graph and FAQ files plus generated FAQ files (`faq/generated-NNN.toml`,
//! 500 entries each), written as a lender would write them: every entry with three questions in each language, an
//! answer in each and a cited node, all distinct, so that validation and indexing do their full work. The folder is
//! loaded once, then reloaded several times through [`KnowledgeService::reload`] (reading every file, validating graph
//! and FAQ, building the index, swapping it in); each reload is timed from start to swap. Then generated questions
//! are answered through [`KnowledgeService::answer`], the chat's path, one at a time. The folder is removed at the end.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::bench::Latency;
use crate::knowledge::{KnowledgeOrigin, KnowledgeService};

/// What to measure and how much.
#[derive(Debug, Clone)]
pub struct KnowledgeBenchOptions {
    /// Generated FAQ entries, on top of the bundled ones.
    pub faq_entries: usize,
    /// Timed reloads after the first load.
    pub reloads: usize,
    /// Questions answered for the lookup latency.
    pub queries: usize,
}

/// Entries per generated file.
const ENTRIES_PER_FILE: usize = 500;

const PRODUCTS: [(&str, &str); 5] = [
    ("随借", "cash loan"),
    ("分期", "instalment loan"),
    ("车贷", "car loan"),
    ("装修贷", "renovation loan"),
    ("教育贷", "education loan"),
];

const TOPICS: [(&str, &str); 8] = [
    ("宽限期", "grace period"),
    ("罚息", "penalty interest"),
    ("提前结清", "early settlement"),
    ("自动扣款", "automatic debit"),
    ("额度", "credit limit"),
    ("结清证明", "settlement certificate"),
    ("发票", "invoice"),
    ("征信", "credit report"),
];

/// Sixteen syllables that spell a plan's code without digits (answers may state no number their sources do not).
const CODE_ZH: [char; 16] = [
    '甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸', '子', '丑', '寅', '卯', '辰', '巳',
];
const CODE_EN: [&str; 16] = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
    "kilo", "lima", "mike", "november", "oscar", "papa",
];

/// The plan code of a variant number, in both languages: two or more syllables.
fn plan_code(mut variant: usize) -> (String, String) {
    let mut zh = String::new();
    let mut en = Vec::new();
    loop {
        zh.push(CODE_ZH[variant % 16]);
        en.push(CODE_EN[variant % 16]);
        variant /= 16;
        if variant == 0 && zh.chars().count() >= 2 {
            break;
        }
    }
    (zh, en.join(" "))
}

/// The questions (zh, en) and answers (zh, en) of generated entry `number`.
fn generated_entry(number: usize) -> ([String; 3], [String; 3], String, String) {
    let (product_zh, product_en) = PRODUCTS[number % PRODUCTS.len()];
    let (topic_zh, topic_en) = TOPICS[(number / PRODUCTS.len()) % TOPICS.len()];
    let (code_zh, code_en) = plan_code(number / (PRODUCTS.len() * TOPICS.len()));
    let product_zh = format!("{product_zh}{code_zh}计划");
    let product_en = format!("{product_en} plan {code_en}");
    (
        [
            format!("{product_zh}的{topic_zh}怎么算"),
            format!("{product_zh}{topic_zh}是什么规定"),
            format!("请问{product_zh}的{topic_zh}"),
        ],
        [
            format!("how does the {topic_en} of the {product_en} work"),
            format!("{product_en} {topic_en} rules"),
            format!("tell me about {topic_en} for the {product_en}"),
        ],
        format!("{product_zh}的{topic_zh}按借款合同约定办理，详情请在App中查看。"),
        format!(
            "The {topic_en} of the {product_en} follows your loan contract; the app shows the details."
        ),
    )
}

/// A FAQ file of generated entries `range`.
fn generated_faq_file(range: std::ops::Range<usize>) -> String {
    let mut text = String::from("# Generated for `anxin bench knowledge`.\n");
    for number in range {
        let (zh, en, answer_zh, answer_en) = generated_entry(number);
        let quoted = |questions: &[String; 3]| {
            questions
                .iter()
                .map(|question| format!("{question:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = write!(
            text,
            "\n[[faq]]\nid = \"faq.generated.n{number}\"\nintent = \"none\"\nquestions_zh = [{}]\nquestions_en = [{}]\nanswer_zh = {answer_zh:?}\nanswer_en = {answer_en:?}\nsources = [\"lender\"]\ntags = [\"generated\"]\n",
            quoted(&zh),
            quoted(&en),
        );
    }
    text
}

/// Writes the bundled knowledge and `faq_entries` generated entries into `folder`.
fn write_folder(folder: &Path, faq_entries: usize) -> anyhow::Result<()> {
    let faq_folder = folder.join("faq");
    std::fs::create_dir_all(&faq_folder)
        .with_context(|| format!("creating {}", faq_folder.display()))?;
    let file_name = |name: &str| {
        Path::new(name)
            .file_name()
            .map(|file| file.to_owned())
            .with_context(|| format!("{name} has no file name"))
    };
    for (name, text) in knowledge_graph::DEMO_KNOWLEDGE {
        std::fs::write(folder.join(file_name(name)?), text)?;
    }
    for (name, text) in knowledge_graph::DEMO_FAQ {
        std::fs::write(faq_folder.join(file_name(name)?), text)?;
    }
    for (file, start) in (0..faq_entries).step_by(ENTRIES_PER_FILE).enumerate() {
        let end = (start + ENTRIES_PER_FILE).min(faq_entries);
        std::fs::write(
            faq_folder.join(format!("generated-{file:03}.toml")),
            generated_faq_file(start..end),
        )?;
    }
    Ok(())
}

/// Removes the temporary folder when the bench ends, however it ends.
struct TemporaryFolder(PathBuf);

impl Drop for TemporaryFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the knowledge bench and prints its numbers.
pub fn run(options: &KnowledgeBenchOptions) -> anyhow::Result<()> {
    let folder = TemporaryFolder(std::env::temp_dir().join(format!(
        "anxin-bench-knowledge-{}",
        uuid::Uuid::new_v4().simple()
    )));
    let started = Instant::now();
    write_folder(&folder.0, options.faq_entries)?;
    let bytes: u64 = walk_sizes(&folder.0)?;
    println!(
        "knowledge folder: {} generated FAQ entries plus the bundled ones, {:.1} MB, written in {}",
        options.faq_entries,
        bytes as f64 / 1e6,
        show(started.elapsed())
    );

    let started = Instant::now();
    let service = KnowledgeService::load(KnowledgeOrigin::Folder(folder.0.clone()))
        .map_err(|error| anyhow::anyhow!("{error}"))
        .context("the generated knowledge does not load")?;
    let first_load = started.elapsed();
    let entries = service.current().faq.len();
    println!(
        "first load: {} FAQ entries, {} nodes, in {}",
        entries,
        service.current().graph.node_count(),
        show(first_load)
    );

    phases(&folder.0)?;

    let mut reloads = Vec::with_capacity(options.reloads);
    for _ in 0..options.reloads {
        let started = Instant::now();
        let base = service
            .reload()
            .map_err(|error| anyhow::anyhow!("{error}"))
            .context("a reload failed")?;
        reloads.push(started.elapsed());
        anyhow::ensure!(base.faq.len() == entries, "a reload lost entries");
    }
    if let Some(latency) = Latency::from_samples(reloads) {
        println!(
            "reload (read, validate, index, swap), {} entries: n={} p50={} max={} mean={}",
            entries,
            latency.samples,
            show(latency.p50),
            show(latency.max),
            show(latency.mean)
        );
    }

    let mut lookups = Vec::with_capacity(options.queries);
    let mut answered_right = 0;
    let step = (options.faq_entries / options.queries.max(1)).max(1);
    for query in 0..options.queries {
        let number = (query * step + 7) % options.faq_entries.max(1);
        let (zh, en, _, _) = generated_entry(number);
        let (question, lang) = if query % 2 == 0 {
            (&zh[1], nlu::Lang::Zh)
        } else {
            (&en[1], nlu::Lang::En)
        };
        let started = Instant::now();
        let answer = service.answer(question, None, lang);
        lookups.push(started.elapsed());
        if answer.is_some_and(|answer| answer.entry_id == format!("faq.generated.n{number}")) {
            answered_right += 1;
        }
    }
    if let Some(latency) = Latency::from_samples(lookups) {
        println!(
            "FAQ lookup (the chat's path), {} entries: n={} p50={} p90={} p99={} max={} ({} of {} answered with their own entry)",
            entries,
            latency.samples,
            show(latency.p50),
            show(latency.p90),
            show(latency.p99),
            show(latency.max),
            answered_right,
            options.queries
        );
    }
    Ok(())
}

/// One load of the folder phase by phase (reading, graph, FAQ validation, index), to show where a reload's time goes.
fn phases(folder: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let read = |folder: &Path| -> anyhow::Result<Vec<(String, String)>> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(folder)? {
            let path = entry?.path();
            if path
                .extension()
                .is_some_and(|extension| extension == "toml")
            {
                files.push((path.display().to_string(), std::fs::read_to_string(&path)?));
            }
        }
        files.sort();
        Ok(files)
    };
    let graph_files = read(folder)?;
    let faq_files = read(&folder.join("faq"))?;
    let reading = started.elapsed();
    let sources = |files: &[(String, String)]| -> Vec<(String, String)> { files.to_vec() };
    let graph_files = sources(&graph_files);
    let graph_sources: Vec<knowledge_graph::Source<'_>> = graph_files
        .iter()
        .map(|(name, text)| knowledge_graph::Source { name, text })
        .collect();
    let faq_sources: Vec<knowledge_graph::Source<'_>> = faq_files
        .iter()
        .map(|(name, text)| knowledge_graph::Source { name, text })
        .collect();
    let started = Instant::now();
    let graph = knowledge_graph::KnowledgeGraph::load(&graph_sources)?;
    let graph_time = started.elapsed();
    let started = Instant::now();
    let faq = knowledge_graph::FaqSet::load(&faq_sources, &graph)?;
    let faq_time = started.elapsed();
    let started = Instant::now();
    let index = knowledge_graph::search::FaqIndex::build(
        &faq,
        &knowledge_graph::search::SearchOptions::default(),
    )?;
    let index_time = started.elapsed();
    println!(
        "one load by phase: reading {}, graph {}, FAQ validation {}, index {} ({} entries)",
        show(reading),
        show(graph_time),
        show(faq_time),
        show(index_time),
        index.entries().len()
    );
    Ok(())
}

fn walk_sizes(folder: &Path) -> anyhow::Result<u64> {
    let mut total = 0;
    for entry in std::fs::read_dir(folder)? {
        let entry = entry?;
        let metadata = entry.metadata()?;
        total += if metadata.is_dir() {
            walk_sizes(&entry.path())?
        } else {
            metadata.len()
        };
    }
    Ok(total)
}

fn show(duration: Duration) -> String {
    if duration >= Duration::from_secs(1) {
        format!("{:.2} s", duration.as_secs_f64())
    } else {
        format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_entries_validate_as_a_lenders_files_would() {
        let folder = TemporaryFolder(std::env::temp_dir().join(format!(
            "anxin-bench-knowledge-test-{}",
            uuid::Uuid::new_v4().simple()
        )));
        write_folder(&folder.0, 1_200).expect("the folder is written");
        assert_eq!(
            std::fs::read_dir(folder.0.join("faq"))
                .expect("the faq folder")
                .filter(|entry| entry.as_ref().is_ok_and(|entry| entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with("generated-")))
                .count(),
            3
        );
        let service = KnowledgeService::load(KnowledgeOrigin::Folder(folder.0.clone()))
            .expect("generated entries validate");
        let bundled = knowledge_graph::KnowledgeGraph::demo()
            .and_then(|graph| knowledge_graph::FaqSet::demo(&graph).map(|faq| faq.len()))
            .expect("the bundled FAQ");
        assert_eq!(service.current().faq.len(), bundled + 1_200);
        let (_, en, _, answer_en) = generated_entry(1_000);
        let answer = service
            .answer(&en[0], None, nlu::Lang::En)
            .expect("a generated question is answered");
        assert_eq!(answer.entry_id, "faq.generated.n1000");
        assert_eq!(answer.text, answer_en);
        assert_ne!(plan_code(0), plan_code(16));
        assert_eq!(plan_code(17).0.chars().count(), 2);
    }
}

//! Reading knowledge files and validating them as a whole.
//!
//! A file holds `[[node]]` tables (`id`, `kind`, `zh`, `en`, and `[node.attributes]` whose values are either one
//! string for both languages or `{ zh = "...", en = "..." }`) and `[[relation]]` tables (`from`, `kind`, `to`, and
//! `order` for steps). Ids are global across files, so a relation may point into another file. Every problem is
//! reported, not just the first, each with its file and line.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use petgraph::graph::DiGraph;
use serde::Deserialize;
use toml::Spanned;

use crate::KnowledgeGraph;
use crate::model::{LocalText, Node, NodeKind, Relation, RelationKind};

/// One knowledge file's name (for messages) and text.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// A problem at a place in a knowledge file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:{}: {}", self.file, self.line, self.message)
    }
}

/// Knowledge that could not be loaded: every problem found, in file order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} problem(s) in the knowledge files:\n{}", .0.len(), .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
pub struct LoadError(pub Vec<ValidationError>);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    node: Vec<Spanned<RawNode>>,
    #[serde(default)]
    relation: Vec<Spanned<RawRelation>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNode {
    id: Option<String>,
    kind: Option<String>,
    zh: Option<String>,
    en: Option<String>,
    #[serde(default)]
    attributes: BTreeMap<String, RawText>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawText {
    Same(String),
    Both {
        zh: Option<String>,
        en: Option<String>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRelation {
    from: Option<String>,
    kind: Option<String>,
    to: Option<String>,
    order: Option<u32>,
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

struct Collector {
    errors: Vec<ValidationError>,
}

impl Collector {
    fn report(&mut self, file: &str, line: usize, message: String) {
        self.errors.push(ValidationError {
            file: file.to_owned(),
            line,
            message,
        });
    }
}

impl KnowledgeGraph {
    /// Loads and validates knowledge from several files.
    pub fn load(sources: &[Source<'_>]) -> Result<KnowledgeGraph, LoadError> {
        let mut collector = Collector { errors: Vec::new() };
        let mut graph = DiGraph::new();
        let mut by_id = HashMap::new();
        let mut pending_relations = Vec::new();

        for source in sources {
            let file: RawFile = match toml::from_str(source.text) {
                Ok(file) => file,
                Err(error) => {
                    let line = error
                        .span()
                        .map_or(1, |span| line_of(source.text, span.start));
                    collector.report(source.name, line, error.message().to_owned());
                    continue;
                }
            };
            for spanned in file.node {
                let line = line_of(source.text, spanned.span().start);
                let raw = spanned.into_inner();
                if let Some(node) = validate_node(raw, source.name, line, &mut collector) {
                    if let Some(&existing) = by_id.get(&node.id) {
                        let first: &Node = &graph[existing];
                        collector.report(
                            source.name,
                            line,
                            format!(
                                "duplicate node id {:?}, first defined at {}",
                                node.id, first.origin
                            ),
                        );
                        continue;
                    }
                    let id = node.id.clone();
                    by_id.insert(id, graph.add_node(node));
                }
            }
            for spanned in file.relation {
                let line = line_of(source.text, spanned.span().start);
                pending_relations.push((source.name, line, spanned.into_inner()));
            }
        }

        for (file, line, raw) in pending_relations {
            let mut missing = Vec::new();
            for (field, value) in [("from", &raw.from), ("kind", &raw.kind), ("to", &raw.to)] {
                if value.as_deref().is_none_or(str::is_empty) {
                    missing.push(field);
                }
            }
            if !missing.is_empty() {
                collector.report(file, line, format!("relation lacks {}", missing.join(", ")));
                continue;
            }
            let (from, kind_name, to) = (
                raw.from.unwrap_or_default(),
                raw.kind.unwrap_or_default(),
                raw.to.unwrap_or_default(),
            );
            let Some(kind) = RelationKind::from_name(&kind_name) else {
                let known: Vec<&str> = RelationKind::ALL.iter().map(|kind| kind.as_str()).collect();
                collector.report(
                    file,
                    line,
                    format!(
                        "unknown relation kind {kind_name:?} (known: {})",
                        known.join(", ")
                    ),
                );
                continue;
            };
            let mut endpoints = Vec::new();
            for id in [&from, &to] {
                match by_id.get(id) {
                    Some(&index) => endpoints.push(index),
                    None => collector.report(
                        file,
                        line,
                        format!("relation {kind_name} refers to unknown node {id:?}"),
                    ),
                }
            }
            if kind == RelationKind::HasStep && raw.order.is_none() {
                collector.report(
                    file,
                    line,
                    format!("has_step from {from:?} to {to:?} needs an order"),
                );
                continue;
            }
            if let [source_index, target_index] = endpoints[..] {
                graph.add_edge(
                    source_index,
                    target_index,
                    Relation {
                        kind,
                        order: raw.order,
                    },
                );
            }
        }

        if collector.errors.is_empty() {
            Ok(KnowledgeGraph { graph, by_id })
        } else {
            Err(LoadError(collector.errors))
        }
    }
}

fn validate_node(raw: RawNode, file: &str, line: usize, collector: &mut Collector) -> Option<Node> {
    let before = collector.errors.len();
    let id = raw.id.filter(|id| !id.trim().is_empty());
    if id.is_none() {
        collector.report(file, line, "node lacks an id".to_owned());
    }
    let label = id.clone().unwrap_or_else(|| "<no id>".to_owned());
    let kind = match raw.kind.as_deref() {
        None => {
            collector.report(file, line, format!("node {label:?} lacks a kind"));
            None
        }
        Some(name) => {
            let kind = NodeKind::from_name(name);
            if kind.is_none() {
                let known: Vec<&str> = NodeKind::ALL.iter().map(|kind| kind.as_str()).collect();
                collector.report(
                    file,
                    line,
                    format!(
                        "node {label:?} has unknown kind {name:?} (known: {})",
                        known.join(", ")
                    ),
                );
            }
            kind
        }
    };
    for (field, value) in [("zh", &raw.zh), ("en", &raw.en)] {
        if value.as_deref().is_none_or(|text| text.trim().is_empty()) {
            collector.report(file, line, format!("node {label:?} lacks its {field} name"));
        }
    }
    let mut attributes = BTreeMap::new();
    for (name, value) in raw.attributes {
        match value {
            RawText::Same(text) => {
                attributes.insert(
                    name,
                    LocalText {
                        zh: text.clone(),
                        en: text,
                    },
                );
            }
            RawText::Both {
                zh: Some(zh),
                en: Some(en),
            } => {
                attributes.insert(name, LocalText { zh, en });
            }
            RawText::Both { zh, .. } => {
                let lacking = if zh.is_none() { "zh" } else { "en" };
                collector.report(
                    file,
                    line,
                    format!("attribute {name:?} of node {label:?} lacks its {lacking} text"),
                );
            }
        }
    }
    if collector.errors.len() > before {
        return None;
    }
    Some(Node {
        id: id?,
        kind: kind?,
        name: LocalText {
            zh: raw.zh?,
            en: raw.en?,
        },
        attributes,
        origin: format!("{file}:{line}"),
    })
}

//! Questions the knowledge graph answers: a node's attribute, the nodes related to a node, a procedure's steps in
//! order. Each answer carries the ids of the nodes it was read from.

use petgraph::Direction;
use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::KnowledgeGraph;
use crate::model::{Lang, Node, NodeKind, RelationKind};

/// A fact in one language and the nodes it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub text: String,
    pub sources: Vec<String>,
}

impl KnowledgeGraph {
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.by_id.get(id).map(|&index| &self.graph[index])
    }

    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    pub fn relation_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Every node of a kind, sorted by id.
    pub fn nodes_of_kind(&self, kind: NodeKind) -> Vec<&Node> {
        let mut nodes: Vec<&Node> = self
            .graph
            .node_weights()
            .filter(|node| node.kind == kind)
            .collect();
        nodes.sort_by(|a, b| a.id.cmp(&b.id));
        nodes
    }

    /// An attribute of a node ("the longest term of the cash loan").
    pub fn attribute(&self, id: &str, attribute: &str, lang: Lang) -> Option<Answer> {
        let node = self.node(id)?;
        let value = node.attributes.get(attribute)?;
        Some(Answer {
            text: value.get(lang).to_owned(),
            sources: vec![node.id.clone()],
        })
    }

    /// The targets of `id`'s relations of `kind`, sorted by id.
    pub fn related(&self, id: &str, kind: RelationKind) -> Vec<&Node> {
        self.neighbours(id, kind, Direction::Outgoing)
    }

    /// The sources of relations of `kind` that point at `id` ("which banks support automatic debit"), sorted by id.
    pub fn related_to(&self, id: &str, kind: RelationKind) -> Vec<&Node> {
        self.neighbours(id, kind, Direction::Incoming)
    }

    fn neighbours(&self, id: &str, kind: RelationKind, direction: Direction) -> Vec<&Node> {
        let Some(&index) = self.by_id.get(id) else {
            return Vec::new();
        };
        let mut nodes: Vec<&Node> = self
            .graph
            .edges_directed(index, direction)
            .filter(|edge| edge.weight().kind == kind)
            .map(|edge| {
                let other = if direction == Direction::Outgoing {
                    edge.target()
                } else {
                    edge.source()
                };
                &self.graph[other]
            })
            .collect();
        nodes.sort_by(|a, b| a.id.cmp(&b.id));
        nodes.dedup_by(|a, b| a.id == b.id);
        nodes
    }

    /// The steps of a procedure in order.
    pub fn procedure_steps(&self, id: &str) -> Vec<&Node> {
        let Some(&index) = self.by_id.get(id) else {
            return Vec::new();
        };
        let mut steps: Vec<(u32, &Node)> = self
            .graph
            .edges_directed(index, Direction::Outgoing)
            .filter(|edge| edge.weight().kind == RelationKind::HasStep)
            .map(|edge| {
                (
                    edge.weight().order.unwrap_or(u32::MAX),
                    &self.graph[edge.target()],
                )
            })
            .collect();
        steps.sort_by_key(|(order, node)| (*order, node.id.clone()));
        steps.into_iter().map(|(_, node)| node).collect()
    }

    /// A procedure as one numbered text, with the procedure and every step as sources.
    pub fn procedure_answer(&self, id: &str, lang: Lang) -> Option<Answer> {
        let procedure = self.node(id)?;
        let steps = self.procedure_steps(id);
        if steps.is_empty() {
            return None;
        }
        let mut sources = vec![procedure.id.clone()];
        let lines: Vec<String> = steps
            .iter()
            .enumerate()
            .map(|(position, step)| {
                sources.push(step.id.clone());
                format!("{}. {}", position + 1, step.name.get(lang))
            })
            .collect();
        Some(Answer {
            text: lines.join("\n"),
            sources,
        })
    }
}

//! The whole graph as plain data, for programs and for people: [`GraphExport`] is every node (kind, names and
//! attributes in both languages, where it was written) and every relation, sorted so that two exports of the same
//! knowledge are identical, ready to serialise as JSON; [`KnowledgeGraph::to_dot`] writes the same graph in
//! Graphviz's DOT language, nodes labelled in both languages and filled with their kind's colour.
//!
//! Each kind has one colour ([`KindLegend`]), shared by the DOT output and by anything that draws the JSON, so a
//! picture made either way reads the same.

use petgraph::visit::EdgeRef;
use serde::Serialize;

use crate::KnowledgeGraph;
use crate::model::{LocalText, Node, NodeKind, RelationKind};

/// The graph as data: nodes sorted by id, relations sorted by source, kind, order and target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphExport {
    /// The kinds of node, in their fixed order, with their colour, names and how many nodes have them.
    pub kinds: Vec<KindLegend>,
    pub nodes: Vec<Node>,
    pub relations: Vec<ExportedRelation>,
}

/// One kind of node as a legend shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindLegend {
    pub kind: NodeKind,
    pub name: LocalText,
    /// A CSS and Graphviz colour, `#rrggbb`.
    pub colour: &'static str,
    pub count: usize,
}

/// One relation by the ids of its ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedRelation {
    pub from: String,
    pub kind: RelationKind,
    pub to: String,
    /// A step's place within its procedure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<u32>,
}

/// The fill colour of a kind of node.
pub fn kind_colour(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Lender => "#e45756",
        NodeKind::Product => "#4c78a8",
        NodeKind::Fee => "#f58518",
        NodeKind::Rule => "#b279a2",
        NodeKind::Procedure => "#54a24b",
        NodeKind::Step => "#a0d995",
        NodeKind::Channel => "#72b7b2",
        NodeKind::Bank => "#eeca3b",
        NodeKind::Policy => "#ff9da6",
        NodeKind::Service => "#9d755d",
    }
}

/// What a kind of node is called, in both languages.
pub fn kind_name(kind: NodeKind) -> LocalText {
    let (zh, en) = match kind {
        NodeKind::Lender => ("贷款机构", "Lender"),
        NodeKind::Product => ("产品", "Product"),
        NodeKind::Fee => ("费用", "Fee"),
        NodeKind::Rule => ("规则", "Rule"),
        NodeKind::Procedure => ("办理流程", "Procedure"),
        NodeKind::Step => ("步骤", "Step"),
        NodeKind::Channel => ("渠道", "Channel"),
        NodeKind::Bank => ("银行", "Bank"),
        NodeKind::Policy => ("政策", "Policy"),
        NodeKind::Service => ("服务", "Service"),
    };
    LocalText {
        zh: zh.to_owned(),
        en: en.to_owned(),
    }
}

impl KnowledgeGraph {
    /// Every node and relation as plain, sorted data.
    pub fn export(&self) -> GraphExport {
        let mut nodes: Vec<Node> = self.graph.node_weights().cloned().collect();
        nodes.sort_by(|a, b| a.id.cmp(&b.id));
        let mut relations: Vec<ExportedRelation> = self
            .graph
            .edge_references()
            .map(|edge| ExportedRelation {
                from: self.graph[edge.source()].id.clone(),
                kind: edge.weight().kind,
                to: self.graph[edge.target()].id.clone(),
                order: edge.weight().order,
            })
            .collect();
        relations.sort_by(|a, b| {
            (&a.from, a.kind.as_str(), a.order, &a.to).cmp(&(
                &b.from,
                b.kind.as_str(),
                b.order,
                &b.to,
            ))
        });
        let kinds = NodeKind::ALL
            .into_iter()
            .map(|kind| KindLegend {
                kind,
                name: kind_name(kind),
                colour: kind_colour(kind),
                count: nodes.iter().filter(|node| node.kind == kind).count(),
            })
            .collect();
        GraphExport {
            kinds,
            nodes,
            relations,
        }
    }

    /// The graph in Graphviz's DOT language: one statement per node (labelled `中文名\nEnglish name`, filled with
    /// its kind's colour, with `kind` and `tooltip` attributes) and one per relation (labelled with its kind, and a
    /// step's order), in the order of [`KnowledgeGraph::export`].
    pub fn to_dot(&self) -> String {
        let export = self.export();
        let mut dot = String::from(
            "digraph knowledge {\n  graph [rankdir=LR, fontname=\"sans-serif\"];\n  node [shape=box, style=\"rounded,filled\", fontname=\"sans-serif\"];\n  edge [fontname=\"sans-serif\", fontsize=10];\n",
        );
        for node in &export.nodes {
            dot.push_str(&format!(
                "  {} [label={}, kind={}, fillcolor=\"{}\", tooltip={}];\n",
                dot_string(&node.id),
                dot_string(&format!("{}\n{}", node.name.zh, node.name.en)),
                dot_string(node.kind.as_str()),
                kind_colour(node.kind),
                dot_string(&node.origin),
            ));
        }
        for relation in &export.relations {
            let label = match relation.order {
                Some(order) => format!("{} {order}", relation.kind.as_str()),
                None => relation.kind.as_str().to_owned(),
            };
            dot.push_str(&format!(
                "  {} -> {} [label={}];\n",
                dot_string(&relation.from),
                dot_string(&relation.to),
                dot_string(&label),
            ));
        }
        dot.push_str("}\n");
        dot
    }
}

/// A DOT double-quoted string: quotes and backslashes escaped, line breaks as `\n` (a centred line in a label).
fn dot_string(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => {}
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Source;

    #[test]
    fn the_export_holds_every_node_and_relation_in_a_stable_order() {
        let graph = KnowledgeGraph::demo().expect("the demo knowledge is valid");
        let export = graph.export();
        assert_eq!(export.nodes.len(), graph.node_count());
        assert_eq!(export.relations.len(), graph.relation_count());
        assert!(export.nodes.windows(2).all(|pair| pair[0].id < pair[1].id));
        assert_eq!(
            export
                .kinds
                .iter()
                .map(|legend| legend.count)
                .sum::<usize>(),
            graph.node_count()
        );
        assert_eq!(export, graph.export());

        let json = serde_json::to_value(&export).expect("the export serialises");
        let cash_loan = json["nodes"]
            .as_array()
            .expect("a node list")
            .iter()
            .find(|node| node["id"] == "product.cash_loan")
            .expect("the cash loan is a node");
        assert_eq!(cash_loan["kind"], "product");
        assert_eq!(cash_loan["name"]["zh"], "安心随借");
        assert_eq!(cash_loan["name"]["en"], "Anxin cash loan");
        assert_eq!(cash_loan["attributes"]["longest_term"]["zh"], "最长24期");
        assert!(
            json["relations"]
                .as_array()
                .expect("a relation list")
                .iter()
                .any(|relation| relation["from"] == "lender"
                    && relation["kind"] == "offers"
                    && relation["to"] == "product.cash_loan"
                    && relation.get("order").is_none())
        );
        let change_card_steps: Vec<u64> = json["relations"]
            .as_array()
            .expect("a relation list")
            .iter()
            .filter(|relation| {
                relation["from"] == "procedure.change_card" && relation["kind"] == "has_step"
            })
            .map(|relation| relation["order"].as_u64().expect("a step has its order"))
            .collect();
        assert_eq!(change_card_steps, [1, 2, 3]);
    }

    #[test]
    fn dot_names_every_node_and_relation_and_escapes_text() {
        let text = "[[node]]\nid = \"p\"\nkind = \"product\"\nzh = \"安心\\\"贷\\\"\"\nen = \"The \\\\ loan\"\n\n[[node]]\nid = \"f\"\nkind = \"fee\"\nzh = \"费\"\nen = \"Fee\"\n\n[[relation]]\nfrom = \"p\"\nkind = \"has_fee\"\nto = \"f\"\n";
        let graph = KnowledgeGraph::load(&[Source {
            name: "small.toml",
            text,
        }])
        .expect("a valid small graph");
        expect_test::expect![[r##"
            digraph knowledge {
              graph [rankdir=LR, fontname="sans-serif"];
              node [shape=box, style="rounded,filled", fontname="sans-serif"];
              edge [fontname="sans-serif", fontsize=10];
              "f" [label="费\nFee", kind="fee", fillcolor="#f58518", tooltip="small.toml:7"];
              "p" [label="安心\"贷\"\nThe \\ loan", kind="product", fillcolor="#4c78a8", tooltip="small.toml:1"];
              "p" -> "f" [label="has_fee"];
            }
        "##]]
        .assert_eq(&graph.to_dot());

        let demo = KnowledgeGraph::demo().expect("the demo knowledge is valid");
        let dot = demo.to_dot();
        assert_eq!(dot.matches(" -> ").count(), demo.relation_count());
        assert_eq!(dot.matches(", kind=\"").count(), demo.node_count());
        assert!(dot.contains(
            "  \"procedure.change_card\" -> \"step.change_card.open\" [label=\"has_step 1\"];\n"
        ));
    }
}

//! The lender's knowledge as a typed graph: products, their attributes, fees, rules, procedures with ordered steps,
//! channels, banks and policies, linked by typed relations, in Chinese and English.
//!
//! Knowledge is written by people in TOML files (`knowledge-graph/knowledge/*.toml` for the demo lender) and handed
//! to [`KnowledgeGraph::load`] as text, so the crate itself does no I/O. Loading validates everything at once and
//! names the file and line of every duplicate id, unknown kind, missing field and broken reference. Every answer
//! carries the ids of the nodes it came from, so a reply can say where a fact comes from.
//!
//! Beside the graph sit frequently asked questions ([`FaqSet`], from `knowledge/faq/*.toml`): ready answers in both
//! languages, each citing the graph nodes it rests on, and checked against them when loaded.

mod export;
mod faq;
mod load;
mod model;
mod query;
pub mod search;

pub use export::{ExportedRelation, GraphExport, KindLegend, kind_colour, kind_name};
pub use faq::{FaqEntry, FaqSet, INTENT_IDS, MIN_QUESTIONS_PER_LANGUAGE};
pub use load::{LoadError, Source, ValidationError};
pub use model::{Lang, LocalText, Node, NodeKind, Relation, RelationKind};
pub use query::Answer;

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex};

/// A validated knowledge graph.
#[derive(Debug, Clone)]
pub struct KnowledgeGraph {
    graph: DiGraph<Node, Relation>,
    by_id: HashMap<String, NodeIndex>,
}

/// The demo lender's knowledge files, compiled in: `(file name, text)`.
pub const DEMO_KNOWLEDGE: [(&str, &str); 7] = [
    (
        "knowledge/lender.toml",
        include_str!("../knowledge/lender.toml"),
    ),
    (
        "knowledge/repayment.toml",
        include_str!("../knowledge/repayment.toml"),
    ),
    (
        "knowledge/banks.toml",
        include_str!("../knowledge/banks.toml"),
    ),
    (
        "knowledge/credit.toml",
        include_str!("../knowledge/credit.toml"),
    ),
    (
        "knowledge/applying.toml",
        include_str!("../knowledge/applying.toml"),
    ),
    (
        "knowledge/service.toml",
        include_str!("../knowledge/service.toml"),
    ),
    (
        "knowledge/collections.toml",
        include_str!("../knowledge/collections.toml"),
    ),
];

/// The demo lender's FAQ files, compiled in: `(file name, text)`. [`FaqSet::demo`] loads them.
pub const DEMO_FAQ: [(&str, &str); 7] = [
    (
        "knowledge/faq/products.toml",
        include_str!("../knowledge/faq/products.toml"),
    ),
    (
        "knowledge/faq/repayment.toml",
        include_str!("../knowledge/faq/repayment.toml"),
    ),
    (
        "knowledge/faq/early_repayment.toml",
        include_str!("../knowledge/faq/early_repayment.toml"),
    ),
    (
        "knowledge/faq/lateness_credit.toml",
        include_str!("../knowledge/faq/lateness_credit.toml"),
    ),
    (
        "knowledge/faq/applying_limits.toml",
        include_str!("../knowledge/faq/applying_limits.toml"),
    ),
    (
        "knowledge/faq/service.toml",
        include_str!("../knowledge/faq/service.toml"),
    ),
    (
        "knowledge/faq/collections.toml",
        include_str!("../knowledge/faq/collections.toml"),
    ),
];

impl KnowledgeGraph {
    /// The demo lender's graph.
    pub fn demo() -> Result<KnowledgeGraph, LoadError> {
        let sources: Vec<Source<'_>> = DEMO_KNOWLEDGE
            .iter()
            .map(|(name, text)| Source { name, text })
            .collect();
        KnowledgeGraph::load(&sources)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_knowledge_loads_and_answers() {
        let graph = KnowledgeGraph::demo().expect("the demo knowledge is valid");
        let answer = graph
            .attribute("product.cash_loan", "longest_term", Lang::Zh)
            .expect("an answer");
        assert_eq!(answer.text, "最长24期");
        assert_eq!(answer.sources, ["product.cash_loan"]);

        let banks: Vec<&str> = graph
            .related_to("service.autodebit", RelationKind::Supports)
            .iter()
            .map(|node| node.attributes["code"].en.as_str())
            .collect();
        assert_eq!(
            banks,
            [
                "ABC", "BOC", "BOCOM", "CCB", "CIB", "CITIC", "CMB", "ICBC", "PSBC", "SPDB"
            ]
        );

        let steps = graph
            .procedure_answer("procedure.change_card", Lang::En)
            .expect("steps");
        assert_eq!(
            steps.text,
            "1. Open the app and go to Me\n2. Tap Bank cards\n3. Add the card and set it as the repayment card"
        );
        assert_eq!(steps.sources.len(), 4);
        let products: Vec<&str> = graph
            .related("lender", RelationKind::Offers)
            .iter()
            .map(|node| node.name.zh.as_str())
            .collect();
        assert_eq!(products, ["安心随借", "安心分期"]);
    }

    #[test]
    fn every_problem_is_reported_with_its_file_and_line() {
        let first = "[[node]]\nid = \"a\"\nkind = \"product\"\nzh = \"甲\"\nen = \"A\"\n\n[[node]]\nid = \"b\"\nkind = \"gadget\"\nzh = \"乙\"\nen = \"B\"\n";
        let second = "[[node]]\nid = \"a\"\nkind = \"rule\"\nzh = \"甲\"\nen = \"A again\"\n\n[[node]]\nid = \"c\"\nkind = \"rule\"\nzh = \"丙\"\n\n[[relation]]\nfrom = \"a\"\nkind = \"has_rule\"\nto = \"missing\"\n\n[[relation]]\nfrom = \"a\"\nkind = \"has_step\"\nto = \"a\"\n";
        let error = KnowledgeGraph::load(&[
            Source {
                name: "one.toml",
                text: first,
            },
            Source {
                name: "two.toml",
                text: second,
            },
        ])
        .expect_err("the files are broken");
        let messages: Vec<String> = error.0.iter().map(ToString::to_string).collect();
        expect_test::expect![[r#"
            [
                "one.toml:7: node \"b\" has unknown kind \"gadget\" (known: lender, product, fee, rule, procedure, step, channel, bank, policy, service)",
                "two.toml:1: duplicate node id \"a\", first defined at one.toml:1",
                "two.toml:7: node \"c\" lacks its en name",
                "two.toml:12: relation has_rule refers to unknown node \"missing\"",
                "two.toml:17: has_step from \"a\" to \"a\" needs an order",
            ]
        "#]]
        .assert_debug_eq(&messages);
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let error = KnowledgeGraph::load(&[Source {
            name: "bad.toml",
            text: "[[node]]\nid = \"a\"\nkind = \n",
        }])
        .expect_err("not TOML");
        assert_eq!(error.0.len(), 1);
        assert_eq!((error.0[0].file.as_str(), error.0[0].line), ("bad.toml", 3));
    }
}

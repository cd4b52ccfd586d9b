//! The kinds of nodes and relations the knowledge graph holds, and bilingual text.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A language knowledge is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Zh,
    En,
}

/// Text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalText {
    pub zh: String,
    pub en: String,
}

impl LocalText {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    Lender,
    Product,
    Fee,
    Rule,
    Procedure,
    Step,
    Channel,
    Bank,
    Policy,
    Service,
}

impl NodeKind {
    pub const ALL: [NodeKind; 10] = [
        NodeKind::Lender,
        NodeKind::Product,
        NodeKind::Fee,
        NodeKind::Rule,
        NodeKind::Procedure,
        NodeKind::Step,
        NodeKind::Channel,
        NodeKind::Bank,
        NodeKind::Policy,
        NodeKind::Service,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Lender => "lender",
            NodeKind::Product => "product",
            NodeKind::Fee => "fee",
            NodeKind::Rule => "rule",
            NodeKind::Procedure => "procedure",
            NodeKind::Step => "step",
            NodeKind::Channel => "channel",
            NodeKind::Bank => "bank",
            NodeKind::Policy => "policy",
            NodeKind::Service => "service",
        }
    }

    pub fn from_name(name: &str) -> Option<NodeKind> {
        NodeKind::ALL.into_iter().find(|kind| kind.as_str() == name)
    }
}

/// What a relation means, read from its source to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// A product or service has this fee.
    HasFee,
    /// A product, service or policy is governed by this rule.
    HasRule,
    /// A procedure has this step; the relation's `order` places it.
    HasStep,
    /// A bank supports this service (for example automatic debit).
    Supports,
    /// A procedure or payment is done through this channel.
    Through,
    /// A lender offers this product or service.
    Offers,
    /// A node applies to this product.
    AppliesTo,
}

impl RelationKind {
    pub const ALL: [RelationKind; 7] = [
        RelationKind::HasFee,
        RelationKind::HasRule,
        RelationKind::HasStep,
        RelationKind::Supports,
        RelationKind::Through,
        RelationKind::Offers,
        RelationKind::AppliesTo,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::HasFee => "has_fee",
            RelationKind::HasRule => "has_rule",
            RelationKind::HasStep => "has_step",
            RelationKind::Supports => "supports",
            RelationKind::Through => "through",
            RelationKind::Offers => "offers",
            RelationKind::AppliesTo => "applies_to",
        }
    }

    pub fn from_name(name: &str) -> Option<RelationKind> {
        RelationKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

/// One fact-bearing node: a name in both languages and named attributes, each in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    pub name: LocalText,
    pub attributes: BTreeMap<String, LocalText>,
    /// Where the node was written: `file:line`.
    pub origin: String,
}

/// A typed edge; `order` places a step within its procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    pub kind: RelationKind,
    pub order: Option<u32>,
}

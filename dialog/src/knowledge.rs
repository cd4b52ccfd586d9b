//! Answers from the lender's knowledge: what the dialog asks for when a customer's question is about the lender's
//! general facts (fees, rules, procedures, service hours) rather than their own account, and what it gets back.
//!
//! The dialog never searches. For such a question it returns [`crate::Action::LookUpKnowledge`]; the caller asks its
//! knowledge base (the FAQ index and the graph) and hands back [`crate::Input::Knowledge`] with the best answer it
//! trusts, or `None` when nothing answers the question well enough. The answer carries the ids of the entries and
//! graph nodes it came from, so a reply can be traced to its source. With no answer the dialog falls back to what it
//! would have done without knowledge: clarify, rephrase, or offer a person.

use serde::{Deserialize, Serialize};

use crate::routing;

/// An answer found in the lender's knowledge for a customer's question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeAnswer {
    /// The answer, in the language asked for, ready to send.
    pub text: String,
    /// The id of the FAQ entry or graph node that answered.
    pub entry_id: String,
    /// The graph nodes the answer rests on.
    pub sources: Vec<String>,
    /// The intent the answering entry belongs to, when it has one.
    pub intent: Option<String>,
    /// How sure the search is that the entry answers the question, from 0 to 1.
    pub confidence: f32,
    /// Whether the entry is about the customer's own account (its general answer points there), so that an
    /// answer computed from the account is better.
    #[serde(default)]
    pub personal: bool,
}

/// The confidence a general answer needs to be given instead of acting on the intent the classifier was sure of.
pub const PREEMPT_CONFIDENCE: f32 = 0.55;

/// Whether an utterance read as `intent` (confidently or not) should be looked up in the knowledge before the dialog
/// falls back.
pub fn worth_looking_up(intent: &str, confident: bool) -> bool {
    !confident || !routing::CONVERSATION_ACTS.contains(&intent)
}

/// Whether an utterance the classifier read confidently is first asked of the knowledge: a question (not a request
/// such as "帮我换卡") that, when its intent is answered from the account, does not point at the customer's own
/// account ("我的额度", "my payment"). A question such as
/// "还款日过了还有几天宽限期" reads as an overdue-arrangement intent, yet what the customer wants is the rule.
pub fn worth_asking_first(parse: &nlu::Parse) -> bool {
    let intent = parse.intent.name.as_str();
    if routing::CONVERSATION_ACTS.contains(&intent) || intent == nlu::OUT_OF_SCOPE {
        return false;
    }
    let text = parse.text.trim();
    is_question(text) && !(routing::needs_account(intent) && points_at_own_account(text))
}

/// Whether a general answer found by [`worth_asking_first`]'s lookup is given instead of acting on the intent: it
/// must be strong and not about the customer's own account. For an intent answered from the account, the answer
/// must also be about another matter than that intent, or the question must name a product: "为什么扣款失败了"
/// is the customer's own debit, while "还款日过了还有几天宽限期" (read as the amount due) asks the rule, and
/// "安心随借最多能借多少钱" (read as the limit) asks about the product.
pub fn preempts_the_intent(answer: &KnowledgeAnswer, parse: &nlu::Parse) -> bool {
    let intent = parse.intent.name.as_str();
    answer.confidence >= PREEMPT_CONFIDENCE
        && !answer.personal
        && (!routing::needs_account(intent)
            || answer.intent.as_deref() != Some(intent)
            || names_a_product(&parse.text))
}

/// The demo lender's product names, which make a question about the product rather than the customer's loan.
const PRODUCT_NAMES: &[&str] = &[
    "安心随借",
    "安心分期",
    "随借",
    "cash loan",
    "instalment loan",
    "installment loan",
];

fn names_a_product(text: &str) -> bool {
    let lower = text.to_lowercase();
    PRODUCT_NAMES.iter().any(|name| lower.contains(name))
}

/// Words that make a Chinese sentence a question.
const CHINESE_QUESTION_WORDS: &[&str] = &[
    "吗",
    "么",
    "嘛",
    "呢",
    "几",
    "多久",
    "多少",
    "多长",
    "怎么",
    "怎样",
    "如何",
    "什么",
    "啥",
    "哪",
    "是否",
    "能不能",
    "可不可以",
    "可以不",
    "有没有",
    "是不是",
    "要不要",
    "会不会",
    "?",
    "？",
];

/// Words that open an English question.
const ENGLISH_QUESTION_OPENERS: &[&str] = &[
    "how", "what", "when", "which", "where", "why", "who", "can", "could", "is", "are", "do",
    "does", "did", "will", "would", "should", "may", "whats", "what's", "hows",
];

fn is_question(text: &str) -> bool {
    if text.ends_with('?') || text.ends_with('？') {
        return true;
    }
    if CHINESE_QUESTION_WORDS
        .iter()
        .any(|word| text.contains(word))
    {
        return true;
    }
    let first = text
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .find(|word| !word.is_empty())
        .unwrap_or_default()
        .to_lowercase();
    ENGLISH_QUESTION_OPENERS.contains(&first.as_str())
}

fn points_at_own_account(text: &str) -> bool {
    const CHINESE: &[&str] = &["我的", "我这", "我那", "我上", "我现在", "我目前"];
    if CHINESE.iter().any(|word| text.contains(word)) {
        return true;
    }
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| word == "my" || word == "mine")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, intent: &str) -> nlu::Parse {
        let score = nlu::IntentScore {
            name: intent.to_owned(),
            confidence: 0.9,
        };
        nlu::Parse {
            text: text.to_owned(),
            lang: nlu::Lang::Zh,
            intent: score.clone(),
            intent_ranking: vec![score],
            entities: Vec::new(),
            sentiment: nlu::Sentiment {
                label: nlu::SentimentLabel::Neutral,
                score: 0.5,
            },
        }
    }

    #[test]
    fn questions_about_rules_are_asked_first_and_requests_and_own_account_questions_are_not() {
        assert!(worth_asking_first(&parse(
            "还款日过了还有几天宽限期",
            "extension_request"
        )));
        assert!(worth_asking_first(&parse(
            "Which banks support automatic debit?",
            "autodebit_manage"
        )));
        assert!(worth_asking_first(&parse(
            "how long does a refund take",
            "refund_overcharge"
        )));
        assert!(!worth_asking_first(&parse(
            "帮我换一张银行卡",
            "change_bank_card"
        )));
        assert!(!worth_asking_first(&parse(
            "我的额度为什么被冻结了",
            "limit_frozen"
        )));
        assert!(!worth_asking_first(&parse(
            "Why did my automatic payment fail?",
            "autodebit_failed"
        )));
        assert!(!worth_asking_first(&parse("好的吗", "affirm")));
    }

    #[test]
    fn only_strong_general_answers_preempt_the_intent() {
        let answer = |confidence, personal, intent: Option<&str>| KnowledgeAnswer {
            text: String::new(),
            entry_id: "faq.x".to_owned(),
            sources: Vec::new(),
            intent: intent.map(str::to_owned),
            confidence,
            personal,
        };
        let general = parse("提前还款要手续费吗", "early_settlement");
        assert!(preempts_the_intent(&answer(0.8, false, None), &general));
        assert!(!preempts_the_intent(&answer(0.8, true, None), &general));
        assert!(!preempts_the_intent(&answer(0.3, false, None), &general));
        // An account intent keeps its own question, unless the answer is about another matter or a product.
        let own_debit = parse("为什么扣款失败了", "autodebit_failed");
        assert!(!preempts_the_intent(
            &answer(0.8, false, Some("autodebit_failed")),
            &own_debit
        ));
        let grace = parse("还款日过了还有几天宽限期", "due_amount_query");
        assert!(preempts_the_intent(
            &answer(0.8, false, Some("overdue_consequences")),
            &grace
        ));
        let product = parse("安心随借最多能借多少钱", "limit_query");
        assert!(preempts_the_intent(
            &answer(0.8, false, Some("limit_query")),
            &product
        ));
    }

    #[test]
    fn dialog_acts_are_looked_up_only_when_their_reading_is_uncertain() {
        assert!(!worth_looking_up("affirm", true));
        assert!(worth_looking_up("affirm", false));
        assert!(worth_looking_up("rate_apr_query", true));
        assert!(worth_looking_up(nlu::OUT_OF_SCOPE, true));
    }
}

//! For every intent of the spec, in both languages, confident or not, with the loan system up or down, and in
//! every conversational context that changes the dispatch, a customer turn never panics and always ends in at
//! least one message (the harness checks both, and that no placeholder is left unfilled).

use dialog::HandoffReason;
use nlu::Lang;

use crate::fixtures;
use crate::harness::{Conversation, LoanSystem};

/// A sentence in each language, so that the conversation language is set by the text as the bot would see it.
fn sample_text(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "请帮我看一下这个问题",
        Lang::En => "please help me with this",
    }
}

fn loan_systems() -> Vec<LoanSystem> {
    vec![
        LoanSystem::Up(Box::new(fixtures::zhang_wei_overdue())),
        LoanSystem::Up(Box::new(fixtures::john_smith_two_loans())),
        LoanSystem::Up(Box::new(fixtures::li_na_debit_failed_this_morning())),
        LoanSystem::Up(Box::new(fixtures::mary_chen_card_expired_yesterday())),
        LoanSystem::Up(Box::new(fixtures::settled_only())),
        LoanSystem::Down,
    ]
}

#[test]
fn every_intent_in_both_languages_gets_a_reply() {
    let intents = nlu::intents();
    assert_eq!(intents.len(), 56, "the spec lists 56 intents");
    for loan_system in loan_systems() {
        for lang in [Lang::Zh, Lang::En] {
            for intent in &intents {
                for confidence in [0.95, 0.45, 0.1] {
                    let mut conversation = Conversation::new(
                        "测试客户",
                        Lang::Zh,
                        fixtures::today(),
                        loan_system.clone(),
                    );
                    // The first time alone, after an offer of a person, and after an unclear turn.
                    conversation.customer(
                        sample_text(lang),
                        &[(intent.id, confidence), ("greeting", 0.03)],
                    );
                    assert_eq!(
                        conversation.state.lang, lang,
                        "the language follows the script"
                    );
                    conversation.customer(sample_text(lang), &[("out_of_scope", 0.9)]);
                    conversation.customer(
                        sample_text(lang),
                        &[(intent.id, confidence), ("thanks", 0.05)],
                    );
                    conversation.customer(
                        sample_text(lang),
                        &[("schedule_query", 0.2), ("limit_query", 0.2)],
                    );
                    conversation.customer(
                        sample_text(lang),
                        &[(intent.id, confidence), ("thanks", 0.05)],
                    );
                }
            }
        }
    }
}

#[test]
fn unknown_intents_and_empty_rankings_still_get_a_reply() {
    let mut conversation = Conversation::new(
        "测试客户",
        Lang::En,
        fixtures::today(),
        LoanSystem::Up(Box::new(fixtures::zhang_wei_overdue())),
    );
    conversation.customer("lender_specific", &[("lender_specific_intent", 0.99)]);
    conversation.customer("???", &[]);
    conversation.customer("nan", &[("due_amount_query", f32::NAN)]);
    assert_eq!(
        conversation.state.misunderstood_in_a_row, 2,
        "an empty ranking and NaN are both unclear"
    );
    conversation.customer("!!!", &[]);
    assert_eq!(conversation.handoffs.len(), 1);
    assert_eq!(conversation.handoffs[0].0, HandoffReason::NotUnderstood);
}

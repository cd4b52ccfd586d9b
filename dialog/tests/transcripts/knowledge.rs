//! Questions answered from the lender's knowledge: the dialog asks for it, and falls back to its ladder only when
//! the knowledge has no trusted answer.

use expect_test::expect;
use nlu::Lang;

use crate::fixtures;
use crate::harness::Conversation;

#[test]
fn an_uncertain_reading_is_answered_from_the_knowledge_and_an_unknown_question_is_not() {
    let mut conversation =
        Conversation::with_account("张伟", Lang::Zh, fixtures::zhang_wei_overdue());
    conversation
        .knows(
            "几点",
            "faq.service.agent_hours",
            "人工客服每天08:00–22:00在线。",
        )
        .customer(
            "你们人工一般几点下班啊",
            &[("complaint", 0.41), ("human_agent", 0.22)],
        )
        .customer(
            "火星上能借钱吗",
            &[("out_of_scope", 0.48), ("limit_query", 0.2)],
        )
        .customer("那个什么来着", &[("inform", 0.3), ("limit_query", 0.25)]);
    expect![[r#"
        > 你们人工一般几点下班啊    (complaint 0.41)
          [knowledge: faq.service.agent_hours]
        < 人工客服每天08:00–22:00在线。
        > 火星上能借钱吗    (out_of_scope 0.48)
          [knowledge: no answer]
        < 抱歉，我还是没能理解。能换个说法再说一次吗？比如：“本期应还多少”“我的还款计划”“现在结清要多少钱”“我的额度还有多少”“自动扣款为什么失败”。
        > 那个什么来着    (inform 0.30)
          [knowledge: no answer]
        < 抱歉，我还是没能理解。能换个说法再说一次吗？比如：“本期应还多少”“我的还款计划”“现在结清要多少钱”“我的额度还有多少”“自动扣款为什么失败”。
    "#]]
    .assert_eq(conversation.transcript());
    assert!(!conversation.state.handoff_requested);
}

#[test]
fn a_confident_question_about_the_lender_is_answered_in_english() {
    let mut conversation =
        Conversation::with_account("Zhang Wei", Lang::En, fixtures::zhang_wei_overdue());
    conversation
        .knows(
            "grace",
            "faq.lateness.grace_period",
            "There is a grace period of 3 days after the due date.",
        )
        .customer(
            "is there any grace period if I pay late?",
            &[("overdue_consequences", 0.91)],
        )
        .customer("do you sell insurance?", &[("out_of_scope", 0.9)]);
    expect![[r#"
        > is there any grace period if I pay late?    (overdue_consequences 0.91)
          [knowledge: faq.lateness.grace_period]
        < There is a grace period of 3 days after the due date.
        > do you sell insurance?    (out_of_scope 0.90)
          [knowledge: no answer]
        < Sorry, that's outside what I can help with: I only answer questions about your loans with Anxin Consumer Finance. Would you like to talk to a person?
          [buttons: Talk to a person | No thanks]
    "#]]
    .assert_eq(conversation.transcript());
}

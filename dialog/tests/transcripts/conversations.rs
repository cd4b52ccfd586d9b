//! Conversations as transcripts. Each test plays a customer turn by turn with hand-made NLU parses against a
//! hand-built account (see `fixtures`) and compares the whole exchange with the expected transcript.

use dialog::HandoffReason;
use expect_test::expect;
use nlu::Lang;

use crate::fixtures;
use crate::harness::{Conversation, LoanSystem};

#[test]
fn chinese_customer_with_an_overdue_loan_asks_what_is_due_the_payoff_and_for_a_person() {
    let mut conversation =
        Conversation::with_account("张伟", Lang::Zh, fixtures::zhang_wei_overdue());
    conversation
        .customer("你好", &[("greeting", 0.97)])
        .customer(
            "本期应还多少",
            &[("due_amount_query", 0.93), ("schedule_query", 0.04)],
        )
        .customer(
            "结清要多少钱",
            &[("payoff_balance_query", 0.88), ("early_settlement", 0.09)],
        )
        .customer("转人工", &[("human_agent", 0.95)]);
    expect![[r#"
        > 你好    (greeting 0.97)
        < 张伟您好！我是安心消费金融的AI智能客服，由人工智能为您自动回复。我可以帮您查询本期应还金额、还款计划、提前结清金额和借款额度，也可以为您转接人工客服。请问有什么可以帮您？
          [buttons: 本期应还多少 | 我的还款计划 | 现在结清要多少钱 | 我的额度还有多少 | 自动扣款为什么失败 | 转人工]
        > 本期应还多少    (due_amount_query 0.93)
          [knowledge: no answer]
          [account fetched]
        < 已逾期11天，逾期未还1083.14元（第8期）。
          已超过3天宽限期：逾期本金每天按合同日利率的1.5倍计收罚息，逾期记录也会上报征信，请尽快还款。
          下一期（第9期）应还1060.00元，还款日是2026年12月15日（还有19天）。
          现在就可以还款：在App中进入“我的借款 → 立即还款”，用已绑定的银行卡还款。
        > 结清要多少钱    (payoff_balance_query 0.88)
          [knowledge: no answer]
          [account fetched]
        < 截至今天（2026年11月26日），一次性结清安心随借（LN001）需要：
          · 剩余本金：5000.00元
          · 逾期费用：83.14元
          · 截至今天的利息：21.70元
          · 提前结清手续费：0.00元（放款满3个月后结清不收手续费；3个月内结清才按提前归还本金的2%收取）
          合计：5104.84元
        < 以上金额按今天结清计算，换一天结清金额会有所不同。
        > 转人工    (human_agent 0.95)
        < 好的，正在为您转接人工客服，请稍候，客服会在这里回复您。人工客服每天08:00–22:00在线，非服务时间的留言会在上班后尽快处理；您也可以拨打客服热线400-800-6688。
          [handoff customer_request: 转人工原因：客户要求转人工。最近的问题：本期应还金额、提前结清金额。对话语言：中文。客户发言次数：4。]
    "#]].assert_eq(conversation.transcript());
    assert!(conversation.state.handoff_requested);
    assert_eq!(conversation.handoffs.len(), 1);
    assert_eq!(conversation.handoffs[0].0, HandoffReason::CustomerRequest);
    assert!(
        !conversation.handoffs[0].1.contains("张伟"),
        "the summary names nobody"
    );
}

#[test]
fn chinese_customer_with_an_overdue_loan_asks_about_the_limit_and_the_failed_debit() {
    let mut conversation =
        Conversation::with_account("张伟", Lang::Zh, fixtures::zhang_wei_overdue());
    conversation
        .customer("我的额度还有多少", &[("limit_query", 0.91)])
        .customer(
            "为什么扣款失败了",
            &[("autodebit_failed", 0.86), ("already_paid", 0.07)],
        );
    expect![[r#"
        > 我的额度还有多少    (limit_query 0.91)
          [account fetched]
        < 您的总额度是20000.00元，目前可用额度是15000.00元。
          由于有逾期未还的款项，您的额度目前已冻结，暂时不能借款。还清逾期的1083.14元后，额度会在1个工作日内解冻。
          现在就可以还款：在App中进入“我的借款 → 立即还款”，用已绑定的银行卡还款。
        > 为什么扣款失败了    (autodebit_failed 0.86)
          [knowledge: no answer]
          [account fetched]
        < 您最近一次自动扣款没有成功：2026年11月15日 20:00，安心随借（LN001）应扣1075.00元，失败原因是银行卡余额不足。
          自动扣款只在还款日当天06:00、14:00和20:00各尝试一次，这一期不会再自动扣款了，需要您主动还款。
          已超过3天宽限期：逾期本金每天按合同日利率的1.5倍计收罚息，逾期记录也会上报征信，请尽快还款。
          请确保还款卡内余额充足。
          现在就可以还款：在App中进入“我的借款 → 立即还款”，用已绑定的银行卡还款。
    "#]].assert_eq(conversation.transcript());
}

#[test]
fn english_customer_with_two_loans_asks_what_is_due_the_schedule_and_the_payoff() {
    let mut conversation =
        Conversation::with_account("John Smith", Lang::En, fixtures::john_smith_two_loans());
    conversation
        .customer("hi", &[("greeting", 0.9)])
        .customer(
            "How much do I have to pay this month?",
            &[("due_amount_query", 0.9)],
        )
        .customer(
            "show me the repayment schedule",
            &[("schedule_query", 0.84), ("due_amount_query", 0.1)],
        )
        .customer(
            "and to clear everything today?",
            &[("payoff_balance_query", 0.77)],
        )
        .customer("thanks, bye", &[("goodbye", 0.6), ("thanks", 0.35)]);
    expect![[r#"
        > hi    (greeting 0.90)
        < Hello John Smith! I'm the AI assistant of Anxin Consumer Finance: you are chatting with an automated system. I can tell you what is due, show your repayment schedule, quote the amount to pay off a loan and check your credit limit, or put you through to a person. How can I help?
          [buttons: How much do I owe this month? | Show my repayment schedule | How much to pay off my loan today? | What is my credit limit? | Why did my automatic payment fail? | Talk to a person]
        > How much do I have to pay this month?    (due_amount_query 0.90)
          [knowledge: no answer]
          [account fetched]
        < You have 2 loans still being repaid:
          [Anxin Cash Loan LN101]
          The next instalment (no. 2) is CNY 1,050.00, due on December 8, 2026 (in 12 days).
          [Anxin Instalments LN102]
          The next instalment (no. 10) is CNY 228.80, due on December 20, 2026 (in 24 days).
        > show me the repayment schedule    (schedule_query 0.84)
          [account fetched]
        < Anxin Cash Loan LN101: 6 instalments, 1 paid, 5 still to pay:
          1. November 8, 2026  CNY 1,060.00  paid
          2. December 8, 2026  CNY 1,050.00  unpaid  ← next
          3. January 8, 2027  CNY 1,040.00  unpaid
          4. February 8, 2027  CNY 1,030.00  unpaid
          5. March 8, 2027  CNY 1,020.00  unpaid
          6. April 8, 2027  CNY 1,010.00  unpaid
          Left to pay in total: CNY 5,150.00.
        < Anxin Instalments LN102: 24 instalments, 9 paid, 15 still to pay:
          1. March 20, 2026  CNY 228.80  paid
          2. April 20, 2026  CNY 228.80  paid
          3. May 20, 2026  CNY 228.80  paid
          4. June 20, 2026  CNY 228.80  paid
          5. July 20, 2026  CNY 228.80  paid
          6. August 20, 2026  CNY 228.80  paid
          7. September 20, 2026  CNY 228.80  paid
          8. October 20, 2026  CNY 228.80  paid
          9. November 20, 2026  CNY 228.80  paid
          10. December 20, 2026  CNY 228.80  unpaid  ← next
          11. January 20, 2027  CNY 228.80  unpaid
          12. February 20, 2027  CNY 228.80  unpaid
          13. March 20, 2027  CNY 228.80  unpaid
          14. April 20, 2027  CNY 228.80  unpaid
          15. May 20, 2027  CNY 228.80  unpaid
          16. June 20, 2027  CNY 228.80  unpaid
          17. July 20, 2027  CNY 228.80  unpaid
          18. August 20, 2027  CNY 228.80  unpaid
          19. September 20, 2027  CNY 228.80  unpaid
          20. October 20, 2027  CNY 228.80  unpaid
          21. November 20, 2027  CNY 228.80  unpaid
          22. December 20, 2027  CNY 228.80  unpaid
          23. January 20, 2028  CNY 228.80  unpaid
          24. February 20, 2028  CNY 228.80  unpaid
          Left to pay in total: CNY 3,432.00.
        > and to clear everything today?    (payoff_balance_query 0.77)
          [knowledge: no answer]
          [account fetched]
        < To pay off Anxin Cash Loan LN101 today (November 26, 2026):
          • Remaining principal: CNY 5,000.00
          • Interest to date: CNY 29.59
          • Early settlement fee: CNY 100.00 (2% of the principal repaid early, because the loan is settled within 3 months of drawdown)
          Total: CNY 5,129.59
        < To pay off Anxin Instalments LN102 today (November 26, 2026):
          • Remaining principal: CNY 3,000.00
          • This month's service fee: CNY 28.80
          • Early settlement fee: CNY 0.00 (an instalment loan is settled for its remaining principal plus the current month's fee, with no other charge)
          Total: CNY 3,028.80
        < These figures are for settling today; on another day the amount will differ.
        > thanks, bye    (goodbye 0.60)
        < Thank you for chatting with Anxin Consumer Finance. Goodbye, and have a good day!
    "#]].assert_eq(conversation.transcript());
    assert!(conversation.handoffs.is_empty());
}

#[test]
fn on_a_call_a_long_schedule_is_summarised_to_what_matters_now() {
    let mut account = fixtures::zhang_wei_overdue();
    account.repayments = (1..=4)
        .rev()
        .map(|month| dialog::account::RepaymentView {
            loan_id: "LN001".to_owned(),
            amount: fixtures::money("1150"),
            at: fixtures::moment(&format!("2026-{:02}-15T06:00:00+08:00", 6 + month)),
            channel: "autodebit".to_owned(),
            succeeded: true,
        })
        .collect();
    let mut conversation = Conversation::with_account("张伟", Lang::Zh, account);
    conversation.state.spoken = true;
    conversation
        .customer("我的还款计划", &[("schedule_query", 0.9)])
        .customer("我明明已经还了", &[("already_paid", 0.9)]);
    let mut english =
        Conversation::with_account("John Smith", Lang::En, fixtures::john_smith_two_loans());
    english.state.spoken = true;
    english.customer("my repayment schedule", &[("schedule_query", 0.9)]);
    expect![[r#"
        > 我的还款计划    (schedule_query 0.90)
          [account fetched]
        < 安心随借（LN001）共12期，已还7期，还剩5期未还：
          第8期，2026年11月15日，1083.14元，已逾期。
          下一期是第9期，2026年12月15日，1060.00元，未还。
          另外10期的明细，请在App的“我的借款”里查看。
          剩余应还合计5233.14元。
        > 我明明已经还了    (already_paid 0.90)
          [account fetched]
        < 您最近的还款记录：
          · 2026年10月15日 06:00  安心随借（LN001）  1150.00元  自动扣款  成功
          · 2026年9月15日 06:00  安心随借（LN001）  1150.00元  自动扣款  成功
        < 已逾期11天，逾期未还1083.14元（第8期）。
          已超过3天宽限期：逾期本金每天按合同日利率的1.5倍计收罚息，逾期记录也会上报征信，请尽快还款。
          下一期（第9期）应还1060.00元，还款日是2026年12月15日（还有19天）。
          现在就可以还款：在App中进入“我的借款 → 立即还款”，用已绑定的银行卡还款。
        < App还款和自动扣款一般实时入账，银行转账1个工作日内入账。如果您的款项不在上面的记录里、也超过了入账时间，请准备好付款凭证，我为您转接人工客服核查。
          [buttons: 转人工 | 不用了]
    "#]]
    .assert_eq(conversation.transcript());
    expect![[r#"
        > my repayment schedule    (schedule_query 0.90)
          [account fetched]
        < Anxin Cash Loan LN101: 6 instalments, 1 paid, 5 still to pay:
          Next is instalment 2, December 8, 2026, CNY 1,050.00, unpaid.
          The other 5 instalments are listed in the app under My loans.
          Left to pay in total: CNY 5,150.00.
        < Anxin Instalments LN102: 24 instalments, 9 paid, 15 still to pay:
          Next is instalment 10, December 20, 2026, CNY 228.80, unpaid.
          The other 23 instalments are listed in the app under My loans.
          Left to pay in total: CNY 3,432.00.
    "#]]
    .assert_eq(english.transcript());
}

#[test]
fn automatic_debit_failed_this_morning_and_is_retried_later_today() {
    let mut conversation = Conversation::with_account(
        "李娜",
        Lang::Zh,
        fixtures::li_na_debit_failed_this_morning(),
    );
    conversation
        .customer("今天早上扣款失败了怎么回事", &[("autodebit_failed", 0.92)])
        .customer("那我现在要还多少", &[("due_amount_query", 0.81)]);
    expect![[r#"
        > 今天早上扣款失败了怎么回事    (autodebit_failed 0.92)
          [knowledge: no answer]
          [account fetched]
        < 您最近一次自动扣款没有成功：2026年11月26日 06:00，安心随借（LN201）应扣1054.00元，失败原因是银行卡余额不足。
          自动扣款在还款日当天06:00、14:00和20:00各尝试一次，今天14:00和20:00还会再次尝试扣款。
          还款日后有3天宽限期：在2026年11月29日（还有3天）前还清，不收罚息，也不会上报征信。
          请确保还款卡内余额充足。
          现在就可以还款：在App中进入“我的借款 → 立即还款”，用已绑定的银行卡还款。
        > 那我现在要还多少    (due_amount_query 0.81)
          [account fetched]
        < 本期（第1期）应还1054.00元，今天（2026年11月26日）就是还款日。
          现在就可以还款：在App中进入“我的借款 → 立即还款”，用已绑定的银行卡还款。
    "#]].assert_eq(conversation.transcript());
}

#[test]
fn automatic_debit_failed_last_night_on_an_expired_card() {
    let mut conversation = Conversation::with_account(
        "Mary Chen",
        Lang::En,
        fixtures::mary_chen_card_expired_yesterday(),
    );
    conversation
        .customer("my autopay didn't work", &[("autodebit_failed", 0.88)])
        .customer("what's my limit", &[("limit_query", 0.9)]);
    expect![[r#"
        > my autopay didn't work    (autodebit_failed 0.88)
          [account fetched]
        < Your latest automatic payment didn't go through: on November 25, 2026 at 20:00, CNY 219.20 for Anxin Instalments LN301 could not be collected because the card has expired.
          Automatic payment is only tried at 06:00, 14:00 and 20:00 on the due date, so it won't be tried again for this instalment; please pay it yourself.
          There are 3 days of grace after the due date: pay by November 28, 2026 (in 2 days) and there is no penalty interest and nothing is reported to the credit bureau.
          Please add a new card in the app under 我的 (Me) → 银行卡 (Bank cards) and set it as your repayment card; it takes effect at once, unless you change it after 20:00 on a due date.
          You can pay now in the app: 我的借款 (My loans) → 立即还款 (Repay now), using your linked bank card.
        > what's my limit    (limit_query 0.90)
          [account fetched]
        < Your credit limit is CNY 5,000.00, of which CNY 3,200.00 is available now.
          Because a payment is overdue, your limit is frozen and you can't borrow for now. Once the overdue CNY 219.20 is repaid, the limit is unfrozen within 1 business day.
          You can pay now in the app: 我的借款 (My loans) → 立即还款 (Repay now), using your linked bank card.
    "#]].assert_eq(conversation.transcript());
}

#[test]
fn no_failed_debit_on_record_shows_the_linked_cards() {
    let mut conversation =
        Conversation::with_account("John Smith", Lang::En, fixtures::john_smith_two_loans());
    conversation.customer(
        "did my automatic payment fail?",
        &[("autodebit_failed", 0.8)],
    );
    expect![[r#"
        > did my automatic payment fail?    (autodebit_failed 0.80)
          [account fetched]
        < I can't find any failed automatic payment on your account.
          Your linked card: CMB ending 1122, automatic payment on.
          Your linked card: BOC ending 3344, automatic payment off.
    "#]]
    .assert_eq(conversation.transcript());
}

#[test]
fn three_unclear_turns_in_a_row_lead_to_a_person() {
    let mut conversation =
        Conversation::with_account("张伟", Lang::Zh, fixtures::zhang_wei_overdue());
    conversation
        .customer(
            "那个钱的事",
            &[
                ("due_amount_query", 0.41),
                ("payoff_balance_query", 0.33),
                ("make_payment", 0.1),
            ],
        )
        .customer(
            "就是那个",
            &[
                ("out_of_scope", 0.3),
                ("repeat", 0.25),
                ("make_payment", 0.2),
            ],
        )
        .customer("嗯嗯", &[("affirm", 0.2), ("inform", 0.2)]);
    expect![[r#"
        > 那个钱的事    (due_amount_query 0.41)
          [knowledge: no answer]
        < 抱歉，我不太确定您的意思。您想问的是下面哪一个？
          [buttons: 本期应还多少 | 现在结清要多少钱]
        > 就是那个    (out_of_scope 0.30)
          [knowledge: no answer]
        < 抱歉，我还是没能理解。能换个说法再说一次吗？比如：“本期应还多少”“我的还款计划”“现在结清要多少钱”“我的额度还有多少”“自动扣款为什么失败”。
        > 嗯嗯    (affirm 0.20)
          [knowledge: no answer]
        < 抱歉，我几次都没能理解您的问题，已为您转接人工客服，客服会在这里回复您。人工客服每天08:00–22:00在线；您也可以拨打客服热线400-800-6688。
          [handoff not_understood: 转人工原因：机器人多次未能理解客户的问题。最近的问题：无。对话语言：中文。客户发言次数：3。]
    "#]].assert_eq(conversation.transcript());
    assert_eq!(conversation.handoffs.len(), 1);
    assert_eq!(conversation.handoffs[0].0, HandoffReason::NotUnderstood);
    assert_eq!(
        conversation.state.misunderstood_in_a_row, 0,
        "the ladder starts again after the handoff"
    );
}

#[test]
fn an_understood_turn_resets_the_fallback_ladder() {
    let mut conversation =
        Conversation::with_account("张伟", Lang::Zh, fixtures::zhang_wei_overdue());
    conversation
        .customer(
            "那个钱的事",
            &[("due_amount_query", 0.41), ("payoff_balance_query", 0.33)],
        )
        .customer("本期应还多少", &[("due_amount_query", 0.96)])
        .customer(
            "还有那个",
            &[("schedule_query", 0.3), ("limit_query", 0.29)],
        );
    assert_eq!(conversation.state.misunderstood_in_a_row, 1);
    assert!(conversation.handoffs.is_empty());
    let transcript = conversation.transcript();
    assert_eq!(
        transcript.matches("您想问的是下面哪一个").count(),
        2,
        "{transcript}"
    );
}

#[test]
fn unsupported_topic_then_yes_hands_over() {
    let mut conversation =
        Conversation::with_account("张伟", Lang::Zh, fixtures::zhang_wei_overdue());
    conversation
        .customer("我想开一张发票", &[("contract_invoice", 0.91)])
        .customer("好的", &[("affirm", 0.95)]);
    expect![[r#"
        > 我想开一张发票    (contract_invoice 0.91)
          [knowledge: no answer]
        < 抱歉，关于“借款合同和发票”的问题，我暂时还不能在这里为您办理。需要为您转接人工客服吗？
          [buttons: 转人工 | 不用了]
        > 好的    (affirm 0.95)
        < 好的，正在为您转接人工客服，请稍候，客服会在这里回复您。人工客服每天08:00–22:00在线，非服务时间的留言会在上班后尽快处理；您也可以拨打客服热线400-800-6688。
          [handoff customer_request: 转人工原因：客户要求转人工。最近的问题：借款合同和发票。对话语言：中文。客户发言次数：2。]
    "#]].assert_eq(conversation.transcript());
    assert_eq!(conversation.handoffs.len(), 1);
    assert_eq!(conversation.handoffs[0].0, HandoffReason::CustomerRequest);
}

#[test]
fn unsupported_topic_then_no_carries_on() {
    let mut conversation =
        Conversation::with_account("John Smith", Lang::En, fixtures::john_smith_two_loans());
    conversation
        .customer("can I get a higher limit?", &[("limit_increase", 0.89)])
        .customer("no thanks", &[("deny", 0.93)])
        .customer("yes", &[("affirm", 0.9)]);
    expect![[r#"
        > can I get a higher limit?    (limit_increase 0.89)
          [knowledge: no answer]
          [account fetched]
        < Your credit limit is CNY 30,000.00, of which CNY 22,000.00 is available now.
          You have paid 10 instalments on time in a row, so you can ask for a higher limit; the answer takes 1 to 3 business days. Limits are also reviewed automatically every month.
        > no thanks    (deny 0.93)
        < All right. Is there anything else I can help you with?
          [buttons: How much do I owe this month? | Show my repayment schedule | How much to pay off my loan today? | What is my credit limit? | Why did my automatic payment fail? | Talk to a person]
        > yes    (affirm 0.90)
        < All right. Is there anything else I can help you with?
          [buttons: How much do I owe this month? | Show my repayment schedule | How much to pay off my loan today? | What is my credit limit? | Why did my automatic payment fail? | Talk to a person]
    "#]].assert_eq(conversation.transcript());
    assert!(
        conversation.handoffs.is_empty(),
        "a yes long after the offer does not hand over"
    );
    assert!(conversation.state.handoff_offer.is_none());
}

#[test]
fn loan_system_down_apologises_and_offers_a_person() {
    let mut conversation = Conversation::new("张伟", Lang::Zh, fixtures::today(), LoanSystem::Down);
    conversation
        .customer("我的额度还有多少", &[("limit_query", 0.9)])
        .customer("可以", &[("affirm", 0.88)])
        .customer("转人工", &[("human_agent", 0.97)])
        .customer("顺便问下怎么开发票", &[("contract_invoice", 0.82)])
        .customer("额度到底多少", &[("limit_query", 0.93)]);
    expect![[r#"
        > 我的额度还有多少    (limit_query 0.90)
          [account lookup failed]
        < 非常抱歉，账户系统暂时无法连接，我现在查不到您的借款信息。您可以稍后再问我一次，也可以由人工客服为您处理。需要为您转接人工客服吗？
          [buttons: 转人工 | 不用了]
        > 可以    (affirm 0.88)
        < 好的，正在为您转接人工客服，请稍候，客服会在这里回复您。人工客服每天08:00–22:00在线，非服务时间的留言会在上班后尽快处理；您也可以拨打客服热线400-800-6688。
          [handoff backend_unavailable: 转人工原因：账户系统无法连接，机器人查不到客户的借款。最近的问题：额度查询。对话语言：中文。客户发言次数：2。]
        > 转人工    (human_agent 0.97)
        < 已经为您转接人工客服了，请稍候，客服会在这里回复您。人工客服每天08:00–22:00在线，客服热线400-800-6688。
        > 顺便问下怎么开发票    (contract_invoice 0.82)
          [knowledge: no answer]
          [knowledge: no answer]
        < 抱歉，关于“借款合同和发票”的问题，我暂时还不能在这里为您办理，稍后接入的人工客服会为您处理。
        > 额度到底多少    (limit_query 0.93)
          [knowledge: no answer]
          [account lookup failed]
        < 非常抱歉，账户系统暂时无法连接，我现在查不到您的借款信息。稍后接入的人工客服会为您处理，您也可以过一会儿再问我一次。
    "#]].assert_eq(conversation.transcript());
    assert_eq!(
        conversation.handoffs.len(),
        1,
        "a second request does not record a second handoff"
    );
    assert_eq!(
        conversation.handoffs[0].0,
        HandoffReason::BackendUnavailable
    );
}

#[test]
fn language_follows_the_script_and_repeat_resends() {
    let mut conversation = Conversation::with_account("王芳", Lang::Zh, fixtures::settled_only());
    conversation
        .customer("hello", &[("greeting", 0.9)])
        .customer("123456", &[("inform", 0.7)])
        .customer("还要还钱吗", &[("due_amount_query", 0.88)])
        .customer("什么？再说一遍", &[("repeat", 0.9)])
        .customer("schedule please", &[("schedule_query", 0.9)])
        .customer("你好", &[("greeting", 0.9)]);
    expect![[r#"
        > hello    (greeting 0.90)
        < Hello 王芳! I'm the AI assistant of Anxin Consumer Finance: you are chatting with an automated system. I can tell you what is due, show your repayment schedule, quote the amount to pay off a loan and check your credit limit, or put you through to a person. How can I help?
          [buttons: How much do I owe this month? | Show my repayment schedule | How much to pay off my loan today? | What is my credit limit? | Why did my automatic payment fail? | Talk to a person]
        > 123456    (inform 0.70)
        < Thanks. I wasn't waiting for any details just now, though. What would you like to do?
          [buttons: How much do I owe this month? | Show my repayment schedule | How much to pay off my loan today? | What is my credit limit? | Why did my automatic payment fail? | Talk to a person]
        > 还要还钱吗    (due_amount_query 0.88)
          [knowledge: no answer]
          [account fetched]
        < 您的借款都已全部结清，目前没有需要还的款项。
        > 什么？再说一遍    (repeat 0.90)
        < 您的借款都已全部结清，目前没有需要还的款项。
        > schedule please    (schedule_query 0.90)
          [account fetched]
        < All your loans are fully paid off, so nothing is due.
        > 你好    (greeting 0.90)
        < 王芳您好！请问还有什么可以帮您？
          [buttons: 本期应还多少 | 我的还款计划 | 现在结清要多少钱 | 我的额度还有多少 | 自动扣款为什么失败 | 转人工]
    "#]].assert_eq(conversation.transcript());
}

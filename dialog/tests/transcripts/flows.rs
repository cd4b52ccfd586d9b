//! Multi-turn conversations: flows with slots, validation, confirmation, corrections, digressions and cancelling,
//! step-up verification, cases with reference numbers, context carried across turns ("那再下一期呢"), and the
//! collections situations that pause collection and go to a person.

use dialog::HandoffReason;
use expect_test::expect;
use nlu::Lang;

use crate::fixtures;
use crate::harness::Conversation;

#[test]
fn the_next_instalment_and_the_one_after_are_carried_from_the_due_amount_question() {
    let mut conversation =
        Conversation::with_account("John Smith", Lang::En, fixtures::john_smith_two_loans());
    conversation
        .customer("How much do I owe?", &[("due_amount_query", 0.94)])
        .customer("and the one after that?", &[("schedule_query", 0.46)])
        .customer("what about the next one", &[("due_amount_query", 0.52)]);
    expect![[r#"
        > How much do I owe?    (due_amount_query 0.94)
          [knowledge: no answer]
          [account fetched]
        < You have 2 loans still being repaid:
          [Anxin Cash Loan LN101]
          The next instalment (no. 2) is CNY 1,050.00, due on December 8, 2026 (in 12 days).
          [Anxin Instalments LN102]
          The next instalment (no. 10) is CNY 228.80, due on December 20, 2026 (in 24 days).
        > and the one after that?    (schedule_query 0.46)
          [account fetched]
        < Instalment no. 3 of Anxin Cash Loan LN101 is CNY 1,040.00, due on January 8, 2027: unpaid.
        > what about the next one    (due_amount_query 0.52)
          [account fetched]
        < Instalment no. 4 of Anxin Cash Loan LN101 is CNY 1,030.00, due on February 8, 2027: unpaid.
    "#]].assert_eq(conversation.transcript());
}

#[test]
fn chinese_follow_ups_walk_the_schedule_to_its_end() {
    let mut conversation = Conversation::with_account(
        "李娜",
        Lang::Zh,
        fixtures::li_na_debit_failed_this_morning(),
    );
    conversation
        .customer("本期应还多少", &[("due_amount_query", 0.95)])
        .customer(
            "那再下一期呢",
            &[("schedule_query", 0.38), ("due_amount_query", 0.31)],
        )
        .customer("那再下一期呢", &[("due_amount_query", 0.44)])
        .customer("那再下一期呢", &[("due_amount_query", 0.44)]);
    expect![[r#"
        > 本期应还多少    (due_amount_query 0.95)
          [knowledge: no answer]
          [account fetched]
        < 本期（第1期）应还1054.00元，今天（2026年11月26日）就是还款日。
          现在就可以还款：在App中进入“我的借款 → 立即还款”，用已绑定的银行卡还款。
        > 那再下一期呢    (schedule_query 0.38)
          [account fetched]
        < 安心随借（LN201）第2期应还1036.00元，还款日是2026年12月26日（还有30天），未还。
        > 那再下一期呢    (due_amount_query 0.44)
          [account fetched]
        < 安心随借（LN201）第3期应还1018.00元，还款日是2027年1月26日，未还。
        > 那再下一期呢    (due_amount_query 0.44)
          [account fetched]
        < 安心随借（LN201）的第3期已经是最后一期，之后没有待还的期数了。
    "#]]
    .assert_eq(conversation.transcript());
}

#[test]
fn a_promise_to_pay_is_checked_against_the_policy_corrected_and_recorded_after_a_digression() {
    let mut conversation =
        Conversation::with_account("张伟", Lang::Zh, fixtures::zhang_wei_overdue());
    conversation
        .customer("我承诺下周五还钱", &[("promise_to_pay", 0.9)])
        .customer("那就下周二吧", &[("inform", 0.62)])
        .customer("1000", &[("inform", 0.7)])
        .customer("1083.14元", &[("inform", 0.71)])
        .customer("我的额度还有多少", &[("limit_query", 0.9)])
        .customer("不对，是下周三", &[("deny", 0.55), ("inform", 0.3)])
        .customer("是的", &[("affirm", 0.96)]);
    expect![[r#"
        > 我承诺下周五还钱    (promise_to_pay 0.90)
          [account fetched]
        < 好的，我来为您登记还款承诺。您目前逾期未还1083.14元。
          抱歉，我只能登记今天到2026年12月3日之间的还款日期；更晚的安排需要人工催收专员审批。请换一个日期，或回复“转人工”。
        > 那就下周二吧    (inform 0.62)
        < 请问您打算还多少钱？至少需要还清逾期的1083.14元。
        > 1000    (inform 0.70)
        < 抱歉，我能登记的还款承诺至少要覆盖逾期的1083.14元；只还一部分需要人工催收专员审批。请换一个金额，或回复“转人工”。
        > 1083.14元    (inform 0.71)
        < 跟您确认一下：您承诺在2026年12月1日前还款1083.14元。确认登记吗？
          [buttons: 确认 | 取消]
        > 我的额度还有多少    (limit_query 0.90)
          [account fetched]
        < 您的总额度是20000.00元，目前可用额度是15000.00元。
          由于有逾期未还的款项，您的额度目前已冻结，暂时不能借款。还清逾期的1083.14元后，额度会在1个工作日内解冻。
          现在就可以还款：在App中进入“我的借款 → 立即还款”，用已绑定的银行卡还款。
        < 我们接着刚才的事：跟您确认一下：您承诺在2026年12月1日前还款1083.14元。确认登记吗？
        > 不对，是下周三    (deny 0.55)
        < 好的，已为您改为2026年12月2日。
          跟您确认一下：您承诺在2026年12月2日前还款1083.14元。确认登记吗？
          [buttons: 确认 | 取消]
        > 是的    (affirm 0.96)
          [case promise_to_pay opened as AXTEST01: amount=1083.14, date=2026-12-02, intent=promise_to_pay, overdue=1083.14]
        < 已为您登记还款承诺，编号AXTEST01：2026年12月2日前还款1083.14元。请按时在App“我的借款 → 立即还款”中还款；到期未还款的，承诺将失效，逾期费用照常计算。
    "#]].assert_eq(conversation.transcript());
    assert_eq!(conversation.cases.len(), 1);
    let (kind, details) = &conversation.cases[0];
    assert_eq!(kind, "promise_to_pay");
    assert_eq!(details.get("date").map(String::as_str), Some("2026-12-02"));
    assert_eq!(details.get("amount").map(String::as_str), Some("1083.14"));
}

#[test]
fn a_promise_is_refused_when_nothing_is_overdue_and_can_be_cancelled() {
    let mut conversation = Conversation::with_account(
        "李娜",
        Lang::Zh,
        fixtures::li_na_debit_failed_this_morning(),
    );
    conversation.customer("我保证明天还", &[("promise_to_pay", 0.88)]);
    let mut overdue = Conversation::with_account("张伟", Lang::Zh, fixtures::zhang_wei_overdue());
    overdue
        .customer("我想登记一个还款承诺", &[("promise_to_pay", 0.86)])
        .customer("算了，不办了", &[("deny", 0.7)]);
    expect![[r#"
        > 我保证明天还    (promise_to_pay 0.88)
          [account fetched]
        < 您目前没有逾期未还的款项，不需要登记还款承诺。想了解下一期的还款金额，可以问我“本期应还多少”。
    "#]].assert_eq(conversation.transcript());
    expect![[r#"
        > 我想登记一个还款承诺    (promise_to_pay 0.86)
          [account fetched]
        < 好的，我来为您登记还款承诺。您目前逾期未还1083.14元。
          请问您打算哪天还款？我可以登记今天到2026年12月3日之间的日期。
        > 算了，不办了    (deny 0.70)
        < 好的，已为您取消，没有提交任何申请。还有什么可以帮您？
    "#]]
    .assert_eq(overdue.transcript());
    assert!(overdue.cases.is_empty() && overdue.state.flow.is_none());
}

#[test]
fn changing_the_card_needs_the_id_tail_and_is_confirmed_in_english() {
    let mut conversation = Conversation::with_account(
        "Mary Chen",
        Lang::En,
        fixtures::mary_chen_card_expired_yesterday(),
    );
    conversation
        .customer(
            "I want to change my repayment card",
            &[("change_bank_card", 0.92)],
        )
        .customer("5678", &[("inform", 0.66)])
        .customer("sorry, it's 123x", &[("inform", 0.58)])
        .customer("China Merchants Bank", &[("inform", 0.61)])
        .customer("last four 6612", &[("inform", 0.64)])
        .customer("yes", &[("affirm", 0.95)]);
    expect![[r#"
        > I want to change my repayment card    (change_bank_card 0.92)
          [account fetched]
        < Your linked card: BOC ending 5566, automatic payment on.
          To keep your account safe I need to check it's you first: please tell me the last 4 characters of your ID number.
        > 5678    (inform 0.66)
          [identity not verified]
        < Sorry, that doesn't match the last 4 characters of the ID number we have. Please check and try again.
        > sorry, it's 123x    (inform 0.58)
          [identity verified]
        < Thanks, you're verified.
          Which bank is the new repayment card with?
        > China Merchants Bank    (inform 0.61)
        < What are the last 4 digits of the new card?
        > last four 6612    (inform 0.64)
        < To confirm: make the CMB card ending 6612 your repayment card. Shall I submit it?
          [buttons: Yes, go ahead | Cancel]
        > yes    (affirm 0.95)
          [case card_change opened as AXTEST01: bank=CMB, intent=change_bank_card, last4=6612, overdue=219.20]
        < Your request to change the repayment card is in, reference AXTEST01, and will be done by December 3, 2026. You can also do it yourself in the app (我的 → 银行卡): add the card and set it as the repayment card; it takes effect at once, except after 20:00 on a due date.
    "#]].assert_eq(conversation.transcript());
    assert!(conversation.state.context.identity_verified);
    let (kind, details) = &conversation.cases[0];
    assert_eq!(kind, "card_change");
    assert_eq!(details.get("bank").map(String::as_str), Some("CMB"));
    assert_eq!(details.get("last4").map(String::as_str), Some("6612"));
}

#[test]
fn three_wrong_id_tails_stop_the_change_and_offer_a_person() {
    let mut conversation =
        Conversation::with_account("张伟", Lang::Zh, fixtures::zhang_wei_overdue());
    conversation
        .customer("我要换手机号", &[("update_profile", 0.9)])
        .customer("0000", &[("inform", 0.6)])
        .customer("1111", &[("inform", 0.6)])
        .customer("2222", &[("inform", 0.6)])
        .customer("好的", &[("affirm", 0.93)]);
    expect![[r#"
        > 我要换手机号    (update_profile 0.90)
        < 我可以为您登记更换手机号；地址、工作单位等其他信息的修改请转人工客服办理。
          为了保护您的账户安全，办理这项业务前需要先核实身份：请告诉我您身份证号码的最后4位。
        > 0000    (inform 0.60)
          [identity not verified]
        < 抱歉，身份证后4位与我们的记录不一致，请再核对一下后告诉我。
        > 1111    (inform 0.60)
          [identity not verified]
        < 抱歉，身份证后4位与我们的记录不一致，请再核对一下后告诉我。
        > 2222    (inform 0.60)
          [identity not verified]
        < 抱歉，身份核实多次未通过，为了您的账户安全，这项业务需要由人工客服为您办理。需要为您转接人工客服吗？
          [buttons: 转人工 | 不用了]
        > 好的    (affirm 0.93)
        < 好的，正在为您转接人工客服，请稍候，客服会在这里回复您。人工客服每天08:00–22:00在线，非服务时间的留言会在上班后尽快处理；您也可以拨打客服热线400-800-6688。
          [handoff customer_request: 转人工原因：客户要求转人工。最近的问题：修改个人信息。对话语言：中文。客户发言次数：5。]
    "#]].assert_eq(conversation.transcript());
    assert!(conversation.cases.is_empty());
    assert_eq!(conversation.handoffs.len(), 1);
}

#[test]
fn closing_the_account_is_refused_while_a_loan_is_open_and_done_once_settled() {
    let mut open = Conversation::with_account("张伟", Lang::Zh, fixtures::zhang_wei_overdue());
    open.customer("我要注销账户", &[("account_closure", 0.93)]);
    expect![[r#"
        > 我要注销账户    (account_closure 0.93)
          [account fetched]
        < 抱歉，账户需要在所有借款都结清、且没有待处理的退款后才能注销。您目前还有5233.14元未还清，结清后再来找我办理即可。
    "#]].assert_eq(open.transcript());

    let mut settled = Conversation::with_account("王芳", Lang::Zh, fixtures::settled_only());
    settled
        .customer("我要注销账户", &[("account_closure", 0.93)])
        .customer("后四位是123X", &[("inform", 0.7)])
        .customer("确认", &[("affirm", 0.9)])
        .customer("再帮我开个结清证明", &[("settlement_certificate", 0.9)]);
    expect![[r#"
        > 我要注销账户    (account_closure 0.93)
          [account fetched]
        < 为了保护您的账户安全，办理这项业务前需要先核实身份：请告诉我您身份证号码的最后4位。
        > 后四位是123X    (inform 0.70)
          [identity verified]
        < 身份核实通过。
          注销后，您将无法再登录和借款，个人信息会按规定删除。确认要注销账户吗？
          [buttons: 确认 | 取消]
        > 确认    (affirm 0.90)
          [case account_closure opened as AXTEST01: intent=account_closure, loans=LN401, overdue=0]
        < 已为您提交注销申请，编号AXTEST01，会在2026年12月3日前（7天内）办理完成。
        > 再帮我开个结清证明    (settlement_certificate 0.90)
          [account fetched]
          [case settlement_certificate opened as AXTEST02: intent=settlement_certificate, loans=LN401, overdue=0]
        < 已为您申请结清证明，编号AXTEST02。证明会以PDF形式在2026年12月3日前发送到App消息中心和您登记的邮箱。
    "#]].assert_eq(settled.transcript());
    let kinds: Vec<&str> = settled
        .cases
        .iter()
        .map(|(kind, _)| kind.as_str())
        .collect();
    assert_eq!(kinds, ["account_closure", "settlement_certificate"]);
}

#[test]
fn refunds_complaints_and_a_case_system_that_is_down() {
    let mut conversation =
        Conversation::with_account("John Smith", Lang::En, fixtures::john_smith_two_loans());
    conversation
        .customer(
            "you took 200 yuan twice from my card",
            &[("refund_overcharge", 0.9)],
        )
        .customer("yes please", &[("affirm", 0.94)])
        .customer("I want to make a complaint", &[("complaint", 0.91)]);
    conversation.cases_down = true;
    conversation.customer("yes", &[("affirm", 0.95)]);
    expect![[r#"
        > you took 200 yuan twice from my card    (refund_overcharge 0.90)
        < To confirm: you were overcharged CNY 200.00 and would like a refund. Shall I submit the request?
          [buttons: Yes, go ahead | Cancel]
        > yes please    (affirm 0.94)
          [case refund opened as AXTEST01: amount=200.00, intent=refund_overcharge]
        < Your refund request is in, reference AXTEST01. Once the overcharge or double debit is confirmed, the money goes back to the card it was taken from, by December 3, 2026 at the latest (3 to 7 business days).
        > I want to make a complaint    (complaint 0.91)
        < I'm sorry about your experience. Shall I log a formal complaint? A member of staff will then follow it up.
          [buttons: Yes, go ahead | Cancel]
        > yes    (affirm 0.95)
          [case complaint not opened: the case system is down]
        < I'm very sorry: our service system can't be reached right now, so your request has not been submitted yet. You can try again later, or a person can log it for you. Would you like me to put you through?
          [buttons: Talk to a person | No thanks]
    "#]].assert_eq(conversation.transcript());
    assert_eq!(conversation.cases.len(), 1);
}

#[test]
fn hardship_pauses_collection_and_goes_to_a_person() {
    let mut conversation =
        Conversation::with_account("张伟", Lang::Zh, fixtures::zhang_wei_overdue());
    conversation.customer("我失业了，实在还不上", &[("hardship", 0.88)]);
    expect![[r#"
        > 我失业了，实在还不上    (hardship 0.88)
          [case collections_pause opened as AXTEST01: intent=hardship]
        < 听到您遇到困难，我们很理解。我已暂停对您账户的催收（编号AXTEST01），会由人工专员和您一起商量可行的还款安排。
        < 好的，正在为您转接人工客服，请稍候，客服会在这里回复您。人工客服每天08:00–22:00在线，非服务时间的留言会在上班后尽快处理；您也可以拨打客服热线400-800-6688。
          [handoff collections_paused: 转人工原因：催收敏感情形（异议、困难、律师或破产、身故、要求停止联系、投诉催收），已暂停催收，需人工处理。最近的问题：经济困难。对话语言：中文。客户发言次数：1。]
    "#]].assert_eq(conversation.transcript());
    assert_eq!(conversation.cases[0].0, "collections_pause");
    assert_eq!(conversation.handoffs[0].0, HandoffReason::CollectionsPaused);
}

#[test]
fn arrangements_are_explained_within_the_policy() {
    let mut conversation =
        Conversation::with_account("张伟", Lang::Zh, fixtures::zhang_wei_overdue());
    conversation
        .customer("能不能分期还", &[("installment_plan", 0.87)])
        .customer("不用了", &[("deny", 0.9)])
        .customer("我想提前还5000", &[("partial_prepay", 0.86)]);
    expect![[r#"
        > 能不能分期还    (installment_plan 0.87)
          [knowledge: no answer]
          [account fetched]
        < 您目前已逾期11天，逾期未还1083.14元。
          重新分期需要逾期满31天，您目前逾期11天，暂时还不符合条件。
          如果您能在2026年12月3日前还清逾期金额，我现在就可以为您登记还款承诺，说“我承诺某天还多少钱”即可。
          需要为您转接人工催收专员吗？
          [buttons: 转人工 | 不用了]
        > 不用了    (deny 0.90)
        < 好的，还有什么可以帮您？
          [buttons: 本期应还多少 | 我的还款计划 | 现在结清要多少钱 | 我的额度还有多少 | 自动扣款为什么失败 | 转人工]
        > 我想提前还5000    (partial_prepay 0.86)
          [account fetched]
        < 安心随借（LN001）剩余本金5000.00元，可以提前归还一部分本金，每次至少100.00元；提前还款后缩短还款期限，每期还款额不变。
          您的借款放款已满3个月，现在提前还款不收手续费。
          今天提前归还5000.00元本金，手续费0.00元，合计需支付5000.00元。
    "#]].assert_eq(conversation.transcript());
}

#[test]
fn partial_prepayment_within_three_months_costs_two_percent() {
    let mut conversation =
        Conversation::with_account("John Smith", Lang::En, fixtures::john_smith_two_loans());
    conversation.customer("I'd like to prepay 2,000 yuan", &[("partial_prepay", 0.9)]);
    expect![[r#"
        > I'd like to prepay 2,000 yuan    (partial_prepay 0.90)
          [account fetched]
        < Anxin Cash Loan LN101 has CNY 5,000.00 of principal left. You can prepay part of it, at least 100.00 at a time; the term gets shorter and the instalment amount stays the same.
          Prepaying before January 8, 2027 costs a fee of 2% of the principal prepaid; from that day on there is no fee.
          Prepaying CNY 2,000.00 of principal today costs a fee of CNY 40.00, CNY 2,040.00 in all.
        < Anxin Instalments LN102 is a purchase instalment plan: it can't be partly prepaid, only settled in full (the remaining principal plus the current month's fee, nothing else).
    "#]].assert_eq(conversation.transcript());
}

#[test]
fn a_correction_while_another_question_is_open_changes_the_earlier_answer() {
    let mut conversation =
        Conversation::with_account("张伟", Lang::Zh, fixtures::zhang_wei_overdue());
    conversation
        .customer("我承诺后天还钱", &[("promise_to_pay", 0.93)])
        .customer("不对，是明天", &[("deny", 0.8)])
        .customer("不用了", &[("deny", 0.9)]);
    expect![[r#"
        > 我承诺后天还钱    (promise_to_pay 0.93)
          [account fetched]
        < 好的，我来为您登记还款承诺。您目前逾期未还1083.14元。
          请问您打算还多少钱？至少需要还清逾期的1083.14元。
        > 不对，是明天    (deny 0.80)
        < 好的，已为您改为2026年11月27日。
          请问您打算还多少钱？至少需要还清逾期的1083.14元。
        > 不用了    (deny 0.90)
        < 好的，已为您取消，没有提交任何申请。还有什么可以帮您？
    "#]]
    .assert_eq(conversation.transcript());
    assert!(conversation.state.flow.is_none() && conversation.cases.is_empty());
}

#[test]
fn the_previous_instalment_and_next_month_follow_the_focus() {
    let mut conversation = Conversation::with_account(
        "李娜",
        Lang::Zh,
        fixtures::li_na_debit_failed_this_morning(),
    );
    conversation
        .customer("还款计划", &[("schedule_query", 0.93)])
        .customer("那下个月呢", &[("due_amount_query", 0.5)])
        .customer("那上一期呢", &[("schedule_query", 0.4)])
        .customer("那上一期呢", &[("schedule_query", 0.4)]);
    expect![[r#"
        > 还款计划    (schedule_query 0.93)
          [account fetched]
        < 安心随借（LN201）共3期，已还0期，还剩3期未还：
          第1期  2026年11月26日  1054.00元  未还  ← 下一期
          第2期  2026年12月26日  1036.00元  未还
          第3期  2027年1月26日  1018.00元  未还
          剩余应还合计3108.00元。
        > 那下个月呢    (due_amount_query 0.50)
          [account fetched]
        < 安心随借（LN201）第2期应还1036.00元，还款日是2026年12月26日（还有30天），未还。
        > 那上一期呢    (schedule_query 0.40)
          [account fetched]
        < 安心随借（LN201）第1期应还1054.00元，还款日是2026年11月26日（今天），未还。
        > 那上一期呢    (schedule_query 0.40)
          [account fetched]
        < 安心随借（LN201）的第1期是第一期，之前没有其他期数。
    "#]]
    .assert_eq(conversation.transcript());
}

#[test]
fn a_payment_that_seems_missing_lists_the_payments_and_offers_a_person() {
    let mut conversation =
        Conversation::with_account("张伟", Lang::Zh, fixtures::zhang_wei_overdue());
    conversation
        .customer("我已经还了怎么还显示逾期", &[("already_paid", 0.91)])
        .customer("好的", &[("affirm", 0.95)]);
    expect![[r#"
        > 我已经还了怎么还显示逾期    (already_paid 0.91)
          [knowledge: no answer]
          [account fetched]
        < 我没有查到您的还款记录。
          App还款和自动扣款一般实时入账，银行转账1个工作日内入账。如果您的款项不在上面的记录里、也超过了入账时间，请准备好付款凭证，我为您转接人工客服核查。
          [buttons: 转人工 | 不用了]
        > 好的    (affirm 0.95)
        < 好的，正在为您转接人工客服，请稍候，客服会在这里回复您。人工客服每天08:00–22:00在线，非服务时间的留言会在上班后尽快处理；您也可以拨打客服热线400-800-6688。
          [handoff customer_request: 转人工原因：客户要求转人工。最近的问题：已还款但未入账。对话语言：中文。客户发言次数：2。]
    "#]].assert_eq(conversation.transcript());
    assert_eq!(conversation.handoffs.len(), 1);
}

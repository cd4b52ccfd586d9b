//! The demo lender's facts (shared/spec/demo-lender.md) asked over `POST /v1/chat` in both languages, each in a
//! fresh conversation as a customer would ask it out of the blue: every reply must state the fact exactly.
//!
//! The questions are worded here, apart from the FAQ files; a reply passes when it holds every expected piece.

use tests::{
    Engine, TestApp, TestDatabase, customer_with_current_loan, fetched_models_dir, new_customer_id,
    seed, today_in_shanghai,
};

/// `(question, pieces the reply must hold)`.
const FACTS: &[(&str, &[&str])] = &[
    ("还款日过了还有几天宽限期？", &["3天"]),
    ("你们人工客服几点到几点上班", &["08:00", "22:00"]),
    ("客服热线电话是多少", &["400-800-6688"]),
    ("安心随借最多能借多少钱", &["50,000"]),
    ("安心分期能分几期", &["9", "18", "24"]),
    ("提前结清要不要手续费", &["2%", "3个月"]),
    ("自动扣款一般几点扣", &["06:00", "14:00", "20:00"]),
    ("申请提交以后多久能审核完", &["30分钟"]),
    ("申请被拒了多久可以再申请", &["30天"]),
    ("重复扣款了，钱多久能退回来", &["3", "7个工作日"]),
    ("逾期了罚息怎么算", &["1.5倍"]),
    ("征信有异议，多久给答复", &["20天"]),
    ("免息券有效期是多久", &["30天"]),
    ("有人让我把钱转到他个人账户上还款，可以吗", &["诈骗"]),
    (
        "How many days of grace do I get after the due date?",
        &["3 days"],
    ),
    (
        "What hours are your human agents available?",
        &["08:00", "22:00"],
    ),
    (
        "What is the interest rate range for the cash loan?",
        &["7.2%", "23.9%"],
    ),
    (
        "Which banks can I use for automatic debit?",
        &["ICBC", "CMB"],
    ),
    (
        "How long does a bank transfer take to be credited?",
        &["1 business day"],
    ),
    (
        "What is the monthly service fee on the instalment loan?",
        &["0.6%", "0.9%"],
    ),
    (
        "What is the smallest partial prepayment I can make?",
        &["100"],
    ),
    (
        "How long will it take to resolve my complaint?",
        &["15 days"],
    ),
    (
        "How soon after approval does the money reach my card?",
        &["2 hours"],
    ),
    ("When can I ask for a higher credit limit?", &["6"]),
];

#[tokio::test]
async fn every_fact_of_the_demo_lender_is_stated_exactly_in_both_languages() {
    let database = TestDatabase::create(Engine::Sqlite).await;
    let app = TestApp::spawn(&database.url).await;
    ask_every_fact(&database, &app).await;
    app.stop().await;
    database.drop_database().await;
}

/// The same with FAQ search by meaning on, as `anxin serve` runs by default: the encoder from the models folder
/// that `tests/run.sh` fetches into, where the phrasing vectors are cached after the first run.
#[tokio::test]
async fn every_fact_is_stated_exactly_when_the_faq_is_searched_by_meaning_too() {
    let database = TestDatabase::create(Engine::Sqlite).await;
    let app = TestApp::spawn_with(&database.url, |settings| {
        settings.semantic_search = true;
        settings.models_dir = fetched_models_dir();
    })
    .await;
    ask_every_fact(&database, &app).await;
    app.stop().await;
    database.drop_database().await;
}

async fn ask_every_fact(database: &TestDatabase, app: &TestApp) {
    let customer = new_customer_id("FACT");
    seed(
        &database.url,
        &customer_with_current_loan(&customer, "zh", today_in_shanghai()),
    )
    .await;
    let token = app.token(&customer);
    let mut wrong = Vec::new();
    for (question, pieces) in FACTS {
        let (status, body) = app.chat(Some(&token), question, None).await;
        assert_eq!(status, 200, "{question}: {body}");
        let reply: Vec<&str> = body["replies"]
            .as_array()
            .map(|replies| {
                replies
                    .iter()
                    .filter_map(|reply| reply["text"].as_str())
                    .collect()
            })
            .unwrap_or_default();
        let reply = reply.join("\n");
        if !pieces.iter().all(|piece| reply.contains(piece)) {
            wrong.push(format!("{question}\n  expected {pieces:?}\n  got {reply}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} facts were not stated:\n{}",
        wrong.len(),
        FACTS.len(),
        wrong.join("\n")
    );
}

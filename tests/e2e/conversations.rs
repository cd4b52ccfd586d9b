//! Whole multi-turn conversations with a seeded overdue customer, over the WebSocket in Chinese and over
//! `POST /v1/chat` in English, on SQLite and PostgreSQL: exact amounts and dates, the next-instalment follow-up
//! ("那再下一期呢"), the payoff quote, the failed debit, a promise to pay recorded as a case with a reference
//! number, and a person at the end.

use chrono::{Days, NaiveDate};
use connectors::Cases;
use serde_json::{Value, json};
use tests::{
    Engine, TestApp, TestDatabase, date_en, date_zh, new_customer_id, seed, today_in_shanghai,
    yuan_en, yuan_zh,
};

/// A 6,000 cash loan at 18% over 6 instalments, paid out 100 days ago (so no early-settlement fee). Instalments
/// 1 and 2 are paid; instalment 3 (1,000 principal + 60 interest + 13.50 seeded penalty = 1,073.50) fell due 10
/// days ago and its automatic debit of 1,060.00 failed for lack of funds; instalments 4–6 (1,045.00, 1,030.00,
/// 1,015.00) fall due in 20, 50 and 80 days.
///
/// Settling today: principal 4,000 + overdue charges 73.50 + interest on the 3,000 not yet due for the 10 days
/// since instalment 3's due date, 3,000 × 18% × 10 / 360 = 15.00, and no fee: 4,088.50.
fn overdue_customer(customer_id: &str, language: &str, today: NaiveDate) -> connectors::SeedData {
    let loan_id = format!("LN-{customer_id}");
    let due = |offset: i64| {
        if offset < 0 {
            today - Days::new(offset.unsigned_abs())
        } else {
            today + Days::new(offset.unsigned_abs())
        }
    };
    let rows = [
        (1, -70, "90.00", "0.00", "1090.00"),
        (2, -40, "75.00", "0.00", "1075.00"),
        (3, -10, "60.00", "13.50", "0.00"),
        (4, 20, "45.00", "0.00", "0.00"),
        (5, 50, "30.00", "0.00", "0.00"),
        (6, 80, "15.00", "0.00", "0.00"),
    ];
    let installments: Vec<Value> = rows
        .iter()
        .map(|(seq, offset, interest, penalty, paid)| {
            json!({"seq": seq, "due_date": due(*offset).to_string(), "principal": "1000.00",
                   "interest": interest, "fee": "0.00", "penalty": penalty, "paid": paid})
        })
        .collect();
    let name = if language == "zh" {
        "赵磊"
    } else {
        "Daniel Reed"
    };
    let seed = json!({
        "customers": [{"id": customer_id, "name": name, "phone": "+8613900002222", "id_last4": "4821",
                        "language": language, "timezone": "Asia/Shanghai", "credit_limit": "10000.00"}],
        "loans": [{"id": loan_id, "customer_id": customer_id, "product": "cash_loan",
                   "principal": "6000.00", "annual_rate": "0.18", "term_months": 6,
                   "disbursed_on": due(-100).to_string(), "installments": installments}],
        "cards": [{"customer_id": customer_id, "bank": "ICBC", "last4": "6789", "autodebit": true}],
        "repayments": [
            {"loan_id": loan_id, "amount": "1090.00", "at": format!("{}T06:00:00+08:00", due(-70)),
             "channel": "autodebit", "status": "succeeded"},
            {"loan_id": loan_id, "amount": "1075.00", "at": format!("{}T06:00:00+08:00", due(-40)),
             "channel": "autodebit", "status": "succeeded"},
            {"loan_id": loan_id, "amount": "1060.00", "at": format!("{}T20:00:00+08:00", due(-10)),
             "channel": "autodebit", "status": "failed", "fail_reason": "insufficient_funds"}
        ]
    });
    serde_json::from_value(seed).expect("the fixture follows the seed format")
}

fn assert_says(replies: &str, expected: &[&str]) {
    for text in expected {
        assert!(
            replies.contains(text),
            "the reply lacks {text:?}:\n{replies}"
        );
    }
}

async fn chinese_conversation_over_the_websocket(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let app = TestApp::spawn(&database.url).await;
    let today = today_in_shanghai();
    let customer = new_customer_id("ZO");
    seed(&database.url, &overdue_customer(&customer, "zh", today)).await;

    let mut socket = app
        .websocket(&app.token(&customer), None)
        .await
        .expect("the upgrade is accepted");
    socket.next_of_type("conversation").await;

    let replies = socket.ask("本期应还多少").await.join("\n");
    assert_says(
        &replies,
        &[
            &yuan_zh("1073.50"),
            "10天",
            &yuan_zh("1045.00"),
            &date_zh(today + Days::new(20)),
        ],
    );
    let replies = socket.ask("那再下一期呢").await.join("\n");
    assert_says(
        &replies,
        &[
            "第5期",
            &yuan_zh("1030.00"),
            &date_zh(today + Days::new(50)),
        ],
    );
    let replies = socket.ask("那再下一期呢").await.join("\n");
    assert_says(
        &replies,
        &[
            "第6期",
            &yuan_zh("1015.00"),
            &date_zh(today + Days::new(80)),
        ],
    );
    let replies = socket.ask("现在一次性结清要多少钱").await.join("\n");
    assert_says(
        &replies,
        &[
            &yuan_zh("4000.00"),
            &yuan_zh("73.50"),
            &yuan_zh("15.00"),
            &yuan_zh("4088.50"),
        ],
    );
    let replies = socket.ask("为什么扣款失败了").await.join("\n");
    assert_says(&replies, &[&yuan_zh("1060.00"), "余额不足"]);

    let replies = socket.ask("我后天还1073.50").await.join("\n");
    assert_says(
        &replies,
        &[&date_zh(today + Days::new(2)), &yuan_zh("1073.50"), "确认"],
    );
    let replies = socket.ask("是的").await.join("\n");
    let reference_prefix = format!("AX{}", today.format("%y%m%d"));
    assert_says(&replies, &[&reference_prefix]);
    socket.close().await;

    let database_handle = connectors::Database::connect(&database.url)
        .await
        .expect("the database opens");
    let cases = database_handle
        .cases()
        .cases_of(&customer)
        .await
        .expect("the cases are listed");
    assert_eq!(cases.len(), 1, "{cases:?}");
    assert_eq!(cases[0].kind, "promise_to_pay");
    assert_eq!(cases[0].deadline, today + Days::new(2));
    assert_eq!(
        cases[0].details.get("amount").map(String::as_str),
        Some("1073.50")
    );
    assert!(replies.contains(&cases[0].reference), "{replies}");
    database_handle.close().await;

    app.stop().await;
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_chinese_multi_turn_conversation() {
    chinese_conversation_over_the_websocket(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_chinese_multi_turn_conversation() {
    chinese_conversation_over_the_websocket(Engine::Postgres).await;
}

fn reply_text(body: &Value) -> String {
    body["replies"]
        .as_array()
        .map(|replies| {
            replies
                .iter()
                .filter_map(|reply| reply["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

async fn english_conversation_over_rest(engine: Engine) {
    let database = TestDatabase::create(engine).await;
    let app = TestApp::spawn(&database.url).await;
    let today = today_in_shanghai();
    let customer = new_customer_id("EO");
    seed(&database.url, &overdue_customer(&customer, "en", today)).await;
    let token = app.token(&customer);

    let (status, body) = app.chat(Some(&token), "How much do I owe?", None).await;
    assert_eq!(status, 200, "{body}");
    let conversation = body["conversation_id"]
        .as_str()
        .expect("a conversation id")
        .to_owned();
    assert_says(
        &reply_text(&body),
        &[
            &yuan_en("1073.50"),
            &yuan_en("1045.00"),
            &date_en(today + Days::new(20)),
        ],
    );
    let turn = |text: &'static str| {
        let app = &app;
        let token = token.clone();
        let conversation = conversation.clone();
        async move {
            let (status, body) = app.chat(Some(&token), text, Some(&conversation)).await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    let body = turn("and the one after that?").await;
    assert_says(
        &reply_text(&body),
        &[
            "no. 5",
            &yuan_en("1030.00"),
            &date_en(today + Days::new(50)),
        ],
    );
    let body = turn("How much to pay off my loan today?").await;
    assert_says(&reply_text(&body), &[&yuan_en("4088.50")]);
    let body = turn("asdf qwer zxcv").await;
    assert!(!reply_text(&body).is_empty());
    let body = turn("I want to talk to a real person").await;
    assert!(body["handoff"].is_object(), "{body}");

    app.stop().await;
    database.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_english_multi_turn_conversation() {
    english_conversation_over_rest(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_english_multi_turn_conversation() {
    english_conversation_over_rest(Engine::Postgres).await;
}

/// A loan system and a case system that do not answer (nothing listens on their port): every turn still gets a
/// kind answer within seconds, the customer is offered a person, and accepting hands the conversation over.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backends_that_are_down_get_a_kind_answer_and_a_person() {
    let database = TestDatabase::create(Engine::Sqlite).await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let dead = format!("http://{}", listener.local_addr().expect("an address"));
    drop(listener);
    let app = TestApp::spawn_with(&database.url, |settings| {
        settings.loan_system = bot::settings::Backend::Http {
            base_url: dead.clone(),
            token: "unused".to_owned(),
        };
        settings.cases = bot::settings::Backend::Http {
            base_url: dead.clone(),
            token: "unused".to_owned(),
        };
    })
    .await;
    let token = app.token(&new_customer_id("DN"));

    let started = std::time::Instant::now();
    let (status, body) = app.chat(Some(&token), "本期应还多少", None).await;
    assert_eq!(status, 200, "{body}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let conversation = body["conversation_id"].as_str().expect("an id").to_owned();
    assert_says(&reply_text(&body), &["暂时无法连接", "人工客服"]);
    assert!(body["handoff"].is_null());

    let (_, body) = app
        .chat(Some(&token), "我要投诉", Some(&conversation))
        .await;
    assert_says(&reply_text(&body), &["投诉"]);
    let (_, body) = app.chat(Some(&token), "是的", Some(&conversation)).await;
    assert_says(
        &reply_text(&body),
        &["业务系统暂时无法连接", "还没有提交成功"],
    );
    let (_, body) = app.chat(Some(&token), "好的", Some(&conversation)).await;
    assert!(body["handoff"].is_object(), "{body}");

    app.stop().await;
    database.drop_database().await;
}

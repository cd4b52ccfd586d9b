//! Shared set-up: a seeded SQLite database in a temporary folder and a [`ChatService`] over it.

use std::path::PathBuf;
use std::sync::Arc;

use bot::chat::ChatService;
use bot::settings::Settings;
use chrono::NaiveDate;
use connectors::{ConversationStore, Database, LoanSystem};

/// Where the tests cache the installed model, like a user's cache: shared by every test and run.
pub fn shared_models_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/anxin-test-models")
}

/// A chat pipeline over a fresh database; the folder lives as long as the value.
pub struct Pipeline {
    pub chat: ChatService,
    pub database: Database,
    _folder: tempfile::TempDir,
}

impl Pipeline {
    /// A fresh database seeded with `seed`, the installed NLU, and messages of at most `max_message_chars`.
    pub async fn start(seed: serde_json::Value, max_message_chars: usize) -> Pipeline {
        let folder = tempfile::tempdir().expect("a temporary folder");
        let url = format!("sqlite://{}", folder.path().join("anxin.db").display());
        let database = Database::connect(&url).await.expect("the database opens");
        let seed: connectors::SeedData =
            serde_json::from_value(seed).expect("the fixture follows the seed format");
        database
            .loan_system()
            .seed(&seed)
            .await
            .expect("the seed is accepted");
        let settings = Settings {
            data_dir: folder.path().to_path_buf(),
            models_dir: shared_models_dir(),
            ..Settings::default()
        };
        let nlu = bot::models::installed_nlu(&settings)
            .await
            .expect("the installed model loads");
        let loans: Arc<dyn LoanSystem> = Arc::new(database.loan_system());
        let conversations: Arc<dyn ConversationStore> = Arc::new(database.conversations());
        let chat = ChatService::new(
            nlu,
            loans,
            conversations,
            chrono_tz::Asia::Shanghai,
            max_message_chars,
        );
        Pipeline {
            chat,
            database,
            _folder: folder,
        }
    }
}

/// Today in Shanghai, where the fixture customers live.
pub fn today_in_shanghai() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// One customer with a six-month cash loan of 6,000: the first instalment (1,000 + 90 interest) paid, the
/// second (1,000 + 75) due in five days.
pub fn customer_with_a_current_loan(customer_id: &str, language: &str) -> serde_json::Value {
    let today = today_in_shanghai();
    let second_due = today + chrono::Days::new(5);
    let disbursed_on = second_due - chrono::Months::new(2);
    let installments: Vec<serde_json::Value> = (1..=6_u32)
        .map(|seq| {
            let due = if seq == 2 { second_due } else { disbursed_on + chrono::Months::new(seq) };
            let interest = 90 - 15 * (i64::from(seq) - 1);
            let paid = if seq == 1 { format!("{}.00", 1000 + interest) } else { "0.00".to_owned() };
            serde_json::json!({"seq": seq, "due_date": due.to_string(), "principal": "1000.00",
                               "interest": format!("{interest}.00"), "fee": "0.00", "penalty": "0.00", "paid": paid})
        })
        .collect();
    serde_json::json!({
        "customers": [{"id": customer_id, "name": if language == "zh" { "赵敏" } else { "Grace Lin" },
                        "phone": "+8613700002222", "id_last4": "4321", "language": language,
                        "timezone": "Asia/Shanghai", "credit_limit": "10000.00"}],
        "loans": [{"id": format!("L-{customer_id}"), "customer_id": customer_id, "product": "cash_loan",
                   "principal": "6000.00", "annual_rate": "0.18", "term_months": 6,
                   "disbursed_on": disbursed_on.to_string(), "installments": installments}],
        "cards": [{"customer_id": customer_id, "bank": "CCB", "last4": "2468", "autodebit": true}],
        "repayments": []
    })
}

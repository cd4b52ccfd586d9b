//! The embedded loan system: seeding, reading back, replacing, rejecting and surviving a restart.

use connectors::loans::LoanStatus;
use connectors::{BackendError, Database, LoanSystem, SeedData};
use rust_decimal::Decimal;

use crate::support::{day, money, on_each_backend};

/// The example of `anxin seed --file` in api.md, word for word, plus a credit limit on the customer.
const API_EXAMPLE: &str = r#"
{"customers": [{"id": "C001", "name": "张伟", "phone": "+8613812345678", "id_last4": "1234",
                "language": "zh", "timezone": "Asia/Shanghai"}],
 "loans": [{"id": "LN001", "customer_id": "C001", "product": "cash_loan", "principal": "12000.00",
            "annual_rate": "0.18", "term_months": 12, "disbursed_on": "2026-03-15",
            "installments": [{"seq": 1, "due_date": "2026-04-15", "principal": "1000.00", "interest": "180.00",
                              "fee": "0.00", "penalty": "0.00", "paid": "1180.00"}]}],
 "cards": [{"customer_id": "C001", "bank": "ICBC", "last4": "6789", "autodebit": true}],
 "repayments": [{"loan_id": "LN001", "amount": "1180.00", "at": "2026-04-15T10:00:00+08:00",
                 "channel": "autodebit", "status": "failed", "fail_reason": "insufficient_funds"}]}
"#;

fn api_example() -> SeedData {
    let mut data: SeedData = serde_json::from_str(API_EXAMPLE).expect("the api.md example parses");
    data.customers[0].credit_limit = Some(money("20000.00"));
    data
}

/// A second batch for the same ids: a new name, a two-instalment schedule, the card's automatic debit switched
/// off, a second card, and two repayments replacing the first.
fn replacement() -> SeedData {
    let json = r#"
    {"customers": [{"id": "C001", "name": "张伟伟", "phone": "+8613800000000", "id_last4": "1234",
                    "language": "zh", "timezone": "Asia/Shanghai", "credit_limit": "25000.50"}],
     "loans": [{"id": "LN001", "customer_id": "C001", "product": "cash_loan", "principal": "2000.00",
                "annual_rate": "0.18", "term_months": 2, "disbursed_on": "2026-03-15",
                "installments": [
                  {"seq": 1, "due_date": "2026-04-15", "principal": "1000.00", "interest": "30.00",
                   "fee": "0.00", "penalty": "0.00", "paid": "1030.00"},
                  {"seq": 2, "due_date": "2026-05-15", "principal": "1000.00", "interest": "15.00",
                   "fee": "0.00", "penalty": "0.00", "paid": "0.00"}]}],
     "cards": [{"customer_id": "C001", "bank": "ICBC", "last4": "6789", "autodebit": false},
               {"customer_id": "C001", "bank": "CMB", "last4": "1111", "autodebit": true}],
     "repayments": [{"loan_id": "LN001", "amount": "500.00", "at": "2026-04-14T09:00:00+08:00",
                     "channel": "app", "status": "succeeded"},
                    {"loan_id": "LN001", "amount": "530.00", "at": "2026-04-15T02:30:00+00:00",
                     "channel": "transfer", "status": "succeeded"}]}"#;
    serde_json::from_str(json).expect("the replacement batch parses")
}

#[tokio::test]
async fn seed_reads_back_and_replaces_records_with_the_same_ids() {
    on_each_backend(|url| async move {
        let database = Database::connect(&url).await.expect("connect");
        let loans = database.loan_system();
        let report = loans
            .seed(&api_example())
            .await
            .expect("seed the api.md example");
        assert_eq!(
            (
                report.customers,
                report.loans,
                report.installments,
                report.cards,
                report.repayments
            ),
            (1, 1, 1, 1, 1)
        );
        assert_eq!(loans.customer_count().await.expect("count"), 1);

        let customer = loans
            .customer("C001")
            .await
            .expect("read")
            .expect("C001 exists");
        assert_eq!(customer, api_example().customers[0]);
        let by_phone = loans
            .customer_by_phone("+8613812345678")
            .await
            .expect("read");
        assert_eq!(
            by_phone.map(|customer| customer.id),
            Some("C001".to_owned())
        );
        assert_eq!(loans.customer("C404").await.expect("read"), None);
        assert_eq!(
            loans
                .customer_by_phone("+8613900000000")
                .await
                .expect("read"),
            None
        );
        assert!(
            loans
                .account("C404", day("2026-04-20"))
                .await
                .expect("read")
                .is_none()
        );

        let account = loans
            .account("C001", day("2026-04-20"))
            .await
            .expect("read")
            .expect("account");
        assert_eq!(account.loans.len(), 1);
        assert_eq!(account.loans[0].loan, api_example().loans[0]);
        assert_eq!(account.loans[0].status, LoanStatus::Settled);
        assert_eq!(account.cards, api_example().cards);
        assert_eq!(account.repayments, api_example().repayments);
        assert_eq!(account.failed_repayments().len(), 1);
        // Nothing unsettled, so the whole limit is available.
        assert_eq!(account.available_limit(), Some(money("20000.00")));

        loans
            .seed(&replacement())
            .await
            .expect("seed the replacement");
        assert_eq!(loans.customer_count().await.expect("count"), 1);
        let account = loans
            .account("C001", day("2026-05-20"))
            .await
            .expect("read")
            .expect("account");
        assert_eq!(account.customer.name, "张伟伟");
        assert_eq!(account.customer.credit_limit, Some(money("25000.50")));
        assert!(
            loans
                .customer_by_phone("+8613812345678")
                .await
                .expect("read")
                .is_none()
        );
        let loan = &account.loans[0];
        assert_eq!(loan.loan, replacement().loans[0]);
        // Instalment 2 (1015.00) fell due on 2026-05-15: five days overdue.
        assert_eq!(loan.status, LoanStatus::Overdue);
        assert_eq!(loan.days_past_due, 5);
        assert_eq!(loan.overdue_amount, money("1015.00"));
        // 25000.50 − 1000.00 of unpaid principal; frozen while overdue.
        assert_eq!(account.available_limit(), Some(money("24000.50")));
        assert!(account.limit_frozen());
        // Cards are keyed by holder and last four digits: one replaced, one added, ordered by bank.
        let cards: Vec<(&str, &str, bool)> = account
            .cards
            .iter()
            .map(|card| (card.bank.as_str(), card.last4.as_str(), card.autodebit))
            .collect();
        assert_eq!(cards, vec![("CMB", "1111", true), ("ICBC", "6789", false)]);
        // The first batch's repayment is gone; the new ones come newest first (02:30 UTC is 10:30 in Shanghai),
        // each keeping the offset it was given.
        let amounts: Vec<Decimal> = account
            .repayments
            .iter()
            .map(|repayment| repayment.amount)
            .collect();
        assert_eq!(amounts, vec![money("530.00"), money("500.00")]);
        assert_eq!(
            account.repayments[0].at.to_rfc3339(),
            "2026-04-15T02:30:00+00:00"
        );
        assert!(account.failed_repayments().is_empty());
        database.close().await;
    })
    .await;
}

#[tokio::test]
async fn seeding_the_same_batch_twice_changes_nothing() {
    on_each_backend(|url| async move {
        let database = Database::connect(&url).await.expect("connect");
        let loans = database.loan_system();
        loans.seed(&api_example()).await.expect("first seed");
        let first = loans
            .account("C001", day("2026-04-20"))
            .await
            .expect("read");
        loans.seed(&api_example()).await.expect("second seed");
        let second = loans
            .account("C001", day("2026-04-20"))
            .await
            .expect("read");
        assert_eq!(first, second);
        assert_eq!(second.map(|account| account.repayments.len()), Some(1));
        assert_eq!(loans.customer_count().await.expect("count"), 1);
        database.close().await;
    })
    .await;
}

fn rejection(result: Result<connectors::SeedReport, BackendError>) -> String {
    match result {
        Err(BackendError::Rejected(message)) => message,
        other => panic!("expected a rejected seed, got {other:?}"),
    }
}

#[tokio::test]
async fn rejected_seeds_name_the_record_and_write_nothing() {
    on_each_backend(|url| async move {
        let database = Database::connect(&url).await.expect("connect");
        let loans = database.loan_system();
        loans.seed(&api_example()).await.expect("seed");

        // A valid new customer next to a loan of an unknown one: the whole batch is refused.
        let mut unknown_customer = replacement();
        unknown_customer.customers[0].id = "C002".to_owned();
        unknown_customer.cards.clear();
        unknown_customer.repayments.clear();
        unknown_customer.loans[0].id = "LN002".to_owned();
        unknown_customer.loans[0].customer_id = "C999".to_owned();
        let message = rejection(loans.seed(&unknown_customer).await);
        assert!(
            message.contains("LN002") && message.contains("C999"),
            "{message}"
        );
        assert!(loans.customer("C002").await.expect("read").is_none());

        // A loan of a customer already in the database is fine without repeating the customer.
        let mut existing_customer = replacement();
        existing_customer.customers.clear();
        existing_customer.loans[0].id = "LN003".to_owned();
        existing_customer.repayments.clear();
        loans
            .seed(&existing_customer)
            .await
            .expect("a loan of a stored customer");

        let mut duplicate_seq = replacement();
        duplicate_seq.loans[0].installments[1].seq = 1;
        let message = rejection(loans.seed(&duplicate_seq).await);
        assert_eq!(
            message,
            "loan LN001 has more than one instalment with seq 1"
        );

        let mut negative = replacement();
        negative.repayments[1].amount = money("-530.00");
        let message = rejection(loans.seed(&negative).await);
        assert!(
            message.contains("negative amount") && message.contains("LN001"),
            "{message}"
        );

        let mut unknown_loan = replacement();
        unknown_loan.repayments[0].loan_id = "LN777".to_owned();
        let message = rejection(loans.seed(&unknown_loan).await);
        assert!(message.contains("LN777"), "{message}");

        let mut unknown_card_holder = replacement();
        unknown_card_holder.cards[1].customer_id = "C555".to_owned();
        let message = rejection(loans.seed(&unknown_card_holder).await);
        assert!(
            message.contains("1111") && message.contains("C555"),
            "{message}"
        );

        // None of the refused batches left a trace: C001 is still the api.md example plus loan LN003.
        let account = loans
            .account("C001", day("2026-04-20"))
            .await
            .expect("read")
            .expect("account");
        assert_eq!(account.customer.name, "张伟");
        let loan_ids: Vec<&str> = account
            .loans
            .iter()
            .map(|summary| summary.loan.id.as_str())
            .collect();
        assert_eq!(loan_ids, vec!["LN001", "LN003"]);
        assert_eq!(account.loans[0].loan, api_example().loans[0]);
        assert_eq!(account.cards.len(), 2);
        assert_eq!(account.repayments, api_example().repayments);
        assert_eq!(loans.customer_count().await.expect("count"), 1);
        database.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_new_connection_to_the_same_url_sees_the_same_data() {
    on_each_backend(|url| async move {
        let database = Database::connect(&url).await.expect("connect");
        database
            .loan_system()
            .seed(&api_example())
            .await
            .expect("seed");
        let store = database.conversations();
        let conversation =
            connectors::ConversationStore::create_conversation(&store, "C001", "web")
                .await
                .expect("create");
        database.close().await;
        assert!(
            database.health().await.is_err(),
            "a closed pool is not healthy"
        );

        let reopened = Database::connect(&url)
            .await
            .expect("reconnect and migrate again");
        assert!(reopened.health().await.is_ok());
        assert!(reopened.loan_system().health().await.is_ok());
        let account = reopened
            .loan_system()
            .account("C001", day("2026-04-20"))
            .await
            .expect("read")
            .expect("the account survived");
        assert_eq!(account.loans[0].loan, api_example().loans[0]);
        let again = connectors::ConversationStore::conversation(
            &reopened.conversations(),
            &conversation.id,
        )
        .await
        .expect("read");
        assert_eq!(again, Some(conversation));
        reopened.close().await;
    })
    .await;
}

#[tokio::test]
async fn bad_urls_are_setup_errors() {
    for url in ["mysql://root@127.0.0.1/anxin", "anxin.db", "sqlite://"] {
        match Database::connect(url).await {
            Err(BackendError::Setup(message)) => assert!(!message.is_empty()),
            other => panic!("{url}: expected a setup error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_in_memory_database_works_for_quick_tools() {
    let database = Database::connect("sqlite::memory:").await.expect("connect");
    let loans = database.loan_system();
    loans.seed(&api_example()).await.expect("seed");
    assert_eq!(loans.customer_count().await.expect("count"), 1);
    database.close().await;
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_foreign_keys_enforced() {
    let scratch = crate::support::Scratch::sqlite();
    let database = Database::connect(scratch.url()).await.expect("connect");
    let mut connection = database.pool().acquire().await.expect("a connection");
    let journal_mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut *connection)
        .await
        .expect("read the journal mode");
    let foreign_keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(&mut *connection)
        .await
        .expect("read the foreign key setting");
    let busy_timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
        .fetch_one(&mut *connection)
        .await
        .expect("read the busy timeout");
    drop(connection);
    database.close().await;
    scratch.remove().await;
    assert_eq!(journal_mode, "wal");
    assert_eq!(foreign_keys, 1);
    assert_eq!(busy_timeout, 5000);
}

//! The demo lender loads into both databases and every state it promises is there as of the day it was made for.

use chrono::Days;
use connectors::demo::{DemoLoanState, demo_loans, demo_seed};
use connectors::loans::LoanStatus;
use connectors::{Database, LoanSystem};

use crate::support::{day, on_each_backend};

/// Checks each demo loan's planned state in the accounts read back from the database on `today`.
async fn check_states(database: &Database, today: chrono::NaiveDate) {
    let loans = database.loan_system();
    for planned in demo_loans() {
        let account = loans
            .account(&planned.customer_id, today)
            .await
            .expect("read")
            .expect("every demo customer is stored");
        let summary = account
            .loan(&planned.loan_id)
            .expect("the planned loan is in the account");
        let context = format!("{} of {} on {today}", planned.loan_id, planned.customer_id);
        match planned.state {
            DemoLoanState::Current { days_to_next_due } => {
                assert_eq!(summary.status, LoanStatus::Current, "{context}");
                let next = summary.next_due.as_ref().expect("a next instalment");
                assert_eq!(
                    (next.due_date - today).num_days(),
                    i64::from(days_to_next_due),
                    "{context}"
                );
            }
            DemoLoanState::DueToday => {
                assert_eq!(summary.status, LoanStatus::Current, "{context}");
                assert_eq!(
                    summary.next_due.as_ref().map(|due| due.due_date),
                    Some(today),
                    "{context}"
                );
            }
            DemoLoanState::Overdue { days_past_due } => {
                assert_eq!(summary.status, LoanStatus::Overdue, "{context}");
                assert_eq!(summary.days_past_due, days_past_due, "{context}");
                assert!(account.limit_frozen(), "{context}");
            }
            DemoLoanState::SettledEarly | DemoLoanState::SettledAtTerm => {
                assert_eq!(summary.status, LoanStatus::Settled, "{context}");
                assert!(summary.payoff.is_none(), "{context}");
            }
        }
        if let Some(reason) = planned.failed_autodebit_reason {
            assert!(
                account
                    .failed_repayments()
                    .iter()
                    .any(|repayment| repayment.fail_reason.as_deref() == Some(reason)),
                "{context}: a failed {reason} debit"
            );
        }
    }
}

#[tokio::test]
async fn the_demo_loads_and_every_promised_state_is_present() {
    on_each_backend(|url| async move {
        let database = Database::connect(&url).await.expect("connect");
        let today = day("2026-11-26");
        let seed = demo_seed(today);
        let report = database
            .loan_system()
            .seed(&seed)
            .await
            .expect("load the demo");
        assert_eq!(report.customers, seed.customers.len());
        assert_eq!(
            database
                .loan_system()
                .customer_count()
                .await
                .expect("count"),
            seed.customers.len() as u64
        );
        check_states(&database, today).await;

        // A customer with no loans still has an account, with the whole limit available.
        let no_loans = seed
            .customers
            .iter()
            .find(|customer| {
                seed.loans
                    .iter()
                    .all(|loan| loan.customer_id != customer.id)
            })
            .expect("a customer without loans");
        let account = database
            .loan_system()
            .account(&no_loans.id, today)
            .await
            .expect("read")
            .expect("stored");
        assert!(account.loans.is_empty());
        assert_eq!(account.available_limit(), no_loans.credit_limit);

        // Loading the demo again 45 days later replaces it: the states hold on the new day and nothing stale is
        // left behind.
        let later = today.checked_add_days(Days::new(45)).expect("in range");
        let later_seed = demo_seed(later);
        database
            .loan_system()
            .seed(&later_seed)
            .await
            .expect("reload the demo");
        check_states(&database, later).await;
        for loan in &later_seed.loans {
            let account = database
                .loan_system()
                .account(&loan.customer_id, later)
                .await
                .expect("read")
                .expect("stored");
            let stored = account.loan(&loan.id).expect("stored loan");
            assert_eq!(&stored.loan, loan);
            let expected_repayments = later_seed
                .repayments
                .iter()
                .filter(|repayment| {
                    seed_customer_of(&later_seed, &repayment.loan_id) == Some(&loan.customer_id)
                })
                .count();
            assert_eq!(account.repayments.len(), expected_repayments, "{}", loan.id);
        }
        database.close().await;
    })
    .await;
}

fn seed_customer_of<'seed>(
    seed: &'seed connectors::SeedData,
    loan_id: &str,
) -> Option<&'seed String> {
    seed.loans
        .iter()
        .find(|loan| loan.id == loan_id)
        .map(|loan| &loan.customer_id)
}

//! The mapping from the loan system's [`connectors::Account`] to the dialog manager's [`dialog::AccountView`].
//!
//! Nothing is computed here: every amount, date and flag was worked out by the loan system (`connectors`), and
//! this module only copies what the dialog phrases into the dialog's own types, so that `dialog` never depends
//! on `connectors`.

use connectors::{Account, Card, DueInstallment, LoanStatus, LoanSummary, PayoffQuote, Repayment};
use dialog::{
    AccountView, CardView, DueView, FailedDebitView, LoanState, LoanView, PayoffView,
    RepaymentView, ScheduleLine,
};

/// The dialog's view of `account`.
pub fn account_view(account: &Account) -> AccountView {
    AccountView {
        customer_name: account.customer.name.clone(),
        today: account.as_of,
        loans: account.loans.iter().map(loan_view).collect(),
        cards: account.cards.iter().map(card_view).collect(),
        failed_debits: account
            .failed_repayments()
            .into_iter()
            .map(failed_debit_view)
            .collect(),
        credit_limit: account.customer.credit_limit,
        available_limit: account.available_limit(),
        limit_frozen: account.limit_frozen(),
        repayments: account.repayments.iter().map(repayment_view).collect(),
    }
}

fn repayment_view(repayment: &Repayment) -> RepaymentView {
    RepaymentView {
        loan_id: repayment.loan_id.clone(),
        amount: repayment.amount,
        at: repayment.at,
        channel: repayment.channel.clone(),
        succeeded: repayment.status == "succeeded",
    }
}

fn loan_view(summary: &LoanSummary) -> LoanView {
    let loan = &summary.loan;
    LoanView {
        id: loan.id.clone(),
        product: loan.product.clone(),
        principal: loan.principal,
        term_months: loan.term_months,
        state: loan_state(summary.status),
        next_due: summary.next_due.as_ref().map(due_view),
        overdue: summary.overdue.iter().map(due_view).collect(),
        overdue_amount: summary.overdue_amount,
        days_past_due: summary.days_past_due,
        remaining_installments: summary.remaining_installments,
        remaining_principal: summary.remaining_principal,
        outstanding_total: summary.outstanding_total,
        payoff: summary.payoff.as_ref().map(payoff_view),
        schedule: loan
            .installments
            .iter()
            .map(|installment| ScheduleLine {
                seq: installment.seq,
                due_date: installment.due_date,
                total: installment.total(),
                paid: installment.paid,
                outstanding: installment.outstanding(),
            })
            .collect(),
        disbursed_on: Some(loan.disbursed_on),
        early_fee_until: connectors::loans::early_settlement_fee_until(loan),
    }
}

fn loan_state(status: LoanStatus) -> LoanState {
    match status {
        LoanStatus::Current => LoanState::Current,
        LoanStatus::Overdue => LoanState::Overdue,
        LoanStatus::Settled => LoanState::Settled,
    }
}

fn due_view(installment: &DueInstallment) -> DueView {
    DueView {
        seq: installment.seq,
        due_date: installment.due_date,
        outstanding: installment.outstanding,
    }
}

fn payoff_view(quote: &PayoffQuote) -> PayoffView {
    PayoffView {
        remaining_principal: quote.remaining_principal,
        overdue_charges: quote.overdue_charges,
        interest_to_date: quote.interest_to_date,
        early_settlement_fee: quote.early_settlement_fee,
        total: quote.total,
    }
}

fn card_view(card: &Card) -> CardView {
    CardView {
        bank: card.bank.clone(),
        last4: card.last4.clone(),
        autodebit: card.autodebit,
    }
}

fn failed_debit_view(repayment: &Repayment) -> FailedDebitView {
    FailedDebitView {
        loan_id: repayment.loan_id.clone(),
        amount: repayment.amount,
        at: repayment.at,
        reason: repayment.fail_reason.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use connectors::{Customer, Installment, Loan};
    use rust_decimal::Decimal;

    fn money(text: &str) -> Decimal {
        text.parse().expect("a decimal amount")
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("an ISO date")
    }

    fn installment(seq: u32, due: &str, interest: &str, paid: &str) -> Installment {
        Installment {
            seq,
            due_date: day(due),
            principal: money("1000.00"),
            interest: money(interest),
            fee: Decimal::ZERO,
            penalty: Decimal::ZERO,
            paid: money(paid),
        }
    }

    fn repayment(amount: &str, at: &str, status: &str, reason: Option<&str>) -> Repayment {
        Repayment {
            loan_id: "LN9".to_owned(),
            amount: money(amount),
            at: chrono::DateTime::parse_from_rfc3339(at).expect("a timestamp"),
            channel: "autodebit".to_owned(),
            status: status.to_owned(),
            fail_reason: reason.map(str::to_owned),
        }
    }

    /// A 3,000 loan in three instalments: the first paid, the second 10 days overdue with 200 paid on it, the
    /// third due in three weeks.
    fn account() -> Account {
        let today = day("2026-10-25");
        let loan = Loan {
            id: "LN9".to_owned(),
            customer_id: "C9".to_owned(),
            product: "cash_loan".to_owned(),
            principal: money("3000.00"),
            annual_rate: money("0.18"),
            term_months: 3,
            disbursed_on: day("2026-08-15"),
            installments: vec![
                installment(1, "2026-09-15", "50.00", "1050.00"),
                installment(2, "2026-10-15", "35.00", "200.00"),
                installment(3, "2026-11-15", "20.00", "0.00"),
            ],
        };
        Account {
            customer: Customer {
                id: "C9".to_owned(),
                name: "李雷".to_owned(),
                phone: "+8613800000009".to_owned(),
                id_last4: "0009".to_owned(),
                language: "zh".to_owned(),
                timezone: "Asia/Shanghai".to_owned(),
                credit_limit: Some(money("5000.00")),
            },
            as_of: today,
            loans: vec![connectors::loans::summarize(&loan, today)],
            cards: vec![Card {
                customer_id: "C9".to_owned(),
                bank: "ICBC".to_owned(),
                last4: "6789".to_owned(),
                autodebit: true,
            }],
            repayments: vec![
                repayment(
                    "835.00",
                    "2026-10-15T14:00:00+08:00",
                    "failed",
                    Some("insufficient_funds"),
                ),
                repayment("200.00", "2026-10-15T06:00:00+08:00", "succeeded", None),
                repayment("1050.00", "2026-09-15T06:00:00+08:00", "succeeded", None),
            ],
        }
    }

    #[test]
    fn the_view_carries_what_the_loan_system_computed() {
        let account = account();
        let view = account_view(&account);
        assert_eq!(view.customer_name, "李雷");
        assert_eq!(view.today, day("2026-10-25"));
        assert_eq!(view.credit_limit, Some(money("5000.00")));
        assert_eq!(view.available_limit, account.available_limit());
        assert!(view.limit_frozen);

        let loan = &view.loans[0];
        assert_eq!(loan.id, "LN9");
        assert_eq!(loan.product, "cash_loan");
        assert_eq!(loan.term_months, 3);
        assert_eq!(loan.state, LoanState::Overdue);
        assert_eq!(
            loan.overdue,
            vec![DueView {
                seq: 2,
                due_date: day("2026-10-15"),
                outstanding: money("835.00")
            }]
        );
        assert_eq!(loan.overdue_amount, money("835.00"));
        assert_eq!(loan.days_past_due, 10);
        assert_eq!(
            loan.next_due,
            Some(DueView {
                seq: 3,
                due_date: day("2026-11-15"),
                outstanding: money("1020.00")
            })
        );
        assert_eq!(loan.remaining_installments, 2);
        let summary = &account.loans[0];
        assert_eq!(loan.remaining_principal, summary.remaining_principal);
        assert_eq!(loan.outstanding_total, money("1855.00"));
        let payoff = loan
            .payoff
            .as_ref()
            .expect("an unsettled loan has a payoff quote");
        let quote = summary.payoff.as_ref().expect("the summary has one too");
        assert_eq!(payoff.total, quote.total);
        assert_eq!(payoff.early_settlement_fee, quote.early_settlement_fee);

        let schedule: Vec<(u32, Decimal, Decimal, Decimal)> = loan
            .schedule
            .iter()
            .map(|line| (line.seq, line.total, line.paid, line.outstanding))
            .collect();
        assert_eq!(
            schedule,
            vec![
                (1, money("1050.00"), money("1050.00"), money("0.00")),
                (2, money("1035.00"), money("200.00"), money("835.00")),
                (3, money("1020.00"), money("0.00"), money("1020.00")),
            ]
        );

        assert_eq!(
            view.cards,
            vec![CardView {
                bank: "ICBC".to_owned(),
                last4: "6789".to_owned(),
                autodebit: true
            }]
        );
        assert_eq!(
            view.failed_debits.len(),
            1,
            "only the failed attempt is a failed debit"
        );
        assert_eq!(view.failed_debits[0].amount, money("835.00"));
        assert_eq!(
            view.failed_debits[0].reason.as_deref(),
            Some("insufficient_funds")
        );
    }

    #[test]
    fn a_customer_without_a_limit_has_no_available_limit() {
        let mut account = account();
        account.customer.credit_limit = None;
        let view = account_view(&account);
        assert_eq!(view.credit_limit, None);
        assert_eq!(view.available_limit, None);
    }
}

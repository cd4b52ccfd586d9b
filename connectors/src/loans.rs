//! Loan arithmetic over the records of the loan system, as of a given day: the next instalment due, what is
//! overdue, remaining principal and a payoff quote under the demo lender's early-settlement rule.
//!
//! Everything here is a pure function of the records and the day, so every [`LoanSystem`](crate::LoanSystem)
//! implementation answers alike. The rules, applied instalment by instalment in `seq` order:
//!
//! - An instalment's *outstanding* amount is principal + interest + fee + penalty − paid, never below zero.
//!   Payments cover charges (interest, fee, penalty) before principal, so its *unpaid principal* is
//!   `min(principal, outstanding)` and its *unpaid charges* are the rest of the outstanding amount.
//! - An instalment is *overdue* when its due date is before `as_of` and something is outstanding; on the due date
//!   itself it is due, not overdue. `next_due` is the first instalment due on or after `as_of` with something
//!   outstanding.
//! - A loan is [`LoanStatus::Settled`] when nothing is outstanding, [`LoanStatus::Overdue`] when any instalment is
//!   overdue, and [`LoanStatus::Current`] otherwise. `days_past_due` counts from the oldest overdue due date.
//! - The payoff quote (none for a settled loan) adds four parts:
//!   - `remaining_principal`: the unpaid principal of every instalment;
//!   - `overdue_charges`: the unpaid charges of the overdue instalments;
//!   - `interest_to_date`: the *current instalment* is the first one due on or after `as_of`, and its period starts
//!     on the previous instalment's due date (or on the disbursement day for the first). For an
//!     `instalment_loan` this is the current instalment's fee (the current month's fee). For any other product
//!     it is the principal not yet due (the unpaid principal of instalments due on or after `as_of`) × the annual
//!     rate × the days from the period start to `as_of` / 360. Either way it is capped at the current
//!     instalment's scheduled interest (its fee for an instalment loan) and at its unpaid charges, so a period
//!     already paid is not charged twice; with no current instalment it is zero;
//!   - `early_settlement_fee`: for a `cash_loan` only, 2% of the principal not yet due when `as_of` is before the
//!     disbursement day plus 3 months (a day that does not exist in that month falls back to the month's last
//!     day), otherwise zero.
//!
//! Every amount is rounded to cents, half away from zero ([`round_to_cents`]).

use chrono::{Months, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::{Card, Customer, Installment, Loan, Repayment};

/// The product id of the demo lender's cash loan (安心随借).
pub const CASH_LOAN: &str = "cash_loan";
/// The product id of the demo lender's purchase instalments (安心分期).
pub const INSTALMENT_LOAN: &str = "instalment_loan";
/// Interest accrues by day on a 360-day year.
pub const DAYS_IN_INTEREST_YEAR: i64 = 360;
/// Settling a cash loan within this many months of disbursement costs a fee.
pub const EARLY_SETTLEMENT_WINDOW_MONTHS: u32 = 3;

/// The early-settlement fee of a cash loan, as a share of the prepaid principal (2%).
pub fn early_settlement_fee_rate() -> Decimal {
    Decimal::new(2, 2)
}

/// Rounds an amount to cents, half away from zero.
pub fn round_to_cents(amount: Decimal) -> Decimal {
    amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// Whether anything remains to be paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoanStatus {
    /// Nothing overdue; instalments remain.
    Current,
    /// At least one instalment is past its due date and not fully paid.
    Overdue,
    /// Every instalment is fully paid.
    Settled,
}

/// One instalment with what is still owed on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueInstallment {
    pub seq: u32,
    pub due_date: NaiveDate,
    /// Principal, interest, fee and penalty less what was paid.
    pub outstanding: Decimal,
    pub principal: Decimal,
    pub interest: Decimal,
    pub fee: Decimal,
    pub penalty: Decimal,
    pub paid: Decimal,
}

/// What it costs to settle the whole loan on `as_of`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayoffQuote {
    pub as_of: NaiveDate,
    /// Unpaid principal of every instalment.
    pub remaining_principal: Decimal,
    /// Interest, fees and penalties still owed on instalments already due.
    pub overdue_charges: Decimal,
    /// Interest (or, for instalment loans, the service fee) of the current period accrued up to `as_of`.
    pub interest_to_date: Decimal,
    /// The early-settlement fee, zero when none applies.
    pub early_settlement_fee: Decimal,
    pub total: Decimal,
}

/// A loan as of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoanSummary {
    pub loan: Loan,
    pub as_of: NaiveDate,
    pub status: LoanStatus,
    /// The earliest instalment not yet due (due date on or after `as_of`) that is not fully paid.
    pub next_due: Option<DueInstallment>,
    /// Instalments past due and not fully paid, oldest first.
    pub overdue: Vec<DueInstallment>,
    /// The sum of `overdue[..].outstanding`.
    pub overdue_amount: Decimal,
    /// Days since the oldest overdue instalment's due date; zero when nothing is overdue.
    pub days_past_due: u32,
    /// Unpaid instalments, due or not, in order.
    pub remaining_installments: u32,
    pub remaining_principal: Decimal,
    /// Everything scheduled and not yet paid.
    pub outstanding_total: Decimal,
    /// `None` for a settled loan.
    pub payoff: Option<PayoffQuote>,
}

/// A customer's whole relationship as of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub customer: Customer,
    pub as_of: NaiveDate,
    pub loans: Vec<LoanSummary>,
    pub cards: Vec<Card>,
    /// Newest first.
    pub repayments: Vec<Repayment>,
}

/// Summarises `loan` as of `as_of`.
pub fn summarize(loan: &Loan, as_of: NaiveDate) -> LoanSummary {
    let mut schedule: Vec<&Installment> = loan.installments.iter().collect();
    schedule.sort_by_key(|installment| (installment.seq, installment.due_date));

    let mut overdue = Vec::new();
    let mut next_due = None;
    let mut remaining_installments = 0u32;
    let mut remaining_principal = Decimal::ZERO;
    let mut outstanding_total = Decimal::ZERO;
    let mut overdue_amount = Decimal::ZERO;
    let mut overdue_charges = Decimal::ZERO;
    let mut principal_not_yet_due = Decimal::ZERO;

    for installment in &schedule {
        let parts = InstallmentParts::of(installment);
        if parts.outstanding.is_zero() {
            continue;
        }
        remaining_installments += 1;
        remaining_principal += parts.unpaid_principal;
        outstanding_total += parts.outstanding;
        if installment.due_date < as_of {
            overdue_amount += parts.outstanding;
            overdue_charges += parts.unpaid_charges;
            overdue.push(due_installment(installment, parts.outstanding));
        } else {
            principal_not_yet_due += parts.unpaid_principal;
            if next_due.is_none() {
                next_due = Some(due_installment(installment, parts.outstanding));
            }
        }
    }

    let status = if outstanding_total.is_zero() {
        LoanStatus::Settled
    } else if overdue.is_empty() {
        LoanStatus::Current
    } else {
        LoanStatus::Overdue
    };
    let days_past_due = overdue
        .first()
        .map(|oldest| days_between(oldest.due_date, as_of))
        .unwrap_or(0);

    let payoff = (status != LoanStatus::Settled).then(|| {
        let interest_to_date = interest_to_date(loan, &schedule, as_of, principal_not_yet_due);
        let early_settlement_fee = early_settlement_fee(loan, as_of, principal_not_yet_due);
        let remaining_principal = round_to_cents(remaining_principal);
        let overdue_charges = round_to_cents(overdue_charges);
        PayoffQuote {
            as_of,
            remaining_principal,
            overdue_charges,
            interest_to_date,
            early_settlement_fee,
            total: remaining_principal + overdue_charges + interest_to_date + early_settlement_fee,
        }
    });

    LoanSummary {
        loan: loan.clone(),
        as_of,
        status,
        next_due,
        overdue,
        overdue_amount: round_to_cents(overdue_amount),
        days_past_due,
        remaining_installments,
        remaining_principal: round_to_cents(remaining_principal),
        outstanding_total: round_to_cents(outstanding_total),
        payoff,
    }
}

/// What remains of one instalment, split the way payments are applied: charges first, then principal.
struct InstallmentParts {
    outstanding: Decimal,
    unpaid_principal: Decimal,
    unpaid_charges: Decimal,
}

impl InstallmentParts {
    fn of(installment: &Installment) -> InstallmentParts {
        let outstanding = round_to_cents(installment.outstanding());
        let unpaid_principal = installment.principal.min(outstanding).max(Decimal::ZERO);
        InstallmentParts {
            outstanding,
            unpaid_principal,
            unpaid_charges: outstanding - unpaid_principal,
        }
    }
}

fn due_installment(installment: &Installment, outstanding: Decimal) -> DueInstallment {
    DueInstallment {
        seq: installment.seq,
        due_date: installment.due_date,
        outstanding,
        principal: installment.principal,
        interest: installment.interest,
        fee: installment.fee,
        penalty: installment.penalty,
        paid: installment.paid,
    }
}

/// Whole days from `from` to `to`, zero when `to` is not later.
fn days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    u32::try_from((to - from).num_days()).unwrap_or(0)
}

/// The interest (or, for an instalment loan, the fee) of the current period accrued up to `as_of`.
fn interest_to_date(
    loan: &Loan,
    schedule: &[&Installment],
    as_of: NaiveDate,
    principal_not_yet_due: Decimal,
) -> Decimal {
    let Some(current_position) = schedule
        .iter()
        .position(|installment| installment.due_date >= as_of)
    else {
        return Decimal::ZERO;
    };
    let current = schedule[current_position];
    let unpaid_charges = InstallmentParts::of(current).unpaid_charges;
    let accrued = if loan.product == INSTALMENT_LOAN {
        current.fee
    } else {
        let period_start = match current_position {
            0 => loan.disbursed_on,
            _ => schedule[current_position - 1].due_date,
        };
        let days = Decimal::from(days_between(period_start, as_of));
        let accrued =
            principal_not_yet_due * loan.annual_rate * days / Decimal::from(DAYS_IN_INTEREST_YEAR);
        accrued.min(current.interest)
    };
    round_to_cents(accrued.min(unpaid_charges).max(Decimal::ZERO))
}

/// The first day on which settling or prepaying `loan` costs no early-settlement fee: the disbursement day plus 3
/// months for a cash loan (a day missing from that month falls back to its last day); `None` for products that
/// never charge one.
pub fn early_settlement_fee_until(loan: &Loan) -> Option<NaiveDate> {
    if loan.product != CASH_LOAN {
        return None;
    }
    loan.disbursed_on
        .checked_add_months(Months::new(EARLY_SETTLEMENT_WINDOW_MONTHS))
}

/// The fee for settling a cash loan within its first months.
fn early_settlement_fee(loan: &Loan, as_of: NaiveDate, principal_not_yet_due: Decimal) -> Decimal {
    if loan.product != CASH_LOAN {
        return Decimal::ZERO;
    }
    let window_end = loan
        .disbursed_on
        .checked_add_months(Months::new(EARLY_SETTLEMENT_WINDOW_MONTHS));
    match window_end {
        Some(window_end) if as_of < window_end => {
            round_to_cents(principal_not_yet_due * early_settlement_fee_rate())
        }
        _ => Decimal::ZERO,
    }
}

impl LoanSummary {
    /// Whether nothing remains to be paid.
    pub fn is_settled(&self) -> bool {
        self.status == LoanStatus::Settled
    }
}

impl Account {
    /// The summary of one of the customer's loans.
    pub fn loan(&self, loan_id: &str) -> Option<&LoanSummary> {
        self.loans.iter().find(|summary| summary.loan.id == loan_id)
    }

    /// What the customer could still draw: the credit limit less the remaining principal of every unsettled
    /// loan, never below zero; `None` when the customer has no credit limit.
    pub fn available_limit(&self) -> Option<Decimal> {
        let limit = self.customer.credit_limit?;
        let drawn: Decimal = self
            .loans
            .iter()
            .filter(|summary| !summary.is_settled())
            .map(|summary| summary.remaining_principal)
            .sum();
        Some(round_to_cents((limit - drawn).max(Decimal::ZERO)))
    }

    /// A limit is frozen while any instalment of any loan is overdue.
    pub fn limit_frozen(&self) -> bool {
        self.loans
            .iter()
            .any(|summary| summary.status == LoanStatus::Overdue)
    }

    /// The repayment attempts that failed, newest first.
    pub fn failed_repayments(&self) -> Vec<&Repayment> {
        self.repayments
            .iter()
            .filter(|repayment| repayment.status == "failed")
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn money(text: &str) -> Decimal {
        text.parse().expect("test amounts are valid decimals")
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("test dates are valid ISO dates")
    }

    fn installment(
        seq: u32,
        due_date: &str,
        principal: &str,
        interest: &str,
        fee: &str,
        paid: &str,
    ) -> Installment {
        Installment {
            seq,
            due_date: day(due_date),
            principal: money(principal),
            interest: money(interest),
            fee: money(fee),
            penalty: Decimal::ZERO,
            paid: money(paid),
        }
    }

    /// A 6000.00 cash loan at 18% over 6 months, disbursed 2026-01-10: 1000.00 principal a month and interest of
    /// 1.5% a month on the principal remaining before each instalment:
    /// 6000 × 0.015 = 90.00, 5000 × 0.015 = 75.00, 60.00, 45.00, 30.00, 15.00.
    /// The first `paid_installments` instalments are fully paid.
    fn six_month_cash_loan(paid_installments: u32) -> Loan {
        let rows = [
            (1, "2026-02-10", "90.00"),
            (2, "2026-03-10", "75.00"),
            (3, "2026-04-10", "60.00"),
            (4, "2026-05-10", "45.00"),
            (5, "2026-06-10", "30.00"),
            (6, "2026-07-10", "15.00"),
        ];
        let installments = rows
            .into_iter()
            .map(|(seq, due_date, interest)| {
                let mut row = installment(seq, due_date, "1000.00", interest, "0.00", "0.00");
                if seq <= paid_installments {
                    row.paid = row.total();
                }
                row
            })
            .collect();
        Loan {
            id: "LN100001".to_owned(),
            customer_id: "C001".to_owned(),
            product: CASH_LOAN.to_owned(),
            principal: money("6000.00"),
            annual_rate: money("0.18"),
            term_months: 6,
            disbursed_on: day("2026-01-10"),
            installments,
        }
    }

    #[test]
    fn current_cash_loan_within_the_first_three_months_pays_interest_to_date_and_the_early_fee() {
        let summary = summarize(&six_month_cash_loan(2), day("2026-03-20"));
        assert_eq!(summary.status, LoanStatus::Current);
        assert!(summary.overdue.is_empty());
        assert_eq!(summary.days_past_due, 0);
        let next_due = summary.next_due.expect("instalment 3 is next");
        assert_eq!(next_due.seq, 3);
        // 1000.00 principal + 60.00 interest.
        assert_eq!(next_due.outstanding, money("1060.00"));
        assert_eq!(summary.remaining_installments, 4);
        // Four instalments of 1000.00 principal.
        assert_eq!(summary.remaining_principal, money("4000.00"));
        // 1060 + 1045 + 1030 + 1015.
        assert_eq!(summary.outstanding_total, money("4150.00"));
        let payoff = summary
            .payoff
            .expect("an unsettled loan has a payoff quote");
        assert_eq!(payoff.remaining_principal, money("4000.00"));
        assert_eq!(payoff.overdue_charges, Decimal::ZERO);
        // The period started on 2026-03-10, 10 days ago: 4000 × 0.18 × 10 / 360 = 20.00 (below the 60.00 cap).
        assert_eq!(payoff.interest_to_date, money("20.00"));
        // 2026-03-20 is before 2026-04-10 (disbursement + 3 months): 2% × 4000 = 80.00.
        assert_eq!(payoff.early_settlement_fee, money("80.00"));
        // 4000 + 0 + 20 + 80.
        assert_eq!(payoff.total, money("4100.00"));
    }

    #[test]
    fn on_the_due_date_an_instalment_is_due_not_overdue_and_interest_is_capped() {
        let summary = summarize(&six_month_cash_loan(2), day("2026-04-10"));
        assert_eq!(summary.status, LoanStatus::Current);
        assert!(summary.overdue.is_empty());
        assert_eq!(summary.next_due.as_ref().map(|due| due.seq), Some(3));
        let payoff = summary.payoff.expect("unsettled");
        // 31 days since 2026-03-10: 4000 × 0.18 × 31 / 360 = 62.00, capped at instalment 3's 60.00.
        assert_eq!(payoff.interest_to_date, money("60.00"));
        // 2026-04-10 is not before 2026-04-10, so no early-settlement fee.
        assert_eq!(payoff.early_settlement_fee, Decimal::ZERO);
        assert_eq!(payoff.total, money("4060.00"));
    }

    #[test]
    fn overdue_loan_with_a_partly_paid_instalment() {
        let mut loan = six_month_cash_loan(2);
        // Instalment 4 (1045.00) received 30.00, which covers its 45.00 interest first.
        loan.installments[3].paid = money("30.00");
        let summary = summarize(&loan, day("2026-05-15"));
        assert_eq!(summary.status, LoanStatus::Overdue);
        // 2026-04-10 to 2026-05-15: 20 days left in April + 15 in May.
        assert_eq!(summary.days_past_due, 35);
        let overdue_seqs: Vec<u32> = summary.overdue.iter().map(|due| due.seq).collect();
        assert_eq!(overdue_seqs, vec![3, 4]);
        // 1060.00 + (1045.00 − 30.00).
        assert_eq!(summary.overdue_amount, money("2075.00"));
        assert_eq!(summary.next_due.as_ref().map(|due| due.seq), Some(5));
        assert_eq!(summary.remaining_installments, 4);
        // 2075 + 1030 + 1015.
        assert_eq!(summary.outstanding_total, money("4120.00"));
        let payoff = summary.payoff.expect("unsettled");
        // Instalment 4 still owes its whole principal: min(1000, 1015) = 1000.
        assert_eq!(payoff.remaining_principal, money("4000.00"));
        // Instalment 3's 60.00 interest + instalment 4's 15.00 interest left after the 30.00 payment.
        assert_eq!(payoff.overdue_charges, money("75.00"));
        // Principal not yet due is instalments 5 and 6 (2000.00); 5 days since 2026-05-10:
        // 2000 × 0.18 × 5 / 360 = 5.00.
        assert_eq!(payoff.interest_to_date, money("5.00"));
        assert_eq!(payoff.early_settlement_fee, Decimal::ZERO);
        // 4000 + 75 + 5.
        assert_eq!(payoff.total, money("4080.00"));
    }

    #[test]
    fn fully_paid_loan_is_settled_without_a_payoff() {
        let summary = summarize(&six_month_cash_loan(6), day("2026-04-01"));
        assert_eq!(summary.status, LoanStatus::Settled);
        assert!(summary.payoff.is_none());
        assert!(summary.next_due.is_none());
        assert_eq!(summary.remaining_principal, Decimal::ZERO);
        assert_eq!(summary.outstanding_total, Decimal::ZERO);
        assert_eq!(summary.remaining_installments, 0);
    }

    #[test]
    fn interest_is_rounded_half_away_from_zero() {
        let loan = Loan {
            id: "LN100002".to_owned(),
            customer_id: "C001".to_owned(),
            product: CASH_LOAN.to_owned(),
            principal: money("1010.00"),
            annual_rate: money("0.18"),
            term_months: 1,
            disbursed_on: day("2026-01-10"),
            // 1010 × 0.015 = 15.15 of interest for the month.
            installments: vec![installment(
                1,
                "2026-02-10",
                "1010.00",
                "15.15",
                "0.00",
                "0.00",
            )],
        };
        let payoff = summarize(&loan, day("2026-01-11"))
            .payoff
            .expect("unsettled");
        // One day: 1010 × 0.18 × 1 / 360 = 0.505, which rounds away from zero to 0.51 (not to the even 0.50).
        assert_eq!(payoff.interest_to_date, money("0.51"));
        // 2% × 1010 = 20.20.
        assert_eq!(payoff.early_settlement_fee, money("20.20"));
        // 1010 + 0.51 + 20.20.
        assert_eq!(payoff.total, money("1030.71"));
    }

    #[test]
    fn instalment_loan_payoff_is_remaining_principal_and_the_current_fee() {
        // 3600.00 financed over 6 months with a 0.8% monthly fee: 600.00 principal + 28.80 fee a month.
        let installments = (1..=6)
            .map(|seq| {
                let due_date = day("2026-02-01")
                    .checked_add_months(Months::new(seq))
                    .expect("dates in range");
                let paid = if seq == 1 { "628.80" } else { "0.00" };
                let mut row = installment(seq, "2026-01-01", "600.00", "0.00", "28.80", paid);
                row.due_date = due_date;
                row
            })
            .collect();
        let loan = Loan {
            id: "LN100003".to_owned(),
            customer_id: "C001".to_owned(),
            product: INSTALMENT_LOAN.to_owned(),
            principal: money("3600.00"),
            annual_rate: Decimal::ZERO,
            term_months: 6,
            disbursed_on: day("2026-02-01"),
            installments,
        };
        let summary = summarize(&loan, day("2026-03-15"));
        assert_eq!(summary.status, LoanStatus::Current);
        assert_eq!(
            summary.next_due.as_ref().map(|due| due.due_date),
            Some(day("2026-04-01"))
        );
        let payoff = summary.payoff.expect("unsettled");
        // Five instalments of 600.00 remain.
        assert_eq!(payoff.remaining_principal, money("3000.00"));
        // The current month's fee, whatever the day within the month.
        assert_eq!(payoff.interest_to_date, money("28.80"));
        // Instalment loans never pay an early-settlement fee.
        assert_eq!(payoff.early_settlement_fee, Decimal::ZERO);
        assert_eq!(payoff.total, money("3028.80"));
    }

    #[test]
    fn early_settlement_window_ends_on_the_clamped_month_end() {
        let mut loan = six_month_cash_loan(0);
        // 2025-11-30 + 3 months has no 30 February, so the window ends on 2026-02-28.
        loan.disbursed_on = day("2025-11-30");
        for (offset, row) in loan.installments.iter_mut().enumerate() {
            let months = u32::try_from(offset).expect("small") + 1;
            row.due_date = day("2025-11-30")
                .checked_add_months(Months::new(months))
                .expect("dates in range");
        }
        // On 2026-02-27, instalments 3 to 6 (due 2026-02-28 onwards) are not yet due: 2% × 4000 = 80.00.
        let before = summarize(&loan, day("2026-02-27"))
            .payoff
            .expect("unsettled");
        assert_eq!(before.early_settlement_fee, money("80.00"));
        let on_the_day = summarize(&loan, day("2026-02-28"))
            .payoff
            .expect("unsettled");
        assert_eq!(on_the_day.early_settlement_fee, Decimal::ZERO);
    }

    /// The loan of the api.md seed example, whose only scheduled instalment is fully paid.
    fn api_example_loan() -> Loan {
        let json = r#"{"id": "LN001", "customer_id": "C001", "product": "cash_loan", "principal": "12000.00",
            "annual_rate": "0.18", "term_months": 12, "disbursed_on": "2026-03-15",
            "installments": [{"seq": 1, "due_date": "2026-04-15", "principal": "1000.00", "interest": "180.00",
                              "fee": "0.00", "penalty": "0.00", "paid": "1180.00"}]}"#;
        serde_json::from_str(json).expect("the api.md example loan parses")
    }

    #[test]
    fn api_example_loan_is_settled_as_recorded() {
        let summary = summarize(&api_example_loan(), day("2026-04-20"));
        // 1000 + 180 + 0 + 0 − 1180 = 0 outstanding on its only instalment.
        assert_eq!(summary.status, LoanStatus::Settled);
        assert!(summary.payoff.is_none());
        assert!(summary.overdue.is_empty());
    }

    #[test]
    fn api_example_loan_unpaid_before_and_after_its_due_date() {
        let mut loan = api_example_loan();
        loan.installments[0].paid = Decimal::ZERO;

        let before = summarize(&loan, day("2026-04-10"));
        assert_eq!(before.status, LoanStatus::Current);
        assert_eq!(
            before.next_due.as_ref().map(|due| due.outstanding),
            Some(money("1180.00"))
        );
        let payoff = before.payoff.expect("unsettled");
        // 26 days since disbursement on 2026-03-15: 1000 × 0.18 × 26 / 360 = 13.00 (below the 180.00 cap).
        assert_eq!(payoff.interest_to_date, money("13.00"));
        // Before 2026-06-15: 2% × 1000 = 20.00.
        assert_eq!(payoff.early_settlement_fee, money("20.00"));
        // 1000 + 0 + 13 + 20.
        assert_eq!(payoff.total, money("1033.00"));

        let after = summarize(&loan, day("2026-04-20"));
        assert_eq!(after.status, LoanStatus::Overdue);
        // 2026-04-15 to 2026-04-20.
        assert_eq!(after.days_past_due, 5);
        assert_eq!(after.overdue_amount, money("1180.00"));
        assert!(after.next_due.is_none());
        let payoff = after.payoff.expect("unsettled");
        assert_eq!(payoff.remaining_principal, money("1000.00"));
        assert_eq!(payoff.overdue_charges, money("180.00"));
        // Nothing is left that is not yet due, so no interest to date and no early-settlement fee.
        assert_eq!(payoff.interest_to_date, Decimal::ZERO);
        assert_eq!(payoff.early_settlement_fee, Decimal::ZERO);
        assert_eq!(payoff.total, money("1180.00"));
    }

    fn account(credit_limit: Option<&str>, loans: Vec<LoanSummary>) -> Account {
        let failed = Repayment {
            loan_id: "LN100001".to_owned(),
            amount: money("1060.00"),
            at: "2026-04-10T06:00:00+08:00"
                .parse()
                .expect("valid timestamp"),
            channel: "autodebit".to_owned(),
            status: "failed".to_owned(),
            fail_reason: Some("insufficient_funds".to_owned()),
        };
        let succeeded = Repayment {
            status: "succeeded".to_owned(),
            fail_reason: None,
            at: "2026-03-10T06:00:00+08:00"
                .parse()
                .expect("valid timestamp"),
            ..failed.clone()
        };
        Account {
            customer: Customer {
                id: "C001".to_owned(),
                name: "张伟".to_owned(),
                phone: "+8613812345678".to_owned(),
                id_last4: "1234".to_owned(),
                language: "zh".to_owned(),
                timezone: "Asia/Shanghai".to_owned(),
                credit_limit: credit_limit.map(money),
            },
            as_of: day("2026-04-20"),
            loans,
            cards: Vec::new(),
            repayments: vec![failed, succeeded],
        }
    }

    #[test]
    fn available_limit_subtracts_unsettled_principal_and_overdue_freezes_it() {
        let current = summarize(&six_month_cash_loan(2), day("2026-03-20"));
        let settled = summarize(&six_month_cash_loan(6), day("2026-03-20"));
        let healthy = account(Some("20000.00"), vec![current.clone(), settled]);
        // 20000 − 4000 of remaining principal; the settled loan takes nothing.
        assert_eq!(healthy.available_limit(), Some(money("16000.00")));
        assert!(!healthy.limit_frozen());
        assert_eq!(
            healthy.loan("LN100001").map(|summary| summary.status),
            Some(LoanStatus::Current)
        );

        let overdue = summarize(&six_month_cash_loan(2), day("2026-05-15"));
        let frozen = account(Some("3000.00"), vec![overdue]);
        // 3000 − 4000 is negative, so nothing is available.
        assert_eq!(frozen.available_limit(), Some(Decimal::ZERO));
        assert!(frozen.limit_frozen());

        let without_limit = account(None, vec![current]);
        assert_eq!(without_limit.available_limit(), None);
    }

    #[test]
    fn failed_repayments_keep_only_failures_in_order() {
        let account = account(None, Vec::new());
        let failed = account.failed_repayments();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].fail_reason.as_deref(), Some("insufficient_funds"));
    }
}

//! Hand-built accounts as the loan system would report them, with the arithmetic behind every figure written out.
//!
//! Cash loans repay equal principal plus a month's interest on the principal still owed; penalty and accrued
//! interest use the annual rate over 365 days. Instalment loans repay equal principal plus a fixed monthly fee.

use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate};
use dialog::account::{
    AccountView, CardView, DueView, FailedDebitView, LoanState, LoanView, PayoffView, ScheduleLine,
};
use rust_decimal::Decimal;

pub fn money(text: &str) -> Decimal {
    Decimal::from_str(text).expect("fixture amounts are valid decimals")
}

pub fn day(year: i32, month: u32, day_of_month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day_of_month).expect("fixture dates are valid")
}

pub fn moment(rfc3339: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(rfc3339).expect("fixture timestamps are valid")
}

/// The day every fixture is looked at.
pub fn today() -> NaiveDate {
    day(2026, 11, 26)
}

fn line(seq: u32, due_date: NaiveDate, total: &str, paid: &str) -> ScheduleLine {
    let total = money(total);
    let paid = money(paid);
    ScheduleLine {
        seq,
        due_date,
        total,
        paid,
        outstanding: total - paid,
    }
}

fn card(bank: &str, last4: &str, autodebit: bool) -> CardView {
    CardView {
        bank: bank.to_owned(),
        last4: last4.to_owned(),
        autodebit,
    }
}

/// 张伟: a 12,000 cash loan at 18% a year (1.5% a month) over 12 months, drawn on 2026-03-15. Instalment n is
/// 1,000 principal plus 1.5% of (12,000 − 1,000 × (n − 1)): 1,180, 1,165, ... 1,015. Instalments 1–7 are paid;
/// instalment 8 (1,075 due 2026-11-15) is unpaid and 11 days late on 2026-11-26.
/// - Penalty: 1,000 overdue principal × 18% × 1.5 / 365 × 11 days = 8.14, so 1,083.14 is overdue.
/// - Still owed: 1,083.14 + 1,060 + 1,045 + 1,030 + 1,015 = 5,233.14; principal 5 × 1,000 = 5,000.
/// - Payoff today: principal 5,000; overdue charges 75.00 interest of instalment 8 + 8.14 penalty = 83.14;
///   interest on the 4,000 not yet due from 2026-11-15, 4,000 × 18% × 11 / 365 = 21.70; no fee after 3 months;
///   total 5,104.84.
/// - The automatic debit of instalment 8 failed at all three attempts on its due date, the last at 20:00.
/// - Limit 20,000 less 5,000 principal leaves 15,000, frozen while instalment 8 is overdue.
pub fn zhang_wei_overdue() -> AccountView {
    let totals = [
        "1180", "1165", "1150", "1135", "1120", "1105", "1090", "1083.14", "1060", "1045", "1030",
        "1015",
    ];
    let schedule = totals
        .iter()
        .enumerate()
        .map(|(index, total)| {
            let seq = index as u32 + 1;
            let due_date = day(2026, 3, 15) + chrono::Months::new(seq);
            line(seq, due_date, total, if seq <= 7 { total } else { "0" })
        })
        .collect();
    let failure = |at: &str| FailedDebitView {
        loan_id: "LN001".to_owned(),
        amount: money("1075.00"),
        at: moment(at),
        reason: Some("insufficient_funds".to_owned()),
    };
    AccountView {
        customer_name: "张伟".to_owned(),
        today: today(),
        loans: vec![LoanView {
            id: "LN001".to_owned(),
            product: "cash_loan".to_owned(),
            principal: money("12000.00"),
            term_months: 12,
            state: LoanState::Overdue,
            next_due: Some(DueView {
                seq: 9,
                due_date: day(2026, 12, 15),
                outstanding: money("1060.00"),
            }),
            overdue: vec![DueView {
                seq: 8,
                due_date: day(2026, 11, 15),
                outstanding: money("1083.14"),
            }],
            overdue_amount: money("1083.14"),
            days_past_due: 11,
            remaining_installments: 5,
            remaining_principal: money("5000.00"),
            outstanding_total: money("5233.14"),
            payoff: Some(PayoffView {
                remaining_principal: money("5000.00"),
                overdue_charges: money("83.14"),
                interest_to_date: money("21.70"),
                early_settlement_fee: money("0.00"),
                total: money("5104.84"),
            }),
            schedule,
            disbursed_on: Some(day(2026, 3, 15)),
            early_fee_until: Some(day(2026, 6, 15)),
        }],
        cards: vec![card("ICBC", "6789", true)],
        failed_debits: vec![
            failure("2026-11-15T20:00:07+08:00"),
            failure("2026-11-15T14:00:05+08:00"),
            failure("2026-11-15T06:00:04+08:00"),
        ],
        credit_limit: Some(money("20000.00")),
        available_limit: Some(money("15000.00")),
        limit_frozen: true,
        repayments: Vec::new(),
    }
}

/// John Smith, with two loans, both current on 2026-11-26.
///
/// LN101: a 6,000 cash loan at 12% a year (1% a month) over 6 months, drawn on 2026-10-08. Instalment n is 1,000
/// plus 1% of (6,000 − 1,000 × (n − 1)): 1,060 (paid), 1,050, 1,040, 1,030, 1,020, 1,010; 5,150 still owed.
/// Payoff today: principal 5,000; interest from 2026-11-08, 5,000 × 12% × 18 / 365 = 29.59; settled within 3
/// months of drawdown, so the fee is 2% of 5,000 = 100.00; total 5,129.59.
///
/// LN102: a 4,800 instalment loan over 24 months from 2026-02-20 with a 0.6% monthly fee (28.80): 200 principal
/// plus 28.80, that is 228.80, on the 20th of each month from 2026-03-20 to 2028-02-20. Nine are paid; 15 × 228.80 =
/// 3,432.00 is still owed, 3,000 of it principal. Payoff today: 3,000 plus this month's fee 28.80 = 3,028.80.
///
/// Limit 30,000 less 8,000 principal leaves 22,000.
pub fn john_smith_two_loans() -> AccountView {
    let cash_totals = ["1060", "1050", "1040", "1030", "1020", "1010"];
    let cash_schedule = cash_totals
        .iter()
        .enumerate()
        .map(|(index, total)| {
            let seq = index as u32 + 1;
            line(
                seq,
                day(2026, 10, 8) + chrono::Months::new(seq),
                total,
                if seq == 1 { total } else { "0" },
            )
        })
        .collect();
    let instalment_schedule = (1..=24)
        .map(|seq| {
            line(
                seq,
                day(2026, 2, 20) + chrono::Months::new(seq),
                "228.80",
                if seq <= 9 { "228.80" } else { "0" },
            )
        })
        .collect();
    AccountView {
        customer_name: "John Smith".to_owned(),
        today: today(),
        loans: vec![
            LoanView {
                id: "LN101".to_owned(),
                product: "cash_loan".to_owned(),
                principal: money("6000.00"),
                term_months: 6,
                state: LoanState::Current,
                next_due: Some(DueView {
                    seq: 2,
                    due_date: day(2026, 12, 8),
                    outstanding: money("1050.00"),
                }),
                overdue: Vec::new(),
                overdue_amount: Decimal::ZERO,
                days_past_due: 0,
                remaining_installments: 5,
                remaining_principal: money("5000.00"),
                outstanding_total: money("5150.00"),
                payoff: Some(PayoffView {
                    remaining_principal: money("5000.00"),
                    overdue_charges: Decimal::ZERO,
                    interest_to_date: money("29.59"),
                    early_settlement_fee: money("100.00"),
                    total: money("5129.59"),
                }),
                schedule: cash_schedule,
                disbursed_on: Some(day(2026, 10, 8)),
                early_fee_until: Some(day(2027, 1, 8)),
            },
            LoanView {
                id: "LN102".to_owned(),
                product: "instalment_loan".to_owned(),
                principal: money("4800.00"),
                term_months: 24,
                state: LoanState::Current,
                next_due: Some(DueView {
                    seq: 10,
                    due_date: day(2026, 12, 20),
                    outstanding: money("228.80"),
                }),
                overdue: Vec::new(),
                overdue_amount: Decimal::ZERO,
                days_past_due: 0,
                remaining_installments: 15,
                remaining_principal: money("3000.00"),
                outstanding_total: money("3432.00"),
                payoff: Some(PayoffView {
                    remaining_principal: money("3000.00"),
                    overdue_charges: Decimal::ZERO,
                    interest_to_date: money("28.80"),
                    early_settlement_fee: Decimal::ZERO,
                    total: money("3028.80"),
                }),
                schedule: instalment_schedule,
                disbursed_on: Some(day(2026, 2, 20)),
                early_fee_until: None,
            },
        ],
        cards: vec![card("CMB", "1122", true), card("BOC", "3344", false)],
        failed_debits: Vec::new(),
        credit_limit: Some(money("30000.00")),
        available_limit: Some(money("22000.00")),
        limit_frozen: false,
        repayments: Vec::new(),
    }
}

/// 李娜: a 3,000 cash loan at 21.6% a year (1.8% a month) over 3 months, drawn on 2026-10-26. Instalments:
/// 1,000 + 54 = 1,054 due today (2026-11-26), 1,036 and 1,018. This morning's 06:00 debit of 1,054 failed for
/// lack of funds. Nothing is paid yet: 3,108 owed. Limit 10,000 less 3,000 leaves 7,000.
pub fn li_na_debit_failed_this_morning() -> AccountView {
    AccountView {
        customer_name: "李娜".to_owned(),
        today: today(),
        loans: vec![LoanView {
            id: "LN201".to_owned(),
            product: "cash_loan".to_owned(),
            principal: money("3000.00"),
            term_months: 3,
            state: LoanState::Current,
            next_due: Some(DueView {
                seq: 1,
                due_date: today(),
                outstanding: money("1054.00"),
            }),
            overdue: Vec::new(),
            overdue_amount: Decimal::ZERO,
            days_past_due: 0,
            remaining_installments: 3,
            remaining_principal: money("3000.00"),
            outstanding_total: money("3108.00"),
            payoff: None,
            schedule: vec![
                line(1, day(2026, 11, 26), "1054", "0"),
                line(2, day(2026, 12, 26), "1036", "0"),
                line(3, day(2027, 1, 26), "1018", "0"),
            ],
            disbursed_on: Some(day(2026, 10, 26)),
            early_fee_until: Some(day(2027, 1, 26)),
        }],
        cards: vec![card("CMB", "4321", true)],
        failed_debits: vec![FailedDebitView {
            loan_id: "LN201".to_owned(),
            amount: money("1054.00"),
            at: moment("2026-11-26T06:00:12+08:00"),
            reason: Some("insufficient_funds".to_owned()),
        }],
        credit_limit: Some(money("10000.00")),
        available_limit: Some(money("7000.00")),
        limit_frozen: false,
        repayments: Vec::new(),
    }
}

/// Mary Chen: a 2,400 instalment loan over 12 months from 2026-07-25 with a 0.8% monthly fee (19.20), so 200 +
/// 19.20 = 219.20 on the 25th. Instalments 1–3 are paid; the 20:00 debit of instalment 4 yesterday (2026-11-25)
/// failed on an expired card, so 219.20 is one day overdue (no penalty within the grace period).
pub fn mary_chen_card_expired_yesterday() -> AccountView {
    let schedule = (1..=12)
        .map(|seq| {
            line(
                seq,
                day(2026, 7, 25) + chrono::Months::new(seq),
                "219.20",
                if seq <= 3 { "219.20" } else { "0" },
            )
        })
        .collect();
    AccountView {
        customer_name: "Mary Chen".to_owned(),
        today: today(),
        loans: vec![LoanView {
            id: "LN301".to_owned(),
            product: "instalment_loan".to_owned(),
            principal: money("2400.00"),
            term_months: 12,
            state: LoanState::Overdue,
            next_due: Some(DueView {
                seq: 5,
                due_date: day(2026, 12, 25),
                outstanding: money("219.20"),
            }),
            overdue: vec![DueView {
                seq: 4,
                due_date: day(2026, 11, 25),
                outstanding: money("219.20"),
            }],
            overdue_amount: money("219.20"),
            days_past_due: 1,
            remaining_installments: 9,
            remaining_principal: money("1800.00"),
            outstanding_total: money("1972.80"),
            payoff: None,
            schedule,
            disbursed_on: Some(day(2026, 7, 25)),
            early_fee_until: None,
        }],
        cards: vec![card("BOC", "5566", true)],
        failed_debits: vec![FailedDebitView {
            loan_id: "LN301".to_owned(),
            amount: money("219.20"),
            at: moment("2026-11-25T20:00:41+08:00"),
            reason: Some("card_expired".to_owned()),
        }],
        credit_limit: Some(money("5000.00")),
        available_limit: Some(money("3200.00")),
        limit_frozen: true,
        repayments: Vec::new(),
    }
}

/// A customer whose only loan is settled.
pub fn settled_only() -> AccountView {
    AccountView {
        customer_name: "王芳".to_owned(),
        today: today(),
        loans: vec![LoanView {
            id: "LN401".to_owned(),
            product: "cash_loan".to_owned(),
            principal: money("1500.00"),
            term_months: 3,
            state: LoanState::Settled,
            next_due: None,
            overdue: Vec::new(),
            overdue_amount: Decimal::ZERO,
            days_past_due: 0,
            remaining_installments: 0,
            remaining_principal: Decimal::ZERO,
            outstanding_total: Decimal::ZERO,
            payoff: None,
            schedule: Vec::new(),
            disbursed_on: Some(day(2026, 5, 10)),
            early_fee_until: Some(day(2026, 8, 10)),
        }],
        cards: Vec::new(),
        failed_debits: Vec::new(),
        credit_limit: None,
        available_limit: None,
        limit_frozen: false,
        repayments: Vec::new(),
    }
}

//! Answers built from the customer's account: what is due, the schedule, the payoff quote, the credit limit and
//! the latest failed automatic debit, how to pay and what was paid, a partial prepayment, a higher or frozen
//! limit, and where the latest loan's application and disbursement stand. Every figure comes from the [`AccountView`] as the loan system computed it;
//! this module only chooses which facts matter and puts them into the customer's language.

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};
use nlu::Lang;
use rust_decimal::Decimal;

use crate::account::{AccountView, DueView, FailedDebitView, LoanState, LoanView, ScheduleLine};
use crate::format;
use crate::templates::{TemplateKey, Templates, family, keys};
use crate::{QuickReply, Reply};

/// Days after a due date during which paying costs no penalty and is not reported.
pub const GRACE_PERIOD_DAYS: u32 = 3;

/// The times of day at which an automatic debit is attempted on the due date.
pub const AUTODEBIT_ATTEMPT_TIMES: [(u32, u32); 3] = [(6, 0), (14, 0), (20, 0)];

/// The product id whose early settlement carries the 2% fee within the first three months.
const CASH_LOAN: &str = "cash_loan";
/// The product id whose early settlement costs only the current month's fee.
const INSTALMENT_LOAN: &str = "instalment_loan";

/// Renders templates in one language, relative to one day.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Phrasing<'a> {
    pub templates: &'a Templates,
    pub lang: Lang,
    pub today: NaiveDate,
}

impl Phrasing<'_> {
    pub fn say(&self, key: TemplateKey, values: &[(&str, &str)]) -> String {
        self.templates.render(key, self.lang, values)
    }

    /// A family member's text, or `fallback` when the file has none (an unfamiliar bank code, say).
    pub fn member_or(&self, family_name: &str, member: &str, fallback: &str) -> String {
        self.templates
            .member(family_name, member, self.lang)
            .unwrap_or(fallback)
            .to_owned()
    }

    pub fn money(&self, amount: Decimal) -> String {
        format::money(amount, self.lang)
    }

    /// `安心随借（LN001）` or `Anxin Cash Loan LN001`.
    pub fn loan_label(&self, loan: &LoanView) -> String {
        let product = self.member_or(family::PRODUCT, &loan.product, &loan.product);
        self.say(keys::LOAN_LABEL, &[("product", &product), ("id", &loan.id)])
    }

    /// A button that sends `text` when pressed and shows the same words.
    pub fn quick_reply(text: String) -> QuickReply {
        QuickReply {
            label: text.clone(),
            text,
        }
    }
}

/// One reply made of several lines.
fn reply(lines: Vec<String>) -> Reply {
    Reply {
        text: lines.join("\n"),
        quick_replies: Vec::new(),
    }
}

/// The loans still being repaid.
fn active_loans(view: &AccountView) -> Vec<&LoanView> {
    view.loans
        .iter()
        .filter(|loan| loan.state != LoanState::Settled)
        .collect()
}

/// Said instead of an answer when there is nothing to repay: no loans at all, or all settled.
fn nothing_owed(phrasing: &Phrasing<'_>, view: &AccountView) -> Option<Reply> {
    if view.loans.is_empty() {
        return Some(reply(vec![phrasing.say(keys::NO_LOANS, &[])]));
    }
    if active_loans(view).is_empty() {
        return Some(reply(vec![phrasing.say(keys::ALL_SETTLED, &[])]));
    }
    None
}

/// The last day of the grace period of an instalment due on `due_date`.
fn grace_end_from_due_date(due_date: NaiveDate) -> NaiveDate {
    due_date
        .checked_add_days(Days::new(u64::from(GRACE_PERIOD_DAYS)))
        .unwrap_or(due_date)
}

/// What is overdue and what is due next, per loan.
pub(crate) fn due_amount(phrasing: &Phrasing<'_>, view: &AccountView) -> Vec<Reply> {
    if let Some(answer) = nothing_owed(phrasing, view) {
        return vec![answer];
    }
    let active = active_loans(view);
    let several = active.len() > 1;
    let mut lines = Vec::new();
    if several {
        lines.push(phrasing.say(
            keys::DUE_LOAN_COUNT,
            &[("count", &active.len().to_string())],
        ));
    }
    let mut payment_is_pressing = false;
    for loan in active {
        if several {
            lines.push(phrasing.say(
                keys::DUE_LOAN_HEADER,
                &[("loan", &phrasing.loan_label(loan))],
            ));
        }
        let is_overdue = loan.overdue_amount > Decimal::ZERO;
        if is_overdue {
            payment_is_pressing = true;
            lines.extend(overdue_lines(phrasing, loan));
        }
        let next_due = loan
            .next_due
            .as_ref()
            .filter(|next| !loan.overdue.iter().any(|overdue| overdue.seq == next.seq));
        if let Some(next) = next_due {
            let (key, date) = if next.due_date == phrasing.today {
                (keys::DUE_TODAY, format::date(next.due_date, phrasing.lang))
            } else {
                (
                    keys::DUE_NEXT,
                    format::date_with_relative(next.due_date, phrasing.today, phrasing.lang),
                )
            };
            if next.due_date <= phrasing.today {
                payment_is_pressing = true;
            }
            lines.push(phrasing.say(
                key,
                &[
                    ("seq", &next.seq.to_string()),
                    ("amount", &phrasing.money(next.outstanding)),
                    ("date", &date),
                ],
            ));
        }
        if !is_overdue && next_due.is_none() {
            lines.push(phrasing.say(keys::DUE_NOTHING_SCHEDULED, &[]));
        }
    }
    if payment_is_pressing {
        lines.push(phrasing.say(keys::HOW_TO_PAY, &[]));
    }
    vec![reply(lines)]
}

/// The overdue amount and days, and where the loan stands with the grace period.
fn overdue_lines(phrasing: &Phrasing<'_>, loan: &LoanView) -> Vec<String> {
    let sequence_numbers: Vec<u32> = loan.overdue.iter().map(|due| due.seq).collect();
    let instalments = if sequence_numbers.is_empty() {
        phrasing.loan_label(loan)
    } else {
        format::instalment_numbers(&sequence_numbers, phrasing.lang)
    };
    let mut lines = vec![phrasing.say(
        keys::DUE_OVERDUE,
        &[
            ("amount", &phrasing.money(loan.overdue_amount)),
            (
                "days",
                &format::day_count(loan.days_past_due, phrasing.lang),
            ),
            ("instalments", &instalments),
        ],
    )];
    if loan.days_past_due <= GRACE_PERIOD_DAYS {
        let oldest_due_date = loan
            .overdue
            .iter()
            .map(|due| due.due_date)
            .min()
            .unwrap_or_else(|| {
                phrasing
                    .today
                    .checked_sub_days(Days::new(u64::from(loan.days_past_due)))
                    .unwrap_or(phrasing.today)
            });
        let grace_end = grace_end_from_due_date(oldest_due_date);
        lines.push(phrasing.say(
            keys::DUE_WITHIN_GRACE,
            &[(
                "grace_end",
                &format::date_with_relative(grace_end, phrasing.today, phrasing.lang),
            )],
        ));
    } else {
        lines.push(phrasing.say(keys::DUE_PAST_GRACE, &[]));
    }
    lines
}

/// A schedule of at most this many instalments is read out in full on a call; a longer one is summarised.
const SPOKEN_SCHEDULE_IN_FULL: usize = 4;

/// Every instalment of every loan still being repaid, one reply per loan. When `spoken` (a phone call), a long
/// schedule is summarised to the instalments that matter now, the overdue ones and the next, with the rest left to
/// the app: two dozen lines read aloud take minutes.
pub(crate) fn schedule(phrasing: &Phrasing<'_>, view: &AccountView, spoken: bool) -> Vec<Reply> {
    if let Some(answer) = nothing_owed(phrasing, view) {
        return vec![answer];
    }
    active_loans(view)
        .into_iter()
        .map(|loan| loan_schedule(phrasing, loan, spoken))
        .collect()
}

fn loan_schedule(phrasing: &Phrasing<'_>, loan: &LoanView, spoken: bool) -> Reply {
    let label = phrasing.loan_label(loan);
    if loan.schedule.is_empty() {
        return reply(vec![
            phrasing.say(keys::SCHEDULE_EMPTY, &[("loan", &label)]),
        ]);
    }
    let count = loan.schedule.len().to_string();
    let paid_count = loan
        .schedule
        .iter()
        .filter(|line| line.outstanding <= Decimal::ZERO)
        .count();
    let mut lines = vec![
        if loan.remaining_installments == 0 && paid_count == loan.schedule.len() {
            phrasing.say(
                keys::SCHEDULE_HEADER_SETTLED,
                &[("loan", &label), ("count", &count)],
            )
        } else {
            phrasing.say(
                keys::SCHEDULE_HEADER,
                &[
                    ("loan", &label),
                    ("count", &count),
                    ("paid", &paid_count.to_string()),
                    ("remaining", &loan.remaining_installments.to_string()),
                ],
            )
        },
    ];
    let next_sequence_number = loan.next_due.as_ref().map(|next| next.seq);
    let summarise = spoken && loan.schedule.len() > SPOKEN_SCHEDULE_IN_FULL;
    let mut left_out = 0_usize;
    for line in &loan.schedule {
        let is_next = Some(line.seq) == next_sequence_number && line.outstanding > Decimal::ZERO;
        let is_overdue = line.outstanding > Decimal::ZERO && line.due_date < phrasing.today;
        if summarise && !is_next && !is_overdue {
            left_out += 1;
            continue;
        }
        let template = match (spoken, is_next) {
            (false, _) => keys::SCHEDULE_LINE,
            (true, false) => keys::SCHEDULE_SPOKEN_LINE,
            (true, true) => keys::SCHEDULE_SPOKEN_NEXT,
        };
        let mut text = phrasing.say(
            template,
            &[
                ("seq", &line.seq.to_string()),
                ("date", &format::date(line.due_date, phrasing.lang)),
                ("amount", &phrasing.money(line.total)),
                ("status", &instalment_status(phrasing, line)),
            ],
        );
        if is_next && !spoken {
            text.push_str("  ");
            text.push_str(&phrasing.say(keys::SCHEDULE_NEXT_MARK, &[]));
        }
        lines.push(text);
    }
    if left_out > 0 {
        lines.push(phrasing.say(
            keys::SCHEDULE_SPOKEN_REST,
            &[("count", &left_out.to_string())],
        ));
    }
    if loan.outstanding_total > Decimal::ZERO {
        lines.push(phrasing.say(
            keys::SCHEDULE_OUTSTANDING,
            &[("amount", &phrasing.money(loan.outstanding_total))],
        ));
    }
    reply(lines)
}

/// Paid, unpaid or overdue, with what is still owed when part was paid.
pub(crate) fn instalment_status(phrasing: &Phrasing<'_>, line: &ScheduleLine) -> String {
    if line.outstanding <= Decimal::ZERO {
        return phrasing.say(keys::STATUS_PAID, &[]);
    }
    let is_overdue = line.due_date < phrasing.today;
    let is_partly_paid = line.paid > Decimal::ZERO;
    let owed = phrasing.money(line.outstanding);
    match (is_overdue, is_partly_paid) {
        (true, true) => phrasing.say(keys::STATUS_OVERDUE_PARTLY, &[("owed", &owed)]),
        (true, false) => phrasing.say(keys::STATUS_OVERDUE, &[]),
        (false, true) => phrasing.say(keys::STATUS_UNPAID_PARTLY, &[("owed", &owed)]),
        (false, false) => phrasing.say(keys::STATUS_UNPAID, &[]),
    }
}

/// The cost of settling each loan today, broken down, one reply per loan.
pub(crate) fn payoff(phrasing: &Phrasing<'_>, view: &AccountView) -> Vec<Reply> {
    if let Some(answer) = nothing_owed(phrasing, view) {
        return vec![answer];
    }
    let mut replies: Vec<Reply> = active_loans(view)
        .into_iter()
        .map(|loan| {
            let label = phrasing.loan_label(loan);
            let Some(quote) = &loan.payoff else {
                return reply(vec![phrasing.say(
                    keys::PAYOFF_UNAVAILABLE,
                    &[
                        ("loan", &label),
                        ("amount", &phrasing.money(loan.outstanding_total)),
                    ],
                )]);
            };
            let as_of = format::date(view.today, phrasing.lang);
            let mut lines = vec![
                phrasing.say(keys::PAYOFF_HEADER, &[("loan", &label), ("date", &as_of)]),
                phrasing.say(
                    keys::PAYOFF_PRINCIPAL,
                    &[("amount", &phrasing.money(quote.remaining_principal))],
                ),
            ];
            if quote.overdue_charges > Decimal::ZERO {
                lines.push(phrasing.say(
                    keys::PAYOFF_OVERDUE_CHARGES,
                    &[("amount", &phrasing.money(quote.overdue_charges))],
                ));
            }
            let interest_key = if loan.product == INSTALMENT_LOAN {
                keys::PAYOFF_SERVICE_FEE
            } else {
                keys::PAYOFF_INTEREST
            };
            lines.push(phrasing.say(
                interest_key,
                &[("amount", &phrasing.money(quote.interest_to_date))],
            ));
            let fee_key = match loan.product.as_str() {
                CASH_LOAN if quote.early_settlement_fee > Decimal::ZERO => {
                    keys::PAYOFF_FEE_CASH_EARLY
                }
                CASH_LOAN => keys::PAYOFF_FEE_CASH_LATER,
                INSTALMENT_LOAN => keys::PAYOFF_FEE_INSTALMENT,
                _ => keys::PAYOFF_FEE_OTHER,
            };
            lines.push(phrasing.say(
                fee_key,
                &[("amount", &phrasing.money(quote.early_settlement_fee))],
            ));
            lines.push(phrasing.say(
                keys::PAYOFF_TOTAL,
                &[("amount", &phrasing.money(quote.total))],
            ));
            reply(lines)
        })
        .collect();
    if active_loans(view).iter().any(|loan| loan.payoff.is_some()) {
        replies.push(reply(vec![phrasing.say(keys::PAYOFF_NOTE, &[])]));
    }
    replies
}

/// The credit limit, what is available, and whether and why it is frozen.
pub(crate) fn limit(phrasing: &Phrasing<'_>, view: &AccountView) -> Vec<Reply> {
    let mut lines = Vec::new();
    match (view.credit_limit, view.available_limit) {
        (None, _) => lines.push(phrasing.say(keys::LIMIT_NONE, &[])),
        (Some(credit_limit), Some(available)) => lines.push(phrasing.say(
            keys::LIMIT_SUMMARY,
            &[
                ("limit", &phrasing.money(credit_limit)),
                ("available", &phrasing.money(available)),
            ],
        )),
        (Some(credit_limit), None) => lines.push(phrasing.say(
            keys::LIMIT_TOTAL_ONLY,
            &[("limit", &phrasing.money(credit_limit))],
        )),
    }
    if view.limit_frozen {
        let overdue_total: Decimal = view.loans.iter().map(|loan| loan.overdue_amount).sum();
        if overdue_total > Decimal::ZERO {
            lines.push(phrasing.say(
                keys::LIMIT_FROZEN,
                &[("overdue", &phrasing.money(overdue_total))],
            ));
            lines.push(phrasing.say(keys::HOW_TO_PAY, &[]));
        } else {
            lines.push(phrasing.say(keys::LIMIT_FROZEN_UNKNOWN_AMOUNT, &[]));
        }
    }
    vec![reply(lines)]
}

/// The latest failed automatic debit and what happens next, or the linked cards when none failed.
pub(crate) fn failed_debit(phrasing: &Phrasing<'_>, view: &AccountView) -> Vec<Reply> {
    let Some(failure) = view.failed_debits.first() else {
        let mut lines = vec![phrasing.say(keys::DEBIT_NONE, &[])];
        lines.extend(card_lines(phrasing, view));
        return vec![reply(lines)];
    };
    let loan = view.loans.iter().find(|loan| loan.id == failure.loan_id);
    let reason = match failure.reason.as_deref() {
        Some(code) => match phrasing
            .templates
            .member(family::DEBIT_REASON, code, phrasing.lang)
        {
            Some(words) => words.to_owned(),
            None => phrasing.say(keys::DEBIT_REASON_UNRECOGNISED, &[("code", code)]),
        },
        None => phrasing.say(keys::DEBIT_REASON_MISSING, &[]),
    };
    let time = format::date_time(failure.at, phrasing.lang);
    let amount = phrasing.money(failure.amount);
    let mut lines = vec![match loan {
        Some(loan) => phrasing.say(
            keys::DEBIT_FAILED,
            &[
                ("time", &time),
                ("loan", &phrasing.loan_label(loan)),
                ("amount", &amount),
                ("reason", &reason),
            ],
        ),
        None => phrasing.say(
            keys::DEBIT_FAILED_UNKNOWN_LOAN,
            &[("time", &time), ("amount", &amount), ("reason", &reason)],
        ),
    }];
    let still_owed = loan.is_none_or(|loan| failed_instalment_still_owed(loan, failure));
    if still_owed {
        lines.extend(next_steps_after_failure(phrasing, failure));
    } else {
        lines.push(phrasing.say(keys::DEBIT_ALREADY_PAID, &[]));
    }
    if let Some(advice) = failure.reason.as_deref().and_then(|code| {
        phrasing
            .templates
            .member(family::DEBIT_ADVICE, code, phrasing.lang)
    }) {
        lines.push(advice.to_owned());
    }
    if still_owed {
        lines.push(phrasing.say(keys::HOW_TO_PAY, &[]));
    }
    vec![reply(lines)]
}

/// Whether the instalment the debit was for (the one due on the day it failed) is still unpaid.
fn failed_instalment_still_owed(loan: &LoanView, failure: &FailedDebitView) -> bool {
    let failure_day = failure.at.date_naive();
    let owed_on_failure_day =
        |due: &DueView| due.due_date == failure_day && due.outstanding > Decimal::ZERO;
    loan.overdue.iter().any(owed_on_failure_day)
        || loan.next_due.as_ref().is_some_and(owed_on_failure_day)
}

/// The remaining automatic attempts (if the failure was today) and the grace period.
fn next_steps_after_failure(phrasing: &Phrasing<'_>, failure: &FailedDebitView) -> Vec<String> {
    let failure_day = failure.at.date_naive();
    let failure_time = failure.at.time();
    let mut lines = Vec::new();
    let later_attempts: Vec<String> = if failure_day == phrasing.today {
        AUTODEBIT_ATTEMPT_TIMES
            .iter()
            .filter_map(|&(hour, minute)| NaiveTime::from_hms_opt(hour, minute, 0))
            .filter(|attempt| *attempt > failure_time)
            .map(|attempt| attempt.format("%H:%M").to_string())
            .collect()
    } else {
        Vec::new()
    };
    if later_attempts.is_empty() {
        lines.push(phrasing.say(keys::DEBIT_NO_MORE_ATTEMPTS, &[]));
    } else {
        lines.push(phrasing.say(
            keys::DEBIT_RETRY_TODAY,
            &[(
                "times",
                &format::join_with_and(&later_attempts, phrasing.lang),
            )],
        ));
    }
    let grace_end = grace_end_from_due_date(failure_day);
    if phrasing.today <= grace_end {
        lines.push(phrasing.say(
            keys::DEBIT_GRACE,
            &[(
                "grace_end",
                &format::date_with_relative(grace_end, phrasing.today, phrasing.lang),
            )],
        ));
    } else {
        lines.push(phrasing.say(keys::DUE_PAST_GRACE, &[]));
    }
    lines
}

/// One line per linked card with its automatic debit setting, or a hint to link one.
fn card_lines(phrasing: &Phrasing<'_>, view: &AccountView) -> Vec<String> {
    if view.cards.is_empty() {
        return vec![phrasing.say(keys::NO_CARDS, &[])];
    }
    view.cards
        .iter()
        .map(|card| {
            let bank = phrasing.member_or(family::BANK, &card.bank, &card.bank);
            let autodebit = phrasing.say(
                if card.autodebit {
                    keys::CARD_AUTODEBIT_ON
                } else {
                    keys::CARD_AUTODEBIT_OFF
                },
                &[],
            );
            phrasing.say(
                keys::CARD_LINE,
                &[
                    ("bank", &bank),
                    ("last4", &card.last4),
                    ("autodebit", &autodebit),
                ],
            )
        })
        .collect()
}

/// What is due, then every way to pay.
pub(crate) fn make_payment(phrasing: &Phrasing<'_>, view: &AccountView) -> Vec<Reply> {
    let mut replies = due_amount(phrasing, view);
    if !active_loans(view).is_empty() {
        replies.push(reply(vec![phrasing.say(keys::PAYMENT_WAYS, &[])]));
    }
    replies
}

/// How many payments [`already_paid`] lists in writing, and on a call.
const RECENT_REPAYMENTS_SHOWN: usize = 5;
const RECENT_REPAYMENTS_SPOKEN: usize = 2;

/// The latest payments as the loan system has them, and what to do when one is missing. On a call (`spoken`) only
/// the latest two are read out.
pub(crate) fn already_paid(
    phrasing: &Phrasing<'_>,
    view: &AccountView,
    spoken: bool,
) -> Vec<Reply> {
    if view.repayments.is_empty() {
        return vec![reply(vec![
            phrasing.say(keys::REPAYMENTS_NONE, &[]),
            phrasing.say(keys::ALREADY_PAID_NOTE, &[]),
        ])];
    }
    let mut lines = vec![phrasing.say(keys::REPAYMENTS_HEADER, &[])];
    let shown = if spoken {
        RECENT_REPAYMENTS_SPOKEN
    } else {
        RECENT_REPAYMENTS_SHOWN
    };
    for repayment in view.repayments.iter().take(shown) {
        let loan = view
            .loans
            .iter()
            .find(|loan| loan.id == repayment.loan_id)
            .map(|loan| phrasing.loan_label(loan))
            .unwrap_or_else(|| repayment.loan_id.clone());
        let channel = phrasing.member_or(family::CHANNEL, &repayment.channel, &repayment.channel);
        let status = phrasing.say(
            if repayment.succeeded {
                keys::REPAYMENT_SUCCEEDED
            } else {
                keys::REPAYMENT_FAILED
            },
            &[],
        );
        lines.push(phrasing.say(
            keys::REPAYMENT_LINE,
            &[
                ("time", &format::date_time(repayment.at, phrasing.lang)),
                ("loan", &loan),
                ("amount", &phrasing.money(repayment.amount)),
                ("channel", &channel),
                ("status", &status),
            ],
        ));
    }
    let mut replies = vec![reply(lines)];
    let mut due = due_amount(phrasing, view);
    replies.append(&mut due);
    replies.push(reply(vec![phrasing.say(keys::ALREADY_PAID_NOTE, &[])]));
    replies
}

/// The smallest partial prepayment the demo lender accepts.
fn minimum_prepayment() -> Decimal {
    Decimal::new(100, 0)
}

/// What prepaying part of each loan involves, and, when the customer named an amount, what it costs today.
pub(crate) fn partial_prepay(
    phrasing: &Phrasing<'_>,
    view: &AccountView,
    amount: Option<Decimal>,
) -> Vec<Reply> {
    if let Some(answer) = nothing_owed(phrasing, view) {
        return vec![answer];
    }
    active_loans(view)
        .into_iter()
        .map(|loan| {
            let label = phrasing.loan_label(loan);
            if loan.product == INSTALMENT_LOAN {
                return reply(vec![
                    phrasing.say(keys::PREPAY_INSTALMENT, &[("loan", &label)]),
                ]);
            }
            let principal = phrasing.money(loan.remaining_principal);
            let mut lines = vec![phrasing.say(
                keys::PREPAY_CASH,
                &[("loan", &label), ("principal", &principal)],
            )];
            let fee_applies = loan
                .early_fee_until
                .is_some_and(|until| phrasing.today < until);
            match loan.early_fee_until {
                Some(until) if fee_applies => lines.push(phrasing.say(
                    keys::PREPAY_FEE_UNTIL,
                    &[("date", &format::date(until, phrasing.lang))],
                )),
                _ => lines.push(phrasing.say(keys::PREPAY_NO_FEE, &[])),
            }
            if let Some(amount) = amount {
                if amount < minimum_prepayment() {
                    lines.push(phrasing.say(keys::PREPAY_TOO_SMALL, &[]));
                } else if amount > loan.remaining_principal {
                    lines.push(phrasing.say(keys::PREPAY_TOO_LARGE, &[("principal", &principal)]));
                } else {
                    let fee = if fee_applies {
                        (amount * Decimal::new(2, 2)).round_dp_with_strategy(
                            2,
                            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                        )
                    } else {
                        Decimal::ZERO
                    };
                    lines.push(phrasing.say(
                        keys::PREPAY_QUOTE,
                        &[
                            ("amount", &phrasing.money(amount)),
                            ("fee", &phrasing.money(fee)),
                            ("total", &phrasing.money(amount + fee)),
                        ],
                    ));
                }
            }
            reply(lines)
        })
        .collect()
}

/// The limit, and whether it is frozen and why.
pub(crate) fn limit_frozen(phrasing: &Phrasing<'_>, view: &AccountView) -> Vec<Reply> {
    let mut replies = limit(phrasing, view);
    if !view.limit_frozen
        && let Some(first) = replies.first_mut()
    {
        first.text.push('\n');
        first
            .text
            .push_str(&phrasing.say(keys::LIMIT_NOT_FROZEN, &[]));
    }
    replies
}

/// Instalments in a row after which a higher limit may be asked for.
const ON_TIME_INSTALMENTS_FOR_INCREASE: usize = 6;

/// Whether a higher limit may be asked for: nothing overdue and the latest 6 instalments due all paid.
pub(crate) fn limit_increase(phrasing: &Phrasing<'_>, view: &AccountView) -> Vec<Reply> {
    if view.limit_frozen
        || view
            .loans
            .iter()
            .any(|loan| loan.overdue_amount > Decimal::ZERO)
    {
        return vec![reply(vec![phrasing.say(keys::LIMIT_INCREASE_OVERDUE, &[])])];
    }
    let mut past: Vec<&ScheduleLine> = view
        .loans
        .iter()
        .flat_map(|loan| loan.schedule.iter())
        .filter(|line| line.due_date < phrasing.today)
        .collect();
    past.sort_by_key(|line| std::cmp::Reverse(line.due_date));
    let in_a_row = past
        .iter()
        .take_while(|line| line.outstanding <= Decimal::ZERO)
        .count();
    let count = in_a_row.to_string();
    let key = if in_a_row >= ON_TIME_INSTALMENTS_FOR_INCREASE {
        keys::LIMIT_INCREASE_YES
    } else {
        keys::LIMIT_INCREASE_NOT_YET
    };
    let mut lines = limit(phrasing, view)
        .into_iter()
        .map(|answer| answer.text)
        .collect::<Vec<_>>();
    lines.push(phrasing.say(key, &[("count", &count)]));
    vec![reply(lines)]
}

/// The loan paid out most recently.
fn latest_loan(view: &AccountView) -> Option<&LoanView> {
    view.loans
        .iter()
        .filter(|loan| loan.disbursed_on.is_some())
        .max_by_key(|loan| (loan.disbursed_on, loan.id.clone()))
}

/// Where the latest loan's application stands, and how long a new one takes.
pub(crate) fn application_status(phrasing: &Phrasing<'_>, view: &AccountView) -> Vec<Reply> {
    let mut lines = Vec::new();
    match latest_loan(view) {
        Some(loan) => lines.push(
            phrasing.say(
                keys::APPLICATION_LATEST,
                &[
                    ("loan", &phrasing.loan_label(loan)),
                    ("amount", &phrasing.money(loan.principal)),
                    (
                        "date",
                        &loan
                            .disbursed_on
                            .map(|day| format::date(day, phrasing.lang))
                            .unwrap_or_default(),
                    ),
                ],
            ),
        ),
        None => lines.push(phrasing.say(keys::APPLICATION_NONE, &[])),
    }
    lines.push(phrasing.say(keys::APPLICATION_TIMES, &[]));
    vec![reply(lines)]
}

/// When the latest loan's money reaches the card.
pub(crate) fn disbursement(phrasing: &Phrasing<'_>, view: &AccountView) -> Vec<Reply> {
    let Some((loan, paid_out)) =
        latest_loan(view).and_then(|loan| loan.disbursed_on.map(|day| (loan, day)))
    else {
        return vec![reply(vec![phrasing.say(keys::DISBURSEMENT_NONE, &[])])];
    };
    let label = phrasing.loan_label(loan);
    let amount = phrasing.money(loan.principal);
    let date = format::date(paid_out, phrasing.lang);
    let deadline = add_business_days(paid_out, 1);
    let text = if phrasing.today <= deadline {
        phrasing.say(
            keys::DISBURSEMENT_RECENT,
            &[
                ("loan", &label),
                ("amount", &amount),
                ("date", &date),
                (
                    "deadline",
                    &format::date_with_relative(deadline, phrasing.today, phrasing.lang),
                ),
            ],
        )
    } else {
        phrasing.say(
            keys::DISBURSEMENT_OLD,
            &[("loan", &label), ("amount", &amount), ("date", &date)],
        )
    };
    vec![reply(vec![text])]
}

/// The day `count` business days (Monday to Friday) after `day`.
pub(crate) fn add_business_days(day: NaiveDate, count: u32) -> NaiveDate {
    let mut current = day;
    let mut added = 0;
    while added < count {
        current = current.succ_opt().unwrap_or(current);
        if !matches!(current.weekday(), Weekday::Sat | Weekday::Sun) {
            added += 1;
        }
    }
    current
}

//! The bundled demo lender's customers, generated relative to a day so that "due soon" and "overdue 35 days"
//! stay true whenever the demo is loaded.
//!
//! The customers are a fixed table (ids `D001`...; loan ids `LN1` + customer number + loan number); what moves
//! with `today` is each loan's disbursement day, chosen so that its planned [`DemoLoanState`] holds exactly on
//! `today`. Schedules follow the demo lender's product rules (`shared/spec/demo-lender.md`):
//!
//! - `cash_loan`: equal principal (in cents, the last instalment takes the rounding remainder so the parts sum
//!   to the principal) plus interest on the principal remaining before each instalment, `remaining × rate / 12`,
//!   due monthly on the borrowing day (the month's last day when the month is shorter);
//! - `instalment_loan`: equal principal plus a monthly fee of a fixed share of the financed amount, no interest.
//!
//! Instalments before the planned one are paid (by automatic debit on the due date, or in the app the evening
//! before for customers without it). Overdue instalments past the 3-day grace period carry penalty interest of
//! 1.5 times the contract daily rate (`rate / 360`) on their principal, counted from the due date up to `today`,
//! and customers with automatic debit show the three failed attempts (06:00, 14:00, 20:00) of each overdue due
//! date. A loan settled early was paid off 20 days after its first instalment, with interest to date and the 2%
//! early-settlement fee as [`crate::loans::summarize`] quoted them on that day. Times are the lender's (UTC+8).
//! `connectors/DEMO.md` describes every demo customer for people trying the product.

use chrono::{DateTime, Days, FixedOffset, Months, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use rust_decimal::Decimal;

use crate::loans::{CASH_LOAN, INSTALMENT_LOAN, round_to_cents, summarize};
use crate::{Card, Customer, Installment, Loan, Repayment, SeedData};

/// Where a demo loan stands on the day the demo is generated for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoLoanState {
    /// Nothing overdue; the next instalment is due this many days after `today` (1 to 3 is "due soon").
    Current { days_to_next_due: u32 },
    /// An instalment is due on `today` itself and nothing is overdue.
    DueToday,
    /// The oldest unpaid instalment fell due exactly this many days before `today`.
    Overdue { days_past_due: u32 },
    /// Paid off within its first three months, with the early-settlement fee.
    SettledEarly,
    /// Every instalment paid on schedule; the last one is in the past.
    SettledAtTerm,
}

/// One demo loan and the state it is in on the day the demo is generated for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLoan {
    pub customer_id: String,
    pub loan_id: String,
    pub product: &'static str,
    pub state: DemoLoanState,
    /// The reason the automatic debits of its overdue instalments failed, when they did.
    pub failed_autodebit_reason: Option<&'static str>,
}

/// The demo customers and their loans as of `today`.
pub fn demo_seed(today: NaiveDate) -> SeedData {
    let mut seed = SeedData::default();
    for (position, profile) in DEMO_CUSTOMERS.iter().enumerate() {
        let number = position + 1;
        let customer_id = customer_id(number);
        seed.customers.push(Customer {
            id: customer_id.clone(),
            name: profile.name.to_owned(),
            phone: profile.phone.to_owned(),
            id_last4: profile.id_last4.to_owned(),
            language: profile.language.to_owned(),
            timezone: profile.timezone.to_owned(),
            credit_limit: Some(money(profile.credit_limit)),
        });
        seed.cards.push(Card {
            customer_id: customer_id.clone(),
            bank: profile.bank.to_owned(),
            last4: profile.card_last4.to_owned(),
            autodebit: profile.autodebit,
        });
        for (loan_position, plan) in profile.loans.iter().enumerate() {
            let loan_id = loan_id(number, loan_position + 1);
            let (loan, repayments) = build_loan(&loan_id, &customer_id, profile, plan, today);
            seed.loans.push(loan);
            seed.repayments.extend(repayments);
        }
    }
    seed
}

/// Every demo loan with its planned state; the same for any `today`.
pub fn demo_loans() -> Vec<DemoLoan> {
    let mut loans = Vec::new();
    for (position, profile) in DEMO_CUSTOMERS.iter().enumerate() {
        let number = position + 1;
        for (loan_position, plan) in profile.loans.iter().enumerate() {
            let overdue = matches!(plan.state, DemoLoanState::Overdue { .. });
            loans.push(DemoLoan {
                customer_id: customer_id(number),
                loan_id: loan_id(number, loan_position + 1),
                product: plan.product.id(),
                state: plan.state,
                failed_autodebit_reason: (overdue && profile.autodebit)
                    .then_some(plan.failure_reason),
            });
        }
    }
    loans
}

fn customer_id(number: usize) -> String {
    format!("D{number:03}")
}

fn loan_id(customer_number: usize, loan_number: usize) -> String {
    format!("LN1{customer_number:03}{loan_number:02}")
}

/// The lender's clock runs on UTC+8.
const LENDER_UTC_OFFSET_SECONDS: i32 = 8 * 3600;
/// Days after a due date without penalty.
const GRACE_DAYS: u32 = 3;
/// The failure reason of automatic debits unless a plan says otherwise.
const INSUFFICIENT_FUNDS: &str = "insufficient_funds";
const CARD_EXPIRED: &str = "card_expired";
/// A loan settled early was paid off this many days after its first instalment.
const EARLY_SETTLEMENT_DAYS_AFTER_FIRST_DUE: u64 = 20;
/// A loan settled at term had its last instalment this many days before `today`.
const SETTLED_AT_TERM_DAYS_AGO: u64 = 40;

#[derive(Debug, Clone, Copy)]
enum Product {
    /// A cash loan at this simple annual rate.
    Cash { annual_rate: &'static str },
    /// Purchase instalments with this monthly fee, as a share of the financed amount.
    Instalments { monthly_fee_rate: &'static str },
}

impl Product {
    fn id(self) -> &'static str {
        match self {
            Product::Cash { .. } => CASH_LOAN,
            Product::Instalments { .. } => INSTALMENT_LOAN,
        }
    }
}

struct LoanPlan {
    product: Product,
    principal: &'static str,
    term_months: u32,
    state: DemoLoanState,
    /// Which instalment the state is about (the next one due, or the oldest overdue), when the calendar allows.
    key_installment: u32,
    failure_reason: &'static str,
}

const fn cash(
    principal: &'static str,
    annual_rate: &'static str,
    term_months: u32,
    key_installment: u32,
    state: DemoLoanState,
) -> LoanPlan {
    LoanPlan {
        product: Product::Cash { annual_rate },
        principal,
        term_months,
        state,
        key_installment,
        failure_reason: INSUFFICIENT_FUNDS,
    }
}

const fn instalments(
    principal: &'static str,
    monthly_fee_rate: &'static str,
    term_months: u32,
    key_installment: u32,
    state: DemoLoanState,
) -> LoanPlan {
    LoanPlan {
        product: Product::Instalments { monthly_fee_rate },
        principal,
        term_months,
        state,
        key_installment,
        failure_reason: INSUFFICIENT_FUNDS,
    }
}

const fn card_expired(plan: LoanPlan) -> LoanPlan {
    LoanPlan {
        failure_reason: CARD_EXPIRED,
        ..plan
    }
}

struct CustomerProfile {
    name: &'static str,
    phone: &'static str,
    id_last4: &'static str,
    language: &'static str,
    timezone: &'static str,
    credit_limit: &'static str,
    bank: &'static str,
    card_last4: &'static str,
    autodebit: bool,
    loans: &'static [LoanPlan],
}

const SHANGHAI: &str = "Asia/Shanghai";
const NEW_YORK: &str = "America/New_York";
const LOS_ANGELES: &str = "America/Los_Angeles";

const fn current(days_to_next_due: u32) -> DemoLoanState {
    DemoLoanState::Current { days_to_next_due }
}

const fn overdue(days_past_due: u32) -> DemoLoanState {
    DemoLoanState::Overdue { days_past_due }
}

/// The demo customers, `D001` first. DEMO.md describes each of them; keep the two in step.
const DEMO_CUSTOMERS: &[CustomerProfile] = &[
    CustomerProfile {
        name: "张伟",
        phone: "+8613812345678",
        id_last4: "1234",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "30000.00",
        bank: "ICBC",
        card_last4: "6789",
        autodebit: true,
        loans: &[cash("12000.00", "0.18", 12, 4, current(15))],
    },
    CustomerProfile {
        name: "李娜",
        phone: "+8613987654321",
        id_last4: "5678",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "20000.00",
        bank: "CMB",
        card_last4: "4421",
        autodebit: true,
        loans: &[cash("8000.00", "0.156", 6, 3, current(2))],
    },
    CustomerProfile {
        name: "王芳",
        phone: "+8618611112222",
        id_last4: "0921",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "10000.00",
        bank: "CCB",
        card_last4: "3307",
        autodebit: true,
        loans: &[cash("5000.00", "0.12", 6, 2, DemoLoanState::DueToday)],
    },
    CustomerProfile {
        name: "刘洋",
        phone: "+8615023456789",
        id_last4: "4410",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "15000.00",
        bank: "ABC",
        card_last4: "1958",
        autodebit: true,
        loans: &[cash("10000.00", "0.216", 12, 5, overdue(2))],
    },
    CustomerProfile {
        name: "陈静",
        phone: "+8613700001111",
        id_last4: "762X",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "8000.00",
        bank: "BOC",
        card_last4: "0446",
        autodebit: true,
        loans: &[card_expired(cash("3000.00", "0.192", 6, 2, overdue(1)))],
    },
    CustomerProfile {
        name: "杨磊",
        phone: "+8618922334455",
        id_last4: "3086",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "30000.00",
        bank: "PSBC",
        card_last4: "7712",
        autodebit: true,
        loans: &[cash("20000.00", "0.168", 12, 6, overdue(10))],
    },
    CustomerProfile {
        name: "赵敏",
        phone: "+8613611223344",
        id_last4: "5519",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "10000.00",
        bank: "CIB",
        card_last4: "2290",
        autodebit: true,
        loans: &[cash("6000.00", "0.204", 12, 4, overdue(35))],
    },
    CustomerProfile {
        name: "黄强",
        phone: "+8615899887766",
        id_last4: "0137",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "20000.00",
        bank: "SPDB",
        card_last4: "8801",
        autodebit: true,
        loans: &[cash("15000.00", "0.228", 24, 5, overdue(65))],
    },
    CustomerProfile {
        name: "周杰",
        phone: "+8617755667788",
        id_last4: "2468",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "12000.00",
        bank: "CITIC",
        card_last4: "5063",
        autodebit: false,
        loans: &[cash("9000.00", "0.239", 12, 3, overdue(95))],
    },
    CustomerProfile {
        name: "吴霞",
        phone: "+8613155552468",
        id_last4: "9753",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "5000.00",
        bank: "BOCOM",
        card_last4: "6634",
        autodebit: true,
        loans: &[cash("4000.00", "0.239", 12, 2, overdue(200))],
    },
    CustomerProfile {
        name: "徐丽",
        phone: "+8618033445566",
        id_last4: "1357",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "40000.00",
        bank: "CMB",
        card_last4: "9015",
        autodebit: true,
        loans: &[cash(
            "12000.00",
            "0.108",
            12,
            1,
            DemoLoanState::SettledEarly,
        )],
    },
    CustomerProfile {
        name: "孙浩",
        phone: "+8613922113344",
        id_last4: "8024",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "20000.00",
        bank: "ICBC",
        card_last4: "2741",
        autodebit: true,
        loans: &[cash("6000.00", "0.144", 6, 6, DemoLoanState::SettledAtTerm)],
    },
    CustomerProfile {
        name: "马超",
        phone: "+8615266778899",
        id_last4: "4682",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "15000.00",
        bank: "CCB",
        card_last4: "3520",
        autodebit: true,
        loans: &[instalments("6999.00", "0.0075", 12, 3, current(8))],
    },
    CustomerProfile {
        name: "朱琳",
        phone: "+8618766554433",
        id_last4: "0358",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "25000.00",
        bank: "ABC",
        card_last4: "4187",
        autodebit: true,
        loans: &[
            instalments("3600.00", "0.008", 6, 2, current(20)),
            cash("5000.00", "0.12", 3, 3, DemoLoanState::SettledAtTerm),
        ],
    },
    CustomerProfile {
        name: "胡军",
        phone: "+8613588990011",
        id_last4: "7201",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "10000.00",
        bank: "BOC",
        card_last4: "6652",
        autodebit: false,
        loans: &[],
    },
    CustomerProfile {
        name: "郭婷",
        phone: "+8617012345566",
        id_last4: "3391",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "5000.00",
        bank: "PSBC",
        card_last4: "0823",
        autodebit: true,
        loans: &[cash("2000.00", "0.18", 3, 2, overdue(3))],
    },
    CustomerProfile {
        name: "何平",
        phone: "+8613366778800",
        id_last4: "6620",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "50000.00",
        bank: "CMB",
        card_last4: "1176",
        autodebit: true,
        loans: &[cash("50000.00", "0.072", 24, 10, current(25))],
    },
    CustomerProfile {
        name: "林晓",
        phone: "+8618655443322",
        id_last4: "2915",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "8000.00",
        bank: "CIB",
        card_last4: "7348",
        autodebit: false,
        loans: &[instalments("2400.00", "0.009", 3, 1, current(1))],
    },
    CustomerProfile {
        name: "Michael Johnson",
        phone: "+12125550143",
        id_last4: "4830",
        language: "en",
        timezone: NEW_YORK,
        credit_limit: "20000.00",
        bank: "BOC",
        card_last4: "2207",
        autodebit: true,
        loans: &[cash("10000.00", "0.15", 12, 5, current(11))],
    },
    CustomerProfile {
        name: "Emily Chen",
        phone: "+14155550178",
        id_last4: "1596",
        language: "en",
        timezone: LOS_ANGELES,
        credit_limit: "10000.00",
        bank: "ICBC",
        card_last4: "9442",
        autodebit: true,
        loans: &[cash("5000.00", "0.18", 6, 3, overdue(12))],
    },
    CustomerProfile {
        name: "David Wang",
        phone: "+8613811223399",
        id_last4: "0574",
        language: "en",
        timezone: SHANGHAI,
        credit_limit: "8000.00",
        bank: "CMB",
        card_last4: "6018",
        autodebit: true,
        loans: &[cash("3000.00", "0.12", 6, 2, current(3))],
    },
    CustomerProfile {
        name: "Sarah Miller",
        phone: "+16465550112",
        id_last4: "7765",
        language: "en",
        timezone: NEW_YORK,
        credit_limit: "12000.00",
        bank: "CCB",
        card_last4: "3391",
        autodebit: true,
        loans: &[cash("8000.00", "0.21", 12, 3, overdue(40))],
    },
    CustomerProfile {
        name: "James Liu",
        phone: "+13105550126",
        id_last4: "2083",
        language: "en",
        timezone: LOS_ANGELES,
        credit_limit: "20000.00",
        bank: "ICBC",
        card_last4: "5576",
        autodebit: true,
        loans: &[cash(
            "12000.00",
            "0.132",
            6,
            6,
            DemoLoanState::SettledAtTerm,
        )],
    },
    CustomerProfile {
        name: "Jessica Brown",
        phone: "+8618511224455",
        id_last4: "6419",
        language: "en",
        timezone: SHANGHAI,
        credit_limit: "15000.00",
        bank: "SPDB",
        card_last4: "8134",
        autodebit: true,
        loans: &[instalments("4500.00", "0.007", 9, 4, current(14))],
    },
    CustomerProfile {
        name: "Kevin Zhang",
        phone: "+16265550190",
        id_last4: "3857",
        language: "en",
        timezone: LOS_ANGELES,
        credit_limit: "6000.00",
        bank: "CITIC",
        card_last4: "4725",
        autodebit: false,
        loans: &[cash("2000.00", "0.18", 3, 1, DemoLoanState::DueToday)],
    },
    CustomerProfile {
        name: "高建国",
        phone: "+8613012348888",
        id_last4: "5102",
        language: "zh",
        timezone: SHANGHAI,
        credit_limit: "50000.00",
        bank: "BOCOM",
        card_last4: "0619",
        autodebit: true,
        loans: &[cash("30000.00", "0.096", 24, 13, current(18))],
    },
];

fn money(text: &str) -> Decimal {
    // Every amount in the table above is a literal decimal; a typo shows up as zero in the tests.
    text.parse().unwrap_or(Decimal::ZERO)
}

fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(date)
}

fn add_days(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(date)
}

fn subtract_days(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).unwrap_or(date)
}

/// A moment on the lender's clock.
fn lender_time(date: NaiveDate, hour: u32, minute: u32) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(LENDER_UTC_OFFSET_SECONDS).unwrap_or_else(|| Utc.fix());
    let local = date.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN));
    offset
        .from_local_datetime(&local)
        .single()
        .unwrap_or_else(|| local.and_utc().fixed_offset())
}

/// A disbursement day whose instalment number `installment` falls exactly on `due_date`, trying the preferred
/// instalment number first and then its neighbours: a due date on the 29th to 31st is only reachable from a
/// borrowing day in a month long enough to have that day.
fn disbursement_for(due_date: NaiveDate, preferred: u32, term_months: u32) -> (NaiveDate, u32) {
    let candidates = [
        Some(preferred),
        preferred.checked_add(1),
        preferred.checked_sub(1),
        preferred.checked_add(2),
        preferred.checked_sub(2),
        preferred.checked_add(3),
    ];
    for installment in candidates.into_iter().flatten() {
        if installment == 0 || installment > term_months {
            continue;
        }
        if let Some(disbursed_on) = due_date.checked_sub_months(Months::new(installment))
            && add_months(disbursed_on, installment) == due_date
        {
            return (disbursed_on, installment);
        }
    }
    let disbursed_on = due_date
        .checked_sub_months(Months::new(preferred))
        .unwrap_or(due_date);
    (disbursed_on, preferred)
}

/// The schedule of a loan as the product rules set it, nothing paid yet.
fn schedule(
    product: Product,
    principal: Decimal,
    term_months: u32,
    disbursed_on: NaiveDate,
) -> Vec<Installment> {
    let terms = Decimal::from(term_months.max(1));
    let regular_principal = round_to_cents(principal / terms);
    let mut remaining = principal;
    (1..=term_months)
        .map(|seq| {
            let principal_part = if seq == term_months {
                remaining
            } else {
                regular_principal
            };
            let (interest, fee) = match product {
                Product::Cash { annual_rate } => (
                    round_to_cents(remaining * money(annual_rate) / Decimal::from(12)),
                    Decimal::ZERO,
                ),
                Product::Instalments { monthly_fee_rate } => (
                    Decimal::ZERO,
                    round_to_cents(principal * money(monthly_fee_rate)),
                ),
            };
            remaining -= principal_part;
            Installment {
                seq,
                due_date: add_months(disbursed_on, seq),
                principal: principal_part,
                interest,
                fee,
                penalty: Decimal::ZERO,
                paid: Decimal::ZERO,
            }
        })
        .collect()
}

fn build_loan(
    loan_id: &str,
    customer_id: &str,
    profile: &CustomerProfile,
    plan: &LoanPlan,
    today: NaiveDate,
) -> (Loan, Vec<Repayment>) {
    let principal = money(plan.principal);
    let annual_rate = match plan.product {
        Product::Cash { annual_rate } => money(annual_rate),
        Product::Instalments { .. } => Decimal::ZERO,
    };
    // The instalment the state is about, and the instalments paid before it.
    let (disbursed_on, first_unpaid) = match plan.state {
        DemoLoanState::Current { days_to_next_due } => disbursement_for(
            add_days(today, u64::from(days_to_next_due)),
            plan.key_installment,
            plan.term_months,
        ),
        DemoLoanState::DueToday => disbursement_for(today, plan.key_installment, plan.term_months),
        DemoLoanState::Overdue { days_past_due } => disbursement_for(
            subtract_days(today, u64::from(days_past_due)),
            plan.key_installment,
            plan.term_months,
        ),
        DemoLoanState::SettledAtTerm => {
            let last_due = subtract_days(today, SETTLED_AT_TERM_DAYS_AGO);
            let disbursed_on = last_due
                .checked_sub_months(Months::new(plan.term_months))
                .unwrap_or(last_due);
            (disbursed_on, plan.term_months + 1)
        }
        DemoLoanState::SettledEarly => {
            // Paid off 20 days after the first instalment, and that day lies 100 days back.
            let settled_on = subtract_days(today, 100);
            let first_due = subtract_days(settled_on, EARLY_SETTLEMENT_DAYS_AFTER_FIRST_DUE);
            let disbursed_on = first_due
                .checked_sub_months(Months::new(1))
                .unwrap_or(first_due);
            (disbursed_on, 2)
        }
    };

    let mut loan = Loan {
        id: loan_id.to_owned(),
        customer_id: customer_id.to_owned(),
        product: plan.product.id().to_owned(),
        principal,
        annual_rate,
        term_months: plan.term_months,
        disbursed_on,
        installments: schedule(plan.product, principal, plan.term_months, disbursed_on),
    };
    let mut repayments = Vec::new();

    for installment in &mut loan.installments {
        if installment.seq < first_unpaid {
            installment.paid = installment.total();
            repayments.push(scheduled_payment(loan_id, profile, installment));
        } else if plan.state != DemoLoanState::SettledEarly && installment.due_date < today {
            let days_late = u32::try_from((today - installment.due_date).num_days()).unwrap_or(0);
            if days_late > GRACE_DAYS {
                installment.penalty = round_to_cents(
                    installment.principal
                        * annual_rate
                        * Decimal::new(15, 1)
                        * Decimal::from(days_late)
                        / Decimal::from(crate::loans::DAYS_IN_INTEREST_YEAR),
                );
            }
            if profile.autodebit {
                let amount_due = installment.principal + installment.interest + installment.fee;
                for hour in [6, 14, 20] {
                    repayments.push(Repayment {
                        loan_id: loan_id.to_owned(),
                        amount: amount_due,
                        at: lender_time(installment.due_date, hour, 0),
                        channel: "autodebit".to_owned(),
                        status: "failed".to_owned(),
                        fail_reason: Some(plan.failure_reason.to_owned()),
                    });
                }
            }
        }
    }

    if plan.state == DemoLoanState::SettledEarly {
        let settled_on = add_days(
            loan.installments
                .first()
                .map(|first| first.due_date)
                .unwrap_or(disbursed_on),
            EARLY_SETTLEMENT_DAYS_AFTER_FIRST_DUE,
        );
        let quote = summarize(&loan, settled_on).payoff;
        if let Some(quote) = quote {
            // The lender closes the schedule: the current instalment carries the interest to date and the fee,
            // the later ones only their principal, and everything is paid in one go from the app.
            for installment in &mut loan.installments {
                if installment.seq == first_unpaid {
                    installment.interest = quote.interest_to_date;
                    installment.fee = quote.early_settlement_fee;
                } else if installment.seq > first_unpaid {
                    installment.interest = Decimal::ZERO;
                    installment.fee = Decimal::ZERO;
                }
                installment.paid = installment.total();
            }
            repayments.push(Repayment {
                loan_id: loan_id.to_owned(),
                amount: quote.total,
                at: lender_time(settled_on, 19, 42),
                channel: "app".to_owned(),
                status: "succeeded".to_owned(),
                fail_reason: None,
            });
        }
    }
    (loan, repayments)
}

/// The successful payment of a scheduled instalment: by automatic debit on the due date, or in the app the
/// evening before.
fn scheduled_payment(
    loan_id: &str,
    profile: &CustomerProfile,
    installment: &Installment,
) -> Repayment {
    let (at, channel) = if profile.autodebit {
        (lender_time(installment.due_date, 6, 0), "autodebit")
    } else {
        (
            lender_time(subtract_days(installment.due_date, 1), 20, 15),
            "app",
        )
    };
    Repayment {
        loan_id: loan_id.to_owned(),
        amount: installment.total(),
        at,
        channel: channel.to_owned(),
        status: "succeeded".to_owned(),
        fail_reason: None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::loans::LoanStatus;

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("valid test date")
    }

    /// Checks every planned state against the loan arithmetic on `today`, and the schedule against the product
    /// rules, returning a description of the first mismatch.
    fn check_demo(today: NaiveDate) -> Result<(), String> {
        let seed = demo_seed(today);
        for planned in demo_loans() {
            let loan = seed
                .loans
                .iter()
                .find(|loan| loan.id == planned.loan_id)
                .ok_or_else(|| format!("{} is missing", planned.loan_id))?;
            let summary = summarize(loan, today);
            let context = format!("{} on {today}", loan.id);
            match planned.state {
                DemoLoanState::Current { days_to_next_due } => {
                    let expected = add_days(today, u64::from(days_to_next_due));
                    if summary.status != LoanStatus::Current
                        || summary.next_due.as_ref().map(|due| due.due_date) != Some(expected)
                    {
                        return Err(format!(
                            "{context}: expected current with the next due {expected}"
                        ));
                    }
                }
                DemoLoanState::DueToday => {
                    if summary.status != LoanStatus::Current
                        || summary.next_due.as_ref().map(|due| due.due_date) != Some(today)
                    {
                        return Err(format!("{context}: expected an instalment due today"));
                    }
                }
                DemoLoanState::Overdue { days_past_due } => {
                    if summary.status != LoanStatus::Overdue
                        || summary.days_past_due != days_past_due
                    {
                        return Err(format!(
                            "{context}: expected {days_past_due} days past due, got {:?} {}",
                            summary.status, summary.days_past_due
                        ));
                    }
                    let in_grace = days_past_due <= GRACE_DAYS;
                    let penalised = summary
                        .overdue
                        .iter()
                        .any(|due| due.penalty > Decimal::ZERO);
                    if in_grace == penalised {
                        return Err(format!(
                            "{context}: penalty does not follow the grace period"
                        ));
                    }
                }
                DemoLoanState::SettledEarly | DemoLoanState::SettledAtTerm => {
                    if summary.status != LoanStatus::Settled {
                        return Err(format!("{context}: expected settled"));
                    }
                }
            }
            if let Some(reason) = planned.failed_autodebit_reason {
                let oldest = summary
                    .overdue
                    .first()
                    .ok_or(format!("{context}: nothing overdue"))?;
                let failed_on_due_date = seed.repayments.iter().any(|repayment| {
                    repayment.loan_id == loan.id
                        && repayment.status == "failed"
                        && repayment.fail_reason.as_deref() == Some(reason)
                        && repayment.at.date_naive() == oldest.due_date
                });
                if !failed_on_due_date || oldest.paid != Decimal::ZERO {
                    return Err(format!(
                        "{context}: expected an unpaid instalment with a failed {reason} debit"
                    ));
                }
            }
            let scheduled_principal: Decimal =
                loan.installments.iter().map(|row| row.principal).sum();
            if scheduled_principal != loan.principal {
                return Err(format!(
                    "{context}: principal parts sum to {scheduled_principal}"
                ));
            }
            for row in &loan.installments {
                if row.due_date != add_months(loan.disbursed_on, row.seq) {
                    return Err(format!(
                        "{context}: instalment {} is off the borrowing day",
                        row.seq
                    ));
                }
                if row.principal.scale() > 2 || row.interest.scale() > 2 || row.fee.scale() > 2 {
                    return Err(format!(
                        "{context}: instalment {} is not in whole cents",
                        row.seq
                    ));
                }
            }
            let paid: Decimal = loan.installments.iter().map(|row| row.paid).sum();
            let received: Decimal = seed
                .repayments
                .iter()
                .filter(|repayment| repayment.loan_id == loan.id && repayment.status == "succeeded")
                .map(|repayment| repayment.amount)
                .sum();
            if paid != received {
                return Err(format!(
                    "{context}: instalments record {paid} paid but repayments {received}"
                ));
            }
        }
        Ok(())
    }

    #[test]
    fn every_planned_state_holds_on_every_day_for_two_years() {
        // From 2027-12-01 over 800 days: every month end, the 29 February 2028 and both ends of the year.
        let start = day("2027-12-01");
        for offset in 0..800 {
            let today = add_days(start, offset);
            if let Err(mismatch) = check_demo(today) {
                panic!("{mismatch}");
            }
        }
    }

    #[test]
    fn cash_loan_schedule_is_equal_principal_with_interest_on_the_remainder() {
        let seed = demo_seed(day("2026-11-26"));
        let loan = seed
            .loans
            .iter()
            .find(|loan| loan.id == "LN100101")
            .expect("D001's loan");
        // 12000.00 over 12 months at 18%: 1000.00 principal a month; interest 12000 × 0.015 = 180.00 first,
        // then 11000 × 0.015 = 165.00, falling by 15.00 a month to 1000 × 0.015 = 15.00.
        assert_eq!(loan.installments.len(), 12);
        assert!(
            loan.installments
                .iter()
                .all(|row| row.principal == money("1000.00"))
        );
        assert_eq!(loan.installments[0].interest, money("180.00"));
        assert_eq!(loan.installments[1].interest, money("165.00"));
        assert_eq!(loan.installments[11].interest, money("15.00"));
    }

    #[test]
    fn uneven_principal_puts_the_remainder_on_the_last_instalment() {
        // 6999.00 over 12 months: 583.25 a month for 11 months (6415.75), and 583.25 again for the last one;
        // the fee is 6999 × 0.0075 = 52.4925, which rounds to 52.49.
        let rows = schedule(
            Product::Instalments {
                monthly_fee_rate: "0.0075",
            },
            money("6999.00"),
            12,
            day("2026-01-31"),
        );
        assert!(rows.iter().all(|row| row.principal == money("583.25")));
        assert!(
            rows.iter()
                .all(|row| row.fee == money("52.49") && row.interest.is_zero())
        );
        // 1000.00 over 3 months: 333.33, 333.33 and 333.34.
        let rows = schedule(
            Product::Cash {
                annual_rate: "0.12",
            },
            money("1000.00"),
            3,
            day("2026-01-31"),
        );
        let parts: Vec<Decimal> = rows.iter().map(|row| row.principal).collect();
        assert_eq!(
            parts,
            vec![money("333.33"), money("333.33"), money("333.34")]
        );
        // Borrowed on 31 January: due on 28 February, 31 March and 30 April.
        let dates: Vec<NaiveDate> = rows.iter().map(|row| row.due_date).collect();
        assert_eq!(
            dates,
            vec![day("2026-02-28"), day("2026-03-31"), day("2026-04-30")]
        );
    }

    #[test]
    fn settled_early_loan_paid_the_quoted_fee() {
        let seed = demo_seed(day("2026-11-26"));
        let loan = seed
            .loans
            .iter()
            .find(|loan| loan.id == "LN101101")
            .expect("D011's loan");
        let fee: Decimal = loan.installments.iter().map(|row| row.fee).sum();
        // 12000.00 over 12 months: instalment 1 (1000.00 principal) is paid on schedule, leaving 11000.00 prepaid
        // within three months, so the fee is 2% × 11000 = 220.00.
        assert_eq!(fee, money("220.00"));
        // Settled 20 days into the second period: 11000 × 0.108 × 20 / 360 = 66.00 of interest to date.
        let second = &loan.installments[1];
        assert_eq!(second.interest, money("66.00"));
        // The later instalments carry only their principal.
        assert!(
            loan.installments[2..]
                .iter()
                .all(|row| row.interest.is_zero() && row.fee.is_zero())
        );
        let paid_off = seed
            .repayments
            .iter()
            .find(|repayment| repayment.loan_id == loan.id && repayment.channel == "app")
            .expect("the settlement payment");
        // 11000 + 66 + 220.
        assert_eq!(paid_off.amount, money("11286.00"));
    }

    #[test]
    fn customers_cover_the_demo_population() {
        let seed = demo_seed(day("2026-11-26"));
        assert!(seed.customers.len() >= 24);
        let ids: Vec<&str> = seed
            .customers
            .iter()
            .map(|customer| customer.id.as_str())
            .collect();
        for (position, id) in ids.iter().enumerate() {
            assert_eq!(*id, format!("D{:03}", position + 1));
        }
        let english: Vec<&Customer> = seed
            .customers
            .iter()
            .filter(|customer| customer.language == "en")
            .collect();
        assert!(english.len() >= 6);
        let zones: HashSet<&str> = seed
            .customers
            .iter()
            .map(|customer| customer.timezone.as_str())
            .collect();
        assert!(
            zones.contains(SHANGHAI) && zones.contains(NEW_YORK) && zones.contains(LOS_ANGELES)
        );
        for customer in &seed.customers {
            let chinese_mobile = customer.phone.len() == 14
                && customer.phone.starts_with("+861")
                && customer.phone[1..].chars().all(|c| c.is_ascii_digit());
            let north_american = customer.phone.len() == 12
                && customer.phone.starts_with("+1")
                && customer.phone[1..].chars().all(|c| c.is_ascii_digit());
            assert!(
                chinese_mobile || north_american,
                "{} has phone {}",
                customer.id,
                customer.phone
            );
            assert!(
                customer
                    .credit_limit
                    .is_some_and(|limit| limit > Decimal::ZERO)
            );
            assert_eq!(customer.id_last4.chars().count(), 4);
        }
        let phones: HashSet<&str> = seed
            .customers
            .iter()
            .map(|customer| customer.phone.as_str())
            .collect();
        assert_eq!(
            phones.len(),
            seed.customers.len(),
            "phones identify customers"
        );
        let loans_per_customer = |id: &str| {
            seed.loans
                .iter()
                .filter(|loan| loan.customer_id == id)
                .count()
        };
        assert!(ids.iter().any(|id| loans_per_customer(id) == 0));
        assert!(ids.iter().any(|id| loans_per_customer(id) == 2));
        assert!(seed.loans.iter().all(|loan| {
            loan.id.starts_with("LN")
                && loan.id.len() > 2
                && loan.id[2..].chars().all(|c| c.is_ascii_digit())
        }));
        assert!(
            seed.loans
                .iter()
                .any(|loan| loan.product == INSTALMENT_LOAN)
        );
        // Every amount of the table parsed: within the products' ranges and prices.
        for loan in &seed.loans {
            let (low, high) = if loan.product == CASH_LOAN {
                ("500", "50000")
            } else {
                ("300", "30000")
            };
            assert!(
                loan.principal >= money(low) && loan.principal <= money(high),
                "{}",
                loan.id
            );
            if loan.product == CASH_LOAN {
                assert!(
                    loan.annual_rate >= money("0.072") && loan.annual_rate <= money("0.239"),
                    "{}",
                    loan.id
                );
            } else {
                let fee_share = loan.installments[0].fee / loan.principal;
                assert!(
                    fee_share >= money("0.0059") && fee_share <= money("0.0091"),
                    "{}",
                    loan.id
                );
            }
        }
    }

    #[test]
    fn the_planned_states_cover_what_the_demo_promises() {
        let states: Vec<DemoLoanState> = demo_loans().iter().map(|loan| loan.state).collect();
        let current_later = |state: &DemoLoanState| matches!(state, DemoLoanState::Current { days_to_next_due } if *days_to_next_due >= 10);
        let due_soon = |state: &DemoLoanState| matches!(state, DemoLoanState::Current { days_to_next_due } if (1..=3).contains(days_to_next_due));
        let overdue_between = |low: u32, high: u32| move |state: &DemoLoanState| matches!(state, DemoLoanState::Overdue { days_past_due } if (low..=high).contains(days_past_due));
        assert!(states.iter().any(current_later));
        assert!(states.iter().any(due_soon));
        assert!(states.contains(&DemoLoanState::DueToday));
        for (low, high) in [(1, 3), (8, 12), (30, 40), (60, 70), (90, 100), (180, 220)] {
            assert!(
                states.iter().any(overdue_between(low, high)),
                "no loan {low}-{high} days overdue"
            );
        }
        assert!(states.contains(&DemoLoanState::SettledEarly));
        assert!(states.contains(&DemoLoanState::SettledAtTerm));
        let reasons: HashSet<&str> = demo_loans()
            .iter()
            .filter_map(|loan| loan.failed_autodebit_reason)
            .collect();
        assert!(reasons.contains(INSUFFICIENT_FUNDS) && reasons.contains(CARD_EXPIRED));
    }

    #[test]
    fn the_demo_is_deterministic_for_a_day() {
        assert_eq!(demo_seed(day("2026-11-26")), demo_seed(day("2026-11-26")));
        assert_ne!(demo_seed(day("2026-11-26")), demo_seed(day("2026-11-27")));
    }
}

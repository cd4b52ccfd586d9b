-- The embedded loan system: customers, their loans and instalment schedules, linked cards and repayment attempts.
-- Portable between SQLite and PostgreSQL: ids and money are TEXT (money as exact decimal strings), dates are ISO
-- TEXT, timestamps RFC 3339 TEXT, and counters BIGINT.

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    id_last4 TEXT NOT NULL,
    language TEXT NOT NULL,
    timezone TEXT NOT NULL,
    credit_limit TEXT
);

CREATE INDEX customers_by_phone ON customers (phone);

CREATE TABLE loans (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    product TEXT NOT NULL,
    principal TEXT NOT NULL,
    annual_rate TEXT NOT NULL,
    term_months BIGINT NOT NULL,
    disbursed_on TEXT NOT NULL
);

CREATE INDEX loans_by_customer ON loans (customer_id);

CREATE TABLE installments (
    loan_id TEXT NOT NULL REFERENCES loans (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    due_date TEXT NOT NULL,
    principal TEXT NOT NULL,
    interest TEXT NOT NULL,
    fee TEXT NOT NULL,
    penalty TEXT NOT NULL,
    paid TEXT NOT NULL,
    PRIMARY KEY (loan_id, seq)
);

-- A card is identified by its holder and its last four digits; autodebit is 1 or 0.
CREATE TABLE cards (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    last4 TEXT NOT NULL,
    bank TEXT NOT NULL,
    autodebit BIGINT NOT NULL,
    PRIMARY KEY (customer_id, last4)
);

-- Repayments have no id of their own: they are keyed by their loan and their position in the batch that loaded them.
-- attempted_at keeps the offset it was given; attempted_at_utc is the same instant in UTC, for ordering.
CREATE TABLE repayments (
    loan_id TEXT NOT NULL REFERENCES loans (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    amount TEXT NOT NULL,
    attempted_at TEXT NOT NULL,
    attempted_at_utc TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    fail_reason TEXT,
    PRIMARY KEY (loan_id, position)
);

CREATE INDEX repayments_by_time ON repayments (attempted_at_utc);

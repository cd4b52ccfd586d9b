-- Cases the bot opens for requests that need people or time, each with a reference number and a deadline.
-- request_id makes opening idempotent: the same request opened twice finds the first case. details is a JSON object
-- of strings. No foreign key to customers: the customers may live in a lender's core system, not in this database.

CREATE TABLE cases (
    reference TEXT PRIMARY KEY,
    request_id TEXT NOT NULL UNIQUE,
    customer_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    summary TEXT NOT NULL,
    details TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    opened_at_utc TEXT NOT NULL,
    deadline TEXT NOT NULL
);

CREATE INDEX cases_by_customer ON cases (customer_id, opened_at_utc);

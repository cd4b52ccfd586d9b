-- The conversation store: conversations with the dialog manager's opaque state, their messages in order, and
-- handoffs to human agents. customer_id is not a foreign key, because the loan system may live elsewhere.
-- Timestamps are RFC 3339 TEXT in UTC with microseconds, so they sort as text.

CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL,
    channel TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    dialog_state TEXT
);

CREATE INDEX conversations_by_customer ON conversations (customer_id, created_at);

CREATE TABLE messages (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    role TEXT NOT NULL,
    body TEXT NOT NULL,
    meta TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);

CREATE TABLE handoffs (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- At most one open handoff per conversation.
CREATE UNIQUE INDEX handoffs_one_open_per_conversation ON handoffs (conversation_id)
    WHERE status IN ('waiting', 'accepted');

CREATE INDEX handoffs_by_status ON handoffs (status, created_at);

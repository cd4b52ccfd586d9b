-- The review queue of active learning: customer utterances the NLU was unsure of or found out of scope, stored with
-- personal data already masked, and the intent a reviewer gave them. Labelled items join the next training run.
-- conversation_id is kept for context but is no foreign key: an item outlives its conversation.

CREATE TABLE review_items (
    id TEXT PRIMARY KEY,
    conversation_id TEXT,
    text TEXT NOT NULL,
    lang TEXT NOT NULL,
    reason TEXT NOT NULL,
    predicted_intent TEXT NOT NULL,
    confidence DOUBLE PRECISION NOT NULL,
    status TEXT NOT NULL,
    label TEXT,
    created_at TEXT NOT NULL,
    reviewed_at TEXT
);

CREATE INDEX review_items_by_status ON review_items (status, created_at);

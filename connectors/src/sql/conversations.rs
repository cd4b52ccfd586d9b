//! The conversation store in SQL: [`ConversationStore`] over the `conversations`, `messages` and `handoffs`
//! tables, plus [`SqlConversationStore::update_handoff_status`] for the agent console.
//!
//! Sequence numbers are assigned inside a write transaction that first touches the conversation's row (its
//! `updated_at`), which serialises writers of one conversation on both databases: PostgreSQL locks the row and
//! SQLite takes its single write lock. The next message then gets `MAX(seq) + 1`. A partial unique index keeps at
//! most one open (`waiting` or `accepted`) handoff per conversation.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{Any, Transaction};
use uuid::Uuid;

use super::{Columns, Database, backend_error, format_utc_timestamp, now};
use crate::{BackendError, Conversation, ConversationStore, Handoff, Message, Role};

/// The open handoff of conversation `$1`; the partial unique index `handoffs_one_open_per_conversation` answers it.
const SELECT_OPEN_HANDOFF: &str = "SELECT id, conversation_id, customer_id, reason, summary, status, created_at \
     FROM handoffs WHERE conversation_id = $1 AND status IN ('waiting', 'accepted')";

/// The handoff statuses, in the order a handoff moves through them.
pub const HANDOFF_STATUSES: [&str; 3] = ["waiting", "accepted", "closed"];

/// Conversations, messages and handoffs kept in the project's own database.
#[derive(Debug, Clone)]
pub struct SqlConversationStore {
    database: Database,
}

impl SqlConversationStore {
    pub fn new(database: Database) -> SqlConversationStore {
        SqlConversationStore { database }
    }

    /// Moves a handoff to `waiting`, `accepted` or `closed` and returns it; `Ok(None)` when no handoff has this
    /// id. Reopening a handoff while its conversation has another open one is rejected.
    pub async fn update_handoff_status(
        &self,
        handoff_id: &str,
        status: &str,
    ) -> Result<Option<Handoff>, BackendError> {
        if !HANDOFF_STATUSES.contains(&status) {
            return Err(BackendError::Rejected(format!(
                "unknown handoff status {status:?}: expected one of {}",
                HANDOFF_STATUSES.join(", ")
            )));
        }
        let mut transaction = self.database.begin_write().await?;
        let updated = sqlx::query("UPDATE handoffs SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status)
            .bind(format_utc_timestamp(now()))
            .bind(handoff_id)
            .execute(&mut *transaction)
            .await
            .map_err(|error| match backend_error(error) {
                BackendError::Rejected(_) => BackendError::Rejected(format!(
                    "handoff {handoff_id} cannot become {status}: its conversation already has an open handoff"
                )),
                other => other,
            })?;
        if updated.rows_affected() == 0 {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT id, conversation_id, customer_id, reason, summary, status, created_at FROM handoffs WHERE id = $1",
        )
        .bind(handoff_id)
        .fetch_one(&mut *transaction)
        .await
        .map_err(backend_error)?;
        let handoff = handoff_from_row(&row)?;
        transaction.commit().await.map_err(backend_error)?;
        Ok(Some(handoff))
    }

    /// Marks the conversation as updated now, which also serialises writers of the same conversation.
    /// Fails with [`BackendError::Rejected`] when the conversation does not exist.
    async fn touch_conversation(
        transaction: &mut Transaction<'static, Any>,
        conversation_id: &str,
        updated_at: &str,
    ) -> Result<(), BackendError> {
        let updated = sqlx::query("UPDATE conversations SET updated_at = $1 WHERE id = $2")
            .bind(updated_at)
            .bind(conversation_id)
            .execute(&mut **transaction)
            .await
            .map_err(backend_error)?;
        if updated.rows_affected() == 0 {
            return Err(BackendError::Rejected(format!(
                "conversation {conversation_id} does not exist"
            )));
        }
        Ok(())
    }

    async fn last_seq(
        transaction: &mut Transaction<'static, Any>,
        conversation_id: &str,
    ) -> Result<i64, BackendError> {
        let row = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) AS last_seq FROM messages WHERE conversation_id = $1",
        )
        .bind(conversation_id)
        .fetch_one(&mut **transaction)
        .await
        .map_err(backend_error)?;
        Columns::of(&row).integer("last_seq")
    }

    /// Inserts `messages` with one statement (one round trip however many replies a turn has).
    async fn insert_messages(
        transaction: &mut Transaction<'static, Any>,
        messages: &[Message],
        stored_at: &str,
    ) -> Result<(), BackendError> {
        let rows: Vec<String> = (0..messages.len())
            .map(|index| {
                let first = index * 6;
                format!(
                    "(${}, ${}, ${}, ${}, ${}, ${})",
                    first + 1,
                    first + 2,
                    first + 3,
                    first + 4,
                    first + 5,
                    first + 6
                )
            })
            .collect();
        // Only placeholders are formatted into the statement; every value is bound.
        let statement = format!(
            "INSERT INTO messages (conversation_id, seq, role, body, meta, created_at) VALUES {}",
            rows.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(statement));
        for message in messages {
            query = query
                .bind(&message.conversation_id)
                .bind(message.seq)
                .bind(message.role.as_str())
                .bind(&message.text)
                .bind(message.meta.as_deref())
                .bind(stored_at);
        }
        query
            .execute(&mut **transaction)
            .await
            .map_err(backend_error)?;
        Ok(())
    }

    async fn select_open_handoff(
        transaction: &mut Transaction<'static, Any>,
        conversation_id: &str,
    ) -> Result<Option<Handoff>, BackendError> {
        let row = sqlx::query(SELECT_OPEN_HANDOFF)
            .bind(conversation_id)
            .fetch_optional(&mut **transaction)
            .await
            .map_err(backend_error)?;
        row.as_ref().map(handoff_from_row).transpose()
    }
}

#[async_trait]
impl ConversationStore for SqlConversationStore {
    async fn create_conversation(
        &self,
        customer_id: &str,
        channel: &str,
    ) -> Result<Conversation, BackendError> {
        let created_at = now();
        let conversation = Conversation {
            id: Uuid::new_v4().to_string(),
            customer_id: customer_id.to_owned(),
            channel: channel.to_owned(),
            created_at,
            updated_at: created_at,
            dialog_state: None,
        };
        let stored_at = format_utc_timestamp(created_at);
        sqlx::query(
            "INSERT INTO conversations (id, customer_id, channel, created_at, updated_at, dialog_state) \
             VALUES ($1, $2, $3, $4, $5, NULL)",
        )
        .bind(&conversation.id)
        .bind(customer_id)
        .bind(channel)
        .bind(&stored_at)
        .bind(&stored_at)
        .execute(self.database.writer())
        .await
        .map_err(backend_error)?;
        Ok(conversation)
    }

    async fn conversation(
        &self,
        conversation_id: &str,
    ) -> Result<Option<Conversation>, BackendError> {
        let row = sqlx::query(
            "SELECT id, customer_id, channel, created_at, updated_at, dialog_state FROM conversations WHERE id = $1",
        )
        .bind(conversation_id)
        .fetch_optional(self.database.pool())
        .await
        .map_err(backend_error)?;
        row.as_ref().map(conversation_from_row).transpose()
    }

    async fn conversations_of(&self, customer_id: &str) -> Result<Vec<Conversation>, BackendError> {
        let rows = sqlx::query(
            "SELECT id, customer_id, channel, created_at, updated_at, dialog_state FROM conversations \
             WHERE customer_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(customer_id)
        .fetch_all(self.database.pool())
        .await
        .map_err(backend_error)?;
        rows.iter().map(conversation_from_row).collect()
    }

    async fn append_message(
        &self,
        conversation_id: &str,
        role: Role,
        text: &str,
        meta: Option<&str>,
    ) -> Result<Message, BackendError> {
        let at = now();
        let stored_at = format_utc_timestamp(at);
        let mut transaction = self.database.begin_write().await?;
        Self::touch_conversation(&mut transaction, conversation_id, &stored_at).await?;
        // The next sequence number is found by the insert itself, which saves a round trip while the write lock
        // is held.
        let row = sqlx::query(
            "INSERT INTO messages (conversation_id, seq, role, body, meta, created_at) \
             SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5 FROM messages WHERE conversation_id = $1 \
             RETURNING seq",
        )
        .bind(conversation_id)
        .bind(role.as_str())
        .bind(text)
        .bind(meta)
        .bind(&stored_at)
        .fetch_one(&mut *transaction)
        .await
        .map_err(backend_error)?;
        let seq = Columns::of(&row).integer("seq")?;
        transaction.commit().await.map_err(backend_error)?;
        Ok(Message {
            conversation_id: conversation_id.to_owned(),
            seq,
            role,
            text: text.to_owned(),
            meta: meta.map(str::to_owned),
            at,
        })
    }

    async fn complete_turn(
        &self,
        conversation_id: &str,
        replies: &[(String, Option<String>)],
        dialog_state: &str,
    ) -> Result<Vec<Message>, BackendError> {
        let at = now();
        let stored_at = format_utc_timestamp(at);
        let mut transaction = self.database.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE conversations SET updated_at = $1, dialog_state = $2 WHERE id = $3",
        )
        .bind(&stored_at)
        .bind(dialog_state)
        .bind(conversation_id)
        .execute(&mut *transaction)
        .await
        .map_err(backend_error)?;
        if updated.rows_affected() == 0 {
            return Err(BackendError::Rejected(format!(
                "conversation {conversation_id} does not exist"
            )));
        }
        let mut messages = Vec::with_capacity(replies.len());
        if !replies.is_empty() {
            let last_seq = Self::last_seq(&mut transaction, conversation_id).await?;
            messages = replies
                .iter()
                .zip(1..)
                .map(|((text, meta), offset)| Message {
                    conversation_id: conversation_id.to_owned(),
                    seq: last_seq + offset,
                    role: Role::Bot,
                    text: text.clone(),
                    meta: meta.clone(),
                    at,
                })
                .collect();
            Self::insert_messages(&mut transaction, &messages, &stored_at).await?;
        }
        transaction.commit().await.map_err(backend_error)?;
        Ok(messages)
    }

    async fn messages(&self, conversation_id: &str) -> Result<Vec<Message>, BackendError> {
        let rows = sqlx::query(
            "SELECT conversation_id, seq, role, body, meta, created_at FROM messages \
             WHERE conversation_id = $1 ORDER BY seq",
        )
        .bind(conversation_id)
        .fetch_all(self.database.pool())
        .await
        .map_err(backend_error)?;
        rows.iter().map(message_from_row).collect()
    }

    async fn request_handoff(
        &self,
        conversation_id: &str,
        reason: &str,
        summary: &str,
    ) -> Result<Handoff, BackendError> {
        let created_at = now();
        let stored_at = format_utc_timestamp(created_at);
        let mut transaction = self.database.begin_write().await?;
        Self::touch_conversation(&mut transaction, conversation_id, &stored_at).await?;
        if let Some(open) = Self::select_open_handoff(&mut transaction, conversation_id).await? {
            transaction.commit().await.map_err(backend_error)?;
            return Ok(open);
        }
        let customer_row = sqlx::query("SELECT customer_id FROM conversations WHERE id = $1")
            .bind(conversation_id)
            .fetch_one(&mut *transaction)
            .await
            .map_err(backend_error)?;
        let handoff = Handoff {
            id: Uuid::new_v4().to_string(),
            conversation_id: conversation_id.to_owned(),
            customer_id: Columns::of(&customer_row).text("customer_id")?,
            reason: reason.to_owned(),
            summary: summary.to_owned(),
            status: HANDOFF_STATUSES[0].to_owned(),
            created_at,
        };
        sqlx::query(
            "INSERT INTO handoffs (id, conversation_id, customer_id, reason, summary, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&handoff.id)
        .bind(conversation_id)
        .bind(&handoff.customer_id)
        .bind(reason)
        .bind(summary)
        .bind(&handoff.status)
        .bind(&stored_at)
        .bind(&stored_at)
        .execute(&mut *transaction)
        .await
        .map_err(backend_error)?;
        transaction.commit().await.map_err(backend_error)?;
        tracing::info!(conversation_id, handoff_id = %handoff.id, reason, "handoff requested");
        Ok(handoff)
    }

    async fn open_handoff(&self, conversation_id: &str) -> Result<Option<Handoff>, BackendError> {
        // One statement sees one snapshot by itself; a transaction around it would only add two round trips.
        let row = sqlx::query(SELECT_OPEN_HANDOFF)
            .bind(conversation_id)
            .fetch_optional(self.database.pool())
            .await
            .map_err(backend_error)?;
        row.as_ref().map(handoff_from_row).transpose()
    }

    async fn handoffs(&self, status: Option<&str>) -> Result<Vec<Handoff>, BackendError> {
        let rows = match status {
            Some(status) => {
                sqlx::query(
                    "SELECT id, conversation_id, customer_id, reason, summary, status, created_at FROM handoffs \
                     WHERE status = $1 ORDER BY created_at, id",
                )
                .bind(status)
                .fetch_all(self.database.pool())
                .await
            }
            None => {
                sqlx::query(
                    "SELECT id, conversation_id, customer_id, reason, summary, status, created_at FROM handoffs \
                     ORDER BY created_at, id",
                )
                .fetch_all(self.database.pool())
                .await
            }
        }
        .map_err(backend_error)?;
        rows.iter().map(handoff_from_row).collect()
    }

    async fn health(&self) -> Result<(), BackendError> {
        self.database.health().await
    }
}

fn conversation_from_row(row: &AnyRow) -> Result<Conversation, BackendError> {
    let columns = Columns::of(row);
    Ok(Conversation {
        id: columns.text("id")?,
        customer_id: columns.text("customer_id")?,
        channel: columns.text("channel")?,
        created_at: columns.timestamp("created_at")?,
        updated_at: columns.timestamp("updated_at")?,
        dialog_state: columns.optional_text("dialog_state")?,
    })
}

fn message_from_row(row: &AnyRow) -> Result<Message, BackendError> {
    let columns = Columns::of(row);
    let role = columns.text("role")?;
    let role = match role.as_str() {
        "customer" => Role::Customer,
        "bot" => Role::Bot,
        "agent" => Role::Agent,
        other => {
            return Err(BackendError::InvalidData(format!(
                "unknown message role {other:?}"
            )));
        }
    };
    Ok(Message {
        conversation_id: columns.text("conversation_id")?,
        seq: columns.integer("seq")?,
        role,
        text: columns.text("body")?,
        meta: columns.optional_text("meta")?,
        at: columns.timestamp("created_at")?,
    })
}

fn handoff_from_row(row: &AnyRow) -> Result<Handoff, BackendError> {
    let columns = Columns::of(row);
    Ok(Handoff {
        id: columns.text("id")?,
        conversation_id: columns.text("conversation_id")?,
        customer_id: columns.text("customer_id")?,
        reason: columns.text("reason")?,
        summary: columns.text("summary")?,
        status: columns.text("status")?,
        created_at: columns.timestamp("created_at")?,
    })
}

//! Persisting the audit chain (`audit_events`, `audit_head`) on SQLite and PostgreSQL.
//!
//! Appends are serialised by updating the one `audit_head` row first in the transaction: that
//! takes the write lock in both databases (SQLite's database lock, PostgreSQL's row lock), so
//! concurrent appenders — other tasks, other replicas — queue up and the chain stays linear.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use super::{Result, Store, StoreError};
use crate::audit::chain::{self, Head, Verifier, VerifyReport};
use crate::audit::{Actor, AuditFilter, AuditRecord, AuditRow};

/// Rows read per query when walking the whole log: bounds memory whatever its length.
const BATCH: i64 = 1000;
const DEFAULT_PAGE: u32 = 100;
const MAX_PAGE: u32 = 1000;

const COLUMNS: &str = "seq, at, actor_subject, actor_name, actor_groups, action, object, \
                       outcome, details, request_id, client_ip, prev_hash, hash, \
                       client_request_id";

enum Bind {
    Text(String),
    Int(i64),
}

impl Store {
    /// Append `record` in its own transaction; returns its sequence number.
    pub async fn append_audit(&self, record: &AuditRecord) -> Result<u64> {
        let mut tx = self.pool().begin().await?;
        let seq = Self::append_audit_in(&mut tx, record).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// Append `record` inside the caller's transaction, so the audit row commits (or rolls
    /// back) with the change it records. Call it early in the transaction where possible: the
    /// head row stays locked until commit, and on SQLite a transaction that has already read
    /// may fail to upgrade to a writer when another connection wrote in between.
    pub async fn append_audit_in(
        tx: &mut Transaction<'_, Any>,
        record: &AuditRecord,
    ) -> Result<u64> {
        // Every client-supplied string capped and escaped before it is hashed and stored.
        let record = &record.bounded();
        // Taking the next number is also taking the lock; the hash returned is the previous
        // record's, since this statement does not change it.
        let head =
            sqlx::query("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_optional(&mut **tx)
                .await?
                .ok_or_else(|| StoreError::Corrupt("audit_head row is missing".into()))?;
        let mut seq: i64 = head.try_get("seq")?;
        let prev_hash: String = head.try_get("hash")?;
        // Rows Atrium did not write may sit past the head (written straight into the
        // database). Inserting over them would fail every append from now on, so step past
        // them, loudly: they stay where they are, and verification reports them as breaks.
        let newest: Option<i64> = sqlx::query("SELECT MAX(seq) AS newest FROM audit_events")
            .fetch_one(&mut **tx)
            .await?
            .try_get("newest")?;
        if let Some(newest) = newest.filter(|n| *n >= seq) {
            tracing::error!(
                head = seq - 1,
                newest,
                "audit rows past the head were not written by Atrium: appending after them; \
                 `atrium audit verify` reports them"
            );
            seq = newest + 1;
            sqlx::query("UPDATE audit_head SET seq = $1 WHERE id = 1")
                .bind(seq)
                .execute(&mut **tx)
                .await?;
        }
        let hash = chain::compute_hash(&prev_hash, seq as u64, record);
        let groups = serde_json::to_string(&record.actor.groups)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(&format!(
            "INSERT INTO audit_events ({COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        ))
        .bind(seq)
        .bind(record.at.as_str())
        .bind(record.actor.subject.as_str())
        .bind(record.actor.name.as_str())
        .bind(groups)
        .bind(record.action.as_str())
        .bind(record.object.as_str())
        .bind(record.outcome.as_str())
        .bind(chain::canonical_json(&record.details))
        .bind(record.request_id.as_deref())
        .bind(record.client_ip.as_deref())
        .bind(prev_hash.as_str())
        .bind(hash.as_str())
        .bind(record.client_request_id.as_deref())
        .execute(&mut **tx)
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(hash.as_str())
            .execute(&mut **tx)
            .await?;
        Ok(seq as u64)
    }

    /// The chain's end as recorded in `audit_head`.
    pub async fn audit_head(&self) -> Result<Head> {
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::Corrupt("audit_head row is missing".into()))?;
        Ok(Head {
            seq: row.try_get::<i64, _>("seq")? as u64,
            hash: row.try_get("hash")?,
        })
    }

    /// Walk the whole chain in `seq` order, in batches of [`BATCH`] rows, up to the head as it
    /// was when the walk started (records appended meanwhile are left for the next run).
    /// A broken chain is a report, not an error; errors are database failures.
    pub async fn verify_audit(&self) -> Result<VerifyReport> {
        let head = self.audit_head().await?;
        let mut verifier = Verifier::new();
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {COLUMNS} FROM audit_events WHERE seq > $1 AND seq <= $2 \
                 ORDER BY seq LIMIT $3"
            ))
            .bind(after)
            .bind(head.seq as i64)
            .bind(BATCH)
            .fetch_all(self.pool())
            .await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("seq")?;
            for row in &rows {
                let intact = match audit_row(row) {
                    Ok(row) => verifier.push(&row),
                    Err(reason) => {
                        let seq: i64 = row.try_get("seq")?;
                        verifier.push_unreadable(seq as u64, reason)
                    }
                };
                if !intact {
                    return Ok(verifier.finish(None));
                }
            }
        }
        Ok(verifier.finish(Some(&head)))
    }

    /// Up to `limit` records after `after_seq`, oldest first: the building block for exports
    /// that stream the whole log a batch at a time.
    pub async fn audit_after(&self, after_seq: u64, limit: u32) -> Result<Vec<AuditRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
        ))
        .bind(after_seq as i64)
        .bind(i64::from(limit.min(MAX_PAGE)))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| audit_row(r).map_err(StoreError::Corrupt))
            .collect()
    }

    /// One page of the audit log, newest first.
    pub async fn audit_page(&self, filter: &AuditFilter) -> Result<Vec<AuditRow>> {
        let mut conditions: Vec<String> = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        let mut push = |condition: &dyn Fn(usize) -> String, bind: Bind| {
            binds.push(bind);
            conditions.push(condition(binds.len()));
        };
        if let Some(actor) = &filter.actor {
            push(
                &|n| format!("(actor_subject = ${n} OR actor_name = ${n})"),
                Bind::Text(actor.clone()),
            );
        }
        if let Some(action) = &filter.action {
            push(&|n| format!("action = ${n}"), Bind::Text(action.clone()));
        }
        match filter.object.as_deref() {
            Some(object) if object.ends_with('*') => {
                let prefix = object.trim_end_matches('*');
                let chars = prefix.chars().count();
                // substr rather than LIKE: LIKE's case rules differ between the two databases.
                push(
                    &|n| format!("substr(object, 1, {chars}) = ${n}"),
                    Bind::Text(prefix.to_string()),
                );
            }
            Some(object) => push(
                &|n| format!("object = ${n}"),
                Bind::Text(object.to_string()),
            ),
            None => {}
        }
        if let Some(from) = &filter.from {
            push(&|n| format!("at >= ${n}"), Bind::Text(from.clone()));
        }
        if let Some(to) = &filter.to {
            push(&|n| format!("at < ${n}"), Bind::Text(to.clone()));
        }
        if let Some(before) = filter.before_seq {
            push(&|n| format!("seq < ${n}"), Bind::Int(before as i64));
        }
        let limit = filter.limit.unwrap_or(DEFAULT_PAGE).clamp(1, MAX_PAGE);
        let where_clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_events {where_clause} ORDER BY seq DESC LIMIT {limit}"
        );
        let mut query = sqlx::query(&sql);
        for bind in binds {
            query = match bind {
                Bind::Text(text) => query.bind(text),
                Bind::Int(int) => query.bind(int),
            };
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| audit_row(r).map_err(StoreError::Corrupt))
            .collect()
    }
}

/// A stored row back into a record; the error says which column is unreadable (a tampered
/// row must become a verification finding, not a crash).
fn audit_row(row: &AnyRow) -> std::result::Result<AuditRow, String> {
    let text = |column: &str| -> std::result::Result<String, String> {
        row.try_get(column).map_err(|e| format!("{column}: {e}"))
    };
    let optional = |column: &str| -> std::result::Result<Option<String>, String> {
        row.try_get(column).map_err(|e| format!("{column}: {e}"))
    };
    let seq: i64 = row.try_get("seq").map_err(|e| format!("seq: {e}"))?;
    let groups: Vec<String> =
        serde_json::from_str(&text("actor_groups")?).map_err(|e| format!("actor_groups: {e}"))?;
    let details: serde_json::Value =
        serde_json::from_str(&text("details")?).map_err(|e| format!("details: {e}"))?;
    Ok(AuditRow {
        seq: seq as u64,
        prev_hash: text("prev_hash")?,
        hash: text("hash")?,
        record: AuditRecord {
            at: text("at")?,
            actor: Actor {
                subject: text("actor_subject")?,
                name: text("actor_name")?,
                groups,
            },
            action: text("action")?,
            object: text("object")?,
            outcome: text("outcome")?,
            details,
            request_id: optional("request_id")?,
            client_ip: optional("client_ip")?,
            client_request_id: optional("client_request_id")?,
        },
    })
}

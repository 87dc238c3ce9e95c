//! The sync history (`syncs`): one row per sync the engine ran.

use sqlx::Row;

use super::{Result, Store};
use crate::audit::AuditRecord;

/// One sync, as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncRow {
    pub env: String,
    pub app: String,
    pub at: String,
    pub actor_subject: String,
    pub actor_name: String,
    /// `manual` or `auto`.
    pub trigger: String,
    pub revision: Option<String>,
    /// `succeeded` or `failed`; `running` while it runs, `interrupted` if Atrium stopped
    /// before it ended.
    pub result: String,
    pub message: String,
    pub details: serde_json::Value,
    /// The deploy request this sync carried out (`deploy` syncs).
    pub request: Option<String>,
}

impl Store {
    /// Record a finished sync with its audit record, in one transaction: both are written or
    /// neither is. The audit record goes first, as [`Store::append_audit_in`] asks: it takes
    /// the chain's lock before anything else is written.
    pub async fn record_sync(&self, sync: &SyncRow, audit: &AuditRecord) -> Result<()> {
        self.insert_sync(sync, &sync.result, audit).await.map(drop)
    }

    /// Record that a sync starts, with its audit record (who, app, revision, what it will
    /// apply), before anything is applied; returns the row's id for [`Store::finish_sync`].
    /// `sync.result` is stored as `running`.
    pub async fn start_sync(&self, sync: &SyncRow, audit: &AuditRecord) -> Result<String> {
        self.insert_sync(sync, "running", audit).await
    }

    /// One new row (`started_at` = `at`) and its audit record, together; returns its id.
    async fn insert_sync(
        &self,
        sync: &SyncRow,
        result: &str,
        audit: &AuditRecord,
    ) -> Result<String> {
        let id = crate::util::new_token();
        // The audit append takes the chain's lock first; the fence's lease lock comes after,
        // as in every fenced write, so the two never wait on each other in turn.
        let mut tx = self.pool().begin().await?;
        Self::append_audit_in(&mut tx, audit).await?;
        self.check_fence_in(&mut tx).await?;
        sqlx::query(
            "INSERT INTO syncs (id, env, app, at, started_at, actor_subject, actor_name, \
             trigger_kind, revision, result, message, details, request_id, runner) \
             VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&id)
        .bind(&sync.env)
        .bind(&sync.app)
        .bind(&sync.at)
        .bind(&sync.actor_subject)
        .bind(&sync.actor_name)
        .bind(&sync.trigger)
        .bind(sync.revision.clone())
        .bind(result)
        .bind(&sync.message)
        .bind(sync.details.to_string())
        .bind(sync.request.clone())
        .bind(self.replica())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Complete the sync [`Store::start_sync`] recorded: its outcome and the audit record,
    /// together.
    pub async fn finish_sync(&self, id: &str, sync: &SyncRow, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        Self::append_audit_in(&mut tx, audit).await?;
        sqlx::query(
            "UPDATE syncs SET at = $2, result = $3, message = $4, details = $5 \
             WHERE id = $1 AND result = 'running'",
        )
        .bind(id)
        .bind(&sync.at)
        .bind(&sync.result)
        .bind(&sync.message)
        .bind(sync.details.to_string())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every sync still `running` whose replica is gone (its presence lease expired; with
    /// one process: any but this one's) was cut off by that process ending. Each is marked
    /// `interrupted` and audited (as the system, naming who started it); returns them. Run at
    /// start-up, and by the leader while it leads.
    pub async fn interrupt_unfinished_syncs(&self) -> Result<Vec<SyncRow>> {
        let rows = sqlx::query(&format!(
            "SELECT id, env, app, actor_subject, actor_name, trigger_kind, revision, \
             request_id, started_at FROM syncs WHERE result = 'running' AND {} ORDER BY at",
            self.runner_gone_sql()
        ))
        .bind(self.replica())
        .fetch_all(self.pool())
        .await?;
        let mut interrupted = Vec::new();
        for row in rows {
            let id: String = row.try_get("id")?;
            let sync = SyncRow {
                env: row.try_get("env")?,
                app: row.try_get("app")?,
                at: crate::audit::now(),
                actor_subject: row.try_get("actor_subject")?,
                actor_name: row.try_get("actor_name")?,
                trigger: row.try_get("trigger_kind")?,
                revision: row.try_get("revision")?,
                result: "interrupted".into(),
                message: "Atrium stopped before this sync ended: what it applied is not \
                          known, compare the live state with Git"
                    .into(),
                details: serde_json::Value::Null,
                request: row.try_get("request_id")?,
            };
            let started_at: Option<String> = row.try_get("started_at")?;
            let audit = AuditRecord::new(
                crate::audit::Actor::system(),
                "applications.sync",
                format!("{}/{}", sync.env, sync.app),
                crate::audit::outcome::FAILURE,
            )
            .with_details(serde_json::json!({
                "interrupted": true,
                "started_at": started_at,
                "started_by": sync.actor_subject,
                "trigger": sync.trigger,
                "revision": sync.revision,
                "request": sync.request,
                "message": sync.message,
            }));
            self.finish_sync(&id, &sync, &audit).await?;
            interrupted.push(sync);
        }
        Ok(interrupted)
    }

    /// Each app of `env` with the revision its last finished auto-sync ran at (succeeded or
    /// failed; an interrupted one does not count), for a new leader to carry on from.
    pub async fn last_auto_syncs(&self, env: &str) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT app, revision FROM syncs s WHERE env = $1 AND trigger_kind = 'auto' \
             AND result IN ('succeeded', 'failed') AND at = (SELECT MAX(at) FROM syncs t \
             WHERE t.env = s.env AND t.app = s.app AND t.trigger_kind = 'auto' \
             AND t.result IN ('succeeded', 'failed'))",
        )
        .bind(env)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let revision: Option<String> = row.try_get("revision")?;
                Ok((row.try_get("app")?, revision.unwrap_or_default()))
            })
            .collect()
    }

    /// The last `limit` syncs of one app, newest first.
    pub async fn recent_syncs(&self, env: &str, app: &str, limit: i64) -> Result<Vec<SyncRow>> {
        let rows = sqlx::query(
            "SELECT env, app, at, actor_subject, actor_name, trigger_kind, revision, result, \
             message, details, request_id FROM syncs WHERE env = $1 AND app = $2 ORDER BY at DESC LIMIT $3",
        )
        .bind(env)
        .bind(app)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let details: String = row.try_get("details")?;
                Ok(SyncRow {
                    env: row.try_get("env")?,
                    app: row.try_get("app")?,
                    at: row.try_get("at")?,
                    actor_subject: row.try_get("actor_subject")?,
                    actor_name: row.try_get("actor_name")?,
                    trigger: row.try_get("trigger_kind")?,
                    revision: row.try_get("revision")?,
                    result: row.try_get("result")?,
                    message: row.try_get("message")?,
                    details: serde_json::from_str(&details).unwrap_or_default(),
                    request: row.try_get("request_id")?,
                })
            })
            .collect()
    }

    /// The sync that carried out deploy request `request`, if it ran to the end (a `running`
    /// or `interrupted` row does not count: the executor syncs again).
    pub async fn sync_of_request(
        &self,
        env: &str,
        app: &str,
        request: &str,
    ) -> Result<Option<SyncRow>> {
        Ok(self
            .recent_syncs(env, app, 50)
            .await?
            .into_iter()
            .find(|s| {
                s.request.as_deref() == Some(request)
                    && matches!(s.result.as_str(), "succeeded" | "failed")
            }))
    }
}

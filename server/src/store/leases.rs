//! Leases between replicas (`leases`): the leader's lease and each replica's presence, taken
//! and renewed against the database's clock, and the fencing check the leader's writes make
//! inside their own transaction.

use sqlx::{Any, Row, Transaction};

use super::{Backend, Result, Store, StoreError};

/// The leader's lease: whoever holds it runs auto-syncs and the deploy executor.
pub const LEADER: &str = "engine";

/// The name of a replica's presence lease.
pub fn presence(replica: &str) -> String {
    format!("replica:{replica}")
}

/// A lease as read after trying to take it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseView {
    /// Whether the caller holds it now.
    pub held: bool,
    pub holder: String,
    /// Grows on every change of holder.
    pub token: i64,
}

/// The database's clock in milliseconds since the Unix epoch, as SQL.
fn now_ms(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
        Backend::Sqlite => "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)",
    }
}

impl Store {
    /// This process's replica id (random per start): it names the syncs it runs and its
    /// leases.
    pub fn replica(&self) -> &str {
        &self.replica
    }

    /// The same pool, with every write that matters checking that lease `token` is still the
    /// leader's, in the write's own transaction: a leader that lost its lease (paused, cut
    /// off) writes nothing after its successor took over.
    pub fn fenced(&self, token: i64) -> Store {
        Store {
            fence: Some(token),
            ..self.clone()
        }
    }

    /// Take lease `name` for `ttl_ms` if it is free or expired, or renew it if the caller
    /// holds it; the token grows only when the holder changes.
    pub async fn acquire_lease(&self, name: &str, ttl_ms: i64) -> Result<LeaseView> {
        let now = now_ms(self.backend);
        sqlx::query(&format!(
            "INSERT INTO leases (name, holder, token, expires_at, changed_at) \
             VALUES ($1, $2, 1, {now} + $3, {now}) ON CONFLICT (name) DO NOTHING"
        ))
        .bind(name)
        .bind(self.replica())
        .bind(ttl_ms)
        .execute(self.pool())
        .await?;
        // One statement decides, so two replicas racing for an expired lease cannot both win:
        // the second re-reads the row the first wrote and finds it live.
        let taken = sqlx::query(&format!(
            "UPDATE leases SET \
             token = CASE WHEN holder = $2 THEN token ELSE token + 1 END, \
             changed_at = CASE WHEN holder = $2 THEN changed_at ELSE {now} END, \
             holder = $2, expires_at = {now} + $3 \
             WHERE name = $1 AND (holder = $2 OR expires_at < {now}) RETURNING token"
        ))
        .bind(name)
        .bind(self.replica())
        .bind(ttl_ms)
        .fetch_optional(self.pool())
        .await?;
        if let Some(row) = taken {
            return Ok(LeaseView {
                held: true,
                holder: self.replica().to_string(),
                token: row.try_get("token")?,
            });
        }
        let row = sqlx::query("SELECT holder, token FROM leases WHERE name = $1")
            .bind(name)
            .fetch_one(self.pool())
            .await?;
        Ok(LeaseView {
            held: false,
            holder: row.try_get("holder")?,
            token: row.try_get("token")?,
        })
    }

    /// Give lease `name` up at once (a clean stop), if the caller holds it.
    pub async fn release_lease(&self, name: &str) -> Result<()> {
        sqlx::query("UPDATE leases SET expires_at = 0 WHERE name = $1 AND holder = $2")
            .bind(name)
            .bind(self.replica())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Begin a transaction for a write that matters: on a fenced store (the leader's), it
    /// fails with [`StoreError::Fenced`] unless the leader's lease still carries this store's
    /// token. The check locks the lease row until the transaction ends, so a takeover waits
    /// for the write instead of overtaking it.
    pub(super) async fn begin_fenced(&self) -> Result<Transaction<'static, Any>> {
        let mut tx = self.pool().begin().await?;
        self.check_fence_in(&mut tx).await?;
        Ok(tx)
    }

    /// [`Store::begin_fenced`]'s check, inside the caller's transaction.
    pub(super) async fn check_fence_in(&self, tx: &mut Transaction<'_, Any>) -> Result<()> {
        let Some(token) = self.fence else {
            return Ok(());
        };
        let held = sqlx::query("UPDATE leases SET token = token WHERE name = $1 AND token = $2")
            .bind(LEADER)
            .bind(token)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        if held == 1 {
            Ok(())
        } else {
            Err(StoreError::Fenced(token))
        }
    }

    /// Whether this store may still write as the leader (always, unless fenced): checked
    /// before an act outside the database (a Git commit) to narrow the window a paused
    /// ex-leader has.
    pub async fn check_fence(&self) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        self.check_fence_in(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Send `payload` on PostgreSQL channel `channel` (NOTIFY, delivered when the statement
    /// commits); nothing on SQLite, where no other process listens.
    pub async fn notify(&self, channel: &str, payload: &str) -> Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(channel)
                .bind(payload)
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }

    /// Forget presence leases expired for more than `grace_ms` (replicas long gone).
    pub async fn forget_departed(&self, grace_ms: i64) -> Result<u64> {
        let now = now_ms(self.backend);
        Ok(sqlx::query(&format!(
            "DELETE FROM leases WHERE name LIKE 'replica:%' AND expires_at < {now} - $1"
        ))
        .bind(grace_ms)
        .execute(self.pool())
        .await?
        .rows_affected())
    }

    /// The SQL condition "`runner` is not a live replica" for the sync history (a sync whose
    /// runner is gone can never finish).
    pub(super) fn runner_gone_sql(&self) -> String {
        format!(
            "(runner IS NULL OR (runner <> $1 AND NOT EXISTS (SELECT 1 FROM leases \
             WHERE leases.name = 'replica:' || syncs.runner AND leases.expires_at >= {})))",
            now_ms(self.backend)
        )
    }
}

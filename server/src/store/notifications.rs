//! The outbox of outgoing notifications (`notifications`): one row per state change of a
//! deploy request, written in the transaction that changes the state, then delivered (with
//! retries) by the notifier. A row is never lost with a crash: it is there or the change is not.

use sqlx::{Any, Row, Transaction};

use super::{Result, Store};

/// One notification to deliver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotificationRow {
    pub id: String,
    pub env: String,
    pub request_id: String,
    /// The JSON body, as it is sent.
    pub payload: String,
    pub attempts: i64,
}

/// Stop retrying after this many attempts (about a day with the backoff).
pub const MAX_ATTEMPTS: i64 = 20;

impl Store {
    /// Queue the notice of a request's state change (inside the transaction that made it).
    pub(super) async fn notify_in(
        tx: &mut Transaction<'_, Any>,
        request_id: &str,
        payload: serde_json::Value,
        at: &str,
    ) -> Result<()> {
        let row = sqlx::query("SELECT env, app FROM deploy_requests WHERE id = $1")
            .bind(request_id)
            .fetch_optional(&mut **tx)
            .await?;
        let Some(row) = row else { return Ok(()) };
        let env: String = row.try_get("env")?;
        let app: String = row.try_get("app")?;
        let mut payload = payload;
        if let Some(fields) = payload.as_object_mut() {
            fields.insert("environment".into(), env.clone().into());
            fields.insert("app".into(), app.into());
        }
        sqlx::query(
            "INSERT INTO notifications (id, env, request_id, payload, attempts, next_at, created_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $5)",
        )
        .bind(crate::util::new_token())
        .bind(&env)
        .bind(request_id)
        .bind(payload.to_string())
        .bind(at)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Notifications due at `now`, oldest first.
    pub async fn due_notifications(&self, now: &str, limit: i64) -> Result<Vec<NotificationRow>> {
        let rows = sqlx::query(
            "SELECT id, env, request_id, payload, attempts FROM notifications \
             WHERE delivered_at IS NULL AND next_at <= $1 ORDER BY created_at, id LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(NotificationRow {
                    id: r.try_get("id")?,
                    env: r.try_get("env")?,
                    request_id: r.try_get("request_id")?,
                    payload: r.try_get("payload")?,
                    attempts: r.try_get("attempts")?,
                })
            })
            .collect()
    }

    /// Delivered (or nothing to deliver it to).
    pub async fn notification_delivered(&self, id: &str, at: &str) -> Result<()> {
        sqlx::query("UPDATE notifications SET delivered_at = $1, last_error = NULL WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// A failed attempt: try again at `next_at` (never, past [`MAX_ATTEMPTS`]).
    pub async fn notification_failed(
        &self,
        id: &str,
        attempts: i64,
        error: &str,
        next_at: &str,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE notifications SET attempts = $1, last_error = $2, next_at = $3 WHERE id = $4",
        )
        .bind(attempts)
        .bind(error)
        .bind(next_at)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The last delivery failure of a request's notifications that are still undelivered.
    pub async fn notification_failure(&self, request_id: &str) -> Result<Option<(i64, String)>> {
        let row = sqlx::query(
            "SELECT attempts, last_error FROM notifications WHERE request_id = $1 \
             AND delivered_at IS NULL AND last_error IS NOT NULL ORDER BY created_at DESC LIMIT 1",
        )
        .bind(request_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok((r.try_get("attempts")?, r.try_get("last_error")?)))
            .transpose()
    }
}

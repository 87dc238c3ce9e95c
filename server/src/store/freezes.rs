//! Environment freezes (`env_freezes`): an admin's switch that holds every approved deploy of
//! an environment, written with its audit record.

use sqlx::Row;

use super::{Result, Store};
use crate::audit::{Actor, AuditRecord};

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Freeze {
    pub env: String,
    pub by: String,
    pub reason: String,
    pub at: String,
}

impl Store {
    pub async fn set_freeze(
        &self,
        env: &str,
        frozen: bool,
        reason: &str,
        by: &Actor,
        audit: &AuditRecord,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        Self::append_audit_in(&mut tx, audit).await?;
        sqlx::query("DELETE FROM env_freezes WHERE env = $1")
            .bind(env)
            .execute(&mut *tx)
            .await?;
        if frozen {
            sqlx::query(
                "INSERT INTO env_freezes (env, frozen, by_subject, by_name, reason, at) \
                 VALUES ($1, 1, $2, $3, $4, $5)",
            )
            .bind(env)
            .bind(&by.subject)
            .bind(&by.name)
            .bind(reason)
            .bind(&audit.at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The frozen environments.
    pub async fn freezes(&self) -> Result<Vec<Freeze>> {
        let rows = sqlx::query(
            "SELECT env, by_name, reason, at FROM env_freezes WHERE frozen = 1 ORDER BY env",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Freeze {
                    env: r.try_get("env")?,
                    by: r.try_get("by_name")?,
                    reason: r.try_get("reason")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }
}

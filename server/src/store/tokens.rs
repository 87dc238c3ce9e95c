//! Personal API tokens (`api_tokens`): only the secret's SHA-256 is stored. Creating and
//! revoking one is written with its audit record.

use sqlx::any::AnyRow;
use sqlx::Row;

use super::{Result, Store};
use crate::audit::AuditRecord;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenRow {
    pub id: String,
    pub token_hash: String,
    pub name: String,
    pub subject: String,
    pub user_name: String,
    pub email: Option<String>,
    /// Identity-provider groups at creation (JSON array).
    pub groups: Vec<String>,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

const COLUMNS: &str = "id, token_hash, name, subject, user_name, email, groups, created_at, \
                       expires_at, last_used_at, revoked_at";

impl Store {
    pub async fn insert_token(&self, token: &TokenRow, audit: &AuditRecord) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        Self::append_audit_in(&mut tx, audit).await?;
        sqlx::query(&format!(
            "INSERT INTO api_tokens ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        ))
        .bind(&token.id)
        .bind(&token.token_hash)
        .bind(&token.name)
        .bind(&token.subject)
        .bind(&token.user_name)
        .bind(token.email.clone())
        .bind(serde_json::to_string(&token.groups).unwrap_or_else(|_| "[]".into()))
        .bind(&token.created_at)
        .bind(token.expires_at.clone())
        .bind(token.last_used_at.clone())
        .bind(token.revoked_at.clone())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The live token with this hash (not revoked, not expired at `now`); its use is noted.
    pub async fn use_token(&self, token_hash: &str, now: &str) -> Result<Option<TokenRow>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL \
             AND (expires_at IS NULL OR expires_at > $2)"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let token = token_row(&row)?;
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&token.id)
            .execute(self.pool())
            .await?;
        Ok(Some(token))
    }

    /// A user's tokens that are not revoked, newest first.
    pub async fn tokens_of(&self, subject: &str) -> Result<Vec<TokenRow>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM api_tokens WHERE subject = $1 AND revoked_at IS NULL ORDER BY created_at DESC"
        ))
        .bind(subject)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(token_row).collect()
    }

    /// Revoke one of `subject`'s tokens; `false` when there is no such live token.
    pub async fn revoke_token(&self, id: &str, subject: &str, audit: &AuditRecord) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        Self::append_audit_in(&mut tx, audit).await?;
        let done = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND subject = $3 AND revoked_at IS NULL")
            .bind(&audit.at)
            .bind(id)
            .bind(subject)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if done == 1 {
            tx.commit().await?;
        }
        Ok(done == 1)
    }
}

impl Store {
    /// The name and e-mail `subject` had at their last sign-in, if they ever signed in.
    pub async fn last_session_of(&self, subject: &str) -> Result<Option<(String, Option<String>)>> {
        let row = sqlx::query(
            // Only an e-mail the provider verified is copied to a token.
            "SELECT name, CASE WHEN email_verified = 1 THEN email END AS email FROM sessions \
             WHERE subject = $1 ORDER BY created_at DESC LIMIT 1",
        )
        .bind(subject)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok((r.try_get("name")?, r.try_get("email")?)))
            .transpose()
    }
}

fn token_row(r: &AnyRow) -> Result<TokenRow> {
    let groups: String = r.try_get("groups")?;
    Ok(TokenRow {
        id: r.try_get("id")?,
        token_hash: r.try_get("token_hash")?,
        name: r.try_get("name")?,
        subject: r.try_get("subject")?,
        user_name: r.try_get("user_name")?,
        email: r.try_get("email")?,
        groups: serde_json::from_str(&groups).unwrap_or_default(),
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        last_used_at: r.try_get("last_used_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

//! Sessions and sign-ins in flight (`sessions`, `login_attempts`). Tokens are stored only as
//! their SHA-256 ([`hash_token`]).

use sqlx::Row;
use time::{Duration, OffsetDateTime};

use super::{Result, Store};
use crate::audit::stamp;
use crate::auth::session::{hash_token, Identity, Lifetimes, LoginAttempt};
use crate::util::new_token;

/// Refresh `last_seen_at` at most this often, so reads do not write on every request.
const TOUCH_AFTER: Duration = Duration::minutes(1);

/// A sign-in not finished within this long is treated as absent.
const LOGIN_ATTEMPT_TTL: Duration = Duration::minutes(10);

impl Store {
    /// Start a session for `identity`; returns the token for the cookie.
    pub async fn create_session(&self, identity: &Identity, life: Lifetimes) -> Result<String> {
        let token = new_token();
        let now = OffsetDateTime::now_utc();
        sqlx::query(
            "INSERT INTO sessions (token_hash, subject, name, email, groups, provider, \
             created_at, last_seen_at, expires_at, source, email_verified) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(hash_token(&token))
        .bind(&identity.subject)
        .bind(&identity.name)
        .bind(identity.email.clone())
        .bind(serde_json::to_string(&identity.groups).unwrap_or_else(|_| "[]".into()))
        .bind(&identity.provider)
        .bind(stamp(now))
        .bind(stamp(now))
        .bind(stamp(now + life.absolute))
        .bind(&identity.source)
        .bind(i64::from(identity.email_verified))
        .execute(self.pool())
        .await?;
        Ok(token)
    }

    /// The identity behind `token`, if the session exists and has not run out (idle,
    /// absolute, or for single sign-on [`Lifetimes::oidc`]). An expired session is deleted.
    pub async fn find_session(&self, token: &str, life: Lifetimes) -> Result<Option<Identity>> {
        let hash = hash_token(token);
        let row = sqlx::query(
            "SELECT subject, name, email, groups, provider, last_seen_at, expires_at, \
             created_at, source, email_verified FROM sessions WHERE token_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let now = OffsetDateTime::now_utc();
        let last_seen: String = row.try_get("last_seen_at")?;
        let expires: String = row.try_get("expires_at")?;
        let created: String = row.try_get("created_at")?;
        let provider: String = row.try_get("provider")?;
        let groups_stale = provider == "oidc" && created <= stamp(now - life.oidc);
        if expires <= stamp(now) || last_seen <= stamp(now - life.idle) || groups_stale {
            self.delete_session(token).await?;
            return Ok(None);
        }
        if last_seen <= stamp(now - TOUCH_AFTER) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(stamp(now))
                .bind(&hash)
                .execute(self.pool())
                .await?;
        }
        let groups: String = row.try_get("groups")?;
        let email_verified: i64 = row.try_get("email_verified")?;
        Ok(Some(Identity {
            subject: row.try_get("subject")?,
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            email_verified: email_verified != 0,
            groups: serde_json::from_str(&groups).unwrap_or_default(),
            provider,
            source: row.try_get("source")?,
        }))
    }

    pub async fn delete_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(hash_token(token))
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Remove sessions and sign-ins in flight that ran out (called from a timer).
    pub async fn purge_expired_sessions(&self, life: Lifetimes) -> Result<u64> {
        let now = OffsetDateTime::now_utc();
        let sessions = sqlx::query(
            "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2 \
             OR (provider = 'oidc' AND created_at <= $3)",
        )
        .bind(stamp(now))
        .bind(stamp(now - life.idle))
        .bind(stamp(now - life.oidc))
        .execute(self.pool())
        .await?
        .rows_affected();
        sqlx::query("DELETE FROM login_attempts WHERE created_at <= $1")
            .bind(stamp(now - LOGIN_ATTEMPT_TTL))
            .execute(self.pool())
            .await?;
        Ok(sessions)
    }

    /// Remember a sign-in sent to the provider, under the hash of its `state`, with the hash of
    /// the browser's binding cookie.
    pub async fn save_login_attempt(&self, attempt: &LoginAttempt) -> Result<()> {
        sqlx::query(
            "INSERT INTO login_attempts (state_hash, nonce, pkce_verifier, return_to, \
             browser_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(hash_token(&attempt.state))
        .bind(&attempt.nonce)
        .bind(&attempt.pkce_verifier)
        .bind(&attempt.return_to)
        .bind(&attempt.browser_hash)
        .bind(stamp(OffsetDateTime::now_utc()))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Take (read and delete) the sign-in for `state`: a second callback with the same state
    /// finds nothing. Attempts older than ten minutes are treated as absent.
    pub async fn take_login_attempt(&self, state: &str) -> Result<Option<LoginAttempt>> {
        let hash = hash_token(state);
        let row = sqlx::query(
            "DELETE FROM login_attempts WHERE state_hash = $1 \
             RETURNING nonce, pkce_verifier, return_to, browser_hash, created_at",
        )
        .bind(&hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let created: String = row.try_get("created_at")?;
        if created <= stamp(OffsetDateTime::now_utc() - LOGIN_ATTEMPT_TTL) {
            return Ok(None);
        }
        Ok(Some(LoginAttempt {
            state: state.to_string(),
            nonce: row.try_get("nonce")?,
            pkce_verifier: row.try_get("pkce_verifier")?,
            return_to: row.try_get("return_to")?,
            browser_hash: row.try_get("browser_hash")?,
        }))
    }
}

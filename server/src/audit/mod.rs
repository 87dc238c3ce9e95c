//! The audit trail: an append-only, hash-chained log of who did what to which object and how it
//! ended. Each record carries the SHA-256 of its predecessor ([`chain`]), so editing, removing
//! or reordering stored rows is detected by [`Store::verify_audit`](crate::store::Store). The
//! store methods live in [`store`]; write the audit row in the same transaction as the change
//! it records ([`Store::append_audit_in`](crate::store::Store::append_audit_in)).

pub mod chain;
pub mod export;
pub mod store;
pub mod views;

use serde::{Deserialize, Serialize};

pub use chain::{BrokenLink, Head, Verifier, VerifyReport, GENESIS_HASH};
pub use store::AuditFilter;

/// Conventional values of [`AuditRecord::outcome`].
pub mod outcome {
    pub const SUCCESS: &str = "success";
    pub const FAILURE: &str = "failure";
    pub const DENIED: &str = "denied";
}

/// Who acted: the verified subject (OIDC `sub`, demo user id, or `system`), a display name,
/// and the groups they had at the time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub subject: String,
    pub name: String,
    pub groups: Vec<String>,
}

impl Actor {
    /// Nobody signed in (failed sign-ins, refused demo sign-in).
    pub fn anonymous() -> Self {
        Self {
            subject: "anonymous".into(),
            name: "anonymous".into(),
            groups: Vec::new(),
        }
    }

    /// Atrium itself: reconciler, policy reloads, start-up.
    pub fn system() -> Self {
        Self {
            subject: "system".into(),
            name: "Atrium".into(),
            groups: Vec::new(),
        }
    }
}

/// One event, before it is given its place in the chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// RFC 3339 UTC with fixed microsecond precision (see [`now`]), so text order is time order.
    pub at: String,
    pub actor: Actor,
    /// What was attempted, e.g. `login`, `applications.sync`, `policy.reload`.
    pub action: String,
    /// What it was attempted on, e.g. `prod/billing`.
    pub object: String,
    /// [`outcome::SUCCESS`], [`outcome::FAILURE`] or [`outcome::DENIED`].
    pub outcome: String,
    /// Anything else worth keeping (reason, revision, decision text), as JSON.
    pub details: serde_json::Value,
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
}

impl AuditRecord {
    /// A record stamped now, with empty details and no request context.
    pub fn new(
        actor: Actor,
        action: impl Into<String>,
        object: impl Into<String>,
        outcome: impl Into<String>,
    ) -> Self {
        Self {
            at: now(),
            actor,
            action: action.into(),
            object: object.into(),
            outcome: outcome.into(),
            details: serde_json::Value::Object(Default::default()),
            request_id: None,
            client_ip: None,
        }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }

    pub fn with_request(mut self, request_id: Option<String>, client_ip: Option<String>) -> Self {
        self.request_id = request_id;
        self.client_ip = client_ip;
        self
    }
}

/// A stored record with its place in the chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub seq: u64,
    pub prev_hash: String,
    pub hash: String,
    pub record: AuditRecord,
}

/// `atrium audit verify`: walk the chain in the configured database and print the result;
/// `Ok(false)` when it is broken.
pub async fn verify_command(
    config: &crate::config::Config,
    format: crate::cli::Format,
) -> anyhow::Result<bool> {
    let store = crate::store::Store::connect(&config.database_url()).await?;
    let report = store.verify_audit().await?;
    let head = store.audit_head().await?;
    match format {
        crate::cli::Format::Json => println!(
            "{}",
            serde_json::json!({
                "ok": report.is_ok(),
                "checked": report.checked,
                "head_seq": head.seq,
                "broken_at": report.first_broken.as_ref().map(|b| b.seq),
                "message": report.first_broken.as_ref().map(|b| b.reason.clone()),
            })
        ),
        crate::cli::Format::Text => match &report.first_broken {
            None => println!(
                "audit chain intact: {} records verified, head #{}",
                report.checked, head.seq
            ),
            Some(broken) => println!(
                "audit chain BROKEN at record #{}: {} ({} records before it verified)",
                broken.seq, broken.reason, report.checked
            ),
        },
    }
    Ok(report.is_ok())
}

/// Now as `YYYY-MM-DDTHH:MM:SS.ffffffZ`: fixed width, so comparing the text compares the time
/// (the audit page filters time ranges in SQL on the text column).
pub fn now() -> String {
    stamp(time::OffsetDateTime::now_utc())
}

/// `t` in the fixed-width form of [`now`] (also used for session expiry times).
pub fn stamp(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamps_are_fixed_width_utc() {
        let at = super::now();
        assert_eq!(at.len(), "2026-11-27T10:00:00.000000Z".len(), "{at}");
        assert!(at.ends_with('Z'));
        assert_eq!(&at[10..11], "T");
    }
}

//! The audit trail: an append-only, hash-chained log of who did what to which object and how it
//! ended. Each record carries the SHA-256 of its predecessor ([`chain`]), so editing, removing
//! or reordering stored rows is detected by [`Store::verify_audit`](crate::store::Store). The
//! queries live in [`crate::store::audit`]; write the audit row in the same transaction as the
//! change it records ([`Store::append_audit_in`](crate::store::Store::append_audit_in)).

pub mod chain;
pub mod export;
pub mod views;

use serde::{Deserialize, Serialize};

pub use chain::{BrokenLink, Head, Verifier, VerifyReport, GENESIS_HASH};

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

/// What the audit page asks for. Every field is optional; all given ones must match.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Actor subject or display name, exactly.
    pub actor: Option<String>,
    /// Action, exactly.
    pub action: Option<String>,
    /// Object exactly, or a prefix when it ends with `*` (`prod/*`).
    pub object: Option<String>,
    /// Inclusive lower bound on `at`, RFC 3339 or a prefix of it (`2026-11-27`).
    pub from: Option<String>,
    /// Exclusive upper bound on `at`, likewise (`2026-11-28` ends the 27th).
    pub to: Option<String>,
    /// Page size; default 100, at most 1000.
    pub limit: Option<u32>,
    /// Only records older than this one: pass the last `seq` of a page to get the next.
    pub before_seq: Option<u64>,
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

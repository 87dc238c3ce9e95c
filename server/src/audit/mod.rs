//! The audit trail: an append-only, hash-chained log of who did what to which object and how it
//! ended. Each record carries the SHA-256 of its predecessor ([`chain`]), so editing, removing
//! or reordering stored rows is detected by [`Store::verify_audit`](crate::store::Store). The
//! queries live in [`crate::store::audit`]; write the audit row in the same transaction as the
//! change it records ([`Store::append_audit_in`](crate::store::Store::append_audit_in)).

pub mod chain;
pub mod export;
pub mod views;

use serde::{Deserialize, Serialize};

use crate::util::{clean_text, MAX_FREE_TEXT_CHARS, MAX_NAME_CHARS};

/// Largest `details` kept whole (its JSON text); a larger one is replaced by its head.
pub const MAX_DETAILS_BYTES: usize = 64 * 1024;

fn bounded_value(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(clean_text(s, MAX_FREE_TEXT_CHARS)),
        Value::Array(items) => Value::Array(items.iter().map(bounded_value).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (clean_text(k, MAX_NAME_CHARS), bounded_value(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

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
    /// Atrium's own id of the request (also sent back in `x-request-id`).
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    /// The `x-request-id` the client sent, when it was a valid id (at most 64 characters of
    /// `[A-Za-z0-9._:-]`): for correlating with the client's logs, never trusted as Atrium's.
    /// Absent from the hashed form and the exports when `None`, so older rows hash as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_request_id: Option<String>,
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
            client_request_id: None,
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

    pub fn with_client_request_id(mut self, client_request_id: Option<String>) -> Self {
        self.client_request_id = client_request_id;
        self
    }

    /// The record as it is stored and hashed: every string capped and its control characters
    /// escaped ([`clean_text`]), names and ids at [`MAX_NAME_CHARS`], each string in `details`
    /// at [`MAX_FREE_TEXT_CHARS`], and `details` as a whole at [`MAX_DETAILS_BYTES`]. Applied
    /// by the one append path, so no caller can store a client's string verbatim.
    pub fn bounded(&self) -> Self {
        let name = |s: &str| clean_text(s, MAX_NAME_CHARS);
        let opt = |s: &Option<String>| s.as_deref().map(name);
        let mut details = bounded_value(&self.details);
        let size = details.to_string().len();
        if size > MAX_DETAILS_BYTES {
            let head: String = details
                .to_string()
                .chars()
                .take(MAX_FREE_TEXT_CHARS)
                .collect();
            details = serde_json::json!({ "truncated": true, "bytes": size, "head": head });
        }
        Self {
            at: name(&self.at),
            actor: Actor {
                subject: name(&self.actor.subject),
                name: name(&self.actor.name),
                groups: self.actor.groups.iter().map(|g| name(g)).collect(),
            },
            action: name(&self.action),
            object: name(&self.object),
            outcome: name(&self.outcome),
            details,
            request_id: opt(&self.request_id),
            client_ip: opt(&self.client_ip),
            client_request_id: opt(&self.client_request_id),
        }
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
    use super::*;

    #[test]
    fn bounded_caps_and_escapes_every_client_string() {
        let huge = "x".repeat(2 * 1024 * 1024);
        let record = AuditRecord::new(
            Actor {
                subject: huge.clone(),
                name: "Eve\nINFO login ok".into(),
                groups: vec![huge.clone()],
            },
            "login",
            huge.clone(),
            outcome::FAILURE,
        )
        .with_details(serde_json::json!({"user": huge, "reason": "a\u{1b}[2J"}))
        .with_request(Some("r".repeat(300)), None)
        .with_client_request_id(Some("c".into()));
        let b = record.bounded();
        assert_eq!(b.actor.subject.chars().count(), MAX_NAME_CHARS + 1);
        assert_eq!(b.actor.name, "Eve\\nINFO login ok");
        assert_eq!(b.actor.groups[0].chars().count(), MAX_NAME_CHARS + 1);
        assert_eq!(b.object.chars().count(), MAX_NAME_CHARS + 1);
        assert_eq!(
            b.details["user"].as_str().unwrap().chars().count(),
            MAX_FREE_TEXT_CHARS + 1
        );
        assert_eq!(b.details["reason"], "a\\u{1b}[2J");
        assert_eq!(b.request_id.unwrap().chars().count(), MAX_NAME_CHARS + 1);
        assert_eq!(b.client_request_id.as_deref(), Some("c"));
        // Ordinary records are unchanged.
        let plain = AuditRecord::new(Actor::system(), "policy.reload", "policy.csv", "success")
            .with_details(serde_json::json!({"rules": 12, "reason": "Zoë's fix"}));
        assert_eq!(plain.bounded(), plain);
        // Many strings that each fit still make a bounded details.
        let wide = AuditRecord::new(Actor::system(), "a", "o", "success")
            .with_details(serde_json::json!({"many": vec!["y".repeat(4000); 100]}));
        let b = wide.bounded();
        assert_eq!(b.details["truncated"], true);
        assert!(b.details.to_string().len() < MAX_DETAILS_BYTES);
    }

    #[test]
    fn timestamps_are_fixed_width_utc() {
        let at = super::now();
        assert_eq!(at.len(), "2026-11-27T10:00:00.000000Z".len(), "{at}");
        assert!(at.ends_with('Z'));
        assert_eq!(&at[10..11], "T");
    }
}

//! The audit trail as the audit page sees it.

use serde::{Deserialize, Serialize};

/// Filters of the audit page, as its URL carries them. Empty fields do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    /// Actor subject or display name, exactly.
    pub actor: String,
    /// Action exactly, e.g. `login`, `permission.denied`.
    pub action: String,
    /// Object exactly, or a prefix ending in `*` (`prod/*`).
    pub object: String,
    /// From this time (inclusive), RFC 3339 or a prefix such as `2026-11-27`.
    pub from: String,
    /// Up to this time (exclusive), likewise.
    pub to: String,
    /// Only records older than this sequence number (the next page).
    pub before: Option<u64>,
    pub limit: Option<u32>,
}

impl AuditQuery {
    /// The query string for the export links and deep links (without `?`).
    pub fn to_query_string(&self) -> String {
        let mut pairs = Vec::new();
        for (key, value) in [
            ("actor", &self.actor),
            ("action", &self.action),
            ("object", &self.object),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !value.is_empty() {
                pairs.push(format!("{key}={}", crate::url::encode(value)));
            }
        }
        pairs.join("&")
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEventView {
    pub seq: u64,
    pub at: String,
    pub actor_subject: String,
    pub actor_name: String,
    pub actor_groups: Vec<String>,
    pub action: String,
    pub object: String,
    /// `success`, `failure` or `denied`.
    pub outcome: String,
    /// JSON text.
    pub details: String,
    /// Atrium's id of the request.
    pub request_id: Option<String>,
    pub client_ip: Option<String>,
    /// The client's own `x-request-id`, when it sent a valid one.
    #[serde(default)]
    pub client_request_id: Option<String>,
    pub hash: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPageView {
    pub events: Vec<AuditEventView>,
    /// Pass as `before` for the next (older) page; `None` on the last page.
    pub next_before: Option<u64>,
}

/// The result of walking the whole chain.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainStatusView {
    pub ok: bool,
    /// Records checked.
    pub checked: u64,
    /// The head's sequence number.
    pub head_seq: u64,
    /// First broken record, if any.
    pub broken_at: Option<u64>,
    /// What is wrong there, for people.
    pub message: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_string_encodes_and_skips_empty_fields() {
        let q = AuditQuery {
            actor: "Ada Admin".into(),
            object: "prod/*".into(),
            ..Default::default()
        };
        assert_eq!(q.to_query_string(), "actor=Ada%20Admin&object=prod%2F%2A");
    }
}

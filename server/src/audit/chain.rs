//! The hash chain, as pure functions.
//!
//! `hash(n) = hex(SHA-256(hash(n-1) ‖ canonical_json(record n with "seq": n)))`, where
//! `hash(n-1)` is the previous record's hash as its 64 lowercase hex characters (ASCII) and
//! `hash(0)` is [`GENESIS_HASH`]. Canonical JSON has object keys sorted at every depth and no
//! whitespace, so anyone can re-check a record with `printf '%s%s' "$prev" "$json" | sha256sum`.

use std::fmt::Write as _;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::{AuditRecord, AuditRow};

/// The "previous hash" of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// JSON with object keys sorted (by their UTF-8 bytes) at every depth and no whitespace.
/// Written by hand rather than relying on `serde_json::Map` order, which a dependency enabling
/// `preserve_order` would silently change.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(&mut out, value);
    out
}

fn write_canonical(out: &mut String, value: &Value) {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) => {
            let _ = write!(out, "{value}");
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_canonical(out, item);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    // serde_json's escaping: quotes, backslash and control characters; everything else as is.
    let _ = write!(out, "{}", Value::String(s.to_string()));
}

/// The record as hashed: every field, plus its sequence number.
pub fn record_json(seq: u64, record: &AuditRecord) -> Value {
    let mut value = serde_json::json!({
        "seq": seq,
        "at": record.at,
        "actor": {
            "subject": record.actor.subject,
            "name": record.actor.name,
            "groups": record.actor.groups,
        },
        "action": record.action,
        "object": record.object,
        "outcome": record.outcome,
        "details": record.details,
        "request_id": record.request_id,
        "client_ip": record.client_ip,
    });
    // Added later: hashed only when present, so every older row keeps its hash.
    if let Some(id) = &record.client_request_id {
        value["client_request_id"] = Value::String(id.clone());
    }
    value
}

/// The hash of record `seq` following `prev_hash`.
pub fn compute_hash(prev_hash: &str, seq: u64, record: &AuditRecord) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(canonical_json(&record_json(seq, record)).as_bytes());
    hex::encode(hasher.finalize())
}

/// The chain's end as recorded in `audit_head`: verification compares the last record with it,
/// which is how a deleted tail is noticed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
}

/// The first place the chain does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenLink {
    pub seq: u64,
    pub reason: String,
}

/// The result of walking the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    /// Records found intact before the first broken link (all of them when none is broken).
    pub checked: u64,
    pub first_broken: Option<BrokenLink>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.first_broken.is_none()
    }
}

/// Checks records one at a time, in `seq` order, so a caller can stream any number of them.
/// Stops at the first broken link: what follows it cannot be trusted either.
#[derive(Debug)]
pub struct Verifier {
    next_seq: u64,
    prev_hash: String,
    checked: u64,
    broken: Option<BrokenLink>,
}

impl Default for Verifier {
    fn default() -> Self {
        Self {
            next_seq: 1,
            prev_hash: GENESIS_HASH.to_string(),
            checked: 0,
            broken: None,
        }
    }
}

impl Verifier {
    pub fn new() -> Self {
        Self::default()
    }

    /// Check the next row. Returns false once the chain is broken (further rows are ignored).
    pub fn push(&mut self, row: &AuditRow) -> bool {
        if self.broken.is_some() {
            return false;
        }
        let seq = row.seq;
        let reason = if seq > self.next_seq {
            return self.fail(
                self.next_seq,
                format!(
                    "record {} is missing (the next stored record is {seq})",
                    self.next_seq
                ),
            );
        } else if seq < self.next_seq {
            format!(
                "record {seq} is out of order or duplicated (expected {})",
                self.next_seq
            )
        } else if row.prev_hash != self.prev_hash {
            format!(
                "its previous hash does not match the hash of record {}",
                seq - 1
            )
        } else if compute_hash(&row.prev_hash, seq, &row.record) != row.hash {
            "its contents do not match its hash (the record was altered)".to_string()
        } else {
            self.checked += 1;
            self.next_seq += 1;
            self.prev_hash.clone_from(&row.hash);
            return true;
        };
        self.fail(seq, reason)
    }

    /// A row at `seq` that could not even be read (e.g. its JSON columns were edited into
    /// something that is not JSON).
    pub fn push_unreadable(&mut self, seq: u64, reason: impl Into<String>) -> bool {
        if self.broken.is_none() {
            self.fail(seq, format!("unreadable: {}", reason.into()));
        }
        false
    }

    /// The report; with `head`, also checks that the chain ends where the head says.
    pub fn finish(mut self, head: Option<&Head>) -> VerifyReport {
        if let (None, Some(head)) = (&self.broken, head) {
            let last = self.next_seq - 1;
            if head.seq > last {
                self.fail(
                    last + 1,
                    format!(
                        "record {} is missing (the log should end at record {})",
                        last + 1,
                        head.seq
                    ),
                );
            } else if head.seq < last {
                self.fail(
                    head.seq + 1,
                    format!(
                        "record {} lies beyond the recorded end of the log",
                        head.seq + 1
                    ),
                );
            } else if head.hash != self.prev_hash {
                self.fail(
                    last,
                    format!("record {last}'s hash does not match the recorded end of the log"),
                );
            }
        }
        VerifyReport {
            checked: self.checked,
            first_broken: self.broken,
        }
    }

    fn fail(&mut self, seq: u64, reason: String) -> bool {
        self.broken = Some(BrokenLink { seq, reason });
        false
    }
}

/// Walk `rows` (in `seq` order) and, if given, compare the end with `head`.
pub fn verify<I>(rows: I, head: Option<&Head>) -> VerifyReport
where
    I: IntoIterator<Item = AuditRow>,
{
    let mut verifier = Verifier::new();
    for row in rows {
        if !verifier.push(&row) {
            break;
        }
    }
    verifier.finish(head)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::audit::{outcome, Actor};

    fn record(i: u64) -> AuditRecord {
        AuditRecord {
            at: format!("2026-11-27T10:00:{:02}.000000Z", i % 60),
            actor: Actor {
                subject: "alice".into(),
                name: "Alice Ops".into(),
                groups: vec!["team-a".into(), "sre".into()],
            },
            action: "applications.sync".into(),
            object: format!("dev/app-{i}"),
            outcome: outcome::SUCCESS.into(),
            details: json!({"revision": "abc123", "n": i}),
            request_id: Some(format!("req-{i}")),
            client_ip: None,
            client_request_id: None,
        }
    }

    /// A valid chain of `n` rows and its head.
    fn chain(n: u64) -> (Vec<AuditRow>, Head) {
        let mut prev = GENESIS_HASH.to_string();
        let mut rows = Vec::new();
        for seq in 1..=n {
            let record = record(seq);
            let hash = compute_hash(&prev, seq, &record);
            rows.push(AuditRow {
                seq,
                prev_hash: prev.clone(),
                hash: hash.clone(),
                record,
            });
            prev = hash;
        }
        (rows, Head { seq: n, hash: prev })
    }

    fn broken_at(report: &VerifyReport) -> Option<u64> {
        report.first_broken.as_ref().map(|b| b.seq)
    }

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let value = json!({
            "b": 1,
            "a": {"z": [3, {"y": true, "x": null}], "m": "q\"uote\n"},
            "é": 1.5,
            "A": -2
        });
        assert_eq!(
            canonical_json(&value),
            r#"{"A":-2,"a":{"m":"q\"uote\n","z":[3,{"x":null,"y":true}]},"b":1,"é":1.5}"#
        );
        // Parsing the canonical text and canonicalising again is the identity.
        let text = canonical_json(&value);
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(canonical_json(&back), text);
    }

    #[test]
    fn hash_is_pinned_and_covers_every_field() {
        let r = record(1);
        let json = canonical_json(&record_json(1, &r));
        assert_eq!(
            json,
            r#"{"action":"applications.sync","actor":{"groups":["team-a","sre"],"name":"Alice Ops","subject":"alice"},"at":"2026-11-27T10:00:01.000000Z","client_ip":null,"details":{"n":1,"revision":"abc123"},"object":"dev/app-1","outcome":"success","request_id":"req-1","seq":1}"#
        );
        let hash = compute_hash(GENESIS_HASH, 1, &r);
        // printf '%s%s' "$GENESIS_HASH" "$json" | sha256sum
        assert_eq!(
            hash,
            "de0fa201e83653ad692bb1110fae5cb5be1088af7a08c22d279645a6a8bfde9c"
        );

        let mut variants = vec![
            compute_hash(GENESIS_HASH, 2, &r),
            compute_hash(&hash, 1, &r),
        ];
        let edits: Vec<fn(&mut AuditRecord)> = vec![
            |r| r.at.push('0'),
            |r| r.actor.subject = "mallory".into(),
            |r| r.actor.name = "A".into(),
            |r| {
                r.actor.groups.pop();
            },
            |r| r.action = "applications.delete".into(),
            |r| r.object = "prod/app-1".into(),
            |r| r.outcome = outcome::DENIED.into(),
            |r| r.details = json!({"revision": "abc124", "n": 1}),
            |r| r.request_id = None,
            |r| r.client_ip = Some("10.0.0.1".into()),
            |r| r.client_request_id = Some("client-1".into()),
        ];
        for edit in edits {
            let mut changed = r.clone();
            edit(&mut changed);
            variants.push(compute_hash(GENESIS_HASH, 1, &changed));
        }
        for v in &variants {
            assert_ne!(v, &hash);
        }
    }

    /// Rows written before `client_request_id` existed and rows that carry one verify in one
    /// chain; editing the client's id is caught like any other edit.
    #[test]
    fn old_and_new_rows_verify_together() {
        let (mut rows, _) = chain(3);
        let mut prev = rows[2].hash.clone();
        for seq in 4..=6 {
            let record = record(seq).with_client_request_id(Some(format!("client-{seq}")));
            let hash = compute_hash(&prev, seq, &record);
            rows.push(AuditRow {
                seq,
                prev_hash: prev.clone(),
                hash: hash.clone(),
                record,
            });
            prev = hash;
        }
        let head = Head { seq: 6, hash: prev };
        assert_eq!(broken_at(&verify(rows.clone(), Some(&head))), None);
        rows[4].record.client_request_id = Some("forged".into());
        assert_eq!(broken_at(&verify(rows, Some(&head))), Some(5));
    }

    #[test]
    fn intact_chain_verifies() {
        let (rows, head) = chain(25);
        let report = verify(rows, Some(&head));
        assert_eq!(report.checked, 25);
        assert!(report.is_ok(), "{report:?}");
        // An empty log matches the seeded head.
        let empty = Head {
            seq: 0,
            hash: GENESIS_HASH.into(),
        };
        assert!(verify(Vec::new(), Some(&empty)).is_ok());
    }

    #[test]
    fn altered_record_is_the_first_broken_link() {
        let (mut rows, head) = chain(10);
        rows[2].record.outcome = outcome::FAILURE.into();
        let report = verify(rows, Some(&head));
        assert_eq!(broken_at(&report), Some(3));
        assert_eq!(report.checked, 2);
        assert!(report.first_broken.unwrap().reason.contains("altered"));
    }

    #[test]
    fn rehashing_an_altered_record_breaks_the_next_link() {
        let (mut rows, head) = chain(10);
        rows[2].record.object = "prod/app-3".into();
        rows[2].hash = compute_hash(&rows[2].prev_hash, 3, &rows[2].record);
        let report = verify(rows, Some(&head));
        assert_eq!(broken_at(&report), Some(4));
        assert!(report
            .first_broken
            .unwrap()
            .reason
            .contains("previous hash"));
    }

    #[test]
    fn removed_reordered_and_truncated_records_are_found() {
        let (mut rows, head) = chain(10);
        rows.remove(2);
        let report = verify(rows, Some(&head));
        assert_eq!(broken_at(&report), Some(3));
        assert!(report.first_broken.unwrap().reason.contains("missing"));

        let (mut rows, head) = chain(10);
        rows.swap(4, 5);
        assert_eq!(broken_at(&verify(rows, Some(&head))), Some(5));

        let (mut rows, head) = chain(10);
        let dup = rows[6].clone();
        rows.insert(7, dup);
        assert_eq!(broken_at(&verify(rows, Some(&head))), Some(7));

        // The last two removed: only the head knows.
        let (mut rows, head) = chain(10);
        rows.truncate(8);
        let report = verify(rows.clone(), Some(&head));
        assert_eq!(broken_at(&report), Some(9));
        assert_eq!(report.checked, 8);
        assert!(verify(rows, None).is_ok());

        // The last record replaced wholesale with a consistent fake: its hash differs from
        // the head's.
        let (mut rows, head) = chain(10);
        rows[9].record.outcome = outcome::DENIED.into();
        rows[9].hash = compute_hash(&rows[9].prev_hash, 10, &rows[9].record);
        assert_eq!(broken_at(&verify(rows, Some(&head))), Some(10));

        // Rows beyond the head (inserted by hand) are reported too.
        let (rows, mut head) = chain(10);
        head.seq = 9;
        assert_eq!(broken_at(&verify(rows, Some(&head))), Some(10));
    }

    #[test]
    fn unreadable_rows_break_the_chain() {
        let (rows, head) = chain(5);
        let mut verifier = Verifier::new();
        assert!(verifier.push(&rows[0]));
        assert!(!verifier.push_unreadable(2, "details: expected value at line 1"));
        assert!(!verifier.push(&rows[2]));
        let report = verifier.finish(Some(&head));
        assert_eq!(broken_at(&report), Some(2));
        assert_eq!(report.checked, 1);
        assert!(report
            .first_broken
            .unwrap()
            .reason
            .starts_with("unreadable"));
    }
}

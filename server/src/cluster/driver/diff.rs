//! Desired vs live, server-side-apply aware: live is projected onto the desired manifest's
//! shape (only fields the manifest sets are compared), so defaults, status, server metadata
//! and fields other managers added never show as drift. Pure; YAML via serde-saphyr and a
//! line diff via `similar` for the UI's diff panel.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use similar::{ChangeTag, TextDiff};

use super::plan::{TRACKING_ANNOTATION, TRACKING_LABEL};
use crate::gitops::desired::SyncStatus;

/// One line of the diff, live → desired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffOp {
    Same,
    /// Only in desired: a sync would add or change it.
    Added,
    /// Only in live: a sync would remove or change it.
    Removed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub op: DiffOp,
    pub text: String,
}

/// The comparison of one resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceDiff {
    pub sync: SyncStatus,
    /// Desired, normalised (what is compared).
    pub desired_yaml: String,
    /// Live, projected onto desired's shape; empty when the object does not exist.
    pub live_yaml: String,
    pub lines: Vec<DiffLine>,
}

/// Server-set metadata that never belongs in a comparison.
const SERVER_METADATA: &[&str] = &[
    "managedFields",
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "generation",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// Whether `key` is in [`SERVER_METADATA`] (a `match` compiles to a length switch; `contains`
/// compared every entry, for every metadata field of every resource of every pass).
pub(super) fn server_metadata(key: &str) -> bool {
    matches!(
        key,
        "managedFields"
            | "resourceVersion"
            | "uid"
            | "creationTimestamp"
            | "generation"
            | "selfLink"
            | "deletionTimestamp"
            | "deletionGracePeriodSeconds"
    )
}

/// Compares a desired manifest with the live object (`Value::Null` when absent: OutOfSync).
pub fn diff(desired: &Value, live: &Value) -> ResourceDiff {
    let want = normalize(desired);
    let (sync, got) = if live.is_null() {
        (SyncStatus::OutOfSync, None)
    } else {
        let got = project(live, &want);
        let sync = if got == want {
            SyncStatus::Synced
        } else {
            SyncStatus::OutOfSync
        };
        (sync, Some(got))
    };
    let desired_yaml = to_yaml(&want);
    let live_yaml = got.as_ref().map(to_yaml).unwrap_or_default();
    let lines = TextDiff::from_lines(&live_yaml, &desired_yaml)
        .iter_all_changes()
        .map(|c| DiffLine {
            op: match c.tag() {
                ChangeTag::Equal => DiffOp::Same,
                ChangeTag::Insert => DiffOp::Added,
                ChangeTag::Delete => DiffOp::Removed,
            },
            text: c.value().trim_end_matches('\n').to_string(),
        })
        .collect();
    ResourceDiff {
        sync,
        desired_yaml,
        live_yaml,
        lines,
    }
}

/// The sync verdict of [`diff`] alone, without building the projection, YAML or line diff:
/// what every reconcile pass asks of every resource.
pub fn in_sync(desired: &Value, live: &Value) -> bool {
    if live.is_null() {
        return false;
    }
    // What `normalize` drops is skipped on the way instead of copied out.
    let (Value::Object(l), Value::Object(d)) = (live, desired) else {
        return covers(live, desired);
    };
    paired(l, d, |k, lv, dv| match k {
        _ if dv.is_null() => true,
        "status" => true,
        "metadata" => metadata_covers(lv, dv),
        _ => lv.is_some_and(|lv| covers(lv, dv)),
    })
}

fn metadata_covers(live: Option<&Value>, desired: &Value) -> bool {
    let Value::Object(d) = desired else {
        return live.is_some_and(|l| covers(l, desired));
    };
    let empty = Map::new();
    let l = match live {
        Some(Value::Object(l)) => l,
        _ => &empty,
    };
    paired(l, d, |k, lv, dv| match (k, dv) {
        _ if dv.is_null() || server_metadata(k) => true,
        ("labels" | "annotations", Value::Object(m)) => {
            let tracking = if k == "labels" {
                TRACKING_LABEL
            } else {
                TRACKING_ANNOTATION
            };
            let l = match lv {
                Some(Value::Object(l)) => l,
                _ => &empty,
            };
            paired(l, m, |mk, lv, mv| {
                mk == tracking || mv.is_null() || lv.is_some_and(|lv| covers(lv, mv))
            })
        }
        _ => lv.is_some_and(|lv| covers(lv, dv)),
    })
}

/// Whether `each(key, live value, wanted value)` holds for every entry of `want`. serde_json's
/// maps are ordered, so one forward pass over `live` finds every wanted key: a lookup per key
/// scanned each B-tree node with a `memcmp` per entry, and was the top of a status pass's
/// profile. A key the pass misses (a map in some other order) is looked up.
fn paired<'a>(
    live: &'a Map<String, Value>,
    want: &'a Map<String, Value>,
    mut each: impl FnMut(&'a str, Option<&'a Value>, &'a Value) -> bool,
) -> bool {
    let mut rest = live.iter().peekable();
    want.iter().all(|(k, wv)| {
        while rest
            .next_if(|(lk, _)| key_order(lk, k) == std::cmp::Ordering::Less)
            .is_some()
        {}
        let lv = match rest.peek() {
            Some((lk, lv)) if lk.as_str() == k.as_str() => Some(*lv),
            _ => live.get(k.as_str()),
        };
        each(k, lv, wv)
    })
}

/// `str`'s order, compared inline: keys are short and mostly differ in their first bytes,
/// where a `memcmp` call costs more than the comparison.
#[inline]
fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// `project(live, want) == want` for a `want` as [`normalize`] leaves it (nulls in objects
/// skipped), walked instead of built.
fn covers(live: &Value, want: &Value) -> bool {
    match (live, want) {
        (Value::Object(l), Value::Object(w)) => paired(l, w, |_, lv, wv| {
            wv.is_null() || lv.is_some_and(|lv| covers(lv, wv))
        }),
        (Value::Array(l), Value::Array(w))
            if !w.is_empty() && w.iter().all(|i| item_name(i).is_some()) =>
        {
            w.iter().all(|wi| {
                l.iter()
                    .find(|li| item_name(li) == item_name(wi))
                    .is_some_and(|li| covers(li, wi))
            })
        }
        (Value::Array(l), Value::Array(w)) => {
            l.len() == w.len() && l.iter().zip(w).all(|(li, wi)| covers(li, wi))
        }
        (l, w) => l == w,
    }
}

/// Desired without what the server owns, the driver's tracking marks, or nulls.
pub fn normalize(desired: &Value) -> Value {
    let mut v = drop_nulls(desired);
    if let Some(o) = v.as_object_mut() {
        o.remove("status");
    }
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for k in SERVER_METADATA {
            meta.remove(*k);
        }
        for (field, key) in [
            ("labels", TRACKING_LABEL),
            ("annotations", TRACKING_ANNOTATION),
        ] {
            if let Some(map) = meta.get_mut(field).and_then(Value::as_object_mut) {
                map.remove(key);
                if map.is_empty() {
                    meta.remove(field);
                }
            }
        }
    }
    v
}

fn drop_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), drop_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(drop_nulls).collect()),
        other => other.clone(),
    }
}

fn item_name(v: &Value) -> Option<&str> {
    v.get("name").and_then(Value::as_str)
}

/// Live, keeping only what `shape` sets: object keys by key, lists of named items by name,
/// other lists position by position (extra live items kept, so a length change shows).
pub fn project(live: &Value, shape: &Value) -> Value {
    match (live, shape) {
        (Value::Object(l), Value::Object(s)) => {
            let mut out = Map::new();
            for (k, sv) in s {
                if let Some(lv) = l.get(k) {
                    out.insert(k.clone(), project(lv, sv));
                }
            }
            Value::Object(out)
        }
        (Value::Array(l), Value::Array(s))
            if !s.is_empty() && s.iter().all(|i| item_name(i).is_some()) =>
        {
            let by_name = s
                .iter()
                .filter_map(|si| {
                    let li = l.iter().find(|li| item_name(li) == item_name(si))?;
                    Some(project(li, si))
                })
                .collect();
            Value::Array(by_name)
        }
        (Value::Array(l), Value::Array(s)) => Value::Array(
            l.iter()
                .enumerate()
                .map(|(i, li)| s.get(i).map_or_else(|| li.clone(), |si| project(li, si)))
                .collect(),
        ),
        (l, _) => l.clone(),
    }
}

fn to_yaml(v: &Value) -> String {
    serde_saphyr::to_string(v)
        .unwrap_or_else(|_| serde_json::to_string_pretty(v).unwrap_or_default())
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;

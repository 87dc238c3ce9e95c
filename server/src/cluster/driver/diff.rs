//! Desired vs live, server-side-apply aware: live is projected onto the desired manifest's
//! shape (only fields the manifest sets are compared), so defaults, status, server metadata
//! and fields other managers added never show as drift. Pure; YAML via serde-saphyr and a
//! line diff via `similar` for the UI's diff panel.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use similar::{ChangeTag, TextDiff};

use crate::resource::metadata::{
    server_metadata, SERVER_METADATA, TRACKING_ANNOTATION, TRACKING_LABEL,
};
use crate::resource::{mask_secrets, SyncStatus};

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

/// Compares a desired manifest with the live object (`Value::Null` when absent: OutOfSync).
/// The YAML and the line diff are for readers: a `Secret`'s values are masked in both sides
/// ([`mask_secrets`]) once the verdict is taken.
pub fn diff(desired: &Value, live: &Value) -> ResourceDiff {
    let mut want = normalize(desired);
    let (sync, mut got) = if live.is_null() {
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
    mask_secrets([Some(&mut want), got.as_mut()]);
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

/// The sync verdict of [`diff`] alone, without building the projection, YAML or line diff.
/// Reconcile passes decide from [`super::facts`] instead; this walk is the rule those follow
/// (their tests check them against it) and the verdict for objects built without facts.
pub fn in_sync(desired: &Value, live: &Value) -> bool {
    if live.is_null() {
        return false;
    }
    // What `normalize` drops is skipped on the way instead of copied out.
    let (Value::Object(l), Value::Object(d)) = (live, desired) else {
        return covers(live, desired);
    };
    d.iter().all(|(k, dv)| match k.as_str() {
        _ if dv.is_null() => true,
        "status" => true,
        "metadata" => metadata_covers(l.get("metadata"), dv),
        _ => l.get(k).is_some_and(|lv| covers(lv, dv)),
    })
}

fn metadata_covers(live: Option<&Value>, desired: &Value) -> bool {
    let Value::Object(d) = desired else {
        return live.is_some_and(|l| covers(l, desired));
    };
    let field = |k: &str| live.and_then(|l| l.get(k));
    d.iter().all(|(k, dv)| match (k.as_str(), dv) {
        _ if dv.is_null() || server_metadata(k) => true,
        ("labels" | "annotations", Value::Object(m)) => {
            let tracking = if k == "labels" {
                TRACKING_LABEL
            } else {
                TRACKING_ANNOTATION
            };
            m.iter()
                .filter(|(mk, mv)| mk.as_str() != tracking && !mv.is_null())
                .all(|(mk, mv)| {
                    field(k)
                        .and_then(|l| l.get(mk))
                        .is_some_and(|lv| covers(lv, mv))
                })
        }
        _ => field(k).is_some_and(|lv| covers(lv, dv)),
    })
}

/// `project(live, want) == want` for a `want` as [`normalize`] leaves it (nulls in objects
/// skipped), walked instead of built.
fn covers(live: &Value, want: &Value) -> bool {
    match (live, want) {
        (Value::Object(l), Value::Object(w)) => w
            .iter()
            .all(|(k, wv)| wv.is_null() || l.get(k).is_some_and(|lv| covers(lv, wv))),
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

pub fn to_yaml(v: &Value) -> String {
    serde_saphyr::to_string(v)
        .unwrap_or_else(|_| serde_json::to_string_pretty(v).unwrap_or_default())
}

#[cfg(test)]
#[path = "diff_tests.rs"]
mod tests;

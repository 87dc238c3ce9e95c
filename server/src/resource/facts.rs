//! The sync verdict of `cluster::driver::diff::in_sync`, from facts worked out once per object:
//! the render works out a desired manifest's, the inventory a live object's.
//!
//! `in_sync` walks the desired manifest against the live JSON. From scratch, at 20,000
//! resources, that walk was most of a status pass, and it is memory-bound: every key compare
//! follows a pointer into an object scattered over the heap. Here each live object is
//! flattened once, when it is listed, into a sorted list of hashed facts ("at this path there
//! is an object", "… a list of 3", "… the string `web:1.2`"); a desired manifest is flattened
//! by the same rules, and it is in sync when every fact it states is one of the live object's.
//! A verdict is then a merge of two short sorted `u64` lists.
//!
//! The desired side follows `in_sync` rule for rule (nulls, `status`, server metadata and the
//! tracking marks skipped; lists of named items matched by name, other lists by position and
//! length); `facts_agree_with_in_sync` in the cluster driver's tests checks the two against
//! each other. Facts are 64-bit hashes of the path and value: two different facts sharing one
//! is a 2⁻⁶⁴ event per pair.

use std::hash::BuildHasher;
use std::sync::Arc;

use serde_json::Value;

use super::metadata::{server_metadata, TRACKING_ANNOTATION, TRACKING_LABEL};

/// An object's facts, sorted and without repeats.
pub type Facts = Arc<[u64]>;

const HASH: foldhash::quality::FixedState = foldhash::quality::FixedState::with_seed(0x5eed);

// What a path step or a fact says, so that no two kinds of step or fact hash alike.
const KEY: u8 = 1;
const INDEX: u8 = 2;
const NAMED: u8 = 3;
const OBJECT: u8 = 4;
const LIST: u8 = 5;
const LENGTH: u8 = 6;
const SCALAR: u8 = 7;
const STRING: u8 = 8;

fn step(path: u64, how: u8, segment: &[u8]) -> u64 {
    HASH.hash_one((path, how, segment))
}

fn fact(path: u64, what: u8, value: &[u8]) -> u64 {
    HASH.hash_one((path, what | 0x80, value))
}

/// A scalar as `Value`'s equality sees it: `1` and `1.0` differ, `0.0` and `-0.0` do not.
fn scalar(path: u64, v: &Value) -> u64 {
    let mut bytes = [0u8; 9];
    let body: &[u8] = match v {
        Value::Null => b"n",
        Value::Bool(b) => {
            bytes[0] = b'b';
            bytes[1] = u8::from(*b);
            &bytes[..2]
        }
        Value::Number(n) => {
            let (tag, bits) = if let Some(u) = n.as_u64() {
                (b'u', u)
            } else if let Some(i) = n.as_i64() {
                (b'i', i as u64)
            } else {
                let f = n.as_f64().unwrap_or_default();
                (b'f', if f == 0.0 { 0 } else { f.to_bits() })
            };
            bytes[0] = tag;
            bytes[1..].copy_from_slice(&bits.to_le_bytes());
            &bytes
        }
        Value::String(s) => return fact(path, STRING, s.as_bytes()),
        Value::Array(_) | Value::Object(_) => unreachable!("not a scalar"),
    };
    fact(path, SCALAR, body)
}

fn item_name(v: &Value) -> Option<&str> {
    v.get("name").and_then(Value::as_str)
}

fn finish(mut out: Vec<u64>) -> Facts {
    out.sort_unstable();
    out.dedup();
    out.into()
}

/// Everything a live object states, except what no desired manifest is compared on
/// (`status`, server metadata such as managedFields).
pub fn live_facts(obj: &Value) -> Facts {
    let mut out = Vec::with_capacity(128);
    live(obj, 0, Place::Root, &mut out);
    finish(out)
}

#[derive(Clone, Copy, PartialEq)]
enum Place {
    Root,
    Metadata,
    Other,
}

fn live(v: &Value, path: u64, place: Place, out: &mut Vec<u64>) {
    match v {
        Value::Object(m) => {
            out.push(fact(path, OBJECT, b""));
            for (k, c) in m {
                let skip = match place {
                    Place::Root => k == "status",
                    Place::Metadata => server_metadata(k),
                    Place::Other => false,
                };
                if skip {
                    continue;
                }
                let inner = if place == Place::Root && k == "metadata" {
                    Place::Metadata
                } else {
                    Place::Other
                };
                live(c, step(path, KEY, k.as_bytes()), inner, out);
            }
        }
        Value::Array(items) => {
            out.push(fact(path, LIST, b""));
            out.push(fact(path, LENGTH, &items.len().to_le_bytes()));
            let mut named: Vec<&str> = Vec::new();
            for (i, c) in items.iter().enumerate() {
                live(c, step(path, INDEX, &i.to_le_bytes()), Place::Other, out);
                // A desired item finds the first live item of its name.
                if let Some(n) = item_name(c).filter(|n| !named.contains(n)) {
                    named.push(n);
                    live(c, step(path, NAMED, n.as_bytes()), Place::Other, out);
                }
            }
        }
        _ => out.push(scalar(path, v)),
    }
}

/// What a desired manifest asks of its live object, by `in_sync`'s rules.
pub fn desired_facts(manifest: &Value) -> Facts {
    let mut out = Vec::with_capacity(32);
    match manifest {
        Value::Object(d) => {
            out.push(fact(0, OBJECT, b""));
            for (k, v) in d {
                let path = step(0, KEY, k.as_bytes());
                match (k.as_str(), v) {
                    (_, Value::Null) | ("status", _) => {}
                    ("metadata", Value::Object(meta)) => metadata(meta, path, &mut out),
                    _ => desired(v, path, &mut out),
                }
            }
        }
        _ => desired(manifest, 0, &mut out),
    }
    finish(out)
}

/// Desired metadata: server fields and the tracking marks are not compared, and (as in
/// `in_sync`) the metadata, labels and annotations objects themselves are not required.
fn metadata(meta: &serde_json::Map<String, Value>, path: u64, out: &mut Vec<u64>) {
    for (k, v) in meta {
        if v.is_null() || server_metadata(k) {
            continue;
        }
        let at = step(path, KEY, k.as_bytes());
        match (k.as_str(), v) {
            ("labels" | "annotations", Value::Object(m)) => {
                let tracking = if k == "labels" {
                    TRACKING_LABEL
                } else {
                    TRACKING_ANNOTATION
                };
                for (mk, mv) in m {
                    if mk != tracking && !mv.is_null() {
                        desired(mv, step(at, KEY, mk.as_bytes()), out);
                    }
                }
            }
            _ => desired(v, at, out),
        }
    }
}

fn desired(v: &Value, path: u64, out: &mut Vec<u64>) {
    match v {
        Value::Object(m) => {
            out.push(fact(path, OBJECT, b""));
            for (k, c) in m.iter().filter(|(_, c)| !c.is_null()) {
                desired(c, step(path, KEY, k.as_bytes()), out);
            }
        }
        Value::Array(items)
            if !items.is_empty() && items.iter().all(|i| item_name(i).is_some()) =>
        {
            out.push(fact(path, LIST, b""));
            for c in items {
                let name = item_name(c).unwrap_or_default();
                desired(c, step(path, NAMED, name.as_bytes()), out);
            }
        }
        Value::Array(items) => {
            out.push(fact(path, LENGTH, &items.len().to_le_bytes()));
            for (i, c) in items.iter().enumerate() {
                desired(c, step(path, INDEX, &i.to_le_bytes()), out);
            }
        }
        _ => out.push(scalar(path, v)),
    }
}

/// Whether the live object states every fact the desired manifest does: in sync.
pub fn states_all(live: &[u64], desired: &[u64]) -> bool {
    if desired.len() > live.len() {
        return false;
    }
    let mut rest = live;
    desired.iter().all(|d| {
        // Both sorted: look only past the previous match.
        match rest.binary_search(d) {
            Ok(i) => {
                rest = &rest[i + 1..];
                true
            }
            Err(_) => false,
        }
    })
}

#[cfg(test)]
#[path = "facts_tests.rs"]
pub(crate) mod tests;

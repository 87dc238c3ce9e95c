//! The facts' verdict ([`crate::resource::facts`]) held to the walk it stands for
//! ([`in_sync`]): on a served object and its drifts, and on 20,000 random pairs.

use serde_json::{json, Value};

use super::diff::in_sync;
use crate::resource::facts::tests::{as_served, deployment, served_cases, verdict};

#[test]
fn in_sync_agrees_on_served_objects() {
    let d = deployment();
    for (case, live, want) in served_cases() {
        assert_eq!(in_sync(&d, &live), want, "{case}");
    }
}

/// A small deterministic generator (xorshift), so the test needs no extra crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, of: &[&'a str]) -> &'a str {
        of[self.below(of.len() as u64) as usize]
    }
}

const KEYS: &[&str] = &[
    "a", "b", "name", "image", "status", "spec", "metadata", "labels", "uid", "x",
];
const NAMES: &[&str] = &["web", "log", "api"];

fn value(rng: &mut Rng, depth: u32) -> Value {
    match rng.below(if depth > 3 { 5 } else { 9 }) {
        0 => Value::Null,
        1 => json!(rng.below(3) == 0),
        2 => json!(rng.below(3)),
        3 => json!(rng.below(3) as f64),
        4 => json!(rng.pick(NAMES)),
        5 | 6 => {
            let mut m = serde_json::Map::new();
            for _ in 0..rng.below(4) {
                m.insert(rng.pick(KEYS).into(), value(rng, depth + 1));
            }
            Value::Object(m)
        }
        7 => {
            // A list of named items.
            let items = (0..rng.below(3))
                .map(|_| {
                    let mut item = value(rng, depth + 1);
                    if !item.is_object() {
                        item = json!({});
                    }
                    item["name"] = json!(rng.pick(NAMES));
                    item
                })
                .collect();
            Value::Array(items)
        }
        _ => Value::Array((0..rng.below(3)).map(|_| value(rng, depth + 1)).collect()),
    }
}

/// Changes one thing somewhere in `v` (or nothing, a third of the time).
fn mutate(rng: &mut Rng, v: &mut Value) {
    match v {
        Value::Object(m) if !m.is_empty() && rng.below(2) == 0 => {
            let k = m.keys().nth(rng.below(m.len() as u64) as usize).cloned();
            let k = k.expect("a key");
            match rng.below(4) {
                0 => {
                    m.remove(&k);
                }
                1 => {
                    m.insert(rng.pick(KEYS).into(), value(rng, 3));
                }
                _ => mutate(rng, m.get_mut(&k).expect("the key")),
            }
        }
        Value::Array(items) if !items.is_empty() && rng.below(2) == 0 => match rng.below(4) {
            0 => items.reverse(),
            1 => items.push(value(rng, 3)),
            _ => {
                let i = rng.below(items.len() as u64) as usize;
                mutate(rng, &mut items[i]);
            }
        },
        _ if rng.below(3) == 0 => *v = value(rng, 3),
        _ => {}
    }
}

#[test]
fn facts_agree_with_in_sync() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut synced, mut drifted) = (0, 0);
    for round in 0..20_000 {
        let mut desired = json!({"apiVersion": "v1", "kind": "ConfigMap"});
        for _ in 0..rng.below(4) {
            desired[rng.pick(KEYS)] = value(&mut rng, 0);
        }
        if rng.below(2) == 0 {
            desired["metadata"] = json!({"name": "n", "labels": {"atrium.dev/app": "a", "k": "v"},
                                         "annotations": {"x": null}, "uid": "u"});
        }
        let mut live = if rng.below(4) == 0 {
            as_served(&desired)
        } else {
            desired.clone()
        };
        for _ in 0..rng.below(3) {
            mutate(&mut rng, &mut live);
        }
        if live.is_null() {
            continue;
        }
        let expected = in_sync(&desired, &live);
        assert_eq!(
            verdict(&desired, &live),
            expected,
            "round {round}\ndesired {desired}\nlive {live}"
        );
        if expected {
            synced += 1;
        } else {
            drifted += 1;
        }
    }
    // Both verdicts were exercised, many times.
    assert!(synced > 2_000 && drifted > 2_000, "{synced} / {drifted}");
}

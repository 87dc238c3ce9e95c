//! The emulator's controller: each pass walks workloads and moves each through its rollout
//! ([`Stage`]) — Rolling as soon as it sees a new generation, then Done (or Failed for `bad`
//! image tags) once `rollout_delay` has passed — writing status through the status
//! subresource like the real controllers. A tokio task runs a pass every tick ([`run`]); an
//! emulator made with [`Sim::with_manual_controller`](super::Sim::with_manual_controller)
//! runs one only when asked, so tests decide when status is written.

use std::collections::HashMap;
use std::sync::Weak;
use std::time::{Duration, Instant};

use super::kinds::by_plural;
use super::rollout::{controlled, has_bad_image, status_for, Stage};
use super::store::{ObjKey, ObjectStore};
use super::write::{now, Part};
use super::Inner;

/// What the controller remembers about one object: which generation it is rolling out,
/// since when, and the stage it last wrote.
struct Seen {
    uid: String,
    generation: i64,
    since: Instant,
    since_text: String,
    written: Option<Stage>,
}

/// The controller's memory between passes, whoever runs them: the loop of [`run`], or a test
/// through [`Sim::run_controller`](super::Sim::run_controller).
pub(super) struct Controller {
    delay: Duration,
    seen: HashMap<ObjKey, Seen>,
    looked_at: Option<u64>,
    removals: u64,
}

impl Controller {
    pub(super) fn new(delay: Duration) -> Self {
        Controller {
            delay,
            seen: HashMap::new(),
            looked_at: None,
            removals: 0,
        }
    }

    /// One pass over `store`.
    pub(super) fn pass(&mut self, store: &mut ObjectStore) {
        step(
            store,
            self.delay,
            &mut self.seen,
            &mut self.looked_at,
            &mut self.removals,
        );
    }
}

/// How often the loop runs a pass: often enough to notice the end of a rollout soon after
/// `delay`.
pub(super) fn tick(delay: Duration) -> Duration {
    (delay / 4).clamp(Duration::from_millis(10), Duration::from_secs(1))
}

/// Runs a pass every `tick` until the emulator is dropped.
pub(super) async fn run(sim: Weak<Inner>, tick: Duration) {
    loop {
        tokio::time::sleep(tick).await;
        let Some(inner) = sim.upgrade() else { return };
        inner.run_controller();
    }
}

/// One pass. `looked_at` is the store's resourceVersion when the last pass walked it: a pass
/// looks only at objects written since, plus rollouts in flight, and one with neither has
/// nothing to do. (Walking every object on every tick made an initial sync of 20,000
/// objects quadratic: the walk held the store's lock while applies waited.)
fn step(
    store: &mut ObjectStore,
    delay: Duration,
    seen: &mut HashMap<ObjKey, Seen>,
    looked_at: &mut Option<u64>,
    removals: &mut u64,
) {
    let in_flight: Vec<ObjKey> = seen
        .iter()
        .filter(|(_, s)| s.written.is_none() || s.written == Some(Stage::Rolling))
        .map(|(k, _)| k.clone())
        .collect();
    if *looked_at == Some(store.rv) && in_flight.is_empty() {
        return;
    }
    if store.removals != *removals {
        seen.retain(|k, _| store.objects.contains_key(k));
        *removals = store.removals;
    }
    let since = looked_at.unwrap_or(0);
    let written = store.objects.iter().filter(|(_, s)| s.rv > since);
    let rolling = in_flight
        .iter()
        .filter_map(|k| store.objects.get_key_value(k))
        .filter(|(_, s)| s.rv <= since);
    // Decide on borrowed objects; clone only those whose status must change.
    let mut work = Vec::new();
    for (key, stored) in written.chain(rolling) {
        let obj = &stored.obj;
        let Some(kind) = obj["kind"].as_str() else {
            continue;
        };
        if !controlled(kind, obj) {
            continue;
        }
        let uid = obj["metadata"]["uid"].as_str().unwrap_or("");
        let generation = obj["metadata"]["generation"].as_i64().unwrap_or(1);
        let entry = seen.entry(key.clone()).or_insert_with(|| Seen {
            uid: String::new(),
            generation: 0,
            since: Instant::now(),
            since_text: now(),
            written: None,
        });
        if entry.uid != uid || entry.generation != generation {
            *entry = Seen {
                uid: uid.to_string(),
                generation,
                since: Instant::now(),
                since_text: now(),
                written: None,
            };
        }
        let stage = if entry.since.elapsed() < delay {
            Stage::Rolling
        } else if has_bad_image(obj) {
            Stage::Failed
        } else {
            Stage::Done
        };
        if entry.written == Some(stage) {
            continue;
        }
        let at = if stage == Stage::Rolling {
            entry.since_text.clone()
        } else {
            now()
        };
        work.push((key.clone(), obj.clone(), stage, at));
    }
    for (key, obj, stage, at) in work {
        let Some(kind) = by_plural(&key.group, obj_version(&obj), &key.plural) else {
            continue;
        };
        let status = status_for(kind.kind, &obj, stage, &at);
        let result = store.update(
            kind,
            &key.namespace,
            &key.name,
            "sim-controller",
            Part::Status,
            None,
            false,
            |mut o| {
                o["status"] = status;
                Ok(o)
            },
        );
        match result {
            Ok(_) => {
                if let Some(entry) = seen.get_mut(&key) {
                    entry.written = Some(stage);
                }
            }
            Err(e) => {
                tracing::warn!(name = %key.name, error = %e.message, "simulated controller could not write status")
            }
        }
    }
    // After its own writes: those need no second look.
    *looked_at = Some(store.rv);
}

fn obj_version(obj: &serde_json::Value) -> &str {
    let api_version = obj["apiVersion"].as_str().unwrap_or("v1");
    api_version.rsplit('/').next().unwrap_or(api_version)
}

//! The live inventory kept by Kubernetes watches instead of relists: one kube-rs watcher per
//! listed kind (tracking label selector), which lists once, then follows events from that
//! resourceVersion, and relists on its own when the server says the history is gone (410).
//! A change costs the one app it touches: each app's objects are shared (`Arc`) between the
//! watch state and every snapshot the engine took, so a snapshot is a map of pointers.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use kube::api::{Api, DynamicObject};
use kube::runtime::watcher::{self, Event};
use kube::runtime::WatchStreamExt;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::live::live_resource;
use super::{ClusterDriver, LiveResource, Resolved, Result};
use crate::resource::metadata::TRACKING_LABEL;
use crate::shared_str::SharedStr;

/// Live objects of every app, keyed by app name, each list sorted by key.
pub type Inventory = HashMap<String, Arc<Vec<LiveResource>>>;

/// One cluster's inventory, kept current by watches. Dropping it stops them.
pub struct LiveWatch {
    shared: Arc<Shared>,
    /// `(apiVersion, kind)`s watched so far.
    kinds: Mutex<BTreeSet<(String, String)>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

struct Shared {
    state: Mutex<State>,
    /// The state's version, for whoever waits on a change.
    changed: watch::Sender<u64>,
}

#[derive(Default)]
struct State {
    by_app: Inventory,
    /// Object key → its app (the object, with its resourceVersion, is in the app's list).
    owner: HashMap<Box<str>, SharedStr>,
    /// Bumped on every change.
    version: u64,
    /// Per watched kind (`apiVersion/kind`).
    kinds: HashMap<String, KindState>,
    /// The key prefixes (`group/kind/`) of the watched kinds.
    prefixes: BTreeSet<String>,
}

#[derive(Default)]
struct KindState {
    /// The first list is in.
    ready: bool,
    /// The last failure, until the watch works again.
    error: Option<String>,
    /// A (re)list in progress: what it has read so far.
    buffer: Option<Vec<(String, LiveResource)>>,
}

impl Default for LiveWatch {
    fn default() -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::default(),
                changed: watch::channel(0).0,
            }),
            kinds: Mutex::default(),
            tasks: Mutex::default(),
        }
    }
}

impl Drop for LiveWatch {
    fn drop(&mut self) {
        for task in self
            .tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain(..)
        {
            task.abort();
        }
    }
}

impl LiveWatch {
    /// A receiver that sees every change of the inventory.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.shared.changed.subscribe()
    }

    /// The inventory and its version, once every watched kind has been listed; the first
    /// failure of a kind not listed yet (or a watch that keeps failing) is the error. Waits at
    /// most `limit` for the lists.
    pub async fn current(&self, limit: Duration) -> std::result::Result<(Inventory, u64), String> {
        let mut changes = self.subscribe();
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            {
                let state = self.shared.lock();
                if let Some(error) = state.kinds.values().find_map(|k| k.error.clone()) {
                    return Err(error);
                }
                if state.kinds.values().all(|k| k.ready) {
                    return Ok((state.by_app.clone(), state.version));
                }
            }
            if tokio::time::timeout_at(deadline, changes.changed())
                .await
                .is_err()
            {
                return Err(format!(
                    "the cluster's objects were not listed within {} s",
                    limit.as_secs()
                ));
            }
        }
    }

    /// Waits (at most `limit`) until the watches have seen the writes of a sync: each key at
    /// its written resourceVersion or later, or gone when `None` (pruned). So what is read
    /// after a sync includes it. Versions compare as numbers (what API servers use; they are
    /// opaque by contract, so a non-number counts once it differs from none).
    pub async fn caught_up(&self, written: &[(String, Option<String>)], limit: Duration) -> bool {
        let mut changes = self.subscribe();
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            {
                let state = self.shared.lock();
                let seen = |(key, version): &(String, Option<String>)| {
                    // A kind nobody watches has nothing to wait for.
                    let watched = key
                        .match_indices('/')
                        .nth(1)
                        .is_some_and(|(i, _)| state.prefixes.contains(&key[..=i]));
                    match (state.version_of(key), version) {
                        _ if !watched => true,
                        (None, None) => true,
                        (Some(_), None) | (None, Some(_)) => false,
                        (Some(now), Some(wanted)) => {
                            match (now.parse::<u64>(), wanted.parse::<u64>()) {
                                (Ok(now), Ok(wanted)) => now >= wanted,
                                _ => now == wanted,
                            }
                        }
                    }
                };
                if written.iter().all(seen) {
                    return true;
                }
            }
            if tokio::time::timeout_at(deadline, changes.changed())
                .await
                .is_err()
            {
                return false;
            }
        }
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn bump(&self, mut state: std::sync::MutexGuard<'_, State>) {
        state.version += 1;
        let version = state.version;
        drop(state);
        self.changed.send_replace(version);
    }

    fn apply(
        &self,
        kind: &str,
        event: std::result::Result<Event<DynamicObject>, watcher::Error>,
        r: &Resolved,
    ) {
        let mut state = self.lock();
        let event = match event {
            Ok(event) => event,
            // A history that is gone is the watcher's own business: it relists.
            Err(watcher::Error::WatchError(status)) if status.code == 410 => return,
            Err(e) => {
                state.kinds.entry(kind.to_string()).or_default().error =
                    Some(format!("watching {kind}: {}", crate::util::error_chain(&e)));
                return self.bump(state);
            }
        };
        let entry = state.kinds.entry(kind.to_string()).or_default();
        let was_failing = entry.error.take().is_some();
        match event {
            Event::Init => entry.buffer = Some(Vec::new()),
            Event::InitApply(obj) => {
                if let (Some(buffer), Some(app)) = (entry.buffer.as_mut(), tracked(&obj)) {
                    buffer.push((app, live_resource(r, &obj)));
                }
                if !was_failing {
                    return;
                }
            }
            Event::InitDone => {
                entry.ready = true;
                let listed = entry.buffer.take().unwrap_or_default();
                let prefix = format!("{}/{}/", group(&r.resource.api_version), r.resource.kind);
                let stale: Vec<Box<str>> = state
                    .owner
                    .keys()
                    .filter(|k| k.starts_with(&prefix))
                    .cloned()
                    .collect();
                for key in stale {
                    state.remove(&key);
                }
                for (app, live) in listed {
                    state.upsert(app, live);
                }
                // Lists a snapshot shares were copied (at their length) when changed.
                for list in state.by_app.values_mut().filter_map(Arc::get_mut) {
                    list.shrink_to_fit();
                }
            }
            Event::Apply(obj) => {
                let live = live_resource(r, &obj);
                match tracked(&obj) {
                    Some(app) => {
                        if let Some(list) = Arc::get_mut(state.upsert(app, live)) {
                            list.shrink_to_fit();
                        }
                    }
                    // The tracking label was taken off: no app's any more.
                    None => state.remove(&live.key),
                }
            }
            Event::Delete(obj) => {
                let live = live_resource(r, &obj);
                state.remove(&live.key);
            }
        }
        self.bump(state);
    }
}

impl State {
    /// The resourceVersion of the object with `key`, if it is in the inventory.
    fn version_of(&self, key: &str) -> Option<&str> {
        let list = self.by_app.get(self.owner.get(key)?.as_str())?;
        let i = list.binary_search_by(|l| (*l.key).cmp(key)).ok()?;
        Some(&list[i].resource_version)
    }

    fn remove(&mut self, key: &str) {
        let Some(app) = self.owner.remove(key) else {
            return;
        };
        if let Some(list) = self.by_app.get_mut(app.as_str()) {
            let list = Arc::make_mut(list);
            list.retain(|l| *l.key != *key);
            if list.is_empty() {
                self.by_app.remove(app.as_str());
            }
        }
    }

    /// Puts `live` into `app`'s list and returns the list. Lists grow by doubling here; the
    /// caller trims them once a batch is in (an app's list was 60% spare capacity).
    fn upsert(&mut self, app: String, live: LiveResource) -> &mut Arc<Vec<LiveResource>> {
        if self.owner.get(&live.key).is_some_and(|a| *a != app) {
            self.remove(&live.key.clone());
        }
        self.owner
            .insert(live.key.clone(), SharedStr::interned(&app));
        let shared = self.by_app.entry(app).or_default();
        let list = Arc::make_mut(shared);
        match list.binary_search_by(|l| l.key.cmp(&live.key)) {
            Ok(i) => list[i] = live,
            Err(i) => list.insert(i, live),
        }
        shared
    }
}

/// The group part of a key (`apps` of `apps/v1`; empty for the core group).
fn group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

fn tracked(obj: &DynamicObject) -> Option<String> {
    obj.metadata.labels.as_ref()?.get(TRACKING_LABEL).cloned()
}

impl ClusterDriver {
    /// Starts watching the known kinds and `extra` (`(apiVersion, kind)`s the desired
    /// resources use) that `watch` does not watch yet. Fails when discovery does (the cluster
    /// does not answer).
    pub async fn watch_kinds(&self, watch: &LiveWatch, extra: &[(String, String)]) -> Result<()> {
        let kinds = self.listed_kinds(extra).await?;
        let mut watched = watch.kinds.lock().unwrap_or_else(|e| e.into_inner());
        for r in kinds {
            let id = (r.resource.api_version.clone(), r.resource.kind.clone());
            if !watched.insert(id) {
                continue;
            }
            let kind = format!("{}/{}", r.resource.api_version, r.resource.kind);
            {
                let mut state = watch.shared.lock();
                state.kinds.entry(kind.clone()).or_default();
                let group = group(&r.resource.api_version);
                state
                    .prefixes
                    .insert(format!("{group}/{}/", r.resource.kind));
            }
            let api: Api<DynamicObject> = Api::all_with(self.client.clone(), &r.resource);
            let config = watcher::Config::default().labels(TRACKING_LABEL);
            let shared = watch.shared.clone();
            let task = tokio::spawn(async move {
                let mut events = std::pin::pin!(watcher::watcher(api, config).default_backoff());
                while let Some(event) = events.next().await {
                    shared.apply(&kind, event, &r);
                }
            });
            watch
                .tasks
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(task);
        }
        Ok(())
    }
}

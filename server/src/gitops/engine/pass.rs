//! One reconcile pass of one environment: fetch the mirror, re-render when the head moved,
//! relist the cluster when it changed, auto-sync what is automated and out of sync, and
//! publish the snapshot (and a new tree version when what the UI shows moved).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use atrium_app::dto::env::TreeView;

use super::live;
use super::runtime::{EnvRuntime, Snapshot};
use super::sync::SyncRequest;
use super::view::{app_statuses_cached, tree_nodes_cached, AppStatus};
use super::{Engine, EngineError};
use crate::gitops::destination::IN_CLUSTER_NAME;
use crate::gitops::environment::ClusterTarget;
use crate::gitops::mirror;
use crate::gitops::retry;
use crate::gitops::tree::{render_tree, RenderStatus, RenderedTree};
use crate::resource::{Health, SyncStatus};

/// Runs a pass's CPU work (statuses, the flat tree: tens of milliseconds at thousands of apps)
/// off the async runtime. A panic stays a panic, as it would have been on the pass's task;
/// `None` is the runtime shutting down.
async fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    match tokio::task::spawn_blocking(work).await {
        Ok(done) => Some(done),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => None,
    }
}

impl Engine {
    /// One reconcile pass: re-render when the head moved (or `force`), read live, auto-sync,
    /// publish.
    pub(super) async fn pass(&self, env: &Arc<EnvRuntime>, force: bool) {
        let mut synced_revisions = env.busy.lock().await;
        let began = std::time::Instant::now();
        let previous = env.snapshot();
        let fetch_error = match &env.mirror {
            Some(mirror) => {
                let (url, path) = (env.config.repo.clone(), mirror.clone());
                let remotes = self.remotes.clone();
                let fetch = move || mirror::fetch(&remotes, &url, &path);
                match tokio::task::spawn_blocking(fetch).await {
                    Ok(fetched) => fetched.err().map(EngineError::Fetch),
                    Err(source) => Some(EngineError::FetchTask {
                        url: env.config.repo.clone(),
                        source,
                    }),
                }
            }
            None => None,
        };
        let path = self.repo_path(&env.config);
        let branch = env.config.branch.clone();
        let head = tokio::task::spawn_blocking(move || {
            crate::gitops::checkout::Checkout::open(&path, &branch)
                .ok()
                .and_then(|c| c.sha())
        })
        .await
        .ok()
        .flatten();
        if head != previous.head && self.leadership.is_leader() {
            // The other replicas render the new commit now, alongside the leader, not at their
            // next pass: when the leader's sync of it lands, they are a cluster read away from
            // showing it.
            self.changed(&env.config.name);
        }
        let forced = env.force_render.swap(false, Ordering::SeqCst);
        let tree = if force || forced || head != previous.head || previous.tree.apps.is_empty() {
            let root = env.config.root_spec();
            let repos = self.repos.clone();
            let options = env.options.clone();
            match tokio::task::spawn_blocking(move || render_tree(&root, &repos, &options)).await {
                Ok(tree) => Arc::new(tree),
                Err(e) => {
                    let error = EngineError::RenderTask(e);
                    tracing::error!(env = %env.config.name, "{error}");
                    previous.tree.clone()
                }
            }
        } else {
            previous.tree.clone()
        };
        let extra = extra_kinds(&tree);
        let same_listing = Arc::ptr_eq(&previous.tree, &tree)
            || (extra_kinds(&previous.tree) == extra
                && destinations(&previous.tree) == destinations(&tree));
        let reading = live::read(env, &tree, &previous, &extra, same_listing).await;
        if reading.nothing_read(env) {
            publish(env, tree, Default::default(), None, head, reading.error);
            return;
        }
        let mut live = reading.live.clone();
        let mut live_revision = reading.revision.clone();
        // Auto-sync: apps with `syncPolicy.automated` that are out of sync — on a new revision,
        // or always with `selfHeal`.
        let statuses = {
            let (env, tree, live) = (env.clone(), tree.clone(), live.clone());
            off_runtime(move || statuses(&env, &tree, &live)).await
        };
        let Some(statuses) = statuses else { return };
        let mut synced_any = false;
        // Every replica renders and reads live for its UI; only the leader auto-syncs.
        let leading = self.leadership.is_leader();
        for app in tree.apps.iter().filter(|_| leading) {
            let (Some(automated), RenderStatus::Ok) = (&app.automated, app.status) else {
                continue;
            };
            let cluster = app.cluster.as_deref().unwrap_or(IN_CLUSTER_NAME);
            let Ok(driver) = env.driver_for(Some(cluster)) else {
                continue;
            };
            if reading.failed.contains(cluster) {
                continue;
            }
            if statuses.get(&app.name).map(|s| s.sync) != Some(SyncStatus::OutOfSync) {
                continue;
            }
            // A deploy request syncs its own commit, once.
            if env
                .claims
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(&app.name)
            {
                continue;
            }
            let revision = app.source.revision.clone().unwrap_or_default();
            let new_revision = synced_revisions.get(&app.name) != Some(&revision);
            let retrying = env
                .retries
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(&app.name)
                .cloned();
            let now = std::time::Instant::now();
            if !retry::due(
                new_revision,
                automated.self_heal,
                retrying.as_ref(),
                &revision,
                now,
            ) {
                continue;
            }
            synced_revisions.insert(app.name.clone(), revision.clone());
            let row = self
                .run_sync(env, driver, SyncRequest::auto(app, automated.prune))
                .await;
            let policy = retry::policy_of(app.application.as_ref());
            let next = retry::Retrying::after(
                retrying.as_ref(),
                &revision,
                row.result == "succeeded",
                policy.as_ref(),
                std::time::Instant::now(),
            );
            let mut retries = env.retries.lock().unwrap_or_else(|e| e.into_inner());
            match next {
                Some(r) => retries.insert(app.name.clone(), r),
                None => retries.remove(&app.name),
            };
            drop(retries);
            synced_any = true;
        }
        // The statuses above still describe the cluster unless a sync changed it.
        let mut statuses = Some(statuses);
        let mut cluster_error = reading.error;
        if synced_any {
            statuses = None;
            let after = live::read(env, &tree, &previous, &extra, false).await;
            (live, live_revision, cluster_error) = (after.live, after.revision, after.error);
        }
        drop(synced_revisions);
        // A failed fetch leaves the last fetched commit in force, and says so.
        let live = (live, live_revision);
        let error = [fetch_error.map(|e| e.to_string()), cluster_error]
            .into_iter()
            .flatten()
            .reduce(|a, b| format!("{a}; {b}"));
        let name = env.config.name.clone();
        let env = env.clone();
        off_runtime(move || publish(&env, tree, live, statuses, head, error)).await;
        tracing::debug!(env = %name, ms = began.elapsed().as_millis(), "pass done");
    }
}

/// The statuses of every app of `tree` against `live`, through the environment's cache.
fn statuses(
    env: &EnvRuntime,
    tree: &Arc<RenderedTree>,
    live: &crate::cluster::driver::Inventory,
) -> HashMap<String, AppStatus> {
    let mut cache = env.cache.lock().unwrap_or_else(|e| e.into_inner());
    app_statuses_cached(tree, live, &mut cache, env.config.apply_applications)
}

/// Replace the environment's snapshot, and bump the tree version when what the UI shows moved.
fn publish(
    env: &EnvRuntime,
    tree: Arc<RenderedTree>,
    (live, live_revision): (Arc<crate::cluster::driver::Inventory>, Option<String>),
    statuses: Option<HashMap<String, AppStatus>>,
    head: Option<String>,
    error: Option<String>,
) {
    let statuses = statuses.unwrap_or_else(|| self::statuses(env, &tree, &live));
    let previous = env.snapshot();
    // The view shows the tree, the statuses and the head: when none of them moved (most
    // passes), it is the previous one, and the flat tree is not rebuilt.
    let same = Arc::ptr_eq(&previous.tree, &tree)
        && previous.statuses == statuses
        && previous.head == head
        && previous.error == error;
    let view = if same {
        previous.view.clone()
    } else {
        record_app_counts(&env.config.name, &statuses);
        let mut cache = env.cache.lock().unwrap_or_else(|e| e.into_inner());
        tree_nodes_cached(&tree, &live, &statuses, &mut cache, |nodes| {
            let changed =
                previous.view.nodes != nodes || previous.error != error || previous.head != head;
            Arc::new(TreeView {
                env: env.config.name.clone(),
                revision: head.clone(),
                simulated: env.config.cluster == ClusterTarget::Sim,
                version: previous.view.version + u64::from(changed),
                nodes,
            })
        })
    };
    let (version, changed) = (view.version, view.version != previous.view.version);
    let mut state = env.state.write().unwrap_or_else(|e| e.into_inner());
    *state = Arc::new(Snapshot {
        tree,
        live,
        live_revision,
        statuses,
        view,
        head,
        last_reconcile: Some(crate::audit::now()),
        error,
    });
    drop(state);
    if changed {
        let mut recent = env.recent.lock().unwrap_or_else(|e| e.into_inner());
        recent.push_back(super::recent::RecentView::of(&previous.view));
        while recent.len() > super::runtime::RECENT_VIEWS {
            recent.pop_front();
        }
        drop(recent);
        env.versions.send_replace(version);
    }
}

/// `atrium_apps{environment,sync,health}`: how many apps are in each state (what Argo CD's
/// `argocd_app_info` gives a dashboard), every pair set so a state that emptied reads 0.
fn record_app_counts(env: &str, statuses: &HashMap<String, AppStatus>) {
    let mut counts: HashMap<(SyncStatus, Health), usize> = HashMap::new();
    for status in statuses.values() {
        *counts.entry((status.sync, status.health)).or_default() += 1;
    }
    for sync in SyncStatus::ALL {
        for health in Health::ALL {
            let count = counts.get(&(sync, health)).copied().unwrap_or(0);
            metrics::gauge!("atrium_apps", "environment" => env.to_string(),
                "sync" => sync.as_str(), "health" => health.as_str())
            .set(count as f64);
        }
    }
}

/// Each app's cluster, in tree order: a move to another cluster relists.
fn destinations(tree: &RenderedTree) -> Vec<Option<&str>> {
    tree.apps.iter().map(|a| a.cluster.as_deref()).collect()
}

/// `(apiVersion, kind)`s the desired resources use, so custom kinds are listed too.
fn extra_kinds(tree: &RenderedTree) -> Vec<(String, String)> {
    let mut kinds: Vec<(String, String)> = tree
        .apps
        .iter()
        .flat_map(|a| {
            a.resources
                .iter()
                .map(|r| (r.api_version.to_string(), r.kind.to_string()))
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

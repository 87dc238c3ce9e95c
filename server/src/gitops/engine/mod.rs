//! The engine: per environment, a reconcile loop that renders the App-of-Apps tree from Git
//! (when the branch head moves, or on "refresh now"), reads the live inventory from the
//! cluster, computes sync and health, auto-syncs apps with `syncPolicy.automated`, records
//! every sync, and publishes the tree for the UI (a version bump per change, for the live
//! stream). Implements the UI crate's `EngineService`.

mod running_in;
pub mod view;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use atrium_app::dto::env::{
    AppSourceView, DiffLineView, EnvironmentSummary, NodeDetail, RunningInView, SyncRecordView,
    TreeView,
};
use atrium_app::dto::node::NodeId;
use atrium_app::error::AppError;
use atrium_app::service::{Caller, EngineService};
use tokio::sync::{watch, Notify};

use crate::audit::{outcome, Actor, AuditRecord};
use crate::cluster::driver::{ClusterDriver, DiffOp, LiveResource, ResourceAction, SyncOptions};
use crate::gitops::environment::{ClusterTarget, EnvironmentConfig};
use crate::gitops::mirror;
use crate::gitops::render::RenderOptions;
use crate::gitops::repos::RepoMap;
use crate::gitops::tree::{render_tree, RenderStatus, RenderedTree};
use crate::resource::{Health, SyncStatus};
use crate::store::syncs::SyncRow;
use crate::store::Store;
use view::{app_statuses_cached, tree_nodes_cached, AppStatus, ViewCache};

/// What one environment looked like at the end of its last pass.
#[derive(Default)]
struct Snapshot {
    /// Shared with the next pass while the head does not move (and with the status cache).
    tree: Arc<RenderedTree>,
    /// Shared with the next pass while the cluster's revision does not move.
    live: Arc<HashMap<String, Vec<LiveResource>>>,
    /// The cluster's revision read just before `live` was listed.
    live_revision: Option<String>,
    statuses: HashMap<String, AppStatus>,
    /// Built only when something it shows changed.
    view: Arc<TreeView>,
    head: Option<String>,
    last_reconcile: Option<String>,
    error: Option<String>,
}

struct EnvRuntime {
    config: EnvironmentConfig,
    driver: Result<ClusterDriver, String>,
    /// Keeps the emulator (and its rollout controller) alive.
    _keep_alive: crate::cluster::KeepAlive,
    state: RwLock<Arc<Snapshot>>,
    versions: watch::Sender<u64>,
    wake: Notify,
    /// "Refresh now": re-render at the next pass even if the head did not move.
    force_render: std::sync::atomic::AtomicBool,
    /// Serialises passes and syncs of this environment.
    busy: tokio::sync::Mutex<HashMap<String, String>>,
    /// Statuses and rows of the last pass, reused while nothing under them moved.
    cache: std::sync::Mutex<ViewCache>,
    /// A repo given by URL: its local mirror, fetched before each pass.
    mirror: Option<PathBuf>,
}

pub struct Engine {
    envs: Vec<Arc<EnvRuntime>>,
    repos: RepoMap,
    store: Store,
    options: Arc<RenderOptions>,
    wave_timeout: Duration,
}

/// Engine settings.
#[derive(Clone, Debug)]
pub struct EngineSettings {
    /// Time between passes (Git head poll, live read, auto-sync).
    pub interval: Duration,
    /// How long the emulator's Deployments take to become ready.
    pub sim_rollout_delay: Duration,
    /// Most Applications in one tree.
    pub max_apps: usize,
    /// How long a sync waits for a wave to be healthy before the next.
    pub wave_timeout: Duration,
    /// Where mirrors of environment repos given by URL go.
    pub mirror_dir: PathBuf,
}

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
    /// Connect every environment's cluster (the emulator for `cluster = "sim"`); a cluster that
    /// cannot be reached is an error on that environment only.
    pub fn new(
        envs: Vec<EnvironmentConfig>,
        mut repos: RepoMap,
        store: Store,
        settings: EngineSettings,
    ) -> Arc<Self> {
        let envs = envs
            .into_iter()
            .map(|config| {
                let cluster = crate::cluster::connect(&config.cluster, settings.sim_rollout_delay);
                // Mirrored unless `[[repos]]` maps the URL to a local repository already.
                let mirror = (mirror::is_remote(&config.repo) && !repos.contains(&config.repo))
                    .then(|| mirror::mirror_path(&config.repo, &settings.mirror_dir));
                if let Some(path) = &mirror {
                    repos.insert(&config.repo, path);
                }
                Arc::new(EnvRuntime {
                    config,
                    driver: cluster.driver.map_err(|e| e.to_string()),
                    _keep_alive: cluster.keep_alive,
                    state: RwLock::new(Arc::new(Snapshot::default())),
                    versions: watch::channel(0).0,
                    wake: Notify::new(),
                    force_render: std::sync::atomic::AtomicBool::new(false),
                    busy: tokio::sync::Mutex::new(HashMap::new()),
                    cache: std::sync::Mutex::new(ViewCache::default()),
                    mirror,
                })
            })
            .collect();
        Arc::new(Self {
            envs,
            repos,
            store,
            options: Arc::new(RenderOptions {
                max_apps: settings.max_apps,
                ..RenderOptions::default()
            }),
            wave_timeout: settings.wave_timeout,
        })
    }

    /// One loop per environment, forever.
    pub fn spawn(self: &Arc<Self>, interval: Duration) {
        for env in &self.envs {
            let engine = self.clone();
            let env = env.clone();
            tokio::spawn(async move {
                loop {
                    engine.pass(&env, false).await;
                    tokio::select! {
                        _ = tokio::time::sleep(interval) => {}
                        _ = env.wake.notified() => {}
                    }
                }
            });
        }
    }

    /// Run one pass of every environment now (tests, benchmarks, start-up).
    pub async fn reconcile_all(&self) {
        for env in &self.envs {
            self.pass(env, true).await;
        }
    }

    fn env(&self, name: &str) -> Result<&Arc<EnvRuntime>, AppError> {
        self.envs
            .iter()
            .find(|e| e.config.name == name)
            .ok_or_else(|| AppError::NotFound(format!("no environment `{name}` is configured")))
    }

    /// The live-update channel of an environment: its tree version.
    pub fn subscribe(&self, env: &str) -> Option<watch::Receiver<u64>> {
        self.env(env).ok().map(|e| e.versions.subscribe())
    }

    fn repo_path(&self, env: &EnvironmentConfig) -> PathBuf {
        self.repos
            .resolve(&env.repo)
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| PathBuf::from(&env.repo))
    }

    /// One reconcile pass: re-render when the head moved (or `force`), read live, auto-sync,
    /// publish.
    async fn pass(&self, env: &Arc<EnvRuntime>, force: bool) {
        let mut synced_revisions = env.busy.lock().await;
        let previous = env.state.read().unwrap_or_else(|e| e.into_inner()).clone();
        let fetch_error = match &env.mirror {
            Some(mirror) => {
                let (url, path) = (env.config.repo.clone(), mirror.clone());
                tokio::task::spawn_blocking(move || mirror::fetch(&url, &path))
                    .await
                    .unwrap_or_else(|e| Err(format!("fetching {}: {e}", env.config.repo)))
                    .err()
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
        let forced = env
            .force_render
            .swap(false, std::sync::atomic::Ordering::SeqCst);
        let tree = if force || forced || head != previous.head || previous.tree.apps.is_empty() {
            let root = env.config.root_spec();
            let repos = self.repos.clone();
            let options = self.options.clone();
            match tokio::task::spawn_blocking(move || render_tree(&root, &repos, &options)).await {
                Ok(tree) => Arc::new(tree),
                Err(e) => {
                    tracing::error!(env = %env.config.name, "render task failed: {e}");
                    previous.tree.clone()
                }
            }
        } else {
            previous.tree.clone()
        };
        let driver = match &env.driver {
            Ok(driver) => driver,
            Err(message) => {
                let live = Default::default();
                Self::publish(env, tree, live, None, head, Some(message.clone()));
                return;
            }
        };
        let extra = extra_kinds(&tree);
        // The relist (one list per kind, every object) only when the cluster changed since
        // the last one: a quiet estate of 20,000 objects costs one small read per pass.
        let revision = driver.revision().await.ok().flatten();
        let unchanged = revision.is_some()
            && revision == previous.live_revision
            && (Arc::ptr_eq(&previous.tree, &tree) || extra_kinds(&previous.tree) == extra);
        let listed = if unchanged {
            Ok(previous.live.clone())
        } else {
            driver.inventory(&extra).await.map(Arc::new)
        };
        let mut live_revision = revision;
        let mut live = match listed {
            Ok(live) => live,
            Err(e) => {
                let message = format!("the cluster did not answer: {}", error_chain(&e));
                Self::publish(env, tree, Default::default(), None, head, Some(message));
                return;
            }
        };
        // Auto-sync: apps with `syncPolicy.automated` that are out of sync — on a new revision,
        // or always with `selfHeal`.
        let statuses = {
            let (env, tree, live) = (env.clone(), tree.clone(), live.clone());
            off_runtime(move || Self::statuses(&env, &tree, &live)).await
        };
        let Some(statuses) = statuses else { return };
        let mut synced_any = false;
        for app in &tree.apps {
            let (Some(automated), RenderStatus::Ok) = (&app.automated, app.status) else {
                continue;
            };
            if statuses.get(&app.name).map(|s| s.sync) != Some(SyncStatus::OutOfSync) {
                continue;
            }
            let revision = app.source.revision.clone().unwrap_or_default();
            let new_revision = synced_revisions.get(&app.name) != Some(&revision);
            if !(new_revision || automated.self_heal) {
                continue;
            }
            synced_revisions.insert(app.name.clone(), revision);
            let actor = Actor {
                subject: "auto-sync".into(),
                name: "auto-sync".into(),
                groups: Vec::new(),
            };
            self.run_sync(env, driver, app, automated.prune, actor, "auto", None)
                .await;
            synced_any = true;
        }
        // The statuses above still describe the cluster unless a sync changed it.
        let mut statuses = Some(statuses);
        if synced_any {
            statuses = None;
            live_revision = driver.revision().await.ok().flatten();
            match driver.inventory(&extra).await {
                Ok(after) => live = Arc::new(after),
                Err(_) => live_revision = None,
            }
        }
        drop(synced_revisions);
        // A failed fetch leaves the last fetched commit in force, and says so.
        let live = (live, live_revision);
        let env = env.clone();
        off_runtime(move || Self::publish(&env, tree, live, statuses, head, fetch_error)).await;
    }

    /// Apply one app and record it (sync history + audit). Nothing is applied from an app that
    /// did not render completely.
    #[allow(clippy::too_many_arguments)]
    async fn run_sync(
        &self,
        env: &EnvRuntime,
        driver: &ClusterDriver,
        app: &crate::gitops::tree::RenderedApp,
        prune: bool,
        actor: Actor,
        trigger: &str,
        caller: Option<&Caller>,
    ) -> SyncRow {
        let options = SyncOptions {
            prune,
            create_namespace: app.sync_options.iter().any(|o| o == "CreateNamespace=true"),
            dry_run: false,
            wait_for_health: Some(self.wave_timeout),
        };
        let (result, message, details) =
            match driver.apply(&app.name, &app.resources, options).await {
                Ok(report) => {
                    let count = |a: ResourceAction| report.with_action(a).count();
                    let message = format!(
                        "{} created, {} configured, {} unchanged, {} pruned, {} failed",
                        count(ResourceAction::Created),
                        count(ResourceAction::Configured),
                        count(ResourceAction::Unchanged),
                        count(ResourceAction::Pruned),
                        count(ResourceAction::Failed),
                    );
                    let failures: Vec<String> = report
                        .with_action(ResourceAction::Failed)
                        .map(|r| format!("{}: {}", r.key, r.message))
                        .collect();
                    let result = if report.succeeded() {
                        "succeeded"
                    } else {
                        "failed"
                    };
                    let message = if failures.is_empty() {
                        message
                    } else {
                        format!("{message}: {}", failures.join("; "))
                    };
                    (
                        result,
                        message,
                        serde_json::to_value(&report.results).unwrap_or_default(),
                    )
                }
                Err(e) => (
                    "failed",
                    format!("the cluster did not answer: {}", error_chain(&e)),
                    serde_json::Value::Null,
                ),
            };
        let row = SyncRow {
            env: env.config.name.clone(),
            app: app.name.clone(),
            at: crate::audit::now(),
            actor_subject: actor.subject.clone(),
            actor_name: actor.name.clone(),
            trigger: trigger.into(),
            revision: app.source.revision.clone(),
            result: result.into(),
            message: message.clone(),
            details,
        };
        if let Err(e) = self.store.record_sync(&row).await {
            tracing::error!("recording a sync failed: {e}");
        }
        let mut record = AuditRecord::new(
            actor,
            "applications.sync",
            format!("{}/{}", env.config.name, app.name),
            if result == "succeeded" {
                outcome::SUCCESS
            } else {
                outcome::FAILURE
            },
        )
        .with_details(serde_json::json!({
            "trigger": trigger, "revision": app.source.revision, "prune": prune, "message": message,
        }));
        if let Some(caller) = caller {
            record = record.with_request(caller.request_id.clone(), caller.client_ip.clone());
        }
        if let Err(e) = self.store.append_audit(&record).await {
            tracing::error!("audit append failed: {e}");
        }
        tracing::info!(env = %env.config.name, app = %app.name, trigger, result, "{message}");
        row
    }

    fn statuses(
        env: &EnvRuntime,
        tree: &Arc<RenderedTree>,
        live: &HashMap<String, Vec<LiveResource>>,
    ) -> HashMap<String, AppStatus> {
        let mut cache = env.cache.lock().unwrap_or_else(|e| e.into_inner());
        app_statuses_cached(tree, live, &mut cache)
    }

    fn publish(
        env: &EnvRuntime,
        tree: Arc<RenderedTree>,
        (live, live_revision): (Arc<HashMap<String, Vec<LiveResource>>>, Option<String>),
        statuses: Option<HashMap<String, AppStatus>>,
        head: Option<String>,
        error: Option<String>,
    ) {
        let statuses = statuses.unwrap_or_else(|| Self::statuses(env, &tree, &live));
        let previous = Self::snapshot(env);
        // The view shows the tree, the statuses and the head: when none of them moved (most
        // passes), it is the previous one, and the flat tree is not rebuilt.
        let same = Arc::ptr_eq(&previous.tree, &tree)
            && previous.statuses == statuses
            && previous.head == head
            && previous.error == error;
        let view = if same {
            previous.view.clone()
        } else {
            let nodes = {
                let mut cache = env.cache.lock().unwrap_or_else(|e| e.into_inner());
                tree_nodes_cached(&tree, &live, &statuses, &mut cache)
            };
            let changed =
                previous.view.nodes != nodes || previous.error != error || previous.head != head;
            Arc::new(TreeView {
                env: env.config.name.clone(),
                revision: head.clone(),
                simulated: env.config.cluster == ClusterTarget::Sim,
                version: previous.view.version + u64::from(changed),
                nodes,
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
            env.versions.send_replace(version);
        }
    }

    fn snapshot(env: &EnvRuntime) -> Arc<Snapshot> {
        env.state.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// `(apiVersion, kind)`s the desired resources use, so custom kinds are listed too.
fn extra_kinds(tree: &RenderedTree) -> Vec<(String, String)> {
    let mut kinds: Vec<(String, String)> = tree
        .apps
        .iter()
        .flat_map(|a| {
            a.resources
                .iter()
                .map(|r| (r.api_version.clone(), r.kind.clone()))
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

use crate::util::error_chain;

fn sync_view(row: &SyncRow) -> SyncRecordView {
    SyncRecordView {
        at: row.at.clone(),
        actor: row.actor_name.clone(),
        revision: row.revision.clone(),
        result: row.result.clone(),
        message: row.message.clone(),
    }
}

#[async_trait::async_trait]
impl EngineService for Engine {
    async fn environments(&self) -> Vec<EnvironmentSummary> {
        self.envs
            .iter()
            .map(|env| {
                let snap = Self::snapshot(env);
                let count = |f: &dyn Fn(&AppStatus) -> bool| {
                    snap.statuses.values().filter(|s| f(s)).count()
                };
                EnvironmentSummary {
                    name: env.config.name.clone(),
                    production: env.config.production,
                    cluster: match &env.config.cluster {
                        ClusterTarget::Sim => "simulated cluster".into(),
                        ClusterTarget::Context(c) => c.clone(),
                    },
                    simulated: env.config.cluster == ClusterTarget::Sim,
                    repo: env.config.repo.clone(),
                    branch: env.config.branch.clone(),
                    revision: snap.head.clone(),
                    apps: snap.tree.apps.len(),
                    out_of_sync: count(&|s| s.sync == SyncStatus::OutOfSync),
                    degraded: count(&|s| s.health == Health::Degraded),
                    progressing: count(&|s| s.health == Health::Progressing),
                    last_reconcile: snap.last_reconcile.clone(),
                    error: snap.error.clone(),
                }
            })
            .collect()
    }

    async fn tree(&self, env: &str) -> Result<TreeView, AppError> {
        let env = self.env(env)?;
        let mut view = TreeView::clone(&Self::snapshot(env).view);
        // Before the first pass: an empty tree, but of this environment.
        view.env.clone_from(&env.config.name);
        view.simulated = env.config.cluster == ClusterTarget::Sim;
        Ok(view)
    }

    async fn node(&self, env_name: &str, node: &NodeId) -> Result<NodeDetail, AppError> {
        let env = self.env(env_name)?;
        let snap = Self::snapshot(env);
        let found = snap.view.nodes.iter().find(|n| n.id == *node).cloned();
        let Some(found) = found else {
            return Err(AppError::NotFound(format!(
                "no node `{node}` in {env_name}"
            )));
        };
        let app_name = node.app().to_string();
        let app = snap.tree.get(&app_name);
        let mut detail = NodeDetail::new(found, app_name.clone());
        if node.is_app() {
            if let Some(app) = app {
                detail.source = Some(AppSourceView {
                    repo_url: app.source.repo_url.clone(),
                    path: app.source.path.clone(),
                    target_revision: app.source.target_revision.clone(),
                    resolved_revision: app.source.revision.clone(),
                    renderer: app
                        .source
                        .renderer
                        .map(|r| r.as_str().to_string())
                        .unwrap_or_default(),
                    automated: app.automated.is_some(),
                    prune: app.automated.as_ref().is_some_and(|a| a.prune),
                    self_heal: app.automated.as_ref().is_some_and(|a| a.self_heal),
                });
            }
            let syncs = self
                .store
                .recent_syncs(env_name, &app_name, 10)
                .await
                .map_err(|e| {
                    tracing::error!("reading syncs failed: {e}");
                    AppError::Internal("the sync history could not be read".into())
                })?;
            detail.syncs = syncs.iter().map(sync_view).collect();
            return Ok(detail);
        }
        let key = node.resource_key().unwrap_or_default();
        let desired = app.and_then(|a| a.resources.iter().find(|r| r.key() == key));
        let live = snap
            .live
            .get(&app_name)
            .and_then(|l| l.iter().find(|r| r.key == key));
        if let Some(desired) = desired {
            let d = crate::cluster::driver::diff(
                &desired.manifest,
                live.map(|l| &l.object).unwrap_or(&serde_json::Value::Null),
            );
            detail.desired_yaml = Some(d.desired_yaml);
            detail.live_yaml = live.map(|_| d.live_yaml);
            detail.diff = d
                .lines
                .into_iter()
                .map(|l| DiffLineView {
                    tag: match l.op {
                        DiffOp::Same => ' ',
                        DiffOp::Added => '+',
                        DiffOp::Removed => '-',
                    },
                    text: l.text,
                })
                .collect();
        }
        Ok(detail)
    }

    async fn sync(
        &self,
        caller: &Caller,
        env_name: &str,
        app_name: &str,
        prune: bool,
    ) -> Result<SyncRecordView, AppError> {
        let env = self.env(env_name)?;
        let driver = env
            .driver
            .as_ref()
            .map_err(|m| AppError::BadRequest(format!("{env_name}: {m}")))?;
        let snap = Self::snapshot(env);
        let app = snap
            .tree
            .get(app_name)
            .ok_or_else(|| AppError::NotFound(format!("no app `{app_name}` in {env_name}")))?;
        if app.status != RenderStatus::Ok {
            return Err(AppError::BadRequest(format!(
                "{app_name} did not render ({}), so nothing is applied: {}",
                app.status.as_str(),
                app.message
            )));
        }
        let actor = crate::auth::access::actor_of(caller);
        let guard = env.busy.lock().await;
        let row = self
            .run_sync(env, driver, app, prune, actor, "manual", Some(caller))
            .await;
        drop(guard);
        env.wake.notify_one();
        Ok(sync_view(&row))
    }

    async fn running_in(&self, name: &str, annotations: &[(String, String)]) -> RunningInView {
        running_in::running_in(&self.envs, Self::snapshot, name, annotations)
    }

    fn refresh(&self, env: &str) -> Result<(), AppError> {
        let env = self.env(env)?;
        env.force_render
            .store(true, std::sync::atomic::Ordering::SeqCst);
        env.wake.notify_one();
        Ok(())
    }
}

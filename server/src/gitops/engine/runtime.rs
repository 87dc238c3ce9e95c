//! One environment at run time: its cluster connection, the snapshot its last pass published,
//! what wakes its loop, and the loop itself (a pass per interval, or sooner when woken).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use atrium_app::dto::env::TreeView;
use tokio::sync::{watch, Notify};

use super::view::{AppStatus, ViewCache};
use super::{Engine, EngineError, EngineSettings, Result};
use crate::cluster::driver::{ClusterDriver, LiveWatch, ResourceAction, SyncReport};
use crate::gitops::destination::IN_CLUSTER_NAME;
use crate::gitops::environment::EnvironmentConfig;
use crate::gitops::mirror;
use crate::gitops::render::RenderOptions;
use crate::gitops::repos::RepoMap;
use crate::gitops::tree::RenderedTree;

/// What one environment looked like at the end of its last pass.
#[derive(Default)]
pub(super) struct Snapshot {
    /// Shared with the next pass while the head does not move (and with the status cache).
    pub(super) tree: Arc<RenderedTree>,
    /// Shared with the next pass while the cluster's revision does not move.
    pub(super) live: Arc<crate::cluster::driver::Inventory>,
    /// The cluster's revision read just before `live` was listed.
    pub(super) live_revision: Option<String>,
    pub(super) statuses: HashMap<String, AppStatus>,
    /// Built only when something it shows changed.
    pub(super) view: Arc<TreeView>,
    pub(super) head: Option<String>,
    pub(super) last_reconcile: Option<String>,
    pub(super) error: Option<String>,
}

pub(super) struct EnvRuntime {
    pub(super) config: EnvironmentConfig,
    /// Every cluster its Applications may target, its own (`in-cluster`) first.
    pub(super) clusters: Vec<EnvCluster>,
    /// The engine's render options with this environment's clusters.
    pub(super) options: Arc<RenderOptions>,
    pub(super) state: RwLock<Arc<Snapshot>>,
    pub(super) versions: watch::Sender<u64>,
    pub(super) wake: Notify,
    /// "Refresh now": re-render at the next pass even if the head did not move.
    pub(super) force_render: AtomicBool,
    /// Serialises passes and syncs of this environment.
    pub(super) busy: tokio::sync::Mutex<HashMap<String, String>>,
    /// Statuses and rows of the last pass, reused while nothing under them moved.
    pub(super) cache: std::sync::Mutex<ViewCache>,
    /// A repo given by URL: its local mirror, fetched before each pass.
    pub(super) mirror: Option<PathBuf>,
    /// Apps whose last auto-sync failed, for `syncPolicy.retry`.
    pub(super) retries: std::sync::Mutex<HashMap<String, crate::gitops::retry::Retrying>>,
    /// Apps a deploy request is carrying out: the pass does not auto-sync them.
    pub(super) claims: std::sync::Mutex<std::collections::HashSet<String>>,
    /// The views before the current one (newest last), so a live page a few versions behind
    /// gets the rows that changed instead of the whole tree.
    pub(super) recent: std::sync::Mutex<std::collections::VecDeque<super::recent::RecentView>>,
}

/// One of an environment's clusters at run time.
pub(super) struct EnvCluster {
    /// Its destination name (`in-cluster` for the environment's own).
    pub(super) name: String,
    /// Shared with every refused sync, which names it as its cause.
    pub(super) driver: Result<ClusterDriver, Arc<EngineError>>,
    /// Its live inventory, kept by watches once the first pass starts them.
    pub(super) watch: LiveWatch,
    /// Keeps an emulator (and its rollout controller) alive.
    _keep_alive: crate::cluster::KeepAlive,
}

/// Watch events closer together than this wake the loop once.
const WAKE_COALESCE: Duration = Duration::from_millis(250);

/// How long a sync waits for the watches to see its writes.
const SETTLE_LIMIT: Duration = Duration::from_secs(5);

/// Views kept for deltas: a page further behind than this fetches the whole tree.
pub(super) const RECENT_VIEWS: usize = 8;

impl EnvRuntime {
    /// Connect the environment's clusters (starting an emulator for each `sim`) and,
    /// for a repo given by URL, register the mirror it will be read through.
    pub(super) fn start(
        config: EnvironmentConfig,
        settings: &EngineSettings,
        options: &RenderOptions,
        repos: &mut RepoMap,
    ) -> Self {
        let destinations = config.destinations();
        let clusters = destinations
            .iter()
            .map(|d| {
                let connected = crate::cluster::connect(&d.target, settings.sim_rollout_delay);
                EnvCluster {
                    name: d.name.clone(),
                    driver: connected.driver.map_err(|e| Arc::new(EngineError::from(e))),
                    watch: LiveWatch::default(),
                    _keep_alive: connected.keep_alive,
                }
            })
            .collect();
        let options = Arc::new(RenderOptions {
            clusters: destinations,
            ..options.clone()
        });
        // Mirrored unless `[[repos]]` maps the URL to a local repository already.
        let mirror = (mirror::is_remote(&config.repo) && !repos.contains(&config.repo))
            .then(|| mirror::mirror_path(&config.repo, &settings.mirror_dir));
        if let Some(path) = &mirror {
            repos.insert(&config.repo, path);
        }
        Self {
            config,
            clusters,
            options,
            state: RwLock::new(Arc::new(Snapshot::default())),
            versions: watch::channel(0).0,
            wake: Notify::new(),
            force_render: AtomicBool::new(false),
            busy: tokio::sync::Mutex::new(HashMap::new()),
            cache: std::sync::Mutex::new(ViewCache::default()),
            mirror,
            claims: Default::default(),
            retries: Default::default(),
            recent: Default::default(),
        }
    }

    /// The driver of the cluster an app deploys to (`cluster`: its resolved destination).
    pub(super) fn driver_for(&self, cluster: Option<&str>) -> Result<&ClusterDriver, EngineError> {
        let name = cluster.unwrap_or(IN_CLUSTER_NAME);
        let Some(found) = self.clusters.iter().find(|c| c.name == name) else {
            return Err(EngineError::UnknownCluster {
                env: self.config.name.clone(),
                cluster: name.to_string(),
            });
        };
        found
            .driver
            .as_ref()
            .map_err(|source| EngineError::NoCluster {
                env: if name == IN_CLUSTER_NAME {
                    self.config.name.clone()
                } else {
                    format!("{}, cluster {name}", self.config.name)
                },
                source: source.clone(),
            })
    }

    /// After a sync: waits (briefly) until the watches have seen what it wrote and pruned,
    /// so the next read of the inventory includes the sync.
    pub(super) async fn settle(&self, cluster: Option<&str>, report: &SyncReport) {
        let name = cluster.unwrap_or(IN_CLUSTER_NAME);
        let Some(cluster) = self.clusters.iter().find(|c| c.name == name) else {
            return;
        };
        // Hooks go by their delete policies, so where they end up is not known here.
        let written: Vec<(String, Option<String>)> = report
            .results
            .iter()
            .filter(|r| r.hook.is_none())
            .filter_map(|r| match r.action {
                ResourceAction::Created | ResourceAction::Configured => {
                    Some((r.key.clone(), r.resource_version.clone()))
                }
                ResourceAction::Pruned => Some((r.key.clone(), None)),
                _ => None,
            })
            .collect();
        if !cluster.watch.caught_up(&written, SETTLE_LIMIT).await {
            tracing::warn!(env = %self.config.name, cluster = %name, "the watches did not see a sync's writes within {} s", SETTLE_LIMIT.as_secs());
        }
    }

    /// The snapshot the last pass published.
    pub(super) fn snapshot(&self) -> Arc<Snapshot> {
        self.state.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Engine {
    /// One loop per environment, forever; a change its watches see wakes it.
    pub fn spawn(self: &Arc<Self>, interval: Duration) {
        for env in &self.envs {
            for cluster in &env.clusters {
                let mut changes = cluster.watch.subscribe();
                let woken = env.clone();
                tokio::spawn(async move {
                    while changes.changed().await.is_ok() {
                        woken.wake.notify_one();
                        // Events come in bursts (a rollout, a sync): one pass for a burst.
                        tokio::time::sleep(WAKE_COALESCE).await;
                    }
                });
            }
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

    /// Before a new leader's first auto-sync: the revisions its predecessors auto-synced (to
    /// success or failure) count as synced here too, so no commit is auto-synced twice across
    /// a change of leader; an interrupted sync is not among them and runs again.
    pub async fn carry_on_auto_syncs(&self) -> crate::store::Result<()> {
        for env in &self.envs {
            let last = self.store.last_auto_syncs(&env.config.name).await?;
            let mut synced = env.busy.lock().await;
            synced.extend(last);
        }
        Ok(())
    }

    /// Run one pass of every environment now (tests, benchmarks, start-up).
    pub async fn reconcile_all(&self) {
        for env in &self.envs {
            self.pass(env, true).await;
        }
    }
}

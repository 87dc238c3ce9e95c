//! The engine: per environment, a reconcile loop that renders the App-of-Apps tree from Git
//! (when the branch head moves, or on "refresh now"), reads the live inventory from the
//! cluster, computes sync and health, auto-syncs apps with `syncPolicy.automated`, records
//! every sync, and publishes the tree for the UI (a version bump per change, for the live
//! stream). Implements the UI crate's `EngineService`.
//!
//! One file per job:
//! - this file: the [`Engine`] itself, its settings and construction;
//! - `error`: [`EngineError`], and its conversion into the UI's error;
//! - `runtime`: one environment's state (cluster, last snapshot, wake-up) and the loop;
//! - `live`: reading the environment's clusters (each app's objects from its destination);
//! - `pass`: one reconcile pass (fetch, render, relist, auto-sync, publish);
//! - `sync`: applying one app and recording it;
//! - `service`: the `EngineService` the UI calls;
//! - [`view`] and `running_in`: what the UI is shown, built from a snapshot;
//! - `compare`: two environments' snapshots side by side.

mod compare;
mod deploys;
mod error;
mod live;
mod pass;
mod recent;
mod running_in;
mod runtime;
mod service;
mod sync;
pub mod view;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::gitops::environment::EnvironmentConfig;
use crate::gitops::render::RenderOptions;
use crate::gitops::repos::RepoMap;
use crate::store::Store;
pub use deploys::{AppSnapshot, EnvRepo, SyncOutcome};
pub use error::{EngineError, Result};
use runtime::{EnvRuntime, Snapshot};

/// Every configured environment's runtime, and what their passes and syncs share.
pub struct Engine {
    envs: Vec<Arc<EnvRuntime>>,
    repos: RepoMap,
    store: Store,
    wave_timeout: Duration,
    remotes: Arc<crate::gitremote::Remotes>,
    /// Only the leader auto-syncs and syncs for deploy requests.
    leadership: Arc<crate::replicas::Leadership>,
    /// Told the environment after every sync and refresh, for the other replicas.
    fanout: std::sync::OnceLock<crate::replicas::fanout::Tell>,
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
    /// How they are fetched and pushed to: the configured credentials.
    pub remotes: Arc<crate::gitremote::Remotes>,
    /// Whether this replica leads (auto-syncs); every replica renders and reads live.
    pub leadership: Arc<crate::replicas::Leadership>,
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
        let options = RenderOptions {
            max_apps: settings.max_apps,
            ..RenderOptions::default()
        };
        let envs = envs
            .into_iter()
            .map(|config| Arc::new(EnvRuntime::start(config, &settings, &options, &mut repos)))
            .collect();
        Arc::new(Self {
            envs,
            repos,
            store,
            wave_timeout: settings.wave_timeout,
            remotes: settings.remotes,
            leadership: settings.leadership,
            fanout: std::sync::OnceLock::new(),
        })
    }

    /// Whether this replica leads (auto-syncs, runs the deploy executor).
    pub fn leadership(&self) -> &Arc<crate::replicas::Leadership> {
        &self.leadership
    }

    /// How environment repositories given by URL are fetched and pushed to.
    pub fn remotes(&self) -> Arc<crate::gitremote::Remotes> {
        self.remotes.clone()
    }

    fn env(&self, name: &str) -> Result<&Arc<EnvRuntime>> {
        self.envs
            .iter()
            .find(|e| e.config.name == name)
            .ok_or_else(|| EngineError::UnknownEnvironment(name.to_string()))
    }

    /// Each environment's name and whether it is production (its `production` flag): what
    /// the owner convention reads.
    pub fn production_flags(&self) -> impl Iterator<Item = (&str, bool)> {
        self.envs
            .iter()
            .map(|e| (e.config.name.as_str(), e.config.production))
    }

    /// Each environment's name, repository (URL or local path, as configured) and branch: what
    /// a push webhook is matched against.
    pub fn repositories(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.envs.iter().map(|e| {
            let c = &e.config;
            (c.name.as_str(), c.repo.as_str(), c.branch.as_str())
        })
    }

    /// Run a pass of `env` (every environment: `None`) now: another replica synced there, or
    /// this one just became the leader.
    pub fn wake(&self, env: Option<&str>) {
        for e in self
            .envs
            .iter()
            .filter(|e| env.is_none_or(|n| n == e.config.name))
        {
            e.wake.notify_one();
        }
    }

    /// Also tell `fanout` the environment after every sync and refresh here, so the other
    /// replicas run a pass of it. Set once; later calls are ignored.
    pub fn set_fanout(&self, fanout: crate::replicas::fanout::Tell) {
        let _ = self.fanout.set(fanout);
    }

    /// Tell the other replicas that `env` moved.
    fn changed(&self, env: &str) {
        if let Some(fanout) = self.fanout.get() {
            fanout(env);
        }
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
}

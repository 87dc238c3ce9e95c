//! What the deploy workflow needs from the GitOps engine, as a trait the engine implements:
//! the environments' repositories, an app as the last render and the live state show it, a
//! re-render up to a commit, and the engine's own sync of one app. The workflow holds no
//! cluster or render code of its own, so a deploy applies exactly as "Sync now" does.

use std::path::PathBuf;
use std::time::Duration;

use atrium_app::dto::deploy::SyncView;

use crate::audit::Actor;

/// One environment's repository, as the executor writes to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvRepo {
    pub env: String,
    pub production: bool,
    /// The local repository commits are made in (the repo itself, or the mirror of a URL).
    pub local: PathBuf,
    /// The URL pushed to after committing, when the repository is a remote one.
    pub remote: Option<String>,
    pub branch: String,
    /// The root Application manifest's path (the root app's "application file").
    pub root_file: String,
}

/// An app as the engine last saw it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppSnapshot {
    pub name: String,
    pub parent: Option<String>,
    /// The parent's source path in the environment repository (where this app's Application
    /// manifest lives), when the parent's source is that repository.
    pub parent_source_path: Option<String>,
    /// The app's source path when its source is the environment repository; `None` when it is
    /// another repository.
    pub source_path: Option<String>,
    pub repo_url: String,
    pub target_revision: String,
    /// `directory`, `kustomize` or `helm`.
    pub renderer: String,
    /// Whether it rendered completely (nothing is deployed from an app that did not).
    pub rendered: bool,
    pub render_message: String,
    /// `(container, image)` of its workloads, main container first.
    pub containers: Vec<(String, String)>,
    /// The version column's value (the main container's tag).
    pub version: Option<String>,
    /// `Synced`, `OutOfSync`, `Unknown`.
    pub sync: String,
    /// Argo CD's health word, and why (the worst resource's message).
    pub health: String,
    pub health_message: String,
    /// When the engine last read the cluster for this environment (RFC 3339).
    pub observed_at: Option<String>,
    /// The commit the environment's tree was rendered from.
    pub head: Option<String>,
}

/// How a sync the executor asked for ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncOutcome {
    pub succeeded: bool,
    pub view: SyncView,
}

/// The engine, as the deploy workflow uses it.
#[async_trait::async_trait]
pub trait Engine: Send + Sync + 'static {
    /// Every environment's repository, in promotion order.
    fn repos(&self) -> Vec<EnvRepo>;
    /// `app` in `env`, as last rendered and observed.
    fn app(&self, env: &str, app: &str) -> Option<AppSnapshot>;
    /// Every app of `env` (for the `apps` listing and the version picker).
    fn apps(&self, env: &str) -> Vec<AppSnapshot>;
    /// Re-render `env` now and wait until its tree is rendered from `commit` or a later one.
    async fn await_commit(&self, env: &str, commit: &str, timeout: Duration) -> Result<(), String>;
    /// Sync `app` of `env` the way "Sync now" does (waves, hooks, health), recorded as a
    /// `deploy` sync by `actor` for `request`.
    async fn sync_app(
        &self,
        env: &str,
        app: &str,
        actor: Actor,
        request: &str,
    ) -> Result<SyncOutcome, String>;
    /// While claimed, the engine does not auto-sync the app: the executor syncs it, once.
    fn claim(&self, env: &str, app: &str, claimed: bool);
}

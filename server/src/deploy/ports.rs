//! What the deploy workflow needs from the GitOps engine, as a trait the engine implements:
//! the environments' repositories, an app as the last render and the live state show it, a
//! re-render up to a commit, and the engine's own sync of one app. The workflow holds no
//! cluster or render code of its own, so a deploy applies exactly as "Sync now" does.

use std::time::Duration;

use crate::audit::Actor;

pub use crate::gitops::engine::{AppSnapshot, EnvRepo, SyncOutcome};

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
    /// Wait until the engine has read `env`'s cluster at `since` (RFC 3339) or later.
    async fn await_observed(&self, env: &str, since: &str, timeout: Duration)
        -> Result<(), String>;
    /// While claimed, the engine does not auto-sync the app: the executor syncs it, once.
    fn claim(&self, env: &str, app: &str, claimed: bool);
    /// How remote environment repositories are fetched and pushed to (their credentials).
    fn remotes(&self) -> std::sync::Arc<crate::gitremote::Remotes>;
}

#[async_trait::async_trait]
impl Engine for crate::gitops::engine::Engine {
    fn repos(&self) -> Vec<EnvRepo> {
        self.deploy_repos()
    }

    fn remotes(&self) -> std::sync::Arc<crate::gitremote::Remotes> {
        self.remotes()
    }

    fn app(&self, env: &str, app: &str) -> Option<AppSnapshot> {
        self.deploy_app(env, app)
    }

    fn apps(&self, env: &str) -> Vec<AppSnapshot> {
        self.deploy_apps(env)
    }

    async fn await_commit(&self, env: &str, commit: &str, timeout: Duration) -> Result<(), String> {
        crate::gitops::engine::Engine::await_commit(self, env, commit, timeout).await
    }

    async fn sync_app(
        &self,
        env: &str,
        app: &str,
        actor: Actor,
        request: &str,
    ) -> Result<SyncOutcome, String> {
        self.sync_for_request(env, app, actor, request).await
    }

    async fn await_observed(
        &self,
        env: &str,
        since: &str,
        timeout: Duration,
    ) -> Result<(), String> {
        crate::gitops::engine::Engine::await_observed(self, env, since, timeout).await
    }

    fn claim(&self, env: &str, app: &str, claimed: bool) {
        self.claim_app(env, app, claimed)
    }
}

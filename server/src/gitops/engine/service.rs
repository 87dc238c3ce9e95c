//! The engine as the UI sees it (`EngineService`): environment cards, an environment's tree,
//! a node's detail with its diff and sync history, "Sync now", "Refresh now" and where a
//! catalog component runs.

use std::sync::atomic::Ordering;

use atrium_app::dto::compare::{CompareView, ResourcePair};
use atrium_app::dto::env::{
    AppSourceView, DiffLineView, EnvironmentSummary, NodeDetail, RunningInView, SyncRecordView,
    TreeDelta, TreeView,
};
use atrium_app::dto::node::NodeId;
use atrium_app::error::AppError;
use atrium_app::service::{Caller, EngineService};

use super::runtime::EnvRuntime;
use super::sync::SyncRequest;
use super::view::AppStatus;
use super::{running_in, Engine, EngineError};
use crate::cluster::driver::DiffOp;
use crate::gitops::environment::ClusterTarget;
use crate::gitops::tree::{AppKind, RenderStatus};
use crate::resource::{Health, SyncStatus};
use crate::store::syncs::SyncRow;

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
                let snap = env.snapshot();
                let count = |f: &dyn Fn(&AppStatus) -> bool| {
                    snap.statuses.values().filter(|s| f(s)).count()
                };
                EnvironmentSummary {
                    name: env.config.name.clone(),
                    production: env.config.production,
                    cluster: match &env.config.cluster {
                        ClusterTarget::Sim => "simulated cluster".into(),
                        ClusterTarget::Context(c) => c.clone(),
                        ClusterTarget::InCluster => "in-cluster".into(),
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
                    // Per caller: the server function fills it in.
                    may_refresh: false,
                }
            })
            .collect()
    }

    async fn tree(&self, env: &str) -> Result<TreeView, AppError> {
        let env = self.env(env)?;
        let mut view = TreeView::clone(&env.snapshot().view);
        // Before the first pass: an empty tree, but of this environment.
        view.env.clone_from(&env.config.name);
        view.simulated = env.config.cluster == ClusterTarget::Sim;
        Ok(view)
    }

    async fn tree_delta(&self, env: &str, since: u64) -> Result<Option<TreeDelta>, AppError> {
        let env = self.env(env)?;
        let current = env.snapshot().view.clone();
        if current.version == since {
            return Ok(Some(TreeDelta {
                from: since,
                version: since,
                revision: current.revision.clone(),
                changed: Vec::new(),
            }));
        }
        let recent = env.recent.lock().unwrap_or_else(|e| e.into_inner());
        let old = recent.iter().find(|v| v.version == since);
        Ok(old.and_then(|old| old.delta_to(&current)))
    }

    async fn node(&self, env_name: &str, node: &NodeId) -> Result<NodeDetail, AppError> {
        let env = self.env(env_name)?;
        let snap = env.snapshot();
        let found = snap.view.nodes.iter().find(|n| n.id == *node).cloned();
        let Some(found) = found else {
            return Err(EngineError::UnknownNode {
                env: env_name.to_string(),
                node: node.to_string(),
            }
            .into());
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
                    cluster: app.cluster.clone().unwrap_or_default(),
                    cluster_server: env
                        .options
                        .clusters
                        .iter()
                        .find(|c| Some(&c.name) == app.cluster.as_ref())
                        .map(|c| c.server.clone())
                        .unwrap_or_default(),
                });
            }
            let syncs = self
                .store
                .recent_syncs(env_name, &app_name, 10)
                .await
                .map_err(EngineError::SyncHistory)?;
            detail.syncs = syncs.iter().map(sync_view).collect();
            return Ok(detail);
        }
        let key = node.resource_key().unwrap_or_default();
        let desired = app.and_then(|a| a.resources.iter().find(|r| r.key() == key));
        let live = snap
            .live
            .get(&app_name)
            .and_then(|l| l.iter().find(|r| *r.key == *key));
        if let Some(desired) = desired {
            let live_object = &live.map_or(serde_json::Value::Null, |l| l.object.value());
            let rules = app
                .and_then(|a| a.application.as_ref())
                .map(|a| a.spec.ignore_differences.as_slice())
                .unwrap_or_default();
            // The fields `spec.ignoreDifferences` leaves out of the verdict are left out of
            // the diff too, and named, so the panel agrees with the sync status.
            // The Desired and Live tabs show the objects as they are; only the diff is
            // computed without the ignored fields.
            let mut d = crate::cluster::driver::diff(&desired.manifest.value(), live_object);
            detail.desired_yaml = Some(std::mem::take(&mut d.desired_yaml));
            detail.live_yaml = live.map(|_| std::mem::take(&mut d.live_yaml));
            if live.is_some() && crate::gitops::ignore::any_picks(rules, desired) {
                let (want, got, ignored) =
                    crate::gitops::ignore::without_ignored(rules, desired, live_object);
                detail.ignored_fields = ignored;
                d = crate::cluster::driver::diff(&want, &got);
            }
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
        let snap = env.snapshot();
        let app = snap
            .tree
            .get(app_name)
            .ok_or_else(|| EngineError::UnknownApp {
                env: env_name.to_string(),
                app: app_name.to_string(),
            })?;
        if app.kind == AppKind::ApplicationSet {
            return Err(EngineError::SetNotSynced {
                app: app_name.to_string(),
            }
            .into());
        }
        if app.status != RenderStatus::Ok {
            return Err(EngineError::NotRendered {
                app: app_name.to_string(),
                status: app.status.as_str(),
                message: app.message.clone(),
            }
            .into());
        }
        let driver = env.driver_for(app.cluster.as_deref())?;
        let request = SyncRequest::manual(app, prune, caller);
        let guard = env.busy.lock().await;
        let row = self.run_sync(env, driver, request).await;
        drop(guard);
        env.wake.notify_one();
        Ok(sync_view(&row))
    }

    async fn running_in(&self, name: &str, annotations: &[(String, String)]) -> RunningInView {
        running_in::running_in(&self.envs, EnvRuntime::snapshot, name, annotations)
    }

    fn refresh(&self, env: &str) -> Result<(), AppError> {
        let env = self.env(env)?;
        env.force_render.store(true, Ordering::SeqCst);
        env.wake.notify_one();
        // The leader runs a pass too, so what a push webhook announced is synced at once.
        self.changed(&env.config.name);
        Ok(())
    }

    async fn compare(&self, from: &str, to: &str) -> Result<CompareView, AppError> {
        Ok(self.compare_envs(from, to)?)
    }

    async fn compare_resource(
        &self,
        from: &str,
        to: &str,
        app: &str,
        key: &str,
    ) -> Result<ResourcePair, AppError> {
        Ok(self.compare_env_resource(from, to, app, key)?)
    }
}

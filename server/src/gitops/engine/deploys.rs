//! What the engine offers the deploy workflow (the deploy module's `ports::Engine`): each
//! environment's repository, an app as the last pass saw it, waiting for a commit to be
//! rendered, the engine's own sync of one app for a request, and claims that keep the pass's
//! auto-sync off an app a request is deploying.

use std::sync::atomic::Ordering;
use std::time::Duration;

use atrium_app::dto::deploy::{SyncResourceView, SyncView};

use std::path::PathBuf;

use super::sync::SyncRequest;
use super::Engine;
use crate::audit::Actor;
use crate::gitops::repos::normalize;
use crate::gitops::tree::RenderStatus;
use crate::resource::{DesiredResource, Health, SyncStatus};

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
    /// The repository as configured (a path or a URL), for people.
    pub configured: String,
    /// The commit the environment's tree was last rendered from.
    pub head: Option<String>,
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
    pub sync: SyncStatus,
    /// Argo CD's health word, and why (the worst resource's message).
    pub health: Health,
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

impl Engine {
    /// Every environment's repository as the executor commits to it, in promotion order.
    pub fn deploy_repos(&self) -> Vec<EnvRepo> {
        self.envs
            .iter()
            .map(|env| EnvRepo {
                env: env.config.name.clone(),
                production: env.config.production,
                local: self.repo_path(&env.config),
                remote: env.mirror.as_ref().map(|_| env.config.repo.clone()),
                branch: env.config.branch.clone(),
                configured: env.config.repo.clone(),
                head: env.snapshot().head.clone(),
                root_file: env.config.root.clone(),
            })
            .collect()
    }

    /// Every app of `env` as the last pass saw it.
    pub fn deploy_apps(&self, env_name: &str) -> Vec<AppSnapshot> {
        let Ok(env) = self.env(env_name) else {
            return Vec::new();
        };
        let snap = env.snapshot();
        let mut names: Vec<&str> = Vec::new();
        for app in &snap.tree.apps {
            if !names.contains(&app.name.as_str()) {
                names.push(&app.name);
            }
        }
        names
            .iter()
            .filter_map(|name| self.deploy_app(env_name, name))
            .collect()
    }

    /// One app of `env` as the last pass saw it.
    pub fn deploy_app(&self, env_name: &str, app_name: &str) -> Option<AppSnapshot> {
        let env = self.env(env_name).ok()?;
        let snap = env.snapshot();
        let app = snap.tree.get(app_name)?;
        // A set has nothing to deploy of its own (its generated apps do).
        if app.kind == crate::gitops::tree::AppKind::ApplicationSet {
            return None;
        }
        let env_repo = self.repo_path(&env.config);
        // The root's own repoURL reads the environment repository unless mapped elsewhere, as
        // the render takes it (`render_tree`).
        let root_url = snap.tree.root().map(|r| normalize(&r.source.repo_url));
        // A path in the environment repository, when `repo_url` reads that repository.
        let in_env_repo = |repo_url: &str, path: &str| {
            let reads_env = match self.repos.resolve(repo_url) {
                Some(mapped) => mapped == env_repo.as_path(),
                None => root_url.as_deref() == Some(normalize(repo_url).as_str()),
            };
            reads_env.then(|| path.trim_matches('/').to_string())
        };
        let parent = app.parent.as_deref().and_then(|p| snap.tree.get(p));
        let mut containers = Vec::new();
        for resource in &app.resources {
            let manifest = resource.manifest.value();
            let spec = manifest.get("spec");
            let pod = spec
                .and_then(|s| s.get("jobTemplate"))
                .and_then(|j| j.get("spec"))
                .or(spec)
                .and_then(|s| s.get("template"))
                .and_then(|t| t.get("spec"));
            for c in pod
                .and_then(|p| p.get("containers"))
                .and_then(|c| c.as_array())
                .into_iter()
                .flatten()
            {
                if let (Some(name), Some(image)) = (
                    c.get("name").and_then(|v| v.as_str()),
                    c.get("image").and_then(|v| v.as_str()),
                ) {
                    containers.push((name.to_string(), image.to_string()));
                }
            }
        }
        let version = app.resources.iter().find_map(DesiredResource::image_tag);
        let status = snap.statuses.get(app_name);
        let health_message = status
            .and_then(|s| {
                s.resources
                    .iter()
                    .find_map(|(_, h, m)| (Some(*h) == Some(s.health)).then(|| m.clone()).flatten())
            })
            .map(|m| m.to_string())
            .unwrap_or_default();
        Some(AppSnapshot {
            name: app.name.clone(),
            parent: app.parent.clone(),
            parent_source_path: parent
                .and_then(|p| in_env_repo(&p.source.repo_url, &p.source.path)),
            source_path: in_env_repo(&app.source.repo_url, &app.source.path),
            repo_url: app.source.repo_url.clone(),
            target_revision: app.source.target_revision.clone(),
            renderer: app
                .source
                .renderer
                .map(|r| r.as_str().to_string())
                .unwrap_or_default(),
            rendered: app.status == RenderStatus::Ok,
            render_message: app.message.clone(),
            containers,
            version,
            sync: status.map(|s| s.sync).unwrap_or_default(),
            health: status.map(|s| s.health).unwrap_or_default(),
            health_message,
            observed_at: snap.last_reconcile.clone(),
            head: snap.head.clone(),
        })
    }

    /// Re-render `env` now, and wait until its tree is rendered from `commit` or a commit
    /// after it.
    pub async fn await_commit(
        &self,
        env_name: &str,
        commit: &str,
        timeout: Duration,
    ) -> Result<(), String> {
        let env = self.env(env_name).map_err(|e| e.to_string())?;
        let repo = self.repo_path(&env.config);
        let wanted = git2::Oid::from_str(commit).map_err(|e| e.message().to_string())?;
        let mut versions = env.versions.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(head) = env.snapshot().head.clone() {
                let repo = repo.clone();
                let reached = tokio::task::spawn_blocking(move || {
                    let git = git2::Repository::open(&repo).ok()?;
                    let head = git2::Oid::from_str(&head).ok()?;
                    Some(head == wanted || git.graph_descendant_of(head, wanted).unwrap_or(false))
                })
                .await
                .ok()
                .flatten()
                .unwrap_or(false);
                if reached {
                    return Ok(());
                }
            }
            env.force_render.store(true, Ordering::SeqCst);
            env.wake.notify_one();
            // A pass that renders the commit publishes a new tree version; poll as well, since
            // a render that changes nothing visible publishes none.
            let wait = tokio::time::timeout(Duration::from_millis(100), versions.changed());
            if tokio::time::Instant::now() >= deadline {
                return Err(format!(
                    "{env_name} was not rendered at {} within {} s",
                    &commit[..7.min(commit.len())],
                    timeout.as_secs()
                ));
            }
            let _ = wait.await;
        }
    }

    /// Wait until a pass of `env` has read its cluster at `since` (RFC 3339) or later.
    pub async fn await_observed(
        &self,
        env_name: &str,
        since: &str,
        timeout: Duration,
    ) -> Result<(), String> {
        let env = self.env(env_name).map_err(|e| e.to_string())?;
        let deadline = tokio::time::Instant::now() + timeout;
        env.wake.notify_one();
        while env
            .snapshot()
            .last_reconcile
            .as_deref()
            .is_none_or(|t| t < since)
        {
            if tokio::time::Instant::now() >= deadline {
                return Err(format!(
                    "{env_name} was not read within {} s",
                    timeout.as_secs()
                ));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    /// Sync one app for a deploy request, as "Sync now" does (prune as its automated policy
    /// says), recorded as a `deploy` sync.
    pub async fn sync_for_request(
        &self,
        env_name: &str,
        app_name: &str,
        actor: Actor,
        request: &str,
    ) -> Result<SyncOutcome, String> {
        let env = self.env(env_name).map_err(|e| e.to_string())?;
        let snap = env.snapshot();
        let app = snap
            .tree
            .get(app_name)
            .ok_or_else(|| format!("no app `{app_name}` in {env_name}"))?;
        if app.status != RenderStatus::Ok {
            return Err(format!(
                "{app_name} did not render ({}): {}",
                app.status.as_str(),
                app.message
            ));
        }
        let driver = env
            .driver_for(app.cluster.as_deref())
            .map_err(|e| e.to_string())?;
        let prune = app.automated.as_ref().is_some_and(|a| a.prune);
        let started_at = crate::audit::now();
        let guard = env.busy.lock().await;
        let row = self
            .run_sync(env, driver, SyncRequest::deploy(app, prune, actor, request))
            .await;
        drop(guard);
        env.wake.notify_one();
        let resources = row
            .details
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| SyncResourceView {
                key: r
                    .get("key")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
                action: r
                    .get("action")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
                message: r
                    .get("message")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
            })
            .collect();
        Ok(SyncOutcome {
            succeeded: row.result == "succeeded",
            view: SyncView {
                started_at,
                finished_at: Some(row.at.clone()),
                result: row.result.clone(),
                message: row.message.clone(),
                resources,
            },
        })
    }

    /// While claimed, the pass does not auto-sync the app.
    pub fn claim_app(&self, env_name: &str, app: &str, claimed: bool) {
        if let Ok(env) = self.env(env_name) {
            let mut claims = env.claims.lock().unwrap_or_else(|e| e.into_inner());
            if claimed {
                claims.insert(app.to_string());
            } else {
                claims.remove(app);
            }
        }
    }
}

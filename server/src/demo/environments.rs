//! The embedded default's environments: dev → staging → prod, each a local Git repository
//! under `data/repos/env-<name>.git` holding a root App of Apps (`apps/root.yaml`) and one
//! Application per deployable demo component (app name = component name). The apps are the
//! same everywhere; versions (image tags) and replicas differ, dev newest, as a promotion
//! path looks mid-flight. Written once: a repo that exists is never rewritten (deploys and
//! tests commit to it).
//!
//! Layout of each repo (see [`super::env_manifests`] for the files themselves):
//! - `apps/root.yaml` — the root; renders `apps/` (itself excluded)
//! - `apps/<app>.yaml` — one Application per app; `apps/platform.yaml` is a nested App of
//!   Apps rendering `platform/apps/<app>.yaml`
//! - `services/<app>/` — plain directory apps: `deployment.yaml` (Deployment + Service),
//!   `config.yaml` or `config.json` (ConfigMap), sometimes `migrate-job.yaml` (PreSync hook)
//! - `services/<app>/base/` + `services/<app>/overlays/<env>/` — the Kustomize apps; the
//!   overlay's `images[].newTag` holds the version

use std::path::{Path, PathBuf};

pub use super::apps::{
    demo_apps, demo_replicas, demo_version, DemoApp, KUSTOMIZE_APPS, PLATFORM_APPS,
};
use super::env_manifests::{app_files, application_yaml, AppManifest};
use super::git::{commit_files, open_or_init};
use crate::gitops::environment::{production_by_name, ClusterTarget, EnvironmentConfig};
use crate::gitops::repos::RepoMapping;

/// The promotion path.
pub const ENVIRONMENTS: [&str; 3] = ["dev", "staging", "prod"];
/// Where the demo apps say their manifests live; mapped to the local repos.
pub const REPO_URL_BASE: &str = "https://git.brightcart.example";
pub const ROOT_PATH: &str = "apps/root.yaml";
/// Automated sync in prod too (everything else waits for a person in prod).
pub const PROD_AUTOMATED: &[&str] = &[
    "root",
    "platform",
    "metrics-gateway",
    "ci-runner-autoscaler",
];

const BRANCH: &str = "main";
const AUTHOR: (&str, &str) = ("Atrium demo", "demo@atrium.invalid");

/// The repoURL the demo Applications of `env` use.
pub fn env_repo_url(env: &str) -> String {
    format!("{REPO_URL_BASE}/env-{env}.git")
}

fn env_repo_path(data_dir: &Path, env: &str) -> PathBuf {
    data_dir.join("repos").join(format!("env-{env}.git"))
}

/// Creates the three environment repos if missing; returns them in promotion order.
pub fn ensure_demo_environments(data_dir: &Path) -> anyhow::Result<Vec<EnvironmentConfig>> {
    std::fs::create_dir_all(data_dir.join("repos"))?;
    let mut environments = Vec::new();
    for env in ENVIRONMENTS {
        let path = env_repo_path(data_dir, env);
        if !path.exists() {
            let repo = open_or_init(&path, BRANCH)?;
            let files = demo_env_files(env);
            let changes: Vec<_> = files
                .iter()
                .map(|(p, c)| (p.as_str(), Some(c.as_bytes())))
                .collect();
            let message = format!("Environment {env}: root app and {} apps", demo_apps().len());
            commit_files(&repo, BRANCH, &changes, &message, AUTHOR)?;
            tracing::info!(path = %path.display(), "created the demo {env} environment repository");
        }
        environments.push(EnvironmentConfig {
            name: env.to_string(),
            repo: path.display().to_string(),
            branch: BRANCH.into(),
            root: ROOT_PATH.into(),
            cluster: ClusterTarget::Sim,
            clusters: Vec::new(),
            production: production_by_name(env),
            apply_applications: false,
        });
    }
    Ok(environments)
}

/// The demo repos' URLs → their local paths (the `[[repos]]` the demo would configure).
pub fn demo_repo_mappings(data_dir: &Path) -> Vec<RepoMapping> {
    ENVIRONMENTS
        .iter()
        .map(|env| RepoMapping {
            url: env_repo_url(env),
            path: env_repo_path(data_dir, env),
        })
        .collect()
}

/// `(path, content)` of every file of the `env` repository.
pub fn demo_env_files(env: &str) -> Vec<(String, String)> {
    let url = env_repo_url(env);
    let automated = |name: &str| env != "prod" || PROD_AUTOMATED.contains(&name);
    let mut files = vec![(
        ROOT_PATH.to_string(),
        application_yaml(&AppManifest {
            name: "root",
            team: "team-platform",
            env,
            repo_url: &url,
            revision: BRANCH,
            path: "apps",
            namespace: "argocd",
            automated: automated("root"),
            exclude: Some("root.yaml"),
            wave: None,
        }),
    )];
    files.push((
        "apps/platform.yaml".into(),
        application_yaml(&AppManifest {
            name: "platform",
            team: "team-platform",
            env,
            repo_url: &url,
            revision: "HEAD",
            path: "platform/apps",
            namespace: "argocd",
            automated: automated("platform"),
            exclude: None,
            wave: Some(-2),
        }),
    ));
    for app in demo_apps() {
        let manifest_path = if app.platform {
            format!("platform/apps/{}.yaml", app.name)
        } else {
            format!("apps/{}.yaml", app.name)
        };
        let path = if app.kustomize {
            format!("services/{}/overlays/{env}", app.name)
        } else {
            format!("services/{}", app.name)
        };
        let namespace = app.namespace();
        let wave = matches!(app.name, "auth-service" | "user-profile-service").then_some(-1);
        files.push((
            manifest_path,
            application_yaml(&AppManifest {
                name: app.name,
                team: &app.team,
                env,
                repo_url: &url,
                revision: if app.platform { "HEAD" } else { BRANCH },
                path: &path,
                namespace: &namespace,
                automated: automated(app.name),
                exclude: None,
                wave,
            }),
        ));
        files.extend(app_files(&app, env));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_is_newest_and_prod_oldest() {
        for app in demo_apps() {
            let (dev, staging, prod) = (
                demo_version(app.name, "dev"),
                demo_version(app.name, "staging"),
                demo_version(app.name, "prod"),
            );
            assert_ne!(dev, prod, "{}", app.name);
            let key = |v: &str| -> Vec<u32> { v.split('.').map(|p| p.parse().unwrap()).collect() };
            assert!(
                key(&dev) > key(&staging) && key(&staging) >= key(&prod),
                "{}",
                app.name
            );
        }
    }

    #[test]
    fn there_are_enough_apps_of_each_kind() {
        let apps = demo_apps();
        assert!(apps.len() >= 12);
        assert_eq!(
            apps.iter().filter(|a| a.kustomize).count(),
            KUSTOMIZE_APPS.len()
        );
        assert_eq!(
            apps.iter().filter(|a| a.platform).count(),
            PLATFORM_APPS.len()
        );
    }
}

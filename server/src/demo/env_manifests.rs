//! The files of the demo environment repos: Application manifests, and each app's Kubernetes
//! manifests (plain directory, or Kustomize base + overlay). Text templates, so the files
//! read like hand-written ones.

use std::fmt::Write as _;

use super::apps::{demo_replicas, demo_version, DemoApp};

const REGISTRY: &str = "registry.brightcart.example";
/// Apps whose database schema is migrated by a PreSync hook Job before each sync.
const MIGRATING: &[&str] = &["order-service", "payment-gateway"];
/// The app whose ConfigMap is a JSON file (Argo CD reads JSON manifests too).
const JSON_CONFIG: &str = "auth-service";

/// What differs between the Application manifests.
pub struct AppManifest<'a> {
    pub name: &'a str,
    pub team: &'a str,
    pub env: &'a str,
    pub repo_url: &'a str,
    pub revision: &'a str,
    pub path: &'a str,
    pub namespace: &'a str,
    pub automated: bool,
    /// `spec.source.directory.exclude` (the root excludes its own manifest).
    pub exclude: Option<&'a str>,
    /// `argocd.argoproj.io/sync-wave` of the Application object.
    pub wave: Option<i32>,
}

pub fn application_yaml(m: &AppManifest<'_>) -> String {
    let mut y = format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {}\n  namespace: argocd\n",
        m.name
    );
    if let Some(wave) = m.wave {
        let _ = writeln!(
            y,
            "  annotations:\n    argocd.argoproj.io/sync-wave: \"{wave}\""
        );
    }
    let _ = write!(
        y,
        "  labels:\n    brightcart.example/team: {}\n    brightcart.example/environment: {}\n  \
         finalizers:\n    - resources-finalizer.argocd.argoproj.io\nspec:\n  project: default\n  \
         source:\n    repoURL: {}\n    targetRevision: {}\n    path: {}\n",
        m.team, m.env, m.repo_url, m.revision, m.path
    );
    if let Some(exclude) = m.exclude {
        let _ = writeln!(y, "    directory:\n      exclude: {exclude}");
    }
    let _ = write!(
        y,
        "  destination:\n    server: https://kubernetes.default.svc\n    namespace: {}\n  syncPolicy:\n",
        m.namespace
    );
    if m.automated {
        y += "    automated:\n      prune: true\n      selfHeal: true\n";
    }
    y += "    syncOptions:\n      - CreateNamespace=true\n    retry:\n      limit: 3\n      \
          backoff:\n        duration: 5s\n        factor: 2\n        maxDuration: 1m\n";
    y
}

/// The app's own files in the `env` repository.
pub fn app_files(app: &DemoApp, env: &str) -> Vec<(String, String)> {
    let tag = demo_version(app.name, env);
    let replicas = demo_replicas(app.name, env);
    let dir = format!("services/{}", app.name);
    if app.kustomize {
        return vec![
            (
                format!("{dir}/base/kustomization.yaml"),
                "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  \
                 - deployment.yaml\n  - service.yaml\n  - configmap.yaml\nlabels:\n  - pairs:\n      \
                 app.kubernetes.io/part-of: brightcart\n"
                    .into(),
            ),
            (
                format!("{dir}/base/deployment.yaml"),
                deployment(app.name, "latest", 1),
            ),
            (format!("{dir}/base/service.yaml"), service(app.name)),
            (
                format!("{dir}/base/configmap.yaml"),
                config_map(app.name, "base", false),
            ),
            (
                format!("{dir}/overlays/{env}/kustomization.yaml"),
                format!(
                    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  \
                     - ../../base\nimages:\n  - name: {REGISTRY}/{name}\n    newTag: {tag}\npatches:\n  \
                     - path: replicas.yaml\n  - path: config.yaml\n",
                    name = app.name
                ),
            ),
            (
                format!("{dir}/overlays/{env}/replicas.yaml"),
                format!(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {}\nspec:\n  replicas: {replicas}\n",
                    app.name
                ),
            ),
            (
                format!("{dir}/overlays/{env}/config.yaml"),
                format!(
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}-config\ndata:\n  \
                     ENVIRONMENT: {env}\n  LOG_LEVEL: {}\n",
                    app.name,
                    log_level(env)
                ),
            ),
        ];
    }
    let mut files = vec![(
        format!("{dir}/deployment.yaml"),
        format!(
            "{}---\n{}",
            deployment(app.name, &tag, replicas),
            service(app.name)
        ),
    )];
    if app.name == JSON_CONFIG {
        files.push((format!("{dir}/config.json"), config_map_json(app.name, env)));
    } else {
        files.push((
            format!("{dir}/config.yaml"),
            config_map(app.name, env, true),
        ));
    }
    if MIGRATING.contains(&app.name) {
        files.push((
            format!("{dir}/migrate-job.yaml"),
            migrate_job(app.name, &tag),
        ));
    }
    files
}

fn log_level(env: &str) -> &'static str {
    if env == "dev" {
        "debug"
    } else {
        "info"
    }
}

fn deployment(name: &str, tag: &str, replicas: u32) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels:\n    \
         app.kubernetes.io/name: {name}\nspec:\n  replicas: {replicas}\n  selector:\n    \
         matchLabels:\n      app.kubernetes.io/name: {name}\n  template:\n    metadata:\n      \
         labels:\n        app.kubernetes.io/name: {name}\n    spec:\n      containers:\n        \
         - name: {name}\n          image: {REGISTRY}/{name}:{tag}\n          ports:\n            \
         - containerPort: 8080\n          envFrom:\n            - configMapRef:\n                \
         name: {name}-config\n          readinessProbe:\n            httpGet:\n              \
         path: /healthz\n              port: 8080\n"
    )
}

fn service(name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  labels:\n    \
         app.kubernetes.io/name: {name}\nspec:\n  selector:\n    app.kubernetes.io/name: {name}\n  \
         ports:\n    - name: http\n      port: 80\n      targetPort: 8080\n"
    )
}

/// The ConfigMap goes first (wave -1) so pods never start without their configuration.
fn config_map(name: &str, env: &str, wave: bool) -> String {
    let annotations = if wave {
        "  annotations:\n    argocd.argoproj.io/sync-wave: \"-1\"\n"
    } else {
        ""
    };
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\n{annotations}data:\n  \
         ENVIRONMENT: {env}\n  LOG_LEVEL: {}\n",
        log_level(env)
    )
}

fn config_map_json(name: &str, env: &str) -> String {
    let value = serde_json::json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": format!("{name}-config"),
            "annotations": {"argocd.argoproj.io/sync-wave": "-1"}
        },
        "data": {"ENVIRONMENT": env, "LOG_LEVEL": log_level(env), "TOKEN_TTL": "15m"}
    });
    serde_json::to_string_pretty(&value).expect("JSON") + "\n"
}

fn migrate_job(name: &str, tag: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}-migrate\n  annotations:\n    \
         argocd.argoproj.io/hook: PreSync\n    argocd.argoproj.io/hook-delete-policy: \
         BeforeHookCreation\nspec:\n  backoffLimit: 1\n  template:\n    spec:\n      \
         restartPolicy: Never\n      containers:\n        - name: migrate\n          \
         image: {REGISTRY}/{name}:{tag}\n          args: [migrate]\n"
    )
}

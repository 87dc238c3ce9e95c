//! Several clusters in one environment: `[[environments.clusters]]` adds clusters beyond the
//! environment's own, and each Application's `spec.destination` (`server` or `name`) picks
//! where its resources go, as Argo CD resolves destinations against registered clusters. An
//! unknown destination is an error on that app; a cluster that does not answer is an error
//! naming it, and the apps on the other clusters keep syncing. The extra clusters are
//! emulators served on loopback and reached through kubeconfig contexts, as real ones are.
//! Own binary: it sets `KUBECONFIG`.

mod common;

use std::time::Duration;

use atrium_app::dto::status::SyncStatus;
use atrium_app::service::EngineService;
use atrium_server::cluster::sim::{Sim, SimConfig};
use atrium_server::config::EnvironmentEntry;
use atrium_server::demo::git::{commit_files, open_or_init};
use atrium_server::gitops::destination::ClusterEntry;
use common::app_with;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, ListParams};

/// An automated Application of the environment repo (`repo`) going to `destination`.
fn app(name: &str, repo: &str, destination: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n\
         spec:\n  project: default\n  source:\n    repoURL: {repo}\n    targetRevision: main\n    \
         path: {name}\n  destination:\n    {destination}\n    namespace: shop\n  syncPolicy:\n    \
         automated: {{prune: true}}\n    syncOptions: [CreateNamespace=true]\n"
    )
}

fn config_map(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: v\n")
}

/// A free loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn kubeconfig(contexts: &[(&str, String)]) -> String {
    let mut clusters = String::new();
    let mut named = String::new();
    for (name, server) in contexts {
        clusters.push_str(&format!(
            "- name: {name}\n  cluster:\n    server: {server}\n"
        ));
        named.push_str(&format!(
            "- name: {name}\n  context:\n    cluster: {name}\n    user: atrium\n"
        ));
    }
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n{clusters}contexts:\n{named}users:\n\
         - name: atrium\n  user:\n    token: t\ncurrent-context: {}\n",
        contexts[0].0
    )
}

async fn config_maps(client: kube::Client) -> Vec<String> {
    let api: Api<ConfigMap> = Api::namespaced(client, "shop");
    let mut names: Vec<String> = api
        .list(&ListParams::default())
        .await
        .map(|l| {
            l.items
                .into_iter()
                .filter_map(|c| c.metadata.name)
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_app_goes_to_the_cluster_its_destination_names() {
    // The edge cluster: an emulator on loopback, reached through a kubeconfig context.
    let edge = Sim::start(SimConfig {
        rollout_delay: Duration::ZERO,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let edge_port = listener.local_addr().unwrap().port();
    let router = edge.router();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let kube_dir = tempfile::tempdir().unwrap();
    let path = kube_dir.path().join("config");
    let contexts = [
        ("edge", format!("http://127.0.0.1:{edge_port}")),
        ("down", format!("http://127.0.0.1:{}", closed_port())),
    ];
    std::fs::write(&path, kubeconfig(&contexts)).unwrap();
    // SAFETY: this binary's only test, before the engine (the only reader) starts.
    unsafe { std::env::set_var("KUBECONFIG", &path) };

    let repo_dir = tempfile::tempdir().unwrap();
    let url = "https://git.example/env-multi.git";
    let files = [
        (
            "apps/root.yaml",
            app("root", url, "server: https://kubernetes.default.svc")
                .replace("path: root", "path: apps"),
        ),
        ("apps/home.yaml", app("home", url, "name: in-cluster")),
        ("apps/edge-web.yaml", app("edge-web", url, "name: edge-eu")),
        (
            "apps/edge-api.yaml",
            app("edge-api", url, "server: https://edge-eu.example:6443"),
        ),
        ("apps/lost.yaml", app("lost", url, "name: nowhere")),
        ("apps/down-web.yaml", app("down-web", url, "name: down")),
        ("home/cm.yaml", config_map("home")),
        ("edge-web/cm.yaml", config_map("edge-web")),
        ("edge-api/cm.yaml", config_map("edge-api")),
        ("lost/cm.yaml", config_map("lost")),
        ("down-web/cm.yaml", config_map("down-web")),
    ];
    let repo = open_or_init(repo_dir.path(), "main").unwrap();
    let changes: Vec<_> = files
        .iter()
        .map(|(p, c)| (*p, Some(c.as_bytes())))
        .collect();
    commit_files(&repo, "main", &changes, "apps", ("t", "t@example")).unwrap();

    let app = app_with(false, |config| {
        config.engine.sim_rollout_ms = 0;
        config.repos = vec![atrium_server::config::RepoEntry {
            url: url.into(),
            path: repo_dir.path().to_path_buf(),
        }];
        let cluster = |name: &str, server: &str, context: &str| ClusterEntry {
            name: name.into(),
            server: server.into(),
            cluster: context.into(),
            labels: Default::default(),
        };
        config.environments = vec![EnvironmentEntry {
            name: "multi".into(),
            repo: repo_dir.path().display().to_string(),
            root: "apps/root.yaml".into(),
            clusters: vec![
                cluster("edge-eu", "https://edge-eu.example:6443", "edge"),
                cluster("down", "https://down.example:6443", "down"),
            ],
            ..Default::default()
        }];
    })
    .await;
    let engine = app.state.engine.clone();

    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let tree = loop {
        engine.reconcile_all().await;
        let tree = engine.tree("multi").await.unwrap();
        let synced = |id: &str| {
            tree.nodes
                .iter()
                .any(|n| n.id == id && n.sync == SyncStatus::Synced)
        };
        if ["app:home", "app:edge-web", "app:edge-api"]
            .iter()
            .all(|id| synced(id))
            || std::time::Instant::now() > deadline
        {
            break tree;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let node = |id: &str| {
        tree.nodes
            .iter()
            .find(|n| n.id == id)
            .unwrap_or_else(|| panic!("{id}: {tree:#?}"))
    };
    for id in ["app:home", "app:edge-web", "app:edge-api"] {
        assert_eq!(node(id).sync, SyncStatus::Synced, "{:?}", node(id));
    }
    // The edge cluster holds exactly what was sent there, by name or by URL.
    assert_eq!(config_maps(edge.client()).await, ["edge-api", "edge-web"]);

    // An unknown destination fails the app, naming what is configured; nothing of it is sent.
    let lost = node("app:lost");
    assert_eq!(lost.status, "error");
    let message = lost.message.as_deref().unwrap_or_default();
    assert!(
        message.starts_with("unknown destination name nowhere"),
        "{message}"
    );
    assert!(
        message.contains("edge-eu (https://edge-eu.example:6443)"),
        "{message}"
    );

    // A cluster that does not answer is named on the environment; its apps wait.
    let envs = engine.environments().await;
    let error = envs[0].error.as_deref().unwrap_or_default();
    assert!(
        error.starts_with("cluster down: the cluster did not answer"),
        "{error}"
    );
    assert_ne!(node("app:down-web").sync, SyncStatus::Synced);

    // A manual sync goes to the app's own cluster, and one to the dead cluster says which.
    let caller = app.caller("jonas.becker");
    let record = engine
        .sync(&caller, "multi", "edge-web", false)
        .await
        .unwrap();
    assert_eq!(record.result, "succeeded", "{record:?}");
    match engine.sync(&caller, "multi", "down-web", false).await {
        Ok(record) => assert_eq!(record.result, "failed", "{record:?}"),
        Err(e) => assert!(e.to_string().contains("127.0.0.1"), "{e}"),
    }
}

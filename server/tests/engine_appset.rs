//! ApplicationSets in the engine: a set is a node of the tree whose children are the apps it
//! generates; those sync like any app, the set object itself goes to the cluster only with
//! `apply_applications`, its absence is not drift, and a manual sync of a set is refused.

mod common;

use std::time::Duration;

use atrium_app::dto::env::TreeView;
use atrium_app::dto::status::{Health, SyncStatus};
use atrium_app::service::EngineService;
use common::app_with;

const ROOT: &str = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: \
    root\nspec:\n  project: default\n  source:\n    repoURL: https://git.example/env.git\n    \
    targetRevision: main\n    path: apps\n  destination:\n    namespace: argocd\n  \
    syncPolicy:\n    syncOptions: [CreateNamespace=true]\n";

/// A list set generating `web-dev` and `web-prod`, automated, each a ConfigMap.
const SET: &str = "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: \
    web\nspec:\n  generators:\n  - list:\n      elements:\n      - env: dev\n      - env: prod\n  \
    template:\n    metadata:\n      name: 'web-{{env}}'\n    spec:\n      project: default\n      \
    source:\n        repoURL: https://git.example/env.git\n        targetRevision: main\n        \
    path: 'web/{{env}}'\n      destination:\n        server: https://kubernetes.default.svc\n        \
    namespace: 'web-{{env}}'\n      syncPolicy:\n        automated: {}\n        syncOptions: \
    [CreateNamespace=true]\n";

fn cm(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: v\n")
}

fn node<'a>(tree: &'a TreeView, id: &str) -> &'a atrium_app::dto::env::TreeNode {
    tree.nodes
        .iter()
        .find(|n| n.id == id)
        .unwrap_or_else(|| panic!("no node {id}: {tree:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_set_is_a_node_of_generated_apps_never_applied_or_synced_itself() {
    let dir = tempfile::tempdir().unwrap();
    let repo = git2::Repository::init(dir.path()).unwrap();
    let (dev, prod) = (cm("dev"), cm("prod"));
    atrium_server::demo::git::commit_files(
        &repo,
        "main",
        &[
            ("apps/root.yaml", Some(ROOT.as_bytes())),
            ("apps/web-set.yaml", Some(SET.as_bytes())),
            ("web/dev/cm.yaml", Some(dev.as_bytes())),
            ("web/prod/cm.yaml", Some(prod.as_bytes())),
        ],
        "web",
        ("Test", "test@example.com"),
    )
    .unwrap();
    let path = dir.path().display().to_string();
    let app = app_with(false, move |config| {
        config.engine.sim_rollout_ms = 0;
        let entry = |name: &str, apply_applications| atrium_server::config::EnvironmentEntry {
            name: name.into(),
            repo: path.clone(),
            branch: Some("main".into()),
            root: "apps/root.yaml".into(),
            apply_applications,
            ..Default::default()
        };
        config.environments = vec![entry("lab", false), entry("side-by-side", true)];
    })
    .await;
    let engine = app.state.engine.clone();
    // The generated apps are automated: passes sync them until they are healthy.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let tree = loop {
        engine.reconcile_all().await;
        let tree = engine.tree("lab").await.unwrap();
        let done = tree.nodes.iter().any(|n| n.id == "app:web-prod")
            && node(&tree, "app:web-prod").health == Health::Healthy
            && node(&tree, "app:web-dev").health == Health::Healthy;
        if done || std::time::Instant::now() > deadline {
            break tree;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let set = node(&tree, "app:web");
    assert_eq!(set.kind, "ApplicationSet");
    assert_eq!(
        set.parent.as_ref().map(|p| p.to_string()).as_deref(),
        Some("app:root")
    );
    assert_eq!(set.status, "ok");
    assert_eq!(
        (set.sync, set.health),
        (SyncStatus::Synced, Health::Healthy)
    );
    let generated = node(&tree, "app:web-dev");
    assert_eq!(generated.kind, "Application");
    assert_eq!(
        generated.parent.as_ref().map(|p| p.to_string()).as_deref(),
        Some("app:web")
    );
    assert_eq!(generated.sync, SyncStatus::Synced);
    // The set object is not a resource row, and its absence from the cluster is not drift.
    assert!(!tree
        .nodes
        .iter()
        .any(|n| n.kind == "ApplicationSet" && !n.id.is_app()));
    assert_eq!(node(&tree, "app:root").sync, SyncStatus::Synced);

    let caller = app.caller("jonas.becker");
    let refused = engine.sync(&caller, "lab", "web", false).await.unwrap_err();
    assert!(
        refused.to_string().contains("web is an ApplicationSet"),
        "{refused}"
    );
    let off = engine.sync(&caller, "lab", "root", true).await.unwrap();
    assert!(
        off.message
            .starts_with("0 created, 0 configured, 0 unchanged"),
        "{off:?}"
    );
    // With `apply_applications`, the root applies the set object too.
    engine.reconcile_all().await;
    let on = engine
        .sync(&caller, "side-by-side", "root", true)
        .await
        .unwrap();
    assert_eq!(on.result, "succeeded", "{on:?}");
    // The argocd namespace, its own Application (it manages itself) and the set.
    assert!(on.message.starts_with("3 created"), "{on:?}");
}

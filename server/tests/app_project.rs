//! AppProjects through the engine on the emulator: an app with a resource its project does not
//! permit syncs nothing at all, by auto-sync or by a person, and each refusal is recorded as a
//! failed sync; an app of the same project whose resources are permitted syncs as usual.

mod common;

use atrium_app::dto::env::{TreeNode, TreeView};
use atrium_app::dto::node::NodeId;
use atrium_app::dto::status::{Health, SyncStatus};
use atrium_app::service::EngineService;
use common::lab_env;

const URL: &str = "https://git.example/env.git";

fn application(name: &str, path: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n\
         spec:\n  project: team\n  source:\n    repoURL: {URL}\n    targetRevision: main\n    \
         path: {path}\n  destination:\n    server: https://kubernetes.default.svc\n    \
         namespace: team\n  syncPolicy:\n    automated: {{prune: true}}\n    \
         syncOptions: [CreateNamespace=true]\n"
    )
}

const ROOT: &str = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  \
    name: root\nspec:\n  project: default\n  source:\n    repoURL: https://git.example/env.git\n    \
    targetRevision: main\n    path: apps\n  destination:\n    \
    server: https://kubernetes.default.svc\n    namespace: argocd\n";

/// Namespaced kinds in namespace `team`; no cluster-scoped kind (none is whitelisted).
const PROJECT: &str = "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  \
    name: team\nspec:\n  sourceRepos: ['https://git.example/*']\n  destinations:\n  \
    - {server: https://kubernetes.default.svc, namespace: team}\n";

const CONFIG_MAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n\
    data:\n  mode: fast\n";

const CLUSTER_ROLE: &str = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n\
    metadata:\n  name: cart-reader\nrules: []\n";

fn node(tree: &TreeView, id: impl AsRef<str>) -> &TreeNode {
    let id = id.as_ref();
    tree.nodes
        .iter()
        .find(|n| n.id == id)
        .unwrap_or_else(|| panic!("no node {id}: {:#?}", tree.nodes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_with_a_resource_its_project_refuses_applies_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cart = format!("{CONFIG_MAP}---\n{CLUSTER_ROLE}");
    let orders = CONFIG_MAP.replace("settings", "orders");
    let (cart_app, orders_app) = (application("cart", "cart"), application("orders", "orders"));
    let files = [
        ("root.yaml", ROOT),
        ("apps/project.yaml", PROJECT),
        ("apps/cart.yaml", cart_app.as_str()),
        ("apps/orders.yaml", orders_app.as_str()),
        ("cart/all.yaml", cart.as_str()),
        ("orders/cm.yaml", orders.as_str()),
    ];
    let app = lab_env(dir.path(), &files, "root.yaml").await;
    let engine = app.state.engine.clone();
    // The first pass auto-syncs both apps; the next shows what the cluster holds.
    engine.reconcile_all().await;
    engine.reconcile_all().await;
    let tree = engine.tree("lab").await.unwrap();

    // Orders is permitted: synced.
    let orders = node(&tree, "app:orders");
    assert_eq!(orders.sync, SyncStatus::Synced, "{orders:?}");
    // Cart's ConfigMap is permitted but nothing of cart was applied; its ClusterRole is marked.
    let why = "resource rbac.authorization.k8s.io:ClusterRole is not permitted in project team";
    let settings = node(
        &tree,
        NodeId::of_resource("cart", "/ConfigMap/team/settings"),
    );
    assert_eq!(settings.health, Health::Missing, "{settings:?}");
    let role = node(
        &tree,
        NodeId::of_resource("cart", "rbac.authorization.k8s.io/ClusterRole//cart-reader"),
    );
    assert_eq!(role.status, "not-permitted");
    assert_eq!(role.message.as_deref(), Some(why));
    let cart = node(&tree, "app:cart");
    assert_eq!(cart.sync, SyncStatus::OutOfSync);
    assert_eq!(
        cart.message.as_deref(),
        Some(format!("sync refused: {why}").as_str())
    );
    // The AppProject is Atrium's own, as child Applications are: the root is in sync.
    assert_eq!(node(&tree, "app:root").sync, SyncStatus::Synced);

    // The auto-sync was recorded as failed, naming the refused resource.
    let rows = app
        .state
        .store
        .recent_syncs("lab", "cart", 10)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:#?}");
    assert_eq!(rows[0].result, "failed");
    assert_eq!(
        rows[0].message,
        format!(
            "not applied: 1 resource(s) not permitted by the app's project: \
             rbac.authorization.k8s.io/ClusterRole//cart-reader: {why}"
        )
    );

    // A person's sync is refused the same way, and audited as a failure.
    let caller = app.caller("jonas.becker");
    let record = engine.sync(&caller, "lab", "cart", true).await.unwrap();
    assert_eq!(record.result, "failed", "{record:?}");
    assert!(record.message.contains(why), "{record:?}");
    engine.reconcile_all().await;
    let tree = engine.tree("lab").await.unwrap();
    let settings = node(
        &tree,
        NodeId::of_resource("cart", "/ConfigMap/team/settings"),
    );
    assert_eq!(settings.health, Health::Missing, "still nothing applied");
    let audit = app
        .state
        .store
        .audit_page(&atrium_server::audit::AuditFilter {
            action: Some("applications.sync".into()),
            object: Some("lab/cart".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 2, "{audit:#?}");
    assert!(
        audit.iter().all(|r| r.record.outcome == "failure"),
        "{audit:#?}"
    );
}

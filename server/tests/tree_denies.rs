//! A per-app deny under an allowed `<env>/*` (issue 14, low): the environment's tree, its head
//! and its live deltas leave out every node of the denied app, for that person only.

mod common;

use atrium_app::dto::env::{TreeHead, TreeView};
use common::app_with;

const DENIED: &str = "checkout-service";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_app_is_left_out_of_the_tree_its_head_and_its_deltas() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.csv");
    let default = include_str!("../src/auth/default_policy.csv");
    std::fs::write(
        &policy,
        format!("{default}\np, sofia.lindqvist, applications, get, staging/{DENIED}, deny\n"),
    )
    .unwrap();
    let app = app_with(false, |config| {
        config.engine.sim_rollout_ms = 0;
        config.auth.policy_file = Some(policy.clone());
    })
    .await;
    app.state.engine.reconcile_all().await;
    let form = "application/x-www-form-urlencoded";
    let of_denied = |nodes: &[atrium_app::dto::env::TreeNode]| {
        nodes.iter().filter(|n| n.id.app() == DENIED).count()
    };

    let mut seen = Vec::new();
    for user in ["sofia.lindqvist", "amara.okafor"] {
        let session = app.sign_in(user).await;
        let tree = app
            .post("/api/envs/tree", form, "env=staging".into(), Some(&session))
            .await;
        assert_eq!(tree.status, 200, "{}", tree.body);
        let tree: TreeView = serde_json::from_str(&tree.body).unwrap();
        let head = app
            .post(
                "/api/envs/tree-head",
                form,
                format!("env=staging&node=app:{DENIED}"),
                Some(&session),
            )
            .await;
        assert_eq!(head.status, 200, "{}", head.body);
        let head: TreeHead = serde_json::from_str(&head.body).unwrap();
        let in_head = head
            .rows
            .iter()
            .filter(|r| r.node.id.app() == DENIED)
            .count();
        // The rows changed since a version long gone: none, or only readable ones.
        let delta = app
            .post(
                "/api/envs/tree-delta",
                form,
                format!("env=staging&since={}", tree.version),
                Some(&session),
            )
            .await;
        assert_eq!(delta.status, 200, "{}", delta.body);
        seen.push((user, of_denied(&tree.nodes), in_head, tree.nodes.len()));
        // Other environments are not touched by the deny.
        let prod = app
            .post("/api/envs/tree", form, "env=prod".into(), Some(&session))
            .await;
        let prod: TreeView = serde_json::from_str(&prod.body).unwrap();
        assert!(of_denied(&prod.nodes) > 0, "{user} reads {DENIED} in prod");
    }
    let (_, sofia_denied, sofia_head, sofia_total) = seen[0];
    let (_, amara_denied, _, amara_total) = seen[1];
    assert_eq!(sofia_denied, 0, "no node of the denied app in Sofia's tree");
    assert_eq!(sofia_head, 0, "nor in the head of her view");
    assert!(amara_denied > 0, "Amara still reads it");
    assert_eq!(
        sofia_total + amara_denied,
        amara_total,
        "only that app is left out"
    );
}

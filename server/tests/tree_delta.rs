//! Live updates as changed rows: after a change that keeps the tree's shape (a sync moves
//! statuses), a page at the old version gets only the rows that changed, and applying them
//! gives exactly the tree a full fetch returns; a page at an unknown version gets `None` (it
//! fetches the whole tree).

mod common;

use atrium_app::dto::env::TreeView;
use atrium_app::tree::TreeIndex;
use common::app_with;

fn view_of(index: &TreeIndex) -> TreeView {
    TreeView {
        env: index.env.clone(),
        revision: index.revision.clone(),
        simulated: index.simulated,
        version: index.version,
        nodes: index.nodes.clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_behind_gets_the_changed_rows_and_ends_with_the_same_tree() {
    let app = app_with(false, |config| config.engine.sim_rollout_ms = 0).await;
    let engine = app.state.services().engine;
    app.state.engine.reconcile_all().await;
    let before = engine.tree("prod").await.unwrap();

    let same = engine
        .tree_delta("prod", before.version)
        .await
        .unwrap()
        .unwrap();
    assert!(same.changed.is_empty());
    assert_eq!(same.version, before.version);
    assert!(engine.tree_delta("prod", 987_654).await.unwrap().is_none());

    // A new image tag committed to Git: the same resources, other versions and statuses.
    atrium_server::demo::set_image::set_image(app.dir.path(), "prod", "metrics-gateway", "9.9.8")
        .unwrap();
    app.state.engine.reconcile_all().await;
    let after = engine.tree("prod").await.unwrap();
    assert!(after.version > before.version, "the change shows");
    match engine.tree_delta("prod", before.version).await.unwrap() {
        Some(delta) => {
            assert!(!delta.changed.is_empty());
            assert!(delta.changed.len() < after.nodes.len());
            let mut index = TreeIndex::new(before.clone());
            assert!(index.apply(&delta));
            assert_eq!(view_of(&index).nodes, after.nodes);
            assert_eq!(index.version, after.version);
        }
        None => panic!("a new tag keeps the tree's shape: the rows should have come"),
    }
}

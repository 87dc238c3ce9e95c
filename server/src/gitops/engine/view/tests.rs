//! The view's statuses and rows, through the cache and from scratch.

use serde_json::json;

use std::collections::HashMap;
use std::sync::Arc;

use super::cache::same_wants;
use super::*;
use crate::gitops::tree::{RenderedApp, RenderedTree};
use crate::resource::facts::{desired_facts, live_facts};

fn config_map(value: &str) -> serde_json::Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap",
           "metadata": {"name": "settings", "namespace": "shop"}, "data": {"mode": value}})
}

fn one_app(resources: Vec<DesiredResource>) -> RenderedTree {
    RenderedTree {
        apps: vec![RenderedApp {
            destination_namespace: "shop".into(),
            ..RenderedApp::rendered("cart", resources)
        }],
    }
}

fn live(value: &str, version: &str) -> HashMap<String, Vec<LiveResource>> {
    let mut object = config_map(value);
    object["metadata"]["resourceVersion"] = json!(version);
    let l = LiveResource {
        key: "/ConfigMap/shop/settings".into(),
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        namespace: "shop".into(),
        name: "settings".into(),
        health: Health::Healthy,
        health_message: None,
        resource_version: version.into(),
        facts: Some(live_facts(&object)),
        object,
    };
    HashMap::from([("cart".to_string(), vec![l])])
}

#[test]
fn cached_statuses_follow_resource_versions_and_renders() {
    let desired = DesiredResource {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        namespace: "shop".into(),
        name: "settings".into(),
        manifest: config_map("fast"),
        sync_wave: 0,
        hook: None,
        facts: Some(desired_facts(&config_map("fast"))),
    };
    assert_eq!(desired.key(), "/ConfigMap/shop/settings");
    let tree = Arc::new(one_app(vec![desired.clone()]));
    let mut cache = ViewCache::default();
    let sync = |s: &HashMap<String, AppStatus>| s["cart"].sync;
    // The rows built through the cache are the rows built from scratch.
    let same_rows = |tree: &Arc<RenderedTree>,
                     live: &HashMap<String, Vec<LiveResource>>,
                     statuses: &HashMap<String, AppStatus>,
                     cache: &mut ViewCache| {
        let rows = tree_nodes_cached(tree, live, statuses, cache);
        assert_eq!(rows, tree_nodes(tree, live, statuses));
        rows
    };

    let first = app_statuses_cached(&tree, &live("fast", "1"), &mut cache, true);
    assert_eq!(first, app_statuses(&tree, &live("fast", "1")));
    assert_eq!((sync(&first), cache.len()), (SyncStatus::Synced, 1));
    // A new resourceVersion is looked at again: the live object drifted.
    let rows = same_rows(&tree, &live("fast", "1"), &first, &mut cache);
    assert_eq!(rows[1].sync, SyncStatus::Synced);
    let drifted = app_statuses_cached(&tree, &live("slow", "2"), &mut cache, true);
    assert_eq!(sync(&drifted), SyncStatus::OutOfSync);
    let rows = same_rows(&tree, &live("slow", "2"), &drifted, &mut cache);
    assert_eq!(rows[1].sync, SyncStatus::OutOfSync);
    // Gone from the cluster.
    let gone = app_statuses_cached(&tree, &HashMap::new(), &mut cache, true);
    assert_eq!(gone["cart"].health, Health::Missing);
    let rows = same_rows(&tree, &HashMap::new(), &gone, &mut cache);
    assert_eq!(rows[1].health, Health::Missing);
    // A new render that wants the same keeps what was worked out.
    let same = Arc::new(one_app(vec![desired.clone()]));
    app_statuses_cached(&same, &live("fast", "3"), &mut cache, true);
    assert_eq!(cache.len(), 1);
    let kept = cache.statuses["cart"].resources.clone();
    let again = Arc::new(one_app(vec![desired.clone()]));
    assert_eq!(
        app_statuses_cached(&again, &live("fast", "3"), &mut cache, true),
        first
    );
    assert_eq!(cache.statuses["cart"].resources, kept);
    same_rows(&again, &live("fast", "3"), &first, &mut cache);
    // A new render that wants something else: nothing cached for the app is trusted, even
    // for the same resourceVersion.
    let mut wanted = desired;
    wanted.manifest = config_map("slow");
    wanted.facts = Some(desired_facts(&wanted.manifest));
    let rerendered = Arc::new(one_app(vec![wanted]));
    app_statuses_cached(&tree, &live("fast", "3"), &mut cache, true);
    let after = app_statuses_cached(&rerendered, &live("fast", "3"), &mut cache, true);
    assert_eq!(sync(&after), SyncStatus::OutOfSync);
    assert_eq!(after, app_statuses(&rerendered, &live("fast", "3")));
    same_rows(&rerendered, &live("fast", "3"), &after, &mut cache);
}

#[test]
fn renders_are_compared_by_what_they_ask_and_show() {
    let deployment = |containers: serde_json::Value, replicas: u32| {
        let manifest = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": containers}}}});
        DesiredResource {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            namespace: "shop".into(),
            name: "web".into(),
            facts: Some(desired_facts(&manifest)),
            manifest,
            sync_wave: 0,
            hook: None,
        }
    };
    let web = json!({"name": "web", "image": "web:1"});
    let log = json!({"name": "log", "image": "log:7"});
    let a = deployment(json!([web, log]), 2);
    assert!(same_wants((&a, &a.clone())));
    assert!(!same_wants((&a, &deployment(json!([web, log]), 3))));
    // The same facts (containers go by name), but another version column.
    let swapped = deployment(json!([log, web]), 2);
    assert_eq!(a.facts, swapped.facts);
    assert!(!same_wants((&a, &swapped)));
    // Without facts, the manifests are compared.
    let bare = DesiredResource {
        facts: None,
        ..a.clone()
    };
    assert!(same_wants((&bare, &bare.clone())));
    assert!(!same_wants((&bare, &a)));
}

#[test]
fn image_tags_come_from_the_first_container() {
    let d = serde_json::json!({"spec": {"template": {"spec": {"containers": [
        {"image": "registry.example:5000/team/cart:1.4.2"}]}}}});
    assert_eq!(image_tag(&d).as_deref(), Some("1.4.2"));
    assert_eq!(image_tag(&serde_json::json!({"kind": "Service"})), None);
}

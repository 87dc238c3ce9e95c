//! The view's statuses and rows, through the cache and from scratch.

use serde_json::json;

use std::collections::HashMap;
use std::sync::Arc;

use super::cache::same_wants;
use super::*;
use crate::gitops::tree::{RenderedApp, RenderedTree};
use crate::resource::facts::{desired_facts, live_facts};
use atrium_app::dto::env::TreeView;

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

fn live(value: &str, version: &str) -> crate::cluster::driver::Inventory {
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
        object: object.into(),
    };
    HashMap::from([("cart".to_string(), std::sync::Arc::new(vec![l]))])
}

#[test]
fn cached_statuses_follow_resource_versions_and_renders() {
    let desired = DesiredResource {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        namespace: "shop".into(),
        name: "settings".into(),
        manifest: config_map("fast").into(),
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
                     live: &crate::cluster::driver::Inventory,
                     statuses: &HashMap<String, AppStatus>,
                     cache: &mut ViewCache| {
        let view = tree_nodes_cached(tree, live, statuses, cache, |nodes| {
            Arc::new(TreeView {
                nodes,
                ..TreeView::default()
            })
        });
        assert_eq!(view.nodes, tree_nodes(tree, live, statuses));
        view.nodes.clone()
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
    wanted.manifest = config_map("slow").into();
    wanted.facts = Some(desired_facts(&wanted.manifest.value()));
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
            manifest: manifest.into(),
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

/// A live object as the inventory lists it.
fn listed(object: serde_json::Value, health: Health) -> LiveResource {
    let meta = &object["metadata"];
    let (ns, name) = (
        meta["namespace"].as_str().unwrap_or_default().to_string(),
        meta["name"].as_str().unwrap().to_string(),
    );
    let (api_version, kind) = (
        object["apiVersion"].as_str().unwrap().to_string(),
        object["kind"].as_str().unwrap().to_string(),
    );
    LiveResource {
        key: crate::resource::resource_key(&api_version, &kind, &ns, &name).into(),
        api_version: api_version.into(),
        kind: kind.into(),
        namespace: ns.into(),
        name: name.into(),
        health,
        health_message: None,
        resource_version: "1".into(),
        facts: Some(live_facts(&object)),
        object: object.into(),
    }
}

#[test]
fn hooks_count_for_neither_sync_nor_health_and_are_never_orphans() {
    let hook_manifest = json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"generateName": "upgrade-", "namespace": "shop",
                     "annotations": {"argocd.argoproj.io/hook": "PreSync"}}});
    let mut rendered = Vec::new();
    crate::gitops::render::objects::to_resources(
        "manifests.yaml",
        vec![config_map("fast"), hook_manifest],
        "shop",
        &mut rendered,
    )
    .unwrap();
    let tree = one_app(rendered);
    // Before any sync: the hook is not in the cluster, which is no drift.
    let only_cm = HashMap::from([(
        "cart".to_string(),
        std::sync::Arc::new(vec![listed(config_map("fast"), Health::Healthy)]),
    )]);
    let before = app_statuses(&tree, &only_cm);
    assert_eq!(before["cart"].sync, SyncStatus::Synced, "{before:?}");
    assert_eq!(before["cart"].health, Health::Healthy);
    assert_eq!(before["cart"].resources[1].1, Health::Missing);
    // Two syncs later: two generated Jobs, the older failed; a named hook removed from Git.
    let job = |name: &str, at: &str| {
        json!({"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "namespace": "shop", "creationTimestamp": at,
                         "annotations": {"argocd.argoproj.io/hook": "PreSync"}}})
    };
    let mut live_list = vec![
        listed(config_map("fast"), Health::Healthy),
        listed(
            job("upgrade-aaaaaaa-presync-1", "2026-01-01T00:00:00Z"),
            Health::Degraded,
        ),
        listed(
            job("upgrade-bbbbbbb-presync-2", "2026-01-02T00:00:00Z"),
            Health::Healthy,
        ),
        listed(job("old-hook", "2025-01-01T00:00:00Z"), Health::Healthy),
    ];
    live_list.sort_by(|a, b| a.key.cmp(&b.key));
    let live_list = std::sync::Arc::new(live_list);
    let after = app_statuses(&tree, &HashMap::from([("cart".to_string(), live_list)]));
    let cart = &after["cart"];
    assert_eq!(
        (cart.sync, cart.health, cart.orphans),
        (SyncStatus::Synced, Health::Healthy, 0)
    );
    let (sync, health, message) = &cart.resources[1];
    assert_eq!((*sync, *health), (SyncStatus::Synced, Health::Healthy));
    assert!(
        message
            .as_deref()
            .unwrap()
            .contains("upgrade-bbbbbbb-presync-2"),
        "{message:?}"
    );
}

#[test]
fn ignore_differences_leave_fields_out_of_sync_status() {
    let manifest = |replicas: i64| {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": replicas}})
    };
    let mut rendered = Vec::new();
    crate::gitops::render::objects::to_resources(
        "d.yaml",
        vec![manifest(2)],
        "shop",
        &mut rendered,
    )
    .unwrap();
    let live = HashMap::from([(
        "cart".to_string(),
        std::sync::Arc::new(vec![listed(manifest(5), Health::Healthy)]),
    )]);
    let mut tree = one_app(rendered);
    assert_eq!(
        app_statuses(&tree, &live)["cart"].sync,
        SyncStatus::OutOfSync
    );
    let application = crate::gitops::application::Application::from_yaml(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: cart\nspec:\n  \
         ignoreDifferences:\n  - group: apps\n    kind: Deployment\n    jsonPointers:\n    - /spec/replicas\n",
    )
    .unwrap();
    tree.apps[0].application = Some(application);
    let statuses = app_statuses(&tree, &live);
    assert_eq!(statuses["cart"].sync, SyncStatus::Synced, "{statuses:?}");
    // Through the cache too: a new render with the rules is not answered from the old verdicts.
    let mut cache = ViewCache::default();
    let without = Arc::new(one_app(tree.apps[0].resources.clone()));
    assert_eq!(
        app_statuses_cached(&without, &live, &mut cache, true)["cart"].sync,
        SyncStatus::OutOfSync
    );
    let with = Arc::new(tree);
    assert_eq!(
        app_statuses_cached(&with, &live, &mut cache, true)["cart"].sync,
        SyncStatus::Synced
    );
}

#[test]
fn refused_resources_show_on_their_row_and_app_and_unapplied_projects_are_not_drift() {
    let resource = |api_version: &str, kind: &str, namespace: &str, name: &str| {
        let manifest = json!({"apiVersion": api_version, "kind": kind,
                              "metadata": {"name": name, "namespace": namespace}});
        DesiredResource {
            api_version: api_version.into(),
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
            facts: Some(desired_facts(&manifest)),
            manifest: manifest.into(),
            sync_wave: 0,
            hook: None,
        }
    };
    let project = resource("argoproj.io/v1alpha1", "AppProject", "", "team");
    let settings = resource("v1", "ConfigMap", "shop", "settings");
    let role = resource("rbac.authorization.k8s.io/v1", "ClusterRole", "", "cart");
    let why = "resource rbac.authorization.k8s.io:ClusterRole is not permitted in project team";
    let mut tree = one_app(vec![project, settings.clone(), role.clone()]);
    tree.apps[0].refused.insert(role.key(), why.into());
    let live = live("fast", "1");

    let statuses = app_statuses_cached(
        &Arc::new(tree.clone()),
        &live,
        &mut ViewCache::default(),
        false,
    );
    let rows = tree_nodes(&tree, &live, &statuses);
    let row = |key: &str| {
        rows.iter()
            .find(|n| n.id.resource_key() == Some(key))
            .unwrap()
    };
    assert_eq!(row(&role.key()).status, "not-permitted");
    assert_eq!(row(&role.key()).message.as_deref(), Some(why));
    assert_eq!(row(&settings.key()).status, "ok");
    let app = &rows[0];
    assert_eq!(app.status, "ok");
    assert_eq!(
        app.message.as_deref(),
        Some(format!("sync refused: {why}").as_str())
    );
    // The AppProject Atrium keeps to itself is neither missing nor out of sync.
    let kept = row("argoproj.io/AppProject//team");
    assert_eq!(
        (kept.sync, kept.health),
        (SyncStatus::Synced, Health::Healthy)
    );
    // Applied (apply_applications), its absence is drift like any other.
    let applied = app_statuses(&tree, &live);
    let rows = tree_nodes(&tree, &live, &applied);
    let shown = rows
        .iter()
        .find(|n| n.id.resource_key() == Some("argoproj.io/AppProject//team"))
        .unwrap();
    assert_eq!(shown.health, Health::Missing);
}

//! Sync options against the emulator (in-process): `Prune=false`, `Replace=true`,
//! `ApplyOutOfSyncOnly=true`.

use std::time::Duration;

use kube::api::{Api, Patch, PatchParams};
use kube::core::{ApiResource, DynamicObject};
use serde_json::{json, Value};

use super::{AppSync, ClusterDriver, ResourceAction, SyncOptions};
use crate::cluster::sim::{Sim, SimConfig};
use crate::gitops::render::objects::to_resources;
use crate::resource::DesiredResource;

fn driver() -> (Sim, ClusterDriver) {
    let sim = Sim::start(SimConfig {
        rollout_delay: Duration::from_millis(50),
    });
    let driver = ClusterDriver::new(sim.client());
    (sim, driver)
}

const PRUNE: SyncOptions = SyncOptions {
    prune: true,
    create_namespace: true,
    dry_run: false,
    wait_for_health: None,
};

fn config_map(name: &str, data: Value, options: Option<&str>) -> DesiredResource {
    let mut m =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data});
    if let Some(o) = options {
        m["metadata"]["annotations"] = json!({"argocd.argoproj.io/sync-options": o});
    }
    let mut out = Vec::new();
    to_resources("cm.yaml", vec![m], "opts", &mut out).unwrap();
    out.remove(0)
}

fn config_maps(sim: &Sim) -> Api<DynamicObject> {
    let ar = ApiResource::erase::<k8s_openapi::api::core::v1::ConfigMap>(&());
    Api::namespaced_with(sim.client(), "opts", &ar)
}

#[tokio::test]
async fn prune_false_keeps_a_resource_git_no_longer_has() {
    let (sim, driver) = driver();
    let desired = [
        config_map("kept", json!({}), Some("Prune=false")),
        config_map("gone", json!({}), None),
    ];
    assert!(driver
        .apply("opts", &desired, PRUNE)
        .await
        .unwrap()
        .succeeded());
    let report = driver.apply("opts", &[], PRUNE).await.unwrap();
    let kept = report.result("/ConfigMap/opts/kept").unwrap();
    assert_eq!(kept.action, ResourceAction::PruneRequired);
    assert!(kept.message.contains("Prune=false"), "{kept:?}");
    assert_eq!(
        report.result("/ConfigMap/opts/gone").unwrap().action,
        ResourceAction::Pruned
    );
    assert!(config_maps(&sim).get_opt("kept").await.unwrap().is_some());
    assert!(config_maps(&sim).get_opt("gone").await.unwrap().is_none());
}

/// Another field manager's label: server-side apply leaves it, a replace does not.
async fn label_by_another_manager(sim: &Sim) {
    let patch = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "settings", "labels": {"added-by": "someone"}}});
    config_maps(sim)
        .patch(
            "settings",
            &PatchParams::apply("someone"),
            &Patch::Apply(&patch),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn replace_true_replaces_the_object_instead_of_applying() {
    let (sim, driver) = driver();
    let applied = [config_map("settings", json!({"a": "1"}), None)];
    driver.apply("opts", &applied, PRUNE).await.unwrap();
    label_by_another_manager(&sim).await;
    driver.apply("opts", &applied, PRUNE).await.unwrap();
    let labels = |o: DynamicObject| o.metadata.labels.unwrap_or_default();
    assert!(labels(config_maps(&sim).get("settings").await.unwrap()).contains_key("added-by"));

    let replaced = [config_map(
        "settings",
        json!({"a": "2"}),
        Some("Replace=true"),
    )];
    let report = driver.apply("opts", &replaced, PRUNE).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    let r = report.result("/ConfigMap/opts/settings").unwrap();
    assert_eq!(r.action, ResourceAction::Configured);
    assert!(r.message.contains("replaced"), "{r:?}");
    let live = config_maps(&sim).get("settings").await.unwrap();
    assert_eq!(live.data["data"]["a"], "2");
    assert!(!labels(live.clone()).contains_key("added-by"));
    // Still tracked, so still this app's.
    assert!(driver
        .live("opts")
        .await
        .unwrap()
        .iter()
        .any(|l| &*l.name == "settings"));
    // A missing object is created.
    let new = [config_map("fresh", json!({}), Some("Replace=true"))];
    let report = driver
        .apply(
            "opts",
            &new,
            SyncOptions {
                prune: false,
                ..PRUNE
            },
        )
        .await
        .unwrap();
    assert_eq!(
        report.result("/ConfigMap/opts/fresh").unwrap().action,
        ResourceAction::Created
    );
}

#[tokio::test]
async fn apply_out_of_sync_only_leaves_objects_in_sync_alone() {
    let (sim, driver) = driver();
    let only = ["ApplyOutOfSyncOnly=true".to_string()];
    let app = AppSync {
        revision: "",
        sync_options: &only,
    };
    let desired = [
        config_map("same", json!({"a": "1"}), None),
        config_map("changing", json!({"a": "1"}), None),
    ];
    driver
        .apply_app("opts", &desired, PRUNE, app)
        .await
        .unwrap();
    let changed = [
        config_map("same", json!({"a": "1"}), None),
        config_map("changing", json!({"a": "2"}), None),
    ];
    let report = driver
        .apply_app("opts", &changed, PRUNE, app)
        .await
        .unwrap();
    let same = report.result("/ConfigMap/opts/same").unwrap();
    assert_eq!(same.action, ResourceAction::Unchanged);
    assert!(same.message.contains("ApplyOutOfSyncOnly"), "{same:?}");
    assert_eq!(
        report.result("/ConfigMap/opts/changing").unwrap().action,
        ResourceAction::Configured
    );
    assert_eq!(
        config_maps(&sim).get("changing").await.unwrap().data["data"]["a"],
        "2"
    );
}

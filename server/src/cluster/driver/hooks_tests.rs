//! Hooks against the emulator (in-process): `generateName` names, delete policies, and hooks
//! kept out of prune.

use std::time::Duration;

use kube::api::Api;
use kube::core::{ApiResource, DynamicObject};
use serde_json::{json, Value};

use super::{AppSync, ClusterDriver, ResourceAction, SyncOptions};
use crate::cluster::sim::{Sim, SimConfig};
use crate::gitops::render::objects::to_resources;
use crate::resource::DesiredResource;

fn driver() -> (Sim, ClusterDriver) {
    let sim = Sim::start(SimConfig {
        rollout_delay: Duration::from_millis(100),
    });
    let driver = ClusterDriver::new(sim.client());
    (sim, driver)
}

const WAIT: SyncOptions = SyncOptions {
    prune: true,
    create_namespace: true,
    dry_run: false,
    wait_for_health: Some(Duration::from_secs(10)),
};

/// A hook Job; `meta` holds its name or generateName and annotations beyond the hook's.
fn hook(phase: &str, meta: Value, image: &str) -> Value {
    let mut m = json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"annotations": {"argocd.argoproj.io/hook": phase}},
        "spec": {"backoffLimit": 0, "template": {"spec": {"restartPolicy": "Never",
            "containers": [{"name": "main", "image": image}]}}}});
    for (k, v) in meta.as_object().unwrap() {
        if k == "annotations" {
            for (a, text) in v.as_object().unwrap() {
                m["metadata"]["annotations"][a] = text.clone();
            }
        } else {
            m["metadata"][k] = v.clone();
        }
    }
    m
}

fn rendered(docs: Vec<Value>) -> Vec<DesiredResource> {
    let mut out = Vec::new();
    to_resources("manifests.yaml", docs, "waves", &mut out).unwrap();
    out
}

fn config_map() -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "backend"}, "data": {"a": "1"}})
}

fn jobs(sim: &Sim) -> Api<DynamicObject> {
    let ar = ApiResource::erase::<k8s_openapi::api::batch::v1::Job>(&());
    Api::namespaced_with(sim.client(), "waves", &ar)
}

async fn job_names(sim: &Sim) -> Vec<String> {
    let mut names: Vec<String> = jobs(sim)
        .list(&Default::default())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|j| j.metadata.name)
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn generate_name_hooks_get_a_new_name_each_sync_and_are_never_pruned() {
    let (sim, driver) = driver();
    let desired = rendered(vec![
        hook(
            "PreSync",
            json!({"generateName": "upgrade-sql-schema-"}),
            "alpine:3",
        ),
        config_map(),
    ]);
    let first = driver
        .apply_app(
            "waves",
            &desired,
            WAIT,
            AppSync {
                revision: "1111111aaaa",
                sync_options: &[],
            },
        )
        .await
        .unwrap();
    assert!(first.succeeded(), "{first:#?}");
    let hook_result = first.results.iter().find(|r| r.kind == "Job").unwrap();
    assert!(
        hook_result
            .name
            .starts_with("upgrade-sql-schema-1111111-presync-"),
        "{hook_result:?}"
    );
    assert_eq!(hook_result.action, ResourceAction::Created);
    let second = driver
        .apply_app(
            "waves",
            &desired,
            WAIT,
            AppSync {
                revision: "2222222bbbb",
                sync_options: &[],
            },
        )
        .await
        .unwrap();
    assert!(second.succeeded(), "{second:#?}");
    // The default policy (BeforeHookCreation) finds no earlier Job of the new name, and prune
    // leaves hooks to their policy: both runs are there.
    let names = job_names(&sim).await;
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].starts_with("upgrade-sql-schema-1111111-presync-"));
    assert!(names[1].starts_with("upgrade-sql-schema-2222222-presync-"));
    assert!(second.with_action(ResourceAction::Pruned).next().is_none());
}

#[tokio::test]
async fn named_hooks_are_recreated_and_deleted_by_their_policies() {
    let (sim, driver) = driver();
    let desired = rendered(vec![
        hook("PreSync", json!({"name": "migrate"}), "alpine:3"),
        hook(
            "PostSync",
            json!({"name": "notify", "annotations": {
                "argocd.argoproj.io/hook-delete-policy": "HookSucceeded"}}),
            "alpine:3",
        ),
        config_map(),
    ]);
    let first = driver.apply("waves", &desired, WAIT).await.unwrap();
    assert!(first.succeeded(), "{first:#?}");
    assert_eq!(job_names(&sim).await, ["migrate"]);
    let notify = first.result("batch/Job/waves/notify").unwrap();
    assert!(
        notify.message.contains("deleted: the sync succeeded"),
        "{notify:?}"
    );
    let uid = |o: DynamicObject| o.metadata.uid.unwrap();
    let before = uid(jobs(&sim).get("migrate").await.unwrap());

    let second = driver.apply("waves", &desired, WAIT).await.unwrap();
    assert!(second.succeeded(), "{second:#?}");
    let migrate = second.result("batch/Job/waves/migrate").unwrap();
    assert_eq!(migrate.action, ResourceAction::Created, "{migrate:?}");
    assert!(migrate.message.contains("BeforeHookCreation"));
    // A new Job, so it ran again (re-applying the finished one would have changed nothing).
    assert_ne!(uid(jobs(&sim).get("migrate").await.unwrap()), before);
}

#[tokio::test]
async fn a_failed_hook_fails_the_sync_and_hook_failed_deletes_it() {
    let (sim, driver) = driver();
    let failing = |policy: &str| {
        rendered(vec![
            hook(
                "PreSync",
                json!({"name": "check", "annotations": {
                    "argocd.argoproj.io/hook-delete-policy": policy}}),
                "alpine:3-bad",
            ),
            config_map(),
        ])
    };
    let kept = driver
        .apply("waves", &failing("HookSucceeded"), WAIT)
        .await
        .unwrap();
    assert_eq!(kept.failed_wave, Some(0), "{kept:#?}");
    assert_eq!(
        kept.result("/ConfigMap/waves/backend").unwrap().action,
        ResourceAction::Skipped
    );
    assert_eq!(job_names(&sim).await, ["check"]);

    let deleted = driver
        .apply("waves", &failing("HookFailed"), WAIT)
        .await
        .unwrap();
    assert!(!deleted.succeeded());
    let check = deleted.result("batch/Job/waves/check").unwrap();
    assert!(
        check.message.contains("deleted: the sync failed"),
        "{check:?}"
    );
    assert!(job_names(&sim).await.is_empty());
}

#[tokio::test]
async fn a_dry_run_names_hooks_without_creating_or_deleting_them() {
    let (sim, driver) = driver();
    let desired = rendered(vec![hook(
        "PreSync",
        json!({"generateName": "up-"}),
        "alpine:3",
    )]);
    let opts = SyncOptions {
        dry_run: true,
        ..WAIT
    };
    let report = driver
        .apply_app(
            "waves",
            &desired,
            opts,
            AppSync {
                revision: "abc",
                sync_options: &[],
            },
        )
        .await
        .unwrap();
    assert!(report.succeeded(), "{report:#?}");
    assert!(report
        .results
        .iter()
        .any(|r| r.name.starts_with("up-abc-presync-")));
    assert!(job_names(&sim).await.is_empty());
}

#[tokio::test]
async fn sync_fail_hooks_run_after_a_failed_wave_are_waited_for_and_deleted_by_policy() {
    let (sim, driver) = driver();
    let desired = rendered(vec![
        hook("PreSync", json!({"name": "check"}), "alpine:3-bad"),
        hook(
            "SyncFail",
            json!({"name": "page-oncall", "annotations": {
                "argocd.argoproj.io/hook-delete-policy": "HookFailed"}}),
            "alpine:3",
        ),
        hook("SyncFail", json!({"name": "cleanup"}), "alpine:3-bad"),
        config_map(),
    ]);
    let report = driver.apply("waves", &desired, WAIT).await.unwrap();
    assert_eq!(report.failed_wave, Some(0), "{report:#?}");
    // Waited for: the one that failed says so; HookFailed deleted the one that ran.
    let cleanup = report.result("batch/Job/waves/cleanup").unwrap();
    assert_eq!(cleanup.action, ResourceAction::Failed, "{cleanup:?}");
    let page = report.result("batch/Job/waves/page-oncall").unwrap();
    assert!(
        page.message.contains("deleted: the sync failed"),
        "{page:?}"
    );
    assert_eq!(job_names(&sim).await, ["check", "cleanup"]);
}

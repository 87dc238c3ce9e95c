//! The cluster driver against the emulator over real HTTP on loopback: apply, re-apply,
//! field removal, prune, waves, namespaces, health over time, drift and heal, dry run.

use std::future::Future;
use std::time::Duration;

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use kube::core::ApiResource;
use serde_json::{json, Value};

use atrium_server::cluster::driver::{
    diff, ClusterDriver, DiffOp, LiveWatch, ResourceAction, SyncOptions,
};
use atrium_server::cluster::sim::{self, Served, Sim, SimConfig};
use atrium_server::resource::{DesiredResource, Health, SyncStatus};

const DELAY: Duration = Duration::from_millis(200);

async fn cluster() -> (Served, ClusterDriver) {
    cluster_with(DELAY).await
}

async fn cluster_with(rollout_delay: Duration) -> (Served, ClusterDriver) {
    let served = sim::serve("127.0.0.1:0".parse().unwrap(), SimConfig { rollout_delay })
        .await
        .expect("bind loopback");
    let driver = ClusterDriver::new(served.client().expect("client for loopback"));
    (served, driver)
}

/// Polls until `check` yields something, failing fast after a few seconds.
async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    for _ in 0..100 {
        if let Some(v) = check().await {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

fn resource(manifest: Value) -> DesiredResource {
    let api_version = manifest["apiVersion"].as_str().unwrap().to_string();
    let kind = manifest["kind"].as_str().unwrap().to_string();
    let name = manifest["metadata"]["name"].as_str().unwrap().to_string();
    let namespace = manifest["metadata"]["namespace"]
        .as_str()
        .unwrap_or("")
        .to_string();
    DesiredResource {
        api_version: api_version.into(),
        kind: kind.into(),
        namespace: namespace.into(),
        name: name.into(),
        manifest: manifest.into(),
        sync_wave: 0,
        hook: None,
        facts: None,
    }
}

fn config_map(ns: &str, name: &str, data: Value) -> DesiredResource {
    resource(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": data}),
    )
}

fn deployment(ns: &str, name: &str, image: &str) -> DesiredResource {
    resource(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "main", "image": image}]}}
        }
    }))
}

fn job(ns: &str, name: &str) -> DesiredResource {
    resource(json!({
        "apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": ns},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "main", "image": "busybox:1"}]}}}
    }))
}

fn namespace(name: &str) -> DesiredResource {
    resource(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}))
}

fn wave(mut r: DesiredResource, w: i32) -> DesiredResource {
    r.sync_wave = w;
    r
}

const CREATE_NS: SyncOptions = SyncOptions {
    prune: false,
    create_namespace: true,
    dry_run: false,
    wait_for_health: None,
};
const PRUNE: SyncOptions = SyncOptions {
    prune: true,
    create_namespace: true,
    dry_run: false,
    wait_for_health: None,
};

fn cm_api(served: &Served, ns: &str) -> Api<DynamicObject> {
    let ar = ApiResource::erase::<k8s_openapi::api::core::v1::ConfigMap>(&());
    Api::namespaced_with(served.client().unwrap(), ns, &ar)
}

#[tokio::test]
async fn apply_creates_and_reapply_is_unchanged() {
    let (served, driver) = cluster().await;
    let desired = vec![
        config_map("shop", "settings", json!({"a": "1"})),
        deployment("shop", "web", "web:1"),
    ];

    let first = driver.apply("shop", &desired, CREATE_NS).await.unwrap();
    assert!(first.succeeded(), "{first:#?}");
    assert_eq!(
        first.result("/Namespace//shop").unwrap().action,
        ResourceAction::Created
    );
    assert_eq!(
        first.result("/ConfigMap/shop/settings").unwrap().action,
        ResourceAction::Created
    );
    assert_eq!(
        first.result("apps/Deployment/shop/web").unwrap().action,
        ResourceAction::Created
    );

    let live = cm_api(&served, "shop").get("settings").await.unwrap();
    let labels = live.metadata.labels.unwrap();
    assert_eq!(labels["atrium.dev/app"], "shop");
    assert_eq!(
        live.metadata.annotations.unwrap()["atrium.dev/tracking-id"],
        "shop:/ConfigMap/shop/settings"
    );
    let managers: Vec<String> = live
        .metadata
        .managed_fields
        .unwrap()
        .into_iter()
        .filter_map(|m| m.manager)
        .collect();
    assert!(managers.contains(&"atrium".to_string()), "{managers:?}");

    let again = driver.apply("shop", &desired, CREATE_NS).await.unwrap();
    for key in ["/ConfigMap/shop/settings", "apps/Deployment/shop/web"] {
        let (before, after) = (first.result(key).unwrap(), again.result(key).unwrap());
        assert_eq!(after.action, ResourceAction::Unchanged, "{key}: {after:?}");
        if key.contains("ConfigMap") {
            // No controller writes ConfigMaps, so nothing moved the version either.
            assert_eq!(before.resource_version, after.resource_version, "{key}");
        }
    }
    assert!(
        again.result("/Namespace//shop").is_none(),
        "an existing namespace is left alone"
    );
}

/// The engine waits after a sync until the watches have seen every object the report gives a
/// resourceVersion. A namespace made for the app carries no tracking label, so no watch sees
/// it: its result has no version, or each sync into a new namespace waited out the limit. (The
/// 30 s bound is generous for a busy machine; without the fix the version assertion fails first.)
#[tokio::test]
async fn the_watches_catch_up_with_a_sync_into_a_new_namespace() {
    let (_served, driver) = cluster().await;
    let watch = LiveWatch::default();
    let desired = vec![
        resource(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "seen"}})),
        config_map("fresh", "settings", json!({"a": "1"})),
    ];
    driver
        .watch_kinds(
            &watch,
            &[
                ("v1".into(), "Namespace".into()),
                ("v1".into(), "ConfigMap".into()),
            ],
        )
        .await
        .unwrap();
    watch.current(Duration::from_secs(10)).await.unwrap();
    let report = driver.apply("shop", &desired, CREATE_NS).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    let made = report.result("/Namespace//fresh").unwrap();
    assert_eq!(made.action, ResourceAction::Created);
    assert_eq!(made.resource_version, None, "no watch will report it");
    let written: Vec<(String, Option<String>)> = report
        .results
        .iter()
        .map(|r| (r.key.clone(), r.resource_version.clone()))
        .collect();
    assert!(
        watch.caught_up(&written, Duration::from_secs(30)).await,
        "the watches saw everything the sync wrote: {written:?}"
    );
}

#[tokio::test]
async fn a_field_dropped_from_the_manifest_disappears_from_live() {
    let (served, driver) = cluster().await;
    driver
        .apply(
            "shop",
            &[config_map("shop", "settings", json!({"a": "1", "b": "2"}))],
            CREATE_NS,
        )
        .await
        .unwrap();
    let report = driver
        .apply(
            "shop",
            &[config_map("shop", "settings", json!({"a": "1"}))],
            CREATE_NS,
        )
        .await
        .unwrap();
    assert_eq!(
        report.result("/ConfigMap/shop/settings").unwrap().action,
        ResourceAction::Configured
    );
    let live = cm_api(&served, "shop").get("settings").await.unwrap();
    assert_eq!(live.data["data"], json!({"a": "1"}));
}

#[tokio::test]
async fn prune_removes_only_this_apps_leftovers_and_only_when_asked() {
    let (served, driver) = cluster().await;
    let a = config_map("shop", "a", json!({}));
    let b = config_map("shop", "b", json!({}));
    driver
        .apply("shop", &[a.clone(), b.clone()], CREATE_NS)
        .await
        .unwrap();
    driver
        .apply("blog", &[config_map("shop", "c", json!({}))], CREATE_NS)
        .await
        .unwrap();
    // Someone else's object, same namespace, no tracking label.
    let other = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "d"}});
    cm_api(&served, "shop")
        .patch(
            "d",
            &PatchParams::apply("kubectl").force(),
            &Patch::Apply(&other),
        )
        .await
        .unwrap();

    let kept = driver
        .apply("shop", std::slice::from_ref(&a), CREATE_NS)
        .await
        .unwrap();
    assert_eq!(
        kept.result("/ConfigMap/shop/b").unwrap().action,
        ResourceAction::PruneRequired
    );
    assert!(cm_api(&served, "shop")
        .get_opt("b")
        .await
        .unwrap()
        .is_some());

    let pruned = driver.apply("shop", &[a], PRUNE).await.unwrap();
    assert_eq!(
        pruned.result("/ConfigMap/shop/b").unwrap().action,
        ResourceAction::Pruned
    );
    assert_eq!(
        pruned.with_action(ResourceAction::Pruned).count(),
        1,
        "{pruned:#?}"
    );
    let api = cm_api(&served, "shop");
    assert!(api.get_opt("b").await.unwrap().is_none());
    for survivor in ["a", "c", "d"] {
        assert!(
            api.get_opt(survivor).await.unwrap().is_some(),
            "{survivor} must survive"
        );
    }
    let live: Vec<String> = driver
        .live("shop")
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.key.into())
        .collect();
    assert_eq!(live, ["/ConfigMap/shop/a"]);
}

/// With `wait_for_health`, a wave starts once the one before is healthy, as in Argo CD: the
/// Deployment of wave 0 has rolled out before wave 1 is applied; a Degraded one fails its wave.
#[tokio::test]
async fn waves_wait_for_the_previous_wave_to_be_healthy() {
    let (_served, driver) = cluster_with(Duration::from_millis(400)).await;
    let waiting = SyncOptions {
        wait_for_health: Some(Duration::from_secs(10)),
        ..CREATE_NS
    };
    let desired = vec![
        deployment("rollout", "db", "db:1"),
        wave(config_map("rollout", "after-db", json!({})), 1),
    ];
    let started = std::time::Instant::now();
    let report = driver.apply("rollout", &desired, waiting).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    assert!(started.elapsed() >= Duration::from_millis(400));
    let live = driver.live("rollout").await.unwrap();
    let db = live.iter().find(|l| &*l.name == "db").unwrap();
    assert_eq!(
        atrium_server::cluster::driver::health_of(Some(&db.object.value())).0,
        Health::Healthy,
        "wave 1 went in only after wave 0 was healthy"
    );

    let desired = vec![
        deployment("rollout", "db", "db:2-bad"),
        wave(config_map("rollout", "after-bad", json!({})), 1),
    ];
    let report = driver.apply("rollout", &desired, waiting).await.unwrap();
    assert_eq!(report.failed_wave, Some(0));
    let db = report.result("apps/Deployment/rollout/db").unwrap();
    assert_eq!(db.action, ResourceAction::Failed);
    assert!(db.message.contains("Degraded"), "{}", db.message);
    assert_eq!(
        report
            .result("/ConfigMap/rollout/after-bad")
            .unwrap()
            .action,
        ResourceAction::Skipped
    );
    let live = driver.live("rollout").await.unwrap();
    assert!(live.iter().all(|l| &*l.name != "after-bad"));
}

#[tokio::test]
async fn waves_apply_in_order_and_a_failing_wave_stops_the_sync() {
    let (_served, driver) = cluster().await;
    let desired = vec![
        wave(deployment("shop", "web", "web:1"), 1),
        wave(config_map("shop", "late", json!({})), 2),
        config_map("shop", "settings", json!({})),
        wave(namespace("shop"), -1),
        wave(config_map("shop", "early", json!({})), -1),
    ];
    let report = driver
        .apply("shop", &desired, SyncOptions::default())
        .await
        .unwrap();
    assert!(report.succeeded(), "{report:#?}");
    let order: Vec<&str> = report.results.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(order, ["shop", "early", "settings", "web", "late"]);
    let versions: Vec<u64> = report
        .results
        .iter()
        .map(|r| r.resource_version.as_deref().unwrap().parse().unwrap())
        .collect();
    assert!(
        versions.windows(2).all(|w| w[0] < w[1]),
        "applied in report order: {versions:?}"
    );

    let mut broken = deployment("shop", "broken", "x:1");
    broken.manifest.edit(|m| {
        m["spec"]["template"]["spec"]["containers"][0]
            .as_object_mut()
            .unwrap()
            .remove("image");
    });
    let desired = vec![
        config_map("shop", "first", json!({})),
        wave(broken, 1),
        wave(config_map("shop", "never", json!({})), 2),
    ];
    let report = driver.apply("shop", &desired, PRUNE).await.unwrap();
    assert!(!report.succeeded());
    assert_eq!(report.failed_wave, Some(1));
    let failed = report.result("apps/Deployment/shop/broken").unwrap();
    assert_eq!(failed.action, ResourceAction::Failed);
    assert!(
        failed
            .message
            .contains("spec.template.spec.containers[0].image"),
        "{}",
        failed.message
    );
    assert_eq!(
        report.result("/ConfigMap/shop/never").unwrap().action,
        ResourceAction::Skipped
    );
    assert_eq!(
        report.with_action(ResourceAction::Pruned).count(),
        0,
        "no prune after a failed wave"
    );
}

#[tokio::test]
async fn namespaces_are_created_only_when_asked() {
    let (_served, driver) = cluster().await;
    let desired = [config_map("fresh", "settings", json!({}))];
    let report = driver
        .apply("fresh", &desired, SyncOptions::default())
        .await
        .unwrap();
    let r = report.result("/ConfigMap/fresh/settings").unwrap();
    assert_eq!(r.action, ResourceAction::Failed);
    assert!(
        r.message.contains("namespaces \"fresh\" not found"),
        "{}",
        r.message
    );

    let report = driver.apply("fresh", &desired, CREATE_NS).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    assert_eq!(
        report.results[0].key, "/Namespace//fresh",
        "the namespace comes first"
    );
    assert_eq!(
        report.result("/ConfigMap/fresh/settings").unwrap().action,
        ResourceAction::Created
    );
}

#[tokio::test]
async fn health_moves_from_progressing_to_healthy_or_degraded() {
    // Long enough that a loaded machine still sees Progressing before the rollout ends.
    let (_served, driver) = cluster_with(Duration::from_millis(1000)).await;
    let desired = [
        deployment("shop", "web", "web:1.0"),
        deployment("shop", "bad", "web:1.1-bad"),
        job("shop", "migrate"),
    ];
    driver.apply("shop", &desired, CREATE_NS).await.unwrap();
    let health = |name: &'static str| {
        let driver = &driver;
        async move {
            let live = driver.live("shop").await.unwrap();
            let l = live.into_iter().find(|l| &*l.name == name).unwrap();
            (l.health, l.health_message)
        }
    };
    assert_eq!(health("web").await.0, Health::Progressing);
    assert_eq!(health("bad").await.0, Health::Progressing);
    eventually("web Healthy", || async {
        (health("web").await.0 == Health::Healthy).then_some(())
    })
    .await;
    eventually("migrate Healthy", || async {
        (health("migrate").await.0 == Health::Healthy).then_some(())
    })
    .await;
    let msg = eventually("bad Degraded", || async {
        let (h, m) = health("bad").await;
        (h == Health::Degraded).then_some(m)
    })
    .await;
    assert!(msg.unwrap().contains("progress deadline"));

    // A new image is a new generation: Progressing again, then Healthy.
    driver
        .apply("shop", &[deployment("shop", "web", "web:2.0")], CREATE_NS)
        .await
        .unwrap();
    assert_eq!(health("web").await.0, Health::Progressing);
    eventually("web Healthy again", || async {
        (health("web").await.0 == Health::Healthy).then_some(())
    })
    .await;
}

#[tokio::test]
async fn drift_from_another_manager_is_out_of_sync_until_reapplied() {
    // The controller runs only where this test says: its first status write once came after
    // the edit below, on a timer, and took every other manager's managedFields entry.
    let sim = Sim::with_manual_controller(SimConfig {
        rollout_delay: Duration::ZERO,
    });
    let served = sim::serve_sim("127.0.0.1:0".parse().unwrap(), sim)
        .await
        .expect("bind loopback");
    let driver = ClusterDriver::new(served.client().expect("client for loopback"));
    let web = deployment("shop", "web", "web:1");
    driver
        .apply("shop", std::slice::from_ref(&web), CREATE_NS)
        .await
        .unwrap();
    let live_of = || async {
        let live = driver.live("shop").await.unwrap();
        live.into_iter()
            .find(|l| &*l.name == "web")
            .unwrap()
            .object
            .value()
    };
    assert_eq!(
        diff(&web.manifest.value(), &live_of().await).sync,
        SyncStatus::Synced
    );

    let ar = ApiResource::erase::<k8s_openapi::api::apps::v1::Deployment>(&());
    let api: Api<DynamicObject> = Api::namespaced_with(served.client().unwrap(), "shop", &ar);
    let edit = PatchParams {
        field_manager: Some("kubectl-edit".into()),
        ..Default::default()
    };
    api.patch(
        "web",
        &edit,
        &Patch::Merge(json!({"spec": {"replicas": 5}})),
    )
    .await
    .unwrap();
    // The Deployment's first status, written after both other managers wrote.
    served.sim.run_controller();

    let drifted = diff(&web.manifest.value(), &live_of().await);
    assert_eq!(drifted.sync, SyncStatus::OutOfSync);
    let changed: Vec<(DiffOp, String)> = drifted
        .lines
        .iter()
        .filter(|l| l.op != DiffOp::Same)
        .map(|l| (l.op, l.text.trim().to_string()))
        .collect();
    assert_eq!(
        changed,
        [
            (DiffOp::Removed, "replicas: 5".to_string()),
            (DiffOp::Added, "replicas: 2".to_string())
        ]
    );
    let live = live_of().await;
    assert_eq!(live["status"]["replicas"], 5, "the controller wrote status");
    let managers: Vec<(&str, &str)> = live["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["manager"].as_str().unwrap(),
                m["operation"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        managers,
        [
            ("atrium", "Apply"),
            ("kubectl-edit", "Update"),
            ("sim-controller", "Update")
        ],
        "{live:#}"
    );

    let healed = driver
        .apply("shop", std::slice::from_ref(&web), CREATE_NS)
        .await
        .unwrap();
    assert_eq!(
        healed.result("apps/Deployment/shop/web").unwrap().action,
        ResourceAction::Configured
    );
    let live = live_of().await;
    assert_eq!(live["spec"]["replicas"], 2);
    assert_eq!(diff(&web.manifest.value(), &live).sync, SyncStatus::Synced);
}

#[tokio::test]
async fn dry_run_reports_without_changing_anything() {
    let (served, driver) = cluster().await;
    let desired = [config_map("dry", "settings", json!({"a": "1"}))];
    let opts = SyncOptions {
        dry_run: true,
        ..CREATE_NS
    };
    let report = driver.apply("dry", &desired, opts).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    assert_eq!(
        report.result("/Namespace//dry").unwrap().action,
        ResourceAction::Created
    );
    assert_eq!(
        report.result("/ConfigMap/dry/settings").unwrap().action,
        ResourceAction::Created
    );
    let ns_api: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(served.client().unwrap());
    assert!(ns_api.get_opt("dry").await.unwrap().is_none());

    driver.apply("dry", &desired, CREATE_NS).await.unwrap();
    let changed = [config_map("dry", "settings", json!({"a": "2"}))];
    let report = driver.apply("dry", &changed, opts).await.unwrap();
    assert_eq!(
        report.result("/ConfigMap/dry/settings").unwrap().action,
        ResourceAction::Configured
    );
    let report = driver
        .apply(
            "dry",
            &desired,
            SyncOptions {
                prune: true,
                ..opts
            },
        )
        .await
        .unwrap();
    assert_eq!(
        report.result("/ConfigMap/dry/settings").unwrap().action,
        ResourceAction::Unchanged
    );
    assert_eq!(
        cm_api(&served, "dry").get("settings").await.unwrap().data["data"]["a"],
        "1"
    );
}

#[tokio::test]
async fn app_of_apps_children_are_applications() {
    let (_served, driver) = cluster().await;
    let child = resource(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "payments", "namespace": "argocd"},
        "spec": {"project": "default", "source": {"repoURL": "file:///repo", "path": "apps/payments"},
                 "destination": {"server": "https://kubernetes.default.svc", "namespace": "payments"}}
    }));
    let report = driver.apply("root", &[child], CREATE_NS).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    let live = driver.live("root").await.unwrap();
    assert_eq!(live.len(), 1);
    assert_eq!(&*live[0].key, "argoproj.io/Application/argocd/payments");
    assert_eq!(live[0].health, Health::Healthy);
}

#[tokio::test]
async fn the_cluster_revision_moves_with_every_write_and_only_then() {
    let (_served, driver) = cluster().await;
    let desired = vec![config_map("shop", "settings", json!({"a": "1"}))];
    driver.apply("shop", &desired, CREATE_NS).await.unwrap();
    let before = driver.revision().await.unwrap();
    assert!(before.is_some());
    // Reads do not move it (a quiet cluster keeps its inventory).
    driver.inventory(&[]).await.unwrap();
    assert_eq!(driver.revision().await.unwrap(), before);
    // A write anywhere does, whatever its kind.
    let changed = vec![config_map("shop", "settings", json!({"a": "2"}))];
    driver.apply("shop", &changed, CREATE_NS).await.unwrap();
    let after = driver.revision().await.unwrap();
    assert_ne!(after, before);
    let live = driver.inventory(&[]).await.unwrap();
    assert_eq!(live["shop"][0].object.value()["data"]["a"], "2");
}

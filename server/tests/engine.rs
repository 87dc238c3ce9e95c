//! The engine over the demo environments (local Git repos, one emulated cluster each): the
//! first pass renders every tree and auto-syncs what is automated; production waits for a
//! person; a manual sync is recorded and audited; a bad image tag committed to Git turns the
//! app Degraded.

mod common;

use std::time::Duration;

use atrium_app::dto::node::NodeId;
use atrium_app::dto::status::{Health, SyncStatus};
use atrium_app::service::EngineService;
use common::app_with;

async fn tree_of(app: &common::TestApp, env: &str) -> atrium_app::dto::env::TreeView {
    app.state.engine.tree(env).await.unwrap()
}

/// Reconcile until `done` holds for `env`'s tree (the emulator's rollout finishes on its own
/// clock), failing after 30 s with the last tree: no fixed sleep that a slow machine outruns.
async fn reconcile_until(
    app: &common::TestApp,
    env: &str,
    done: impl Fn(&atrium_app::dto::env::TreeView) -> bool,
) -> atrium_app::dto::env::TreeView {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        app.state.engine.reconcile_all().await;
        let tree = tree_of(app, env).await;
        if done(&tree) || std::time::Instant::now() > deadline {
            return tree;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn node<'a>(
    tree: &'a atrium_app::dto::env::TreeView,
    id: &str,
) -> &'a atrium_app::dto::env::TreeNode {
    tree.nodes
        .iter()
        .find(|n| n.id == id)
        .unwrap_or_else(|| panic!("no node {id}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_environments_reconcile_and_sync() {
    let app = app_with(false, |config| config.engine.sim_rollout_ms = 300).await;
    let engine = app.state.engine.clone();
    engine.reconcile_all().await;

    let envs = engine.environments().await;
    let names: Vec<&str> = envs.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["dev", "staging", "prod"]);
    assert!(
        envs.iter()
            .all(|e| e.simulated && e.cluster == "simulated cluster" && e.error.is_none()),
        "{envs:?}"
    );

    // Dev is automated: after the first pass everything is applied and in sync.
    let dev = tree_of(&app, "dev").await;
    assert_eq!(node(&dev, "app:root").parent, None);
    assert_eq!(
        node(&dev, "app:platform").parent,
        Some(NodeId::of_app("root"))
    );
    assert_eq!(
        node(&dev, "app:developer-portal").parent,
        Some(NodeId::of_app("platform"))
    );
    let cart = node(&dev, "app:cart-service");
    assert_eq!(cart.sync, SyncStatus::Synced, "{cart:?}");
    assert!(dev
        .nodes
        .iter()
        .any(|n| n.kind == "Deployment" && n.parent == Some(NodeId::of_app("cart-service"))));

    // Prod: checkout-service is manual, so it waits, out of sync and missing.
    let prod = tree_of(&app, "prod").await;
    let checkout = node(&prod, "app:checkout-service");
    assert_eq!(checkout.sync, SyncStatus::OutOfSync);
    assert_eq!(checkout.health, Health::Missing);

    // The catalog knows where checkout-service runs: one row per environment, newest in dev,
    // and prod still waiting for its sync.
    let me = app.sign_in("amara.okafor").await;
    let reply = app
        .post(
            "/api/envs/running-in",
            "application/x-www-form-urlencoded",
            "entity_ref=component:default/checkout-service".into(),
            Some(&me),
        )
        .await;
    assert_eq!(reply.status, axum::http::StatusCode::OK, "{}", reply.body);
    let running: atrium_app::dto::env::RunningInView = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(running.link, "argocd/app-name: checkout-service");
    let rows: Vec<(&str, &str, &str, Option<&str>)> = running
        .environments
        .iter()
        .map(|e| {
            assert_eq!(e.apps.len(), 1, "{e:?}");
            let d = &e.apps[0];
            assert_eq!(d.node, "app:checkout-service");
            (
                e.env.as_str(),
                d.sync.as_str(),
                d.health.as_str(),
                d.version.as_deref(),
            )
        })
        .collect();
    assert_eq!(rows[0].0, "dev");
    assert_eq!(rows[2].0, "prod");
    assert_eq!((rows[2].1, rows[2].2), ("OutOfSync", "Missing"));
    assert_eq!(rows[0].1, "Synced");
    assert!(rows.iter().all(|r| r.3.is_some()), "{rows:?}");
    assert_ne!(rows[0].3, rows[2].3, "dev runs a newer version than prod");

    // A component may name its apps by a label selector over the Applications' labels.
    let payments: Vec<String> = atrium_server::demo::environments::demo_apps()
        .into_iter()
        .filter(|a| a.team == "team-payments")
        .map(|a| a.name.to_string())
        .collect();
    let selected = engine
        .running_in(
            "payments-suite",
            &[(
                "argocd/app-selector".into(),
                "brightcart.example/team=team-payments".into(),
            )],
        )
        .await;
    assert!(
        payments.len() > 1 && selected.error.is_none(),
        "{selected:?}"
    );
    for env in &selected.environments {
        let mut names: Vec<String> = env.apps.iter().map(|d| d.app.clone()).collect();
        names.sort();
        let mut want = payments.clone();
        want.sort();
        assert_eq!(names, want, "{}", env.env);
    }

    // A person syncs it.
    let caller = app.caller("jonas.becker");
    let record = engine
        .sync(&caller, "prod", "checkout-service", false)
        .await
        .unwrap();
    assert_eq!(record.result, "succeeded", "{record:?}");
    assert_eq!(record.actor, "Jonas Becker");
    engine.reconcile_all().await;
    let prod = tree_of(&app, "prod").await;
    assert_eq!(node(&prod, "app:checkout-service").sync, SyncStatus::Synced);
    let prod = reconcile_until(&app, "prod", |t| {
        node(t, "app:checkout-service").health == Health::Healthy
    })
    .await;
    assert_eq!(node(&prod, "app:checkout-service").health, Health::Healthy);

    let detail = engine
        .node("prod", &NodeId::of_app("checkout-service"))
        .await
        .unwrap();
    assert_eq!(detail.syncs[0].actor, "Jonas Becker");
    assert_eq!(detail.source.as_ref().unwrap().renderer, "kustomize");
    let audit = app
        .state
        .store
        .audit_page(&atrium_server::audit::AuditFilter {
            action: Some("applications.sync".into()),
            object: Some("prod/checkout-service".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audit[0].record.actor.subject, "jonas.becker");

    // A resource's detail has desired and live YAML and no diff once synced.
    let deployment = prod
        .nodes
        .iter()
        .find(|n| n.kind == "Deployment" && n.parent == Some(NodeId::of_app("checkout-service")))
        .unwrap();
    let detail = engine.node("prod", &deployment.id).await.unwrap();
    assert!(detail.desired_yaml.unwrap().contains("kind: Deployment"));
    assert!(detail.live_yaml.is_some());
    assert!(
        detail.diff.iter().all(|l| l.tag == ' '),
        "{:?}",
        detail.diff
    );

    // A developer commits a bad image tag to prod's metrics-gateway (automated in prod): the
    // engine sees the new head, auto-syncs, and the rollout fails on the simulated cluster.
    let before = tree_of(&app, "prod").await.version;
    atrium_server::demo::set_image::set_image(
        app.dir.path(),
        "prod",
        "metrics-gateway",
        "9.9.9-bad",
    )
    .unwrap();
    let prod = reconcile_until(&app, "prod", |t| {
        node(t, "app:metrics-gateway").health == Health::Degraded
    })
    .await;
    assert!(
        prod.version > before,
        "the tree version moved for the live stream"
    );
    let gateway = node(&prod, "app:metrics-gateway");
    assert_eq!(gateway.health, Health::Degraded, "{gateway:?}");
    assert_eq!(
        node(&prod, "app:platform").health,
        Health::Degraded,
        "parents roll up their children"
    );
    let deployment = prod
        .nodes
        .iter()
        .find(|n| n.kind == "Deployment" && n.parent == Some(NodeId::of_app("metrics-gateway")))
        .unwrap();
    assert_eq!(deployment.version.as_deref(), Some("9.9.9-bad"));
}

/// Child `Application` objects stay out of the cluster (Atrium is their controller, the CRD is
/// usually absent, a running Argo CD would fight over them), and their absence is not drift;
/// `apply_applications = true` applies them, for an Argo CD kept side by side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_applications_are_applied_only_when_configured() {
    use atrium_server::config::{EnvironmentEntry, RepoEntry};
    let app = app_with(false, |config| {
        config.engine.sim_rollout_ms = 0;
        let demo =
            atrium_server::demo::environments::ensure_demo_environments(&config.data_dir).unwrap();
        config.repos = atrium_server::demo::environments::demo_repo_mappings(&config.data_dir)
            .into_iter()
            .map(|m| RepoEntry {
                url: m.url,
                path: m.path,
            })
            .collect();
        let entry = |name: &str, apply_applications| EnvironmentEntry {
            name: name.into(),
            repo: demo[0].repo.clone(),
            root: "apps/root.yaml".into(),
            apply_applications,
            ..Default::default()
        };
        config.environments = vec![entry("dev", false), entry("side-by-side", true)];
    })
    .await;
    let engine = app.state.engine.clone();
    engine.reconcile_all().await;
    let caller = app.caller("jonas.becker");

    // The root app renders only child Applications: nothing of it goes to the cluster.
    let off = engine.sync(&caller, "dev", "root", true).await.unwrap();
    assert_eq!(off.result, "succeeded", "{off:?}");
    assert!(
        off.message
            .starts_with("0 created, 0 configured, 0 unchanged, 0 pruned"),
        "{off:?}"
    );
    let dev = tree_of(&app, "dev").await;
    assert_eq!(node(&dev, "app:root").sync, SyncStatus::Synced);

    let on = engine
        .sync(&caller, "side-by-side", "root", true)
        .await
        .unwrap();
    assert_eq!(on.result, "succeeded", "{on:?}");
    assert!(
        !on.message
            .starts_with("0 created, 0 configured, 0 unchanged"),
        "{on:?}"
    );
    let side = tree_of(&app, "side-by-side").await;
    assert_eq!(node(&side, "app:root").sync, SyncStatus::Synced);
}

/// `syncPolicy.retry`: an automated app whose sync fails (a kind the cluster does not serve)
/// is tried again after the backoff, `limit` more times, then left alone. Without `retry` (and
/// without selfHeal) the failed revision would be synced once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_auto_sync_is_retried_with_backoff_up_to_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let root = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: widgets\n\
        spec:\n  project: default\n  source:\n    repoURL: https://git.example/env.git\n    \
        targetRevision: main\n    path: manifests\n  destination:\n    namespace: widgets\n  \
        syncPolicy:\n    automated: {}\n    retry:\n      limit: 2\n      backoff:\n        \
        duration: 300ms\n        factor: 2\n        maxDuration: 1s\n";
    let widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n";
    let files = [("apps/root.yaml", root), ("manifests/widget.yaml", widget)];
    let app = common::lab_env(dir.path(), &files, "apps/root.yaml").await;
    let syncs = || async {
        app.state
            .store
            .recent_syncs("lab", "widgets", 50)
            .await
            .unwrap()
    };
    // Until the third attempt (or 15 s on a slow machine), then past the last backoff (1 s)
    // and more: no fourth.
    let started = std::time::Instant::now();
    while syncs().await.len() < 3 && started.elapsed() < Duration::from_secs(15) {
        app.state.engine.reconcile_all().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let third = std::time::Instant::now();
    while third.elapsed() < Duration::from_millis(2500) {
        app.state.engine.reconcile_all().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rows = syncs().await;
    assert_eq!(rows.len(), 3, "one sync and two retries: {rows:#?}");
    assert!(rows.iter().all(|r| r.result == "failed"), "{rows:#?}");
    assert!(
        rows[0].message.contains("example.com/v1 Widget"),
        "{}",
        rows[0].message
    );
}

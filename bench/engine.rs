//! Engine benchmark: an App-of-Apps tree of N apps × M resources (default 2,000 × 10) on the
//! built-in Kubernetes emulator, in process.
//!
//! cargo run --release -p atrium-server --bin atrium-engine-bench -- [--apps 2000] [--resources 10]
//!
//! Prints: the initial sync of every app (server-side apply of all resources), one reconcile
//! pass's live read (the inventory: one list per kind), and the tree build + status (diff and
//! health of every resource, roll-ups, the flat tree the UI gets) — target < 50 ms.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use atrium_server::cluster::driver::{ClusterDriver, SyncOptions};
use atrium_server::cluster::sim::{Sim, SimConfig};
use atrium_server::gitops::desired::DesiredResource;
use atrium_server::gitops::engine::view::{app_statuses, tree_nodes};
use atrium_server::gitops::tree::{AppSourceView, RenderStatus, RenderedApp, RenderedTree};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn resource(
    kind: &str,
    api_version: &str,
    ns: &str,
    name: &str,
    manifest: serde_json::Value,
) -> DesiredResource {
    DesiredResource {
        api_version: api_version.into(),
        kind: kind.into(),
        namespace: ns.into(),
        name: name.into(),
        manifest,
        sync_wave: 0,
        hook: None,
    }
}

fn app(
    name: String,
    parent: Option<String>,
    ns: &str,
    resources: Vec<DesiredResource>,
    children: Vec<String>,
) -> RenderedApp {
    RenderedApp {
        name,
        parent,
        depth: 1,
        source: AppSourceView::default(),
        project: "default".into(),
        destination_namespace: ns.into(),
        destination_server: None,
        destination_name: None,
        automated: None,
        sync_options: vec!["CreateNamespace=true".into()],
        sync_wave: 0,
        status: RenderStatus::Ok,
        message: String::new(),
        resources,
        children,
        application: None,
    }
}

fn tree(apps: usize, per_app: usize) -> RenderedTree {
    let mut list = vec![app(
        "root".into(),
        None,
        "argocd",
        Vec::new(),
        (0..apps).map(|i| format!("app-{i}")).collect(),
    )];
    for i in 0..apps {
        let name = format!("app-{i}");
        let ns = format!("ns-{}", i % 50);
        let mut resources = vec![
            resource(
                "Deployment",
                "apps/v1",
                &ns,
                &name,
                serde_json::json!({
                    "apiVersion": "apps/v1", "kind": "Deployment",
                    "metadata": {"name": name, "namespace": ns},
                    "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                        "template": {"metadata": {"labels": {"app": name}},
                            "spec": {"containers": [{"name": "main", "image": format!("registry.example/{name}:1.{i}.0")}]}}}
                }),
            ),
            resource(
                "Service",
                "v1",
                &ns,
                &name,
                serde_json::json!({
                    "apiVersion": "v1", "kind": "Service",
                    "metadata": {"name": name, "namespace": ns},
                    "spec": {"selector": {"app": name}, "ports": [{"port": 80}]}
                }),
            ),
        ];
        for c in 0..per_app.saturating_sub(2) {
            let cm = format!("{name}-config-{c}");
            resources.push(resource(
                "ConfigMap",
                "v1",
                &ns,
                &cm,
                serde_json::json!({
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": cm, "namespace": ns},
                    "data": {"key": format!("value-{c}"), "LOG_LEVEL": "info"}
                }),
            ));
        }
        list.push(app(name, Some("root".into()), &ns, resources, Vec::new()));
    }
    RenderedTree { apps: list }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let apps = arg("--apps", 2000);
    let per_app = arg("--resources", 10);
    let tree = tree(apps, per_app);
    let sim = Sim::start(SimConfig {
        rollout_delay: Duration::from_millis(50),
    });
    let driver = ClusterDriver::new(sim.client());

    let start = Instant::now();
    let options = SyncOptions {
        prune: false,
        create_namespace: true,
        dry_run: false,
    };
    for a in &tree.apps[1..] {
        let report = driver.apply(&a.name, &a.resources, options).await?;
        anyhow::ensure!(report.succeeded(), "sync of {} failed", a.name);
    }
    let initial_sync = start.elapsed();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let mut reads = Vec::new();
    let mut live = HashMap::new();
    for _ in 0..3 {
        let t = Instant::now();
        live = driver.inventory(&[]).await?;
        reads.push(t.elapsed());
    }
    let live_objects: usize = live.values().map(Vec::len).sum();

    let mut builds = Vec::new();
    let mut nodes = 0;
    for _ in 0..7 {
        let t = Instant::now();
        let statuses = app_statuses(&tree, &live);
        let view = tree_nodes(&tree, &live, &statuses);
        builds.push(t.elapsed());
        nodes = view.len();
    }
    let synced = app_statuses(&tree, &live)
        .values()
        .filter(|s| s.sync == atrium_server::gitops::desired::SyncStatus::Synced)
        .count();

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("Atrium engine benchmark: {apps} apps × {per_app} resources, in-process Kubernetes emulator");
    println!("| figure | value | target |");
    println!("|---|---|---|");
    println!(
        "| initial sync (server-side apply of {} resources) | {:.0} ms | – |",
        apps * per_app,
        ms(initial_sync)
    );
    println!(
        "| reconcile pass: live read ({live_objects} objects) | {:.0} ms (median of 3) | – |",
        ms(median(reads.clone()))
    );
    println!("| tree build + status ({nodes} nodes, {synced} apps Synced) | {:.1} ms (median of 7) | < 50 ms |", ms(median(builds.clone())));
    println!(
        "| reconcile pass total (live read + tree build) | {:.0} ms | – |",
        ms(median(reads)) + ms(median(builds))
    );
    Ok(())
}

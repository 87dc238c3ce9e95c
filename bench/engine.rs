//! Engine benchmark: an App-of-Apps tree of N apps × M resources (default 2,000 × 10) in a real
//! Git repository, on the built-in Kubernetes emulator, in process.
//!
//! cargo run --release -p atrium-server --bin atrium-engine-bench -- [--apps 2000] \
//!     [--resources 10] [--write-env DIR]
//!
//! Prints: the render of the whole tree from Git (what a pass does when the branch moved), the
//! initial sync of every app (server-side apply of all resources), one reconcile pass's live
//! read (the inventory: one list per kind), and the tree build + status (diff and health of
//! every resource, roll-ups, the flat tree the UI gets) — target < 50 ms. `--write-env DIR`
//! keeps the repository and an `atrium.toml` serving it, for the Chromium benchmark
//! (`bench/tree-render.sh`); with `--write-only` too, nothing is timed.

mod bigenv;

use bigenv::arg;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use atrium_server::cluster::driver::{ClusterDriver, LiveWatch, SyncOptions};
use atrium_server::cluster::sim::{Sim, SimConfig};
use atrium_server::gitops::engine::view::{
    app_statuses, app_statuses_cached, tree_nodes, tree_nodes_cached, ViewCache,
};
use atrium_server::gitops::render::RenderOptions;
use atrium_server::gitops::repos::RepoMap;
use atrium_server::gitops::tree::{render_tree, RenderStatus, RootSpec};
use atrium_server::resource::facts::{desired_facts, live_facts};

/// mimalloc, not glibc's malloc: a reconcile pass builds and drops hundreds of thousands of
/// small strings and JSON nodes, and glibc spent a third of a 2,000-app status pass
/// consolidating its free lists (`bench/README.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let apps = arg("--apps", 2000);
    let per_app = arg("--resources", 10);
    let keep = std::env::args()
        .skip_while(|a| a != "--write-env")
        .nth(1)
        .map(std::path::PathBuf::from);
    let scratch = tempfile::tempdir()?;
    let dir = keep.clone().unwrap_or_else(|| scratch.path().to_path_buf());
    let repo = bigenv::write_envs(&dir, apps, per_app, arg("--envs", 1))?;
    if keep.is_some() && std::env::args().any(|a| a == "--write-only") {
        println!(
            "Wrote {} and {}",
            repo.display(),
            dir.join("atrium.toml").display()
        );
        return Ok(());
    }

    let root = RootSpec {
        repo: repo.display().to_string(),
        revision: "main".into(),
        path: bigenv::ROOT.into(),
    };
    let options = RenderOptions {
        max_apps: apps + 1,
        ..RenderOptions::default()
    };
    let mut renders = Vec::new();
    let mut tree = None;
    for _ in 0..3 {
        let t = Instant::now();
        let rendered = render_tree(&root, &RepoMap::new(), &options);
        renders.push(t.elapsed());
        tree = Some(rendered);
    }
    let tree = tree.expect("rendered");
    let failed: Vec<&str> = tree
        .apps
        .iter()
        .filter(|a| a.status != RenderStatus::Ok)
        .map(|a| a.message.as_str())
        .collect();
    anyhow::ensure!(
        failed.is_empty(),
        "render failed: {:?}",
        &failed[..failed.len().min(3)]
    );
    anyhow::ensure!(
        tree.apps.len() == apps + 1,
        "{} apps rendered",
        tree.apps.len()
    );
    let sim = Sim::start(SimConfig {
        rollout_delay: Duration::from_millis(50),
    });
    let driver = ClusterDriver::new(sim.client());

    let start = Instant::now();
    let options = SyncOptions {
        prune: false,
        create_namespace: true,
        dry_run: false,
        wait_for_health: None,
    };
    for a in tree.apps.iter().filter(|a| a.parent.is_some()) {
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
    let live_objects: usize = live.values().map(|l| l.len()).sum();
    // What the facts (sync verdicts without walking JSON) cost in memory.
    let live_facts_total: usize = live
        .values()
        .flat_map(|l| l.iter())
        .map(|l| l.facts.as_ref().map_or(0, |f| f.len()))
        .sum();
    let desired_facts_total: usize = tree
        .apps
        .iter()
        .flat_map(|a| &a.resources)
        .map(|r| r.facts.as_ref().map_or(0, |f| f.len()))
        .sum();
    // What a pass reads instead when nothing changed: the cluster's revision.
    let mut probes = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        driver.revision().await?;
        probes.push(t.elapsed());
    }

    let watched = watch_costs(&driver, &tree, live_objects).await?;

    let mut builds = Vec::new();
    let mut nodes = 0;
    // `--builds N` repeats the build (for profiling it).
    let mut status_parts = Vec::new();
    let shared = std::sync::Arc::new(tree.clone());
    for _ in 0..arg("--builds", 7) {
        // What the engine's first pass does: its cache starts empty and is filled.
        let mut cache = ViewCache::default();
        let t = Instant::now();
        let statuses = app_statuses_cached(&shared, &live, &mut cache, true);
        status_parts.push(t.elapsed());
        let view = tree_nodes_cached(&shared, &live, &statuses, &mut cache, as_view);
        builds.push(t.elapsed());
        nodes = view.nodes.len();
        // The uncached functions agree with it.
        if builds.len() == 1 {
            let fresh = app_statuses(&tree, &live);
            anyhow::ensure!(fresh == statuses, "uncached statuses differ");
            anyhow::ensure!(
                tree_nodes(&tree, &live, &fresh) == view.nodes,
                "uncached rows differ"
            );
        }
    }
    let synced = app_statuses(&tree, &live)
        .values()
        .filter(|s| s.sync == atrium_server::resource::SyncStatus::Synced)
        .count();
    // What the engine's passes do: statuses through the cache (kept per rendered tree), and
    // the flat tree rebuilt only when a status moved.
    let mut cache = ViewCache::default();
    let mut previous = app_statuses_cached(&shared, &live, &mut cache, true);
    let mut prev_rows = tree_nodes_cached(&shared, &live, &previous, &mut cache, as_view);
    // The last change as a live page receives it: the whole tree, or the rows that changed.
    let mut update = None;
    let mut steady = Vec::new();
    let mut one_changed = Vec::new();
    let victim = tree.apps[1].name.clone();
    // `--passes N` repeats the cached passes (for profiling them).
    for round in 0..arg("--passes", 7) as u32 {
        let t = Instant::now();
        let statuses = app_statuses_cached(&shared, &live, &mut cache, true);
        let same = statuses == previous;
        steady.push(t.elapsed());
        anyhow::ensure!(same, "a steady pass saw a change");
        // One app's objects change (as after a rollout): new resourceVersions, and its
        // ConfigMaps drift from Git on even rounds and come back on odd ones.
        let objects = live.get_mut(&victim).map(std::sync::Arc::make_mut);
        for l in objects.into_iter().flatten() {
            l.resource_version = format!("bench-{round}").into();
            let mut object = l.object.value();
            object["metadata"]["resourceVersion"] = (*l.resource_version).into();
            if let Some(data) = object["data"].as_object_mut() {
                let level = if round % 2 == 0 { "debug" } else { "info" };
                data.insert("LOG_LEVEL".into(), level.into());
            }
            // As a relist would have it.
            l.facts = Some(live_facts(&object));
            l.object = object.into();
        }
        let t = Instant::now();
        let statuses = app_statuses_cached(&shared, &live, &mut cache, true);
        let changed = statuses != previous;
        let view =
            changed.then(|| tree_nodes_cached(&shared, &live, &statuses, &mut cache, as_view));
        one_changed.push(t.elapsed());
        anyhow::ensure!(view.is_some(), "a change went unseen");
        if let Some(rows) = view {
            update = Some(live_update_cost(&prev_rows.nodes, &rows.nodes)?);
            prev_rows = rows;
        }
        previous = statuses;
    }

    // A commit that changes one app's ConfigMap: a new rendered tree, so the pass compares the
    // renders (unchanged apps keep what the cache knows) and redoes that app. Rounds go back
    // and forth between the two renders.
    let mut edited = (*shared).clone();
    let target = edited
        .apps
        .iter_mut()
        .find(|a| a.name != victim && a.resources.iter().any(|r| r.kind == "ConfigMap"))
        .expect("an app with a ConfigMap");
    let config = target
        .resources
        .iter_mut()
        .find(|r| r.kind == "ConfigMap")
        .expect("a ConfigMap");
    config
        .manifest
        .edit(|m| m["data"]["LOG_LEVEL"] = "trace".into());
    // As a render would have it.
    config.facts = Some(desired_facts(&config.manifest.value()));
    let renders_pair = [std::sync::Arc::new(edited), shared.clone()];
    let mut after_commit = Vec::new();
    for round in 0..arg("--passes", 7) {
        let tree = &renders_pair[round % 2];
        let t = Instant::now();
        let statuses = app_statuses_cached(tree, &live, &mut cache, true);
        let changed = statuses != previous;
        let view = changed.then(|| tree_nodes_cached(tree, &live, &statuses, &mut cache, as_view));
        after_commit.push(t.elapsed());
        anyhow::ensure!(view.is_some(), "a commit went unseen");
        previous = statuses;
    }

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("Atrium engine benchmark: {apps} apps × {per_app} resources, in-process Kubernetes emulator");
    println!("| figure | value | target |");
    println!("|---|---|---|");
    println!(
        "| render of the tree from Git ({} Applications, {} resources) | {:.0} ms (median of 3) | – |",
        tree.apps.len(),
        tree.apps.iter().map(|a| a.resources.len()).sum::<usize>(),
        ms(median(renders))
    );
    println!(
        "| initial sync (server-side apply of {} resources) | {:.0} ms | – |",
        apps * per_app,
        ms(initial_sync)
    );
    println!(
        "| reconcile pass: live read ({live_objects} objects) | {:.0} ms (median of 3) | – |",
        ms(median(reads.clone()))
    );
    println!("| tree build + status from scratch, the first pass after start: nothing cached ({nodes} nodes, {synced} apps Synced) | {:.1} ms (median of {}; statuses {:.1} ms) | < 50 ms |", ms(median(builds.clone())), builds.len(), ms(median(status_parts)));
    println!(
        "| reconcile pass, nothing changed: statuses (cached per resourceVersion) + change check | {:.1} ms (median of {}) | < 50 ms |",
        ms(median(steady.clone())),
        steady.len()
    );
    println!(
        "| reconcile pass, one app changed: statuses + the flat tree (rows of unchanged apps reused) | {:.1} ms (median of {}) | < 50 ms |",
        ms(median(one_changed.clone())),
        one_changed.len()
    );
    println!(
        "| reconcile pass after a commit that changed one app: statuses + the flat tree (unchanged apps reused) | {:.1} ms (median of {}) | < 50 ms |",
        ms(median(after_commit.clone())),
        after_commit.len()
    );
    println!(
        "| live inventory by watch: first list of every kind ({live_objects} objects) | {:.0} ms | – |",
        ms(watched.first_list)
    );
    println!(
        "| a change at {live_objects} objects, by watch: the event in the inventory after the write | {:.1} ms (median of {}) | – |",
        ms(median(watched.event.clone())),
        watched.event.len()
    );
    println!(
        "| a change at {live_objects} objects, by watch: the engine's snapshot of the inventory | {:.2} ms (median of {}; a relist was {:.0} ms) | – |",
        ms(median(watched.snapshot.clone())),
        watched.snapshot.len(),
        ms(median(reads.clone()))
    );
    println!(
        "| reconcile pass total, nothing changed (revision probe, no relist + statuses) | {:.1} ms | – |",
        ms(median(probes)) + ms(median(steady))
    );
    println!(
        "| reconcile pass total, something changed (relist + statuses + flat tree) | {:.0} ms | – |",
        ms(median(reads)) + ms(median(one_changed))
    );
    println!(
        "| facts kept for sync verdicts: live {live_facts_total} ({:.1} MB), desired {desired_facts_total} ({:.1} MB) | – | – |",
        live_facts_total as f64 * 8.0 / 1e6,
        desired_facts_total as f64 * 8.0 / 1e6
    );
    if let Some(u) = update {
        println!(
            "| live update after one app changed: whole tree (before) | {:.2} MB JSON, parse + index {:.1} ms | – |",
            u.full_bytes as f64 / 1e6,
            ms(u.full_client)
        );
        println!(
            "| live update after one app changed: changed rows (now) | {} rows, {:.1} KB JSON ({:.0}× smaller), diff {:.1} ms on the server, parse + apply {:.1} ms | – |",
            u.rows,
            u.delta_bytes as f64 / 1e3,
            u.full_bytes as f64 / u.delta_bytes.max(1) as f64,
            ms(u.diff),
            ms(u.delta_client)
        );
    }
    if let Some(dir) = keep {
        println!(
            "\nKept {} and its configuration: atrium serve --config {}",
            repo.display(),
            dir.join("atrium.toml").display()
        );
    }
    Ok(())
}

/// What one live update costs sent whole and sent as changed rows.
struct UpdateCost {
    full_bytes: usize,
    full_client: std::time::Duration,
    rows: usize,
    delta_bytes: usize,
    diff: std::time::Duration,
    delta_client: std::time::Duration,
}

/// The flat tree as the engine publishes it (the cache keeps the view it made).
fn as_view(
    nodes: Vec<atrium_app::dto::env::TreeNode>,
) -> std::sync::Arc<atrium_app::dto::env::TreeView> {
    std::sync::Arc::new(atrium_app::dto::env::TreeView {
        nodes,
        ..Default::default()
    })
}

fn live_update_cost(
    before: &[atrium_app::dto::env::TreeNode],
    after: &[atrium_app::dto::env::TreeNode],
) -> anyhow::Result<UpdateCost> {
    use atrium_app::dto::env::{TreeDelta, TreeView};
    use atrium_app::tree::TreeIndex;
    let view = |version: u64, nodes: &[atrium_app::dto::env::TreeNode]| TreeView {
        env: "bench".into(),
        version,
        nodes: nodes.to_vec(),
        ..TreeView::default()
    };
    let (old, new) = (view(1, before), view(2, after));
    let full = serde_json::to_string(&new)?;
    let t = Instant::now();
    let index = TreeIndex::new(serde_json::from_str(&full)?);
    let full_client = t.elapsed();
    let t = Instant::now();
    let delta = TreeDelta::between(&old, &new).ok_or_else(|| anyhow::anyhow!("shape moved"))?;
    let diff = t.elapsed();
    let text = serde_json::to_string(&delta)?;
    let mut old_index = TreeIndex::new(old);
    let t = Instant::now();
    let parsed: TreeDelta = serde_json::from_str(&text)?;
    anyhow::ensure!(old_index.apply(&parsed), "the delta did not apply");
    let delta_client = t.elapsed();
    anyhow::ensure!(
        old_index == index,
        "applied rows differ from the whole tree"
    );
    Ok(UpdateCost {
        full_bytes: full.len(),
        full_client,
        rows: delta.changed.len(),
        delta_bytes: text.len(),
        diff,
        delta_client,
    })
}

/// What keeping the inventory by watch costs: the first list, then per change the time from
/// the write to the event in the inventory, and the engine's snapshot of it.
struct WatchCosts {
    first_list: Duration,
    event: Vec<Duration>,
    snapshot: Vec<Duration>,
}

async fn watch_costs(
    driver: &ClusterDriver,
    tree: &atrium_server::gitops::tree::RenderedTree,
    live_objects: usize,
) -> anyhow::Result<WatchCosts> {
    let watch = LiveWatch::default();
    let t = Instant::now();
    driver.watch_kinds(&watch, &[]).await?;
    let (inventory, _) = watch
        .current(Duration::from_secs(300))
        .await
        .map_err(anyhow::Error::msg)?;
    let first_list = t.elapsed();
    let watched: usize = inventory.values().map(|l| l.len()).sum();
    anyhow::ensure!(
        watched == live_objects,
        "the watch holds {watched} objects, the list {live_objects}"
    );
    let app = tree
        .apps
        .iter()
        .find(|a| a.parent.is_some() && a.resources.iter().any(|r| r.kind == "ConfigMap"))
        .expect("an app with a ConfigMap");
    let mut config = app
        .resources
        .iter()
        .find(|r| r.kind == "ConfigMap")
        .expect("a ConfigMap")
        .clone();
    let options = SyncOptions {
        prune: false,
        create_namespace: false,
        dry_run: false,
        wait_for_health: None,
    };
    let (mut event, mut snapshot) = (Vec::new(), Vec::new());
    for round in 0..arg("--passes", 7) {
        config
            .manifest
            .edit(|m| m["data"]["WATCH_ROUND"] = round.to_string().into());
        let report = driver
            .apply(&app.name, std::slice::from_ref(&config), options)
            .await?;
        // What the apply wrote (the app's other objects come back as prune candidates, which
        // were not touched), as the engine's settle picks it.
        let written: Vec<(String, Option<String>)> = report
            .results
            .iter()
            .filter(|r| r.resource_version.is_some())
            .map(|r| (r.key.clone(), r.resource_version.clone()))
            .collect();
        anyhow::ensure!(written.len() == 1, "the apply wrote {written:?}");
        let t = Instant::now();
        anyhow::ensure!(
            watch.caught_up(&written, Duration::from_secs(10)).await,
            "the watch did not see the write"
        );
        event.push(t.elapsed());
        let t = Instant::now();
        let (inventory, _) = watch
            .current(Duration::from_secs(10))
            .await
            .map_err(anyhow::Error::msg)?;
        snapshot.push(t.elapsed());
        drop(inventory);
    }
    Ok(WatchCosts {
        first_list,
        event,
        snapshot,
    })
}

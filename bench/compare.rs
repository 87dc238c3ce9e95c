//! Compare benchmark: two environments of 2,000 apps × 10 resources each, classed the way
//! `/compare` and `GET /api/v1/compare` do it, from renders already in memory (the engine keeps
//! each environment's last render). Target (issue 13): p99 < 20 ms.
//!
//! cargo run --release -p atrium-server --bin atrium-compare-bench -- [--apps 2000] [--runs 50]
//!
//! Three shapes: every resource equal (the common case: compared without copies), one app in
//! ten with a new image tag, and the slow path where every resource differs only by the order
//! of its named list items (each compared through its normalised copy, and found equal).

// Only its argument reader: the environment writer is for the benchmarks that need a repository.
#[expect(dead_code, reason = "only `arg` is used here")]
mod bigenv;

use std::time::Instant;

use bigenv::arg;
use serde_json::{json, Value};

use atrium_app::dto::compare::CompareStatus;
use atrium_server::gitops::compare::compare_trees;
use atrium_server::gitops::tree::{RenderedApp, RenderedTree};
use atrium_server::resource::facts::desired_facts;
use atrium_server::resource::DesiredResource;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn resource(app: usize, i: usize, tag: &str, reversed: bool, facts: bool) -> DesiredResource {
    let name = format!("app-{app}-{i}");
    let mut env = vec![
        json!({"name": "LOG_LEVEL", "value": "info"}),
        json!({"name": "PORT", "value": "8080"}),
        json!({"name": "REGION", "value": "eu-west-1"}),
    ];
    if reversed {
        env.reverse();
    }
    let manifest = if i == 0 {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "shop", "labels": {"app": name}},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": name}},
                "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [
                    {"name": "main", "image": format!("registry/app-{app}:{tag}"), "env": env,
                     "ports": [{"name": "http", "containerPort": 8080}]}]}}}})
    } else {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "shop"},
            "data": {"a": "1", "b": "2", "c": "3"}, "items": env})
    };
    let meta = &manifest["metadata"];
    DesiredResource {
        api_version: manifest["apiVersion"].as_str().unwrap_or_default().into(),
        kind: manifest["kind"].as_str().unwrap_or_default().into(),
        namespace: meta["namespace"].as_str().unwrap_or_default().into(),
        name: meta["name"].as_str().unwrap_or_default().into(),
        facts: facts.then(|| desired_facts(&manifest)),
        manifest: manifest.into(),
        sync_wave: 0,
        hook: None,
    }
}

fn tree(apps: usize, tag: impl Fn(usize) -> String, reversed: bool, facts: bool) -> RenderedTree {
    RenderedTree {
        apps: (0..apps)
            .map(|a| {
                let resources = (0..10)
                    .map(|i| resource(a, i, &tag(a), reversed, facts))
                    .collect();
                RenderedApp::rendered(&format!("app-{a}"), resources)
            })
            .collect(),
    }
}

fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(|a, b| a.partial_cmp(b).expect("numbers"));
    let at =
        |p: f64| samples[((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1];
    (at(0.50), at(0.99))
}

fn main() {
    let apps: usize = arg("--apps", 2000);
    let runs: usize = arg("--runs", 50);
    println!("compare: 2 environments × {apps} apps × 10 resources, {runs} runs each");
    // With facts: what the engine's renders carry. Without: the JSON walk, for resources built
    // some other way.
    for facts in [true, false] {
        let from = tree(apps, |_| "1.0.0".into(), false, facts);
        let one_in_ten = |a: usize| {
            if a.is_multiple_of(10) {
                "1.1.0"
            } else {
                "1.0.0"
            }
            .to_string()
        };
        let shapes = [
            ("all equal", tree(apps, |_| "1.0.0".into(), false, facts)),
            ("1 app in 10 differs", tree(apps, one_in_ten, false, facts)),
            (
                "list order only",
                tree(apps, |_| "1.0.0".into(), true, facts),
            ),
        ];
        println!(
            "{}",
            if facts {
                "with the render's facts (as the engine compares):"
            } else {
                "without facts (JSON walk):"
            }
        );
        for (label, to) in &shapes {
            let mut samples = Vec::with_capacity(runs);
            let mut last = Vec::new();
            for _ in 0..runs {
                let started = Instant::now();
                last = compare_trees(&from, to);
                samples.push(started.elapsed().as_secs_f64() * 1000.0);
            }
            let differ = last
                .iter()
                .filter(|a| a.status == CompareStatus::Differs)
                .count();
            let json: Vec<Value> = last
                .iter()
                .map(|a| json!({"name": a.name, "status": a.status, "resources": a.resources}))
                .collect();
            let bytes = serde_json::to_vec(&json).map(|v| v.len()).unwrap_or(0);
            let (p50, p99) = percentiles(samples);
            println!(
                "  {label:<20} p50 {p50:>7.2} ms  p99 {p99:>7.2} ms  ({:.2}× the 20 ms target)  {differ} apps differ, JSON {:.1} MB",
                p99 / 20.0,
                bytes as f64 / 1e6
            );
        }
    }
}

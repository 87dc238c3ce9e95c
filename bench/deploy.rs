//! Deploy benchmark: how fast a request becomes a commit and a healthy app, alone and under
//! load, and what a commit costs on a long history. Real Git repositories, the engine on the
//! built-in emulator with zero rollout delay, the executor as `atrium serve` runs it.
//!
//! cargo run --release -p atrium-server --bin atrium-deploy-bench -- [--apps 50] [--single 30]
//!
//! Prints p50/p99 of request → committed and request → healthy for `--single` requests one at
//! a time and for 100 requests across 50 apps approved together, and the executor's commit
//! (plan + commit + trailer lookup) on a repository with 10,000 commits.
//! Targets: p99 request → committed < 100 ms, → healthy < 1 s.

mod bigenv;

use bigenv::arg;

use std::time::{Duration, Instant};

use atrium_app::dto::deploy::{Change, NewRequest, RequestState, RequestView};
use atrium_app::service::Caller;
use atrium_server::config::{Config, EnvironmentEntry};
use atrium_server::http::AppState;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn caller(state: &AppState, user: &str) -> Caller {
    let identity = atrium_server::auth::demo::identity(user).expect("a demo user");
    Caller {
        user: Some(state.auth.access.user_view(&identity)),
        ..Default::default()
    }
}

fn millis(from: &str, to: &str) -> f64 {
    let parse = |t: &str| {
        time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
            .expect("a timestamp")
    };
    (parse(to) - parse(from)).as_seconds_f64() * 1000.0
}

/// When the request reached `state`, after it was asked.
fn reached(view: &RequestView, state: RequestState) -> f64 {
    let at = view
        .timeline
        .iter()
        .find(|t| t.state == state)
        .map(|t| t.at.clone())
        .expect("reached");
    millis(&view.created_at, &at)
}

fn percentiles(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(|a, b| a.partial_cmp(b).expect("numbers"));
    let at =
        |p: f64| samples[((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1];
    (at(0.50), at(0.99))
}

async fn wait_done(state: &AppState, ids: &[String]) -> Vec<RequestView> {
    let deploys = state.services().deploys;
    let admin = caller(state, "jonas.becker");
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let mut views = Vec::new();
        for id in ids {
            views.push(deploys.get(&admin, id).await.expect("a request"));
        }
        if views.iter().all(|v| v.state.is_terminal()) {
            assert!(
                views.iter().all(|v| v.state == RequestState::Healthy),
                "not all healthy"
            );
            return views;
        }
        assert!(Instant::now() < deadline, "requests did not finish");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn report(name: &str, views: &[RequestView]) {
    let (c50, c99) = percentiles(
        views
            .iter()
            .map(|v| reached(v, RequestState::Committed))
            .collect(),
    );
    let (h50, h99) = percentiles(
        views
            .iter()
            .map(|v| reached(v, RequestState::Healthy))
            .collect(),
    );
    println!("{name:<42} committed p50 {c50:7.1} ms  p99 {c99:7.1} ms   healthy p50 {h50:7.1} ms  p99 {h99:7.1} ms");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let apps = arg("--apps", 50);
    let single = arg("--single", 30);
    let scratch = tempfile::tempdir()?;
    let repo = bigenv::write_envs(scratch.path(), apps, 2, 1)?;
    let config = Config {
        data_dir: scratch.path().join("data"),
        environments: vec![EnvironmentEntry {
            name: "live".into(),
            repo: repo.display().to_string(),
            root: bigenv::ROOT.into(),
            production: Some(false),
            ..Default::default()
        }],
        ..Config::default()
    };
    let mut config = config;
    config.engine.sim_rollout_ms = 0;
    let state = atrium_server::serve::build_state(&config).await?;
    state.catalog.refresh_all().await?;
    state.engine.reconcile_all().await;
    state.engine.spawn(Duration::from_millis(500));
    state.deploys.spawn_executor();
    let deploys = state.services().deploys;
    let jonas = caller(&state, "jonas.becker");
    let ask = |app: usize, tag: String| NewRequest {
        environment: "live".into(),
        app: format!("app-{app}"),
        change: Change::SetImage {
            tag,
            container: None,
        },
        reason: "bench".into(),
        supersede: false,
    };

    println!("{apps} apps on the emulator (rollout delay 0), no approvals needed\n");
    let mut views = Vec::new();
    for i in 0..single {
        let view = deploys
            .create(&jonas, ask(i % apps, format!("2.0.{i}")))
            .await?;
        views.extend(wait_done(&state, &[view.id]).await);
    }
    report(&format!("{single} requests, one at a time"), &views);

    for round in 0..2 {
        let mut ids = Vec::new();
        for i in 0..apps {
            ids.push(
                deploys
                    .create(&jonas, ask(i, format!("3.{round}.{i}")))
                    .await?
                    .id,
            );
        }
        let views = wait_done(&state, &ids).await;
        report(
            &format!("{apps} requests at once (round {})", round + 1),
            &views,
        );
    }

    // The commit on a long history: 10,000 commits, then one deploy's plan + commit + lookup.
    let long = tempfile::tempdir()?;
    let git = atrium_server::demo::git::open_or_init(long.path(), "main")?;
    let started = Instant::now();
    for i in 0..10_000 {
        let text =
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  n: \"{i}\"\n");
        atrium_server::demo::git::commit_files(
            &git,
            "main",
            &[("other/cm.yaml", Some(text.as_bytes()))],
            "churn",
            ("b", "b@x"),
        )?;
    }
    println!(
        "\nwrote 10,000 commits in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut samples = Vec::new();
    for i in 0..20 {
        let head = atrium_server::deploy::git_write::head(&git, "main")?;
        let t = Instant::now();
        let found = atrium_server::deploy::git_write::find_request_commit(
            &git,
            "main",
            Some(head),
            &format!("dr-{i}"),
        )?;
        assert!(found.is_none());
        let edits = [atrium_server::deploy::edit::FileEdit {
            path: "apps/web.yaml".into(),
            content: Some(format!("n: {i}\n").into_bytes()),
        }];
        let message = atrium_server::deploy::git_write::message(
            "web: bench",
            "bench",
            &format!("dr-{i}"),
            &[],
        );
        let spec = atrium_server::deploy::git_write::CommitSpec {
            branch: "main",
            edits: &edits,
            message: &message,
            author: ("a", "a@x"),
            committer: ("Atrium", "atrium@x"),
        };
        atrium_server::deploy::git_write::commit_on(&git, head, &spec)?;
        let lineage = atrium_server::deploy::lineage::last_change(
            &git,
            "main",
            &["apps/web.yaml".to_string()],
        );
        assert!(lineage.is_some());
        samples.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p99) = percentiles(samples);
    println!("commit on a 10,000-commit history (lookup + commit + lineage): p50 {p50:.2} ms  p99 {p99:.2} ms");
    Ok(())
}

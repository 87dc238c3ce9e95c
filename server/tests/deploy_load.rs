//! Many requests at once: 50 apps in one production environment (a real Git repository, the
//! engine on its emulated cluster), two rounds of 50 requests each, approved in a shuffled
//! order while the executor runs. Nothing is lost, every request is committed exactly once,
//! and every app ends at the version its last approved request asked for.

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use atrium_app::dto::deploy::{Change, NewRequest, RequestState};
use atrium_server::config::EnvironmentEntry;
use common::deploy::synthetic_env;
use common::TestApp;

const APPS: usize = 50;

async fn load_env(dir: &std::path::Path) -> TestApp {
    let entry = EnvironmentEntry {
        name: "live".into(),
        production: Some(true),
        ..Default::default()
    };
    let (app, _) = synthetic_env(dir, APPS, entry, false).await;
    app.state.deploys.spawn_executor();
    app
}

/// A fixed shuffle (no randomness in tests: the same order every run).
fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    let mut x = seed;
    for i in (1..n).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        order.swap(i, (x % (i as u64 + 1)) as usize);
    }
    order
}

async fn round(app: &TestApp, version: u32, seed: u64) -> Vec<String> {
    let deploys = app.state.services().deploys;
    let (jonas, elena) = (app.caller("jonas.becker"), app.caller("elena.petrova"));
    let mut ids = Vec::new();
    for i in 0..APPS {
        let new = NewRequest {
            environment: "live".into(),
            app: format!("app-{i}"),
            change: Change::SetImage {
                tag: format!("{version}.0.{i}"),
                container: None,
            },
            reason: format!("round {version}"),
            supersede: false,
        };
        let view = deploys.create(&jonas, new).await.unwrap();
        assert_eq!(view.state, RequestState::Pending);
        ids.push(view.id);
    }
    for i in shuffled(APPS, seed) {
        deploys.decide(&elena, &ids[i], true, "").await.unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(240);
    loop {
        let mut states = HashMap::new();
        for id in &ids {
            *states
                .entry(deploys.get(&jonas, id).await.unwrap().state)
                .or_insert(0) += 1;
        }
        if states.keys().all(|s| s.is_terminal()) {
            assert_eq!(
                states.get(&RequestState::Healthy),
                Some(&APPS),
                "{states:?}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "round {version} did not finish: {states:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_requests_across_fifty_apps() {
    let dir = tempfile::tempdir().unwrap();
    let app = load_env(dir.path()).await;
    let mut ids = round(&app, 2, 0x9e37_79b9_7f4a_7c15).await;
    ids.extend(round(&app, 3, 0x2545_f491_4f6c_dd1d).await);

    // One commit per request, on one linear history.
    let repo = git2::Repository::open(dir.path().join("bench.git")).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_ref("refs/heads/main").unwrap();
    let mut trailers: HashMap<String, usize> = HashMap::new();
    for oid in walk {
        let commit = repo.find_commit(oid.unwrap()).unwrap();
        assert!(commit.parent_count() <= 1, "linear history");
        for line in commit.message().unwrap_or_default().lines() {
            if let Some(id) = line.strip_prefix("Atrium-Request: ") {
                *trailers.entry(id.to_string()).or_default() += 1;
            }
        }
    }
    assert_eq!(trailers.len(), 2 * APPS);
    for id in &ids {
        assert_eq!(trailers.get(id), Some(&1), "{id}");
    }
    // Each app runs what its last approved request asked for.
    let apps = app
        .state
        .services()
        .deploys
        .api_apps(&app.caller("jonas.becker"), "live")
        .await
        .unwrap();
    for i in 0..APPS {
        let row = apps.iter().find(|a| a.name == format!("app-{i}")).unwrap();
        assert_eq!(
            row.version.as_deref(),
            Some(format!("3.0.{i}").as_str()),
            "{row:?}"
        );
    }
    let report = app.state.store.verify_audit().await.unwrap();
    assert!(report.is_ok(), "{report:?}");
}

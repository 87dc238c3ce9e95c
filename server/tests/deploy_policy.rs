//! An environment's rules at work: an approved request outside its deploy window waits, with
//! the reason shown, until an admin lets it run (recorded); a frozen environment holds every
//! request until it is unfrozen; requests left too long expire.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use atrium_app::dto::deploy::{Change, NewRequest, RequestState, RequestView};
use atrium_server::audit::{outcome, Actor, AuditRecord};
use atrium_server::config::EnvironmentEntry;
use atrium_server::deploy::executor::InFlight;
use atrium_server::deploy::windows::WindowConfig;
use common::deploy::{request_row, synthetic_env};
use common::TestApp;

async fn env_with_deny_window(dir: &std::path::Path) -> TestApp {
    let entry = EnvironmentEntry {
        name: "qa".into(),
        production: Some(false),
        // A deny window that is always open, for app-0 only.
        windows: vec![WindowConfig {
            kind: "deny".into(),
            schedule: "* * * * *".into(),
            duration: "2h".into(),
            apps: vec!["app-0".into()],
        }],
        ..Default::default()
    };
    synthetic_env(dir, 3, entry, false).await.0
}

fn ask(app: &str, tag: &str) -> NewRequest {
    NewRequest {
        environment: "qa".into(),
        app: app.into(),
        change: Change::SetImage {
            tag: tag.into(),
            container: None,
        },
        reason: "policy test".into(),
        supersede: false,
    }
}

/// Sweeps until `done` says so (or fails after 30 s).
async fn sweep_until(app: &TestApp, id: &str, done: impl Fn(&RequestView) -> bool) -> RequestView {
    let deploys = app.state.services().deploys;
    let in_flight = Arc::new(InFlight::default());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        app.state.deploys.sweep(&in_flight).await;
        let view = deploys.get(&app.caller("jonas.becker"), id).await.unwrap();
        if done(&view) {
            return view;
        }
        assert!(Instant::now() < deadline, "{view:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn windows_and_freezes_hold_requests_until_an_admin_says() {
    let dir = tempfile::tempdir().unwrap();
    let app = env_with_deny_window(dir.path()).await;
    let deploys = app.state.services().deploys;
    let jonas = app.caller("jonas.becker");

    // Outside its window: approved (no approvals needed here), waiting, with the reason.
    let held = deploys.create(&jonas, ask("app-0", "7.0.0")).await.unwrap();
    let waiting = sweep_until(&app, &held.id, |v| v.waiting.is_some()).await;
    assert_eq!(waiting.state, RequestState::Approved);
    assert!(waiting.waiting.unwrap().contains("inside the deny window"));
    assert!(waiting.viewer.unwrap().can_override_window);
    // Only an admin may let it run; it then runs, and the timeline says who.
    let refused = deploys
        .override_window(&app.caller("amara.okafor"), &held.id)
        .await;
    assert!(refused.is_err());
    deploys.override_window(&jonas, &held.id).await.unwrap();
    let done = sweep_until(&app, &held.id, |v| v.state.is_terminal()).await;
    assert_eq!(done.state, RequestState::Healthy, "{done:#?}");
    assert!(done
        .timeline
        .iter()
        .any(|t| t.detail.contains("window overridden by Jonas Becker")));

    // Frozen: another app waits too, until unfrozen.
    deploys
        .set_freeze(&jonas, "qa", true, "incident 42")
        .await
        .unwrap();
    let frozen = deploys.create(&jonas, ask("app-1", "7.0.0")).await.unwrap();
    let waiting = sweep_until(&app, &frozen.id, |v| v.waiting.is_some()).await;
    assert!(waiting
        .waiting
        .unwrap()
        .contains("frozen by Jonas Becker: incident 42"));
    assert!(deploys
        .set_freeze(&app.caller("amara.okafor"), "qa", false, "")
        .await
        .is_err());
    deploys.set_freeze(&jonas, "qa", false, "").await.unwrap();
    let done = sweep_until(&app, &frozen.id, |v| v.state.is_terminal()).await;
    assert_eq!(done.state, RequestState::Healthy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_left_too_long_expire() {
    let dir = tempfile::tempdir().unwrap();
    let app = env_with_deny_window(dir.path()).await;
    // A request asked long ago (the default expiry is 72 hours), still pending.
    let row = request_row(
        "dr-old",
        "qa",
        "app-2",
        RequestState::Pending,
        "2026-01-01T00:00:00.000000Z",
    );
    let actor = Actor {
        subject: "amara.okafor".into(),
        name: "Amara Okafor".into(),
        groups: vec![],
    };
    let audit = AuditRecord::new(
        actor.clone(),
        "deploys.request",
        "qa/app-2",
        outcome::SUCCESS,
    );
    app.state
        .store
        .insert_request(&row, &actor, &audit, None)
        .await
        .unwrap();
    let expired = sweep_until(&app, "dr-old", |v| v.state.is_terminal()).await;
    assert_eq!(expired.state, RequestState::Expired);
    assert!(expired.message.unwrap().starts_with("expired"));
}

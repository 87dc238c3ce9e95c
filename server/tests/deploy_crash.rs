//! Crash safety of the deploy executor with a real process: `atrium serve` is killed with
//! SIGKILL at each point of a request's way (before the commit, after the commit is in Git but
//! not yet recorded, after it is recorded, after the sync is recorded as started, after the sync
//! ran), then started again. Every time the request completes exactly once: one commit carrying
//! its trailer, one completed deploy sync, `healthy`.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use atrium_server::store::Store;
use common::process::{
    api_token, commits_with_trailer, free_port, http, serve_command, wait_for, Server,
};

mod common;

fn start(data: &Path, pause_at: Option<&str>) -> Server {
    let port = free_port();
    let mut command = serve_command(data, port);
    command
        .env("ATRIUM_ENGINE__SIM_ROLLOUT_MS", "0")
        .env("ATRIUM_ENGINE__INTERVAL_SECS", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(point) = pause_at {
        command
            .env("ATRIUM_TEST_PAUSE_AT", point)
            .env("ATRIUM_TEST_PAUSE_FILE", data.join("paused"));
    }
    Server::start(&mut command, port)
}

fn crash_at(point: &str) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let first = start(data, Some(point));
    let token = api_token(data, None);
    wait_for(Duration::from_secs(60), || {
        http(
            "GET",
            &format!("{}/api/v1/environments/staging/apps", first.base),
            Some(&token),
            None,
        )
        .is_some_and(|(status, body)| status == 200 && body.contains("checkout-service"))
    });
    let id = first.request_deploy(&token, "crash test");
    wait_for(Duration::from_secs(60), || data.join("paused").exists());
    drop(first); // SIGKILL: no shutdown, no cleanup

    let second = start(data, None);
    let deadline = Instant::now() + Duration::from_secs(90);
    while !matches!(
        second
            .request_state(&token, &id)
            .map(|(state, _)| state)
            .as_deref(),
        Some("healthy" | "degraded" | "failed")
    ) {
        if Instant::now() > deadline {
            let (_, body) = http(
                "GET",
                &format!("{}/api/v1/requests/{id}", second.base),
                Some(&token),
                None,
            )
            .unwrap();
            panic!("{point}: not finished after the restart: {body}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let (_, body) = http(
        "GET",
        &format!("{}/api/v1/requests/{id}", second.base),
        Some(&token),
        None,
    )
    .unwrap();
    assert_eq!(
        second
            .request_state(&token, &id)
            .map(|(state, _)| state)
            .as_deref(),
        Some("healthy"),
        "{point}: {body}"
    );
    drop(second);

    assert_eq!(
        commits_with_trailer(&data.join("repos/env-staging.git"), &id).len(),
        1,
        "{point}: one commit for the request"
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let syncs = runtime.block_on(async {
        let store = Store::connect(&format!("sqlite://{}/atrium.db", data.display()))
            .await
            .unwrap();
        store
            .recent_syncs("staging", "checkout-service", 100)
            .await
            .unwrap()
    });
    let deploys: Vec<_> = syncs
        .iter()
        .filter(|s| s.trigger == "deploy" && s.result == "succeeded")
        .collect();
    assert_eq!(
        deploys.len(),
        1,
        "{point}: one completed deploy sync: {syncs:#?}"
    );
    // Until the request's own sync ran, the engine kept its hands off the app. (Killed after
    // it ran, the in-process emulator lost every object with the process, so the engine's
    // auto-sync puts them back: a real cluster keeps them.)
    if point != "synced" {
        let before: Vec<_> = syncs
            .iter()
            .filter(|s| s.trigger == "auto" && s.at > deploys[0].at)
            .collect();
        assert!(
            before.is_empty(),
            "{point}: the engine synced the commit too: {before:#?}"
        );
    }
}

#[test]
fn killed_before_committing() {
    crash_at("committing");
}

#[test]
fn killed_after_the_commit_is_in_git() {
    crash_at("committed-in-git");
}

#[test]
fn killed_after_the_commit_is_recorded() {
    crash_at("committed");
}

#[test]
fn killed_before_the_sync_runs() {
    crash_at("syncing");
}

#[test]
fn killed_after_the_sync_ran() {
    crash_at("synced");
}

/// mimalloc asks for transparent huge pages, which made every 2 MiB region it touched resident
/// whole; the server turns them off for itself at start (main.rs).
#[test]
fn the_server_runs_without_transparent_huge_pages() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), None);
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    // Kernels before 5.0 do not report it; every machine this runs on does.
    let enabled = status
        .lines()
        .find_map(|l| l.strip_prefix("THP_enabled:"))
        .map(str::trim);
    assert_eq!(enabled, Some("0"), "{status}");
}

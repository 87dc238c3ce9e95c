//! Crash safety of the deploy executor with a real process: `atrium serve` is killed with
//! SIGKILL at each point of a request's way (before the commit, after the commit is in Git but
//! not yet recorded, after it is recorded, after the sync is recorded as started, after the sync
//! ran), then started again. Every time the request completes exactly once: one commit carrying
//! its trailer, one completed deploy sync, `healthy`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use atrium_server::store::Store;
use common::process::{api_token, free_port, http, reqwest, wait_for, Server};

mod common;

fn start(data: &Path, pause_at: Option<&str>) -> Server {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_atrium"));
    command
        .arg("serve")
        .current_dir(data)
        .env("ATRIUM_DATA_DIR", data)
        .env("ATRIUM_LISTEN", format!("127.0.0.1:{port}"))
        .env("ATRIUM_SITE_ROOT", data.join("no-site"))
        .env("ATRIUM_ENGINE__SIM_ROLLOUT_MS", "0")
        .env("ATRIUM_ENGINE__INTERVAL_SECS", "1")
        .env("RUST_LOG", "warn")
        .env_remove("ATRIUM_TEST_PAUSE_AT")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(point) = pause_at {
        command
            .env("ATRIUM_TEST_PAUSE_AT", point)
            .env("ATRIUM_TEST_PAUSE_FILE", data.join("paused"));
    }
    let server = Server {
        child: command.spawn().expect("start atrium"),
        base: format!("http://127.0.0.1:{port}"),
    };
    wait_for(Duration::from_secs(60), || {
        reqwest::blocking_get(&format!("{}/readyz", server.base))
    });
    server
}

fn state_of(server: &Server, token: &str, id: &str) -> Option<String> {
    let (status, body) = http(
        "GET",
        &format!("{}/api/v1/requests/{id}", server.base),
        Some(token),
        None,
    )?;
    (status == 200).then_some(())?;
    let json: serde_json::Value = serde_json::from_str(&body).ok()?;
    json["state"].as_str().map(str::to_string)
}

fn commits_with_trailer(data: &Path, id: &str) -> usize {
    let repo = git2::Repository::open(data.join("repos/env-staging.git")).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_ref("refs/heads/main").unwrap();
    walk.filter(|oid| {
        let commit = repo.find_commit(*oid.as_ref().unwrap()).unwrap();
        commit
            .message()
            .unwrap_or_default()
            .contains(&format!("Atrium-Request: {id}"))
    })
    .count()
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
    let body = r#"{"environment":"staging","app":"checkout-service","change":{"set_image":{"tag":"7.7.7"}},"reason":"crash test"}"#;
    let (status, created) = http(
        "POST",
        &format!("{}/api/v1/requests", first.base),
        Some(&token),
        Some(body),
    )
    .unwrap();
    assert_eq!(status, 201, "{created}");
    let id = serde_json::from_str::<serde_json::Value>(&created).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_for(Duration::from_secs(60), || data.join("paused").exists());
    drop(first); // SIGKILL: no shutdown, no cleanup

    let second = start(data, None);
    let deadline = Instant::now() + Duration::from_secs(90);
    while !matches!(
        state_of(&second, &token, &id).as_deref(),
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
        state_of(&second, &token, &id).as_deref(),
        Some("healthy"),
        "{point}: {body}"
    );
    drop(second);

    assert_eq!(
        commits_with_trailer(data, &id),
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

//! The executor against an environment repository given by URL (`file://`, read through its
//! mirror): the deploy commit is pushed to the remote; someone else's push that landed first
//! is kept (the change is planned again on their commit); and when their push removed what the
//! change edits, the request fails with the reason instead of overwriting anything.

mod common;

use std::time::{Duration, Instant};

use atrium_app::dto::deploy::{Change, NewRequest, RequestState, RequestView};
use atrium_server::config::EnvironmentEntry;
use atrium_server::demo::git::commit_files;
use common::deploy::synthetic_env;
use common::TestApp;

async fn remote_env(dir: &std::path::Path) -> (TestApp, git2::Repository) {
    let entry = EnvironmentEntry {
        name: "live".into(),
        production: Some(true),
        ..Default::default()
    };
    let (app, origin) = synthetic_env(dir, 3, entry, true).await;
    app.state.deploys.spawn_executor();
    (app, git2::Repository::open(origin).unwrap())
}

async fn ask_and_approve(app: &TestApp, name: &str, tag: &str) -> String {
    let deploys = app.state.services().deploys;
    let new = NewRequest {
        environment: "live".into(),
        app: name.into(),
        change: Change::SetImage {
            tag: tag.into(),
            container: None,
        },
        reason: "remote".into(),
        supersede: false,
    };
    deploys
        .create(&app.caller("jonas.becker"), new)
        .await
        .unwrap()
        .id
}

async fn approve(app: &TestApp, id: &str) -> RequestView {
    let deploys = app.state.services().deploys;
    deploys
        .decide(&app.caller("elena.petrova"), id, true, "")
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let view = deploys.get(&app.caller("jonas.becker"), id).await.unwrap();
        if view.state.is_terminal() {
            return view;
        }
        assert!(Instant::now() < deadline, "{view:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn head(origin: &git2::Repository) -> git2::Oid {
    origin
        .find_reference("refs/heads/main")
        .unwrap()
        .peel_to_commit()
        .unwrap()
        .id()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_are_pushed_on_top_of_other_peoples_pushes() {
    let dir = tempfile::tempdir().unwrap();
    let (app, origin) = remote_env(dir.path()).await;
    let id = ask_and_approve(&app, "app-1", "9.0.0").await;
    // Someone else pushes first: the mirror the request was planned on is now behind.
    let theirs = commit_files(
        &origin,
        "main",
        &[("NOTES.md", Some(b"hello\n"))],
        "notes",
        ("o", "o@x"),
    )
    .unwrap();
    let done = approve(&app, &id).await;
    assert_eq!(done.state, RequestState::Healthy, "{done:#?}");
    let sha = git2::Oid::from_str(&done.commit.unwrap().sha).unwrap();
    assert_eq!(
        head(&origin),
        sha,
        "the deploy commit is on the remote's branch"
    );
    let commit = origin.find_commit(sha).unwrap();
    assert_eq!(
        commit.parent_id(0).unwrap(),
        theirs,
        "on top of their push, nothing lost"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_that_no_longer_applies_fails_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (app, origin) = remote_env(dir.path()).await;
    let id = ask_and_approve(&app, "app-2", "9.0.0").await;
    // Their push removes the manifest the change edits.
    let theirs = commit_files(
        &origin,
        "main",
        &[("workloads/app-2/all.yaml", None)],
        "retire app-2",
        ("o", "o@x"),
    )
    .unwrap();
    let done = approve(&app, &id).await;
    assert_eq!(done.state, RequestState::Failed, "{done:#?}");
    let message = done.message.unwrap();
    assert!(message.contains("app-2"), "{message}");
    assert_eq!(
        head(&origin),
        theirs,
        "nothing was pushed over their commit"
    );
}

//! Deploy test fixtures: a synthetic environment of N apps in a real Git repository (the
//! benchmark's generator), served by the real state on the emulator with zero rollout delay;
//! and a stored request built field by field.

#[path = "../../../bench/bigenv.rs"]
#[allow(dead_code)]
pub mod bigenv;

use std::time::Duration;

use atrium_app::dto::deploy::RequestState;
use atrium_server::config::EnvironmentEntry;
use atrium_server::store::deploys::RequestRow;

use super::{app_with, TestApp};

/// `apps` apps in a repository under `dir`, as the environment `entry` describes (its `repo`
/// and `root` are filled in; `repo_url` turns the repository into a `file://` remote), the
/// engine running. The repository's path is the second value.
pub async fn synthetic_env(
    dir: &std::path::Path,
    apps: usize,
    entry: EnvironmentEntry,
    remote: bool,
) -> (TestApp, std::path::PathBuf) {
    let repo = bigenv::write_envs(dir, apps, 2, 1).unwrap();
    let url = if remote {
        format!("file://{}", repo.display())
    } else {
        repo.display().to_string()
    };
    let app = app_with(false, |config| {
        config.engine.sim_rollout_ms = 0;
        config.engine.interval_secs = 1;
        config.environments = vec![EnvironmentEntry {
            repo: url,
            root: bigenv::ROOT.into(),
            ..entry
        }];
    })
    .await;
    app.state.engine.reconcile_all().await;
    app.state.engine.spawn(Duration::from_millis(300));
    (app, repo)
}

/// A request as stored, asked by Amara at `created_at`.
pub fn request_row(
    id: &str,
    env: &str,
    app: &str,
    state: RequestState,
    created_at: &str,
) -> RequestRow {
    RequestRow {
        id: id.into(),
        env: env.into(),
        app: app.into(),
        change: r#"{"set_image":{"tag":"2"}}"#.into(),
        reason: "ship it".into(),
        requester_subject: "amara.okafor".into(),
        requester_name: "Amara Okafor".into(),
        requester_email: Some("amara.okafor@brightcart.example".into()),
        via_token: false,
        state,
        required_approvals: 1,
        from_version: Some("1".into()),
        to_version: Some("2".into()),
        base_sha: None,
        commit_sha: None,
        commit_info: None,
        sync_info: None,
        health: None,
        waiting: None,
        message: None,
        window_override: false,
        created_at: created_at.into(),
        updated_at: created_at.into(),
    }
}

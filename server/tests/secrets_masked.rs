//! A Kubernetes `Secret`'s values never leave the server: two environments whose app carries a
//! Secret (synced to the emulator, so it is live too), read through every way a reader sees
//! resources: the environment tree, the resource panel (desired and live YAML, diff), the
//! comparison of the two environments (page, resource pair, `/api/v1`). None shows a value;
//! the comparison still shows that the values differ.

mod common;

use axum::http::StatusCode;

use atrium_server::config::EnvironmentEntry;
use atrium_server::demo::git::{commit_files, open_or_init};
use common::app_with;
use common::deploy::bigenv;

/// The values each environment's Secret holds: base64 `data`, plain `stringData`.
const QA: (&str, &str) = ("cWEtcGFzc3dvcmQtMQ==", "postgres://app:qa-hunter2@db");
const STAGE: (&str, &str) = (
    "c3RhZ2UtcGFzc3dvcmQtMg==",
    "postgres://app:stage-hunter2@db",
);
/// The same in both: its mask is the same on both sides.
const SHARED: &str = "c2hhcmVkLXVzZXI=";

fn secret((password, dsn): (&str, &str)) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: ns-0\ntype: Opaque\n\
         data:\n  password: {password}\n  user: {SHARED}\nstringData:\n  dsn: {dsn}\n"
    )
}

/// An environment repo of one app (`app-0`) with a Secret beside its workload.
fn env_repo(dir: &std::path::Path, values: (&str, &str)) -> std::path::PathBuf {
    let repo_path = bigenv::write_envs(dir, 1, 2, 1).unwrap();
    let repo = open_or_init(&repo_path, "main").unwrap();
    let file = secret(values);
    commit_files(
        &repo,
        "main",
        &[("workloads/app-0/secret.yaml", Some(file.as_bytes()))],
        "a database secret",
        ("Test", "test@atrium.invalid"),
    )
    .unwrap();
    repo_path
}

/// Call a server function with form-encoded arguments, as the pages do.
async fn call(
    app: &common::TestApp,
    path: &str,
    args: &[(&str, &str)],
    session: &str,
) -> common::Reply {
    let body: Vec<String> = args
        .iter()
        .map(|(k, v)| format!("{k}={}", atrium_app::url::encode(v)))
        .collect();
    app.post(
        path,
        "application/x-www-form-urlencoded",
        body.join("&"),
        Some(session),
    )
    .await
}

fn assert_masked(what: &str, text: &str) {
    for value in [QA.0, QA.1, STAGE.0, STAGE.1, SHARED, "hunter2"] {
        assert!(
            !text.contains(value),
            "{what} shows a secret value {value}:\n{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_values_appear_in_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let qa = env_repo(&dir.path().join("qa"), QA);
    let stage = env_repo(&dir.path().join("stage"), STAGE);
    let app = app_with(false, |config| {
        config.engine.sim_rollout_ms = 0;
        config.environments = [("qa", &qa), ("stage", &stage)]
            .into_iter()
            .map(|(name, repo)| EnvironmentEntry {
                name: name.into(),
                repo: repo.display().to_string(),
                root: bigenv::ROOT.into(),
                ..Default::default()
            })
            .collect();
    })
    .await;
    // The first pass renders and auto-syncs (the Secret becomes live); the second reads it.
    app.state.engine.reconcile_all().await;
    app.state.engine.reconcile_all().await;
    let admin = app.sign_in("jonas.becker").await;
    let node = "res:app-0:/Secret/ns-0/db";

    let tree = call(&app, "/api/envs/tree", &[("env", "qa")], &admin).await;
    assert_eq!(tree.status, StatusCode::OK, "{}", tree.body);
    assert!(
        tree.body.contains(node),
        "the Secret is in the tree: {}",
        tree.body
    );
    assert_masked("the tree", &tree.body);

    let detail = call(
        &app,
        "/api/envs/node",
        &[("env", "qa"), ("node", node)],
        &admin,
    )
    .await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    let view: serde_json::Value = serde_json::from_str(&detail.body).unwrap();
    let desired = view["desired_yaml"].as_str().expect("desired YAML");
    let live = view["live_yaml"].as_str().expect("the Secret is live");
    assert!(
        desired.contains("password: ") && desired.contains("++++++++"),
        "{desired}"
    );
    assert_eq!(desired, live, "in sync, and masked alike");
    assert_masked("the resource panel", &detail.body);

    let compare = call(
        &app,
        "/api/compare/envs",
        &[("from", "qa"), ("to", "stage")],
        &admin,
    )
    .await;
    assert_eq!(compare.status, StatusCode::OK, "{}", compare.body);
    assert_masked("the comparison", &compare.body);

    let args = [
        ("from", "qa"),
        ("to", "stage"),
        ("app", "app-0"),
        ("key", "/Secret/ns-0/db"),
    ];
    let pair = call(&app, "/api/compare/resource", &args, &admin).await;
    assert_eq!(pair.status, StatusCode::OK, "{}", pair.body);
    assert_masked("the compared resource", &pair.body);
    let pair: serde_json::Value = serde_json::from_str(&pair.body).unwrap();
    assert_eq!(pair["status"], "differs", "{pair}");
    let changed: Vec<&str> = pair["diff"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["tag"] != " ")
        .filter_map(|l| l["text"].as_str())
        .collect();
    assert!(
        changed.iter().any(|l| l.contains("password"))
            && !changed.iter().any(|l| l.contains("user")),
        "a changed value shows as changed, an equal one does not: {changed:?}"
    );

    let api = app
        .get("/api/v1/compare?from=qa&to=stage", Some(&admin))
        .await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    assert_masked("/api/v1/compare", &api.body);
}

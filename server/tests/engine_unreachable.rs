//! An environment whose cluster does not answer (a kubeconfig context pointing at a closed
//! port): its tree still renders from Git with the error on the environment, nothing is
//! applied, and the environment next to it keeps working. Its repo is given by URL, so the
//! tree comes through the engine's mirror. Own binary: it sets `KUBECONFIG`.

mod common;

use atrium_app::dto::status::SyncStatus;
use atrium_app::service::EngineService;
use atrium_server::config::{EnvironmentEntry, RepoEntry};
use common::app_with;

#[tokio::test]
async fn a_cluster_that_does_not_answer_is_an_error_on_its_environment_only() {
    // Nothing listens on a port we bound and released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let kube_dir = tempfile::tempdir().unwrap();
    let kubeconfig = kube_dir.path().join("config");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster:\n    server: \
             http://127.0.0.1:{port}\ncontexts:\n- name: gone\n  context:\n    cluster: gone\n    \
             user: nobody\nusers:\n- name: nobody\n  user:\n    token: t\ncurrent-context: gone\n"
        ),
    )
    .unwrap();
    // SAFETY: this binary's only test, before the engine (the only reader) starts.
    unsafe { std::env::set_var("KUBECONFIG", &kubeconfig) };

    let app = app_with(false, |config| {
        config.engine.sim_rollout_ms = 300;
        let demo =
            atrium_server::demo::environments::ensure_demo_environments(&config.data_dir).unwrap();
        config.repos = atrium_server::demo::environments::demo_repo_mappings(&config.data_dir)
            .into_iter()
            .map(|m| RepoEntry {
                url: m.url,
                path: m.path,
            })
            .collect();
        let entry = |name: &str, repo: &str, cluster: &str| EnvironmentEntry {
            name: name.into(),
            repo: repo.into(),
            root: "apps/root.yaml".into(),
            cluster: Some(cluster.into()),
            ..Default::default()
        };
        config.environments = vec![
            entry("dev", &demo[0].repo, "sim"),
            // Given by URL: read through a mirror the engine fetches before each pass.
            entry("remote", &format!("file://{}", demo[2].repo), "gone"),
        ];
    })
    .await;
    let engine = app.state.engine.clone();
    engine.reconcile_all().await;

    let envs = engine.environments().await;
    assert_eq!(envs[0].name, "dev");
    assert_eq!(envs[0].error, None, "{envs:?}");
    assert!(envs[0].apps > 12);
    let remote = &envs[1];
    assert_eq!((remote.name.as_str(), remote.simulated), ("remote", false));
    let error = remote.error.as_deref().unwrap_or_default();
    assert!(error.contains("the cluster did not answer"), "{error}");

    // The tree is still there, from Git, with nothing known about live state.
    let tree = engine.tree("remote").await.unwrap();
    let checkout = tree
        .nodes
        .iter()
        .find(|n| n.id == "app:checkout-service")
        .unwrap();
    assert_eq!(checkout.status, "ok", "{checkout:?}");
    assert!(app.dir.path().join("env-mirrors").is_dir());
    assert_ne!(checkout.sync, SyncStatus::Synced);

    // A sync is refused with the reason; dev syncs as usual.
    let caller = app.caller("jonas.becker");
    let refused = engine
        .sync(&caller, "remote", "checkout-service", false)
        .await;
    match refused {
        Ok(record) => assert_eq!(record.result, "failed", "{record:?}"),
        Err(e) => assert!(e.to_string().contains("127.0.0.1"), "{e}"),
    }
    let record = engine
        .sync(&caller, "dev", "checkout-service", false)
        .await
        .unwrap();
    assert_eq!(record.result, "succeeded", "{record:?}");
}

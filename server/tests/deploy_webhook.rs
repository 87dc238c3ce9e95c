//! An environment's webhook hears of every state change of its deploy requests, signed with
//! the environment's secret, and a receiver that fails is retried (its failure shown on the
//! request meanwhile).

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atrium_app::dto::deploy::{Change, NewRequest, RequestState};
use atrium_server::config::EnvironmentEntry;
use atrium_server::deploy::notify::signature;
use atrium_server::deploy::policy::WebhookConfig;
use axum::http::{HeaderMap, StatusCode};
use common::deploy::synthetic_env;

const SECRET_VAR: &str = "ATRIUM_TEST_WEBHOOK_SECRET";

#[derive(Default)]
struct Receiver {
    /// Answers 500 to this many deliveries first.
    fail_first: usize,
    seen: Vec<(HeaderMap, String)>,
}

async fn receiver(state: Arc<Mutex<Receiver>>) -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let state = state.clone();
            async move {
                let mut r = state.lock().unwrap();
                if r.fail_first > 0 {
                    r.fail_first -= 1;
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                r.seen.push((headers, body));
                StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_state_change_is_posted_signed_and_retried() {
    std::env::set_var(SECRET_VAR, "s3cret-hook");
    let received = Arc::new(Mutex::new(Receiver {
        fail_first: 2,
        ..Receiver::default()
    }));
    let url = receiver(received.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let entry = EnvironmentEntry {
        name: "qa".into(),
        production: Some(false),
        webhook: Some(WebhookConfig {
            url,
            secret_env: Some(SECRET_VAR.into()),
        }),
        ..Default::default()
    };
    let (app, _) = synthetic_env(dir.path(), 2, entry, false).await;
    app.state.deploys.spawn_executor();
    app.state.deploys.spawn_notifier();

    let deploys = app.state.services().deploys;
    let jonas = app.caller("jonas.becker");
    let new = NewRequest {
        environment: "qa".into(),
        app: "app-1".into(),
        change: Change::SetImage {
            tag: "8.0.0".into(),
            container: None,
        },
        reason: "webhook test".into(),
        supersede: false,
    };
    let id = deploys.create(&jonas, new).await.unwrap().id;
    // While the receiver fails, the request says so.
    let deadline = Instant::now() + Duration::from_secs(30);
    while deploys
        .get(&jonas, &id)
        .await
        .unwrap()
        .webhook_error
        .is_none()
    {
        assert!(Instant::now() < deadline, "the failure was never shown");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let shown = deploys
        .get(&jonas, &id)
        .await
        .unwrap()
        .webhook_error
        .unwrap();
    assert!(shown.contains("500"), "{shown}");

    let want = [
        "pending",
        "approved",
        "committing",
        "committed",
        "syncing",
        "healthy",
    ];
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let states: Vec<String> = {
            let r = received.lock().unwrap();
            r.seen
                .iter()
                .map(|(_, body)| {
                    serde_json::from_str::<serde_json::Value>(body).unwrap()["state"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect()
        };
        if want.iter().all(|s| states.iter().any(|got| got == s)) {
            break;
        }
        assert!(Instant::now() < deadline, "got {states:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        deploys.get(&jonas, &id).await.unwrap().state,
        RequestState::Healthy
    );
    for (headers, body) in received.lock().unwrap().seen.iter() {
        let notice: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            (
                notice["request"].as_str(),
                notice["environment"].as_str(),
                notice["app"].as_str()
            ),
            (Some(id.as_str()), Some("qa"), Some("app-1"))
        );
        assert_eq!(
            headers["x-atrium-signature-256"],
            signature(b"s3cret-hook", body.as_bytes()).as_str()
        );
        assert!(!body.contains("s3cret"), "the secret never travels");
    }
    assert!(
        deploys
            .get(&jonas, &id)
            .await
            .unwrap()
            .webhook_error
            .is_none(),
        "delivered at last"
    );
}

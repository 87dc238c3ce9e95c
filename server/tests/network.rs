//! Issue 14: the client's address comes from `X-Forwarded-For` only through trusted proxies,
//! and `/api/` has a request budget per caller.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};

use atrium_server::audit::AuditFilter;

async fn sign_in_from(app: &common::TestApp, peer: &str, forwarded: Option<&str>) -> StatusCode {
    let mut request = Request::post("/auth/demo")
        .header(header::HOST, "atrium.test")
        .header(header::ORIGIN, "http://atrium.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(xff) = forwarded {
        request = request.header("x-forwarded-for", xff);
    }
    let mut request = request
        .body(Body::from("user=amara.okafor&next=/catalog"))
        .unwrap();
    let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    app.send(request).await.status
}

async fn last_login_ip(app: &common::TestApp) -> Option<String> {
    let rows = app
        .state
        .store
        .audit_page(&AuditFilter {
            action: Some("login".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    rows[0].record.client_ip.clone()
}

#[tokio::test]
async fn forwarded_for_counts_only_from_trusted_proxies() {
    let app = common::app_with(true, |config| {
        config.http.trusted_proxies = vec!["10.0.0.0/8".into()];
    })
    .await;
    assert_eq!(
        sign_in_from(&app, "10.0.0.2", Some("198.51.100.7")).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(last_login_ip(&app).await.as_deref(), Some("198.51.100.7"));
    // Straight from the internet, a forged header changes nothing.
    assert_eq!(
        sign_in_from(&app, "203.0.113.9", Some("6.6.6.6")).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(last_login_ip(&app).await.as_deref(), Some("203.0.113.9"));
}

#[tokio::test]
async fn sign_in_limits_count_each_client_behind_the_proxy() {
    let app = common::app_with(true, |config| {
        config.http.trusted_proxies = vec!["10.0.0.0/8".into()];
        config.auth.login_attempts_per_minute = 2;
    })
    .await;
    for _ in 0..2 {
        assert_eq!(
            sign_in_from(&app, "10.0.0.2", Some("198.51.100.7")).await,
            StatusCode::SEE_OTHER
        );
    }
    assert_eq!(
        sign_in_from(&app, "10.0.0.2", Some("198.51.100.7")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another client behind the same proxy has its own budget.
    assert_eq!(
        sign_in_from(&app, "10.0.0.2", Some("198.51.100.8")).await,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_api_has_a_budget_per_caller() {
    let app = common::app_with(true, |config| config.http.requests_per_minute = 3).await;
    let amara = app.sign_in("amara.okafor").await;
    let sofia = app.sign_in("sofia.lindqvist").await;
    for _ in 0..3 {
        let reply = app
            .call("/api/envs/list", serde_json::json!({}), Some(&amara))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let reply = app
        .call("/api/envs/list", serde_json::json!({}), Some(&amara))
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(reply.headers.get(header::RETRY_AFTER).unwrap(), "60");
    assert!(
        reply.body.contains("http.requests_per_minute"),
        "{}",
        reply.body
    );
    // Someone else is not affected; pages are not counted.
    let reply = app
        .call("/api/envs/list", serde_json::json!({}), Some(&sofia))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        app.get("/catalog", Some(&amara)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn bad_proxy_entries_stop_the_start_naming_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("atrium.toml");
    std::fs::write(
        &file,
        "[http]\ntrusted_proxies = [\"10.0.0.0/8\", \"proxy.local\"]\n",
    )
    .unwrap();
    let err = atrium_server::config::Config::load(Some(&file))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("http.trusted_proxies[1]: `proxy.local`"),
        "{err}"
    );
}

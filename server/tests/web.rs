//! The real router, driven with `oneshot` over a fresh SQLite database and a catalog read from
//! Backstage's example files: health, metrics, SSR pages, server functions.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

use atrium_server::config::{Config, SourceEntry};
use atrium_server::serve::build_state;
use atrium_server::web::router;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/fixtures/backstage-examples"
);

async fn app() -> (axum::Router, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        ..Config::default()
    };
    config.catalog.sources.push(SourceEntry {
        name: "examples".into(),
        dir: Some(FIXTURES.into()),
        entry: Some("all.yaml".into()),
        ..Default::default()
    });
    let state = build_state(&config).await.unwrap();
    state.catalog.refresh_all().await.unwrap();
    (router(state), dir)
}

async fn get(app: &axum::Router, uri: &str) -> (StatusCode, String) {
    let response = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn health_ready_and_metrics() {
    let (app, _dir) = app().await;
    assert_eq!(get(&app, "/healthz").await.0, StatusCode::OK);
    assert_eq!(get(&app, "/readyz").await.0, StatusCode::OK);
    let (status, body) = get(&app, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("atrium_catalog_entities"), "{body}");
}

#[tokio::test]
async fn catalog_page_renders_results_on_the_server() {
    let (app, _dir) = app().await;
    let (status, html) = get(&app, "/catalog?q=wokplace").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("wokplaceanalytics"),
        "SSR page lacks the result"
    );
}

#[tokio::test]
async fn entity_page_and_missing_entity() {
    let (app, _dir) = app().await;
    let (status, html) = get(&app, "/catalog/component/default/wokplaceanalytics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("wokplaceanalytics"));
    let (_, html) = get(&app, "/catalog/component/default/no-such-thing").await;
    assert!(html.to_lowercase().contains("not found") || html.contains("no entity"));
}

#[tokio::test]
async fn search_server_function_survives_hostile_input() {
    let (app, _dir) = app().await;
    for q in [
        "\"unbalanced",
        "a:b AND (",
        "*",
        "name:[x TO",
        "🦀🦀",
        &"x".repeat(5000),
    ] {
        let body = serde_json::json!({"req": {"q": q, "filters": [["kind", "component"]], "limit": 10, "offset": 0}});
        let response = app
            .clone()
            .oneshot(
                Request::post("/api/catalog/search")
                    .header("content-type", "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "query {q:?}");
    }
}

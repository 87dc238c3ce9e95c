//! The real router, driven with `oneshot` over a fresh SQLite database and a catalog read from
//! Backstage's example files: health, metrics, SSR pages, server functions. Sign-in and
//! permissions have their own files (`auth_*.rs`, `authz_matrix.rs`).

mod common;

use axum::http::StatusCode;

use common::app;

#[tokio::test]
async fn health_ready_and_metrics() {
    let app = app().await;
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
    let reply = app.get("/metrics", None).await;
    let (status, body) = (reply.status, reply.body);
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("atrium_catalog_entities"), "{body}");
}

#[tokio::test]
async fn catalog_page_renders_results_on_the_server() {
    let app = app().await;
    let me = app.sign_in("amara.okafor").await;
    let reply = app.get("/catalog?q=wokplace", Some(&me)).await;
    let (status, html) = (reply.status, reply.body);
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("wokplaceanalytics"),
        "SSR page lacks the result"
    );
}

#[tokio::test]
async fn entity_page_and_missing_entity() {
    let app = app().await;
    let me = app.sign_in("amara.okafor").await;
    let reply = app
        .get("/catalog/component/default/wokplaceanalytics", Some(&me))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.body.contains("wokplaceanalytics"));
    // Components say where they run, rendered on the server too (here: nowhere yet).
    assert!(reply.body.contains("Running in"), "{}", reply.body);
    assert!(reply.body.contains("Not deployed here"));
    let html = app
        .get("/catalog/component/default/no-such-thing", Some(&me))
        .await
        .body;
    assert!(html.to_lowercase().contains("not found") || html.contains("no entity"));
}

#[tokio::test]
async fn search_server_function_survives_hostile_input() {
    let app = app().await;
    let me = app.sign_in("amara.okafor").await;
    for q in [
        "\"unbalanced",
        "a:b AND (",
        "*",
        "name:[x TO",
        "🦀🦀",
        &"x".repeat(5000),
    ] {
        let body = serde_json::json!({"req": {"q": q, "filters": [["kind", "component"]], "limit": 10, "offset": 0}});
        let reply = app.call("/api/catalog/search", body, Some(&me)).await;
        assert_eq!(reply.status, StatusCode::OK, "query {q:?}");
    }
}

/// Arguments that do not decode are the caller's mistake: 400 naming the field, not a 500
/// "could not reach the server".
#[tokio::test]
async fn malformed_server_function_input_is_a_400_naming_the_field() {
    let app = app().await;
    let me = app.sign_in("amara.okafor").await;
    let form = "application/x-www-form-urlencoded";
    for (path, content_type, body, field) in [
        ("/api/envs/tree", form, "", "env"),
        ("/api/envs/node", form, "env=dev", "node"),
        // (The form decoder does not name a field whose value is of the wrong type.)
        (
            "/api/envs/sync",
            form,
            "env=dev&app=x&prune=maybe",
            "`true` or `false`",
        ),
    ] {
        let reply = app.post(path, content_type, body.into(), Some(&me)).await;
        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{path} {body}: {}",
            reply.body
        );
        assert!(
            reply.body.contains("BadRequest") && reply.body.contains(field),
            "{path} {body}: {}",
            reply.body
        );
    }
}

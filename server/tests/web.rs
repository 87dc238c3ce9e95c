//! The real router, driven with `oneshot` over a fresh SQLite database and a catalog read from
//! Backstage's example files: health, metrics, SSR pages, server functions. Sign-in and
//! permissions have their own files (`auth_*.rs`, `authz_matrix.rs`).

mod common;

use axum::http::StatusCode;

use common::{app, app_with};

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

/// Ready once the catalog has loaded and while the database answers; live while the
/// database answers.
#[tokio::test]
async fn neither_ready_nor_live_without_the_database() {
    let app = app_with(false, |_| {}).await;
    let ready = app.get("/readyz", None).await;
    assert_eq!(
        (ready.status, ready.body.as_str()),
        (StatusCode::OK, "ready\n")
    );
    app.state.store.pool().close().await;
    let down = app.get("/readyz", None).await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(down.body, "database unavailable\n");
    let dead = app.get("/healthz", None).await;
    assert_eq!(dead.status, StatusCode::SERVICE_UNAVAILABLE);
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
        // Wrongly typed values name their field too (form and JSON bodies).
        (
            "/api/envs/sync",
            form,
            "env=dev&app=x&prune=maybe",
            "field `prune`",
        ),
        (
            "/api/tokens/create",
            form,
            "name=ci&expires_days=soon",
            "field `expires_days`",
        ),
        (
            "/api/tokens/create",
            form,
            "name=ci&expires_days=-1",
            "field `expires_days`",
        ),
        (
            "/api/audit/events",
            "application/json",
            r#"{"query": {"limit": "ten"}}"#,
            "field `query.limit`",
        ),
        (
            "/api/deploys/list",
            "application/json",
            r#"{"query": {"environment": 5}}"#,
            "field `query.environment`",
        ),
        (
            "/api/catalog/search",
            "application/json",
            r#"{"req": {"q": true, "filters": [], "limit": 10, "offset": 0}}"#,
            "field `req.q`",
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

/// The last audit record of `action`.
async fn last_audit(app: &common::TestApp, action: &str) -> atrium_server::audit::AuditRecord {
    let rows = app
        .state
        .store
        .audit_page(&atrium_server::audit::AuditFilter {
            action: Some(action.into()),
            limit: Some(1),
            ..Default::default()
        })
        .await
        .unwrap();
    rows.into_iter().next().expect("an audit row").record
}

async fn demo_sign_in(
    app: &common::TestApp,
    user: &str,
    request_id: Option<&str>,
) -> common::Reply {
    use axum::body::Body;
    use axum::http::{header, Request};
    let mut request = Request::post("/auth/demo")
        .header(header::HOST, common::HOST)
        .header(header::ORIGIN, common::ORIGIN)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(id) = request_id {
        request = request.header("x-request-id", id);
    }
    let body = format!("user={}&next=/catalog", atrium_app::url::encode(user));
    app.send(request.body(Body::from(body)).unwrap()).await
}

/// Atrium makes its own request id (answered in `x-request-id`, written to the audit trail);
/// a client's id is kept apart, and only when it looks like an id.
#[tokio::test]
async fn request_ids_are_atriums_own_and_the_clients_is_kept_apart() {
    let app = app().await;
    let reply = demo_sign_in(&app, "amara.okafor", Some("client-trace.42:7")).await;
    let ours = reply.headers["x-request-id"].to_str().unwrap().to_string();
    assert_ne!(ours, "client-trace.42:7");
    assert_eq!(ours.len(), 36, "a UUID: {ours}");
    let record = last_audit(&app, "login").await;
    assert_eq!(record.request_id.as_deref(), Some(ours.as_str()));
    assert_eq!(
        record.client_request_id.as_deref(),
        Some("client-trace.42:7")
    );

    for forged in ["<script>alert(1)</script>", &"a".repeat(65), "seq 1; drop"] {
        let reply = demo_sign_in(&app, "amara.okafor", Some(forged)).await;
        let ours = reply.headers["x-request-id"].to_str().unwrap().to_string();
        assert_ne!(ours, forged);
        let record = last_audit(&app, "login").await;
        assert_eq!(record.request_id.as_deref(), Some(ours.as_str()));
        assert_eq!(record.client_request_id, None, "{forged}");
    }
    // Without a client id, still Atrium's own.
    let reply = demo_sign_in(&app, "amara.okafor", None).await;
    assert!(reply.headers.contains_key("x-request-id"));
    assert_eq!(last_audit(&app, "login").await.client_request_id, None);
    assert!(app
        .state
        .store
        .verify_audit()
        .await
        .unwrap()
        .first_broken
        .is_none());
}

/// An unknown demo user name is a client's string: capped and escaped in the audit trail,
/// not stored verbatim up to the body limit.
#[tokio::test]
async fn client_strings_are_capped_and_escaped_in_the_audit_trail() {
    let app = app().await;
    let name = format!("mallory\nINFO forged\u{202e}{}", "x".repeat(1_000_000));
    let reply = demo_sign_in(&app, &name, None).await;
    assert!(
        reply.status.is_redirection() || reply.status.is_client_error(),
        "{}",
        reply.status
    );
    let record = last_audit(&app, "login").await;
    let user = record.details["user"].as_str().expect("user in details");
    assert!(
        user.starts_with("mallory\\nINFO forged\\u{202e}xxx"),
        "{}",
        &user[..40]
    );
    assert_eq!(
        user.chars().count(),
        atrium_server::util::MAX_FREE_TEXT_CHARS + 1
    );
    assert!(record.details.to_string().len() < 8 * 1024);
    assert!(app
        .state
        .store
        .verify_audit()
        .await
        .unwrap()
        .first_broken
        .is_none());
}

/// `environments = []`: a portal without GitOps. No demo environments appear (the catalog is
/// still served), and the pages that list environments say there are none.
#[tokio::test]
async fn environments_given_as_empty_means_none() {
    let app = app_with(true, |config| config.demo_environments = false).await;
    use atrium_app::service::EngineService;
    assert!(app.state.engine.environments().await.is_empty());
    assert_eq!(app.get("/readyz", None).await.status, StatusCode::OK);
    let me = app.sign_in("amara.okafor").await;
    assert_eq!(app.get("/", Some(&me)).await.status, StatusCode::OK);
    let envs = app.get("/env", Some(&me)).await;
    assert_eq!(envs.status, StatusCode::OK);
    assert!(
        envs.body.contains("No environments configured"),
        "{}",
        envs.body
    );
    let entity = app
        .get("/catalog/component/default/wokplaceanalytics", Some(&me))
        .await;
    assert_eq!(entity.status, StatusCode::OK);
    assert!(entity.body.contains("No environments are configured."));
}

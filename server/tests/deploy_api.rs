//! The JSON API as automation and people use it, through the real router: a personal token
//! asks, never approves; an approver's session approves, from an Atrium page only; nobody
//! approves their own request, admins included; revoked tokens stop working; bad input is a
//! 400 naming the field; the answers have the contract's fields.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use serde_json::{json, Value};

use atrium_server::audit::Actor;
use atrium_server::auth::tokens::{self, TokenOwner};
use common::{app_with, Reply, TestApp, HOST};

async fn token_for(app: &TestApp, user: &str) -> String {
    let identity = atrium_server::auth::demo::identity(user).unwrap();
    let owner = TokenOwner {
        subject: identity.subject,
        name: identity.name,
        email: identity.email,
        groups: vec![],
    };
    let by = Actor {
        subject: user.into(),
        name: user.into(),
        groups: vec![],
    };
    tokens::create(&app.state.store, &owner, "test", Some(1), &by)
        .await
        .unwrap()
        .secret
}

async fn with_token(
    app: &TestApp,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<Value>,
) -> Reply {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, HOST)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    let body = body
        .map(|b| Body::from(b.to_string()))
        .unwrap_or_else(Body::empty);
    app.send(request.body(body).unwrap()).await
}

fn json_of(reply: &Reply) -> Value {
    serde_json::from_str(&reply.body).unwrap_or_else(|e| panic!("{e}: {}", reply.body))
}

fn keys(value: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = value
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    keys
}

fn prod_request(tag: &str) -> Value {
    json!({"environment": "prod", "app": "checkout-service",
           "change": {"set_image": {"tag": tag}}, "reason": "api test"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn automation_asks_people_approve() {
    let app = app_with(false, |_| {}).await;
    app.state.engine.reconcile_all().await;
    let amara = token_for(&app, "amara.okafor").await;
    let elena_token = token_for(&app, "elena.petrova").await;

    let envs = with_token(&app, "GET", "/api/v1/environments", &amara, None).await;
    assert_eq!(envs.status, StatusCode::OK, "{}", envs.body);
    let envs = json_of(&envs);
    assert_eq!(
        keys(&envs[0]),
        ["branch", "head", "name", "production", "repo"]
    );
    assert_eq!(envs[2]["name"], "prod");
    let apps =
        json_of(&with_token(&app, "GET", "/api/v1/environments/prod/apps", &amara, None).await);
    let checkout = apps
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "checkout-service")
        .unwrap();
    assert_eq!(
        keys(checkout),
        ["health", "name", "revision", "sync", "version"]
    );

    // Bad input: 400 naming the field; nothing stored.
    let bad = json!({"environment": "prod", "app": "checkout-service", "change": {"set_image": {}}, "reason": "x"});
    let reply = with_token(&app, "POST", "/api/v1/requests", &amara, Some(bad)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert!(
        json_of(&reply)["error"]
            .as_str()
            .unwrap()
            .starts_with("change.set_image"),
        "{}",
        reply.body
    );

    // A token asks (the owning team may ask for production).
    let created = with_token(
        &app,
        "POST",
        "/api/v1/requests",
        &amara,
        Some(prod_request("4.0.0")),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let request = json_of(&created);
    for key in [
        "id",
        "environment",
        "app",
        "change",
        "reason",
        "requester",
        "state",
        "required_approvals",
        "approvals",
        "commit",
        "sync",
        "health",
        "timeline",
    ] {
        assert!(request.get(key).is_some(), "{key} missing: {request}");
    }
    assert_eq!(request["state"], "pending");
    assert_eq!(request["via_token"], true);
    let id = request["id"].as_str().unwrap().to_string();
    let approve = format!("/api/v1/requests/{id}/approve");

    // An approver's token may not approve: automation proposes, people approve.
    let reply = with_token(
        &app,
        "POST",
        &approve,
        &elena_token,
        Some(json!({"comment": "bot"})),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(reply.body.contains("signed-in session"), "{}", reply.body);
    // Her session, but from another site: refused before anything else.
    let elena = app.sign_in("elena.petrova").await;
    let cross = Request::post(&approve)
        .header(header::HOST, HOST)
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, format!("atrium_session={elena}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(app.send(cross).await.status, StatusCode::FORBIDDEN);
    // From an Atrium page: approved.
    let reply = app
        .post(
            &approve,
            "application/json",
            json!({"comment": "ship it"}).to_string(),
            Some(&elena),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(json_of(&reply)["approvals"][0]["comment"], "ship it");

    // An admin's own request: never approved by the admin.
    let jonas = app.sign_in("jonas.becker").await;
    let own = app.post("/api/v1/requests", "application/json", json!({"environment": "prod", "app": "payment-gateway", "change": {"set_image": {"tag": "5.0.0"}}, "reason": "mine"}).to_string(), Some(&jonas)).await;
    assert_eq!(own.status, StatusCode::CREATED, "{}", own.body);
    let own_id = json_of(&own)["id"].as_str().unwrap().to_string();
    let reply = app
        .post(
            &format!("/api/v1/requests/{own_id}/approve"),
            "application/json",
            "{}".into(),
            Some(&jonas),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(reply.body.contains("four-eyes"), "{}", reply.body);
    // Its requester cancels it (a token may cancel its user's own requests).
    let cancel = app
        .post(
            &format!("/api/v1/requests/{own_id}/cancel"),
            "application/json",
            "{}".into(),
            Some(&jonas),
        )
        .await;
    assert_eq!(json_of(&cancel)["state"], "cancelled");

    let listed = json_of(
        &with_token(
            &app,
            "GET",
            "/api/v1/requests?state=cancelled",
            &amara,
            None,
        )
        .await,
    );
    assert!(listed.as_array().unwrap().iter().any(|r| r["id"] == own_id));

    // A revoked token stops working.
    let mine = tokens::list(&app.state.store, "amara.okafor")
        .await
        .unwrap();
    let by = Actor {
        subject: "amara.okafor".into(),
        name: "Amara".into(),
        groups: vec![],
    };
    tokens::revoke(&app.state.store, &mine[0].id, &by)
        .await
        .unwrap();
    let reply = with_token(&app, "GET", "/api/v1/environments", &amara, None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

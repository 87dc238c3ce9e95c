//! The authorisation matrix: every server function and every protected HTTP route, called as
//! each demo role and as anonymous, against the real router and the built-in policy. A server
//! function without a row here fails `every_server_function_has_a_row`.

mod common;

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::json;

use atrium_app::dto::auth::UserView;
use common::{app_with, TestApp};

/// Who calls: anonymous, then the demo users of the embedded default.
const CALLERS: [&str; 5] = [
    "anonymous",
    "amara.okafor",    // developer, team Payments
    "sofia.lindqvist", // developer, team Storefront
    "elena.petrova",   // approver
    "jonas.becker",    // platform admin
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Ok,
    SignIn,
    Denied,
    /// Allowed, and the thing asked for does not exist.
    NotFound,
    /// Allowed, and the input is refused (naming the field).
    Invalid,
}
use Expect::{Denied, Invalid, NotFound, Ok, SignIn};

impl Expect {
    fn status(self) -> StatusCode {
        match self {
            Ok => StatusCode::OK,
            SignIn => StatusCode::UNAUTHORIZED,
            Denied => StatusCode::FORBIDDEN,
            NotFound => StatusCode::NOT_FOUND,
            Invalid => StatusCode::BAD_REQUEST,
        }
    }
}

enum Call {
    /// A server function: path and its input (JSON or URL-encoded).
    Json(&'static str, serde_json::Value),
    Form(&'static str, &'static str),
    /// A plain HTTP route.
    Get(&'static str),
    /// A plain HTTP route taking a JSON body (the `/api/v1` API).
    Post(&'static str, serde_json::Value),
    /// A streaming route (server-sent events): only the status is read.
    Stream(&'static str),
}

/// One row per server function / route: the expectation for each of [`CALLERS`].
fn matrix() -> Vec<(Call, [Expect; 5])> {
    vec![
        (
            Call::Json("/api/catalog/search", json!({"req": {"q": "pay"}})),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Form(
                "/api/catalog/entity",
                "entity_ref=group:default/team-payments",
            ),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Form("/api/catalog/errors", ""),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Form("/api/catalog/status", ""),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Form("/api/catalog/refresh", ""),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (Call::Form("/api/auth/session", ""), [Ok, Ok, Ok, Ok, Ok]),
        (Call::Form("/api/auth/options", ""), [Ok, Ok, Ok, Ok, Ok]),
        (
            Call::Json("/api/audit/events", json!({"query": {}})),
            [SignIn, Denied, Denied, Ok, Ok],
        ),
        (
            Call::Form("/api/audit/verify", ""),
            [SignIn, Denied, Denied, Ok, Ok],
        ),
        // Environments: reading is everyone's; syncing follows the owner convention and the
        // policy. The demo environments exist but have not been reconciled in this test app, so
        // allowed calls about a node or an app answer 404.
        (Call::Form("/api/envs/list", ""), [SignIn, Ok, Ok, Ok, Ok]),
        (
            Call::Form("/api/envs/tree", "env=staging"),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Form("/api/envs/tree", "env=nowhere"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Form("/api/envs/tree-delta", "env=staging&since=0"),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Form("/api/envs/tree-delta", "env=nowhere&since=0"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Form(
                "/api/envs/tree-head",
                "env=staging&filter[problems]=true&node=app:checkout-service",
            ),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Form("/api/envs/tree-head", "env=nowhere"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Form("/api/envs/node", "env=staging&node=app:checkout-service"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Form("/api/envs/refresh", "env=staging"),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        // Compare: reading both environments is everyone's; one environment with itself, or
        // one that does not exist, is refused after the permission check.
        (
            Call::Form("/api/compare/envs", "from=staging&to=prod"),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Form("/api/compare/envs", "from=staging&to=staging"),
            [SignIn, Invalid, Invalid, Invalid, Invalid],
        ),
        (
            Call::Form("/api/compare/envs", "from=staging&to=nowhere"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Form(
                "/api/compare/resource",
                "from=staging&to=prod&app=..%2F..%2Fetc&key=%2F..%2F..%2Fpasswd%2F%00",
            ),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Form(
                "/api/compare/resource",
                "from=staging&to=prod&app=checkout-service&key=apps/Deployment/payments/checkout-service",
            ),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Form(
                "/api/envs/sync",
                "env=staging&app=checkout-service&prune=false",
            ),
            [SignIn, NotFound, Denied, Denied, NotFound],
        ),
        (
            Call::Form(
                "/api/envs/sync",
                "env=prod&app=checkout-service&prune=false",
            ),
            [SignIn, Denied, Denied, Denied, NotFound],
        ),
        (
            Call::Form(
                "/api/envs/running-in",
                "entity_ref=component:default/checkout-service",
            ),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Form(
                "/api/envs/running-in",
                "entity_ref=component:default/nothing",
            ),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Stream("/api/envs/staging/events"),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Stream("/api/envs/nowhere/events"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        // Deploy notices: any signed-in user (the pages they feed filter what each may read).
        (
            Call::Stream("/api/deploys/events"),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Get("/api/audit/export?format=csv"),
            [SignIn, Denied, Denied, Denied, Ok],
        ),
        (
            Call::Get("/api/audit/export?format=json"),
            [SignIn, Denied, Denied, Denied, Ok],
        ),
        // Deploy requests. Asking needs `deploys` (the owning team, Payments, may ask for
        // production: approvals gate it); the bad tag is then refused, naming the field.
        (
            Call::Json("/api/deploys/create", json!({"new": bad_request()})),
            [SignIn, Invalid, Denied, Denied, Invalid],
        ),
        (
            Call::Form("/api/deploys/get", "id=nope"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Json("/api/deploys/list", json!({"query": {}})),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Form("/api/deploys/decide", "id=nope&approve=true"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Form("/api/deploys/cancel", "id=nope"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Form("/api/deploys/override-window", "id=nope"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Form("/api/deploys/awaiting", ""),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        // No engine pass has run in this test: the app is not known yet.
        (
            Call::Form("/api/deploys/options", "env=staging&app=checkout-service"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Json(
                "/api/deploys/preview",
                json!({"env": "staging", "app": "checkout-service", "change": {"set_image": {"tag": "a b"}}}),
            ),
            [SignIn, Invalid, Invalid, Invalid, Invalid],
        ),
        (
            Call::Form("/api/deploys/matrix", ""),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Form("/api/deploys/history", "env=staging&app=checkout-service"),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Form("/api/deploys/lineage", "env=staging&app=checkout-service"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        // Freezing is an admin's (`settings, update`).
        (
            Call::Form("/api/deploys/freeze", "env=staging&frozen=false"),
            [SignIn, Denied, Denied, Denied, Ok],
        ),
        (
            Call::Form("/api/deploys/freezes", ""),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Form("/api/tokens/create", "name=matrix"),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (Call::Form("/api/tokens/list", ""), [SignIn, Ok, Ok, Ok, Ok]),
        (
            Call::Form("/api/tokens/revoke", "id=nope"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        // The JSON API: the same service and the same answers.
        (Call::Get("/api/v1/openapi.json"), [Ok, Ok, Ok, Ok, Ok]),
        (Call::Get("/api/v1/environments"), [SignIn, Ok, Ok, Ok, Ok]),
        (
            Call::Get("/api/v1/environments/staging/apps"),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Get("/api/v1/environments/nowhere/apps"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Get("/api/v1/compare?from=dev&to=staging"),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Get("/api/v1/compare?from=dev"),
            [SignIn, Invalid, Invalid, Invalid, Invalid],
        ),
        // Hostile names are only names: nothing is read from a path they spell.
        (
            Call::Get("/api/v1/compare?from=dev&to=..%2F..%2Fetc%2Fpasswd"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Get("/api/v1/requests?state=pending"),
            [SignIn, Ok, Ok, Ok, Ok],
        ),
        (
            Call::Get("/api/v1/requests/nope"),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Post("/api/v1/requests", bad_request()),
            [SignIn, Invalid, Denied, Denied, Invalid],
        ),
        (
            Call::Post("/api/v1/requests/nope/approve", json!({"comment": "ok"})),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Post("/api/v1/requests/nope/reject", json!({})),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
        (
            Call::Post("/api/v1/requests/nope/cancel", json!({})),
            [SignIn, NotFound, NotFound, NotFound, NotFound],
        ),
    ]
}

/// A production deploy whose tag cannot be one: refused after the permission check.
fn bad_request() -> serde_json::Value {
    json!({
        "environment": "prod", "app": "checkout-service",
        "change": {"set_image": {"tag": "not a tag!"}}, "reason": "matrix",
    })
}

async fn sessions(app: &TestApp) -> Vec<Option<String>> {
    let mut out = vec![None];
    for user in &CALLERS[1..] {
        out.push(Some(app.sign_in(user).await));
    }
    out
}

#[tokio::test]
async fn every_call_as_every_role() {
    let app = app_with(false, |_| {}).await;
    let sessions = sessions(&app).await;
    let mut failures = Vec::new();
    for (call, expected) in matrix() {
        for ((caller, session), want) in CALLERS.iter().zip(&sessions).zip(expected) {
            let session = session.as_deref();
            let (name, reply) = match &call {
                Call::Json(path, body) => (*path, app.call(path, body.clone(), session).await),
                Call::Form(path, body) => (
                    *path,
                    app.post(
                        path,
                        "application/x-www-form-urlencoded",
                        body.to_string(),
                        session,
                    )
                    .await,
                ),
                Call::Get(path) => (*path, app.get(path, session).await),
                Call::Post(path, body) => (*path, app.call(path, body.clone(), session).await),
                Call::Stream(path) => (*path, app.open_stream(path, session).await),
            };
            if reply.status != want.status() {
                failures.push(format!(
                    "{name} as {caller}: expected {:?} ({}), got {} {}",
                    want,
                    want.status(),
                    reply.status,
                    reply.body.chars().take(160).collect::<String>()
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorisation matrix:\n{}",
        failures.join("\n")
    );

    // Every refusal of a signed-in user left an audit record.
    let denied = app
        .state
        .store
        .audit_page(&atrium_server::audit::AuditFilter {
            actor: Some("amara.okafor".into()),
            action: Some("audit.get".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(denied.len(), 2, "audit/events and audit/verify refusals");
    assert!(denied.iter().all(|r| r.record.outcome == "denied"));
}

#[tokio::test]
async fn every_server_function_has_a_row() {
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_string())
        .collect();
    let covered: BTreeSet<String> = matrix()
        .iter()
        .filter_map(|(call, _)| match call {
            Call::Json(path, _) | Call::Form(path, _) => Some(path.to_string()),
            Call::Get(_) | Call::Post(..) | Call::Stream(_) => None,
        })
        .collect();
    let missing: Vec<_> = registered.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "server functions without a row in the authorisation matrix: {missing:?}"
    );
    let stale: Vec<_> = covered.difference(&registered).collect();
    assert!(
        stale.is_empty(),
        "matrix rows for server functions that no longer exist: {stale:?}"
    );
}

fn user(app: &TestApp, id: &str) -> UserView {
    let identity = atrium_server::auth::demo::identity(id).unwrap();
    app.state.auth.access.user_view(&identity)
}

/// The built-in owner convention: the owning team may get and sync its apps outside
/// production, and ask for their deploys, promotions and rollbacks everywhere (approvals gate
/// production); nobody else's apps.
#[tokio::test]
async fn owner_team_convention() {
    let app = app_with(false, |_| {}).await;
    let apps = atrium_server::demo::catalog::demo_app_names();
    let payments_app = apps
        .iter()
        .find(|(_, team)| team == "team-payments")
        .unwrap()
        .0;
    let storefront_app = apps
        .iter()
        .find(|(_, team)| team == "team-storefront")
        .unwrap()
        .0;
    let access = &app.state.auth.access;
    let amara = user(&app, "amara.okafor");
    assert!(
        amara.teams.contains(&"team-payments".to_string()),
        "{:?}",
        amara.teams
    );
    assert!(
        amara.teams.contains(&"brightcart".to_string()),
        "parent group: {:?}",
        amara.teams
    );

    for (resource, action) in [
        ("applications", "get"),
        ("applications", "sync"),
        ("deploys", "deploy"),
        ("deploys", "promote"),
        ("deploys", "rollback"),
    ] {
        for env in ["dev", "staging"] {
            let object = format!("{env}/{payments_app}");
            let d = access.decide(&amara, resource, action, &object);
            assert!(d.allowed, "{resource}/{action} {object}: {}", d.reason);
            if action != "get" {
                assert!(d.reason.contains("owner convention"), "{}", d.reason);
            }
        }
        let prod = format!("prod/{payments_app}");
        let d = access.decide(&amara, resource, action, &prod);
        // Reading is everyone's (readonly role); syncing production is not the convention's,
        // asking for a production deploy is (its approvals are the gate).
        assert_eq!(
            d.allowed,
            action == "get" || resource == "deploys",
            "{resource}/{action} {prod}: {}",
            d.reason
        );
        let other = format!("staging/{storefront_app}");
        let d = access.decide(&amara, resource, action, &other);
        assert_eq!(
            d.allowed,
            action == "get",
            "{resource}/{action} {other}: {}",
            d.reason
        );
    }
    let admin = user(&app, "jonas.becker");
    assert!(
        access
            .decide(&admin, "deploys", "deploy", &format!("prod/{payments_app}"))
            .allowed
    );
}

/// One source of truth for production: an environment's `production` flag, whatever its name.
/// `live` (flagged) is production, `prod` flagged `false` is not, and the deprecated
/// `auth.production_environments` can only add to the flags.
#[tokio::test]
async fn the_production_flag_drives_the_owner_convention() {
    use atrium_server::config::EnvironmentEntry;
    let env = |name: &str, production: Option<bool>| EnvironmentEntry {
        name: name.into(),
        repo: "/nonexistent/env-repo".into(),
        root: "apps/root.yaml".into(),
        production,
        ..Default::default()
    };
    let app = app_with(false, |config| {
        config.environments = vec![
            env("qa", None),
            env("live", Some(true)),
            env("prod", Some(false)),
            env("edge", None),
        ];
        config.auth.production_environments = Some(vec!["edge".into()]);
    })
    .await;
    let payments_app = atrium_server::demo::catalog::demo_app_names()
        .iter()
        .find(|(_, team)| team == "team-payments")
        .unwrap()
        .0;
    let access = &app.state.auth.access;
    let amara = user(&app, "amara.okafor");
    let may_sync = |env: &str| {
        access
            .decide(
                &amara,
                "applications",
                "sync",
                &format!("{env}/{payments_app}"),
            )
            .allowed
    };
    assert!(may_sync("qa"));
    assert!(!may_sync("live"), "flagged production");
    assert!(may_sync("prod"), "the flag, not the name");
    assert!(!may_sync("edge"), "the deprecated list still counts");
    assert!(
        !may_sync("unknown"),
        "an unknown environment counts as production"
    );
}

/// Forcing a re-render is its own action (`applications, refresh`), not `get`: someone with
/// only the default role reads the environment but may not refresh it.
#[tokio::test]
async fn refresh_is_its_own_action() {
    let app = app_with(false, |_| {}).await;
    let access = &app.state.auth.access;
    let reader = access.user_view(&atrium_server::auth::session::Identity {
        subject: "new-hire".into(),
        name: "New Hire".into(),
        email: None,
        email_verified: false,
        groups: Vec::new(),
        provider: "oidc".into(),
        source: "oidc http://idp.test".into(),
    });
    assert!(
        access
            .decide(&reader, "applications", "get", "staging/*")
            .allowed
    );
    let refresh = access.decide(&reader, "applications", "refresh", "staging/*");
    assert!(!refresh.allowed, "{refresh:?}");
    let amara = user(&app, "amara.okafor");
    assert!(
        access
            .decide(&amara, "applications", "refresh", "staging/*")
            .allowed
    );
}

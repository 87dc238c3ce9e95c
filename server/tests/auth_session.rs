//! Sessions and the request guard through the real router: sign-in redirects, tampered and
//! expired cookies, sign-out, cross-site writes, security headers, the demo sign-in's limits,
//! rate limiting and policy reloads.

mod common;

use axum::http::{header, StatusCode};
use sqlx::Row;

use atrium_server::audit::AuditFilter;
use common::{app, app_with, TestApp};

async fn audit_actions(app: &TestApp, action: &str) -> Vec<atrium_server::audit::AuditRow> {
    app.state
        .store
        .audit_page(&AuditFilter {
            action: Some(action.into()),
            ..Default::default()
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn anonymous_pages_go_to_sign_in_and_come_back() {
    let app = app().await;
    let reply = app.get("/catalog?q=pay", None).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/login?next=/catalog%3Fq%3Dpay");
    // The sign-in page itself, assets and probes are open.
    assert_eq!(app.get("/login", None).await.status, StatusCode::OK);
    assert_eq!(app.get("/healthz", None).await.status, StatusCode::OK);

    let reply = app
        .post(
            "/auth/demo",
            "application/x-www-form-urlencoded",
            "user=amara.okafor&next=%2Fcatalog%3Fq%3Dpay".into(),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/catalog?q=pay");
    let cookie = reply
        .headers
        .get(header::SET_COOKIE)
        .unwrap()
        .to_str()
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    let token = reply.session_cookie().unwrap();
    let page = app.get("/catalog?q=pay", Some(&token)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Amara Okafor"),
        "the page names the user"
    );
    let logins = audit_actions(&app, "login").await;
    assert_eq!(logins.len(), 1);
    assert_eq!(logins[0].record.actor.subject, "amara.okafor");
    assert_eq!(logins[0].record.outcome, "success");
}

#[tokio::test]
async fn sign_in_never_redirects_off_site() {
    let app = app().await;
    for next in ["https://evil.example/", "//evil.example", "/\\evil.example"] {
        let body = format!("user=amara.okafor&next={}", urlencode(next));
        let reply = app
            .post(
                "/auth/demo",
                "application/x-www-form-urlencoded",
                body,
                None,
            )
            .await;
        assert_eq!(reply.location(), "/", "next={next}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn tampered_cookie_is_anonymous_and_cleared() {
    let app = app().await;
    let token = app.sign_in("amara.okafor").await;
    let mut forged = token.clone();
    forged.replace_range(0..1, if token.starts_with('A') { "B" } else { "A" });
    let reply = app.get("/catalog", Some(&forged)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert!(
        reply.location().contains("error=expired"),
        "{}",
        reply.location()
    );
    assert_eq!(
        reply.session_cookie().as_deref(),
        Some(""),
        "cookie cleared"
    );
    let reply = app
        .call(
            "/api/catalog/search",
            serde_json::json!({"req": {}}),
            Some(&forged),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // The real one still works.
    assert_eq!(
        app.get("/catalog", Some(&token)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn idle_and_absolute_expiry_end_sessions() {
    let app = app().await;
    let idle = app.sign_in("amara.okafor").await;
    let old = app.sign_in("sofia.lindqvist").await;
    let store = &app.state.store;
    let set = |column: &'static str, token: String| async move {
        sqlx::query(&format!(
            "UPDATE sessions SET {column} = $1 WHERE token_hash = $2"
        ))
        .bind("2020-01-01T00:00:00.000000Z")
        .bind(atrium_server::auth::session::hash_token(&token))
        .execute(store.pool())
        .await
        .unwrap();
    };
    set("last_seen_at", idle.clone()).await;
    set("expires_at", old.clone()).await;
    for token in [&idle, &old] {
        let reply = app
            .call(
                "/api/catalog/search",
                serde_json::json!({"req": {}}),
                Some(token),
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let left: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sessions")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .get("n");
    assert_eq!(left, 0, "expired sessions are deleted when seen");
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let app = app().await;
    let token = app.sign_in("jonas.becker").await;
    let reply = app
        .post(
            "/auth/logout",
            "application/x-www-form-urlencoded",
            String::new(),
            Some(&token),
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/login?signed_out=1");
    assert_eq!(reply.session_cookie().as_deref(), Some(""));
    let after = app.get("/catalog", Some(&token)).await;
    assert_eq!(
        after.status,
        StatusCode::SEE_OTHER,
        "old cookie no longer works"
    );
    let logouts = audit_actions(&app, "logout").await;
    assert_eq!(logouts.len(), 1);
    assert_eq!(logouts[0].record.actor.subject, "jonas.becker");
}

#[tokio::test]
async fn cross_site_writes_are_refused() {
    let app = app().await;
    let token = app.sign_in("jonas.becker").await;
    for origin in [Some("https://evil.example"), Some("null"), None] {
        let mut request = axum::http::Request::post("/api/catalog/refresh")
            .header(header::HOST, common::HOST)
            .header(header::COOKIE, format!("atrium_session={token}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        let reply = app
            .send(request.body(axum::body::Body::empty()).unwrap())
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "origin {origin:?}");
    }
    // A form post from another site cannot sign anyone in either.
    let request = axum::http::Request::post("/auth/demo")
        .header(header::HOST, common::HOST)
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(axum::body::Body::from("user=jonas.becker"))
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn pages_carry_security_headers_and_the_script_nonce() {
    let app = app().await;
    let token = app.sign_in("amara.okafor").await;
    let reply = app.get("/catalog", Some(&token)).await;
    let csp = reply.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("script-src 'self' 'nonce-"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(reply.headers[header::X_FRAME_OPTIONS], "DENY");
    assert_eq!(reply.headers[header::REFERRER_POLICY], "same-origin");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    // Every inline script in the page carries the header's nonce, or the browser blocks it.
    let scripts = reply.body.matches("<script").count();
    let with_nonce = reply.body.matches(&format!("nonce=\"{nonce}\"")).count();
    assert!(scripts > 0);
    assert_eq!(
        scripts, with_nonce,
        "scripts without the nonce in:\n{}",
        reply.body
    );
}

#[tokio::test]
async fn demo_sign_in_is_refused_when_oidc_is_configured() {
    let app = app_with(true, |config| {
        config.auth.oidc = Some(
            serde_json::from_value(serde_json::json!({
                "issuer": "http://127.0.0.1:9",
                "client_id": "atrium",
                "redirect_url": "http://atrium.test/auth/callback",
            }))
            .unwrap(),
        );
    })
    .await;
    let reply = app
        .post(
            "/auth/demo",
            "application/x-www-form-urlencoded",
            "user=jonas.becker".into(),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(reply.session_cookie().is_none());
    let options = app
        .post(
            "/api/auth/options",
            "application/x-www-form-urlencoded",
            String::new(),
            None,
        )
        .await;
    assert!(
        options.body.contains("\"oidc\":true") && options.body.contains("\"demo_users\":[]"),
        "{}",
        options.body
    );
    let refused = audit_actions(&app, "login").await;
    assert_eq!(refused[0].record.outcome, "denied");
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited() {
    let app = app_with(true, |config| config.auth.login_attempts_per_minute = 3).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let reply = app
            .post(
                "/auth/demo",
                "application/x-www-form-urlencoded",
                "user=nobody".into(),
                None,
            )
            .await;
        statuses.push(reply.status.as_u16());
    }
    assert_eq!(statuses, [303, 303, 303, 429, 429]);
}

#[tokio::test]
async fn a_malformed_policy_keeps_the_previous_one_in_force() {
    // The demo catalog: Amara is in team-payments there, hence a developer.
    let app = app_with(false, |_| {}).await;
    let amara = app.sign_in("amara.okafor").await;
    let refresh = || {
        app.post(
            "/api/catalog/refresh",
            "application/x-www-form-urlencoded",
            String::new(),
            Some(&amara),
        )
    };
    assert_eq!(refresh().await.status, StatusCode::OK);

    let file = app.dir.path().join("policy.csv");
    let good = std::fs::read_to_string(&file).unwrap();
    // A typo that, if half-applied, would drop the developers' line: refused as a whole.
    let bad = good.replace(
        "p, role:developer, catalog,      reload,  *, allow",
        "p, role:developer, catalog, reload, *, allow, extra",
    ) + "\np, role:readonly, *, *, *, allwo\n";
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&file, bad).unwrap();
    app.state.auth.reload_policy().await;
    assert_eq!(
        refresh().await.status,
        StatusCode::OK,
        "previous policy still in force"
    );
    let reloads = audit_actions(&app, "policy.reload").await;
    assert_eq!(reloads[0].record.outcome, "failure");
    assert!(
        reloads[0].record.details.to_string().contains("line"),
        "{}",
        reloads[0].record.details
    );

    // A valid change takes effect: developers lose catalog refresh.
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(
        &file,
        good.replace("p, role:developer, catalog,      reload,  *, allow", ""),
    )
    .unwrap();
    app.state.auth.reload_policy().await;
    assert_eq!(refresh().await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        audit_actions(&app, "policy.reload").await[0].record.outcome,
        "success"
    );
}

/// A request as a browser on `host` sends it: its `Host`, and for a write its own `Origin`.
fn from_host(
    method: &str,
    uri: &str,
    host: &str,
    body: &str,
) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, host)
        .header(header::ORIGIN, format!("http://{host}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap()
}

/// DNS rebinding: a page on `rebind.example` (which its owner pointed at this server's address)
/// is same-origin with itself, so only the `Host` check stands between it and a demo sign-in.
/// Loopback names and addresses keep working, with any port.
#[tokio::test]
async fn requests_for_other_host_names_are_refused() {
    let app = app_with(true, |config| config.auth.public_url = None).await;
    for host in [
        "rebind.example",
        "rebind.example:3000",
        "127.0.0.1.nip.example",
    ] {
        let reply = app
            .send(from_host("POST", "/auth/demo", host, "user=jonas.becker"))
            .await;
        assert_eq!(reply.status, StatusCode::MISDIRECTED_REQUEST, "{host}");
        assert!(reply.session_cookie().is_none());
        let page = app.send(from_host("GET", "/login", host, "")).await;
        assert_eq!(page.status, StatusCode::MISDIRECTED_REQUEST, "{host}");
    }
    for host in [
        "127.0.0.1:3000",
        "localhost:3000",
        "localhost:41234",
        "[::1]:3000",
    ] {
        let reply = app
            .send(from_host("POST", "/auth/demo", host, "user=jonas.becker"))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "{host}: {}",
            reply.body
        );
    }

    // With a public URL, its name is answered too, and other names are not.
    let app = common::app().await;
    assert_eq!(app.get("/login", None).await.status, StatusCode::OK);
    let other = app
        .send(from_host("GET", "/login", "atrium.evil", ""))
        .await;
    assert_eq!(other.status, StatusCode::MISDIRECTED_REQUEST);
}

/// Demo sign-in is on by default only on loopback: an Atrium listening on every address offers
/// no demo users and refuses (and audits) a demo sign-in, unless `auth.demo = true` says so.
#[tokio::test]
async fn demo_sign_in_needs_loopback_or_auth_demo() {
    let reachable: std::net::SocketAddr = "0.0.0.0:3000".parse().unwrap();
    let app = app_with(true, |config| config.listen = reachable).await;
    let options = app
        .call("/api/auth/options", serde_json::json!({}), None)
        .await;
    let options: serde_json::Value = serde_json::from_str(&options.body).unwrap();
    assert_eq!(options["demo_users"], serde_json::json!([]), "{options}");
    let reply = app
        .post(
            "/auth/demo",
            "application/x-www-form-urlencoded",
            "user=jonas.becker&next=/catalog".into(),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert!(reply.body.contains("auth.demo"), "{}", reply.body);
    assert!(reply.session_cookie().is_none());
    let refused = audit_actions(&app, "login").await;
    assert_eq!(refused[0].record.outcome, "denied");

    let app = app_with(true, |config| {
        config.listen = reachable;
        config.auth.demo = Some(true);
    })
    .await;
    app.sign_in("jonas.becker").await;
}

/// Behind https: HSTS on every response, and a write from the plain-http origin of the same
/// name is another origin.
#[tokio::test]
async fn https_public_url_sends_hsts_and_the_scheme_counts_for_writes() {
    let app = app().await;
    let page = app.get("/login", None).await;
    assert!(page
        .headers
        .get(header::STRICT_TRANSPORT_SECURITY)
        .is_none());

    let app = app_with(true, |config| {
        config.auth.public_url = Some("https://atrium.test".into())
    })
    .await;
    let page = app.get("/login", None).await;
    assert_eq!(
        page.headers[header::STRICT_TRANSPORT_SECURITY],
        "max-age=31536000"
    );
    let plain_http = app
        .send(from_host(
            "POST",
            "/auth/demo",
            "atrium.test",
            "user=jonas.becker",
        ))
        .await;
    assert_eq!(
        plain_http.status,
        StatusCode::FORBIDDEN,
        "{}",
        plain_http.body
    );
    let request = axum::http::Request::post("/auth/demo")
        .header(header::HOST, "atrium.test")
        .header(header::ORIGIN, "https://atrium.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(axum::body::Body::from("user=jonas.becker"))
        .unwrap();
    assert_eq!(app.send(request).await.status, StatusCode::SEE_OTHER);
}

/// Sessions are bound to their identity source: switching a demo instance to single sign-on
/// (same database) ends the demo sessions, so a demo admin does not stay signed in; and a
/// session from another provider is refused as well.
#[tokio::test]
async fn sessions_end_when_their_identity_source_is_no_longer_configured() {
    let demo = app().await;
    let token = demo.sign_in("jonas.becker").await;
    assert_eq!(
        demo.get("/catalog", Some(&token)).await.status,
        StatusCode::OK
    );
    let data_dir = demo.dir.path().to_path_buf();
    let other = atrium_server::auth::session::Identity {
        subject: "alice".into(),
        name: "Alice".into(),
        email: None,
        email_verified: false,
        groups: vec!["atrium-admins".into()],
        provider: "oidc".into(),
        source: atrium_server::auth::session::oidc_source("https://old-idp.example"),
    };
    let elsewhere = demo
        .state
        .store
        .create_session(&other, demo.state.auth.lifetimes)
        .await
        .unwrap();

    let sso = app_with(true, move |config| {
        config.data_dir = data_dir;
        config.auth.oidc = Some(
            serde_json::from_value(serde_json::json!({
                "issuer": "https://idp.example/",
                "client_id": "atrium",
                "redirect_url": "http://atrium.test/auth/callback",
            }))
            .unwrap(),
        );
    })
    .await;
    for token in [&token, &elsewhere] {
        let reply = sso.get("/catalog", Some(token)).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER);
        assert!(
            reply.location().contains("error=expired"),
            "{}",
            reply.location()
        );
    }
    let left: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sessions")
        .fetch_one(sso.state.store.pool())
        .await
        .unwrap()
        .get("n");
    assert_eq!(left, 0, "refused sessions are deleted");

    // A session of the configured provider (a trailing slash does not matter) is accepted.
    let current = atrium_server::auth::session::Identity {
        source: atrium_server::auth::session::oidc_source("https://idp.example"),
        ..other
    };
    let token = sso
        .state
        .store
        .create_session(&current, sso.state.auth.lifetimes)
        .await
        .unwrap();
    assert_eq!(
        sso.get("/catalog", Some(&token)).await.status,
        StatusCode::OK
    );
}

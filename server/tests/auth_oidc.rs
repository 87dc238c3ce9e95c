//! Single sign-on against a real OpenID provider: the npm `oidc-provider` (end2end/oidc),
//! started on loopback for each test. The browser's part (following redirects, posting the
//! provider's login form) is played by reqwest; Atrium's part by the real router.
//!
//! Needs `npm ci` in `end2end/` (`.ci/test` does it); skipped with a message otherwise, and
//! failed instead when `ATRIUM_REQUIRE_OIDC` is set (as `.ci/test` does).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use axum::http::StatusCode;
use sqlx::Row;

use atrium_server::audit::AuditFilter;
use common::{app_with, TestApp};

const REDIRECT: &str = "http://atrium.test/auth/callback";

struct Provider {
    child: Child,
    issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_provider() -> Option<Provider> {
    start_provider_with(free_port(), &[])
}

/// The provider on `port` with the test switches `env` (see end2end/oidc/provider.mjs).
/// Every start makes a new signing key.
fn start_provider_with(port: u16, env: &[(&str, &str)]) -> Option<Provider> {
    let end2end = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end");
    if !end2end.join("node_modules/oidc-provider").exists() {
        assert!(
            std::env::var_os("ATRIUM_REQUIRE_OIDC").is_none(),
            "oidc-provider is not installed: run `npm ci` in end2end/"
        );
        eprintln!("skipped: oidc-provider is not installed (npm ci in end2end/)");
        return None;
    }
    // Node has been seen to hang at start-up on a loaded machine (threads parked, nothing
    // listening, no output): a start that says nothing for 30 s is killed and tried again,
    // instead of the test waiting for ever.
    let mut tries = 0;
    let child = loop {
        tries += 1;
        let mut child = Command::new("node")
            .arg("oidc/provider.mjs")
            .current_dir(&end2end)
            .envs(env.iter().copied())
            .env("OIDC_PORT", port.to_string())
            .env("OIDC_REDIRECT_URIS", REDIRECT)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs");
        let stdout = child.stdout.take().unwrap();
        let (first, line) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut text = String::new();
            let _ = reader.read_line(&mut text);
            let _ = first.send(text);
            // Keep reading: a closed pipe would kill the provider at its next log line.
            std::io::copy(&mut reader, &mut std::io::sink())
        });
        match line.recv_timeout(std::time::Duration::from_secs(30)) {
            Ok(text) => {
                assert!(text.contains("ready"), "provider did not start: {text}");
                break child;
            }
            Err(_) if tries < 3 => {
                eprintln!("the provider said nothing for 30 s: starting it again");
                let _ = child.kill();
                let _ = child.wait();
            }
            Err(_) => panic!("the provider did not start in {tries} tries"),
        }
    };
    Some(Provider {
        child,
        issuer: format!("http://127.0.0.1:{port}"),
    })
}

async fn oidc_app(issuer: &str) -> TestApp {
    oidc_app_with(issuer, serde_json::json!({})).await
}

/// An Atrium signing in at `issuer`, with these extra `auth.oidc` settings.
async fn oidc_app_with(issuer: &str, settings: serde_json::Value) -> TestApp {
    let mut oidc = serde_json::json!({
        "issuer": issuer,
        "client_id": "atrium",
        "client_secret": "atrium-test-secret",
        "redirect_url": REDIRECT,
    });
    for (key, value) in settings.as_object().unwrap() {
        oidc[key] = value.clone();
    }
    app_with(false, move |config| {
        config.auth.oidc = Some(serde_json::from_value(oidc).unwrap());
    })
    .await
}

/// A sign-in brought back to Atrium: the callback's path and query, and the sign-in binding
/// cookie of the browser that started it.
struct Callback {
    path: String,
    browser: String,
}

impl Callback {
    /// The callback as the browser that started the sign-in sends it (with its cookie).
    async fn send(&self, app: &TestApp) -> common::Reply {
        self.send_with(app, &format!("atrium_login={}", self.browser))
            .await
    }

    /// The callback with these cookies instead (another browser's, or none).
    async fn send_with(&self, app: &TestApp, cookies: &str) -> common::Reply {
        app.get_with_cookies(&self.path, cookies).await
    }
}

/// The browser's side: from Atrium's redirect to the provider, through its login form, back
/// to the callback.
async fn sign_in_at_provider(app: &TestApp, issuer: &str, user: &str, password: &str) -> Callback {
    let start = app.get("/auth/login?next=/catalog", None).await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.body);
    let binding = start
        .cookie("atrium_login")
        .unwrap_or_else(|| panic!("no sign-in binding cookie: {}", start.location()));
    assert_eq!(binding.len(), 43, "a random 256-bit value");
    let mut url = start.location().to_string();
    assert!(url.starts_with(issuer), "{url}");
    assert!(
        url.contains("code_challenge_method=S256") && url.contains("nonce="),
        "{url}"
    );
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut posted = false;
    for _ in 0..10 {
        if url.starts_with(REDIRECT) {
            return Callback {
                path: url.trim_start_matches("http://atrium.test").to_string(),
                browser: binding,
            };
        }
        let response = if url.contains("/interaction/") && !posted {
            posted = true;
            let form = browser
                .get(&url)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(form.contains("name=\"username\""), "{form}");
            browser
                .post(&url)
                .form(&[("username", user), ("password", password)])
                .send()
                .await
                .unwrap()
        } else {
            browser.get(&url).send().await.unwrap()
        };
        let location = response
            .headers()
            .get("location")
            .unwrap_or_else(|| panic!("no redirect from {url}: {}", response.status()))
            .to_str()
            .unwrap()
            .to_string();
        url = if location.starts_with('/') {
            format!("{issuer}{location}")
        } else {
            location
        };
    }
    panic!("never got back to the callback");
}

async fn session_json(app: &TestApp, token: &str) -> serde_json::Value {
    let reply = app
        .post(
            "/api/auth/session",
            "application/x-www-form-urlencoded",
            String::new(),
            Some(token),
        )
        .await;
    serde_json::from_str(&reply.body).unwrap()
}

async fn logins(app: &TestApp) -> Vec<atrium_server::audit::AuditRow> {
    app.state
        .store
        .audit_page(&AuditFilter {
            action: Some("login".into()),
            ..Default::default()
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_in_with_groups_from_the_id_token_and_no_replay() {
    let Some(provider) = start_provider() else {
        return;
    };
    let app = oidc_app(&provider.issuer).await;
    let callback = sign_in_at_provider(&app, &provider.issuer, "alice", "alice-pw").await;
    let reply = callback.send(&app).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    assert_eq!(
        reply.location(),
        "/catalog",
        "{:?}",
        logins(&app).await.first().map(|r| r.record.details.clone())
    );
    let token = reply.session_cookie().expect("session cookie");

    let session = session_json(&app, &token).await;
    let user = &session["user"];
    assert_eq!(user["subject"], "alice");
    assert_eq!(user["name"], "Alice Okafor");
    assert_eq!(user["provider"], "oidc");
    let teams: Vec<&str> = user["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    // The provider's group, and its parent from the catalog.
    assert!(
        teams.contains(&"team-payments") && teams.contains(&"brightcart"),
        "{teams:?}"
    );
    assert_eq!(session["demo"], false);

    let audited = logins(&app).await;
    assert_eq!(audited[0].record.outcome, "success");
    assert_eq!(audited[0].record.actor.subject, "alice");
    assert_eq!(
        audited[0].record.details["issuer"],
        provider.issuer.as_str()
    );

    // The same callback again (a replayed code): the state was used up.
    let replay = callback.send(&app).await;
    assert_eq!(replay.status, StatusCode::SEE_OTHER);
    assert!(
        replay.location().starts_with("/login?error=state"),
        "{}",
        replay.location()
    );
    assert!(replay.session_cookie().is_none());
    assert_eq!(logins(&app).await[0].record.outcome, "failure");
}

#[tokio::test]
async fn wrong_state_and_wrong_nonce_are_refused() {
    let Some(provider) = start_provider() else {
        return;
    };
    let app = oidc_app(&provider.issuer).await;
    let bogus = app
        .get("/auth/callback?code=abc&state=not-ours", None)
        .await;
    assert!(
        bogus.location().starts_with("/login?error=state"),
        "{}",
        bogus.location()
    );

    // Tamper with the nonce Atrium expects: the ID token no longer matches it.
    let callback = sign_in_at_provider(&app, &provider.issuer, "bob", "bob-pw").await;
    sqlx::query("UPDATE login_attempts SET nonce = $1")
        .bind("someone-elses-nonce")
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let reply = callback.send(&app).await;
    assert!(
        reply.location().starts_with("/login?error=token"),
        "{}",
        reply.location()
    );
    assert!(reply.session_cookie().is_none());
    let reason = logins(&app).await[0].record.details["reason"].to_string();
    assert!(reason.to_lowercase().contains("nonce"), "{reason}");
    let sessions: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sessions")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
        .get("n");
    assert_eq!(sessions, 0);
}

/// Login CSRF: an attacker signs in at the provider in their own browser, stops before the
/// callback and sends its URL to a victim. Without the binding cookie of the browser that
/// started the sign-in, the callback is refused, audited, and the sign-in link is used up.
#[tokio::test]
async fn a_callback_from_another_browser_is_refused() {
    let Some(provider) = start_provider() else {
        return;
    };
    let app = oidc_app(&provider.issuer).await;
    let start = app.get("/auth/login?next=/catalog", None).await;
    let flags = start.set_cookie("atrium_login").expect("binding cookie");
    for flag in ["HttpOnly", "SameSite=Lax", "Path=/auth/", "Max-Age=600"] {
        assert!(flags.contains(flag), "{flags}");
    }

    let attackers = sign_in_at_provider(&app, &provider.issuer, "bob", "bob-pw").await;
    let victims_browser = atrium_server::util::new_token();
    for cookies in [
        String::new(),
        format!("atrium_login={victims_browser}"),
        format!("atrium_session=x; atrium_login={victims_browser}"),
    ] {
        let attackers = sign_in_at_provider(&app, &provider.issuer, "bob", "bob-pw").await;
        let reply = attackers.send_with(&app, &cookies).await;
        assert!(
            reply.location().starts_with("/login?error=browser"),
            "{cookies}: {}",
            reply.location()
        );
        // (A stale session cookie is cleared: set, but empty.)
        let session = reply.session_cookie().unwrap_or_default();
        assert!(session.is_empty(), "{cookies}");
        let audited = &logins(&app).await[0].record;
        assert_eq!(audited.outcome, "failure");
        let reason = audited.details["reason"].to_string();
        assert!(reason.contains("another browser"), "{reason}");
    }
    let sessions: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sessions")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
        .get("n");
    assert_eq!(sessions, 0, "nobody was signed in");

    // A refused callback used the link up: not even its own browser can use it afterwards.
    let refused = attackers
        .send_with(&app, &format!("atrium_login={victims_browser}"))
        .await;
    assert!(refused.location().starts_with("/login?error=browser"));
    let reply = attackers.send(&app).await;
    assert!(
        reply.location().starts_with("/login?error=state"),
        "{}",
        reply.location()
    );

    // The browser that started it is let in, and its binding cookie is cleared.
    let own = sign_in_at_provider(&app, &provider.issuer, "bob", "bob-pw").await;
    let reply = own.send(&app).await;
    assert_eq!(reply.location(), "/catalog");
    assert!(reply.session_cookie().is_some());
    assert_eq!(reply.cookie("atrium_login").as_deref(), Some(""));
}

#[tokio::test]
async fn missing_groups_claim_gives_catalog_teams_only() {
    let Some(provider) = start_provider() else {
        return;
    };
    let app = oidc_app(&provider.issuer).await;
    let callback = sign_in_at_provider(&app, &provider.issuer, "nogroups", "nogroups-pw").await;
    let reply = callback.send(&app).await;
    let token = reply.session_cookie().expect("signed in");
    let session = session_json(&app, &token).await;
    assert_eq!(session["user"]["teams"], serde_json::json!([]));
    assert_eq!(session["may_audit"], false);
    assert_eq!(
        logins(&app).await[0].record.details["groups_claim_missing"],
        true
    );
}

#[tokio::test]
async fn admin_group_from_the_provider_grants_the_audit_export() {
    let Some(provider) = start_provider() else {
        return;
    };
    let app = oidc_app(&provider.issuer).await;
    let callback = sign_in_at_provider(&app, &provider.issuer, "admin", "admin-pw").await;
    let token = callback.send(&app).await.session_cookie().unwrap();
    let export = app.get("/api/audit/export?format=csv", Some(&token)).await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(
        export.body.starts_with("seq,at,actor_subject"),
        "{}",
        export.body
    );
    assert!(
        export.body.contains(",login,atrium,success,"),
        "{}",
        export.body
    );
}

#[tokio::test]
async fn provider_down_at_start_is_a_clear_error() {
    let down = format!("http://127.0.0.1:{}", free_port());
    let app = oidc_app(&down).await;
    let reply = app.get("/auth/login", None).await;
    assert!(
        reply.location().starts_with("/login?error=unavailable"),
        "{}",
        reply.location()
    );
    let reason = logins(&app).await[0].record.details["reason"].to_string();
    assert!(reason.contains(&down), "{reason}");
    assert!(reason.contains("could not reach"), "{reason}");
}

/// The whole sign-in as one browser: start, the provider's form, the callback.
async fn sign_in(app: &TestApp, issuer: &str, user: &str) -> common::Reply {
    let callback = sign_in_at_provider(app, issuer, user, &format!("{user}-pw")).await;
    callback.send(app).await
}

/// The sign-in page as the browser is sent to it, and its reason in the audit trail.
async fn refused(app: &TestApp, reply: &common::Reply, code: &str) -> (String, String) {
    assert!(
        reply
            .location()
            .starts_with(&format!("/login?error={code}")),
        "{}",
        reply.location()
    );
    assert!(reply.session_cookie().unwrap_or_default().is_empty());
    let page = app.get(reply.location(), None).await.body;
    let reason = logins(app).await[0].record.details["reason"].to_string();
    assert!(!page.contains("atrium-test-secret") && !reason.contains("atrium-test-secret"));
    (page, reason)
}

fn port_of(provider: &Provider) -> u16 {
    provider.issuer.rsplit(':').next().unwrap().parse().unwrap()
}

/// Item: signing keys were fetched once. The provider restarts with a new key on the same
/// address; the next sign-in reads its keys again, without restarting Atrium. A second
/// rotation within 30 s is not followed at once (the re-read is rate-limited).
#[tokio::test]
async fn a_rotated_signing_key_is_read_again() {
    let Some(provider) = start_provider() else {
        return;
    };
    let port = port_of(&provider);
    let issuer = provider.issuer.clone();
    let app = oidc_app(&issuer).await;
    assert_eq!(sign_in(&app, &issuer, "alice").await.location(), "/catalog");

    drop(provider);
    let provider = start_provider_with(port, &[]).unwrap();
    let reply = sign_in(&app, &issuer, "alice").await;
    assert_eq!(
        reply.location(),
        "/catalog",
        "{:?}",
        logins(&app).await[0].record.details
    );

    drop(provider);
    let _provider = start_provider_with(port, &[]).unwrap();
    let reply = sign_in(&app, &issuer, "alice").await;
    let (_, reason) = refused(&app, &reply, "token").await;
    assert!(reason.contains("less than 30 s ago"), "{reason}");
}

/// Item: the provider goes down after the first sign-in. At the token exchange and at the
/// next sign-in start the page says Atrium could not reach the provider (not "could not be
/// verified", and no redirect to a dead provider); once it is back, sign-in works again.
#[tokio::test]
async fn provider_down_later_is_reported_and_sign_in_stays_retryable() {
    let Some(provider) = start_provider() else {
        return;
    };
    let port = port_of(&provider);
    let issuer = provider.issuer.clone();
    let app = oidc_app(&issuer).await;
    assert_eq!(sign_in(&app, &issuer, "alice").await.location(), "/catalog");

    let callback = sign_in_at_provider(&app, &issuer, "alice", "alice-pw").await;
    drop(provider);
    let reply = callback.send(&app).await;
    let (page, reason) = refused(&app, &reply, "unavailable").await;
    assert!(
        page.contains("could not reach the identity provider"),
        "{page}"
    );
    assert!(page.contains("Try again"), "{page}");
    assert!(reason.contains("could not reach"), "{reason}");

    let reply = app.get("/auth/login?next=/catalog", None).await;
    assert_eq!(reply.location(), "/login?error=unavailable&next=/catalog");

    let _provider = start_provider_with(port, &[]).unwrap();
    assert_eq!(sign_in(&app, &issuer, "alice").await.location(), "/catalog");
}

/// Item: token endpoint authentication. A provider that offers only `client_secret_post`
/// works without a setting (discovery says so); forcing Basic is refused by the provider,
/// and the page tells the operator which setting to look at.
#[tokio::test]
async fn client_secret_post_is_used_when_the_provider_offers_only_that() {
    let Some(provider) =
        start_provider_with(free_port(), &[("OIDC_TOKEN_AUTH", "client_secret_post")])
    else {
        return;
    };
    let issuer = provider.issuer.clone();
    let app = oidc_app(&issuer).await;
    assert_eq!(sign_in(&app, &issuer, "bob").await.location(), "/catalog");

    let app = oidc_app_with(
        &issuer,
        serde_json::json!({"token_endpoint_auth": "client_secret_basic"}),
    )
    .await;
    let reply = sign_in(&app, &issuer, "bob").await;
    let (page, reason) = refused(&app, &reply, "provider-config").await;
    assert!(reason.contains("auth.oidc.token_endpoint_auth"), "{reason}");
    assert!(page.contains("auth.oidc.token_endpoint_auth"), "{page}");
}

/// Item: an issuer configured with a trailing slash the provider does not use is the same
/// issuer; a really different one names both on the sign-in page, for the operator.
#[tokio::test]
async fn issuer_trailing_slash_is_normalised_and_a_wrong_issuer_is_explained() {
    let Some(provider) = start_provider() else {
        return;
    };
    let app = oidc_app(&format!("{}/", provider.issuer)).await;
    assert_eq!(
        sign_in(&app, &provider.issuer, "alice").await.location(),
        "/catalog",
        "{:?}",
        logins(&app).await[0].record.details
    );

    // Same server, but not the issuer it names in its discovery document.
    let wrong = provider.issuer.replace("127.0.0.1", "localhost");
    let app = oidc_app(&wrong).await;
    let reply = app.get("/auth/login?next=/catalog", None).await;
    assert_eq!(
        reply.location(),
        "/login?error=provider-config&next=/catalog"
    );
    let page = app.get(reply.location(), None).await.body;
    assert!(page.contains("not set up correctly"), "{page}");
    assert!(
        page.contains(&format!("names the issuer `{}`", provider.issuer))
            && page.contains(&format!("auth.oidc.issuer is `{wrong}`")),
        "{page}"
    );
    // The cause comes from the server, never from the URL.
    let page = app
        .get("/login?error=provider-config&detail=call+us", None)
        .await
        .body;
    assert!(!page.contains("call us"));
}

async fn session_of(app: &TestApp, reply: &common::Reply) -> serde_json::Value {
    let token = reply.session_cookie().expect("signed in");
    session_json(app, &token).await["user"].clone()
}

/// Item: `auth.oidc.user_claim`. With an opaque `sub`, policy lines naming people apply when
/// users are named by `preferred_username`.
#[tokio::test]
async fn the_user_claim_names_users_in_policy() {
    let Some(provider) = start_provider() else {
        return;
    };
    let issuer = provider.issuer.clone();
    let app = oidc_app(&issuer).await;
    let user = session_of(&app, &sign_in(&app, &issuer, "jonas").await).await;
    assert_eq!(user["subject"], "00u-7f3a9c-jonas");
    assert!(!user["roles"].to_string().contains("role:admin"), "{user}");

    // `g, jonas.becker, role:admin` in the built-in policy.
    let app = oidc_app_with(
        &issuer,
        serde_json::json!({"user_claim": "preferred_username"}),
    )
    .await;
    let reply = sign_in(&app, &issuer, "jonas").await;
    let user = session_of(&app, &reply).await;
    assert_eq!(user["subject"], "jonas.becker");
    assert!(user["roles"].to_string().contains("role:admin"), "{user}");
    assert_eq!(logins(&app).await[0].record.actor.subject, "jonas.becker");
}

/// Item: an e-mail the provider has not verified never matches a catalog User (Mallory
/// claims Amara's address), is not shown, and cannot name a user in policy.
#[tokio::test]
async fn an_unverified_e_mail_never_matches() {
    let Some(provider) = start_provider() else {
        return;
    };
    let issuer = provider.issuer.clone();
    let app = oidc_app(&issuer).await;
    let user = session_of(&app, &sign_in(&app, &issuer, "mallory").await).await;
    assert_eq!(user["subject"], "mallory");
    assert_eq!(user["teams"], serde_json::json!([]), "{user}");
    assert_eq!(user["email"], serde_json::Value::Null);
    // The same address, verified, does match (Jonas's catalog teams).
    let jonas = session_of(&app, &sign_in(&app, &issuer, "jonas").await).await;
    assert_eq!(jonas["email"], "jonas.becker@brightcart.example");
    assert_ne!(jonas["teams"], serde_json::json!([]), "{jonas}");

    let app = oidc_app_with(&issuer, serde_json::json!({"user_claim": "email"})).await;
    let reply = sign_in(&app, &issuer, "mallory").await;
    let (_, reason) = refused(&app, &reply, "token").await;
    assert!(reason.contains("verified"), "{reason}");
    let user = session_of(&app, &sign_in(&app, &issuer, "jonas").await).await;
    assert_eq!(user["subject"], "jonas.becker@brightcart.example");
}

/// Item: a groups claim in an unusable shape is logged and audited, not silently empty.
#[tokio::test]
async fn an_unusable_groups_claim_is_audited() {
    for shape in ["objects", "number"] {
        let Some(provider) = start_provider_with(free_port(), &[("OIDC_GROUPS_SHAPE", shape)])
        else {
            return;
        };
        let issuer = provider.issuer.clone();
        let app = oidc_app(&issuer).await;
        let user = session_of(&app, &sign_in(&app, &issuer, "alice").await).await;
        assert!(
            !user["teams"].to_string().contains("team-payments"),
            "{user}"
        );
        let audited = &logins(&app).await[0].record;
        assert_eq!(audited.outcome, "success");
        let unusable = audited.details["groups_claim_unusable"].to_string();
        assert!(
            unusable.contains(if shape == "objects" {
                "an object"
            } else {
                "a number"
            }),
            "{shape}: {:?}",
            audited.details
        );
        assert!(
            !unusable.contains("team-payments"),
            "the shape, not the values"
        );
    }
}

/// Item: clock skew. A token issued 300 s in the future is refused; 30 s is within the
/// default skew of 60 s. (Expiry leeway: `auth::oidc` unit tests.)
#[tokio::test]
async fn a_token_issued_in_the_future_is_refused() {
    let Some(ahead) = start_provider_with(free_port(), &[("OIDC_CLOCK_OFFSET_SECS", "300")]) else {
        return;
    };
    let app = oidc_app(&ahead.issuer).await;
    let reply = sign_in(&app, &ahead.issuer, "alice").await;
    let (_, reason) = refused(&app, &reply, "token").await;
    assert!(reason.contains("auth.oidc.clock_skew_secs"), "{reason}");

    let slightly = start_provider_with(free_port(), &[("OIDC_CLOCK_OFFSET_SECS", "30")]).unwrap();
    let app = oidc_app(&slightly.issuer).await;
    assert_eq!(
        sign_in(&app, &slightly.issuer, "alice").await.location(),
        "/catalog"
    );
}

/// Item (low): userinfo about another subject than the ID token refuses the sign-in (OpenID
/// Connect Core 5.3.2). `nogroups` has no groups in the ID token, so userinfo is asked.
#[tokio::test]
async fn userinfo_about_someone_else_is_refused() {
    let Some(provider) = start_provider_with(free_port(), &[("OIDC_USERINFO_SUB", "someone-else")])
    else {
        return;
    };
    let app = oidc_app(&provider.issuer).await;
    let reply = sign_in(&app, &provider.issuer, "nogroups").await;
    let (_, reason) = refused(&app, &reply, "token").await;
    assert!(reason.contains("another subject"), "{reason}");
    let sessions: i64 = sqlx::query("SELECT COUNT(*) AS n FROM sessions")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
        .get("n");
    assert_eq!(sessions, 0);
}

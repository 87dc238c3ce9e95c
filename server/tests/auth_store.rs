//! Sessions and sign-ins in flight on both databases (SQLite always; PostgreSQL when
//! `ATRIUM_TEST_POSTGRES_URL` is set, required under `ATRIUM_REQUIRE_POSTGRES`), and the audit
//! export streamed across many batches.

mod common;

use atrium_server::auth::session::{hash_token, Identity, Lifetimes, LoginAttempt};
use atrium_server::store::Store;

fn lifetimes() -> Lifetimes {
    Lifetimes {
        idle: time::Duration::minutes(30),
        absolute: time::Duration::hours(8),
        oidc: time::Duration::hours(1),
    }
}

async fn sessions_and_attempts(store: &Store) {
    let identity = Identity {
        subject: format!("user-{}", rand_suffix()),
        name: "Test User".into(),
        email: Some("t@example.com".into()),
        email_verified: true,
        groups: vec!["team-a".into(), "team-b".into()],
        provider: "oidc".into(),
        source: "oidc https://idp.example".into(),
    };
    let token = store.create_session(&identity, lifetimes()).await.unwrap();
    assert_eq!(
        store.find_session(&token, lifetimes()).await.unwrap(),
        Some(identity.clone())
    );
    assert_eq!(
        store
            .find_session("not-a-token", lifetimes())
            .await
            .unwrap(),
        None
    );

    // Idle too long: gone, and deleted.
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
        .bind("2020-01-01T00:00:00.000000Z")
        .bind(hash_token(&token))
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(store.find_session(&token, lifetimes()).await.unwrap(), None);

    // Single sign-on sessions end after `Lifetimes::oidc` (groups are read again at the next
    // sign-in); demo sessions do not.
    let two_hours_ago =
        atrium_server::audit::stamp(time::OffsetDateTime::now_utc() - time::Duration::hours(2));
    let demo = Identity {
        provider: "demo".into(),
        source: "demo".into(),
        ..identity.clone()
    };
    let sso = store.create_session(&identity, lifetimes()).await.unwrap();
    let local = store.create_session(&demo, lifetimes()).await.unwrap();
    sqlx::query("UPDATE sessions SET created_at = $1 WHERE token_hash IN ($2, $3)")
        .bind(&two_hours_ago)
        .bind(hash_token(&sso))
        .bind(hash_token(&local))
        .execute(store.pool())
        .await
        .unwrap();
    assert_eq!(store.find_session(&sso, lifetimes()).await.unwrap(), None);
    assert_eq!(
        store.find_session(&local, lifetimes()).await.unwrap(),
        Some(demo)
    );
    store.delete_session(&local).await.unwrap();

    let state = format!("state-{}", rand_suffix());
    store
        .save_login_attempt(&LoginAttempt {
            state: state.clone(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            return_to: "/catalog".into(),
            browser_hash: hash_token("browser"),
        })
        .await
        .unwrap();
    let taken = store
        .take_login_attempt(&state)
        .await
        .unwrap()
        .expect("first use");
    assert_eq!(taken.return_to, "/catalog");
    assert!(taken.is_from_browser(Some("browser")));
    assert!(!taken.is_from_browser(Some("another browser")));
    assert!(
        store.take_login_attempt(&state).await.unwrap().is_none(),
        "second use finds nothing"
    );

    let other = store.create_session(&identity, lifetimes()).await.unwrap();
    store.delete_session(&other).await.unwrap();
    assert_eq!(store.find_session(&other, lifetimes()).await.unwrap(), None);
    store.purge_expired_sessions(lifetimes()).await.unwrap();
}

fn rand_suffix() -> String {
    atrium_server::util::new_token()[..8].to_string()
}

#[tokio::test]
async fn sessions_sqlite() {
    let (_dir, store) = common::store::sqlite().await;
    sessions_and_attempts(&store).await;
}

#[tokio::test]
async fn sessions_postgres() {
    if let Some(store) = common::store::postgres().await {
        sessions_and_attempts(&store).await;
    }
}

/// More records than one export batch (1,000): all arrive, newest first, as valid JSON and as
/// CSV with one line per record; filters apply.
#[tokio::test]
async fn export_streams_every_record_across_batches() {
    let app = common::app_with(false, |_| {}).await;
    let admin = app.sign_in("jonas.becker").await;
    for i in 0..2_345 {
        let record = atrium_server::audit::AuditRecord::new(
            atrium_server::audit::Actor::system(),
            if i % 2 == 0 {
                "applications.sync"
            } else {
                "catalog.reload"
            },
            format!("dev/app-{i}"),
            "success",
        );
        app.state.store.append_audit(&record).await.unwrap();
    }
    let json = app.get("/api/audit/export?format=json", Some(&admin)).await;
    assert_eq!(json.status, axum::http::StatusCode::OK);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json.body).expect("valid JSON");
    assert_eq!(
        rows.len(),
        2_347,
        "2,345 records, the sign-in, and this export itself"
    );
    assert_eq!(rows[0]["action"], "audit.export");
    let seqs: Vec<u64> = rows.iter().map(|r| r["seq"].as_u64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] == w[1] + 1),
        "newest first, none missing"
    );

    let csv = app
        .get(
            "/api/audit/export?format=csv&action=applications.sync",
            Some(&admin),
        )
        .await;
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 1 + 1_173, "header plus the filtered records");
    assert!(lines[1..].iter().all(|l| l.contains(",applications.sync,")));

    let bad = app.get("/api/audit/export?format=xml", Some(&admin)).await;
    assert_eq!(bad.status, axum::http::StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("format"), "{}", bad.body);
}

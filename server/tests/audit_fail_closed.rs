//! Issue 14: an action whose audit record cannot be written does not happen (fail closed).
//! The audit trail is broken on purpose by removing its head row, so every append fails.

mod common;

use axum::http::StatusCode;
use sqlx::Row;

async fn break_the_audit_trail(app: &common::TestApp) {
    sqlx::query("DELETE FROM audit_head")
        .execute(app.state.store.pool())
        .await
        .unwrap();
}

async fn sessions(app: &common::TestApp) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM sessions")
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

#[tokio::test]
async fn no_sign_in_and_no_export_without_their_audit_record() {
    let app = common::app().await;
    let admin = app.sign_in("jonas.becker").await;
    let before = sessions(&app).await;
    break_the_audit_trail(&app).await;

    let reply = app
        .post(
            "/auth/demo",
            "application/x-www-form-urlencoded",
            "user=amara.okafor&next=/catalog".into(),
            None,
        )
        .await;
    assert!(
        reply.session_cookie().is_none(),
        "signed in without a record"
    );
    assert!(reply.location().contains("error="), "{}", reply.location());
    assert_eq!(
        sessions(&app).await,
        before,
        "the unaudited session is gone"
    );

    let reply = app.get("/api/audit/export?format=json", Some(&admin)).await;
    assert_eq!(
        reply.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        reply.body
    );
    assert!(
        reply.body.contains("audit trail could not be written"),
        "{}",
        reply.body
    );
}

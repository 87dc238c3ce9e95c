//! Issue 14: an open event stream ends with the session that opened it: at sign-out at once,
//! and when the session expires or is deleted, at the next re-check.

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use futures::StreamExt;
use http_body_util::BodyExt;
use tower::ServiceExt;

use atrium_server::http::session_bound::{bound, Credential};

/// Everything the stream sends until it ends (or `within` passes: then the test fails).
async fn read_until_end(body: Body, within: Duration) -> String {
    let mut body = body;
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let frame = tokio::time::timeout_at(deadline, body.frame())
            .await
            .unwrap_or_else(|_| panic!("the stream is still open; so far: {text}"));
        match frame {
            None => return text,
            Some(frame) => {
                if let Ok(data) = frame.unwrap().into_data() {
                    text.push_str(&String::from_utf8_lossy(&data));
                }
            }
        }
    }
}

#[tokio::test]
async fn streams_end_at_sign_out() {
    let app = common::app().await;
    for uri in ["/api/deploys/events", "/api/envs/staging/events"] {
        let token = app.sign_in("amara.okafor").await;
        let request = Request::get(uri)
            .header(header::HOST, "atrium.test")
            .header(header::ACCEPT, "text/event-stream")
            .header(header::COOKIE, format!("atrium_session={token}"))
            .body(Body::empty())
            .unwrap();
        let response = app.router.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{uri}");
        let mut body = response.into_body();
        // The first event comes at once: the stream is open.
        let first = tokio::time::timeout(Duration::from_secs(5), body.frame())
            .await
            .expect("a first event")
            .unwrap()
            .unwrap();
        assert!(first.is_data());

        let sign_out = |session: String| {
            let app = &app;
            async move {
                let reply = app
                    .post(
                        "/auth/logout",
                        "application/x-www-form-urlencoded",
                        String::new(),
                        Some(&session),
                    )
                    .await;
                assert_eq!(reply.status, StatusCode::SEE_OTHER);
            }
        };
        // Someone else signing out does not end it.
        sign_out(app.sign_in("sofia.lindqvist").await).await;
        let still_open = tokio::time::timeout(Duration::from_millis(300), body.frame()).await;
        assert!(
            still_open.is_err(),
            "{uri}: ended by another user's sign-out"
        );

        // Our own sign-out (say in another tab) ends it, with a last `signed-out` event.
        sign_out(token).await;
        let rest = read_until_end(body, Duration::from_secs(5)).await;
        assert!(rest.contains("event: signed-out"), "{uri}: {rest}");
        // Browsers drop an event with empty data: this one must carry some.
        assert!(rest.contains("data: session ended"), "{uri}: {rest}");
    }
}

#[tokio::test]
async fn streams_end_when_the_session_expires_or_is_deleted() {
    let app = common::app().await;
    let token = app.sign_in("amara.okafor").await;
    let auth = app.state.auth.clone();
    let events = bound(
        futures::stream::pending(),
        auth.clone(),
        Some(Credential::Session(token.clone())),
        Duration::from_millis(100),
    );
    futures::pin_mut!(events);
    // Valid: nothing for a while.
    assert!(
        tokio::time::timeout(Duration::from_millis(350), events.next())
            .await
            .is_err()
    );
    // Expired (deleted behind its back, as expiry clean-up or another replica would).
    sqlx::query("DELETE FROM sessions")
        .execute(app.state.store.pool())
        .await
        .unwrap();
    let last = tokio::time::timeout(Duration::from_secs(2), events.next())
        .await
        .expect("ends at the next re-check")
        .unwrap()
        .unwrap();
    assert!(format!("{last:?}").contains("signed-out"), "{last:?}");
    assert!(events.next().await.is_none());

    // No credential at all: ends at the first check.
    let events = bound(
        futures::stream::pending(),
        auth,
        None,
        Duration::from_millis(50),
    );
    futures::pin_mut!(events);
    assert!(events.next().await.is_some());
    assert!(events.next().await.is_none());
}

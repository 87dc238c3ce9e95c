//! `GET /api/deploys/events`: server-sent events, one small notice each time any deploy request
//! changes (`event: change`, `id:` the change counter, data `{"version":N,"environment":"prod"}`),
//! and one at once on connect so a page knows it is live and whether it missed something. The
//! Requests pages and the top bar's badge re-fetch on each. EventSource reconnects by itself;
//! the `retry` hint keeps that quick. Signed-in callers only (401 otherwise, as every `/api/`
//! route); an environment the caller may not read is not named.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::stream::{self, Stream};
use tokio::sync::watch;

use atrium_app::dto::deploy::ChangeNotice;
use atrium_app::error::AppError;
use atrium_app::service::{AccessService, Caller};

use super::errors::error_response;
use super::session_bound::{bound, Credential, RECHECK};
use super::state::AppState;

/// How soon a browser reconnects after a dropped connection.
const RETRY: Duration = Duration::from_secs(2);

pub async fn events(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
) -> Response {
    if caller.user.is_none() {
        return error_response(AppError::Unauthorized);
    }
    let access = state.auth.access.clone();
    let may_read =
        move |env: &str| access.allows(&caller, "applications", "get", &format!("{env}/*"));
    let events = bound(
        stream_of(state.deploys.subscribe(), may_read),
        state.auth.clone(),
        Credential::of(&headers),
        RECHECK,
    );
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

fn stream_of(
    changes: watch::Receiver<(u64, String)>,
    may_read: impl Fn(&str) -> bool + Send + 'static,
) -> impl Stream<Item = Result<Event, Infallible>> {
    // The first item is the current version; then one per change (several changes between two
    // reads arrive as one notice, with the newest version).
    stream::unfold(
        (changes, may_read, true),
        |(mut changes, may_read, first)| async move {
            if !first && changes.changed().await.is_err() {
                return None;
            }
            let (version, environment) = changes.borrow_and_update().clone();
            let notice = ChangeNotice {
                version,
                environment: if !environment.is_empty() && may_read(&environment) {
                    environment
                } else {
                    String::new()
                },
            };
            let data = serde_json::to_string(&notice).unwrap_or_default();
            let mut event = Event::default()
                .event("change")
                .id(version.to_string())
                .data(data);
            if first {
                event = event.retry(RETRY);
            }
            Some((Ok(event), (changes, may_read, false)))
        },
    )
}

#[cfg(test)]
mod tests {
    use futures::StreamExt;

    use super::*;

    #[tokio::test]
    async fn notices_follow_the_changes_and_hide_unreadable_environments() {
        let (tx, rx) = watch::channel((3, "prod".to_string()));
        let events = stream_of(rx, |env| env != "secret");
        futures::pin_mut!(events);
        let text = |e: Event| format!("{e:?}");

        let first = text(events.next().await.unwrap().unwrap());
        assert!(first.contains("change"), "{first}");
        assert!(
            first.contains(r#"{\"version\":3,\"environment\":\"prod\"}"#),
            "{first}"
        );

        tx.send((4, "secret".into())).unwrap();
        let second = text(events.next().await.unwrap().unwrap());
        assert!(
            second.contains(r#"{\"version\":4,\"environment\":\"\"}"#),
            "{second}"
        );

        drop(tx);
        assert!(events.next().await.is_none());
    }
}

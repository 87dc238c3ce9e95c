//! `GET /api/envs/{env}/events`: server-sent events carrying an environment's tree version,
//! once on connect and again whenever the tree changes. The page refetches the tree on each;
//! EventSource reconnects by itself after a dropped connection. Permission `applications/get`.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures::stream::{self, Stream};

use atrium_app::error::AppError;
use atrium_app::service::{AccessService, Caller};

use super::errors::error_response;
use super::session_bound::{bound, Credential, RECHECK};
use super::state::AppState;

pub async fn events(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(env): Path<String>,
    headers: HeaderMap,
) -> Response {
    let object = format!("{env}/*");
    if let Err(error) = state
        .auth
        .access
        .authorize(&caller, "applications", "get", &object)
        .await
    {
        return error_response(error);
    }
    let Some(versions) = state.engine.subscribe(&env) else {
        return error_response(AppError::NotFound(format!(
            "no environment `{env}` is configured"
        )));
    };
    let events = bound(
        stream_of(versions),
        state.auth.clone(),
        Credential::of(&headers),
        RECHECK,
    );
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

fn stream_of(
    versions: tokio::sync::watch::Receiver<u64>,
) -> impl Stream<Item = Result<Event, Infallible>> {
    // The first item is the current version; then one per change.
    stream::unfold((versions, true), |(mut versions, first)| async move {
        if !first && versions.changed().await.is_err() {
            return None;
        }
        let version = *versions.borrow_and_update();
        Some((
            Ok(Event::default().event("version").data(version.to_string())),
            (versions, false),
        ))
    })
}

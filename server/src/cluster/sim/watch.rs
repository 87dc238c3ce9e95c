//! `?watch=true`: a stream of newline-delimited `{"type", "object"}` events, as the API
//! server sends them. Without a resourceVersion (or with `0`) it starts with ADDED for every
//! current object; with one it replays history after it, or sends a 410 `ERROR` event when
//! that history is gone, so kube's watcher relists.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::Response;
use futures::stream::{self, Stream, StreamExt};
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use super::kinds::KindInfo;
use super::status::{ApiError, ApiResult};
use super::store::{Event, FieldSelector};
use super::Sim;
use crate::resource::selector::Selector;

struct Filter {
    kind: &'static KindInfo,
    namespace: Option<String>,
    labels: Selector,
    fields: FieldSelector,
}

impl Filter {
    fn wants(&self, e: &Event) -> bool {
        e.key.group == self.kind.group
            && e.key.plural == self.kind.plural
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| &e.key.namespace == ns)
            && self.labels.matches_object(&e.object)
            && self.fields.matches(&e.object)
    }
}

/// Starts a watch response.
pub fn watch(
    sim: &Sim,
    kind: &'static KindInfo,
    namespace: Option<String>,
    labels: Selector,
    fields: FieldSelector,
    q: &BTreeMap<String, String>,
) -> ApiResult<Response> {
    let timeout = q
        .get("timeoutSeconds")
        .and_then(|s| s.parse::<u64>().ok())
        .map_or(Duration::from_secs(1800), Duration::from_secs);
    let since = q
        .get("resourceVersion")
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0);
    let filter = Filter {
        kind,
        namespace,
        labels,
        fields,
    };
    // Subscribe and snapshot under one lock so no event falls between them.
    let (first, rx, last) = {
        let store = sim.store();
        let rx = store.subscribe();
        let first: Vec<Value> = if since == 0 {
            store
                .list(
                    kind,
                    filter.namespace.as_deref(),
                    &filter.labels,
                    &filter.fields,
                )
                .into_iter()
                .map(|o| line("ADDED", o))
                .collect()
        } else {
            match store.events_since(since) {
                Some(events) => events
                    .into_iter()
                    .filter(|e| filter.wants(e))
                    .map(|e| line(e.kind, e.object))
                    .collect(),
                None => vec![line("ERROR", ApiError::gone(since).to_status())],
            }
        };
        (first, rx, store.resource_version())
    };
    // State: receiver, filter, last rv sent, and whether the stream has ended with an error.
    let live = stream::unfold(
        (rx, filter, last, false),
        |(mut rx, filter, last, ended)| async move {
            if ended {
                return None;
            }
            loop {
                match rx.recv().await {
                    Ok(e) if e.rv > last && filter.wants(&e) => {
                        let rv = e.rv;
                        return Some((line(e.kind, e.object), (rx, filter, rv, false)));
                    }
                    Ok(_) => continue,
                    // A slow watcher missed events: tell it to relist, as the API server would.
                    Err(RecvError::Lagged(_)) => {
                        return Some((
                            line("ERROR", ApiError::gone(last).to_status()),
                            (rx, filter, last, true),
                        ));
                    }
                    Err(RecvError::Closed) => return None,
                }
            }
        },
    );
    let events = stream::iter(first).chain(live);
    let body = Body::from_stream(until(events, timeout).map(|v| {
        let mut bytes = serde_json::to_vec(&v).unwrap_or_default();
        bytes.push(b'\n');
        Ok::<_, std::convert::Infallible>(Bytes::from(bytes))
    }));
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .expect("static headers are valid"))
}

fn line(kind: &str, object: Value) -> Value {
    json!({"type": kind, "object": object})
}

/// Ends the stream after `timeout` (the client's `timeoutSeconds`).
fn until(
    events: impl Stream<Item = Value> + Send + 'static,
    timeout: Duration,
) -> impl Stream<Item = Value> + Send {
    let deadline = Box::pin(tokio::time::sleep(timeout));
    events.take_until(deadline)
}

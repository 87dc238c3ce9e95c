//! What the cluster driver asks of the API server, recorded, and what RBAC makes of each
//! request: the verb, the API group and the resource a rule must name to allow it.

use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

/// What the cluster driver asked of the API server: method, path, query and answer.
pub type Requests = Arc<Mutex<Vec<(String, String, String, u16)>>>;

/// Middleware: every request and the status it got, into the log.
pub async fn record(State(log): State<Requests>, request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    log.lock().unwrap().push((method, path, query, status));
    response
}

/// The RBAC verbs, API group and resource a request needs (an apply that creates needs
/// `create` too); none for discovery, which the default `system:discovery` binding opens to
/// every authenticated subject.
pub fn rbac_of(
    method: &str,
    path: &str,
    query: &str,
    status: u16,
) -> Vec<(String, String, String)> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, rest) = match segs.as_slice() {
        ["api", _v, rest @ ..] => ("", rest),
        ["apis", g, _v, rest @ ..] => (*g, rest),
        _ => return Vec::new(),
    };
    // (resource, whether the path names one object)
    let (resource, object) = match rest {
        [] => return Vec::new(),
        ["namespaces", _ns, plural, more @ ..] => (*plural, !more.is_empty()),
        ["namespaces", _name] => ("namespaces", true),
        [plural, more @ ..] => (*plural, !more.is_empty()),
    };
    let watch = query
        .split('&')
        .any(|p| p == "watch=true" || p == "watch=1");
    let verbs: Vec<&str> = match (method, object) {
        ("GET", true) => vec!["get"],
        ("GET", false) if watch => vec!["watch"],
        ("GET", false) => vec!["list"],
        ("POST", false) => vec!["create"],
        ("PUT", true) => vec!["update"],
        // An apply that creates the object needs `create` as well.
        ("PATCH", true) if status == 201 => vec!["patch", "create"],
        ("PATCH", true) => vec!["patch"],
        ("DELETE", true) => vec!["delete"],
        ("DELETE", false) => vec!["deletecollection"],
        other => panic!("an unexpected request {other:?} {path}"),
    };
    verbs
        .into_iter()
        .map(|v| (v.to_string(), group.to_string(), resource.to_string()))
        .collect()
}

/// Whether one of `rules` (a role's) grants `verb` on `resource` in `group`; `*` matches
/// anything, as in RBAC.
pub fn allows(rules: &Value, verb: &str, group: &str, resource: &str) -> bool {
    let has = |list: &Value, item: &str| {
        list.as_array()
            .is_some_and(|l| l.iter().any(|v| v == "*" || v == item))
    };
    rules.as_array().unwrap().iter().any(|r| {
        has(&r["verbs"], verb) && has(&r["apiGroups"], group) && has(&r["resources"], resource)
    })
}

//! The HTTP face of the emulator: the route table, URL parsing into (kind, namespace, name,
//! subresource), and one thin handler per verb over [`ObjectStore`](super::store::ObjectStore).

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde_json::{json, Value};

use super::discovery;
use super::fields::merge_patch;
use super::kinds::{by_plural, KindInfo};
use super::status::{ApiError, ApiResult};
use super::store::FieldSelector;
use super::write::Part;
use super::Sim;
use crate::resource::selector::Selector;

/// The emulator's routes.
pub fn router(sim: Sim) -> Router {
    Router::new()
        .route("/version", get(|| async { Json(discovery::version()) }))
        .route("/api", get(|| async { Json(discovery::core_versions()) }))
        .route("/apis", get(|| async { Json(discovery::groups()) }))
        .route("/openapi/v2", get(openapi_v2))
        .route("/api/{*rest}", any(resource))
        .route("/apis/{*rest}", any(resource))
        .fallback(|uri: Uri| async move { ApiError::no_route(uri.path()) })
        .with_state(sim)
}

/// `/openapi/v2`, in protobuf when the client asks for it (kubectl does).
async fn openapi_v2(headers: HeaderMap) -> Response {
    let protobuf = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept.contains(discovery::OPENAPI_V2_PROTOBUF)
                || accept.contains(discovery::OPENAPI_V2_PROTOBUF_DEPRECATED)
        });
    let content_type = if protobuf {
        discovery::OPENAPI_V2_PROTOBUF
    } else {
        "application/json"
    };
    (
        [(header::CONTENT_TYPE, content_type)],
        discovery::openapi_v2(protobuf),
    )
        .into_response()
}

/// What a resource URL names.
#[derive(Debug, PartialEq)]
pub(super) enum Target {
    /// `/api/v1`, `/apis/apps/v1`: the resource list.
    Resources { group: String, version: String },
    /// A collection, in one namespace or across all.
    Collection {
        kind: &'static KindInfo,
        namespace: Option<String>,
    },
    /// One object, or its subresource.
    Object {
        kind: &'static KindInfo,
        namespace: String,
        name: String,
        sub: Option<String>,
    },
}

/// Parses `/api/v1/namespaces/shop/deployments/web/status` and friends.
pub(super) fn parse_path(path: &str) -> Option<Target> {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return None,
    };
    let namespaced_kind = |plural: &str| by_plural(group, version, plural).filter(|k| k.namespaced);
    let (kind, namespace, rest) = match rest {
        [] => {
            return Some(Target::Resources {
                group: group.into(),
                version: version.into(),
            })
        }
        ["namespaces", ns, plural, rest @ ..] if namespaced_kind(plural).is_some() => {
            (namespaced_kind(plural)?, Some(ns.to_string()), rest)
        }
        [plural, rest @ ..] => (by_plural(group, version, plural)?, None, rest),
    };
    match rest {
        [] => Some(Target::Collection { kind, namespace }),
        [name, sub @ ..] if sub.len() <= 1 => {
            if kind.namespaced && namespace.is_none() {
                return None;
            }
            Some(Target::Object {
                kind,
                namespace: namespace.unwrap_or_default(),
                name: name.to_string(),
                sub: sub.first().map(|s| s.to_string()),
            })
        }
        _ => None,
    }
}

type Params = Query<BTreeMap<String, String>>;

async fn resource(
    State(sim): State<Sim>,
    method: Method,
    uri: Uri,
    Query(q): Params,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match dispatch(&sim, &method, &uri, &q, &headers, &body) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn dispatch(
    sim: &Sim,
    method: &Method,
    uri: &Uri,
    q: &BTreeMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Response> {
    let target = parse_path(uri.path()).ok_or_else(|| ApiError::no_route(uri.path()))?;
    // Deletes carry dryRun in their DeleteOptions body, everything else in the query.
    let dry_run = q.get("dryRun").is_some_and(|v| v == "All")
        || (*method == Method::DELETE
            && serde_json::from_slice::<Value>(body).is_ok_and(|o| {
                o["dryRun"]
                    .as_array()
                    .is_some_and(|d| d.iter().any(|v| v == "All"))
            }));
    let manager = q.get("fieldManager").map(String::as_str);
    match (method.clone(), target) {
        (Method::GET, Target::Resources { group, version }) => {
            discovery::resources(&group, &version)
                .map(|v| Json(v).into_response())
                .ok_or_else(|| ApiError::no_route(uri.path()))
        }
        (Method::GET, Target::Collection { kind, namespace }) => {
            let (labels, fields) = selectors(q)?;
            if q.get("watch").is_some_and(|v| v == "true" || v == "1") {
                return super::watch::watch(sim, kind, namespace, labels, fields, q);
            }
            let store = sim.store();
            let items = store.list(kind, namespace.as_deref(), &labels, &fields);
            Ok(Json(list_of(kind, items, store.resource_version())).into_response())
        }
        (
            Method::GET,
            Target::Object {
                kind,
                namespace,
                name,
                sub,
            },
        ) => {
            check_sub(kind, sub.as_deref())?;
            Ok(Json(sim.store().get(kind, &namespace, &name)?).into_response())
        }
        (
            Method::POST,
            Target::Collection {
                kind,
                namespace: ns,
            },
        ) => {
            let obj = parse_body(body, headers)?;
            let created = sim.store().create(
                kind,
                ns.as_deref().unwrap_or(""),
                manager.unwrap_or("unknown"),
                obj,
                dry_run,
            )?;
            Ok((StatusCode::CREATED, Json(created)).into_response())
        }
        (
            Method::PUT,
            Target::Object {
                kind,
                namespace,
                name,
                sub,
            },
        ) => {
            let part = check_sub(kind, sub.as_deref())?;
            let obj = parse_body(body, headers)?;
            let rv = obj["metadata"]["resourceVersion"]
                .as_str()
                .map(str::to_string);
            let manager = manager.unwrap_or("unknown");
            let out = sim.store().update(
                kind,
                &namespace,
                &name,
                manager,
                part,
                rv.as_deref(),
                dry_run,
                |_| Ok(obj),
            )?;
            Ok(Json(out).into_response())
        }
        (
            Method::PATCH,
            Target::Object {
                kind,
                namespace,
                name,
                sub,
            },
        ) => {
            let part = check_sub(kind, sub.as_deref())?;
            patch(
                sim, kind, &namespace, &name, part, q, headers, body, dry_run,
            )
        }
        (
            Method::DELETE,
            Target::Object {
                kind,
                namespace,
                name,
                sub: None,
            },
        ) => Ok(Json(sim.store().delete(kind, &namespace, &name, dry_run)?).into_response()),
        (Method::DELETE, Target::Collection { kind, namespace }) => {
            let (labels, fields) = selectors(q)?;
            let mut store = sim.store();
            let gone =
                store.delete_collection(kind, namespace.as_deref(), &labels, &fields, dry_run);
            Ok(Json(list_of(kind, gone, store.resource_version())).into_response())
        }
        (m, _) => Err(ApiError::method_not_allowed(format!(
            "the server does not allow this method on the requested resource ({m})"
        ))),
    }
}

#[expect(clippy::too_many_arguments, reason = "a patch request's parts")]
fn patch(
    sim: &Sim,
    kind: &'static KindInfo,
    namespace: &str,
    name: &str,
    part: Part,
    q: &BTreeMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
    dry_run: bool,
) -> ApiResult<Response> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let patch = parse_body(body, headers)?;
    let manager = q.get("fieldManager").map(String::as_str);
    let strategic = match content_type.as_str() {
        "application/apply-patch+yaml" if part == Part::Main => {
            let manager = manager.ok_or_else(|| {
                ApiError::invalid(
                    kind,
                    name,
                    "fieldManager",
                    "Required value: is required for apply patch",
                )
            })?;
            let force = q.get("force").is_some_and(|v| v == "true");
            let (obj, created) = sim
                .store()
                .apply(kind, namespace, name, manager, patch, force, dry_run)?;
            let code = if created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            return Ok((code, Json(obj)).into_response());
        }
        // Applying status (as controllers do) merges into status without SSA bookkeeping.
        "application/apply-patch+yaml" | "application/merge-patch+json" => false,
        "application/strategic-merge-patch+json" => true,
        other => return Err(ApiError::unsupported_media(other)),
    };
    let manager = manager.unwrap_or("unknown");
    let out = sim.store().update(
        kind,
        namespace,
        name,
        manager,
        part,
        None,
        dry_run,
        |mut live| {
            merge_patch(&mut live, &patch, strategic);
            Ok(live)
        },
    )?;
    Ok(Json(out).into_response())
}

fn check_sub(kind: &KindInfo, sub: Option<&str>) -> ApiResult<Part> {
    match sub {
        None => Ok(Part::Main),
        Some("status") if kind.has_status => Ok(Part::Status),
        Some(other) => Err(ApiError::no_route(&format!("{}/{other}", kind.plural))),
    }
}

fn selectors(q: &BTreeMap<String, String>) -> ApiResult<(Selector, FieldSelector)> {
    let labels = Selector::parse(q.get("labelSelector").map(String::as_str).unwrap_or(""))
        .map_err(ApiError::bad_request)?;
    let fields = FieldSelector::parse(q.get("fieldSelector").map(String::as_str).unwrap_or(""))
        .map_err(ApiError::bad_request)?;
    Ok((labels, fields))
}

/// JSON, or YAML when the client sent YAML (apply bodies may be either).
fn parse_body(body: &[u8], headers: &HeaderMap) -> ApiResult<Value> {
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        return Ok(v);
    }
    let yaml = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.contains("yaml"));
    if yaml {
        let text = std::str::from_utf8(body)
            .map_err(|e| ApiError::bad_request(format!("body is not UTF-8: {e}")))?;
        return serde_saphyr::from_str::<Value>(text)
            .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")));
    }
    Err(ApiError::bad_request("the request body is not valid JSON"))
}

/// `{"kind": "DeploymentList", …}`.
pub(super) fn list_of(kind: &KindInfo, items: Vec<Value>, rv: u64) -> Value {
    json!({
        "kind": format!("{}List", kind.kind),
        "apiVersion": kind.api_version(),
        "metadata": {"resourceVersion": rv.to_string()},
        "items": items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_kind_namespace_and_subresource() {
        let t = parse_path("/apis/apps/v1/namespaces/shop/deployments/web/status").unwrap();
        let Target::Object {
            kind,
            namespace,
            name,
            sub,
        } = t
        else {
            panic!("{t:?}")
        };
        assert_eq!(
            (kind.kind, namespace.as_str(), name.as_str(), sub.as_deref()),
            ("Deployment", "shop", "web", Some("status"))
        );
        assert!(matches!(
            parse_path("/api/v1/pods"),
            Some(Target::Collection {
                namespace: None,
                ..
            })
        ));
        assert!(matches!(
            parse_path("/api/v1/namespaces/shop"),
            Some(Target::Object { sub: None, .. })
        ));
        assert!(matches!(
            parse_path("/api/v1/namespaces/shop/status"),
            Some(Target::Object { sub: Some(_), .. })
        ));
        assert!(matches!(
            parse_path("/api/v1/namespaces/shop/pods"),
            Some(Target::Collection {
                namespace: Some(_),
                ..
            })
        ));
        assert!(
            parse_path("/apis/apps/v1/deployments/web").is_none(),
            "namespaced kinds need a namespace"
        );
        assert!(parse_path("/apis/nope/v1/things").is_none());
    }
}

//! The JSON API under `/api/v1`, for scripts, CI bots and copilots: a personal API token
//! (`Authorization: Bearer …`) or a browser session. It calls the same `DeployService` as the
//! server functions, with the same types, so the UI and automation cannot drift. Field names
//! and shapes are a public contract (see the README and `/api/v1/openapi.json`).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::Deserialize;

use atrium_app::dto::deploy::{NewRequest, RequestQuery};
use atrium_app::error::AppError;
use atrium_app::service::Caller;

use super::state::AppState;

/// The `/api/v1` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/environments", get(environments))
        .route("/api/v1/environments/{env}/apps", get(apps))
        .route("/api/v1/compare", get(compare))
        .route("/api/v1/requests", get(list).post(create))
        .route("/api/v1/requests/{id}", get(one))
        .route("/api/v1/requests/{id}/approve", post(approve))
        .route("/api/v1/requests/{id}/reject", post(reject))
        .route("/api/v1/requests/{id}/cancel", post(cancel))
}

/// A JSON answer, or the error as JSON (`{"error": "..."}`) with its status.
fn reply<T: serde::Serialize>(status: StatusCode, result: Result<T, AppError>) -> Response {
    match result {
        Ok(value) => (status, Json(value)).into_response(),
        Err(error) => {
            let code = StatusCode::from_u16(error.status_code())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let text = match &error {
                AppError::BadRequest(t)
                | AppError::NotFound(t)
                | AppError::Forbidden(t)
                | AppError::Conflict(t) => t.clone(),
                other => other.to_string(),
            };
            (code, Json(serde_json::json!({ "error": text }))).into_response()
        }
    }
}

/// A body that did not parse: 400 naming the field, as serde_path_to_error finds it.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." {
            "body".to_string()
        } else {
            path
        };
        AppError::BadRequest(format!("{field}: {}", e.inner()))
    })
}

async fn environments(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Response {
    reply(
        StatusCode::OK,
        state.services().deploys.api_environments(&caller).await,
    )
}

async fn apps(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(env): Path<String>,
) -> Response {
    reply(
        StatusCode::OK,
        state.services().deploys.api_apps(&caller, &env).await,
    )
}

/// `GET /api/v1/compare?from=<env>&to=<env>`: the compare page's data.
async fn compare(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let param = |name: &str| {
        params
            .get(name)
            .filter(|v| !v.is_empty())
            .cloned()
            .ok_or_else(|| AppError::BadRequest(format!("{name}: an environment name is required")))
    };
    // Who asks comes before what is asked: anonymous callers learn nothing of the parameters.
    let result = match (param("from"), param("to")) {
        _ if caller.user.is_none() => Err(AppError::Unauthorized),
        (Ok(from), Ok(to)) => {
            atrium_app::api::compare::visible_compare(&state.services(), &caller, &from, &to).await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    reply(StatusCode::OK, result)
}

async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: axum::body::Bytes,
) -> Response {
    let new: NewRequest = match parse(&body) {
        Ok(new) => new,
        Err(error) => return reply::<()>(StatusCode::BAD_REQUEST, Err(error)),
    };
    reply(
        StatusCode::CREATED,
        state.services().deploys.create(&caller, new).await,
    )
}

async fn list(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(query): Query<RequestQuery>,
) -> Response {
    reply(
        StatusCode::OK,
        state.services().deploys.list(&caller, query).await,
    )
}

async fn one(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    reply(
        StatusCode::OK,
        state.services().deploys.get(&caller, &id).await,
    )
}

#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Comment {
    comment: String,
}

async fn decide(
    state: AppState,
    caller: Caller,
    id: String,
    approve: bool,
    body: axum::body::Bytes,
) -> Response {
    let comment: Comment = if body.is_empty() {
        Comment::default()
    } else {
        match parse(&body) {
            Ok(c) => c,
            Err(error) => return reply::<()>(StatusCode::BAD_REQUEST, Err(error)),
        }
    };
    reply(
        StatusCode::OK,
        state
            .services()
            .deploys
            .decide(&caller, &id, approve, &comment.comment)
            .await,
    )
}

async fn approve(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    decide(state, caller, id, true, body).await
}

async fn reject(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    decide(state, caller, id, false, body).await
}

async fn cancel(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    reply(
        StatusCode::OK,
        state.services().deploys.cancel(&caller, &id).await,
    )
}

/// The API described for tools (OpenAPI 3.1): written by hand from the types above, checked
/// against them by the API tests.
async fn openapi() -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        include_str!("openapi.json"),
    )
        .into_response()
}

//! `GET /api/audit/export?format=csv|json&actor=…`: the filtered trail as a download. The
//! audit domain checks permission, audits the export and streams the rows; this route reads
//! the query and sets the download's headers.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use serde::Deserialize;

use atrium_app::dto::audit::AuditQuery;
use atrium_app::service::Caller;

use super::errors::error_response;
use super::state::AppState;
use crate::audit::export::Format;

#[derive(Deserialize)]
pub struct ExportParams {
    #[serde(default)]
    format: Option<String>,
    #[serde(flatten)]
    query: AuditQuery,
}

pub async fn export(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Query(params): Query<ExportParams>,
) -> Response {
    let format = match Format::parse(params.format.as_deref()) {
        Ok(format) => format,
        Err(error) => return error_response(error),
    };
    let access = &state.auth.access;
    let store = state.store.clone();
    let rows =
        match crate::audit::export::export(access, store, &caller, format, &params.query).await {
            Ok(rows) => rows,
            Err(error) => return error_response(error),
        };
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", format.file_name()),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(rows),
    )
        .into_response()
}

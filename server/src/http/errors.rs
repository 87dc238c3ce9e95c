//! Error responses of the plain HTTP routes (Leptos server functions set their own status).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use atrium_app::error::AppError;

/// An [`AppError`] as a plain HTTP response for non-Leptos routes: the status says what kind,
/// the body is the person-readable text (internals were logged where they happened).
pub fn error_response(error: AppError) -> Response {
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, format!("{error}\n")).into_response()
}

//! Failures as Kubernetes words them: a `Status` object with code, reason and a message that
//! names the field, so kube::Error::Api carries what a real API server would send.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use super::kinds::KindInfo;

/// An API failure, rendered as `kind: Status`.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiError {
    pub code: u16,
    /// `NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `BadRequest`…
    pub reason: &'static str,
    pub message: String,
    pub details: Value,
}

/// Result alias for emulator operations.
pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: Value::Null,
        }
    }

    fn about(mut self, kind: &KindInfo, name: &str) -> Self {
        self.details = json!({ "name": name, "group": kind.group, "kind": kind.plural });
        self
    }

    /// 404 for a named object: `deployments.apps "web" not found`.
    pub fn not_found(kind: &KindInfo, name: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("{} \"{name}\" not found", kind.qualified()),
        )
        .about(kind, name)
    }

    /// 404 for a path that serves nothing.
    pub fn no_route(path: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("the server could not find the requested resource ({path})"),
        )
    }

    /// 409 on create of an existing name.
    pub fn already_exists(kind: &KindInfo, name: &str) -> Self {
        Self::new(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", kind.qualified()),
        )
        .about(kind, name)
    }

    /// 409 for an optimistic-lock or field-ownership conflict.
    pub fn conflict(kind: &KindInfo, name: &str, why: impl AsRef<str>) -> Self {
        let msg = format!(
            "Operation cannot be fulfilled on {} \"{name}\": {}",
            kind.qualified(),
            why.as_ref()
        );
        Self::new(409, "Conflict", msg).about(kind, name)
    }

    /// 409 from server-side apply when other managers own fields being changed.
    pub fn apply_conflict(kind: &KindInfo, name: &str, lines: &[String]) -> Self {
        let n = lines.len();
        let plural = if n == 1 { "" } else { "s" };
        let msg = format!(
            "Apply failed with {n} conflict{plural}: {}",
            lines.join("; ")
        );
        Self::new(409, "Conflict", msg).about(kind, name)
    }

    /// 422 naming the offending field: `Deployment.apps "web" is invalid: spec.selector: Required value`.
    pub fn invalid(kind: &KindInfo, name: &str, field: &str, what: impl AsRef<str>) -> Self {
        let qualified = if kind.group.is_empty() {
            kind.kind.to_string()
        } else {
            format!("{}.{}", kind.kind, kind.group)
        };
        let msg = format!(
            "{qualified} \"{name}\" is invalid: {field}: {}",
            what.as_ref()
        );
        let mut e = Self::new(422, "Invalid", msg).about(kind, name);
        e.details["causes"] =
            json!([{ "reason": "FieldValueInvalid", "message": what.as_ref(), "field": field }]);
        e
    }

    /// 400 for a request the server cannot make sense of.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 405 for a verb the resource does not support.
    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(405, "MethodNotAllowed", message)
    }

    /// 415 for patch types the emulator does not speak (JSON patch).
    pub fn unsupported_media(content_type: &str) -> Self {
        Self::new(415, "UnsupportedMediaType", format!("the body of the request was in an unknown format - accepted media types include: application/apply-patch+yaml, application/merge-patch+json, application/strategic-merge-patch+json (got {content_type})"))
    }

    /// 410 for a watch that asks for history the emulator no longer holds.
    pub fn gone(rv: u64) -> Self {
        Self::new(410, "Expired", format!("too old resource version: {rv}"))
    }

    /// The `Status` object.
    pub fn to_status(&self) -> Value {
        let mut v = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if !self.details.is_null() {
            v["details"] = self.details.clone();
        }
        v
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = StatusCode::from_u16(self.code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (code, axum::Json(self.to_status())).into_response()
    }
}

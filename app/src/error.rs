//! The one error type server functions return. Messages are written for people: internals are
//! logged on the server and never sent to the browser.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not found: {0}")]
    NotFound(String),
    #[error("bad request: {0}")]
    BadRequest(String),
    /// No signed-in user (or the session ended): sign in and retry.
    #[error("sign-in required")]
    Unauthorized,
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// Conflicts with what is stored (an open request for the same app, a state that moved on).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("{0}")]
    Internal(String),
    /// Transport problems (server unreachable, bad response) as seen from the browser.
    #[error("could not reach the server: {0}")]
    Transport(String),
}

impl AppError {
    /// The HTTP status this error answers with (server functions and plain routes alike).
    pub fn status_code(&self) -> u16 {
        match self {
            AppError::Unauthorized => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::BadRequest(_) => 400,
            AppError::Conflict(_) => 409,
            AppError::Internal(_) | AppError::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // On the server these mean the request's arguments did not decode (a field missing
            // or of the wrong type): the caller's mistake, answered 400 with the decoder's
            // words, which name the field. In the browser they stay transport errors.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Args(message)
            | ServerFnErrorErr::MissingArg(message)
            | ServerFnErrorErr::Deserialization(message) => {
                let error = AppError::BadRequest(format!("malformed input: {message}"));
                crate::service::set_status_for(&error);
                error
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

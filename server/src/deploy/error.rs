//! What goes wrong with a deploy request, worded for the person who asked. Converted once into
//! the UI's and the API's [`AppError`] (400 names the field, 403, 404, 409).

use atrium_app::error::AppError;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The request is malformed or cannot apply; `field` is its JSON path (`change.set_image.tag`).
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    #[error("{0}")]
    NotFound(String),
    /// Refused for this person (four-eyes, a token approving, the policy).
    #[error("{0}")]
    Refused(String),
    /// Conflicts with another request or a state that moved on.
    #[error("{0}")]
    Conflict(String),
    #[error("the deploy store failed")]
    Store(#[source] StoreError),
    #[error("the environment's repository could not be read: {0}")]
    Repo(String),
}

pub type Result<T, E = DeployError> = std::result::Result<T, E>;

impl DeployError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        DeployError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<StoreError> for DeployError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(text) => DeployError::Conflict(text),
            other => DeployError::Store(other),
        }
    }
}

impl From<DeployError> for AppError {
    fn from(error: DeployError) -> Self {
        let text = error.to_string();
        match error {
            DeployError::Invalid { .. } => AppError::BadRequest(text),
            DeployError::NotFound(_) => AppError::NotFound(text),
            DeployError::Refused(_) => AppError::Forbidden(text),
            DeployError::Conflict(_) => AppError::Conflict(text),
            DeployError::Store(source) => {
                tracing::error!("deploy store: {source}");
                AppError::Internal(
                    "the deploy requests could not be read or written; try again".into(),
                )
            }
            DeployError::Repo(cause) => {
                tracing::error!("deploy repository: {cause}");
                AppError::Internal(text)
            }
        }
    }
}

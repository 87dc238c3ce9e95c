//! What can go wrong in the engine, and how each failure reads to a person. The texts are the
//! ones the UI shows (the environment card's error, a refused sync), so they stay stable; the
//! conversion into the UI's [`AppError`] happens once, at the `EngineService` boundary.

use std::sync::Arc;

use atrium_app::error::AppError;

use crate::cluster::driver;
use crate::store::StoreError;
use crate::util::error_chain;

/// An engine failure.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The cluster could not be connected at start (a kubeconfig context that does not load).
    #[error(transparent)]
    Connect(#[from] crate::cluster::ConnectError),
    /// The environment has no cluster to apply to: connecting it failed at start.
    #[error("{env}: {source}")]
    NoCluster {
        env: String,
        #[source]
        source: Arc<EngineError>,
    },
    /// An app's destination is not one of the environment's clusters (its render says so).
    #[error("{env}: no cluster `{cluster}` is configured")]
    UnknownCluster { env: String, cluster: String },
    /// The cluster's API failed a list or an apply; the text carries the whole cause chain,
    /// which names the address that did not answer.
    #[error("the cluster did not answer: {}", error_chain(.0))]
    ClusterUnreachable(#[source] driver::Error),
    /// Fetching the mirror of a repo given by URL failed (the text names the URL).
    #[error("{0}")]
    Fetch(String),
    /// The fetch task itself did not finish.
    #[error("fetching {url}: {source}")]
    FetchTask {
        url: String,
        #[source]
        source: tokio::task::JoinError,
    },
    /// The render task did not finish; the last rendered tree stays.
    #[error("render task failed: {0}")]
    RenderTask(#[source] tokio::task::JoinError),
    #[error("no environment `{0}` is configured")]
    UnknownEnvironment(String),
    #[error("no app `{app}` in {env}")]
    UnknownApp { env: String, app: String },
    #[error("no node `{node}` in {env}")]
    UnknownNode { env: String, node: String },
    #[error("no resource `{key}` in {app}")]
    UnknownResource { app: String, key: String },
    #[error("compare needs two different environments (both are `{0}`)")]
    CompareWithItself(String),
    /// Nothing is applied from an app that did not render completely.
    #[error("{app} did not render ({status}), so nothing is applied: {message}")]
    NotRendered {
        app: String,
        status: &'static str,
        message: String,
    },
    /// An ApplicationSet has nothing of its own to apply.
    #[error("{app} is an ApplicationSet: it has nothing of its own to apply; sync the Applications it generates")]
    SetNotSynced { app: String },
    /// Reading an app's sync history failed.
    #[error("the sync history could not be read")]
    SyncHistory(#[source] StoreError),
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

impl From<EngineError> for AppError {
    /// Unknown names are "not found", refusals are "bad request"; the rest is logged with its
    /// cause and shown as its own text, which names no internals.
    fn from(error: EngineError) -> Self {
        let text = error.to_string();
        match error {
            EngineError::UnknownEnvironment(_)
            | EngineError::UnknownApp { .. }
            | EngineError::UnknownNode { .. }
            | EngineError::UnknownResource { .. } => AppError::NotFound(text),
            EngineError::NotRendered { .. }
            | EngineError::SetNotSynced { .. }
            | EngineError::NoCluster { .. }
            | EngineError::UnknownCluster { .. }
            | EngineError::CompareWithItself(_) => AppError::BadRequest(text),
            EngineError::SyncHistory(source) => {
                tracing::error!("reading syncs failed: {source}");
                AppError::Internal(text)
            }
            EngineError::Connect(_)
            | EngineError::ClusterUnreachable(_)
            | EngineError::Fetch(_)
            | EngineError::FetchTask { .. }
            | EngineError::RenderTask(_) => {
                tracing::error!("{text}");
                AppError::Internal(text)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ui_reads_the_texts_it_always_did() {
        let unknown: AppError = EngineError::UnknownEnvironment("x".into()).into();
        assert_eq!(
            unknown,
            AppError::NotFound("no environment `x` is configured".into())
        );
        let refused: AppError = EngineError::NotRendered {
            app: "cart".into(),
            status: "error",
            message: "kustomize failed".into(),
        }
        .into();
        assert_eq!(
            refused,
            AppError::BadRequest(
                "cart did not render (error), so nothing is applied: kustomize failed".into()
            )
        );
        let connect = Arc::new(EngineError::Connect(
            crate::cluster::ConnectError::Kubeconfig {
                context: "gone".into(),
                source: "no such context".into(),
            },
        ));
        let no_cluster: AppError = EngineError::NoCluster {
            env: "prod".into(),
            source: connect,
        }
        .into();
        assert_eq!(
            no_cluster,
            AppError::BadRequest("prod: kubeconfig context `gone`: no such context".into())
        );
    }
}

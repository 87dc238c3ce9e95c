//! The engine as the UI sees it (`EngineService`): environments, their trees, node details,
//! syncs. The reconciler behind it lands with the environment configuration; until then an
//! Atrium knows no environments and says so.

use atrium_app::dto::env::{EnvironmentSummary, NodeDetail, SyncRecordView, TreeView};
use atrium_app::error::AppError;
use atrium_app::service::{Caller, EngineService};

#[derive(Default)]
pub struct Engine;

fn unknown(env: &str) -> AppError {
    AppError::NotFound(format!("no environment `{env}` is configured"))
}

#[async_trait::async_trait]
impl EngineService for Engine {
    async fn environments(&self) -> Vec<EnvironmentSummary> {
        Vec::new()
    }

    async fn tree(&self, env: &str) -> Result<TreeView, AppError> {
        Err(unknown(env))
    }

    async fn node(&self, env: &str, _node: &str) -> Result<NodeDetail, AppError> {
        Err(unknown(env))
    }

    async fn sync(
        &self,
        _caller: &Caller,
        env: &str,
        _app: &str,
        _prune: bool,
    ) -> Result<SyncRecordView, AppError> {
        Err(unknown(env))
    }

    fn refresh(&self, env: &str) -> Result<(), AppError> {
        Err(unknown(env))
    }
}

//! The seam between UI and domain: server functions take these services from Leptos context;
//! `server/` implements them. Server-only (`ssr`).

use std::sync::Arc;

use crate::dto::audit::{AuditPageView, AuditQuery, ChainStatusView};
use crate::dto::auth::{LoginOptions, UserView};
use crate::dto::compare::{CompareView, ResourcePair};
use crate::dto::deploy::{
    ApiApp, ApiEnvironment, Change, ChangePreview, DeployOptions, FreezeView, Lineage, NewRequest,
    NewToken, RequestQuery, RequestView, TokenView,
};
use crate::dto::env::{
    EnvironmentSummary, NodeDetail, RunningInView, SyncRecordView, TreeDelta, TreeView,
};
use crate::dto::matrix::MatrixView;
use crate::dto::node::NodeId;
use crate::dto::{CatalogErrorView, CatalogStatus, EntityView, SearchRequest, SearchResults};
use crate::error::AppError;

/// Read and refresh the software catalog.
pub trait CatalogService: Send + Sync + 'static {
    fn search(&self, req: &SearchRequest) -> Result<SearchResults, AppError>;
    /// `entity_ref` is `kind:namespace/name`, any case.
    fn entity(&self, entity_ref: &str) -> Option<EntityView>;
    fn errors(&self) -> Vec<CatalogErrorView>;
    fn status(&self) -> CatalogStatus;
    /// Ask for a refresh of every source; returns at once (progress via `status`).
    fn request_refresh(&self);
}

/// The caller of one request, resolved once by the server's request middleware from the session
/// cookie and put in the request's extensions. `user` is `None` for anonymous requests.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    pub user: Option<UserView>,
    /// Atrium's id of this request.
    pub request_id: Option<String>,
    /// The client's own `x-request-id`, when valid; for the audit trail's `client_request_id`.
    pub client_request_id: Option<String>,
    pub client_ip: Option<String>,
    /// Authenticated by a personal API token (automation), not a browser session.
    pub via_token: bool,
}

/// The one enforcement point: every server function and HTTP route asks it.
#[async_trait::async_trait]
pub trait AccessService: Send + Sync + 'static {
    /// `Ok` when `caller` may do `action` on `resource` `object` (`<environment>/<app>`, or `*`).
    /// Anonymous callers get [`AppError::Unauthorized`]; refusals are [`AppError::Forbidden`]
    /// and are written to the audit trail.
    async fn authorize(
        &self,
        caller: &Caller,
        resource: &str,
        action: &str,
        object: &str,
    ) -> Result<(), AppError>;
    /// The same decision without auditing, for UI hints (show or hide a link).
    fn allows(&self, caller: &Caller, resource: &str, action: &str, object: &str) -> bool;
    fn login_options(&self) -> LoginOptions;
    /// Apps Component `entity_ref` claims that another team's Component claims too (so no
    /// team owns them), one message each.
    fn owner_conflicts(&self, entity_ref: &str) -> Vec<String>;
}

/// Read and verify the audit trail.
#[async_trait::async_trait]
pub trait AuditService: Send + Sync + 'static {
    async fn page(&self, query: &AuditQuery) -> Result<AuditPageView, AppError>;
    async fn verify(&self) -> Result<ChainStatusView, AppError>;
}

/// The App-of-Apps engine: environments, their trees, syncs.
#[async_trait::async_trait]
pub trait EngineService: Send + Sync + 'static {
    /// Every configured environment, in promotion order.
    async fn environments(&self) -> Vec<EnvironmentSummary>;
    async fn tree(&self, env: &str) -> Result<TreeView, AppError>;
    /// The rows changed since version `since`, when that version is recent and the tree kept
    /// its shape; `None`: fetch the whole tree.
    async fn tree_delta(&self, env: &str, since: u64) -> Result<Option<TreeDelta>, AppError>;
    async fn node(&self, env: &str, node: &NodeId) -> Result<NodeDetail, AppError>;
    /// Sync one app now (permission already checked by the caller); recorded and audited.
    async fn sync(
        &self,
        caller: &Caller,
        env: &str,
        app: &str,
        prune: bool,
    ) -> Result<SyncRecordView, AppError>;
    /// The apps a catalog Component stands for (its `argocd/app-name` or `argocd/app-selector`
    /// annotation, else its name) in every environment; permissions are the caller's to apply.
    async fn running_in(&self, name: &str, annotations: &[(String, String)]) -> RunningInView;
    /// Re-read Git and the cluster now, without waiting for the timer.
    fn refresh(&self, env: &str) -> Result<(), AppError>;
    /// Two environments' apps and resources, classed (permissions are the caller's to apply).
    async fn compare(&self, from: &str, to: &str) -> Result<CompareView, AppError>;
    /// One resource of an app in both environments: desired YAML, diff, live status.
    async fn compare_resource(
        &self,
        from: &str,
        to: &str,
        app: &str,
        key: &str,
    ) -> Result<ResourcePair, AppError>;
}

/// Deploy requests, approvals, lineage and API tokens. Each method asks the access service
/// itself (the object is the request's `<env>/<app>`, known only once the request is read).
#[async_trait::async_trait]
pub trait DeployService: Send + Sync + 'static {
    async fn create(&self, caller: &Caller, new: NewRequest) -> Result<RequestView, AppError>;
    async fn get(&self, caller: &Caller, id: &str) -> Result<RequestView, AppError>;
    async fn list(
        &self,
        caller: &Caller,
        query: RequestQuery,
    ) -> Result<Vec<RequestView>, AppError>;
    /// Approve (`approve`) or reject. Sessions only, never the requester.
    async fn decide(
        &self,
        caller: &Caller,
        id: &str,
        approve: bool,
        comment: &str,
    ) -> Result<RequestView, AppError>;
    async fn cancel(&self, caller: &Caller, id: &str) -> Result<RequestView, AppError>;
    async fn override_window(&self, caller: &Caller, id: &str) -> Result<RequestView, AppError>;
    /// How many requests wait for the caller's approval (the top bar's badge).
    async fn awaiting(&self, caller: &Caller) -> Result<usize, AppError>;
    async fn options(
        &self,
        caller: &Caller,
        env: &str,
        app: &str,
    ) -> Result<DeployOptions, AppError>;
    /// The diff `change` would commit now (nothing is written); needs `applications, get`.
    async fn preview(
        &self,
        caller: &Caller,
        env: &str,
        app: &str,
        change: &Change,
    ) -> Result<ChangePreview, AppError>;
    async fn history(
        &self,
        caller: &Caller,
        env: &str,
        app: &str,
    ) -> Result<Vec<RequestView>, AppError>;
    async fn lineage(&self, caller: &Caller, env: &str, app: &str) -> Result<Lineage, AppError>;
    async fn set_freeze(
        &self,
        caller: &Caller,
        env: &str,
        frozen: bool,
        reason: &str,
    ) -> Result<(), AppError>;
    async fn freezes(&self, caller: &Caller) -> Result<Vec<FreezeView>, AppError>;
    /// Apps × environments with versions, sync and health; only cells the caller may read.
    async fn matrix(&self, caller: &Caller) -> Result<MatrixView, AppError>;
    async fn api_environments(&self, caller: &Caller) -> Result<Vec<ApiEnvironment>, AppError>;
    async fn api_apps(&self, caller: &Caller, env: &str) -> Result<Vec<ApiApp>, AppError>;
    async fn create_token(
        &self,
        caller: &Caller,
        name: &str,
        expires_days: Option<u32>,
    ) -> Result<NewToken, AppError>;
    async fn tokens(&self, caller: &Caller) -> Result<Vec<TokenView>, AppError>;
    async fn revoke_token(&self, caller: &Caller, id: &str) -> Result<(), AppError>;
}

/// Everything server functions need, provided once per request by the server.
#[derive(Clone)]
pub struct Services {
    pub catalog: Arc<dyn CatalogService>,
    pub access: Arc<dyn AccessService>,
    pub audit: Arc<dyn AuditService>,
    pub engine: Arc<dyn EngineService>,
    pub deploys: Arc<dyn DeployService>,
}

/// The services from context; a missing context is a wiring bug, reported without internals.
pub fn services() -> Result<Services, AppError> {
    leptos::prelude::use_context::<Services>()
        .ok_or_else(|| AppError::Internal("server services are not available".into()))
}

/// The caller of the current request (anonymous when the middleware did not run, e.g. in tests
/// that render without it).
pub fn caller() -> Caller {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Caller>().cloned())
        .unwrap_or_default()
}

/// Check permission for the current request and hand back the services and the caller. The
/// response status follows the answer (401 / 403), so plain HTTP clients see it too.
pub async fn authorize(
    resource: &str,
    action: &str,
    object: &str,
) -> Result<(Services, Caller), AppError> {
    let services = services()?;
    let caller = caller();
    match services
        .access
        .authorize(&caller, resource, action, object)
        .await
    {
        Ok(()) => Ok((services, caller)),
        Err(error) => Err(failed(error)),
    }
}

/// A server function's result, with the HTTP status following an error (404, 400…), so plain
/// HTTP clients and the authorisation matrix see what happened.
pub fn reply<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    result.map_err(failed)
}

fn failed(error: AppError) -> AppError {
    // Only for server-function calls: a page rendering on the server calls these too, and its
    // own status must not become the status of one of its parts.
    let is_api_call = leptos::prelude::use_context::<http::request::Parts>()
        .is_some_and(|parts| parts.uri.path().starts_with("/api/"));
    if is_api_call {
        set_status_for(&error);
    }
    error
}

/// A server function whose service asks the enforcement point itself (deploy requests: the
/// object is the request's `<env>/<app>`, known only once it is read). Anonymous callers are
/// refused here already.
pub fn signed_in() -> Result<(Services, Caller), AppError> {
    let caller = caller();
    if caller.user.is_none() {
        return Err(failed(AppError::Unauthorized));
    }
    Ok((services()?, caller))
}

/// A server function anyone may call, signed in or not (sign-in options, who am I).
pub fn public() -> Result<(Services, Caller), AppError> {
    Ok((services()?, caller()))
}

/// Answer this server-function call with `error`'s HTTP status.
pub(crate) fn set_status_for(error: &AppError) {
    use leptos_axum::ResponseOptions;
    let Ok(status) = http::StatusCode::from_u16(error.status_code()) else {
        return;
    };
    if let Some(options) = leptos::prelude::use_context::<ResponseOptions>() {
        options.set_status(status);
    }
}

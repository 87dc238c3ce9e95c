//! Server functions of deploy requests: ask, read, decide, cancel; the deploy dialog's options,
//! an app's history and lineage; freezes; personal API tokens. The deploy service asks the
//! enforcement point for each (the object is the request's `<env>/<app>`); these only require
//! a signed-in caller and map the answer's status. The JSON API under `/api/v1` calls the same
//! service with the same types.

use leptos::prelude::*;

use crate::dto::deploy::{
    Change, ChangePreview, DeployOptions, FreezeView, Lineage, NewRequest, NewToken, RequestQuery,
    RequestView, TokenView,
};
use crate::dto::matrix::MatrixView;
use crate::error::AppError;

#[server(prefix = "/api", endpoint = "deploys/create", input = crate::codec::Json, output = crate::codec::Reply)]
pub async fn create_request(new: NewRequest) -> Result<RequestView, AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(services.deploys.create(&caller, new).await)
}

#[server(prefix = "/api", endpoint = "deploys/get", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn get_request(id: String) -> Result<RequestView, AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(services.deploys.get(&caller, &id).await)
}

#[server(prefix = "/api", endpoint = "deploys/list", input = crate::codec::Json, output = crate::codec::Reply)]
pub async fn list_requests(query: RequestQuery) -> Result<Vec<RequestView>, AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(services.deploys.list(&caller, query).await)
}

#[server(prefix = "/api", endpoint = "deploys/decide", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn decide_request(
    id: String,
    approve: bool,
    #[server(default)] comment: String,
) -> Result<RequestView, AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(
        services
            .deploys
            .decide(&caller, &id, approve, &comment)
            .await,
    )
}

#[server(prefix = "/api", endpoint = "deploys/cancel", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn cancel_request(id: String) -> Result<RequestView, AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(services.deploys.cancel(&caller, &id).await)
}

#[server(prefix = "/api", endpoint = "deploys/override-window", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn override_window(id: String) -> Result<RequestView, AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(services.deploys.override_window(&caller, &id).await)
}

/// Requests waiting for the caller's approval (the top bar's badge).
#[server(prefix = "/api", endpoint = "deploys/awaiting", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn awaiting_count() -> Result<usize, AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(services.deploys.awaiting(&caller).await)
}

#[server(prefix = "/api", endpoint = "deploys/options", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn get_deploy_options(env: String, app: String) -> Result<DeployOptions, AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(services.deploys.options(&caller, &env, &app).await)
}

/// The diff a change would commit now (the deploy dialog's "What changes").
#[server(prefix = "/api", endpoint = "deploys/preview", input = crate::codec::Json, output = crate::codec::Reply)]
pub async fn preview_change(
    env: String,
    app: String,
    change: Change,
) -> Result<ChangePreview, AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(services.deploys.preview(&caller, &env, &app, &change).await)
}

#[server(prefix = "/api", endpoint = "deploys/history", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn deploy_history(env: String, app: String) -> Result<Vec<RequestView>, AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(services.deploys.history(&caller, &env, &app).await)
}

#[server(prefix = "/api", endpoint = "deploys/lineage", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn app_lineage(env: String, app: String) -> Result<Lineage, AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(services.deploys.lineage(&caller, &env, &app).await)
}

#[server(prefix = "/api", endpoint = "deploys/freeze", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn set_freeze(
    env: String,
    frozen: bool,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(
        services
            .deploys
            .set_freeze(&caller, &env, frozen, &reason)
            .await,
    )
}

/// The version matrix (apps × environments).
#[server(prefix = "/api", endpoint = "deploys/matrix", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn version_matrix() -> Result<MatrixView, AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(services.deploys.matrix(&caller).await)
}

#[server(prefix = "/api", endpoint = "deploys/freezes", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn list_freezes() -> Result<Vec<FreezeView>, AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(services.deploys.freezes(&caller).await)
}

#[server(prefix = "/api", endpoint = "tokens/create", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn create_token(
    name: String,
    #[server(default)] expires_days: Option<u32>,
) -> Result<NewToken, AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(
        services
            .deploys
            .create_token(&caller, &name, expires_days)
            .await,
    )
}

#[server(prefix = "/api", endpoint = "tokens/list", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn list_tokens() -> Result<Vec<TokenView>, AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(services.deploys.tokens(&caller).await)
}

#[server(prefix = "/api", endpoint = "tokens/revoke", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn revoke_token(id: String) -> Result<(), AppError> {
    let (services, caller) = crate::service::signed_in()?;
    crate::service::reply(services.deploys.revoke_token(&caller, &id).await)
}

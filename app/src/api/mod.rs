//! Server functions: thin edges. Each one asks the one enforcement point
//! ([`crate::service::authorize`]) before it delegates, or says in its name that it is public.
//! `server/tests/authz_matrix.rs` holds a row for every function here: add one there too.

pub mod compare;
pub mod deploy;
pub mod env;

use leptos::prelude::*;

// `CatalogStatus` is not imported: `#[server] fn catalog_status` generates a struct of that name.
use crate::dto::audit::{AuditPageView, AuditQuery, ChainStatusView};
use crate::dto::auth::{LoginOptions, SessionView};
use crate::dto::{CatalogErrorView, EntityView, SearchRequest, SearchResults};
use crate::error::AppError;

// JSON in: the filters are a list of pairs, which URL encoding handles poorly.
#[server(prefix = "/api", endpoint = "catalog/search", input = crate::codec::Json, output = crate::codec::Reply)]
pub async fn search_catalog(req: SearchRequest) -> Result<SearchResults, AppError> {
    let (services, _) = crate::service::authorize("catalog", "get", "*").await?;
    services.catalog.search(&req)
}

#[server(prefix = "/api", endpoint = "catalog/entity", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn get_entity(entity_ref: String) -> Result<EntityView, AppError> {
    let (services, _) = crate::service::authorize("catalog", "get", "*").await?;
    crate::service::reply(
        services
            .catalog
            .entity(&entity_ref)
            .ok_or_else(|| AppError::NotFound(format!("no entity {entity_ref} in the catalog"))),
    )
}

#[server(prefix = "/api", endpoint = "catalog/errors", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn catalog_errors() -> Result<Vec<CatalogErrorView>, AppError> {
    let (services, _) = crate::service::authorize("catalog", "get", "*").await?;
    Ok(services.catalog.errors())
}

#[server(prefix = "/api", endpoint = "catalog/status", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn catalog_status() -> Result<crate::dto::CatalogStatus, AppError> {
    let (services, _) = crate::service::authorize("catalog", "get", "*").await?;
    Ok(services.catalog.status())
}

#[server(prefix = "/api", endpoint = "catalog/refresh", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn refresh_catalog() -> Result<crate::dto::CatalogStatus, AppError> {
    let (services, _) = crate::service::authorize("catalog", "reload", "*").await?;
    services.catalog.request_refresh();
    Ok(services.catalog.status())
}

/// Who is signed in (anonymous callers get an empty view, not an error).
#[server(prefix = "/api", endpoint = "auth/session", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn current_session() -> Result<SessionView, AppError> {
    let (services, caller) = crate::service::public()?;
    let demo = !services.access.login_options().oidc;
    let may_audit = services.access.allows(&caller, "audit", "get", "*");
    let may_export_audit = services.access.allows(&caller, "audit", "export", "*");
    let may_freeze = if caller.user.is_some() {
        let envs = services.engine.environments().await;
        envs.into_iter()
            .map(|e| e.name)
            .filter(|env| {
                services
                    .access
                    .allows(&caller, "settings", "update", &format!("{env}/*"))
            })
            .collect()
    } else {
        Vec::new()
    };
    let may_approve = services.access.allows(&caller, "approvals", "approve", "*");
    Ok(SessionView {
        user: caller.user,
        demo,
        may_audit,
        may_export_audit,
        may_freeze,
        may_approve,
    })
}

/// How to sign in: single sign-on, or the demo users of the embedded default.
#[server(prefix = "/api", endpoint = "auth/options", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn sign_in_options() -> Result<LoginOptions, AppError> {
    let (services, _) = crate::service::public()?;
    Ok(services.access.login_options())
}

#[server(prefix = "/api", endpoint = "audit/events", input = crate::codec::Json, output = crate::codec::Reply)]
pub async fn audit_events(query: AuditQuery) -> Result<AuditPageView, AppError> {
    let (services, _) = crate::service::authorize("audit", "get", "*").await?;
    crate::service::reply(services.audit.page(&query).await)
}

#[server(prefix = "/api", endpoint = "audit/verify", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn verify_audit_chain() -> Result<ChainStatusView, AppError> {
    let (services, _) = crate::service::authorize("audit", "get", "*").await?;
    crate::service::reply(services.audit.verify().await)
}

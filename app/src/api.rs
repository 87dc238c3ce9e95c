//! Server functions: thin edges that take the services from context and delegate.

use leptos::prelude::*;

// `CatalogStatus` is not imported: `#[server] fn catalog_status` generates a struct of that name.
use crate::dto::{CatalogErrorView, EntityView, SearchRequest, SearchResults};
use crate::error::AppError;

// JSON in: the filters are a list of pairs, which URL encoding handles poorly.
#[server(prefix = "/api", endpoint = "catalog/search", input = leptos::server_fn::codec::Json)]
pub async fn search_catalog(req: SearchRequest) -> Result<SearchResults, AppError> {
    let services = crate::service::services()?;
    services.catalog.search(&req)
}

#[server(prefix = "/api", endpoint = "catalog/entity")]
pub async fn get_entity(entity_ref: String) -> Result<EntityView, AppError> {
    let services = crate::service::services()?;
    services
        .catalog
        .entity(&entity_ref)
        .ok_or_else(|| AppError::NotFound(format!("no entity {entity_ref} in the catalog")))
}

#[server(prefix = "/api", endpoint = "catalog/errors")]
pub async fn catalog_errors() -> Result<Vec<CatalogErrorView>, AppError> {
    let services = crate::service::services()?;
    Ok(services.catalog.errors())
}

#[server(prefix = "/api", endpoint = "catalog/status")]
pub async fn catalog_status() -> Result<crate::dto::CatalogStatus, AppError> {
    let services = crate::service::services()?;
    Ok(services.catalog.status())
}

#[server(prefix = "/api", endpoint = "catalog/refresh")]
pub async fn refresh_catalog() -> Result<crate::dto::CatalogStatus, AppError> {
    let services = crate::service::services()?;
    services.catalog.request_refresh();
    Ok(services.catalog.status())
}

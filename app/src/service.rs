//! The seam between UI and domain: server functions take these services from Leptos context;
//! `server/` implements them. Server-only (`ssr`).

use std::sync::Arc;

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

/// Everything server functions need, provided once per request by the server.
#[derive(Clone)]
pub struct Services {
    pub catalog: Arc<dyn CatalogService>,
}

/// The services from context; a missing context is a wiring bug, reported without internals.
pub fn services() -> Result<Services, AppError> {
    leptos::prelude::use_context::<Services>()
        .ok_or_else(|| AppError::Internal("server services are not available".into()))
}

//! The catalog's status (entity and error counts, sources, refresh progress), fetched once per
//! page load and shared by the top bar badge and the errors page, which refetches it after a
//! refresh so the badge follows.

use leptos::prelude::*;

use crate::api::catalog_status;
use crate::dto::CatalogStatus;
use crate::error::AppError;

/// Context handle; read it inside a `<Transition>` so the server waits for it.
#[derive(Clone, Copy)]
pub struct StatusContext(pub Resource<Result<CatalogStatus, AppError>>);

/// Creates the shared status resource; call once, high in the tree.
pub fn provide_catalog_status() {
    let status = Resource::new(|| (), |_| catalog_status());
    provide_context(StatusContext(status));
}

/// The shared status resource.
pub fn use_catalog_status() -> Resource<Result<CatalogStatus, AppError>> {
    expect_context::<StatusContext>().0
}

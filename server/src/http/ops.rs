//! The operator's probes: `/healthz` (liveness: the database answers), `/readyz` (the catalog
//! is loaded: from the database on a restart, else by its first refresh) and `/metrics`
//! (Prometheus text format).

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;

use super::state::AppState;

pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(error) => {
            tracing::error!("health check: {error}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

/// Ready once the catalog is whole: every source's stored snapshot loaded at start (a restart
/// serves what the database holds while the sources are read again), else after the first
/// refresh (liveness is `/healthz`).
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.catalog.is_ready() {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "catalog not loaded yet\n")
    }
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

//! The operator's probes: `/healthz` (liveness: the database answers), `/readyz` (the catalog
//! is loaded, and the database answers) and `/metrics` (Prometheus text format).

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

/// Ready once the catalog is whole, and while the database answers: a load balancer sends
/// nobody to a replica whose pages would fail. Whole: every source's stored snapshot loaded at
/// start (a restart serves what the database holds while the sources are read again), else
/// the first refresh done. Not the engine's first pass: on the leader that pass includes the
/// first auto-syncs, which may take minutes. Liveness is `/healthz`.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let unavailable = StatusCode::SERVICE_UNAVAILABLE;
    if !state.catalog.is_ready() {
        return (unavailable, "catalog not loaded yet\n");
    }
    if let Err(error) = state.store.ping().await {
        tracing::warn!("readiness check: {error}");
        return (unavailable, "database unavailable\n");
    }
    (StatusCode::OK, "ready\n")
}

pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

//! The HTTP surface: one route table. Leptos pages and server functions, static site files,
//! `/healthz` and `/metrics`.

use std::sync::{Arc, LazyLock};

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use metrics_exporter_prometheus::PrometheusHandle;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use atrium_app::error::AppError;
use atrium_app::service::Services;
use atrium_app::{shell, App};

use crate::auth::guard::CspNonce;
use crate::auth::Auth;
use crate::catalog::service::Catalog;
use crate::store::Store;

/// Everything handlers need, built once at start-up.
#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub services: Services,
    pub catalog: Arc<Catalog>,
    pub store: Store,
    pub metrics: PrometheusHandle,
    pub auth: Arc<Auth>,
    pub engine: Arc<crate::gitops::engine::Engine>,
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// The page routes, generated once per process. Generating them sets a process-global flag that
/// parks any `Resource` first polled meanwhile forever (leptos-rs/leptos#4773), so a second
/// generation while another router serves (tests build one router each) could hang a page.
static ROUTES: LazyLock<Vec<leptos_axum::AxumRouteListing>> =
    LazyLock::new(|| generate_route_list(App));

/// The whole application as a router, separate from `serve` so tests drive it with `oneshot`.
pub fn router(state: AppState) -> Router {
    let routes = ROUTES.clone();
    let services = state.services.clone();
    let leptos = state.leptos.clone();
    let pkg_dir = std::path::Path::new(&*leptos.site_root).join(&*leptos.site_pkg_dir);
    let x_request_id = header::HeaderName::from_static("x-request-id");
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/audit/export", get(crate::audit::export::export))
        .route("/api/envs/{env}/events", get(crate::gitops::events::events))
        .merge(crate::auth::routes::routes())
        .nest_service(
            &format!("/{}", leptos.site_pkg_dir),
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-cache"),
                ))
                .service(ServeDir::new(pkg_dir)),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(services.clone());
                // Leptos made its own nonce; use the one the CSP header carries instead.
                let nonce = use_context::<http::request::Parts>()
                    .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
                if let Some(nonce) = nonce {
                    provide_context(leptos::nonce::Nonce::from_value(nonce.0));
                }
            },
            move || shell(leptos.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::guard::guard,
        ))
        .layer(CompressionLayer::new())
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .with_state(state)
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(error) => {
            tracing::error!("health check: {error}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
        }
    }
}

/// Ready once the catalog finished its first refresh (liveness is `/healthz`).
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    if state.catalog.generation() > 0 {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "catalog not loaded yet\n")
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}

/// An [`AppError`] as a plain HTTP response for non-Leptos routes: the status says what kind,
/// the body is the person-readable text (internals were logged where they happened).
pub fn error_response(error: AppError) -> Response {
    let status =
        StatusCode::from_u16(error.status_code()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, format!("{error}\n")).into_response()
}

//! The HTTP surface, and the one route table ([`router`]): Leptos pages and server functions,
//! static site files, sign-in ([`auth_routes`]), the audit export ([`export`]), the live feeds
//! (the tree: [`events`]; deploy requests: [`deploy_events`]) and the probes ([`ops`]), behind
//! the request guard ([`guard`]). Handlers are glue (extractors, status codes, headers) over the domain modules, which never import
//! this one.

pub mod api_v1;
pub mod auth_routes;
pub mod cookies;
pub mod deploy_events;
pub mod errors;
pub mod events;
pub mod export;
pub mod guard;
pub mod ops;
pub mod request_id;
pub mod session_bound;
pub mod state;
pub mod webhooks;

use std::sync::LazyLock;

use axum::http::{header, HeaderValue};
use axum::routing::{get, post};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use atrium_app::{shell, App};

pub use errors::error_response;
pub use state::AppState;

use guard::CspNonce;

/// The page routes, generated once per process. Generating them sets a process-global flag that
/// parks any `Resource` first polled meanwhile forever (leptos-rs/leptos#4773), so a second
/// generation while another router serves (tests build one router each) could hang a page.
static ROUTES: LazyLock<Vec<leptos_axum::AxumRouteListing>> =
    LazyLock::new(|| generate_route_list(App));

/// The whole application as a router, separate from `serve` so tests drive it with `oneshot`.
pub fn router(state: AppState) -> Router {
    let routes = ROUTES.clone();
    let services = state.services();
    let leptos = state.leptos.clone();
    let pkg_dir = std::path::Path::new(&*leptos.site_root).join(&*leptos.site_pkg_dir);
    let x_request_id = header::HeaderName::from_static("x-request-id");
    Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/api/audit/export", get(export::export))
        .route("/api/envs/{env}/events", get(events::events))
        .route("/api/deploys/events", get(deploy_events::events))
        .route(
            webhooks::PATH,
            post(webhooks::git).layer(axum::extract::DefaultBodyLimit::max(
                crate::webhook::MAX_BODY_BYTES,
            )),
        )
        .merge(api_v1::routes())
        .route("/auth/login", get(auth_routes::login))
        .route("/auth/callback", get(auth_routes::callback))
        .route("/auth/demo", post(auth_routes::demo))
        .route("/auth/logout", post(auth_routes::logout))
        .nest_service(
            &format!("/{}", leptos.site_pkg_dir),
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::if_not_present(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-cache"),
                ))
                // `.ci/build --release` writes `atrium.wasm.gz` next to the bundle: served
                // as it is to browsers that accept gzip, never compressed per request.
                .service(
                    ServeDir::new(pkg_dir)
                        .precompressed_br()
                        .precompressed_gzip(),
                ),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(services.clone());
                // Leptos made its own nonce; use the one the CSP header carries instead.
                let nonce = use_context::<axum::http::request::Parts>()
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
            guard::guard,
        ))
        // Not the WASM: compressing megabytes per request cost seconds per page load (31 MB
        // debug bundle: ten seconds to hydrate); it is served precompressed or, locally, as is.
        .layer(CompressionLayer::new().compress_when(
            DefaultPredicate::new().and(NotForContentType::const_new("application/wasm")),
        ))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(TraceLayer::new_for_http())
        // Atrium's own id for every request; a client's is set aside first (never trusted).
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .layer(axum::middleware::from_fn(request_id::set_aside_client_id))
        .with_state(state)
}

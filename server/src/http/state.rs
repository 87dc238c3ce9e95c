//! [`AppState`]: what the HTTP surface is handed at start-up, one handle per service, and the
//! one place the server functions' [`Services`] are made from those handles.

use std::sync::Arc;

use leptos::prelude::LeptosOptions;
use metrics_exporter_prometheus::PrometheusHandle;

use atrium_app::service::Services;

use crate::audit::views::AuditApi;
use crate::auth::Auth;
use crate::catalog::service::Catalog;
use crate::catalog::views::CatalogApi;
use crate::deploy::service::DeployApi;
use crate::deploy::Deploys;
use crate::gitops::engine::Engine;
use crate::store::Store;

/// Everything handlers need, built once at start-up. The handles are the concrete services:
/// start-up runs their loops and the HTTP routes need more of them than the UI's traits say
/// (sessions, sign-in, the engine's version feed); [`AppState::services`] is the UI's view of
/// the same handles.
#[derive(Clone)]
pub struct AppState {
    pub leptos: LeptosOptions,
    pub catalog: Arc<Catalog>,
    pub store: Store,
    pub metrics: PrometheusHandle,
    pub auth: Arc<Auth>,
    pub engine: Arc<Engine>,
    pub deploys: Deploys,
    /// Trusted proxies and the API's request budget.
    pub network: Arc<crate::auth::network::Network>,
    /// `[webhooks]`: the secrets push webhooks are signed with.
    pub webhooks: Arc<crate::webhook::WebhookConfig>,
}

impl AppState {
    /// The services server functions take from Leptos context, over this state's handles.
    pub fn services(&self) -> Services {
        Services {
            catalog: Arc::new(CatalogApi(self.catalog.clone())),
            access: self.auth.access.clone(),
            audit: Arc::new(AuditApi(self.store.clone())),
            engine: self.engine.clone(),
            deploys: Arc::new(DeployApi {
                deploys: self.deploys.clone(),
                access: self.auth.access.clone(),
            }),
        }
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

//! Deploys, rollbacks and promotions: requests, their approval policy and windows, and the
//! executor that turns an approved request into one Git commit on the environment's branch and
//! a sync of the app, with the lineage from request to cluster.
//!
//! One file per job:
//! - [`requests`]: asking (validation against the environment, storing);
//! - [`decide`]: approving, rejecting, cancelling, window overrides, freezes;
//! - [`executor`]: carrying approved requests out (commit, push, sync, health), crash-safe;
//! - [`views`]: what the UI and the API are shown; [`preview`]: a change's diff before asking;
//! - [`state`] the state machine, [`policy`] and [`windows`] the environment's rules;
//! - [`edit`], [`yaml_edit`], [`image`] and [`git_write`]: the change to the repository;
//! - [`ports`]: what the workflow needs from the engine.

pub mod decide;
pub mod edit;
pub mod error;
pub mod executor;
pub mod file_diff;
pub mod git_write;
pub mod image;
pub mod lineage;
pub mod matrix;
pub mod notify;
pub mod policy;
pub mod ports;
pub mod preview;
pub mod requests;
pub mod service;
pub mod state;

pub mod views;
pub mod windows;
pub mod yaml_edit;

use std::sync::Arc;

use tokio::sync::{watch, Notify};

use crate::audit::Actor;
use crate::store::deploys::{RequestFilter, RequestRow};
use crate::store::Store;
pub use error::{DeployError, Result};
use policy::DeploySettings;
use ports::EnvRepo;

/// The deploy workflow. Cheap to clone (everything is shared).
#[derive(Clone)]
pub struct Deploys {
    store: Store,
    engine: Arc<dyn ports::Engine>,
    settings: Arc<DeploySettings>,
    /// Wakes the executor (a request was approved, a window overridden, a freeze lifted).
    wake: Arc<Notify>,
    /// Bumped on every change of any request, for live pages: `(version, environment)`.
    changes: Arc<watch::Sender<(u64, String)>>,
    /// Only the leader runs the executor and the notifier.
    leadership: Arc<crate::replicas::Leadership>,
    /// Told of every change, for the other replicas' live pages (set once, on PostgreSQL).
    fanout: Arc<std::sync::OnceLock<crate::replicas::fanout::Tell>>,
}

/// Who acts on a request, as the workflow needs to know them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Who {
    pub subject: String,
    pub name: String,
    /// Only a verified e-mail (it goes into the commit and four-eyes compares it).
    pub email: Option<String>,
    pub groups: Vec<String>,
    /// Acting through an API token, not a browser session.
    pub via_token: bool,
    pub request_id: Option<String>,
    /// The client's own `x-request-id`, when valid (see `http::request_id`).
    pub client_request_id: Option<String>,
    pub client_ip: Option<String>,
}

impl Who {
    pub fn actor(&self) -> Actor {
        Actor {
            subject: self.subject.clone(),
            name: self.name.clone(),
            groups: self.groups.clone(),
        }
    }
}

impl Deploys {
    pub fn new(
        store: Store,
        engine: Arc<dyn ports::Engine>,
        settings: DeploySettings,
        leadership: Arc<crate::replicas::Leadership>,
    ) -> Self {
        Deploys {
            store,
            engine,
            settings: Arc::new(settings),
            wake: Arc::new(Notify::new()),
            changes: Arc::new(watch::channel((0, String::new())).0),
            leadership,
            fanout: Default::default(),
        }
    }

    /// Also tell `fanout` of every change of a request (its environment), so other replicas'
    /// live pages follow. Set once; later calls are ignored.
    pub fn set_fanout(&self, fanout: crate::replicas::fanout::Tell) {
        let _ = self.fanout.set(fanout);
    }

    /// Wake the executor now (this replica just became the leader).
    pub fn wake_executor(&self) {
        self.wake.notify_one();
    }

    /// The same workflow writing through `store` (the leader's fenced store).
    fn acting_as(&self, store: Store) -> Self {
        Self {
            store,
            ..self.clone()
        }
    }

    pub fn settings(&self) -> &DeploySettings {
        &self.settings
    }

    /// Live updates: a new value after every change of any request.
    pub fn subscribe(&self) -> watch::Receiver<(u64, String)> {
        self.changes.subscribe()
    }

    fn changed(&self, env: &str) {
        self.changed_here(env);
        if let Some(fanout) = self.fanout.get() {
            fanout(env);
        }
    }

    /// A change of a request in `env` for this replica's live pages (another replica made
    /// it, or this one did).
    pub fn changed_here(&self, env: &str) {
        self.changes.send_modify(|(version, last)| {
            *version += 1;
            *last = env.to_string();
        });
        self.wake.notify_one();
    }

    fn repo(&self, env: &str) -> Result<EnvRepo> {
        self.engine
            .repos()
            .into_iter()
            .find(|r| r.env == env)
            .ok_or_else(|| DeployError::NotFound(format!("no environment `{env}` is configured")))
    }

    async fn open_request(&self, env: &str, app: &str) -> Result<Option<RequestRow>> {
        let open: Vec<_> = atrium_app::dto::deploy::RequestState::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .collect();
        let rows = self
            .store
            .requests(&RequestFilter {
                states: open,
                env: Some(env.into()),
                app: Some(app.into()),
                requester: None,
                limit: Some(1),
            })
            .await?;
        Ok(rows.into_iter().next())
    }
}

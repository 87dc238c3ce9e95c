//! The cluster driver on kube-rs: server-side apply under field manager `atrium` in sync-wave
//! order, inventory by tracking label, prune, plus the pure health ([`health`]) and diff
//! ([`diff`]) rules. Kinds are resolved through API discovery into `ApiResource`s and every
//! object is a `DynamicObject`, so custom resources need no code here.

mod apply;
pub mod diff;
#[cfg(test)]
mod facts_tests;
pub mod health;
mod health_kinds;
mod hooks;
#[cfg(test)]
mod hooks_tests;
mod inventory;
mod live;
pub mod options;
#[cfg(test)]
mod options_tests;
pub mod plan;
mod replace;
mod report;
mod watch;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use kube::core::discovery::{ApiCapabilities, ApiResource, Scope};
use kube::core::{GroupVersion, GroupVersionKind};
use kube::discovery::Discovery;
use kube::{Api, Client};
use tokio::sync::RwLock;

use crate::shared_str::SharedStr;

pub use diff::{diff, in_sync, DiffLine, DiffOp, ResourceDiff};
pub use health::{health, health_of};
pub use plan::FIELD_MANAGER;
pub use report::{AppSync, LiveResource, ResourceAction, ResourceResult, SyncOptions, SyncReport};
pub use watch::{Inventory, LiveWatch};

/// What can go wrong talking to the cluster as a whole (per-resource failures are reported
/// in [`SyncReport`] instead).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("API discovery failed")]
    Discovery(#[source] kube::Error),
    #[error("the cluster does not serve {api_version} {kind}")]
    UnknownKind { api_version: String, kind: String },
    #[error("invalid apiVersion {0:?}")]
    ApiVersion(String),
    #[error("{action} failed")]
    Api {
        action: String,
        #[source]
        source: kube::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A resolved kind: how to reach it and whether it is namespaced.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub resource: ApiResource,
    pub namespaced: bool,
    /// `resource`'s apiVersion and kind, shared: every object listed of the kind holds them.
    pub(crate) names: (SharedStr, SharedStr),
}

/// The driver: a kube client plus cached discovery.
pub struct ClusterDriver {
    client: Client,
    discovery: RwLock<Option<Arc<Discovery>>>,
    /// Kinds each app has applied, so `live` finds custom kinds beyond the known list.
    applied_kinds: Mutex<HashMap<String, BTreeSet<(String, String)>>>,
}

impl ClusterDriver {
    pub fn new(client: Client) -> Self {
        ClusterDriver {
            client,
            discovery: RwLock::new(None),
            applied_kinds: Mutex::new(HashMap::new()),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Resolves `apiVersion` + `kind` through discovery, refreshing it once on a miss (a CRD
    /// applied in an earlier wave makes new kinds appear).
    pub async fn resolve(&self, api_version: &str, kind: &str) -> Result<Resolved> {
        let gv: GroupVersion = api_version
            .parse()
            .map_err(|_| Error::ApiVersion(api_version.into()))?;
        let gvk = gv.with_kind(kind);
        if let Some(found) = self.cached(&gvk).await {
            return Ok(found);
        }
        self.refresh().await?;
        self.cached(&gvk).await.ok_or_else(|| Error::UnknownKind {
            api_version: api_version.into(),
            kind: kind.into(),
        })
    }

    async fn cached(&self, gvk: &GroupVersionKind) -> Option<Resolved> {
        let guard = self.discovery.read().await;
        let (resource, caps): (ApiResource, ApiCapabilities) = guard.as_ref()?.resolve_gvk(gvk)?;
        Some(Resolved {
            names: (
                SharedStr::interned(&resource.api_version),
                SharedStr::interned(&resource.kind),
            ),
            resource,
            namespaced: caps.scope == Scope::Namespaced,
        })
    }

    /// Re-runs discovery.
    pub async fn refresh(&self) -> Result<()> {
        let fresh = Discovery::new(self.client.clone())
            .run()
            .await
            .map_err(Error::Discovery)?;
        *self.discovery.write().await = Some(Arc::new(fresh));
        Ok(())
    }

    /// A dynamic API for a resolved kind, in `namespace` when namespaced.
    fn api(&self, r: &Resolved, namespace: &str) -> Api<kube::core::DynamicObject> {
        if r.namespaced {
            Api::namespaced_with(self.client.clone(), namespace, &r.resource)
        } else {
            Api::all_with(self.client.clone(), &r.resource)
        }
    }

    /// Notes that `app` applied a kind, so that its live reads list that kind too. Known
    /// kinds are listed anyway and are not noted: an estate's thousands of apps would each
    /// keep a set of the same few (1.4 MB at 2,000 apps).
    fn remember_kind(&self, app: &str, api_version: &str, kind: &str) {
        if live::KNOWN_KINDS.contains(&(api_version, kind)) {
            return;
        }
        let mut kinds = self.applied_kinds.lock().unwrap_or_else(|e| e.into_inner());
        kinds
            .entry(app.to_string())
            .or_default()
            .insert((api_version.to_string(), kind.to_string()));
    }

    fn kinds_of(&self, app: &str) -> Vec<(String, String)> {
        let kinds = self.applied_kinds.lock().unwrap_or_else(|e| e.into_inner());
        kinds
            .get(app)
            .map(|k| k.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// The server's message for a failed call (a `Status` message when there is one).
pub(crate) fn api_message(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(status) => status.message.clone(),
        other => other.to_string(),
    }
}

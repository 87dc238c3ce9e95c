//! What a sync was asked to do and what it did, per resource — the data the UI's sync panel
//! and the audit record show.

use serde::{Deserialize, Serialize};

use crate::resource::Health;
use crate::shared_str::SharedStr;

/// How to sync (Argo CD's `Prune`, `CreateNamespace=true`, dry run).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncOptions {
    /// Delete live objects this app owns that are no longer desired.
    pub prune: bool,
    /// Create missing namespaces the resources go into.
    pub create_namespace: bool,
    /// Ask the server what would happen (`dryRun=All`) without changing anything.
    pub dry_run: bool,
    /// Before the next wave, wait up to this long for the wave's resources to be healthy, as
    /// Argo CD does (a Degraded one, or the timeout, fails the wave). `None`: do not wait.
    pub wait_for_health: Option<std::time::Duration>,
}

/// The app's side of a sync: the revision (the names of `generateName` hooks carry it) and
/// the app's Argo CD sync options (`spec.syncPolicy.syncOptions`; a resource's
/// `argocd.argoproj.io/sync-options` annotation wins over them, see `options`).
#[derive(Clone, Copy, Debug, Default)]
pub struct AppSync<'a> {
    pub revision: &'a str,
    pub sync_options: &'a [String],
}

/// What happened to one resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResourceAction {
    Created,
    Configured,
    Unchanged,
    Pruned,
    /// Not desired any more, left in place because prune was off.
    PruneRequired,
    Failed,
    /// Not attempted: an earlier wave failed.
    Skipped,
}

/// One line of a sync report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceResult {
    /// `group/Kind/namespace/name`, namespace resolved.
    pub key: String,
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub wave: i32,
    pub hook: Option<String>,
    pub action: ResourceAction,
    pub message: String,
    /// The object's resourceVersion after the step (absent on failure, prune, dry run create,
    /// and for a namespace `CreateNamespace=true` made, which no tracking label follows).
    pub resource_version: Option<String>,
}

/// The outcome of one sync.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncReport {
    pub app: String,
    pub dry_run: bool,
    /// In the order the steps ran (skipped ones after the failing wave, prunes last).
    pub results: Vec<ResourceResult>,
    /// The wave that failed; later waves were not applied and nothing was pruned.
    pub failed_wave: Option<i32>,
}

impl SyncReport {
    /// Whether every step succeeded.
    pub fn succeeded(&self) -> bool {
        self.failed_wave.is_none()
            && self
                .results
                .iter()
                .all(|r| r.action != ResourceAction::Failed)
    }

    /// The result for a key (`apps/Deployment/shop/web`).
    pub fn result(&self, key: &str) -> Option<&ResourceResult> {
        self.results.iter().find(|r| r.key == key)
    }

    /// Results with a given action.
    pub fn with_action(&self, action: ResourceAction) -> impl Iterator<Item = &ResourceResult> {
        self.results.iter().filter(move |r| r.action == action)
    }
}

/// An object in the cluster that carries an app's tracking label. An environment holds one per
/// object it manages (tens of thousands), so what repeats across objects (API versions, kinds,
/// namespaces, health messages) is shared, and the rest is boxed (no spare capacity).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveResource {
    /// `group/Kind/namespace/name`.
    pub key: Box<str>,
    #[serde(deserialize_with = "SharedStr::deserialize_interned")]
    pub api_version: SharedStr,
    #[serde(deserialize_with = "SharedStr::deserialize_interned")]
    pub kind: SharedStr,
    #[serde(deserialize_with = "SharedStr::deserialize_interned")]
    pub namespace: SharedStr,
    pub name: Box<str>,
    pub health: Health,
    pub health_message: Option<SharedStr>,
    /// `metadata.resourceVersion`: what a reconcile pass compares to reuse a verdict.
    #[serde(default)]
    pub resource_version: Box<str>,
    /// The whole object as the server returned it, compressed ([`PackedJson::value`](crate::resource::PackedJson::value)
    /// parses it).
    pub object: crate::resource::PackedJson,
    /// What `object` states, for sync verdicts ([`crate::resource::facts`]); worked out when
    /// the object is listed, and `None` for one built some other way (verdicts then walk
    /// `object`). Whoever changes `object` recomputes it.
    #[serde(skip)]
    pub facts: Option<crate::resource::facts::Facts>,
}

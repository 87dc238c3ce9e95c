//! What Git says the cluster should hold, and the status words both sides share. Produced by
//! the renderers, consumed by the cluster driver and the reconciler; pure data.

use serde::{Deserialize, Serialize};

/// One rendered Kubernetes object an app wants.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesiredResource {
    pub api_version: String,
    pub kind: String,
    /// Empty for cluster-scoped kinds (Namespace, ClusterRole…) and when the manifest left it
    /// to the app's `destination.namespace` (the renderer fills that in where it applies).
    pub namespace: String,
    pub name: String,
    /// The whole manifest as rendered (JSON form of the YAML).
    pub manifest: serde_json::Value,
    /// `argocd.argoproj.io/sync-wave`, default 0: lower waves apply first.
    pub sync_wave: i32,
    /// `argocd.argoproj.io/hook`, if any (`PreSync`, `Sync`, `PostSync`, `SyncFail`).
    pub hook: Option<String>,
    /// What `manifest` asks of its live object, for sync verdicts
    /// ([`crate::cluster::driver::facts`]): worked out by the render, once per commit, not by
    /// every status pass. `None` when built some other way (verdicts then walk `manifest`).
    /// Whoever changes `manifest` recomputes it.
    #[serde(skip)]
    pub facts: Option<crate::cluster::driver::facts::Facts>,
}

impl DesiredResource {
    /// `group/kind/namespace/name`: unique within an app, stable across renders.
    pub fn key(&self) -> String {
        let group = self
            .api_version
            .rsplit_once('/')
            .map(|(g, _)| g)
            .unwrap_or("");
        format!("{group}/{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

/// Desired vs live, as Argo CD words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SyncStatus {
    Synced,
    OutOfSync,
    Unknown,
}

/// Argo CD's health words, ordered from best to worst for "an app is its worst child".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Health {
    Healthy,
    Suspended,
    Progressing,
    Unknown,
    Missing,
    Degraded,
}

impl Health {
    /// The worse of two (an app's health is its worst resource's).
    pub fn worst(self, other: Health) -> Health {
        self.max(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worst_health_wins() {
        assert_eq!(Health::Healthy.worst(Health::Degraded), Health::Degraded);
        assert_eq!(
            Health::Progressing.worst(Health::Healthy),
            Health::Progressing
        );
        assert_eq!(Health::Missing.worst(Health::Progressing), Health::Missing);
    }

    #[test]
    fn keys_name_group_kind_namespace_and_name() {
        let r = DesiredResource {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            namespace: "shop".into(),
            name: "cart".into(),
            manifest: serde_json::json!({}),
            sync_wave: 0,
            hook: None,
            facts: None,
        };
        assert_eq!(r.key(), "apps/Deployment/shop/cart");
    }
}

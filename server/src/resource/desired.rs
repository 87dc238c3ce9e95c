//! What Git says the cluster should hold. Produced by the renderers, consumed by the cluster
//! driver and the reconciler; pure data.

use serde::{Deserialize, Serialize};

use super::resource_key;

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
    /// What `manifest` asks of its live object, for sync verdicts ([`super::facts`]): worked
    /// out by the render, once per commit, not by every status pass. `None` when built some
    /// other way (verdicts then walk `manifest`). Whoever changes `manifest` recomputes it.
    #[serde(skip)]
    pub facts: Option<super::facts::Facts>,
}

impl DesiredResource {
    /// `group/kind/namespace/name` ([`resource_key`]): unique within an app, stable across
    /// renders, and the key the live object is found by.
    pub fn key(&self) -> String {
        resource_key(&self.api_version, &self.kind, &self.namespace, &self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

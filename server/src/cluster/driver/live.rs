//! The live inventory of an app: objects carrying its tracking label (and annotation), found
//! by listing the known kinds plus any the app applied, across all namespaces.

use std::collections::{BTreeMap, BTreeSet};

use kube::api::ListParams;
use kube::core::DynamicObject;
use kube::Api;
use serde_json::Value;

use super::health::health;
use super::plan::owned_by;
use super::report::LiveResource;
use super::{ClusterDriver, Error, GroupVersionKind, Resolved, Result};
use crate::resource::metadata::TRACKING_LABEL;
use crate::resource::resource_key;
use crate::shared_str::SharedStr;

/// Kinds an app commonly renders; those the cluster does not serve are skipped.
pub(super) const KNOWN_KINDS: &[(&str, &str)] = &[
    ("v1", "Namespace"),
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "Service"),
    ("v1", "ServiceAccount"),
    ("v1", "PersistentVolumeClaim"),
    ("v1", "Pod"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("apps/v1", "ReplicaSet"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
    ("networking.k8s.io/v1", "Ingress"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("policy/v1", "PodDisruptionBudget"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("argoproj.io/v1alpha1", "Application"),
    ("argoproj.io/v1alpha1", "ApplicationSet"),
];

impl ClusterDriver {
    /// Everything in the cluster that `app` owns, sorted by key, with health.
    pub async fn live(&self, app: &str) -> Result<Vec<LiveResource>> {
        self.live_with(app, &[]).await
    }

    /// [`live`](Self::live), also looking at `extra` `(apiVersion, kind)`s (the kinds an app's
    /// desired resources use, which may be custom).
    pub async fn live_with(
        &self,
        app: &str,
        extra: &[(String, String)],
    ) -> Result<Vec<LiveResource>> {
        let more: BTreeSet<(String, String)> =
            extra.iter().cloned().chain(self.kinds_of(app)).collect();
        let kinds = self.listed_kinds(&more).await?;
        let selector = format!("{TRACKING_LABEL}={app}");
        let mut found = BTreeMap::new();
        self.list_tracked(kinds, &selector, |_, live| {
            if owned_by(&live.object.value(), app) {
                found.insert(live.key.clone(), live);
            }
        })
        .await?;
        Ok(found.into_values().collect())
    }

    /// The kinds a live read lists: the known ones the cluster serves, then `extra` (resolved,
    /// those it does not serve left out), each once.
    pub(super) async fn listed_kinds(
        &self,
        extra: impl IntoIterator<Item = &(String, String)>,
    ) -> Result<Vec<Resolved>> {
        if self.discovery.read().await.is_none() {
            self.refresh().await?;
        }
        let mut kinds: Vec<Resolved> = Vec::new();
        // Known kinds come from the cache only: a kind the cluster lacks is no reason to rerun
        // discovery on every call.
        for (api_version, kind) in KNOWN_KINDS {
            let Ok(gv) = api_version.parse::<kube::core::GroupVersion>() else {
                continue;
            };
            let gvk: GroupVersionKind = gv.with_kind(kind);
            if let Some(r) = self.cached(&gvk).await {
                kinds.push(r);
            }
        }
        for (api_version, kind) in extra {
            match self.resolve(api_version, kind).await {
                Ok(r) => kinds.push(r),
                Err(Error::UnknownKind { .. } | Error::ApiVersion(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let mut seen = BTreeSet::new();
        kinds.retain(|r| seen.insert((r.resource.api_version.clone(), r.resource.kind.clone())));
        Ok(kinds)
    }

    /// Lists every object of `kinds` that the label selector `selector` picks (it names
    /// [`TRACKING_LABEL`]) and hands each to `each` with the value of its tracking label.
    pub(super) async fn list_tracked(
        &self,
        kinds: Vec<Resolved>,
        selector: &str,
        mut each: impl FnMut(&str, LiveResource),
    ) -> Result<()> {
        for r in kinds {
            let api: Api<DynamicObject> = Api::all_with(self.client.clone(), &r.resource);
            let list = api
                .list(&ListParams::default().labels(selector))
                .await
                .map_err(|source| Error::Api {
                    action: format!("listing {} {}", r.resource.api_version, r.resource.kind),
                    source,
                })?;
            for obj in list {
                let labels = obj.metadata.labels.as_ref();
                let Some(app) = labels.and_then(|l| l.get(TRACKING_LABEL)) else {
                    continue;
                };
                each(app, live_resource(&r, &obj));
            }
        }
        Ok(())
    }
}

/// A listed object as a [`LiveResource`] with its health. List items from a real server omit
/// apiVersion and kind, so they are set from the kind that was listed.
pub(super) fn live_resource(r: &Resolved, obj: &DynamicObject) -> LiveResource {
    let mut v = serde_json::to_value(obj).unwrap_or(Value::Null);
    v["apiVersion"] = Value::String(r.resource.api_version.clone());
    v["kind"] = Value::String(r.resource.kind.clone());
    let namespace = obj.metadata.namespace.as_deref().unwrap_or_default();
    let name = obj.metadata.name.as_deref().unwrap_or_default();
    let key = resource_key(&r.resource.api_version, &r.resource.kind, namespace, name);
    let (health, health_message) = health(&v);
    LiveResource {
        key: key.into(),
        api_version: r.names.0.clone(),
        kind: r.names.1.clone(),
        namespace: SharedStr::interned(namespace),
        name: name.into(),
        health,
        health_message: health_message.as_deref().map(SharedStr::interned),
        resource_version: obj
            .metadata
            .resource_version
            .as_deref()
            .unwrap_or_default()
            .into(),
        facts: Some(crate::resource::facts::live_facts(&v)),
        object: crate::resource::PackedJson::new(&v),
    }
}

//! Every app's live objects at once: one list per kind with the tracking label, grouped by
//! app. What a reconcile pass over thousands of apps needs (per-app [`live`] would list every
//! kind once per app).

use std::collections::{BTreeSet, HashMap};

use kube::api::ListParams;
use kube::core::DynamicObject;
use kube::Api;

use super::live::{live_resource, KNOWN_KINDS};
use super::plan::TRACKING_LABEL;
use super::report::LiveResource;
use super::{ClusterDriver, Error, GroupVersionKind, Result};

impl ClusterDriver {
    /// The cluster's revision now: the resourceVersion of a one-item list of namespaces. A
    /// list read from the store carries the store's revision, which every write anywhere in
    /// the cluster moves (etcd's revision; the emulator's counter). Equal revisions mean
    /// nothing changed in between, so the last [`Self::inventory`] still holds.
    pub async fn revision(&self) -> Result<Option<String>> {
        let api: Api<k8s_openapi::api::core::v1::Namespace> = Api::all(self.client.clone());
        let list = api
            .list_metadata(&ListParams::default().limit(1))
            .await
            .map_err(|source| Error::Api {
                action: "reading the cluster's revision".into(),
                source,
            })?;
        Ok(list.metadata.resource_version.filter(|v| !v.is_empty()))
    }

    /// Live objects of every app, keyed by app name, each list sorted by key. `extra` adds
    /// `(apiVersion, kind)`s beyond the known ones (the kinds the desired resources use).
    pub async fn inventory(
        &self,
        extra: &[(String, String)],
    ) -> Result<HashMap<String, Vec<LiveResource>>> {
        if self.discovery.read().await.is_none() {
            self.refresh().await?;
        }
        let mut kinds = Vec::new();
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
        let mut by_app: HashMap<String, Vec<LiveResource>> = HashMap::new();
        for r in kinds {
            if !seen.insert((r.resource.api_version.clone(), r.resource.kind.clone())) {
                continue;
            }
            let api: Api<DynamicObject> = Api::all_with(self.client.clone(), &r.resource);
            let list = api
                .list(&ListParams::default().labels(TRACKING_LABEL))
                .await
                .map_err(|source| Error::Api {
                    action: format!("listing {} {}", r.resource.api_version, r.resource.kind),
                    source,
                })?;
            for obj in list {
                let Some(app) = obj
                    .metadata
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(TRACKING_LABEL))
                    .cloned()
                else {
                    continue;
                };
                by_app.entry(app).or_default().push(live_resource(&r, &obj));
            }
        }
        for list in by_app.values_mut() {
            list.sort_by(|a, b| a.key.cmp(&b.key));
        }
        Ok(by_app)
    }
}

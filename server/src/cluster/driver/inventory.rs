//! Every app's live objects at once: one list per kind with the tracking label, grouped by
//! app. What a reconcile pass over thousands of apps needs (per-app [`live`] would list every
//! kind once per app).

use std::collections::HashMap;

use kube::api::ListParams;
use kube::Api;

use super::report::LiveResource;
use super::{ClusterDriver, Error, Result};
use crate::resource::metadata::TRACKING_LABEL;

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
    pub async fn inventory(&self, extra: &[(String, String)]) -> Result<super::Inventory> {
        let kinds = self.listed_kinds(extra).await?;
        let mut by_app: HashMap<String, Vec<LiveResource>> = HashMap::new();
        self.list_tracked(kinds, TRACKING_LABEL, |app, live| {
            by_app.entry(app.to_string()).or_default().push(live);
        })
        .await?;
        Ok(by_app
            .into_iter()
            .map(|(app, mut list)| {
                list.sort_by(|a, b| a.key.cmp(&b.key));
                (app, std::sync::Arc::new(list))
            })
            .collect())
    }
}

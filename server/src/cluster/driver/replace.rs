//! `Replace=true` (Argo CD's `kubectl replace` / `create`): the object is written whole with
//! PUT, so fields the manifest does not set (another manager's too) are gone afterwards, where
//! server-side apply would have kept them. For objects server-side apply cannot take (an
//! annotation over its size limit, a field another controller must not share).

use kube::api::PostParams;
use kube::core::DynamicObject;
use kube::Api;
use serde_json::Value;

use super::plan::FIELD_MANAGER;
use super::ClusterDriver;

impl ClusterDriver {
    /// Replaces `name` with `manifest` (created when `prior` says there is none). The
    /// replace carries `prior`'s resourceVersion, so a write in between is a conflict, not lost.
    pub(super) async fn replace(
        &self,
        api: &Api<DynamicObject>,
        name: &str,
        mut manifest: Value,
        prior: Option<&DynamicObject>,
        dry_run: bool,
    ) -> Result<DynamicObject, kube::Error> {
        let pp = PostParams {
            dry_run,
            field_manager: Some(FIELD_MANAGER.into()),
        };
        if let Some(version) = prior.and_then(|p| p.metadata.resource_version.clone()) {
            manifest["metadata"]["resourceVersion"] = Value::String(version);
        }
        let obj: DynamicObject =
            serde_json::from_value(manifest).map_err(kube::Error::SerdeError)?;
        match prior {
            Some(_) => api.replace(name, &pp, &obj).await,
            None => api.create(&pp, &obj).await,
        }
    }
}

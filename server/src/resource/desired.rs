//! What Git says the cluster should hold. Produced by the renderers, consumed by the cluster
//! driver and the reconciler; pure data.

use serde::{Deserialize, Serialize};

use super::{resource_key, JsonText};
use crate::shared_str::SharedStr;

/// One rendered Kubernetes object an app wants. An environment holds one per object of every
/// app, so what repeats (API versions, kinds, namespaces) is shared.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DesiredResource {
    #[serde(deserialize_with = "SharedStr::deserialize_interned")]
    pub api_version: SharedStr,
    #[serde(deserialize_with = "SharedStr::deserialize_interned")]
    pub kind: SharedStr,
    /// Empty for cluster-scoped kinds (Namespace, ClusterRole…) and when the manifest left it
    /// to the app's `destination.namespace` (the renderer fills that in where it applies).
    #[serde(deserialize_with = "SharedStr::deserialize_interned")]
    pub namespace: SharedStr,
    pub name: SharedStr,
    /// The whole manifest as rendered (JSON form of the YAML), as compact text: an
    /// environment holds every app's ([`JsonText`] says why). `manifest.value()` parses it.
    pub manifest: JsonText,
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

    /// The first container's image tag of a workload's pod template (`spec.template`, or a
    /// CronJob's `spec.jobTemplate.spec.template`): the version column of the tree. Read from
    /// the text by a typed parse that skips everything else, not by building the manifest.
    pub fn image_tag(&self) -> Option<String> {
        image_tag(self.manifest.text())
    }

    /// Whether this is an Argo CD object of `kind` (`argoproj.io/*`), without parsing the
    /// manifest.
    pub fn is_argo(&self, kind: &str) -> bool {
        self.kind == kind && self.api_version.starts_with("argoproj.io/")
    }
}

/// [`DesiredResource::image_tag`] of a manifest's JSON text.
fn image_tag(text: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Workload {
        spec: Option<Spec>,
    }
    #[derive(Deserialize)]
    struct Spec {
        template: Option<Template>,
        #[serde(rename = "jobTemplate")]
        job_template: Option<JobTemplate>,
    }
    #[derive(Deserialize)]
    struct JobTemplate {
        spec: Option<Templated>,
    }
    #[derive(Deserialize)]
    struct Templated {
        template: Option<Template>,
    }
    #[derive(Deserialize)]
    struct Template {
        spec: Option<PodSpec>,
    }
    #[derive(Deserialize)]
    struct PodSpec {
        containers: Option<Vec<Container>>,
    }
    #[derive(Deserialize)]
    struct Container {
        image: Option<String>,
    }
    // Anything not shaped like a workload (a Service, a `spec` that is not an object) has none.
    let spec = serde_json::from_str::<Workload>(text).ok()?.spec?;
    let pod = match spec.template.and_then(|t| t.spec) {
        Some(pod) => pod,
        None => spec.job_template?.spec?.template?.spec?,
    };
    let image = pod.containers?.into_iter().next()?.image?;
    let tail = image.rsplit('/').next().unwrap_or(&image);
    tail.split_once(':').map(|(_, tag)| tag.to_string())
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
            manifest: serde_json::json!({}).into(),
            sync_wave: 0,
            hook: None,
            facts: None,
        };
        assert_eq!(r.key(), "apps/Deployment/shop/cart");
    }

    #[test]
    fn image_tags_come_from_the_first_container_of_the_pod_template() {
        let tag = |manifest: serde_json::Value| image_tag(JsonText::new(&manifest).text());
        let pod = |image: &str| {
            serde_json::json!({"spec": {"containers": [
                {"name": "a", "env": [{"name": "image", "value": "x:9"}], "image": image},
                {"name": "b", "image": "other:2"}]}})
        };
        let d = serde_json::json!({"kind": "Deployment", "spec": {"replicas": 2,
            "template": pod("registry.example:5000/team/cart:1.4.2")}});
        assert_eq!(tag(d).as_deref(), Some("1.4.2"));
        let cron = serde_json::json!({"kind": "CronJob", "spec": {"schedule": "* * * * *",
            "jobTemplate": {"spec": {"template": pod("batch:7")}}}});
        assert_eq!(tag(cron).as_deref(), Some("7"));
        assert_eq!(
            tag(serde_json::json!({"spec": {"template": pod("untagged")}})),
            None
        );
        assert_eq!(
            tag(serde_json::json!({"kind": "Service", "spec": {"ports": []}})),
            None
        );
        assert_eq!(
            tag(serde_json::json!({"kind": "Odd", "spec": "text"})),
            None
        );
        assert_eq!(tag(serde_json::json!(["not", "an", "object"])), None);
    }
}

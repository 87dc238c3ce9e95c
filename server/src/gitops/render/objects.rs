//! From parsed manifests to [`DesiredResource`]s: skips what is not a Kubernetes object,
//! expands `List`s, fills in the destination namespace where it applies, and reads the sync
//! wave and hook annotations Argo CD orders a sync by.

use serde_json::Value;

use crate::catalog::reader::parse_documents;
use crate::resource::{hooks, DesiredResource};
use crate::shared_str::SharedStr;

pub const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";
pub use crate::resource::hooks::HOOK;

/// Kinds without a namespace. Rendering has no API server to ask (discovery), so this list
/// covers the built-in kinds and the common cluster-scoped custom ones; any other kind is
/// taken to be namespaced, which is what most custom resources are.
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
    "RuntimeClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "PodSecurityPolicy",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "CertificateSigningRequest",
    "ClusterIssuer",
    "VolumeSnapshotClass",
    "AppProject",
];

pub fn is_cluster_scoped(kind: &str) -> bool {
    CLUSTER_SCOPED.contains(&kind)
}

/// Parses multi-document YAML from `origin` (a file name, or the renderer's output).
pub fn parse_yaml(origin: &str, bytes: &[u8]) -> Result<Vec<Value>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("{origin}: not UTF-8 text: {e}"))?;
    parse_documents(text)
        .map(|docs| docs.into_iter().map(|(_, v)| v).collect())
        .map_err(|e| format!("{origin}: {e}"))
}

/// Parses a JSON file: one object, or an array of objects.
pub fn parse_json(origin: &str, bytes: &[u8]) -> Result<Vec<Value>, String> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(other) => Ok(vec![other]),
        Err(e) => Err(format!("{origin}: JSON error: {e}")),
    }
}

/// Turns parsed documents into resources. A document that is not an object, or has neither
/// `apiVersion` nor `kind`, is not a manifest and is skipped (values files, kustomization
/// files in a directory app); an object that claims to be one but has no name is an error.
pub fn to_resources(
    origin: &str,
    docs: Vec<Value>,
    namespace: &str,
    out: &mut Vec<DesiredResource>,
) -> Result<(), String> {
    for (index, doc) in docs.into_iter().enumerate() {
        let Value::Object(map) = &doc else { continue };
        if !map.contains_key("apiVersion") && !map.contains_key("kind") {
            continue;
        }
        let kind = doc["kind"].as_str().unwrap_or_default().to_string();
        // `kubectl`-style lists (`List`, `DeploymentList`…) carry their objects in `items`.
        if kind.ends_with("List") {
            if let Some(items) = doc["items"].as_array() {
                to_resources(origin, items.clone(), namespace, out)?;
                continue;
            }
        }
        out.push(
            to_resource(doc, namespace)
                .map_err(|e| format!("{origin} (document {}): {e}", index + 1))?,
        );
    }
    Ok(())
}

fn to_resource(mut doc: Value, namespace: &str) -> Result<DesiredResource, String> {
    let api_version = doc["apiVersion"].as_str().unwrap_or_default().to_string();
    let kind = doc["kind"].as_str().unwrap_or_default().to_string();
    if api_version.is_empty() || kind.is_empty() {
        return Err("apiVersion and kind are both required".into());
    }
    let annotations = &doc["metadata"]["annotations"];
    // The first phase of a comma-separated list (`PreSync,PostSync`): one run per sync.
    let hook = annotations[HOOK]
        .as_str()
        .and_then(|t| t.split(',').map(str::trim).find(|t| !t.is_empty()))
        .map(str::to_string)
        .or_else(|| annotations["helm.sh/hook"].as_str().and_then(helm_hook));
    let mut name = doc["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if name.is_empty() {
        // A hook may have only `generateName`: the sync names it (Argo CD does the same); the
        // prefix stands for it in the tree until then.
        match hooks::generate_name(&doc) {
            Some(prefix) if hooks::is_hook(&doc) => name = prefix.to_string(),
            Some(_) => {
                return Err(format!(
                    "{kind} has only metadata.generateName: only hooks (argocd.argoproj.io/hook) \
                     are named at sync time; give it metadata.name"
                ))
            }
            None => return Err(format!("{kind} has no metadata.name")),
        }
    }
    let mut ns = doc["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if ns.is_empty() && !namespace.is_empty() && !is_cluster_scoped(&kind) {
        ns = namespace.to_string();
        if let Some(meta) = doc["metadata"].as_object_mut() {
            meta.insert("namespace".into(), Value::String(ns.clone()));
        }
    }
    let annotations = &doc["metadata"]["annotations"];
    let sync_wave = annotation_int(annotations, SYNC_WAVE)
        .or_else(|| annotation_int(annotations, "helm.sh/hook-weight"))
        .unwrap_or(0);
    Ok(DesiredResource {
        api_version: SharedStr::interned(&api_version),
        kind: SharedStr::interned(&kind),
        namespace: SharedStr::interned(&ns),
        name: name.into(),
        facts: Some(crate::resource::facts::desired_facts(&doc)),
        manifest: doc.into(),
        sync_wave,
        hook,
    })
}

/// Argo CD reads a wave that is not an integer as no wave (0), as it does.
fn annotation_int(annotations: &Value, key: &str) -> Option<i32> {
    annotations[key]
        .as_str()
        .and_then(|s| s.trim().parse().ok())
}

/// Argo CD maps Helm hooks onto its own phases.
fn helm_hook(text: &str) -> Option<String> {
    let first = text.split(',').next().unwrap_or_default().trim();
    match first {
        "pre-install" | "pre-upgrade" => Some("PreSync".into()),
        "post-install" | "post-upgrade" => Some("PostSync".into()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn namespace_defaults_only_for_namespaced_kinds() {
        let docs = vec![
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}),
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "other"}}),
            json!({"replicaCount": 2}),
        ];
        let mut out = Vec::new();
        to_resources("f.yaml", docs, "shop", &mut out).unwrap();
        let ns: Vec<&str> = out.iter().map(|r| r.namespace.as_str()).collect();
        assert_eq!(ns, ["shop", "", "other"]);
        assert_eq!(out[0].manifest.value()["metadata"]["namespace"], "shop");
    }

    #[test]
    fn waves_hooks_and_lists() {
        let docs = vec![json!({"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate",
                "annotations": {HOOK: "PreSync", SYNC_WAVE: "-2"}}},
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web",
                "annotations": {SYNC_WAVE: "soon"}}},
        ]})];
        let mut out = Vec::new();
        to_resources("f.yaml", docs, "", &mut out).unwrap();
        assert_eq!(out[0].hook.as_deref(), Some("PreSync"));
        assert_eq!(out[0].sync_wave, -2);
        assert_eq!(out[1].sync_wave, 0);
    }

    #[test]
    fn a_hook_may_have_only_a_generate_name() {
        let docs = vec![
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {
                "generateName": "upgrade-sql-schema", "annotations": {HOOK: "PreSync"}}}),
            json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {
                "generateName": "both-", "annotations": {HOOK: "PreSync,PostSync"}}}),
        ];
        let mut out = Vec::new();
        to_resources("manifests.yaml", docs, "waves", &mut out).unwrap();
        assert_eq!(out[0].name, "upgrade-sql-schema");
        assert_eq!(out[0].namespace, "waves");
        assert_eq!(out[0].hook.as_deref(), Some("PreSync"));
        assert_eq!(out[0].key(), "batch/Job/waves/upgrade-sql-schema");
        assert_eq!(out[1].hook.as_deref(), Some("PreSync"));
        // Not a hook: nothing names it at sync time, so it is an error that says why.
        let plain = vec![json!({"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"generateName": "x-"}})];
        let err = to_resources("j.yaml", plain, "", &mut Vec::new()).unwrap_err();
        assert!(
            err.contains("j.yaml (document 1): Job has only metadata.generateName"),
            "{err}"
        );
    }

    #[test]
    fn an_object_without_a_name_is_an_error() {
        let docs = vec![json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})];
        let err = to_resources("cm.yaml", docs, "", &mut Vec::new()).unwrap_err();
        assert!(
            err.contains("cm.yaml (document 1): ConfigMap has no metadata.name"),
            "{err}"
        );
    }
}

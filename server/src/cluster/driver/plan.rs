//! Pure sync planning: the order resources apply in (hook phase, sync wave, Argo CD's kind
//! order, name) and the tracking metadata stamped on every object the driver applies.

use std::cmp::Ordering;

use serde_json::{json, Value};

use crate::resource::metadata::{TRACKING_ANNOTATION, TRACKING_LABEL};
use crate::resource::DesiredResource;

/// The field manager every apply uses.
pub const FIELD_MANAGER: &str = "atrium";

/// Argo CD's kind order within a wave (gitops-engine `sync_tasks.go`): namespaces and
/// config before workloads, workloads before ingress. Unlisted kinds go after all of these.
const KIND_ORDER: &[&str] = &[
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

/// Position in [`KIND_ORDER`]; unknown kinds (custom resources) sort last.
pub fn kind_rank(kind: &str) -> usize {
    KIND_ORDER
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(KIND_ORDER.len())
}

/// Sync phase of a hook annotation: PreSync, then the resources themselves, then PostSync.
/// `None` for hooks that are not part of a normal sync (`SyncFail`, `Skip`).
pub fn phase_rank(hook: Option<&str>) -> Option<u8> {
    match hook {
        Some("PreSync") => Some(0),
        None | Some("Sync") | Some("") => Some(1),
        Some("PostSync") => Some(2),
        _ => None,
    }
}

/// Argo CD's order: phase, wave, kind, name.
pub fn compare(a: &DesiredResource, b: &DesiredResource) -> Ordering {
    let phase = |r: &DesiredResource| phase_rank(r.hook.as_deref()).unwrap_or(u8::MAX);
    (phase(a), a.sync_wave, kind_rank(&a.kind), &a.name).cmp(&(
        phase(b),
        b.sync_wave,
        kind_rank(&b.kind),
        &b.name,
    ))
}

/// The resources a normal sync applies, in order (SyncFail and Skip hooks left out).
pub fn ordered(resources: &[DesiredResource]) -> Vec<&DesiredResource> {
    let mut out: Vec<&DesiredResource> = resources
        .iter()
        .filter(|r| phase_rank(r.hook.as_deref()).is_some())
        .collect();
    out.sort_by(|a, b| compare(a, b));
    out
}

/// The manifest as the driver applies it: tracking label and annotation added, namespace
/// set to the resolved one (or removed for cluster-scoped kinds).
pub fn with_tracking(app: &str, key: &str, manifest: &Value, namespace: Option<&str>) -> Value {
    let mut m = manifest.clone();
    if !m["metadata"].is_object() {
        m["metadata"] = json!({});
    }
    let meta = &mut m["metadata"];
    match namespace {
        Some(ns) => meta["namespace"] = json!(ns),
        None => {
            meta.as_object_mut().map(|o| o.remove("namespace"));
        }
    }
    if !meta["labels"].is_object() {
        meta["labels"] = json!({});
    }
    meta["labels"][TRACKING_LABEL] = json!(app);
    if !meta["annotations"].is_object() {
        meta["annotations"] = json!({});
    }
    meta["annotations"][TRACKING_ANNOTATION] = json!(format!("{app}:{key}"));
    m
}

/// Whether a live object's tracking annotation says `app` owns it.
pub fn owned_by(obj: &Value, app: &str) -> bool {
    let labelled = obj["metadata"]["labels"][TRACKING_LABEL].as_str() == Some(app);
    let annotated = obj["metadata"]["annotations"][TRACKING_ANNOTATION]
        .as_str()
        .is_some_and(|id| id.split_once(':').is_some_and(|(owner, _)| owner == app));
    labelled && annotated
}

#[cfg(test)]
mod tests {
    use super::*;

    fn res(kind: &str, name: &str, wave: i32, hook: Option<&str>) -> DesiredResource {
        DesiredResource {
            api_version: "v1".into(),
            kind: kind.into(),
            namespace: "shop".into(),
            name: name.into(),
            manifest: json!({}).into(),
            sync_wave: wave,
            hook: hook.map(str::to_string),
            facts: None,
        }
    }

    #[test]
    fn waves_then_kinds_then_names() {
        let rs = vec![
            res("Deployment", "web", 0, None),
            res("Widget", "custom", 0, None),
            res("ConfigMap", "b", 0, None),
            res("ConfigMap", "a", 0, None),
            res("Namespace", "shop", 0, None),
            res("Job", "migrate", -1, None),
            res("Job", "smoke", 0, Some("PostSync")),
            res("Job", "backup", 5, Some("PreSync")),
            res("Job", "cleanup", 0, Some("SyncFail")),
        ];
        let names: Vec<&str> = ordered(&rs).iter().map(|r| r.name.as_str()).collect();
        assert_eq!(
            names,
            ["backup", "migrate", "shop", "a", "b", "web", "custom", "smoke"]
        );
    }

    #[test]
    fn tracking_marks_and_recognises_ownership() {
        let m = with_tracking(
            "shop",
            "/ConfigMap/shop/a",
            &json!({"metadata": {"name": "a"}}),
            Some("shop"),
        );
        assert_eq!(m["metadata"]["namespace"], "shop");
        assert!(owned_by(&m, "shop"));
        assert!(!owned_by(&m, "other"));
        let cluster = with_tracking(
            "shop",
            "k",
            &json!({"metadata": {"name": "a", "namespace": "x"}}),
            None,
        );
        assert!(cluster["metadata"].get("namespace").is_none());
    }
}

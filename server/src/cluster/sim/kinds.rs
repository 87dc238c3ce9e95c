//! The kinds the emulator serves: the one table discovery, routing and the controller read,
//! so a kind added here is discoverable, storable and listable at once.

/// One served resource type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KindInfo {
    /// API group; empty for the core group.
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    /// The URL segment (`deployments`).
    pub plural: &'static str,
    pub namespaced: bool,
    /// Whether `…/status` is a separate subresource (writes to the main resource keep status).
    pub has_status: bool,
}

impl KindInfo {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `deployments.apps`: the resource name Kubernetes puts in its error messages.
    pub fn qualified(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }
}

const fn k(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    namespaced: bool,
    has_status: bool,
) -> KindInfo {
    KindInfo {
        group,
        version,
        kind,
        plural,
        namespaced,
        has_status,
    }
}

/// Everything served, grouped by group/version in discovery order.
pub const KINDS: &[KindInfo] = &[
    k("", "v1", "Namespace", "namespaces", false, true),
    k("", "v1", "ConfigMap", "configmaps", true, false),
    k("", "v1", "Secret", "secrets", true, false),
    k("", "v1", "Service", "services", true, true),
    k("", "v1", "Pod", "pods", true, true),
    k(
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        true,
        true,
    ),
    k("", "v1", "ServiceAccount", "serviceaccounts", true, false),
    k("apps", "v1", "Deployment", "deployments", true, true),
    k("apps", "v1", "StatefulSet", "statefulsets", true, true),
    k("apps", "v1", "DaemonSet", "daemonsets", true, true),
    k("apps", "v1", "ReplicaSet", "replicasets", true, true),
    k("batch", "v1", "Job", "jobs", true, true),
    k("batch", "v1", "CronJob", "cronjobs", true, true),
    k(
        "networking.k8s.io",
        "v1",
        "Ingress",
        "ingresses",
        true,
        true,
    ),
    k(
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        true,
        true,
    ),
    k(
        "rbac.authorization.k8s.io",
        "v1",
        "Role",
        "roles",
        true,
        false,
    ),
    k(
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        true,
        false,
    ),
    k(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        false,
        false,
    ),
    k(
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
        false,
    ),
    k(
        "argoproj.io",
        "v1alpha1",
        "Application",
        "applications",
        true,
        true,
    ),
    k(
        "argoproj.io",
        "v1alpha1",
        "ApplicationSet",
        "applicationsets",
        true,
        true,
    ),
];

/// The kind served at `group/version/plural`.
pub fn by_plural(group: &str, version: &str, plural: &str) -> Option<&'static KindInfo> {
    KINDS
        .iter()
        .find(|k| k.group == group && k.version == version && k.plural == plural)
}

/// The distinct `(group, version)` pairs, in table order.
pub fn group_versions() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    for k in KINDS {
        if !out.contains(&(k.group, k.version)) {
            out.push((k.group, k.version));
        }
    }
    out
}

//! The clusters an environment's Applications may deploy to, and how an Application's
//! `spec.destination` (`server` or `name`) picks one, as Argo CD resolves it against its
//! registered clusters. Every environment has its own cluster under Argo CD's in-cluster name
//! and URL (what App-of-Apps repos write); `[[environments.clusters]]` adds more.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::application::Destination;
use crate::cluster::ClusterTarget;

/// Argo CD's name for the cluster it runs in: here, the environment's own cluster.
pub const IN_CLUSTER_NAME: &str = "in-cluster";
/// Argo CD's URL for the cluster it runs in.
pub const IN_CLUSTER_SERVER: &str = "https://kubernetes.default.svc";

/// A cluster an Application may name as its destination.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationCluster {
    /// What `spec.destination.name` matches (and an ApplicationSet's cluster generator gives
    /// as `name`).
    pub name: String,
    /// What `spec.destination.server` matches (compared without a trailing `/`).
    pub server: String,
    /// Where its resources go.
    pub target: ClusterTarget,
    /// Labels an ApplicationSet's cluster generator selects on.
    pub labels: BTreeMap<String, String>,
}

impl DestinationCluster {
    /// The environment's own cluster, under Argo CD's in-cluster name and URL.
    pub fn in_cluster(target: ClusterTarget) -> Self {
        Self {
            name: IN_CLUSTER_NAME.into(),
            server: IN_CLUSTER_SERVER.into(),
            target,
            labels: BTreeMap::new(),
        }
    }
}

/// One `[[environments.clusters]]` table: a cluster beyond the environment's own.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterEntry {
    /// What `spec.destination.name` matches.
    pub name: String,
    /// What `spec.destination.server` matches: the API server's URL as Argo CD registers it.
    pub server: String,
    /// How Atrium reaches it: `sim`, `in-cluster` or a kubeconfig context name.
    pub cluster: String,
    /// For ApplicationSet cluster generators' selectors.
    pub labels: BTreeMap<String, String>,
}

/// Checks `[[environments.clusters]]`: the message names the entry and the field.
pub fn check_entries(entries: &[ClusterEntry]) -> Result<Vec<DestinationCluster>, String> {
    let mut out: Vec<DestinationCluster> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let err = |field: &str, why: &str| format!("clusters[{i}]: `{field}` {why}");
        let name = e.name.trim();
        if name.is_empty()
            || name.len() > 253
            || name.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(err("name", "must be 1 to 253 characters without spaces"));
        }
        if name == IN_CLUSTER_NAME {
            return Err(err(
                "name",
                "`in-cluster` is the environment's own cluster (`cluster`)",
            ));
        }
        let server = e.server.trim().trim_end_matches('/');
        match reqwest::Url::parse(server) {
            Ok(u) if matches!(u.scheme(), "https" | "http") && u.host().is_some() => {}
            _ => return Err(err("server", "must be the API server's http(s) URL")),
        }
        if server == IN_CLUSTER_SERVER {
            return Err(err(
                "server",
                "is the environment's own cluster (`cluster`)",
            ));
        }
        if out.iter().any(|c| c.name == name) {
            return Err(err("name", "is another cluster's name too"));
        }
        if out.iter().any(|c| c.server == server) {
            return Err(err("server", "is another cluster's URL too"));
        }
        if e.cluster.trim().is_empty() {
            return Err(err(
                "cluster",
                "is required: `sim`, `in-cluster` or a kubeconfig context",
            ));
        }
        out.push(DestinationCluster {
            name: name.to_string(),
            server: server.to_string(),
            target: ClusterTarget::parse(&e.cluster),
            labels: e.labels.clone(),
        });
    }
    Ok(out)
}

/// The cluster `destination` names, or why none. Argo CD's rules: `server` or `name`, not
/// both. Neither is the environment's own cluster (Argo CD refuses it; Atrium always took it
/// so, and an environment has one cluster it means).
pub fn resolve<'c>(
    clusters: &'c [DestinationCluster],
    destination: &Destination,
) -> Result<&'c DestinationCluster, String> {
    let server = destination
        .server
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let name = destination
        .name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let known = || {
        clusters
            .iter()
            .map(|c| format!("{} ({})", c.name, c.server))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (server, name) {
        (Some(_), Some(_)) => {
            Err("spec.destination: give `server` or `name`, not both (Argo CD refuses both)".into())
        }
        (None, None) => clusters
            .iter()
            .find(|c| c.name == IN_CLUSTER_NAME)
            .ok_or_else(|| "spec.destination: `server` or `name` is required".into()),
        (Some(server), None) => {
            let wanted = server.trim_end_matches('/');
            clusters
                .iter()
                .find(|c| c.server.trim_end_matches('/') == wanted)
                .ok_or_else(|| {
                    format!(
                        "unknown destination server {server}: no cluster of this environment has \
                         that URL (configured: {})",
                        known()
                    )
                })
        }
        (None, Some(name)) => clusters.iter().find(|c| c.name == name).ok_or_else(|| {
            format!(
                "unknown destination name {name}: no cluster of this environment has that name \
                 (configured: {})",
                known()
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dest(server: Option<&str>, name: Option<&str>) -> Destination {
        Destination {
            server: server.map(Into::into),
            name: name.map(Into::into),
            namespace: "shop".into(),
        }
    }

    #[test]
    fn destinations_resolve_by_server_or_name_and_unknown_ones_say_what_is_configured() {
        let clusters = vec![
            DestinationCluster::in_cluster(ClusterTarget::Sim),
            DestinationCluster {
                name: "edge-eu".into(),
                server: "https://edge-eu.example.com:6443".into(),
                target: ClusterTarget::Context("edge-eu".into()),
                labels: BTreeMap::new(),
            },
        ];
        let by_url = resolve(
            &clusters,
            &dest(Some("https://kubernetes.default.svc/"), None),
        );
        assert_eq!(by_url.unwrap().name, IN_CLUSTER_NAME);
        assert_eq!(
            resolve(&clusters, &dest(None, Some("edge-eu")))
                .unwrap()
                .name,
            "edge-eu"
        );
        let edge = resolve(
            &clusters,
            &dest(Some("https://edge-eu.example.com:6443"), None),
        );
        assert_eq!(edge.unwrap().name, "edge-eu");

        let err = resolve(&clusters, &dest(Some("https://other:6443"), None)).unwrap_err();
        assert!(
            err.contains("unknown destination server https://other:6443"),
            "{err}"
        );
        assert!(
            err.contains("edge-eu (https://edge-eu.example.com:6443)"),
            "{err}"
        );
        let err = resolve(&clusters, &dest(None, Some("nope"))).unwrap_err();
        assert!(err.contains("unknown destination name nope"), "{err}");
        let err = resolve(&clusters, &dest(Some("x"), Some("edge-eu"))).unwrap_err();
        assert!(err.contains("not both"), "{err}");
        assert_eq!(
            resolve(&clusters, &dest(None, None)).unwrap().name,
            IN_CLUSTER_NAME
        );
    }

    #[test]
    fn cluster_entries_are_checked_field_by_field() {
        let entry = |name: &str, server: &str, cluster: &str| ClusterEntry {
            name: name.into(),
            server: server.into(),
            cluster: cluster.into(),
            labels: BTreeMap::new(),
        };
        let ok = check_entries(&[entry("edge", "https://edge:6443/", "kind-edge")]).unwrap();
        assert_eq!(ok[0].server, "https://edge:6443");
        assert_eq!(ok[0].target, ClusterTarget::Context("kind-edge".into()));
        let cases = [
            (
                entry("in-cluster", "https://x", "sim"),
                "clusters[0]: `name`",
            ),
            (entry("a b", "https://x", "sim"), "clusters[0]: `name`"),
            (entry("edge", "ftp://x", "sim"), "clusters[0]: `server`"),
            (
                entry("edge", IN_CLUSTER_SERVER, "sim"),
                "clusters[0]: `server`",
            ),
            (entry("edge", "https://x", " "), "clusters[0]: `cluster`"),
        ];
        for (e, wanted) in cases {
            let err = check_entries(&[e]).unwrap_err();
            assert!(err.starts_with(wanted), "{err}");
        }
        let twice = [
            entry("a", "https://x", "sim"),
            entry("a", "https://y", "sim"),
        ];
        assert!(check_entries(&twice)
            .unwrap_err()
            .starts_with("clusters[1]: `name`"));
        let twice = [
            entry("a", "https://x", "sim"),
            entry("b", "https://x/", "sim"),
        ];
        assert!(check_entries(&twice)
            .unwrap_err()
            .starts_with("clusters[1]: `server`"));
    }
}

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

/// The cluster `destination` names, or why none. Argo CD's rules: `server` or `name`, not
/// both, and not neither.
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
        (None, None) => Err("spec.destination: `server` or `name` is required".into()),
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
        assert!(resolve(&clusters, &dest(None, None)).is_err());
    }
}

//! Where an environment's resources go, and the connection to it: the embedded emulator for
//! `cluster = "sim"`, else a kubeconfig context. The engine connects through here, so only
//! `cluster/` starts (and names) the emulator.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::driver::ClusterDriver;
use super::sim::{Sim, SimConfig};

/// Where an environment's resources are applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClusterTarget {
    /// The embedded Kubernetes emulator (`cluster = "sim"`).
    Sim,
    /// The cluster Atrium runs in, through its pod's service account (`cluster = "in-cluster"`).
    InCluster,
    /// A kubeconfig context.
    Context(String),
}

impl ClusterTarget {
    pub fn parse(text: &str) -> Self {
        match text.trim() {
            "" | "sim" => ClusterTarget::Sim,
            "in-cluster" => ClusterTarget::InCluster,
            other => ClusterTarget::Context(other.to_string()),
        }
    }
}

/// Why a cluster could not be connected.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// A kubeconfig context could not be loaded or made into a client.
    #[error("kubeconfig context `{context}`: {source}")]
    Kubeconfig {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// `cluster = "in-cluster"` outside a pod, or without a service account token.
    #[error("in-cluster service account: {source}")]
    InCluster {
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// A connected cluster: the driver, or why there is none (the environment shows it), and
/// what must live as long as the driver is used.
pub struct Connected {
    pub driver: Result<ClusterDriver, ConnectError>,
    pub keep_alive: KeepAlive,
}

/// Keeps the emulator (and its rollout controller) running while held; empty for a real
/// cluster.
pub struct KeepAlive(#[expect(dead_code, reason = "held for its Drop")] Option<Sim>);

/// Connects to `target`. `sim_rollout_delay`: how long the emulator's Deployments take to
/// become ready. A context that cannot be loaded is an `Err` driver, not a failure (a cluster
/// that does not answer shows only when the driver is used).
pub fn connect(target: &ClusterTarget, sim_rollout_delay: Duration) -> Connected {
    match target {
        ClusterTarget::Sim => {
            let sim = Sim::start(SimConfig {
                rollout_delay: sim_rollout_delay,
            });
            Connected {
                driver: Ok(ClusterDriver::new(sim.client())),
                keep_alive: KeepAlive(Some(sim)),
            }
        }
        ClusterTarget::Context(context) => Connected {
            driver: connect_context(context),
            keep_alive: KeepAlive(None),
        },
        ClusterTarget::InCluster => Connected {
            driver: connect_in_cluster(),
            keep_alive: KeepAlive(None),
        },
    }
}

/// The pod's service account: `KUBERNETES_SERVICE_HOST`/`_PORT` and the mounted token and CA.
fn connect_in_cluster() -> Result<ClusterDriver, ConnectError> {
    let failed =
        |source: Box<dyn std::error::Error + Send + Sync>| ConnectError::InCluster { source };
    let config = kube::Config::incluster().map_err(|e| failed(e.into()))?;
    let client = kube::Client::try_from(config).map_err(|e| failed(e.into()))?;
    Ok(ClusterDriver::new(client))
}

fn connect_context(context: &str) -> Result<ClusterDriver, ConnectError> {
    let failed = |source: Box<dyn std::error::Error + Send + Sync>| ConnectError::Kubeconfig {
        context: context.to_string(),
        source,
    };
    let options = kube::config::KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    let config = futures::executor::block_on(kube::Config::from_kubeconfig(&options))
        .map_err(|e| failed(e.into()))?;
    let client = kube::Client::try_from(config).map_err(|e| failed(e.into()))?;
    Ok(ClusterDriver::new(client))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_cluster_is_its_own_target_and_says_why_it_cannot_connect() {
        assert_eq!(
            ClusterTarget::parse(" in-cluster "),
            ClusterTarget::InCluster
        );
        assert_eq!(
            ClusterTarget::parse("kind-dev"),
            ClusterTarget::Context("kind-dev".into())
        );
        // These machines are not pods: the service account environment is absent.
        if std::env::var_os("KUBERNETES_SERVICE_HOST").is_none() {
            let err = connect(&ClusterTarget::InCluster, Duration::ZERO)
                .driver
                .err()
                .expect("no service account here");
            assert!(
                err.to_string().starts_with("in-cluster service account: "),
                "{err}"
            );
        }
    }
}

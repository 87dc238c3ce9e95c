//! Environments: the ordered promotion path (dev → staging → prod), each an environment Git
//! repo with a root Application and a cluster to sync to. Read from `[[environments]]` in the
//! configuration ([`crate::config`]); none configured = the demo environments.

use serde::{Deserialize, Serialize};

use super::destination::DestinationCluster;
use super::tree::RootSpec;
pub use crate::cluster::ClusterTarget;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvironmentConfig {
    pub name: String,
    /// Local path or URL of the environment's Git repository.
    pub repo: String,
    pub branch: String,
    /// Path of the root Application manifest in the repo, e.g. `apps/root.yaml`.
    pub root: String,
    /// The environment's own cluster: Argo CD's `in-cluster` destination.
    pub cluster: ClusterTarget,
    /// Further clusters its Applications may target (`[[environments.clusters]]`).
    pub clusters: Vec<DestinationCluster>,
    pub production: bool,
    /// Whether child `Application` objects are applied into the cluster too (for a real Argo CD
    /// running side by side). Off by default: Atrium is the controller of the Applications it
    /// reads, the Argo CD CRD is usually not installed, and an Argo CD would fight over them.
    pub apply_applications: bool,
}

impl EnvironmentConfig {
    /// Every cluster its Applications may target, its own first.
    pub fn destinations(&self) -> Vec<DestinationCluster> {
        let mut all = vec![DestinationCluster::in_cluster(self.cluster.clone())];
        all.extend(self.clusters.iter().cloned());
        all
    }

    /// Where [`super::tree::render_tree`] starts for this environment.
    pub fn root_spec(&self) -> RootSpec {
        RootSpec {
            repo: self.repo.clone(),
            revision: self.branch.clone(),
            path: self.root.clone(),
        }
    }
}

/// `prod` and `production` are production unless the configuration says otherwise.
pub fn production_by_name(name: &str) -> bool {
    matches!(name.to_ascii_lowercase().as_str(), "prod" | "production")
}

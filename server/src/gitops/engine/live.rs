//! Reading an environment's clusters for a pass: every cluster's revision, and a relist only
//! when one moved; each app's live objects come from the cluster its destination names.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::runtime::{EnvRuntime, Snapshot};
use super::EngineError;
use crate::cluster::driver::LiveResource;
use crate::gitops::destination::IN_CLUSTER_NAME;
use crate::gitops::tree::RenderedTree;

/// Live objects by app name.
pub(super) type Live = Arc<HashMap<String, Vec<LiveResource>>>;

/// What a pass read from the environment's clusters.
pub(super) struct Reading {
    pub(super) live: Live,
    /// Every cluster's revision, joined; `None` when one is unknown (the next pass relists).
    pub(super) revision: Option<String>,
    /// Clusters that could not be read (or connected); their apps are not auto-synced.
    pub(super) failed: HashSet<String>,
    /// Why, one line per failed cluster; `None` when every cluster answered.
    pub(super) error: Option<String>,
}

impl Reading {
    /// No cluster answered: the pass publishes the error and stops.
    pub(super) fn nothing_read(&self, env: &EnvRuntime) -> bool {
        self.failed.len() == env.clusters.len()
    }
}

/// Reads every cluster of `env`; reuses `previous.live` when no cluster's revision moved and
/// the kinds to list did not change (`same_kinds`). `reuse`: false forces a relist (after a
/// sync).
pub(super) async fn read(
    env: &EnvRuntime,
    tree: &RenderedTree,
    previous: &Snapshot,
    extra: &[(String, String)],
    reuse: bool,
) -> Reading {
    let several = env.clusters.len() > 1;
    let mut failed = HashSet::new();
    let mut errors = Vec::new();
    let mut revisions = Vec::new();
    let mut fail = |name: &str, error: String| {
        failed.insert(name.to_string());
        errors.push(if several {
            format!("cluster {name}: {error}")
        } else {
            error
        });
    };
    for cluster in &env.clusters {
        match &cluster.driver {
            Ok(driver) => revisions.push(driver.revision().await.ok().flatten()),
            Err(error) => {
                fail(&cluster.name, error.to_string());
                revisions.push(None);
            }
        }
    }
    let revision = revisions
        .iter()
        .map(|r| r.as_deref())
        .collect::<Option<Vec<_>>>()
        .map(|all| all.join(","));
    // The relist (one list per kind, every object) only when a cluster changed since the
    // last one: a quiet estate of 20,000 objects costs one small read per cluster and pass.
    if reuse && revision.is_some() && revision == previous.live_revision {
        return Reading {
            live: previous.live.clone(),
            revision,
            failed,
            error: join(errors),
        };
    }
    let destination: HashMap<&str, &str> = tree
        .apps
        .iter()
        .map(|a| {
            let cluster = a.cluster.as_deref().unwrap_or(IN_CLUSTER_NAME);
            (a.name.as_str(), cluster)
        })
        .collect();
    let mut live = HashMap::new();
    for cluster in &env.clusters {
        let Ok(driver) = &cluster.driver else {
            continue;
        };
        match driver.inventory(extra).await {
            // An app's objects on a cluster it does not deploy to are not its own (left over
            // from an earlier destination, or another Argo CD's); objects of apps not in the
            // tree are shown from the environment's own cluster, as they always were.
            Ok(by_app) => live.extend(by_app.into_iter().filter(|(app, _)| {
                destination
                    .get(app.as_str())
                    .copied()
                    .unwrap_or(IN_CLUSTER_NAME)
                    == cluster.name
            })),
            Err(e) => fail(
                &cluster.name,
                EngineError::ClusterUnreachable(e).to_string(),
            ),
        }
    }
    Reading {
        live: Arc::new(live),
        revision: revision.filter(|_| failed.is_empty()),
        failed,
        error: join(errors),
    }
}

fn join(errors: Vec<String>) -> Option<String> {
    (!errors.is_empty()).then(|| errors.join("; "))
}

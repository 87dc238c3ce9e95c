//! Reading an environment's clusters for a pass: the inventory each cluster's watches keep
//! ([`LiveWatch`](crate::cluster::driver::LiveWatch)); each app's live objects come from the
//! cluster its destination names.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use super::runtime::{EnvRuntime, Snapshot};
use super::EngineError;
use crate::cluster::driver::Inventory;
use crate::gitops::destination::IN_CLUSTER_NAME;
use crate::gitops::tree::RenderedTree;

/// Live objects by app name.
pub(super) type Live = Arc<Inventory>;

/// How long a pass waits for a cluster's first lists.
const LIST_LIMIT: Duration = Duration::from_secs(60);

/// What a pass read from the environment's clusters.
pub(super) struct Reading {
    pub(super) live: Live,
    /// Every cluster's inventory version, joined; `None` when one is unknown.
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

/// Reads every cluster of `env`; reuses `previous.live` when no cluster's inventory moved and
/// `reuse` (the tree asks for the same kinds of the same clusters).
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
    let mut inventories = Vec::new();
    for cluster in &env.clusters {
        let driver = match &cluster.driver {
            Ok(driver) => driver,
            Err(error) => {
                fail(&cluster.name, error.to_string());
                revisions.push(None);
                continue;
            }
        };
        // Watches for kinds not watched yet (the first pass starts them all); then the
        // inventory they keep, once every kind has been listed.
        if let Err(e) = driver.watch_kinds(&cluster.watch, extra).await {
            fail(
                &cluster.name,
                EngineError::ClusterUnreachable(e).to_string(),
            );
            revisions.push(None);
            continue;
        }
        match cluster.watch.current(LIST_LIMIT).await {
            Ok((inventory, version)) => {
                revisions.push(Some(version.to_string()));
                inventories.push((cluster.name.as_str(), inventory));
            }
            Err(e) => {
                fail(&cluster.name, format!("the cluster did not answer: {e}"));
                revisions.push(None);
            }
        }
    }
    let revision = revisions
        .iter()
        .map(|r| r.as_deref())
        .collect::<Option<Vec<_>>>()
        .map(|all| all.join(","));
    // Nothing moved since the last read: the last inventory (and every status cached on it)
    // still holds.
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
    let merge = inventories.len() > 1;
    let mut live = Inventory::new();
    for (cluster, inventory) in inventories {
        if !merge {
            live = inventory;
            break;
        }
        // An app's objects on a cluster it does not deploy to are not its own (left over
        // from an earlier destination, or another Argo CD's); objects of apps not in the
        // tree are shown from the environment's own cluster, as they always were.
        live.extend(inventory.into_iter().filter(|(app, _)| {
            destination
                .get(app.as_str())
                .copied()
                .unwrap_or(IN_CLUSTER_NAME)
                == cluster
        }));
    }
    Reading {
        live: Arc::new(live),
        revision,
        failed,
        error: join(errors),
    }
}

fn join(errors: Vec<String>) -> Option<String> {
    (!errors.is_empty()).then(|| errors.join("; "))
}

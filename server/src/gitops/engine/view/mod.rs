//! From a rendered tree plus the live inventory to what the UI shows: per-resource sync and
//! health and per-app roll-ups (an app is its worst resource or child app) in `statuses`, the
//! flat tree in `nodes`, and what a pass keeps for the next in `cache`.

mod cache;
mod nodes;
mod statuses;
#[cfg(test)]
mod tests;

use crate::cluster::driver::{in_sync, LiveResource};
use crate::resource::facts::states_all;
use crate::resource::{DesiredResource, Health, SyncStatus};

pub use cache::ViewCache;
pub use nodes::{tree_nodes, tree_nodes_cached};
pub use statuses::{app_statuses, app_statuses_cached};

/// One app's computed status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppStatus {
    pub sync: SyncStatus,
    pub health: Health,
    /// Live objects of the app that Git no longer wants (prune candidates).
    pub orphans: usize,
    /// Sync, health and message of each of the app's resources, in `resources` order:
    /// computed once here, shown by [`tree_nodes`].
    pub resources: Vec<ResourceStatus>,
}

impl AppStatus {
    /// An app that did not render, or that no pass has looked at.
    pub fn unknown() -> AppStatus {
        AppStatus {
            sync: SyncStatus::Unknown,
            health: Health::Unknown,
            orphans: 0,
            resources: Vec::new(),
        }
    }
}

pub type ResourceStatus = (SyncStatus, Health, Option<String>);

/// Sync and health of one desired resource against its live object (if any). Health is the
/// verdict the inventory reached when it listed the object. Sync compares the two sides'
/// facts when both have them (the render and the list work them out), else walks the JSON.
pub fn resource_status(desired: &DesiredResource, live: Option<&LiveResource>) -> ResourceStatus {
    match live {
        None => (
            SyncStatus::OutOfSync,
            Health::Missing,
            Some("not in the cluster".into()),
        ),
        Some(live) => {
            let synced = match (desired.facts.as_deref(), live.facts.as_deref()) {
                (Some(wanted), Some(stated)) => states_all(stated, wanted),
                _ => in_sync(&desired.manifest, &live.object),
            };
            let sync = if synced {
                SyncStatus::Synced
            } else {
                SyncStatus::OutOfSync
            };
            (sync, live.health, live.health_message.clone())
        }
    }
}

/// Image tag of the first container of a workload, for the version column.
pub fn image_tag(manifest: &serde_json::Value) -> Option<String> {
    image_tag_of(manifest).map(String::from)
}

fn image_tag_of(manifest: &serde_json::Value) -> Option<&str> {
    // `get` chains, not `pointer`: it splits and unescapes the path on every call, and this
    // runs for every node of every tree.
    let spec = manifest.get("spec")?;
    fn pod_spec(s: &serde_json::Value) -> Option<&serde_json::Value> {
        s.get("template")?.get("spec")
    }
    let pod = pod_spec(spec).or_else(|| pod_spec(spec.get("jobTemplate")?.get("spec")?))?;
    let containers = pod.get("containers")?;
    let image = containers.get(0)?.get("image")?.as_str()?;
    let tail = image.rsplit('/').next().unwrap_or(image);
    tail.split_once(':').map(|(_, tag)| tag)
}

/// The live object with `key` in an app's list. The inventory sorts each list by key, so this
/// is a binary search; a list built some other way is scanned.
fn find(live: &[LiveResource], sorted: bool, key: &str) -> Option<usize> {
    if sorted {
        live.binary_search_by(|l| l.key.as_str().cmp(key)).ok()
    } else {
        live.iter().position(|l| l.key == key)
    }
}

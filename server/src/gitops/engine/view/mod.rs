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
use crate::resource::hooks::is_hook;
use crate::resource::{DesiredResource, Health, SyncStatus};
use crate::shared_str::SharedStr;

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

/// A resource's sync, health and message. The message is shared (most repeat: a kind's health
/// verdicts, "not in the cluster"), so the copies a pass, its cache and the rows keep are a
/// word each.
pub type ResourceStatus = (SyncStatus, Health, Option<SharedStr>);

/// Sync and health of one desired resource against its live object (if any). Health is the
/// verdict the inventory reached when it listed the object. Sync compares the two sides'
/// facts when both have them (the render and the list work them out), else walks the JSON.
pub fn resource_status(desired: &DesiredResource, live: Option<&LiveResource>) -> ResourceStatus {
    match live {
        None => (
            SyncStatus::OutOfSync,
            Health::Missing,
            Some(SharedStr::interned("not in the cluster")),
        ),
        Some(live) => {
            let synced = match (desired.facts.as_deref(), live.facts.as_deref()) {
                (Some(wanted), Some(stated)) => states_all(stated, wanted),
                _ => in_sync(&desired.manifest.value(), &live.object.value()),
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

/// [`resource_status`], with the app's `spec.ignoreDifferences` left out of the sync verdict
/// of each resource a rule picks.
pub fn resource_status_ignoring(
    desired: &DesiredResource,
    live: Option<&LiveResource>,
    rules: &[crate::gitops::application::IgnoreDifferences],
) -> ResourceStatus {
    let mut status = resource_status(desired, live);
    if let Some(live) = live.filter(|_| crate::gitops::ignore::any_picks(rules, desired)) {
        status.0 = if crate::gitops::ignore::in_sync_ignoring(rules, desired, &live.object.value())
        {
            SyncStatus::Synced
        } else {
            SyncStatus::OutOfSync
        };
    }
    status
}

/// What a hook shows, and which live object it is (its index in `live`): a named hook is
/// found by key; a `generateName` one is the latest object named from its prefix. Its sync
/// is not compared (Synced), its health is the live object's (Missing once its delete policy
/// removed it, or before the first sync).
pub fn hook_status(
    desired: &DesiredResource,
    live: &[LiveResource],
    sorted: bool,
) -> (ResourceStatus, Option<usize>) {
    let phase = desired.hook.as_deref().unwrap_or_default();
    let found = if crate::resource::hooks::generate_name(&desired.manifest.value()).is_some() {
        // Generated names extend the prefix, so their keys extend the desired key.
        let prefix = desired.key();
        live.iter()
            .enumerate()
            .filter(|(_, l)| l.key.starts_with(&prefix))
            .map(|(j, l)| (j, l.object.value()))
            .filter(|(_, object)| is_hook(object))
            .max_by(|(ja, a), (jb, b)| {
                let at = |o: &serde_json::Value| {
                    o["metadata"]["creationTimestamp"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string()
                };
                (at(a), &live[*ja].key).cmp(&(at(b), &live[*jb].key))
            })
            .map(|(j, _)| j)
    } else {
        find(live, sorted, &desired.key())
    };
    let status = match found {
        Some(j) => {
            let why = live[j].health_message.as_deref().unwrap_or("not compared");
            let message = format!("{phase} hook {}: {why}", live[j].name);
            (SyncStatus::Synced, live[j].health, Some(message.into()))
        }
        None => (
            SyncStatus::Synced,
            Health::Missing,
            Some(SharedStr::interned(&format!(
                "{phase} hook: created by the next sync, not compared"
            ))),
        ),
    };
    (status, found)
}

/// The live object with `key` in an app's list. The inventory sorts each list by key, so this
/// is a binary search; a list built some other way is scanned.
fn find(live: &[LiveResource], sorted: bool, key: &str) -> Option<usize> {
    if sorted {
        live.binary_search_by(|l| (*l.key).cmp(key)).ok()
    } else {
        live.iter().position(|l| *l.key == *key)
    }
}

//! Statuses of every app: each app's own resources on every core, then the roll-ups, children
//! before parents (an app is its worst resource or child app).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rayon::prelude::*;

use super::cache::{KnownApp, KnownStatuses};
use super::{find, hook_status, resource_status_ignoring, AppStatus, ViewCache};
use crate::cluster::driver::LiveResource;
use crate::gitops::appset::is_app_kind;
use crate::gitops::project::is_app_project;
use crate::gitops::tree::{RenderStatus, RenderedApp, RenderedTree};
use crate::resource::hooks::is_hook;
use crate::resource::{Health, SyncStatus};
use crate::shared_str::SharedStr;

/// Statuses of every app, children before parents so roll-ups see their children.
pub fn app_statuses(
    tree: &RenderedTree,
    live: &crate::cluster::driver::Inventory,
) -> HashMap<String, AppStatus> {
    statuses_with(tree, live, None, true)
}

/// [`app_statuses`], reusing what `cache` knows and keeping what it computes.
pub fn app_statuses_cached(
    tree: &Arc<RenderedTree>,
    live: &crate::cluster::driver::Inventory,
    cache: &mut ViewCache,
    applications_applied: bool,
) -> HashMap<String, AppStatus> {
    cache.follow(tree);
    statuses_with(tree, live, Some(&mut cache.statuses), applications_applied)
}

/// `applications_applied`: whether child Application objects are in the cluster; when they are
/// not, their absence is not drift.
fn statuses_with(
    tree: &RenderedTree,
    live: &crate::cluster::driver::Inventory,
    mut cache: Option<&mut KnownStatuses>,
    applications_applied: bool,
) -> HashMap<String, AppStatus> {
    let known: Vec<Option<KnownApp>> = tree
        .apps
        .iter()
        .map(|app| cache.as_deref_mut().and_then(|c| c.remove(&app.name)))
        .collect();
    // Each app's own resources, on every core: apps do not depend on each other here.
    let own: Vec<Option<KnownApp>> = tree
        .apps
        .par_iter()
        .zip(known)
        .map(|(app, known)| {
            if app.status != RenderStatus::Ok {
                return None;
            }
            let live_list: &[_] = live.get(&app.name).map_or(&[], |l| l.as_slice());
            let print = fingerprint(live_list);
            // The same live objects at the same versions: the app's own part stands as is.
            Some(match known {
                Some(k) if k.fingerprint == print && k.resources.len() == app.resources.len() => k,
                k => own_status(app, live_list, k.as_ref(), print, applications_applied),
            })
        })
        .collect();
    // Roll-ups, children before parents (the render lists parents first).
    let mut out: HashMap<String, AppStatus> = HashMap::with_capacity(tree.apps.len());
    for (app, own) in tree.apps.iter().zip(own).rev() {
        let status = match own {
            None => AppStatus::unknown(),
            Some(own) => {
                let (sync, mut health, orphans) = own.own;
                for child in &app.children {
                    if let Some(c) = out.get(child) {
                        health = health.worst(c.health);
                    }
                }
                let resources = own.resources.iter().map(|(_, s)| s.clone()).collect();
                if let Some(c) = cache.as_deref_mut() {
                    c.insert(app.name.clone(), own);
                }
                AppStatus {
                    sync,
                    health,
                    orphans,
                    resources,
                }
            }
        };
        out.insert(app.name.clone(), status);
    }
    out
}

/// The app's live objects, as keys and resourceVersions.
fn fingerprint(live: &[LiveResource]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for l in live {
        l.key.hash(&mut h);
        l.resource_version.hash(&mut h);
    }
    h.finish()
}

/// Sync, health (before child apps) and orphans of the app's own resources, reusing the
/// status of each resource whose live resourceVersion `known` saw already.
fn own_status(
    app: &RenderedApp,
    live_list: &[LiveResource],
    known: Option<&KnownApp>,
    fingerprint: u64,
    applications_applied: bool,
) -> KnownApp {
    let sorted = live_list.is_sorted_by(|a, b| a.key <= b.key);
    // Which live objects Git still wants; the rest are orphans.
    let mut wanted = vec![false; live_list.len()];
    let mut sync = SyncStatus::Synced;
    let mut health = Health::Healthy;
    let mut resources = Vec::with_capacity(app.resources.len());
    let rules = app
        .application
        .as_ref()
        .map_or(&[][..], |a| &a.spec.ignore_differences[..]);
    for (i, r) in app.resources.iter().enumerate() {
        if !applications_applied && is_app_project(r) {
            // Atrium reads AppProjects itself, as it does child Applications: not applied,
            // so their absence is not drift.
            if let Some(j) = find(live_list, sorted, &r.key()) {
                wanted[j] = true;
            }
            let note = "read by Atrium, not applied (apply_applications is off)";
            resources.push((
                None,
                (
                    SyncStatus::Synced,
                    Health::Healthy,
                    Some(SharedStr::interned(note)),
                ),
            ));
            continue;
        }
        if r.hook.is_some() {
            // Run by a sync, not compared: shown, never part of the app's sync or health.
            let (status, found) = hook_status(r, live_list, sorted);
            let version = found.map(|j| {
                wanted[j] = true;
                live_list[j].resource_version.clone()
            });
            resources.push((version, status));
            continue;
        }
        let found = find(live_list, sorted, &r.key());
        let live = found.map(|j| {
            wanted[j] = true;
            &live_list[j]
        });
        let version = live.map(|l| &*l.resource_version);
        let status = match known.and_then(|k| k.resources.get(i)) {
            Some((v, status)) if v.as_deref() == version => status.clone(),
            _ => resource_status_ignoring(r, live, rules),
        };
        if status.0 != SyncStatus::Synced && (applications_applied || !is_app_kind(&r.kind)) {
            sync = SyncStatus::OutOfSync;
        }
        // Child Applications (and sets) stand for their node: its roll-up counts separately.
        if !is_app_kind(&r.kind) {
            health = health.worst(status.1);
        }
        resources.push((version.map(Box::from), status));
    }
    // Hooks left by earlier syncs (generated names, or removed from Git) belong to their
    // delete policy, not to prune.
    let orphans = wanted
        .iter()
        .zip(live_list)
        .filter(|(w, l)| !**w && !is_hook(&l.object.value()))
        .count();
    if orphans > 0 {
        sync = SyncStatus::OutOfSync;
    }
    KnownApp {
        fingerprint,
        resources,
        own: (sync, health, orphans),
    }
}

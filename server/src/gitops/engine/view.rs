//! From a rendered tree plus the live inventory to what the UI shows: per-resource sync and
//! health, per-app roll-ups (an app is its worst resource or child app), the flat tree.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use atrium_app::dto::env::TreeNode;

use crate::cluster::driver::{health_of, in_sync, LiveResource};
use crate::gitops::desired::{DesiredResource, Health, SyncStatus};
use crate::gitops::tree::{RenderStatus, RenderedApp, RenderedTree};

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

pub type ResourceStatus = (SyncStatus, Health, Option<String>);

pub fn sync_word(s: SyncStatus) -> &'static str {
    match s {
        SyncStatus::Synced => "Synced",
        SyncStatus::OutOfSync => "OutOfSync",
        SyncStatus::Unknown => "Unknown",
    }
}

pub fn health_word(h: Health) -> &'static str {
    match h {
        Health::Healthy => "Healthy",
        Health::Suspended => "Suspended",
        Health::Progressing => "Progressing",
        Health::Unknown => "Unknown",
        Health::Missing => "Missing",
        Health::Degraded => "Degraded",
    }
}

pub fn app_id(name: &str) -> String {
    format!("app:{name}")
}

pub fn resource_id(app: &str, key: &str) -> String {
    format!("res:{app}:{key}")
}

/// The key the driver uses for a desired resource (group/kind/namespace/name).
pub fn key_of(r: &DesiredResource) -> String {
    crate::cluster::driver::plan::key_of(&r.api_version, &r.kind, &r.namespace, &r.name)
}

/// Sync and health of one desired resource against its live object (if any).
pub fn resource_status(
    desired: &DesiredResource,
    live: Option<&LiveResource>,
) -> (SyncStatus, Health, Option<String>) {
    match live {
        None => (
            SyncStatus::OutOfSync,
            Health::Missing,
            Some("not in the cluster".into()),
        ),
        Some(live) => {
            let sync = if in_sync(&desired.manifest, &live.object) {
                SyncStatus::Synced
            } else {
                SyncStatus::OutOfSync
            };
            let (health, message) = health_of(Some(&live.object));
            (sync, health, message)
        }
    }
}

/// Image tag of the first container of a workload, for the version column.
pub fn image_tag(manifest: &serde_json::Value) -> Option<String> {
    let containers = manifest
        .pointer("/spec/template/spec/containers")
        .or_else(|| manifest.pointer("/spec/jobTemplate/spec/template/spec/containers"))?;
    let image = containers.get(0)?.get("image")?.as_str()?;
    let tail = image.rsplit('/').next().unwrap_or(image);
    tail.split_once(':').map(|(_, tag)| tag.to_string())
}

fn short(sha: &str) -> String {
    sha.chars().take(7).collect()
}

/// What the last pass worked out, for one rendered tree: each resource's status, reused while
/// its live object keeps its resourceVersion (the desired side cannot change within one
/// rendered tree), and each app's resource rows, reused while their statuses are the same. A
/// steady reconcile pass then costs lookups, not a diff per resource, and a change rebuilds
/// the rows of the apps it touched. A new render starts afresh.
#[derive(Default)]
pub struct ViewCache {
    tree: Option<Arc<RenderedTree>>,
    /// Per app: what its own resources' statuses were computed from, and what they were.
    statuses: KnownStatuses,
    /// Per app: the resource statuses its rows show, and the rows.
    rows: KnownRows,
}

type KnownStatuses = HashMap<String, KnownApp>;

/// What the cache keeps of one app: a fingerprint of its live objects (keys and
/// resourceVersions); each resource's status with the resourceVersion it was computed for; the
/// app's own sync, health (before its child apps) and orphan count.
struct KnownApp {
    fingerprint: u64,
    resources: Vec<(Option<String>, ResourceStatus)>,
    own: (SyncStatus, Health, usize),
}
type KnownRows = HashMap<String, (Vec<ResourceStatus>, Vec<TreeNode>)>;

impl ViewCache {
    /// How many resource statuses are kept.
    pub fn len(&self) -> usize {
        self.statuses.values().map(|k| k.resources.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets everything when `tree` is not the tree the cache was kept for.
    fn follow(&mut self, tree: &Arc<RenderedTree>) {
        if !self.tree.as_ref().is_some_and(|t| Arc::ptr_eq(t, tree)) {
            self.statuses.clear();
            self.rows.clear();
            self.tree = Some(tree.clone());
        }
    }
}

/// Statuses of every app, children before parents so roll-ups see their children.
pub fn app_statuses(
    tree: &RenderedTree,
    live: &HashMap<String, Vec<LiveResource>>,
) -> HashMap<String, AppStatus> {
    statuses_with(tree, live, None)
}

/// [`app_statuses`], reusing what `cache` knows and keeping what it computes.
pub fn app_statuses_cached(
    tree: &Arc<RenderedTree>,
    live: &HashMap<String, Vec<LiveResource>>,
    cache: &mut ViewCache,
) -> HashMap<String, AppStatus> {
    cache.follow(tree);
    statuses_with(tree, live, Some(&mut cache.statuses))
}

fn resource_version(live: Option<&LiveResource>) -> Option<&str> {
    // Not `pointer`: it splits and unescapes the path on every call, on the hot path.
    live?
        .object
        .get("metadata")?
        .get("resourceVersion")?
        .as_str()
}

fn statuses_with(
    tree: &RenderedTree,
    live: &HashMap<String, Vec<LiveResource>>,
    mut cache: Option<&mut KnownStatuses>,
) -> HashMap<String, AppStatus> {
    let mut out: HashMap<String, AppStatus> = HashMap::new();
    let empty = Vec::new();
    for app in tree.apps.iter().rev() {
        let status = if app.status != RenderStatus::Ok {
            AppStatus {
                sync: SyncStatus::Unknown,
                health: Health::Unknown,
                orphans: 0,
                resources: Vec::new(),
            }
        } else {
            let live_list = live.get(&app.name).unwrap_or(&empty);
            let known = cache.as_deref_mut().and_then(|c| c.remove(&app.name));
            let print = fingerprint(live_list);
            // The same live objects at the same versions: the app's own part stands as is.
            let own = match known {
                Some(k) if k.fingerprint == print && k.resources.len() == app.resources.len() => k,
                k => own_status(app, live_list, k.as_ref(), print),
            };
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
        resource_version(Some(l)).hash(&mut h);
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
) -> KnownApp {
    let by_key: HashMap<&str, &LiveResource> =
        live_list.iter().map(|l| (l.key.as_str(), l)).collect();
    let mut sync = SyncStatus::Synced;
    let mut health = Health::Healthy;
    let mut wanted = std::collections::HashSet::new();
    let mut resources = Vec::with_capacity(app.resources.len());
    for (i, r) in app.resources.iter().enumerate() {
        let key = key_of(r);
        let live = by_key.get(key.as_str()).copied();
        let version = resource_version(live);
        let status = match known.and_then(|k| k.resources.get(i)) {
            Some((v, status)) if v.as_deref() == version => status.clone(),
            _ => resource_status(r, live),
        };
        if status.0 != SyncStatus::Synced {
            sync = SyncStatus::OutOfSync;
        }
        // Child Applications stand for their app: their roll-up counts separately.
        if r.kind != "Application" {
            health = health.worst(status.1);
        }
        resources.push((version.map(String::from), status));
        wanted.insert(key);
    }
    let orphans = live_list
        .iter()
        .filter(|l| !wanted.contains(&l.key))
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

/// The flat tree: each app, then its resources (child Applications appear as app nodes).
pub fn tree_nodes(
    tree: &RenderedTree,
    live: &HashMap<String, Vec<LiveResource>>,
    statuses: &HashMap<String, AppStatus>,
) -> Vec<TreeNode> {
    nodes_with(tree, live, statuses, None)
}

/// [`tree_nodes`], reusing the rows of apps whose statuses did not move.
pub fn tree_nodes_cached(
    tree: &Arc<RenderedTree>,
    live: &HashMap<String, Vec<LiveResource>>,
    statuses: &HashMap<String, AppStatus>,
    cache: &mut ViewCache,
) -> Vec<TreeNode> {
    cache.follow(tree);
    nodes_with(tree, live, statuses, Some(&mut cache.rows))
}

fn nodes_with(
    tree: &RenderedTree,
    live: &HashMap<String, Vec<LiveResource>>,
    statuses: &HashMap<String, AppStatus>,
    rows: Option<&mut KnownRows>,
) -> Vec<TreeNode> {
    let mut walk = Walk {
        by_name: tree.apps.iter().map(|a| (a.name.as_str(), a)).collect(),
        live,
        statuses,
        rows,
        nodes: Vec::new(),
    };
    if let Some(root) = tree.apps.first() {
        walk.push_app(root, 0);
    }
    walk.nodes
}

/// The walk from the root down, building the flat tree.
struct Walk<'a> {
    by_name: HashMap<&'a str, &'a RenderedApp>,
    live: &'a HashMap<String, Vec<LiveResource>>,
    statuses: &'a HashMap<String, AppStatus>,
    rows: Option<&'a mut KnownRows>,
    nodes: Vec<TreeNode>,
}

impl Walk<'_> {
    fn push_app(&mut self, app: &RenderedApp, depth: usize) {
        let (live, statuses) = (self.live, self.statuses);
        if depth > 64 {
            return;
        }
        let unknown = AppStatus {
            sync: SyncStatus::Unknown,
            health: Health::Unknown,
            orphans: 0,
            resources: Vec::new(),
        };
        let status = statuses.get(&app.name).unwrap_or(&unknown);
        let id = app_id(&app.name);
        self.nodes.push(TreeNode {
            id: id.clone(),
            parent: app.parent.as_deref().map(app_id),
            kind: "Application".into(),
            name: app.name.clone(),
            namespace: app.destination_namespace.clone(),
            is_app: true,
            sync: sync_word(status.sync).into(),
            health: health_word(status.health).into(),
            version: app.source.revision.as_deref().map(short),
            status: app.status.as_str().into(),
            message: (!app.message.is_empty())
                .then(|| app.message.clone())
                .or_else(|| {
                    (status.orphans > 0)
                        .then(|| format!("{} live object(s) no longer in Git", status.orphans))
                }),
        });
        for child in &app.children {
            if let Some(child) = self.by_name.get(child.as_str()).copied() {
                self.push_app(child, depth + 1);
            }
        }
        // Statuses come from `app_statuses`; computed here only if they were not.
        let computed = status.resources.len() == app.resources.len();
        if computed {
            let known = self.rows.as_deref().and_then(|r| r.get(&app.name));
            if let Some((shown, rows)) = known.filter(|(shown, _)| *shown == status.resources) {
                debug_assert_eq!(shown.len(), status.resources.len());
                self.nodes.extend(rows.iter().cloned());
                return;
            }
        }
        let first = self.nodes.len();
        let empty = Vec::new();
        let live_list = live.get(&app.name).unwrap_or(&empty);
        let by_key: HashMap<&str, &LiveResource> = if computed {
            HashMap::new()
        } else {
            live_list.iter().map(|l| (l.key.as_str(), l)).collect()
        };
        for (i, r) in app.resources.iter().enumerate() {
            if r.kind == "Application" {
                continue;
            }
            let key = key_of(r);
            let (sync, health, message) = match status.resources.get(i) {
                Some(known) if computed => known.clone(),
                _ => resource_status(r, by_key.get(key.as_str()).copied()),
            };
            self.nodes.push(TreeNode {
                id: resource_id(&app.name, &key),
                parent: Some(id.clone()),
                kind: r.kind.clone(),
                name: r.name.clone(),
                namespace: r.namespace.clone(),
                is_app: false,
                sync: sync_word(sync).into(),
                health: health_word(health).into(),
                version: image_tag(&r.manifest),
                status: "ok".into(),
                message,
            });
        }
        if let (true, Some(rows)) = (computed, self.rows.as_deref_mut()) {
            let built = self.nodes[first..].to_vec();
            rows.insert(app.name.clone(), (status.resources.clone(), built));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::gitops::tree::AppSourceView;

    fn config_map(value: &str) -> serde_json::Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
               "metadata": {"name": "settings", "namespace": "shop"}, "data": {"mode": value}})
    }

    fn one_app(resources: Vec<DesiredResource>) -> RenderedTree {
        RenderedTree {
            apps: vec![RenderedApp {
                name: "cart".into(),
                parent: None,
                depth: 0,
                source: AppSourceView::default(),
                project: "default".into(),
                destination_namespace: "shop".into(),
                destination_server: None,
                destination_name: None,
                automated: None,
                sync_options: Vec::new(),
                sync_wave: 0,
                status: RenderStatus::Ok,
                message: String::new(),
                resources,
                children: Vec::new(),
                application: None,
            }],
        }
    }

    fn live(value: &str, version: &str) -> HashMap<String, Vec<LiveResource>> {
        let mut object = config_map(value);
        object["metadata"]["resourceVersion"] = json!(version);
        let l = LiveResource {
            key: "/ConfigMap/shop/settings".into(),
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: "shop".into(),
            name: "settings".into(),
            health: Health::Healthy,
            health_message: None,
            object,
        };
        HashMap::from([("cart".to_string(), vec![l])])
    }

    #[test]
    fn cached_statuses_follow_resource_versions_and_renders() {
        let desired = DesiredResource {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: "shop".into(),
            name: "settings".into(),
            manifest: config_map("fast"),
            sync_wave: 0,
            hook: None,
        };
        assert_eq!(key_of(&desired), "/ConfigMap/shop/settings");
        let tree = Arc::new(one_app(vec![desired.clone()]));
        let mut cache = ViewCache::default();
        let sync = |s: &HashMap<String, AppStatus>| s["cart"].sync;
        // The rows built through the cache are the rows built from scratch.
        let same_rows = |tree: &Arc<RenderedTree>,
                         live: &HashMap<String, Vec<LiveResource>>,
                         statuses: &HashMap<String, AppStatus>,
                         cache: &mut ViewCache| {
            let rows = tree_nodes_cached(tree, live, statuses, cache);
            assert_eq!(rows, tree_nodes(tree, live, statuses));
            rows
        };

        let first = app_statuses_cached(&tree, &live("fast", "1"), &mut cache);
        assert_eq!(first, app_statuses(&tree, &live("fast", "1")));
        assert_eq!((sync(&first), cache.len()), (SyncStatus::Synced, 1));
        // A new resourceVersion is looked at again: the live object drifted.
        let rows = same_rows(&tree, &live("fast", "1"), &first, &mut cache);
        assert_eq!(rows[1].sync, "Synced");
        let drifted = app_statuses_cached(&tree, &live("slow", "2"), &mut cache);
        assert_eq!(sync(&drifted), SyncStatus::OutOfSync);
        let rows = same_rows(&tree, &live("slow", "2"), &drifted, &mut cache);
        assert_eq!(rows[1].sync, "OutOfSync");
        // Gone from the cluster.
        let gone = app_statuses_cached(&tree, &HashMap::new(), &mut cache);
        assert_eq!(gone["cart"].health, Health::Missing);
        let rows = same_rows(&tree, &HashMap::new(), &gone, &mut cache);
        assert_eq!(rows[1].health, "Missing");
        // A new render is a new tree: nothing cached for the old one is trusted, even for
        // the same resourceVersion.
        let mut wanted = desired;
        wanted.manifest = config_map("slow");
        let rerendered = Arc::new(one_app(vec![wanted]));
        app_statuses_cached(&tree, &live("fast", "3"), &mut cache);
        let after = app_statuses_cached(&rerendered, &live("fast", "3"), &mut cache);
        assert_eq!(sync(&after), SyncStatus::OutOfSync);
        assert_eq!(after, app_statuses(&rerendered, &live("fast", "3")));
        same_rows(&rerendered, &live("fast", "3"), &after, &mut cache);
    }

    #[test]
    fn image_tags_come_from_the_first_container() {
        let d = serde_json::json!({"spec": {"template": {"spec": {"containers": [
            {"image": "registry.example:5000/team/cart:1.4.2"}]}}}});
        assert_eq!(image_tag(&d).as_deref(), Some("1.4.2"));
        assert_eq!(image_tag(&serde_json::json!({"kind": "Service"})), None);
    }
}

//! The flat tree the UI gets: each app, its child apps, then its resource rows (child
//! Applications and ApplicationSets appear as app nodes, not as rows; a set's node says
//! `ApplicationSet` as its kind).

use std::collections::HashMap;
use std::sync::Arc;

use atrium_app::dto::env::{TreeNode, TreeView};
use atrium_app::dto::node::NodeId;
use rayon::prelude::*;

use super::cache::KnownRows;
use super::{find, resource_status, AppStatus, ViewCache};
use crate::gitops::appset::is_app_kind;
use crate::gitops::tree::{RenderedApp, RenderedTree};

/// The flat tree: each app, then its resources (child Applications appear as app nodes).
pub fn tree_nodes(
    tree: &RenderedTree,
    live: &crate::cluster::driver::Inventory,
    statuses: &HashMap<String, AppStatus>,
) -> Vec<TreeNode> {
    nodes_with(tree, live, statuses, None).0
}

/// [`tree_nodes`] made into a view by `wrap`, reusing the rows of apps whose statuses did not
/// move from the view the cache last made. The cache keeps that view (shared with whoever
/// holds it), not a copy of its rows.
pub fn tree_nodes_cached(
    tree: &Arc<RenderedTree>,
    live: &crate::cluster::driver::Inventory,
    statuses: &HashMap<String, AppStatus>,
    cache: &mut ViewCache,
    wrap: impl FnOnce(Vec<TreeNode>) -> Arc<TreeView>,
) -> Arc<TreeView> {
    cache.follow(tree);
    let shown = cache.shown.take();
    let known = shown
        .as_deref()
        .map(|view| (&cache.rows, view.nodes.as_slice()));
    let (nodes, ranges) = nodes_with(tree, live, statuses, known);
    let unknown = AppStatus::unknown();
    let mut rows = KnownRows::with_capacity(tree.apps.len());
    for (app, range) in tree.apps.iter().zip(ranges) {
        let status = statuses.get(&app.name).unwrap_or(&unknown);
        // Only rows made from the pass's statuses are worth keeping.
        if let Some(range) = range.filter(|_| status.resources.len() == app.resources.len()) {
            rows.insert(app.name.clone(), (status.resources.clone(), range));
        }
    }
    let view = wrap(nodes);
    cache.rows = rows;
    cache.shown = Some(view.clone());
    view
}

/// The rows of the last view: per app, the statuses they show and where they are.
type Known<'a> = (&'a KnownRows, &'a [TreeNode]);

/// The flat tree, and where each app's resource rows ended up in it.
fn nodes_with(
    tree: &RenderedTree,
    live: &crate::cluster::driver::Inventory,
    statuses: &HashMap<String, AppStatus>,
    known: Option<Known<'_>>,
) -> (Vec<TreeNode>, Vec<Option<std::ops::Range<usize>>>) {
    let unknown = AppStatus::unknown();
    let status_of = |app: &RenderedApp| statuses.get(&app.name).unwrap_or(&unknown);
    // Each app's resource rows, on every core; then one walk puts them in tree order.
    let built: Vec<Vec<TreeNode>> = tree
        .apps
        .par_iter()
        .map(|app| {
            let status = status_of(app);
            let cached = known.and_then(|(rows, nodes)| {
                let (shown, range) = rows.get(&app.name)?;
                (*shown == status.resources).then(|| nodes.get(range.clone()))?
            });
            match cached {
                Some(rows) => rows.to_vec(),
                None => resource_rows(app, live, status),
            }
        })
        .collect();
    let mut walk = Walk {
        index: tree
            .apps
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.as_str(), i))
            .collect(),
        apps: &tree.apps,
        status_of: &status_of,
        ranges: vec![None; built.len()],
        rows: built.into_iter().map(Some).collect(),
        nodes: Vec::with_capacity(tree.apps.iter().map(|a| 1 + a.resources.len()).sum()),
    };
    if !tree.apps.is_empty() {
        walk.push_app(0, 0);
    }
    (walk.nodes, walk.ranges)
}

/// The rows of an app's own resources (child Applications appear as app nodes instead).
fn resource_rows(
    app: &RenderedApp,
    live: &crate::cluster::driver::Inventory,
    status: &AppStatus,
) -> Vec<TreeNode> {
    // Statuses come from `app_statuses`; computed here only if they were not.
    let computed = status.resources.len() == app.resources.len();
    let live_list: &[_] = live.get(&app.name).map_or(&[], |l| l.as_slice());
    let sorted = live_list.is_sorted_by(|a, b| a.key <= b.key);
    let id = NodeId::of_app(&app.name);
    let mut rows = Vec::with_capacity(app.resources.len());
    for (i, r) in app.resources.iter().enumerate() {
        if is_app_kind(&r.kind) {
            continue;
        }
        let key = r.key();
        let (sync, health, message) = match status.resources.get(i) {
            Some(known) if computed => known.clone(),
            _ => {
                let live = find(live_list, sorted, &key).map(|j| &live_list[j]);
                resource_status(r, live)
            }
        };
        // A resource the app's project refuses says so, whatever the cluster holds.
        let (status, message) = match app.refused.get(&key) {
            Some(why) => (NOT_PERMITTED.into(), Some(why.clone())),
            None => ("ok".into(), message.as_deref().map(String::from)),
        };
        rows.push(TreeNode {
            id: NodeId::of_resource(&app.name, &key),
            parent: Some(id.clone()),
            kind: r.kind.to_string(),
            name: r.name.to_string(),
            namespace: r.namespace.to_string(),
            sync,
            health,
            version: r.image_tag(),
            status,
            message,
        });
    }
    rows
}

/// The walk from the root down: each app, its child apps, then its resource rows.
struct Walk<'a, F> {
    index: HashMap<&'a str, usize>,
    apps: &'a [RenderedApp],
    status_of: &'a F,
    /// Each app's resource rows, taken when the walk reaches the app.
    rows: Vec<Option<Vec<TreeNode>>>,
    /// Where each app's rows went in `nodes`.
    ranges: Vec<Option<std::ops::Range<usize>>>,
    nodes: Vec<TreeNode>,
}

impl<'a, F: Fn(&RenderedApp) -> &'a AppStatus> Walk<'a, F> {
    fn push_app(&mut self, i: usize, depth: usize) {
        if depth > 64 {
            return;
        }
        let app = &self.apps[i];
        let status = (self.status_of)(app);
        self.nodes.push(TreeNode {
            id: NodeId::of_app(&app.name),
            parent: app.parent.as_deref().map(NodeId::of_app),
            kind: app.kind.as_str().into(),
            name: app.name.clone(),
            namespace: app.destination_namespace.clone(),
            sync: status.sync,
            health: status.health,
            version: app.source.revision.as_deref().map(short),
            status: app.status.as_str().into(),
            message: (!app.message.is_empty())
                .then(|| app.message.clone())
                .or_else(|| refused_note(app))
                .or_else(|| {
                    (status.orphans > 0)
                        .then(|| format!("{} live object(s) no longer in Git", status.orphans))
                }),
        });
        for child in &app.children {
            if let Some(&c) = self.index.get(child.as_str()) {
                self.push_app(c, depth + 1);
            }
        }
        if let Some(rows) = self.rows[i].take() {
            let start = self.nodes.len();
            self.nodes.extend(rows);
            self.ranges[i] = Some(start..self.nodes.len());
        }
    }
}

/// A resource row's status when the app's AppProject refuses it (the row's message says why).
pub const NOT_PERMITTED: &str = "not-permitted";

/// What an app node says about the resources its project refuses: the first reason, and how
/// many there are.
fn refused_note(app: &RenderedApp) -> Option<String> {
    let (_, first) = app.refused.iter().next()?;
    Some(match app.refused.len() {
        1 => format!("sync refused: {first}"),
        n => format!("sync refused: {first} (and {} more)", n - 1),
    })
}

fn short(sha: &str) -> String {
    sha.chars().take(7).collect()
}

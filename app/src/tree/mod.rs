//! The tree as the page works with it, pure and browser-free: an index over the flat node list
//! (children, roots, lookups by id), which nodes a filter keeps, and the list of rows to show
//! for a given expansion. The component only renders windows of that list. A page starts from
//! a [`head`] (its first screen) and swaps in the whole tree when it arrives.
//!
//! Not under `pages/`: the server function that makes a head ([`crate::api::env`]) uses it as
//! much as the environment page does.

mod head;
pub use head::{head, HEAD_ROWS};

use std::collections::{HashMap, HashSet};

use crate::dto::env::{TreeDelta, TreeNode, TreeView};
use crate::dto::node::NodeId;
use crate::dto::status::{Health, SyncStatus};

/// The flat tree with its structure worked out once per fetch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TreeIndex {
    pub env: String,
    pub revision: Option<String>,
    pub simulated: bool,
    pub version: u64,
    pub nodes: Vec<TreeNode>,
    /// Position of each node's parent in `nodes` (`None` for roots and orphans).
    pub parent: Vec<Option<usize>>,
    /// Children of each node, in display order.
    pub children: Vec<Vec<usize>>,
    pub roots: Vec<usize>,
    by_id: HashMap<NodeId, usize>,
    /// Distinct kinds, sorted.
    kinds: Vec<String>,
    /// Set while only the head of the tree is loaded.
    pub partial: Option<Partial>,
}

/// What stands in for the rest of the tree while only its head is loaded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Partial {
    /// The first rows of the view the head was made for.
    pub rows: Vec<Row>,
    pub total_rows: usize,
    pub total_nodes: usize,
    /// The selected node's id and row position.
    pub selected_pos: Option<(String, usize)>,
}

impl TreeIndex {
    /// Indexes a fetched tree. A node whose parent is unknown becomes a root, so nothing the
    /// server sends is silently dropped.
    pub fn new(view: TreeView) -> Self {
        let TreeView {
            env,
            revision,
            simulated,
            version,
            nodes,
        } = view;
        let by_id: HashMap<NodeId, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.clone(), i))
            .collect();
        let mut parent = vec![None; nodes.len()];
        let mut children = vec![Vec::new(); nodes.len()];
        let mut roots = Vec::new();
        for (i, n) in nodes.iter().enumerate() {
            match n.parent.as_ref().and_then(|p| by_id.get(p)).copied() {
                Some(p) if p != i => {
                    parent[i] = Some(p);
                    children[p].push(i);
                }
                _ => roots.push(i),
            }
        }
        let mut kinds: Vec<String> = nodes.iter().map(|n| n.kind.clone()).collect();
        kinds.sort();
        kinds.dedup();
        Self {
            env,
            revision,
            simulated,
            version,
            nodes,
            parent,
            children,
            roots,
            by_id,
            kinds,
            partial: None,
        }
    }

    /// Whether this is the whole tree rather than its head.
    pub fn complete(&self) -> bool {
        self.partial.is_none()
    }

    /// Applies a live update's changed rows; `false` (and nothing changed) when the delta is
    /// not for this version or does not fit the tree, so the caller fetches the whole tree.
    pub fn apply(&mut self, delta: &TreeDelta) -> bool {
        if !self.complete() || delta.from != self.version {
            return false;
        }
        let mut at = Vec::with_capacity(delta.changed.len());
        for node in &delta.changed {
            match self.by_id.get(&node.id) {
                Some(&i)
                    if self.nodes[i].parent == node.parent && self.nodes[i].kind == node.kind =>
                {
                    at.push(i)
                }
                _ => return false,
            }
        }
        for (i, node) in at.into_iter().zip(&delta.changed) {
            self.nodes[i] = node.clone();
        }
        self.version = delta.version;
        self.revision.clone_from(&delta.revision);
        true
    }

    /// Nodes in the whole tree.
    pub fn node_count(&self) -> usize {
        self.partial
            .as_ref()
            .map_or(self.nodes.len(), |p| p.total_nodes)
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn node(&self, id: &str) -> Option<&TreeNode> {
        self.position(id).map(|i| &self.nodes[i])
    }

    /// Ids of the node's ancestors, nearest first.
    pub fn ancestors(&self, id: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut at = self.position(id).and_then(|i| self.parent[i]);
        while let Some(p) = at {
            // A cycle in bad data must not hang the page.
            if out.len() > self.nodes.len() {
                break;
            }
            out.push(self.nodes[p].id.as_str().to_owned());
            at = self.parent[p];
        }
        out
    }

    /// The default view: roots and their direct children open (the App of Apps and its apps).
    pub fn default_expanded(&self) -> HashSet<String> {
        let mut open = HashSet::new();
        for &r in &self.roots {
            open.insert(self.nodes[r].id.as_str().to_owned());
            for &c in &self.children[r] {
                if !self.children[c].is_empty() {
                    open.insert(self.nodes[c].id.as_str().to_owned());
                }
            }
        }
        open
    }

    /// Every node that has children (for "Expand all").
    pub fn all_parents(&self) -> HashSet<String> {
        (0..self.nodes.len())
            .filter(|&i| !self.children[i].is_empty())
            .map(|i| self.nodes[i].id.as_str().to_owned())
            .collect()
    }

    /// The node's siblings (itself included), in display order.
    pub fn siblings(&self, i: usize) -> &[usize] {
        match self.parent[i] {
            Some(p) => &self.children[p],
            None => &self.roots,
        }
    }

    /// Distinct kinds, sorted, for the kind filter.
    pub fn kinds(&self) -> Vec<String> {
        self.kinds.clone()
    }

    /// Every node in display order (depth first), with its depth (0 for roots).
    fn preorder(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut stack: Vec<(usize, usize)> = self.roots.iter().rev().map(|&r| (r, 0)).collect();
        while let Some((i, depth)) = stack.pop() {
            out.push((i, depth));
            stack.extend(self.children[i].iter().rev().map(|&c| (c, depth + 1)));
        }
        out
    }
}

/// The default expansion plus the path to the deep-linked node.
pub fn default_open(index: &TreeIndex, node: Option<&str>) -> HashSet<String> {
    let mut open = index.default_expanded();
    if let Some(node) = node {
        open.extend(index.ancestors(node));
    }
    open
}

/// A problem worth showing under "Only problems": out of sync, not healthy, or not rendered.
pub fn is_problem(n: &TreeNode) -> bool {
    n.sync == SyncStatus::OutOfSync || n.health != Health::Healthy || n.status != "ok"
}

/// The toolbar's filters; all empty means "no filter". Sync and health hold the words
/// ([`SyncStatus::as_str`], [`Health::as_str`]) as the URL does, so a value the tree lacks
/// stays selectable (and clearable).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Case-insensitive substring of the name.
    pub q: String,
    pub kind: String,
    pub sync: String,
    pub health: String,
    pub problems: bool,
}

impl Filter {
    pub fn is_active(&self) -> bool {
        !self.q.trim().is_empty()
            || !self.kind.is_empty()
            || !self.sync.is_empty()
            || !self.health.is_empty()
            || self.problems
    }

    pub fn matches(&self, n: &TreeNode) -> bool {
        let q = self.q.trim().to_lowercase();
        (q.is_empty() || n.name.to_lowercase().contains(&q))
            && (self.kind.is_empty() || n.kind == self.kind)
            && (self.sync.is_empty() || n.sync.as_str() == self.sync)
            && (self.health.is_empty() || n.health.as_str() == self.health)
            && (!self.problems || is_problem(n))
    }
}

/// Which nodes a filter keeps: the matches and their ancestors.
pub fn kept(index: &TreeIndex, filter: &Filter) -> Vec<bool> {
    let mut keep: Vec<bool> = index.nodes.iter().map(|n| filter.matches(n)).collect();
    // Children come after their parents in preorder, so walking it backwards settles every
    // child before its parent.
    for (i, _) in index.preorder().into_iter().rev() {
        if keep[i] {
            if let Some(p) = index.parent[i] {
                keep[p] = true;
            }
        }
    }
    keep
}

/// One visible line of the tree.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Row {
    /// Position in [`TreeIndex::nodes`].
    pub node: usize,
    /// 1 for roots (as `aria-level` counts).
    pub level: usize,
    /// Has (visible) children, so it can expand.
    pub has_children: bool,
    pub expanded: bool,
    /// 1-based position among its visible siblings, and their number (`aria-posinset/setsize`).
    pub posinset: usize,
    pub setsize: usize,
}

/// What is open. Without a filter, `open` lists expanded nodes; with one, every kept node is
/// open unless the user folded it (`folded`), so matches are visible at once.
#[derive(Clone, Copy, Debug)]
pub struct Expansion<'a> {
    pub open: &'a HashSet<String>,
    pub folded: &'a HashSet<String>,
}

/// The rows to show, in order: expanded nodes show their children; with an active filter only
/// matches and their ancestors appear.
pub fn visible_rows(index: &TreeIndex, expansion: Expansion<'_>, filter: &Filter) -> Vec<Row> {
    let keep = filter.is_active().then(|| kept(index, filter));
    let shown = |i: usize| keep.as_ref().is_none_or(|k| k[i]);
    let is_open = |i: usize| {
        let id = index.nodes[i].id.as_str();
        if keep.is_some() {
            !expansion.folded.contains(id)
        } else {
            expansion.open.contains(id)
        }
    };
    let kids = |i: Option<usize>| -> Vec<usize> {
        let list = match i {
            Some(i) => &index.children[i],
            None => &index.roots,
        };
        list.iter().copied().filter(|&c| shown(c)).collect()
    };

    let mut rows = Vec::new();
    let roots = kids(None);
    let n = roots.len();
    // (node, level, posinset, setsize), popped in display order.
    let mut stack: Vec<(usize, usize, usize, usize)> = roots
        .into_iter()
        .enumerate()
        .rev()
        .map(|(k, r)| (r, 1, k + 1, n))
        .collect();
    while let Some((i, level, posinset, setsize)) = stack.pop() {
        let children = kids(Some(i));
        let expanded = !children.is_empty() && is_open(i);
        rows.push(Row {
            node: i,
            level,
            has_children: !children.is_empty(),
            expanded,
            posinset,
            setsize,
        });
        if expanded {
            let m = children.len();
            stack.extend(
                children
                    .into_iter()
                    .enumerate()
                    .rev()
                    .map(|(k, c)| (c, level + 1, k + 1, m)),
            );
        }
        // Bad data (a cycle) must not grow the list forever.
        if rows.len() > index.nodes.len() {
            break;
        }
    }
    rows
}

#[cfg(test)]
pub(crate) mod tests;

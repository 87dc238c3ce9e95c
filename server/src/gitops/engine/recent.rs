//! What a past tree view leaves behind for live updates: its shape and a 128-bit fingerprint
//! per row, not the rows. A page a few versions behind still gets only the rows that changed
//! (the current view has them); keeping eight whole past views per environment cost about
//! 10 MB each at 2,000 apps × 10 resources.

use std::hash::{BuildHasher, Hash};

use atrium_app::dto::env::{TreeDelta, TreeNode, TreeView};
use foldhash::fast::FixedState;

/// A past view, as much of it as a delta needs.
pub(super) struct RecentView {
    pub(super) version: u64,
    /// Ids and parents, in order: the same shape means the same rows in the same places.
    shape: u128,
    rows: Box<[u128]>,
}

impl RecentView {
    pub(super) fn of(view: &TreeView) -> Self {
        RecentView {
            version: view.version,
            shape: shape(&view.nodes),
            rows: view.nodes.iter().map(fingerprint).collect(),
        }
    }

    /// The rows of `current` that differ from this view's, or `None` when the shape moved
    /// (the page then fetches the whole tree), as [`TreeDelta::between`] on whole views.
    pub(super) fn delta_to(&self, current: &TreeView) -> Option<TreeDelta> {
        if self.rows.len() != current.nodes.len() || self.shape != shape(&current.nodes) {
            return None;
        }
        Some(TreeDelta {
            from: self.version,
            version: current.version,
            revision: current.revision.clone(),
            changed: current
                .nodes
                .iter()
                .zip(self.rows.iter())
                .filter(|(node, &old)| fingerprint(node) != old)
                .map(|(node, _)| node.clone())
                .collect(),
        })
    }
}

/// Two independent 64-bit hashes: a collision (a changed row not sent) is out of reach.
fn hash128(value: impl Hash) -> u128 {
    let half = |seed: u64| FixedState::with_seed(seed).hash_one(&value);
    (u128::from(half(0x243f_6a88_85a3_08d3)) << 64) | u128::from(half(0x1319_8a2e_0370_7344))
}

fn shape(nodes: &[TreeNode]) -> u128 {
    hash128(nodes.iter().map(|n| (&n.id, &n.parent)).collect::<Vec<_>>())
}

fn fingerprint(node: &TreeNode) -> u128 {
    let TreeNode {
        id,
        parent,
        kind,
        name,
        namespace,
        sync,
        health,
        version,
        status,
        message,
    } = node;
    hash128((
        id,
        parent,
        kind,
        name,
        namespace,
        (sync, health),
        version,
        status,
        message,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use atrium_app::dto::node::NodeId;
    use atrium_app::dto::status::{Health, SyncStatus};

    fn node(id: &str, parent: Option<&str>, health: Health) -> TreeNode {
        TreeNode {
            id: id.parse::<NodeId>().unwrap(),
            parent: parent.map(|p| p.parse().unwrap()),
            kind: "Deployment".into(),
            name: id.into(),
            namespace: "shop".into(),
            sync: SyncStatus::Synced,
            health,
            version: None,
            status: "ok".into(),
            message: None,
        }
    }

    fn view(version: u64, nodes: Vec<TreeNode>) -> TreeView {
        TreeView {
            env: "prod".into(),
            revision: Some("abc".into()),
            simulated: true,
            version,
            nodes,
        }
    }

    #[test]
    fn the_delta_is_the_rows_that_changed_as_between_whole_views() {
        let old = view(
            1,
            vec![
                node("app:web", None, Health::Healthy),
                node(
                    "app:web/apps/Deployment/shop/web",
                    Some("app:web"),
                    Health::Progressing,
                ),
            ],
        );
        let mut new = old.clone();
        new.version = 2;
        new.nodes[1].health = Health::Healthy;
        let delta = RecentView::of(&old).delta_to(&new).expect("same shape");
        assert_eq!(Some(delta.clone()), TreeDelta::between(&old, &new));
        assert_eq!(delta.changed, vec![new.nodes[1].clone()]);
        assert_eq!((delta.from, delta.version), (1, 2));

        // A message alone is a change too.
        let mut said = new.clone();
        said.nodes[0].message = Some("synced".into());
        assert_eq!(
            RecentView::of(&new).delta_to(&said).unwrap().changed.len(),
            1
        );

        // A new node moves the shape: no delta.
        let mut grown = new.clone();
        grown.nodes.push(node("app:api", None, Health::Healthy));
        assert!(RecentView::of(&new).delta_to(&grown).is_none());
    }
}

//! The head of a tree: its first screen for one view, made on the server from the whole tree
//! (so the page paints and hydrates without shipping 20,000 nodes), and the [`TreeIndex`] the
//! page works with until the whole tree arrives.

use std::collections::HashSet;

use super::{default_open, visible_rows, Expansion, Filter, Partial, Row, TreeIndex};
use crate::dto::env::{HeadRow, TreeHead, TreeView};

/// Rows in a head: more than the tallest viewport shows (with overscan), so the first screen
/// is whole however the window is sized.
pub const HEAD_ROWS: usize = 80;

/// The head of `view` as the page shows it with `filter` and `node` selected, before the user
/// expanded or folded anything.
pub fn head(view: TreeView, filter: &Filter, node: Option<&str>) -> TreeHead {
    let index = TreeIndex::new(view);
    let open = default_open(&index, node);
    let folded = HashSet::new();
    let rows = visible_rows(
        &index,
        Expansion {
            open: &open,
            folded: &folded,
        },
        filter,
    );
    let selected = node.and_then(|id| {
        let at = index.position(id)?;
        let pos = rows.iter().position(|r| r.node == at);
        Some((index.nodes[at].clone(), pos))
    });
    let head_rows = rows
        .iter()
        .take(HEAD_ROWS)
        .map(|r| HeadRow {
            node: index.nodes[r.node].clone(),
            level: r.level,
            has_children: r.has_children,
            expanded: r.expanded,
            posinset: r.posinset,
            setsize: r.setsize,
        })
        .collect();
    TreeHead {
        total_rows: rows.len(),
        total_nodes: index.nodes.len(),
        kinds: index.kinds(),
        rows: head_rows,
        selected,
        env: index.env,
        revision: index.revision,
        simulated: index.simulated,
        version: index.version,
    }
}

impl TreeIndex {
    /// The index of a head: its nodes (and the selected one), with the head's rows standing in
    /// for the whole view.
    pub fn from_head(head: TreeHead) -> Self {
        let TreeHead {
            env,
            revision,
            simulated,
            version,
            total_rows,
            total_nodes,
            kinds,
            rows,
            selected,
        } = head;
        let mut shape = Vec::with_capacity(rows.len());
        let mut nodes = Vec::with_capacity(rows.len() + 1);
        for r in rows {
            shape.push((r.level, r.has_children, r.expanded, r.posinset, r.setsize));
            nodes.push(r.node);
        }
        let selected_pos = selected.and_then(|(node, pos)| {
            let id = node.id.as_str().to_owned();
            if !nodes.iter().any(|n| n.id == id) {
                nodes.push(node);
            }
            pos.map(|p| (id, p))
        });
        let mut index = TreeIndex::new(TreeView {
            env,
            revision,
            simulated,
            version,
            nodes,
        });
        let rows = shape
            .into_iter()
            .enumerate()
            .map(
                |(node, (level, has_children, expanded, posinset, setsize))| Row {
                    node,
                    level,
                    has_children,
                    expanded,
                    posinset,
                    setsize,
                },
            )
            .collect();
        index.kinds = kinds;
        index.partial = Some(Partial {
            rows,
            total_rows,
            total_nodes,
            selected_pos,
        });
        index
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{node, shop};
    use super::*;

    fn big(apps: usize) -> TreeView {
        let mut nodes = vec![node("app:root", "", "Application")];
        for a in 0..apps {
            let app = format!("app:a{a}");
            nodes.push(node(&app, "app:root", "Application"));
            for r in 0..3 {
                let kind = if r == 0 { "Deployment" } else { "ConfigMap" };
                nodes.push(node(&format!("res:a{a}:/{kind}/shop/cm{r}"), &app, kind));
            }
        }
        TreeView {
            env: "big".into(),
            version: 7,
            nodes,
            ..Default::default()
        }
    }

    /// The rows the whole tree shows for the same view, by node id.
    fn whole(view: TreeView, filter: &Filter, node: Option<&str>) -> Vec<(String, Row)> {
        let index = TreeIndex::new(view);
        let open = default_open(&index, node);
        let folded = HashSet::new();
        let expansion = Expansion {
            open: &open,
            folded: &folded,
        };
        visible_rows(&index, expansion, filter)
            .into_iter()
            .map(|r| (index.nodes[r.node].id.as_str().to_owned(), r))
            .collect()
    }

    #[test]
    fn a_head_is_the_first_screen_of_the_whole_view() {
        let filter = Filter::default();
        let h = head(big(500), &filter, None);
        assert_eq!(h.total_rows, 2001);
        assert_eq!(h.total_nodes, 2001);
        assert_eq!(h.rows.len(), HEAD_ROWS);
        assert_eq!(h.kinds, ["Application", "ConfigMap", "Deployment"]);
        assert_eq!(h.version, 7);
        let index = TreeIndex::from_head(h);
        assert!(!index.complete());
        assert_eq!(index.node_count(), 2001);
        let partial = index.partial.as_ref().expect("partial");
        let expected = whole(big(500), &filter, None);
        for (k, row) in partial.rows.iter().enumerate() {
            // Same node and the same shape as in the whole tree, position for position.
            assert_eq!(index.nodes[row.node].id, expected[k].0);
            assert_eq!(
                (
                    row.level,
                    row.has_children,
                    row.expanded,
                    row.posinset,
                    row.setsize
                ),
                (
                    expected[k].1.level,
                    expected[k].1.has_children,
                    expected[k].1.expanded,
                    expected[k].1.posinset,
                    expected[k].1.setsize
                )
            );
        }
    }

    #[test]
    fn a_head_follows_the_filter_and_knows_where_the_selected_node_is() {
        let filter = Filter {
            kind: "Deployment".into(),
            ..Default::default()
        };
        let h = head(big(500), &filter, Some("res:a400:/Deployment/shop/cm0"));
        // root, 500 apps, one Deployment each.
        assert_eq!(h.total_rows, 1001);
        let expected = whole(big(500), &filter, Some("res:a400:/Deployment/shop/cm0"));
        let (node, pos) = h.selected.clone().expect("selected");
        assert_eq!(node.name, "cm0");
        let pos = pos.expect("shown");
        assert_eq!(expected[pos].0, "res:a400:/Deployment/shop/cm0");
        let index = TreeIndex::from_head(h);
        // The selected node is known (for the panel) although far below the head's rows.
        assert_eq!(
            index
                .node("res:a400:/Deployment/shop/cm0")
                .map(|n| n.kind.as_str()),
            Some("Deployment")
        );
        assert_eq!(
            index.partial.and_then(|p| p.selected_pos),
            Some(("res:a400:/Deployment/shop/cm0".to_string(), pos))
        );

        // A node the filter hides has no position.
        let hidden = head(big(5), &filter, Some("res:a1:/ConfigMap/shop/cm1"));
        assert_eq!(hidden.selected.map(|s| s.1), Some(None));
    }

    #[test]
    fn a_small_tree_fits_in_its_head() {
        let shop = shop();
        let view = TreeView {
            env: shop.env.clone(),
            nodes: shop.nodes.clone(),
            ..Default::default()
        };
        let h = head(view, &Filter::default(), None);
        assert_eq!(h.rows.len(), h.total_rows);
        let index = TreeIndex::from_head(h);
        assert_eq!(index.node_count(), index.nodes.len());
    }
}

//! Tests of the tree model; `shop()` and `node()` are shared with the navigation tests.

use super::*;

/// A node; `parent` empty for a root. Healthy and synced unless changed.
pub fn node(id: &str, parent: &str, kind: &str) -> TreeNode {
    let id_of = |text: &str| NodeId::parse(text).expect("a node id");
    TreeNode {
        id: id_of(id),
        parent: (!parent.is_empty()).then(|| id_of(parent)),
        kind: kind.into(),
        name: id.rsplit(['/', ':']).next().unwrap_or(id).into(),
        namespace: "shop".into(),
        sync: SyncStatus::Synced,
        health: Health::Healthy,
        version: None,
        status: "ok".into(),
        message: None,
    }
}

/// root → {cart → {cart/Deployment, cart/Service}, pay → {pay/Deployment}}.
pub fn shop() -> TreeIndex {
    let mut bad = node("res:pay:apps/Deployment/shop/pay", "app:pay", "Deployment");
    bad.health = Health::Degraded;
    TreeIndex::new(TreeView {
        env: "dev".into(),
        version: 3,
        nodes: vec![
            node("app:root", "", "Application"),
            node("app:cart", "app:root", "Application"),
            node(
                "res:cart:apps/Deployment/shop/cart",
                "app:cart",
                "Deployment",
            ),
            node("res:cart:/Service/shop/cart-svc", "app:cart", "Service"),
            node("app:pay", "app:root", "Application"),
            bad,
        ],
        ..Default::default()
    })
}

fn names(index: &TreeIndex, rows: &[Row]) -> Vec<String> {
    rows.iter()
        .map(|r| index.nodes[r.node].name.clone())
        .collect()
}

fn set(ids: &[&str]) -> HashSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[test]
fn indexes_children_in_order_and_orphans_as_roots() {
    let index = TreeIndex::new(TreeView {
        nodes: vec![
            node("app:a", "", "Application"),
            node("res:a:/ConfigMap/shop/x", "app:a", "ConfigMap"),
            node("res:a:/ConfigMap/shop/y", "app:gone", "ConfigMap"),
        ],
        ..Default::default()
    });
    assert_eq!(index.roots, vec![0, 2]);
    assert_eq!(index.children[0], vec![1]);
    assert_eq!(
        index.ancestors("res:a:/ConfigMap/shop/x"),
        vec!["app:a".to_string()]
    );
}

#[test]
fn default_expansion_opens_the_root_and_its_apps() {
    let index = shop();
    let open = index.default_expanded();
    assert_eq!(open, set(&["app:root", "app:cart", "app:pay"]));
    let rows = visible_rows(
        &index,
        Expansion {
            open: &open,
            folded: &HashSet::new(),
        },
        &Filter::default(),
    );
    assert_eq!(
        names(&index, &rows),
        ["root", "cart", "cart", "cart-svc", "pay", "pay"]
    );
    assert_eq!(rows[2].level, 3);
    assert_eq!((rows[4].posinset, rows[4].setsize), (2, 2));
    assert!(rows[0].expanded && rows[0].has_children);
    assert!(!rows[2].has_children && !rows[2].expanded);
}

#[test]
fn collapsed_nodes_hide_their_subtree() {
    let index = shop();
    let open = set(&["app:root"]);
    let rows = visible_rows(
        &index,
        Expansion {
            open: &open,
            folded: &HashSet::new(),
        },
        &Filter::default(),
    );
    assert_eq!(names(&index, &rows), ["root", "cart", "pay"]);
    assert!(rows[1].has_children && !rows[1].expanded);
}

#[test]
fn a_filter_shows_matches_with_their_ancestors_open() {
    let index = shop();
    let filter = Filter {
        problems: true,
        ..Default::default()
    };
    // Nothing is open, yet the match shows.
    let rows = visible_rows(
        &index,
        Expansion {
            open: &HashSet::new(),
            folded: &HashSet::new(),
        },
        &filter,
    );
    assert_eq!(names(&index, &rows), ["root", "pay", "pay"]);
    assert_eq!((rows[1].posinset, rows[1].setsize), (1, 1));

    let folded = set(&["app:pay"]);
    let rows = visible_rows(
        &index,
        Expansion {
            open: &HashSet::new(),
            folded: &folded,
        },
        &filter,
    );
    assert_eq!(names(&index, &rows), ["root", "pay"]);
}

#[test]
fn filters_combine_name_kind_sync_and_health() {
    let index = shop();
    let by_name = Filter {
        q: "CART-s".into(),
        ..Default::default()
    };
    assert_eq!(
        kept(&index, &by_name),
        [true, true, false, true, false, false]
    );
    let kind = Filter {
        kind: "Deployment".into(),
        health: Health::Healthy.as_str().into(),
        ..Default::default()
    };
    assert_eq!(kept(&index, &kind), [true, true, true, false, false, false]);
    let none = Filter {
        sync: SyncStatus::OutOfSync.as_str().into(),
        ..Default::default()
    };
    assert!(kept(&index, &none).iter().all(|k| !k));
    assert!(!Filter::default().is_active());
    assert!(!Filter {
        q: "  ".into(),
        ..Default::default()
    }
    .is_active());
}

#[test]
fn problems_are_out_of_sync_unhealthy_or_unrendered() {
    let mut n = node("app:a", "", "Application");
    assert!(!is_problem(&n));
    n.status = "renderer-unavailable".into();
    assert!(is_problem(&n));
    n.status = "ok".into();
    n.sync = SyncStatus::OutOfSync;
    assert!(is_problem(&n));
}

#[test]
fn twenty_thousand_nodes_expand_and_filter() {
    // A root with 500 apps of 39 resources each: 20,001 nodes.
    let mut nodes = vec![node("app:root", "", "Application")];
    for a in 0..500 {
        let app = format!("app:a{a}");
        nodes.push(node(&app, "app:root", "Application"));
        for r in 0..39 {
            nodes.push(node(
                &format!("res:a{a}:/ConfigMap/shop/c{a}-{r}"),
                &app,
                "ConfigMap",
            ));
        }
    }
    nodes[20_000].sync = SyncStatus::OutOfSync;
    let index = TreeIndex::new(TreeView {
        nodes,
        ..Default::default()
    });
    let none = HashSet::new();
    let all = index.all_parents();
    let rows = visible_rows(
        &index,
        Expansion {
            open: &all,
            folded: &none,
        },
        &Filter::default(),
    );
    assert_eq!(rows.len(), 20_001);
    assert_eq!(rows.last().map(|r| r.level), Some(3));
    let problems = Filter {
        problems: true,
        ..Default::default()
    };
    let rows = visible_rows(
        &index,
        Expansion {
            open: &none,
            folded: &none,
        },
        &problems,
    );
    assert_eq!(names(&index, &rows), ["root", "a499", "c499-38"]);
}

#[test]
fn kinds_are_distinct_and_sorted() {
    assert_eq!(
        shop().kinds(),
        ["Application", "Deployment", "Service"].map(String::from)
    );
}

fn view_of(index: &TreeIndex) -> TreeView {
    TreeView {
        env: index.env.clone(),
        revision: index.revision.clone(),
        simulated: index.simulated,
        version: index.version,
        nodes: index.nodes.clone(),
    }
}

#[test]
fn a_live_update_of_statuses_is_the_changed_rows_only() {
    let before = shop();
    let old = view_of(&before);
    let mut new = old.clone();
    new.version = 4;
    new.nodes[5].health = Health::Healthy;
    new.nodes[2].version = Some("2.0".into());
    let delta = TreeDelta::between(&old, &new).expect("same shape");
    assert_eq!(delta.changed.len(), 2);
    let mut index = shop();
    assert!(index.apply(&delta));
    assert_eq!(
        index,
        TreeIndex::new(new.clone()),
        "as if the whole tree was fetched"
    );

    // Not for this version (already applied, or a version missed): refused, nothing changed.
    assert!(!index.apply(&delta));
    assert_eq!(index.version, 4);

    // A new resource changes the shape: the whole tree is sent instead.
    let mut grown = new.clone();
    grown
        .nodes
        .push(node("res:pay:/Service/shop/pay", "app:pay", "Service"));
    assert_eq!(TreeDelta::between(&new, &grown), None);
}

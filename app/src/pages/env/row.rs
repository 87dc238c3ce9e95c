//! One row of the tree: indent, expand chevron, kind icon, name, namespace, version, the
//! problem message if any, sync and health badges.

use leptos::html::Div;
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;

use super::model::{is_problem, Row};
use super::nav::ROW_HEIGHT;
use super::state::use_env_state;
use crate::components::env_status::{HealthBadge, KindIcon, SyncBadge};
use crate::components::icons::{AlertIcon, ChevronRightIcon};
use crate::dto::env::TreeNode;

/// What a rendered row needs, by value (rows re-render when any of it changes).
#[derive(Clone, Debug)]
pub struct RowItem {
    /// Position among the visible rows.
    pub pos: usize,
    pub row: Row,
    pub node: TreeNode,
}

/// What a screen reader announces for the row.
fn accessible_name(n: &TreeNode) -> String {
    let mut parts = vec![n.name.clone(), n.kind.clone()];
    if !n.namespace.is_empty() {
        parts.push(format!("namespace {}", n.namespace));
    }
    parts.push(n.sync.clone());
    parts.push(n.health.clone());
    if n.status != "ok" {
        parts.push(format!("error: {}", n.message.clone().unwrap_or_default()));
    }
    parts.join(", ")
}

/// Focus was lost to nothing (the focused row re-rendered or was removed).
fn focus_lost() -> bool {
    document()
        .active_element()
        .is_none_or(|el| el.tag_name() == "BODY")
}

#[component]
pub fn TreeRow(item: RowItem, tab_target: Memo<Option<String>>) -> impl IntoView {
    let state = use_env_state();
    let RowItem { pos, row, node } = item;
    let el = NodeRef::<Div>::new();
    let id = node.id.clone();

    // Keyboard moves (and live re-renders while the tree had focus) focus the active row.
    Effect::new({
        let id = id.clone();
        move |_| {
            let me = state.active.with(|a| a.as_deref() == Some(id.as_str()));
            let wanted = state.focus_wanted.get();
            if !me || !(wanted || (state.tree_focused.get_untracked() && focus_lost())) {
                return;
            }
            if let Some(el) = el.get() {
                _ = el.focus();
                state.focus_wanted.set(false);
            }
        }
    });

    let tabindex = {
        let id = id.clone();
        move || {
            if tab_target.with(|t| t.as_deref() == Some(id.as_str())) {
                "0"
            } else {
                "-1"
            }
        }
    };
    let selected = {
        let id = id.clone();
        move || {
            let on = state.query.with(|q| q.node.as_deref() == Some(id.as_str()));
            on.to_string()
        }
    };
    let on_click = {
        let id = id.clone();
        move |_| {
            state.active.set(Some(id.clone()));
            state.select(Some(id.clone()));
        }
    };
    let toggle = {
        let id = id.clone();
        let expanded = row.expanded;
        move |e: leptos::ev::MouseEvent| {
            e.stop_propagation();
            state.active.set(Some(id.clone()));
            state.set_expanded(&id, !expanded);
        }
    };

    let chevron = if row.has_children {
        view! {
            <span class="tree-toggle" data-testid="tree-toggle" aria-hidden="true" on:click=toggle>
                <ChevronRightIcon/>
            </span>
        }
        .into_any()
    } else {
        view! { <span class="tree-toggle-spacer" aria-hidden="true"></span> }.into_any()
    };
    let message = node.message.clone().filter(|m| !m.is_empty());
    let note = if node.status != "ok" {
        let text = message.unwrap_or_else(|| match node.status.as_str() {
            "renderer-unavailable" => "Renderer unavailable".into(),
            _ => "Render error".into(),
        });
        let title = text.clone();
        Some(
            view! {
                <span class="tree-error" title=title data-testid="node-error">
                    <AlertIcon/>
                    <span class="tree-note-text">{text}</span>
                </span>
            }
            .into_any(),
        )
    } else if is_problem(&node) {
        message.map(|m| {
            let title = m.clone();
            view! { <span class="tree-note muted" title=title><span class="tree-note-text">{m}</span></span> }
                .into_any()
        })
    } else {
        None
    };
    let version = node.version.clone().map(|v| {
        let title = v.clone();
        view! { <code class="tree-version" title=title>{v}</code> }
    });
    let namespace = (!node.namespace.is_empty())
        .then(|| view! { <span class="tree-ns">{node.namespace.clone()}</span> });
    let expanded = row.has_children.then(|| row.expanded.to_string());
    let top = format!(
        "top: {}px; --level: {}",
        pos as f64 * ROW_HEIGHT,
        row.level - 1
    );

    view! {
        <div
            node_ref=el
            class="tree-row"
            class:app=node.is_app
            class:tree-problem=is_problem(&node)
            role="treeitem"
            aria-label=accessible_name(&node)
            aria-posinset=row.posinset.to_string()
            aria-setsize=row.setsize.to_string()
            aria-expanded=expanded
            aria-selected=selected
            tabindex=tabindex
            data-node-id=node.id.clone()
            data-name=node.name.clone()
            data-kind=node.kind.clone()
            style=top
            on:click=on_click
        >
            {chevron}
            <span class="tree-kind" title=node.kind.clone()>
                <KindIcon kind=node.kind.clone()/>
            </span>
            <span class="tree-name">{node.name.clone()}</span>
            <span class="tree-kind-label">{node.kind.clone()}</span>
            {namespace}
            {version}
            {note}
            <span class="tree-status">
                <SyncBadge sync=node.sync.clone()/>
                <HealthBadge health=node.health.clone()/>
            </span>
        </div>
    }
    // `aria-level` has no typed attribute in tachys.
    .add_any_attr(custom_attribute("aria-level", row.level.to_string()))
    .into_any()
}

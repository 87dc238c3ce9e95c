//! One row slot of the tree: indent, expand chevron, kind icon, name, namespace, version, the
//! problem message if any, sync and health badges.
//!
//! The tree keeps a fixed set of slots (see [`super::nav::slot_position`]) and hands each the
//! row of the window that falls to it. Every part of the row is bound to that row separately,
//! so when scrolling hands a slot a new row, only what differs is written to the DOM (a name, a
//! position, perhaps an icon) and no element is created. Creating rows per frame was what kept
//! scrolling under 60 fps.

use leptos::html::Div;
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;

use super::nav::ROW_HEIGHT;
use super::state::use_env_state;
use crate::components::env_status::{HealthBadge, KindIcon, SyncBadge};
use crate::components::icons::{AlertIcon, ChevronRightIcon};
use crate::dto::env::TreeNode;
use crate::pages::drag::{DragState, Dragged};
use crate::tree::{is_problem, Row};

/// What a slot shows.
#[derive(Clone, Debug, PartialEq, Eq)]
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
    parts.push(n.sync.as_str().to_owned());
    parts.push(n.health.as_str().to_owned());
    if n.status != "ok" {
        parts.push(format!("error: {}", n.message.clone().unwrap_or_default()));
    }
    parts.join(", ")
}

/// The note after the version: a render error, or a problem's message.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Note {
    Error(String),
    Problem(String),
}

fn note_of(node: &TreeNode) -> Option<Note> {
    let message = node.message.clone().filter(|m| !m.is_empty());
    if node.status != "ok" {
        Some(Note::Error(message.unwrap_or_else(
            || match node.status.as_str() {
                "renderer-unavailable" => "Renderer unavailable".into(),
                "not-permitted" => "Not permitted by the project".into(),
                _ => "Render error".into(),
            },
        )))
    } else if is_problem(node) {
        message.map(Note::Problem)
    } else {
        None
    }
}

/// Focus was lost to nothing (the focused row re-rendered or was removed).
fn focus_lost() -> bool {
    document()
        .active_element()
        .is_none_or(|el| el.tag_name() == "BODY")
}

#[component]
pub fn TreeRow(
    /// The row this slot shows, set by the tree when the window moves.
    item: RwSignal<Option<RowItem>>,
    tab_target: Memo<Option<String>>,
) -> impl IntoView {
    let state = use_env_state();
    let el = NodeRef::<Div>::new();
    // One memo per part, so a part is rewritten only when it differs.
    let part = move |f: fn(&RowItem) -> String| {
        Memo::new(move |_| item.with(|i| i.as_ref().map(f).unwrap_or_default()))
    };
    let id = part(|i| i.node.id.as_str().to_owned());
    let name = part(|i| i.node.name.clone());
    let kind = part(|i| i.node.kind.clone());
    let namespace = part(|i| i.node.namespace.clone());
    let sync =
        Memo::new(move |_| item.with(|i| i.as_ref().map(|i| i.node.sync).unwrap_or_default()));
    let health =
        Memo::new(move |_| item.with(|i| i.as_ref().map(|i| i.node.health).unwrap_or_default()));
    let label = part(|i| accessible_name(&i.node));
    let version =
        Memo::new(move |_| item.with(|i| i.as_ref().and_then(|i| i.node.version.clone())));
    let note = Memo::new(move |_| item.with(|i| i.as_ref().and_then(|i| note_of(&i.node))));
    let row = Memo::new(move |_| item.with(|i| i.as_ref().map(|i| (i.pos, i.row.clone()))));
    let has_children =
        Memo::new(move |_| row.with(|r| r.as_ref().is_some_and(|r| r.1.has_children)));

    // Keyboard moves (and live re-renders while the tree had focus) focus the active row.
    Effect::new(move |_| {
        let me = id.with(|id| !id.is_empty() && state.active.with(|a| a.as_ref() == Some(id)));
        let wanted = state.focus_wanted.get();
        if !me || !(wanted || (state.tree_focused.get_untracked() && focus_lost())) {
            return;
        }
        if let Some(el) = el.get() {
            _ = el.focus();
            state.focus_wanted.set(false);
        }
    });

    let tabindex = move || {
        let on = id.with(|id| tab_target.with(|t| t.as_ref() == Some(id)));
        if on {
            "0"
        } else {
            "-1"
        }
    };
    let selected = move || {
        id.with(|id| state.query.with(|q| q.node.as_ref() == Some(id)))
            .to_string()
    };
    let on_click = move |_| {
        let id = id.get_untracked();
        if !id.is_empty() {
            state.active.set(Some(id.clone()));
            state.select(Some(id));
        }
    };
    // Focus arriving by Tab or by script makes this the row the keys start from.
    let on_focus = move |_| {
        let id = id.get_untracked();
        if !id.is_empty() && state.active.with_untracked(|a| a.as_ref() != Some(&id)) {
            state.active.set(Some(id));
        }
    };
    let toggle = move |e: leptos::ev::MouseEvent| {
        e.stop_propagation();
        let (id, expanded) = (
            id.get_untracked(),
            row.with_untracked(|r| r.as_ref().is_some_and(|r| r.1.expanded)),
        );
        state.active.set(Some(id.clone()));
        state.set_expanded(&id, !expanded);
    };

    let chevron = move || {
        if has_children.get() {
            view! {
                <span class="tree-toggle" data-testid="tree-toggle" aria-hidden="true" on:click=toggle>
                    <ChevronRightIcon/>
                </span>
            }
            .into_any()
        } else {
            view! { <span class="tree-toggle-spacer" aria-hidden="true"></span> }.into_any()
        }
    };
    let note_view = move || {
        note.get().map(|note| match note {
            Note::Error(text) => {
                let title = text.clone();
                view! {
                    <span class="tree-error" title=title data-testid="node-error">
                        <AlertIcon/>
                        <span class="tree-note-text">{text}</span>
                    </span>
                }
                .into_any()
            }
            Note::Problem(text) => {
                let title = text.clone();
                view! { <span class="tree-note muted" title=title><span class="tree-note-text">{text}</span></span> }
                    .into_any()
            }
        })
    };
    let version_view = move || {
        version.get().map(|v| {
            let title = v.clone();
            view! { <code class="tree-version" title=title>{v}</code> }
        })
    };
    let namespace_view = move || {
        namespace
            .with(|ns| !ns.is_empty())
            .then(|| view! { <span class="tree-ns">{move || namespace.get()}</span> })
    };
    let level = move || row.with(|r| r.as_ref().map_or(1, |r| r.1.level));
    let style = move || {
        let pos = row.with(|r| r.as_ref().map_or(0, |r| r.0));
        format!(
            "top: {}px; --level: {}",
            pos as f64 * ROW_HEIGHT,
            level() - 1
        )
    };
    let shape = move |f: fn(&Row) -> usize| {
        move || row.with(|r| r.as_ref().map_or(0, |r| f(&r.1))).to_string()
    };
    let expanded = move || {
        row.with(|r| {
            r.as_ref()
                .filter(|r| r.1.has_children)
                .map(|r| r.1.expanded.to_string())
        })
    };
    let is_app = move || item.with(|i| i.as_ref().is_some_and(|i| i.node.id.is_app()));
    // An app row dragged onto another environment's tab asks for its promotion there.
    let drag = DragState::use_context();
    let on_pointerdown = move |e: leptos::ev::PointerEvent| {
        let app = item.with_untracked(|i| {
            i.as_ref()
                .filter(|i| i.node.id.is_app())
                .map(|i| i.node.id.app().to_string())
        });
        if let (Some(drag), Some(app)) = (drag, app) {
            drag.start(
                Dragged::App {
                    env: state.env(),
                    app,
                },
                &e,
            );
        }
    };
    let problem = move || item.with(|i| i.as_ref().is_some_and(|i| is_problem(&i.node)));

    view! {
        <div
            node_ref=el
            class="tree-row"
            class:app=is_app
            class:tree-problem=problem
            hidden=move || item.with(Option::is_none)
            role=move || item.with(|i| i.is_some().then_some("treeitem"))
            aria-label=move || label.get()
            aria-posinset=shape(|r| r.posinset)
            aria-setsize=shape(|r| r.setsize)
            aria-expanded=expanded
            aria-selected=selected
            tabindex=tabindex
            data-node-id=move || id.get()
            data-name=move || name.get()
            data-kind=move || kind.get()
            style=style
            on:click=on_click
            on:focus=on_focus
            on:pointerdown=on_pointerdown
        >
            {chevron}
            <span class="tree-kind" title=move || kind.get()>
                {move || view! { <KindIcon kind=kind.get()/> }}
            </span>
            <span class="tree-name">{move || name.get()}</span>
            <span class="tree-kind-label">{move || kind.get()}</span>
            {namespace_view}
            {version_view}
            {note_view}
            <span class="tree-status">
                {move || view! { <SyncBadge sync=sync.get()/> }}
                {move || view! { <HealthBadge health=health.get()/> }}
            </span>
        </div>
    }
    // `aria-level` has no typed attribute in tachys.
    .add_any_attr(custom_attribute("aria-level", move || level().to_string()))
    .into_any()
}

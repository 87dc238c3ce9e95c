//! The virtualised tree: a scroll container with a spacer as tall as all rows, and only the
//! rows in view (plus overscan) rendered, absolutely positioned at `pos × ROW_HEIGHT`. So the
//! DOM holds a few dozen rows whether the tree has 50 nodes or 20,000. The rows live in a fixed
//! set of slots that scrolling updates in place (see [`super::row`]).
//!
//! ARIA: `role="tree"` with flat `treeitem` rows carrying `aria-level`, `aria-posinset` and
//! `aria-setsize` (needed because most rows are not in the DOM); roving tabindex; keys as in
//! the WAI-ARIA tree pattern (see [`super::nav::key_action`]).

use leptos::ev;
use leptos::prelude::*;

use super::nav::{key_action, slot_count, slot_position, window, KeyAction};
use super::row::{RowItem, TreeRow};
use super::state::{use_env_state, EnvState};
use crate::tree::{Row, TreeIndex};

/// Applies a key press on the focused row; true when the key was handled.
fn on_key(state: EnvState, key: &str) -> bool {
    let active = state.active.get_untracked();
    let (action, ids) = state.rows.with_untracked(|rows| {
        state.index.with_untracked(|index| {
            let pos = active
                .as_deref()
                .and_then(|a| rows.iter().position(|r| index.nodes[r.node].id == a))
                .unwrap_or(usize::MAX);
            let action = key_action(rows, index, pos, key);
            let id_at = |pos: usize| index.nodes[rows[pos].node].id.as_str().to_owned();
            let ids: Vec<String> = match &action {
                KeyAction::Focus(p) => vec![id_at(*p)],
                KeyAction::Expand(n) | KeyAction::Collapse(n) | KeyAction::Select(n) => {
                    vec![index.nodes[*n].id.as_str().to_owned()]
                }
                KeyAction::ExpandAll(ns) => ns
                    .iter()
                    .map(|&n| index.nodes[n].id.as_str().to_owned())
                    .collect(),
                KeyAction::None => vec![],
            };
            (action, ids)
        })
    });
    let first = ids.first().cloned().unwrap_or_default();
    match action {
        KeyAction::Focus(pos) => {
            state.active.set(Some(first));
            state.scroll_to_pos(pos, false);
        }
        KeyAction::Expand(_) => state.set_expanded(&first, true),
        KeyAction::Collapse(_) => state.set_expanded(&first, false),
        KeyAction::Select(_) => state.select(Some(first)),
        KeyAction::ExpandAll(_) => state.expand_many(ids),
        KeyAction::None => return false,
    }
    state.focus_wanted.set(true);
    true
}

#[component]
pub fn Tree() -> impl IntoView {
    let state = use_env_state();
    let measure = move || {
        if let Some(el) = state.scroller.get_untracked() {
            let h = f64::from(el.client_height());
            if h > 0.0 {
                state.viewport.set(h);
            }
            state.scroll_top.set(f64::from(el.scroll_top()));
        }
    };
    Effect::new(move |_| {
        if state.scroller.get().is_some() {
            measure();
        }
        let handle = window_event_listener(ev::resize, move |_| measure());
        on_cleanup(move || handle.remove());
    });

    let range = Memo::new(move |_| {
        window(
            state.scroll_top.get(),
            state.viewport.get(),
            state.total_rows.get(),
        )
    });
    let slots = Memo::new(move |_| slot_count(state.viewport.get()).max(range.with(|r| r.len())));
    // One signal per slot, owned by the tree. A single effect moves the window's rows into
    // them and sets only the slots whose row changed: a scroll frame costs the few slots that
    // changed, not a reactive update of every slot.
    let owner = Owner::current();
    let cells = StoredValue::new(Vec::<RwSignal<Option<RowItem>>>::new());
    let item_at = move |rows: &[Row], index: &TreeIndex, pos: Option<usize>| {
        let pos = pos?;
        let row = rows.get(pos)?;
        Some(RowItem {
            pos,
            row: row.clone(),
            node: index.nodes.get(row.node)?.clone(),
        })
    };
    let cell = move |at: usize| {
        while cells.with_value(Vec::len) <= at {
            // First render (on the server, and when hydrating): a slot starts with its row.
            let k = cells.with_value(Vec::len);
            let initial = untrack(|| {
                let pos = slot_position(&range.get(), slots.get(), k);
                state
                    .rows
                    .with(|rows| state.index.with(|index| item_at(rows, index, pos)))
            });
            let make = move || RwSignal::new(initial);
            let cell = match &owner {
                Some(owner) => owner.with(make),
                None => make(),
            };
            cells.update_value(|c| c.push(cell));
        }
        cells.with_value(|c| c[at])
    };
    Effect::new(move |_| {
        let (range, slots) = (range.get(), slots.get());
        state.rows.with(|rows| {
            state.index.with(|index| {
                cells.with_value(|cells| {
                    for (at, cell) in cells.iter().enumerate() {
                        let item = item_at(rows, index, slot_position(&range, slots, at));
                        if cell.try_with_untracked(|c| *c != item) == Some(true) {
                            cell.set(item);
                        }
                    }
                })
            })
        })
    });
    // The row that takes Tab: the focused one if shown, else the first.
    let tab_target = Memo::new(move |_| {
        let active = state.active.get();
        state.rows.with(|rows| {
            state.index.with(|index| {
                let ids = || rows.iter().map(|r| &index.nodes[r.node].id);
                active
                    .filter(|a| ids().any(|id| id == a))
                    .or_else(|| ids().next().map(|id| id.as_str().to_owned()))
            })
        })
    });
    // When that row is scrolled out of the DOM, the tree itself takes Tab and passes it on.
    let target_rendered = move || {
        let range = range.get();
        tab_target.with(|t| {
            t.as_ref().is_none_or(|t| {
                state.rows.with(|rows| {
                    state.index.with(|index| {
                        rows.get(range)
                            .unwrap_or_default()
                            .iter()
                            .any(|r| &index.nodes[r.node].id == t)
                    })
                })
            })
        })
    };
    let on_tree_focus = move |e: ev::FocusEvent| {
        let on_tree = e.target() == e.current_target();
        if on_tree {
            if let Some(t) = tab_target.get_untracked() {
                state.active.set(Some(t.clone()));
                state.scroll_to(&t, true);
                state.focus_wanted.set(true);
            }
        }
    };
    let on_keydown = move |e: ev::KeyboardEvent| {
        if e.ctrl_key() || e.meta_key() || e.alt_key() {
            return;
        }
        if on_key(state, &e.key()) {
            e.prevent_default();
        }
    };
    let on_focusout = move |e: ev::FocusEvent| {
        // Focus moving to another element outside the tree; a removed row has no successor.
        let to = e.related_target();
        if let (Some(to), Some(tree)) = (to, state.scroller.get_untracked()) {
            let inside = wasm_bindgen::JsCast::dyn_ref::<web_sys::Node>(&to)
                .is_some_and(|n| tree.contains(Some(n)));
            if !inside {
                state.tree_focused.set(false);
            }
        }
    };
    let label = format!("Applications and resources of {}", state.env());
    let empty = move || state.rows.with(Vec::is_empty);
    let filtered = move || state.query.with(|q| q.filter.is_active());

    view! {
        <div
            class="tree-scroll"
            node_ref=state.scroller
            on:scroll=move |_| {
                if let Some(el) = state.scroller.get_untracked() {
                    state.scroll_top.set(f64::from(el.scroll_top()));
                }
            }
        >
            <Show when=empty>
                <div class="tree-empty" role="status">
                    {move || {
                        if filtered() {
                            "Nothing in this environment matches these filters."
                        } else {
                            "This environment has no applications yet: its root application renders nothing."
                        }
                    }}
                </div>
            </Show>
            <div
                class="tree"
                role="tree"
                aria-label=label
                data-testid="env-tree"
                aria-busy=move || (!state.index.with(|i| i.complete())).then_some("true")
                tabindex=move || if target_rendered() { "-1" } else { "0" }
                style:height=move || format!("{}px", state.height())
                on:keydown=on_keydown
                on:focus=on_tree_focus
                on:focusin=move |_| state.tree_focused.set(true)
                on:focusout=on_focusout
            >
                <For each=move || 0..slots.get() key=|at| *at let:at>
                    <TreeRow item=cell(at) tab_target/>
                </For>
            </div>
        </div>
    }
    .into_any()
}

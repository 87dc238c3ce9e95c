//! The tree's toolbar: name filter (`/` focuses it), kind, sync and health selects, "Only
//! problems", and expand/collapse all. Every filter is URL state (see [`super::query`]).

use leptos::ev;
use leptos::prelude::*;

use super::state::{use_env_state, EnvState};
use crate::components::icons::SearchIcon;
use crate::components::topbar::MAIN_SEARCH_ID;
use crate::dto::status::{Health, SyncStatus};
use crate::tree::Filter;

const SYNCS: [SyncStatus; 3] = [
    SyncStatus::Synced,
    SyncStatus::OutOfSync,
    SyncStatus::Unknown,
];
/// In the order people scan for them, not best-to-worst.
const HEALTHS: [Health; 6] = [
    Health::Healthy,
    Health::Progressing,
    Health::Degraded,
    Health::Suspended,
    Health::Missing,
    Health::Unknown,
];

/// One `<select>` bound to a filter field; "" means any.
#[component]
fn FilterSelect(
    id: &'static str,
    label: &'static str,
    any: &'static str,
    #[prop(into)] options: Signal<Vec<String>>,
    get: fn(&Filter) -> &String,
    set: fn(&mut Filter, String),
) -> impl IntoView {
    let state = use_env_state();
    let current = Memo::new(move |_| state.query.with(|q| get(&q.filter).clone()));
    let opts = move || {
        let mut values = options.get();
        // A value from the URL that the tree lacks stays selectable, so it can be cleared.
        let now = current.get();
        if !now.is_empty() && !values.contains(&now) {
            values.push(now);
        }
        values
            .into_iter()
            .map(|v| {
                let selected = current.with(|c| *c == v);
                view! { <option value=v.clone() selected=selected>{v.clone()}</option> }
            })
            .collect_view()
    };
    view! {
        <div class="env-filter">
            <label for=id>{label}</label>
            <select
                id=id
                prop:value=move || current.get()
                on:change=move |e| {
                    let v = event_target_value(&e);
                    state.set_filter(|f| set(f, v));
                }
            >
                <option value="" selected=move || current.with(String::is_empty)>{any}</option>
                {opts}
            </select>
        </div>
    }
}

/// A fixed list of options: the words the filter (and the URL) carries.
fn fixed(words: impl IntoIterator<Item = &'static str>) -> Signal<Vec<String>> {
    let values: Vec<String> = words.into_iter().map(String::from).collect();
    Signal::derive(move || values.clone())
}

/// Focuses the tree's active row (from the filter box, ArrowDown).
fn focus_tree(state: EnvState) {
    if state.rows.with_untracked(Vec::is_empty) {
        return;
    }
    if state.active.get_untracked().is_none() {
        let first = state.rows.with_untracked(|r| {
            state
                .index
                .with_untracked(|i| i.nodes[r[0].node].id.as_str().to_owned())
        });
        state.active.set(Some(first));
    }
    state.focus_wanted.set(true);
}

#[component]
pub fn Toolbar() -> impl IntoView {
    let state = use_env_state();
    let initial = state.query.with_untracked(|q| q.filter.q.clone());
    let (text, set_text) = signal(initial.clone());
    // Follow the URL (back button, links) unless the user is typing here.
    Effect::new(move |_| {
        let q = state.query.with(|q| q.filter.q.clone());
        let typing = document()
            .active_element()
            .is_some_and(|el| el.id() == MAIN_SEARCH_ID);
        if !typing && q != text.get_untracked() {
            set_text.set(q);
        }
    });
    let search = move |q: String| {
        set_text.set(q.clone());
        state.set_filter(|f| f.q = q);
    };
    let on_keydown = move |e: ev::KeyboardEvent| match e.key().as_str() {
        "Escape" if !text.get_untracked().is_empty() => {
            e.prevent_default();
            e.stop_propagation();
            search(String::new());
        }
        "ArrowDown" => {
            e.prevent_default();
            focus_tree(state);
        }
        _ => {}
    };
    let kinds = Signal::derive(move || state.index.with(|i| i.kinds()));
    let problems = Memo::new(move |_| state.query.with(|q| q.filter.problems));
    let active = move || state.query.with(|q| q.filter.is_active());
    let counts = move || {
        let shown = state.total_rows.get();
        let total = state.index.with(|i| i.node_count());
        if active() {
            format!("{shown} shown · {total} nodes")
        } else {
            format!("{total} nodes")
        }
    };

    view! {
        <div class="env-toolbar" role="search" aria-label="Filter the tree">
            <div class="env-filter env-name-filter">
                <label for=MAIN_SEARCH_ID class="sr-only">"Filter by name"</label>
                <SearchIcon/>
                <input
                    id=MAIN_SEARCH_ID
                    type="search"
                    placeholder="Filter by name"
                    autocomplete="off"
                    spellcheck="false"
                    value=initial
                    prop:value=text
                    on:input=move |e| search(event_target_value(&e))
                    on:keydown=on_keydown
                />
                <kbd aria-hidden="true">"/"</kbd>
            </div>
            <FilterSelect id="env-kind" label="Kind" any="Any kind" options=kinds get=|f| &f.kind set=|f, v| f.kind = v/>
            <FilterSelect id="env-sync" label="Sync" any="Any sync" options=fixed(SYNCS.map(SyncStatus::as_str)) get=|f| &f.sync set=|f, v| f.sync = v/>
            <FilterSelect
                id="env-health"
                label="Health"
                any="Any health"
                options=fixed(HEALTHS.map(Health::as_str))
                get=|f| &f.health
                set=|f, v| f.health = v
            />
            <label class="env-problems">
                <input
                    type="checkbox"
                    checked=problems.get_untracked()
                    prop:checked=problems
                    on:change=move |e| {
                        let on = event_target_checked(&e);
                        state.set_filter(|f| f.problems = on);
                    }
                />
                "Only problems"
            </label>
            <Show when=active>
                <button
                    type="button"
                    class="link-button"
                    on:click=move |_| {
                        set_text.set(String::new());
                        state.set_filter(|f| *f = Filter::default());
                    }
                >
                    "Clear filters"
                </button>
            </Show>
            <span class="env-count muted" aria-live="polite">{counts}</span>
            <div class="env-expand">
                <button type="button" class="button" on:click=move |_| state.expand_all()>"Expand all"</button>
                <button type="button" class="button" on:click=move |_| state.collapse_all()>"Collapse all"</button>
            </div>
        </div>
    }
    .into_any()
}

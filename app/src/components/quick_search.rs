//! The top bar's search box: a GET form (Enter searches before the WASM has loaded, and what
//! was typed then survives hydration) and, while typing, a drop-down of the best matches
//! (WAI-ARIA combobox with a listbox): ↓/↑ move through them, Enter opens the one chosen or,
//! with none chosen, the full results; Escape closes the list, then leaves the box.

use std::time::Duration;

use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use wasm_bindgen::JsCast;

use super::entity_bits::entity_href;
use super::icons::SearchIcon;
use super::topbar::typed_before_hydration;
use crate::api::search_catalog;
use crate::dto::{SearchHit, SearchRequest};
use crate::url::encode;

/// Matches the drop-down shows.
const LIMIT: usize = 8;
/// The box stays the same this long before it searches.
const SETTLE: Duration = Duration::from_millis(120);
const LIST_ID: &str = "quick-search-list";

fn option_id(i: usize) -> String {
    format!("quick-search-option-{i}")
}

fn results_href(q: &str) -> String {
    if q.trim().is_empty() {
        "/catalog".to_string()
    } else {
        format!("/catalog?q={}", encode(q.trim()))
    }
}

#[component]
pub fn QuickSearch(id: &'static str) -> impl IntoView {
    let navigate = use_navigate();
    let text = RwSignal::new(typed_before_hydration(id).unwrap_or_default());
    // The text searched for, once typing pauses; `None` closes the list.
    let settled = RwSignal::new(None::<String>);
    let active = RwSignal::new(None::<usize>);
    let hits = LocalResource::new(move || {
        let q = settled.get();
        async move {
            match q.filter(|q| !q.trim().is_empty()) {
                Some(q) => search_catalog(SearchRequest {
                    q: q.trim().to_string(),
                    limit: LIMIT,
                    ..SearchRequest::default()
                })
                .await
                .map(|r| (q, r.hits, r.total))
                .ok(),
                None => None,
            }
        }
    });
    // What the list shows now: the answer for the settled text, while it is still the text.
    let shown = move || {
        let q = settled.get()?;
        hits.get().flatten().filter(|(for_q, _, _)| *for_q == q)
    };
    let open = move || shown().is_some_and(|(_, h, _)| !h.is_empty());

    let on_input = move |e: ev::Event| {
        let value = event_target_value(&e);
        text.set(value.clone());
        active.set(None);
        set_timeout(
            move || {
                if text.try_get_untracked().as_ref() == Some(&value) {
                    settled.try_set(Some(value));
                }
            },
            SETTLE,
        );
    };
    let go = {
        let navigate = navigate.clone();
        move |href: String| {
            settled.set(None);
            active.set(None);
            navigate(&href, NavigateOptions::default());
        }
    };
    let hit_hrefs = move || {
        shown()
            .map(|(_, hits, _)| {
                hits.iter()
                    .map(|h| entity_href(&h.kind, &h.namespace, &h.name))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let on_submit = {
        let go = go.clone();
        move |e: ev::SubmitEvent| {
            e.prevent_default();
            let chosen = active
                .get_untracked()
                .and_then(|i| hit_hrefs().get(i).cloned());
            go(chosen.unwrap_or_else(|| results_href(&text.get_untracked())));
        }
    };
    let on_keydown = move |e: ev::KeyboardEvent| {
        let count = hit_hrefs().len();
        match e.key().as_str() {
            "ArrowDown" if count > 0 => {
                e.prevent_default();
                active.update(|a| *a = Some(a.map_or(0, |i| (i + 1) % count)));
            }
            "ArrowUp" if count > 0 => {
                e.prevent_default();
                active.update(|a| *a = Some(a.map_or(count - 1, |i| (i + count - 1) % count)));
            }
            "Escape" if open() => {
                e.prevent_default();
                settled.set(None);
                active.set(None);
            }
            "Escape" => {
                if let Some(input) = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                {
                    _ = input.blur();
                }
            }
            _ => {}
        }
    };
    // Leaving the box closes the list (after a click on an option has landed).
    let on_blur = move |_| {
        set_timeout(
            move || {
                settled.try_set(None);
                active.try_set(None);
            },
            Duration::from_millis(150),
        )
    };

    let list = move || {
        let (q, hits, total) = shown()?;
        if hits.is_empty() {
            return None;
        }
        let options = hits
            .into_iter()
            .enumerate()
            .map(|(i, hit)| view! { <QuickHit hit i active/> })
            .collect_view();
        let more = (total as usize > LIMIT).then(|| {
            view! {
                <li class="quick-more" role="presentation">
                    <a href=results_href(&q)>{format!("All {total} results")}</a>
                </li>
            }
        });
        Some(view! {
            <ul class="quick-results" id=LIST_ID role="listbox" aria-label="Best matches" data-testid="quick-results">
                {options}
                {more}
            </ul>
        })
    };

    view! {
        <form class="global-search" role="search" action="/catalog" method="get" on:submit=on_submit>
            <SearchIcon/>
            <input
                id=id
                name="q"
                type="search"
                placeholder="Search the catalog"
                aria-label="Search everything"
                autocomplete="off"
                spellcheck="false"
                role="combobox"
                aria-autocomplete="list"
                aria-controls=LIST_ID
                aria-expanded=move || open().to_string()
                aria-activedescendant=move || active.get().map(option_id)
                prop:value=text
                on:input=on_input
                on:keydown=on_keydown
                on:blur=on_blur
            />
            <kbd aria-hidden="true">"/"</kbd>
            {list}
        </form>
    }
    .into_any()
}

#[component]
fn QuickHit(hit: SearchHit, i: usize, active: RwSignal<Option<usize>>) -> impl IntoView {
    let href = entity_href(&hit.kind, &hit.namespace, &hit.name);
    let title = hit.title.clone().unwrap_or_else(|| hit.name.clone());
    let owner = hit
        .owner
        .clone()
        .map(|o| view! { <span class="quick-owner">{o}</span> });
    view! {
        <li
            id=option_id(i)
            role="option"
            class="quick-hit"
            aria-selected=move || (active.get() == Some(i)).to_string()
            // Keep focus in the box: the click lands on the link.
            on:mousedown=|e: ev::MouseEvent| e.prevent_default()
        >
            <a href=href tabindex="-1">
                <span class="quick-kind">{hit.kind.clone()}</span>
                <span class="quick-title">{title}</span>
                {owner}
            </a>
        </li>
    }
}

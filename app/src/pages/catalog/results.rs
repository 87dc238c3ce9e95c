//! Result rows, the count line, active filter chips and the empty state that teaches the query
//! syntax by example. Arrow keys move focus between rows; Enter follows the focused row's link.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::query::{CatalogQuery, PAGE_SIZE};
use crate::components::entity_bits::{entity_href, Highlighted, KindBadge};
use crate::components::topbar::MAIN_SEARCH_ID;
use crate::dto::{SearchHit, SearchResults};

/// Focuses result row `index`; false when there is no such row.
pub fn focus_hit(index: usize) -> bool {
    document()
        .get_element_by_id(&format!("hit-{index}"))
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        .map(|el| el.focus())
        .is_some()
}

fn focus_search() {
    if let Some(input) = document()
        .get_element_by_id(MAIN_SEARCH_ID)
        .and_then(|el| el.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        _ = input.focus();
    }
}

/// "85 µs" or "1.4 ms".
fn format_took(us: u64) -> String {
    if us < 1000 {
        format!("{us} µs")
    } else {
        format!("{:.1} ms", us as f64 / 1000.0)
    }
}

/// Arrow keys on a focused row move to the next/previous one; up from the first goes back to the
/// search box.
fn on_list_keydown(e: ev::KeyboardEvent) {
    let index = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|el| el.closest("[data-index]").ok().flatten())
        .and_then(|el| el.get_attribute("data-index"))
        .and_then(|i| i.parse::<usize>().ok());
    let Some(i) = index else { return };
    let moved = match e.key().as_str() {
        "ArrowDown" => focus_hit(i + 1),
        "ArrowUp" if i == 0 => {
            focus_search();
            true
        }
        "ArrowUp" => focus_hit(i - 1),
        "Home" => focus_hit(0),
        _ => false,
    };
    if moved {
        e.prevent_default();
    }
}

#[component]
pub fn ResultList(results: SearchResults, query: CatalogQuery) -> impl IntoView {
    let shown = results.hits.len() as u64;
    let total = results.total;
    let count = match total {
        1 => "1 result".to_string(),
        n => format!("{n} results"),
    };
    let more = (total > shown).then(|| {
        let url = query.with_limit(query.limit + PAGE_SIZE).url();
        view! {
            <p class="show-more">
                {format!("Showing {shown} of {total}. ")}
                <a href=url>"Show more"</a>
                " or narrow the search."
            </p>
        }
    });
    let chips = query
        .filters
        .iter()
        .map(|(facet, value)| {
            let url = query.toggled(facet, value).url();
            let label = format!("Remove filter {facet}: {value}");
            view! {
                <a class="chip" href=url title=label.clone() aria-label=label>
                    <span class="chip-facet">{facet.clone()}":"</span>
                    {value.clone()}
                    <span aria-hidden="true">" ×"</span>
                </a>
            }
        })
        .collect_view();
    let body = if results.hits.is_empty() {
        view! { <EmptyState query=query.clone()/> }.into_any()
    } else {
        let rows = results
            .hits
            .into_iter()
            .enumerate()
            .map(|(index, hit)| view! { <ResultRow hit index/> })
            .collect_view();
        view! { <ol class="result-list" on:keydown=on_list_keydown>{rows}</ol> }.into_any()
    };
    view! {
        <section class="results" aria-label="Results">
            <div class="results-head">
                <p class="result-count" aria-live="polite" aria-atomic="true">
                    <strong>{count}</strong>
                    <span class="took">{format!(" · {}", format_took(results.took_us))}</span>
                </p>
                <div class="chips">{chips}</div>
            </div>
            {body}
            {more}
        </section>
    }
    .into_any()
}

#[component]
fn ResultRow(hit: SearchHit, index: usize) -> impl IntoView {
    let href = entity_href(&hit.kind, &hit.namespace, &hit.name);
    let name = if hit.name_hl.is_empty() {
        view! { {hit.name.clone()} }.into_any()
    } else {
        view! { <Highlighted spans=hit.name_hl/> }.into_any()
    };
    let title = (!hit.title_hl.is_empty()).then(|| {
        view! { <span class="result-title"><Highlighted spans=hit.title_hl/></span> }
    });
    let description = (!hit.description_hl.is_empty()).then(|| {
        view! { <p class="result-desc"><Highlighted spans=hit.description_hl/></p> }
    });
    let meta = |label: &'static str, value: Option<String>, class: &'static str| {
        value.map(|v| {
            view! {
                <span class=format!("meta {class}")>
                    <span class="meta-label">{label}</span>
                    {v}
                </span>
            }
        })
    };
    let lifecycle = hit.lifecycle.map(|l| {
        let key = l.to_ascii_lowercase();
        view! { <span class="lifecycle" data-lifecycle=key>{l}</span> }
    });
    let tags = hit
        .tags
        .into_iter()
        .map(|t| view! { <span class="tag">{t}</span> })
        .collect_view();
    view! {
        <li class="result">
            <a class="result-link" id=format!("hit-{index}") data-index=index href=href>
                <div class="result-head">
                    <KindBadge kind=hit.kind.clone()/>
                    <span class="result-name">{name}</span>
                    {title}
                    {hit.entity_type.map(|t| view! { <span class="type">{t}</span> })}
                </div>
                {description}
                <div class="result-meta">
                    {meta("owner", hit.owner, "owner")}
                    {meta("system", hit.system, "system")}
                    {lifecycle}
                    {tags}
                </div>
            </a>
        </li>
    }
    .into_any()
}

/// No hits: say so, and teach the query syntax with examples that are links.
#[component]
fn EmptyState(query: CatalogQuery) -> impl IntoView {
    let example = |q: &'static str, what: &'static str| {
        let url = CatalogQuery::default().with_q(q.to_string()).url();
        view! {
            <li>
                <a class="example" href=url><code>{q}</code></a>
                <span>{what}</span>
            </li>
        }
    };
    let headline = if query.q.trim().is_empty() {
        "Nothing matches these filters.".to_string()
    } else {
        format!("No entities match “{}”.", query.q.trim())
    };
    let clear = (!query.filters.is_empty()).then(|| {
        let url = query.without_filters().url();
        view! {
            <p>
                "Filters narrow every search: "
                <a href=url>"clear filters"</a>
                " to search the whole catalog."
            </p>
        }
    });
    view! {
        <div class="empty-state">
            <h2>{headline}</h2>
            {clear}
            <p>"Search matches names, titles, descriptions, owners and tags. For example:"</p>
            <ul class="examples">
                {example("pay", "a prefix: finds payments, payment-gateway…")}
                {example("paymnet", "a typo: close spellings still match")}
                {example("checkout api", "several words: entities matching all of them")}
            </ul>
            <p>
                "Narrow by kind, owner, lifecycle, tags or system with the filters on the left; "
                "pick several values of one filter to see any of them."
            </p>
        </div>
    }
    .into_any()
}

/// Placeholder rows for the very first load on the client (later loads keep the old rows).
#[component]
pub fn Skeleton() -> impl IntoView {
    view! {
        <div class="catalog-body" aria-busy="true">
            <aside class="facets skeleton-facets" aria-hidden="true"></aside>
            <section class="results" aria-label="Results">
                <p class="result-count" aria-live="polite">"Searching…"</p>
                <ol class="result-list skeleton" aria-hidden="true">
                    {(0..6).map(|_| view! { <li class="result skeleton-row"></li> }).collect_view()}
                </ol>
            </section>
        </div>
    }
    .into_any()
}

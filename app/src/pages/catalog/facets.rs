//! The facet sidebar: one group per `dto::FACETS` entry with counts; each checkbox adds or
//! removes a `facet=value` URL parameter (several values per facet are OR-ed).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::query::CatalogQuery;
use crate::dto::{FacetCounts, FacetValue, FACETS};

/// Values shown before "Show more".
const COLLAPSED: usize = 8;

/// Which facets the user expanded; lives as long as the page, so new results keep it.
#[derive(Clone, Copy)]
pub struct ExpandedFacets(pub RwSignal<Vec<String>>);

fn facet_label(facet: &str) -> &'static str {
    match facet {
        "kind" => "Kind",
        "type" => "Type",
        "owner" => "Owner",
        "lifecycle" => "Lifecycle",
        "tags" => "Tags",
        "system" => "System",
        _ => "Other",
    }
}

#[component]
pub fn Facets(facets: Vec<FacetCounts>, query: CatalogQuery) -> impl IntoView {
    let has_filters = !query.filters.is_empty();
    let clear = query.without_filters().url();
    let groups = FACETS
        .iter()
        .filter_map(|facet| {
            let mut values = facets
                .iter()
                .find(|f| f.name == *facet)
                .map(|f| f.values.clone())
                .unwrap_or_default();
            // A selected value with no hits left must stay visible, or it could not be removed.
            for (f, v) in &query.filters {
                if f == facet && !values.iter().any(|x| &x.value == v) {
                    values.push(FacetValue {
                        value: v.clone(),
                        count: 0,
                        selected: true,
                    });
                }
            }
            (!values.is_empty()).then(|| {
                view! { <FacetGroup facet=facet.to_string() values query=query.clone()/> }
            })
        })
        .collect_view();
    view! {
        <aside class="facets" aria-label="Filters">
            <div class="facets-head">
                <h2>"Filters"</h2>
                {has_filters.then(|| view! { <a class="clear-filters" href=clear>"Clear filters"</a> })}
            </div>
            {groups}
        </aside>
    }
    .into_any()
}

#[component]
fn FacetGroup(facet: String, values: Vec<FacetValue>, query: CatalogQuery) -> impl IntoView {
    let navigate = use_navigate();
    let open = use_context::<ExpandedFacets>()
        .map(|e| e.0)
        .unwrap_or_else(|| RwSignal::new(Vec::new()));
    let expanded = {
        let facet = facet.clone();
        Signal::derive(move || open.with(|o| o.contains(&facet)))
    };
    let toggle = {
        let facet = facet.clone();
        move |_| {
            open.update(|o| {
                if let Some(i) = o.iter().position(|f| *f == facet) {
                    o.remove(i);
                } else {
                    o.push(facet.clone());
                }
            })
        }
    };
    let hidden = values.len().saturating_sub(COLLAPSED);
    let label = facet_label(&facet);
    let rows = values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let selected = query.is_selected(&facet, &v.value);
            let url = query.toggled(&facet, &v.value).url();
            let navigate = navigate.clone();
            // Selected values are never folded away.
            let folded = i >= COLLAPSED && !selected;
            let id = format!("facet-{facet}-{i}");
            view! {
                <li class="facet-row" class:folded=move || folded && !expanded.get()>
                    <input
                        type="checkbox"
                        id=id.clone()
                        checked=selected
                        prop:checked=selected
                        on:change=move |_| {
                            navigate(&url, NavigateOptions { scroll: false, ..Default::default() })
                        }
                    />
                    <label for=id>
                        <span class="facet-value">{v.value.clone()}</span>
                        <span class="facet-count">{v.count}</span>
                    </label>
                </li>
            }
        })
        .collect_view();
    view! {
        <fieldset class="facet" data-facet=facet.clone()>
            <legend>{label}</legend>
            <ul>{rows}</ul>
            {(hidden > 0)
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="link-button"
                            aria-expanded=move || expanded.get().to_string()
                            on:click=toggle
                        >
                            {move || {
                                if expanded.get() {
                                    "Show fewer".to_string()
                                } else {
                                    format!("Show {hidden} more")
                                }
                            }}
                        </button>
                    }
                })}
        </fieldset>
    }
    .into_any()
}

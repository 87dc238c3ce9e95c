//! The catalog page (`/catalog`, also `/`): search box, facet sidebar, result rows.
//!
//! The URL is the state: typing replaces `?q=` with a client-side navigation (no reload), and a
//! resource keyed on the parsed query calls `search_catalog`, so a deep link renders fully on the
//! server. A `<Transition>` keeps the previous results on screen while the next ones load.

pub mod facets;
pub mod query;
pub mod results;

use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::search_catalog;
use crate::components::icons::SearchIcon;
use crate::components::topbar::{typed_before_hydration, MAIN_SEARCH_ID};
use facets::{ExpandedFacets, Facets};
use query::CatalogQuery;
use results::{focus_hit, ResultList, Skeleton};

#[component]
pub fn CatalogPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(CatalogQuery::from_params));
    let results = Resource::new(move || query.get().request(), search_catalog);
    let navigate = use_navigate();
    let initial_q = query.get_untracked().q;
    // Typed before the page hydrated: kept, and searched for once the page is live.
    let typed = typed_before_hydration(MAIN_SEARCH_ID).filter(|t| *t != initial_q);
    let (text, set_text) = signal(typed.clone().unwrap_or_else(|| initial_q.clone()));
    let (pending, set_pending) = signal(false);
    provide_context(ExpandedFacets(RwSignal::new(Vec::new())));

    // Navigations from elsewhere (top bar search, back button, example links) change `q`: show
    // it in the box, unless the user is typing there (their text is newer than the URL).
    Effect::new(move |_| {
        let q = query.with(|c| c.q.clone());
        let typing = document()
            .active_element()
            .is_some_and(|el| el.id() == MAIN_SEARCH_ID);
        if !typing && q != text.get_untracked() {
            set_text.set(q);
        }
    });

    let search_for = {
        let navigate = navigate.clone();
        move |q: String| {
            set_text.set(q.clone());
            let url = query.get_untracked().with_q(q).url();
            navigate(
                &url,
                NavigateOptions {
                    replace: true,
                    scroll: false,
                    ..Default::default()
                },
            );
        }
    };
    if let Some(typed) = typed {
        let search_for = search_for.clone();
        Effect::new(move |_| search_for(typed.clone()));
    }
    let on_input = {
        let search_for = search_for.clone();
        move |e: ev::Event| search_for(event_target_value(&e))
    };
    let on_keydown = move |e: ev::KeyboardEvent| match e.key().as_str() {
        "ArrowDown" if focus_hit(0) => e.prevent_default(),
        "Escape" if !text.get_untracked().is_empty() => {
            e.prevent_default();
            search_for(String::new());
        }
        _ => {}
    };

    // The filters in force go along with a search submitted before hydration.
    let hidden_filters = query
        .get_untracked()
        .filters
        .into_iter()
        .map(|(facet, value)| view! { <input type="hidden" name=facet value=value/> })
        .collect_view();
    view! {
        <div class="catalog-page">
            <div class="progress" class:active=pending aria-hidden="true"></div>
            // A plain GET form, so Enter searches before the WASM has loaded too.
            <form
                class="catalog-search"
                role="search"
                action="/catalog"
                method="get"
                on:submit=|e: ev::SubmitEvent| e.prevent_default()
            >
                {hidden_filters}
                <SearchIcon/>
                <input
                    id=MAIN_SEARCH_ID
                    name="q"
                    type="search"
                    aria-label="Search the catalog"
                    placeholder="Search components, APIs, teams, systems…"
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby="catalog-search-hint"
                    value=initial_q
                    prop:value=text
                    on:input=on_input
                    on:keydown=on_keydown
                />
            </form>
            <p id="catalog-search-hint" class="hint">
                <kbd>"/"</kbd>" search · "<kbd>"↓"</kbd><kbd>"↑"</kbd>" move through results · "
                <kbd>"Enter"</kbd>" open · "<kbd>"Esc"</kbd>" clear"
            </p>
            <Transition fallback=Skeleton set_pending>
                {move || Suspend::new(async move {
                    let outcome = results.await;
                    let query = query.get_untracked();
                    match outcome {
                        Ok(r) => {
                            view! {
                                <div class="catalog-body">
                                    <Facets facets=r.facets.clone() query=query.clone()/>
                                    <ResultList results=r query/>
                                </div>
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! {
                                <div class="notice notice-error" role="alert">
                                    <strong>"The search did not run. "</strong>
                                    {e.to_string()}
                                    " — check the query and try again; if it keeps failing, the catalog service may be down."
                                </div>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
    .into_any()
}

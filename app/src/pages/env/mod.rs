//! The environment pages: `/env` (one card per environment, in promotion order) and
//! `/env/:name` (the App-of-Apps tree with filters, a side panel and live updates).
//!
//! As on the catalog page, the URL is the state: filters and the selected node are query
//! parameters ([`query`]), so every view deep-links and renders on the server. The tree logic
//! (index, filters, visible rows, keyboard moves, scroll window) is pure and tested in
//! [`crate::tree`] and [`nav`]; components only render it.

pub mod app_detail;
pub mod header;
pub mod list;
pub mod live;
pub mod nav;
pub mod panel;
pub mod query;
pub mod resource_detail;
pub mod row;
pub mod state;
pub mod sync_control;
pub mod tabs;
pub mod toolbar;
pub mod tree;
pub mod workspace;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::env::{environment_head, list_environments};
use crate::components::problem::ErrorPanel;
pub use list::EnvironmentsPage;
use workspace::Workspace;

#[component]
pub fn EnvPage() -> impl IntoView {
    let params = use_params_map();
    let name = Memo::new(move |_| params.with(|p| p.get("name").unwrap_or_default()));
    // The head for the view in the URL when the page opens; later filter or selection changes
    // work on the whole tree in the browser, so they do not refetch it.
    let params = use_query_map();
    let tree = Resource::new(
        move || name.get(),
        move |name| {
            let query = params.with_untracked(query::EnvQuery::from_params);
            environment_head(name, query.filter, query.node)
        },
    );
    // For the production flag and repo; the page works without it.
    let envs = Resource::new(|| (), |_| list_environments());
    let title = move || format!("{} · Environments · Atrium", name.get());

    view! {
        <Title text=title/>
        <div class="env-page">
            <Transition fallback=TreeSkeleton>
                {move || Suspend::new(async move {
                    let list = envs.await.unwrap_or_default();
                    let environments: Vec<String> = list.iter().map(|e| e.name.clone()).collect();
                    let summary = list.into_iter().find(|e| e.name == name.get_untracked());
                    match tree.await {
                        Ok(head) => view! { <Workspace head summary environments/> }.into_any(),
                        Err(e) => {
                            view! {
                                <header class="env-head">
                                    <nav class="crumbs" aria-label="Breadcrumb">
                                        <a href="/env">"Environments"</a>
                                        <span aria-hidden="true">" / "</span>
                                    </nav>
                                    <h1>{name.get_untracked()}</h1>
                                </header>
                                <ErrorPanel error=e action="view this environment" failed="This environment could not be loaded"/>
                                <p><a href="/env">"See all environments"</a></p>
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

/// Placeholder rows while the tree loads for the first time.
#[component]
fn TreeSkeleton() -> impl IntoView {
    view! {
        <div class="env-skeleton" aria-busy="true" role="status">
            <span class="sr-only">"Loading the tree…"</span>
            {(0..8)
                .map(|i| view! { <div class="tree-skeleton-row" style=format!("--level: {}", i % 3)></div> })
                .collect_view()}
        </div>
    }
}

//! The Requests pages: `/requests` (tabs Awaiting me / Mine / All, filters in the URL, a dense
//! list of requests) and `/requests/:id` (one request: header, actions and its timeline).
//!
//! Both render on the server, then stay live in the browser: every deploy notice
//! ([`crate::components::deploy_live`]) that concerns what a page shows makes it fetch again
//! ([`refresh`]), without re-mounting what the viewer is using.

pub mod actions;
pub mod detail;
pub mod filters;
pub mod list;
pub mod query;
pub mod refresh;
pub mod steps;
pub mod timeline;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::deploy::list_requests;
use crate::components::deploy_live::use_deploy_live;
use crate::components::problem::ErrorPanel;
use crate::components::session::use_session;
pub use detail::RequestPage;
use filters::{Filters, Tabs};
use list::{ListSkeleton, LiveList};
use query::{RequestsQuery, Scope};

/// Whether the page is live: a dot and a word, the explanation in the tooltip.
#[component]
pub fn LiveBadge() -> impl IntoView {
    let state = use_deploy_live().state;
    view! {
        <span
            class="live-indicator"
            data-testid="live-indicator"
            data-state=move || state.get().key()
            title=move || state.get().explanation()
        >
            <span class="live-dot" aria-hidden="true"></span>
            {move || state.get().label()}
        </span>
    }
}

#[component]
pub fn RequestsPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(RequestsQuery::from_params));
    let session = use_session();
    let may_approve = move || async move { session.await.is_ok_and(|s| s.may_approve) };
    // The tab a URL without `scope` means, once the session says who is looking.
    let list = Resource::new(
        move || query.get(),
        move |q| async move {
            let scope = match q.scope {
                Some(scope) => scope,
                None => Scope::default_for(may_approve().await),
            };
            list_requests(q.to_api(scope))
                .await
                .map(|rows| (scope, rows))
        },
    );
    let (pending, set_pending) = signal(false);

    view! {
        <Title text="Requests · Atrium"/>
        <div class="requests-page">
            <div class="progress" class:active=pending aria-hidden="true"></div>
            <div class="page-head">
                <h1>"Deploy requests"</h1>
                <LiveBadge/>
            </div>
            // Rendered once the session is known, then kept: changing a filter or a tab does
            // not re-mount the controls in use.
            <Transition fallback=|| view! { <div class="request-tools-skeleton" aria-hidden="true"></div> }>
                {move || Suspend::new(async move {
                    let may_approve = may_approve().await;
                    let scope = Signal::derive(move || {
                        query.with(|q| q.scope).unwrap_or(Scope::default_for(may_approve))
                    });
                    view! {
                        <Tabs query scope/>
                        <Filters query scope/>
                    }
                })}
            </Transition>
            <Transition fallback=ListSkeleton set_pending>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok((scope, rows)) => {
                            let query = query.get_untracked();
                            view! { <LiveList scope query rows/> }.into_any()
                        }
                        Err(e) => {
                            view! {
                                <ErrorPanel
                                    error=e
                                    action="list deploy requests"
                                    failed="The requests could not be loaded"
                                />
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

//! The compare view (`/compare?from=staging&to=prod`, see [`query`]): two environments'
//! desired states side by side, from their renders, aligned by app and resource, each classed
//! same / differs / only in one; counts per class at the top, only the differences by default,
//! one resource's YAML diff on demand. Live: it reads again whenever either environment
//! changes. Dragging one environment onto another opens it ([`crate::pages::drag`]).

pub mod nav;
pub mod query;
pub mod resource;
pub mod tree;

use std::collections::HashSet;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::compare::compare_environments;
use crate::api::env::list_environments;
use crate::components::problem::ErrorPanel;
use crate::dto::compare::{CompareShown, CompareStatus};
use crate::pages::drag::{DragLayer, DragState};
use crate::pages::env::live::LiveBump;
use query::CompareQuery;
use tree::CompareTree;

#[component]
pub fn ComparePage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(CompareQuery::from_params));
    let envs = Resource::new(|| (), |_| list_environments());
    // Bumped whenever either environment announces a new version.
    let changes = RwSignal::new(0u64);
    let drag = DragState::provide();
    let data = Resource::new(
        move || {
            let q = query.get();
            (q.from, q.to, q.all, q.app, changes.get())
        },
        |(from, to, all, app, _)| async move {
            if from.is_empty() || to.is_empty() {
                return Ok(None);
            }
            compare_environments(from, to, all, app).await.map(Some)
        },
    );

    view! {
        <Title text=move || {
            let q = query.get();
            if q.is_complete() {
                format!("{} ↔ {} · Compare · Atrium", q.from, q.to)
            } else {
                "Compare · Atrium".to_string()
            }
        }/>
        <div class="compare-page">
            <div class="page-head">
                <h1>"Compare environments"</h1>
            </div>
            <p class="muted compare-intro">
                "Desired state from each environment's Git repository, side by side. "
                "Tip: drag one environment onto another (on the Environments page or the tabs of an environment) to get here; drag an app onto the other environment's column to promote it."
            </p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let names: Vec<String> = envs
                        .await
                        .map(|l| l.into_iter().map(|e| e.name).collect())
                        .unwrap_or_default();
                    view! { <Pickers names query/> }
                })}
            </Transition>
            {move || {
                let q = query.get();
                q.is_complete().then(|| view! { <LiveBump env=q.from changes/> <LiveBump env=q.to changes/> })
            }}
            <Transition fallback=|| view! {
                <div class="skeleton-block" role="status" aria-busy="true" aria-label="Comparing"></div>
            }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(Some(view)) => view! { <Comparison view query/> }.into_any(),
                        Ok(None) => view! {
                            <p class="empty-state" data-testid="compare-choose">
                                "Choose two environments to compare."
                            </p>
                        }
                        .into_any(),
                        Err(e) => view! {
                            <ErrorPanel error=e action="compare environments" failed="The environments could not be compared"/>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
            <DragLayer drag/>
        </div>
    }
    .into_any()
}

/// The two environment pickers and "swap".
#[component]
fn Pickers(names: Vec<String>, query: Memo<CompareQuery>) -> impl IntoView {
    let navigate = use_navigate();
    let go = move |q: CompareQuery| navigate(&q.url(), NavigateOptions::default());
    let options = move |chosen: String| {
        let mut list = vec![
            view! { <option value="" selected=chosen.is_empty()>"Choose…"</option> }.into_any(),
        ];
        list.extend(names.iter().map(|n| {
            view! { <option value=n.clone() selected=*n == chosen>{n.clone()}</option> }.into_any()
        }));
        list
    };
    let q = query.get_untracked();
    let (go_from, go_to) = (go.clone(), go.clone());
    view! {
        <form class="compare-pickers" on:submit=|e| e.prevent_default()>
            <label>
                <span>"From"</span>
                <select
                    class="input"
                    data-testid="compare-from"
                    on:change=move |e| {
                        go_from(CompareQuery { from: event_target_value(&e), ..query.get_untracked() })
                    }
                >
                    {options(q.from.clone())}
                </select>
            </label>
            <a
                class="button compare-swap"
                href=move || query.get().swapped().url()
                title="Swap the environments"
                aria-label="Swap the environments"
            >
                "⇄"
            </a>
            <label>
                <span>"To"</span>
                <select
                    class="input"
                    data-testid="compare-to"
                    on:change=move |e| {
                        go_to(CompareQuery { to: event_target_value(&e), ..query.get_untracked() })
                    }
                >
                    {options(q.to.clone())}
                </select>
            </label>
        </form>
    }
    .into_any()
}

/// Counts per class, the "only differences" switch, and the tree.
#[component]
fn Comparison(view: CompareShown, query: Memo<CompareQuery>) -> impl IntoView {
    let q = query.get_untracked();
    let navigate = use_navigate();
    let counts = CompareStatus::ALL
        .into_iter()
        .map(|status| {
            let n = view.count(status);
            let label = match status {
                CompareStatus::Same => "same".to_string(),
                CompareStatus::Differs => "differ".to_string(),
                CompareStatus::OnlyFrom => format!("only in {}", view.from),
                CompareStatus::OnlyTo => format!("only in {}", view.to),
            };
            view! {
                <li class="compare-count" data-class=status.as_str() data-zero=(n == 0).to_string()>
                    <strong>{n}</strong>" "{label}
                </li>
            }
        })
        .collect_view();
    // The server sent only what is shown (`CompareShown::of`).
    let shown = view.apps;
    let empty = shown.is_empty().then(|| {
        let text = if q.app.is_some() {
            "Neither environment has this app.".to_string()
        } else {
            format!(
                "No differences: every app is the same in {} and {}.",
                view.from, view.to
            )
        };
        view! { <p class="empty-state" data-testid="compare-empty">{text}</p> }
    });
    let open = RwSignal::new(q.app.iter().cloned().collect::<HashSet<String>>());
    let only_differences = !q.all;
    let single = q.app.clone().map(|app| {
        let all = CompareQuery {
            app: None,
            ..q.clone()
        }
        .url();
        view! {
            <p class="compare-single">
                "Showing "<strong>{app}</strong>" only. "<a href=all>"Show every app"</a>
            </p>
        }
    });
    view! {
        <div class="compare-summary">
            <ul class="compare-counts" aria-label="Apps by class" data-testid="compare-counts">{counts}</ul>
            <label class="compare-only">
                <input
                    type="checkbox"
                    data-testid="compare-only-differences"
                    prop:checked=only_differences
                    on:change=move |e| {
                        let all = !event_target_checked(&e);
                        navigate(&CompareQuery { all, ..query.get_untracked() }.url(), NavigateOptions::default());
                    }
                />
                " Only differences"
            </label>
        </div>
        {single}
        {empty}
        <Columns from=view.from.clone() to=view.to.clone()/>
        <CompareTree apps=shown from=view.from.clone() to=view.to.clone() open/>
    }
    .into_any()
}

/// The heads of the two sides, each a drop target: an app dragged from one side onto the other
/// asks for its promotion there.
#[component]
fn Columns(from: String, to: String) -> impl IntoView {
    let drag = DragState::use_context();
    let head = move |env: String, side: &'static str| {
        let (a, b) = (env.clone(), env.clone());
        view! {
            <span
                class="compare-column"
                data-side=side
                data-drop-env=env.clone()
                data-testid="compare-column"
                class:drop-target=move || drag.is_some_and(|d| d.accepts(&a))
                class:drop-over=move || drag.is_some_and(|d| d.is_over(&b))
            >
                {env.clone()}
            </span>
        }
    };
    view! {
        <div class="compare-columns" aria-hidden="true">
            <span></span>
            <span>"App"</span>
            <span></span>
            {head(from, "from")}
            <span></span>
            {head(to, "to")}
        </div>
    }
}

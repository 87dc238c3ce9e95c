//! The version matrix (`/matrix`): apps × environments in promotion order, each cell the
//! version with sync and health, marked where a promotion is due or an environment is ahead of
//! the one before it. Filter by name and owning team, sort by team, only what is due; a cell
//! links to that app in the environment's tree. Drag a cell onto another environment's column
//! to ask for a promotion there; the keyboard path is the cell's "Promote" button. Live: it
//! reads again when any environment changes.

pub mod query;

use leptos::ev;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::deploy::version_matrix;
use crate::components::env_status::{HealthBadge, SyncBadge};
use crate::components::problem::ErrorPanel;
use crate::dto::matrix::{Mark, MatrixRow, MatrixView};
use crate::pages::drag::{DragLayer, DragState, Dragged, PromoteButton};
use crate::pages::env::live::LiveBump;
use crate::pages::env::query::env_href;
use crate::url::encode;
use query::{owners, MatrixQuery};

#[component]
pub fn MatrixPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(MatrixQuery::from_params));
    let changes = RwSignal::new(0u64);
    let data = Resource::new(move || changes.get(), |_| version_matrix());
    let drag = DragState::provide();
    view! {
        <Title text="Versions · Atrium"/>
        <div class="matrix-page">
            <div class="page-head">
                <h1>"Versions"</h1>
            </div>
            <p class="muted matrix-intro">
                "Each app's version in every environment, in promotion order. "
                <span class="matrix-mark" data-mark="pending">"pending"</span>
                " differs from the environment before it (a promotion is due); "
                <span class="matrix-mark" data-mark="ahead">"ahead"</span>
                " is newer than the environment before it (it skipped a step). "
                "Drag a cell onto another environment to promote it there."
            </p>
            <Transition fallback=|| view! {
                <div class="skeleton-block" role="status" aria-busy="true" aria-label="Loading versions"></div>
            }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(view) => {
                            let live = view
                                .environments
                                .iter()
                                .map(|env| view! { <LiveBump env=env.clone() changes/> })
                                .collect_view();
                            view! {
                                {live}
                                <Matrix view query/>
                            }
                            .into_any()
                        }
                        Err(e) => view! {
                            <ErrorPanel error=e action="see versions" failed="The versions could not be loaded"/>
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

#[component]
fn Matrix(view: MatrixView, query: Memo<MatrixQuery>) -> impl IntoView {
    let navigate = use_navigate();
    let teams = owners(&view.apps);
    let go = move |q: MatrixQuery| {
        navigate(
            &q.url(),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        )
    };
    let view = StoredValue::new(view);
    let drag = DragState::use_context();
    let heads = view.with_value(|v| {
        v.environments
            .iter()
            .enumerate()
            .map(|(i, env)| {
                let (a, b) = (env.clone(), env.clone());
                view! {
                    <th
                        scope="col"
                        class="matrix-env"
                        data-drop-env=env.clone()
                        class:drop-target=move || drag.is_some_and(|d| d.accepts(&a))
                        class:drop-over=move || drag.is_some_and(|d| d.is_over(&b))
                    >
                        <span class="env-step" aria-hidden="true">{i + 1}</span>
                        <a href=env_href(env)>{env.clone()}</a>
                    </th>
                }
            })
            .collect_view()
    });
    let rows = move || {
        let q = query.get();
        view.with_value(|v| {
            let shown = q.rows(&v.apps);
            if shown.is_empty() {
                let cols = v.environments.len() + 2;
                return view! {
                    <tr><td colspan=cols class="empty-state" data-testid="matrix-empty">"No app matches."</td></tr>
                }
                .into_any();
            }
            shown
                .into_iter()
                .map(|row| {
                    view! { <Row row=row.clone() environments=v.environments.clone() unread=v.unread.clone()/> }
                })
                .collect_view()
                .into_any()
        })
    };
    let (go_q, go_owner, go_sort, go_pending) = (go.clone(), go.clone(), go.clone(), go);
    let q0 = query.get_untracked();
    let owner_options = teams
        .into_iter()
        .map(|t| {
            let selected = q0.owner.as_deref() == Some(t.as_str());
            view! { <option value=t.clone() selected=selected>{t.clone()}</option> }
        })
        .collect_view();
    view! {
        <form class="matrix-filters" role="search" on:submit=|e: ev::SubmitEvent| e.prevent_default()>
            <input
                type="search"
                class="input"
                placeholder="Filter apps by name"
                aria-label="Filter apps by name"
                data-testid="matrix-search"
                value=q0.q.clone()
                on:input=move |e| go_q(MatrixQuery { q: event_target_value(&e), ..query.get_untracked() })
            />
            <label>
                <span>"Team"</span>
                <select
                    class="input"
                    data-testid="matrix-owner"
                    on:change=move |e| {
                        let owner = Some(event_target_value(&e)).filter(|o| !o.is_empty());
                        go_owner(MatrixQuery { owner, ..query.get_untracked() })
                    }
                >
                    <option value="" selected=q0.owner.is_none()>"Every team"</option>
                    {owner_options}
                </select>
            </label>
            <label>
                <span>"Sort"</span>
                <select
                    class="input"
                    data-testid="matrix-sort"
                    on:change=move |e| {
                        let by_owner = event_target_value(&e) == "owner";
                        go_sort(MatrixQuery { by_owner, ..query.get_untracked() })
                    }
                >
                    <option value="name" selected=!q0.by_owner>"By app"</option>
                    <option value="owner" selected=q0.by_owner>"By team"</option>
                </select>
            </label>
            <label class="choice">
                <input
                    type="checkbox"
                    data-testid="matrix-pending"
                    prop:checked=q0.pending
                    on:change=move |e| go_pending(MatrixQuery { pending: event_target_checked(&e), ..query.get_untracked() })
                />
                " Only where a promotion is due"
            </label>
        </form>
        <div class="matrix-scroll">
            <table class="matrix" data-testid="matrix">
                <thead>
                    <tr>
                        <th scope="col">"App"</th>
                        <th scope="col">"Team"</th>
                        {heads}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn Row(row: MatrixRow, environments: Vec<String>, unread: Vec<bool>) -> impl IntoView {
    let owners = match (&row.owner_conflict, row.owners.is_empty()) {
        (Some(why), _) => view! {
            <span class="owner-conflict" title=why.clone()>
                <span aria-hidden="true">"⚠ "</span>
                {row.owners.join(" vs ")}
                <span class="sr-only">{format!(": {why}")}</span>
            </span>
        }
        .into_any(),
        (None, true) => view! { <span class="muted">"—"</span> }.into_any(),
        (None, false) => row.owners.join(", ").into_any(),
    };
    let cells = (0..environments.len())
        .map(|column| {
            let unread = unread.get(column).copied().unwrap_or(false);
            view! { <Cell row=row.clone() column environments=environments.clone() unread/> }
        })
        .collect_view();
    view! {
        <tr data-app=row.name.clone() data-testid="matrix-row">
            <th scope="row" class="matrix-app">{row.name.clone()}</th>
            <td class="matrix-owner">{owners}</td>
            {cells}
        </tr>
    }
}

#[component]
fn Cell(row: MatrixRow, column: usize, environments: Vec<String>, unread: bool) -> impl IntoView {
    let env = environments[column].clone();
    let Some(cell) = row.cells[column].clone() else {
        let (text, title) = if unread {
            (
                "not read yet",
                "Atrium has not read this environment from Git yet",
            )
        } else {
            ("—", "Not in this environment")
        };
        return view! {
            <td class="matrix-cell matrix-absent" data-env=env.clone() data-drop-env=env>
                <span class="muted" title=title>{text}</span>
            </td>
        }
        .into_any();
    };
    let drag = DragState::use_context();
    let mark = row.mark(column).unwrap_or(Mark::InStep);
    let before = row.previous(column).map(|i| {
        let label = row.cells[i]
            .as_ref()
            .map(|c| c.label().to_string())
            .unwrap_or_default();
        (environments[i].clone(), label)
    });
    let app = row.name.clone();
    let href = format!("{}?node=app:{}", env_href(&env), encode(&app));
    let dragged = Dragged::App {
        env: env.clone(),
        app: app.clone(),
    };
    let on_pointerdown = {
        let dragged = dragged.clone();
        move |e: ev::PointerEvent| {
            if let Some(drag) = drag {
                drag.start(dragged.clone(), &e);
            }
        }
    };
    let source = move || drag.is_some_and(|d| d.is_source(&dragged));
    let note = match (mark, &before) {
        (Mark::InStep, _) | (_, None) => None,
        (mark, Some((prev_env, prev_version))) => {
            let word = mark.as_str();
            let title = match mark {
                Mark::Ahead => format!("Newer than {prev_env} ({prev_version}): it skipped a step"),
                _ => format!("{prev_env} runs {prev_version}: a promotion is due"),
            };
            let (from, to, name) = (prev_env.clone(), env.clone(), app.clone());
            Some(view! {
                <span class="matrix-mark" data-mark=word title=title>{word}</span>
                <PromoteButton app=name from to class="matrix-promote" testid="matrix-promote"/>
            })
        }
    };
    view! {
        <td
            class="matrix-cell"
            class:drag-source=source
            data-mark=mark.as_str()
            data-env=env.clone()
            data-drop-env=env.clone()
            data-testid="matrix-cell"
            on:pointerdown=on_pointerdown
        >
            <a
                href=href
                class="matrix-version mono"
                title=format!("Open {app} in {env}'s tree")
                on:dragstart=|e| e.prevent_default()
            >
                {cell.label().to_string()}
            </a>
            <span class="matrix-status">
                <SyncBadge sync=cell.sync/>
                <HealthBadge health=cell.health/>
            </span>
            {note}
        </td>
    }
    .into_any()
}

//! An application in the side panel: "Deploy…" and where the running version came from, where
//! it comes from (repo, path, target revision and the commit it resolved to, renderer, sync
//! policy), its last syncs, "Sync now" for those allowed to, and its deploy history.

use leptos::prelude::*;

use super::query::short_sha;
use super::state::use_env_state;
use super::sync_control::{SyncControl, SyncOutcome};
use super::tabs::PathEnvs;
use crate::components::time::short_time;
use crate::dto::env::{AppSourceView, NodeDetail, SyncRecordView};
use crate::pages::deploy::history::DeployHistory;
use crate::pages::deploy::lineage::LineageSection;
use crate::pages::deploy::{AppDeploys, DeployButton};
use crate::pages::drag::{promotion, DragState};

/// The "Deploy…" button's id: focus comes back to it when the dialog closes.
pub const DEPLOY_BUTTON_ID: &str = "app-deploy-open";

fn flag(on: bool) -> &'static str {
    if on {
        "on"
    } else {
        "off"
    }
}

#[component]
fn Source(source: AppSourceView) -> impl IntoView {
    let resolved = source.resolved_revision.as_deref().map(|sha| {
        view! {
            " → "
            <code title=sha.to_string()>{short_sha(sha)}</code>
        }
    });
    view! {
        <table class="kv app-source">
            <tbody>
                <tr><th scope="row">"Repository"</th><td>{source.repo_url}</td></tr>
                <tr><th scope="row">"Path"</th><td>{source.path}</td></tr>
                <tr>
                    <th scope="row">"Revision"</th>
                    <td>{source.target_revision}{resolved}</td>
                </tr>
                <tr><th scope="row">"Renderer"</th><td>{source.renderer}</td></tr>
                {(!source.cluster.is_empty()).then(|| view! {
                    <tr>
                        <th scope="row">"Cluster"</th>
                        <td class="app-cluster" title=source.cluster_server.clone()>
                            {source.cluster.clone()}" "<span class="muted">{source.cluster_server.clone()}</span>
                        </td>
                    </tr>
                })}
                <tr>
                    <th scope="row">"Sync policy"</th>
                    <td class="sync-flags">
                        <span data-on=source.automated.to_string()>{format!("automated {}", flag(source.automated))}</span>
                        <span data-on=source.prune.to_string()>{format!("prune {}", flag(source.prune))}</span>
                        <span data-on=source.self_heal.to_string()>{format!("self-heal {}", flag(source.self_heal))}</span>
                    </td>
                </tr>
            </tbody>
        </table>
    }
}

#[component]
fn Syncs(syncs: Vec<SyncRecordView>) -> impl IntoView {
    if syncs.is_empty() {
        return view! { <p class="muted panel-absent">"No syncs yet."</p> }.into_any();
    }
    let rows = syncs
        .into_iter()
        .map(|s| {
            let (label, outcome) = match s.result.as_str() {
                "succeeded" => ("Succeeded", "success"),
                "running" => ("Running", "running"),
                "interrupted" => ("Interrupted", "failure"),
                _ => ("Failed", "failure"),
            };
            view! {
                <li class="sync-record" data-result=s.result.clone()>
                    <div class="sync-record-head">
                        <span class="outcome" data-outcome=outcome>{label}</span>
                        <time datetime=s.at.clone() title=s.at.clone()>{short_time(&s.at)}</time>
                        <span class="muted">{format!("by {}", s.actor)}</span>
                        {s.revision.as_deref().map(|r| view! { <code title=r.to_string()>{short_sha(r)}</code> })}
                    </div>
                    {(!s.message.is_empty()).then(|| view! { <p class="sync-message">{s.message.clone()}</p> })}
                </li>
            }
        })
        .collect_view();
    view! { <ol class="sync-list">{rows}</ol> }.into_any()
}

/// The keyboard path of dragging the app onto another environment: pick it from a menu, and
/// the promotion dialog opens there.
#[component]
fn PromoteTo(env: String, app: String) -> impl IntoView {
    let others: Vec<String> = use_context::<PathEnvs>()
        .map(|p| p.0)
        .unwrap_or_default()
        .into_iter()
        .filter(|e| *e != env)
        .collect();
    let Some(drag) = DragState::use_context().filter(|_| !others.is_empty()) else {
        return ().into_any();
    };
    let options = others
        .into_iter()
        .map(|o| view! { <option value=o.clone()>{o.clone()}</option> })
        .collect_view();
    let select = NodeRef::<leptos::html::Select>::new();
    let on_change = move |e: leptos::ev::Event| {
        let to = event_target_value(&e);
        if !to.is_empty() {
            drag.promote.set(Some(promotion(&app, &env, &to)));
            // Back to "…", so the same choice opens the dialog again.
            if let Some(el) = select.get_untracked() {
                el.set_value("");
            }
        }
    };
    view! {
        <label class="promote-to">
            <span>"Promote to"</span>
            <select class="input" data-testid="promote-to" node_ref=select on:change=on_change>
                <option value="" selected=true>"…"</option>
                {options}
            </select>
        </label>
    }
    .into_any()
}

#[component]
pub fn AppDetail(
    detail: NodeDetail,
    outcome: RwSignal<SyncOutcome>,
    deploys: AppDeploys,
    refetch: Callback<()>,
) -> impl IntoView {
    let state = use_env_state();
    // A set has nothing of its own to sync or deploy: its generated apps do.
    let set = detail.node.is_application_set();
    let control = (detail.may_sync && !set).then(|| {
        view! { <SyncControl env=state.env() app=detail.app.clone() outcome refetch/> }
    });
    let deploy = if set {
        view! {
            <p class="muted">"An ApplicationSet: the Applications it generates are its children; sync or deploy those."</p>
        }
        .into_any()
    } else {
        view! {
            <div class="deploy-actions">
                <DeployButton env=state.env() app=detail.app.clone() dialog=deploys.dialog id=DEPLOY_BUTTON_ID/>
                <PromoteTo env=state.env() app=detail.app.clone()/>
            </div>
        }
        .into_any()
    };
    let source = match detail.source {
        Some(s) => view! { <Source source=s/> }.into_any(),
        None => view! { <p class="muted panel-absent">"Source unknown."</p> }.into_any(),
    };
    view! {
        {deploy}
        {control}
        <LineageSection lineage=deploys.lineage()/>
        <section class="panel-section" aria-labelledby="app-source-h">
            <h3 id="app-source-h">"Source"</h3>
            {source}
        </section>
        <section class="panel-section" aria-labelledby="app-syncs-h">
            <h3 id="app-syncs-h">"Last syncs"</h3>
            <Syncs syncs=detail.syncs/>
        </section>
        <DeployHistory history=deploys.history() current=deploys.current_commit() dialog=deploys.dialog/>
    }
    .into_any()
}

//! The environments page (`/env`): one card per environment in promotion order, each linking
//! to its tree. Drag a card onto another (or use its "Compare with…" menu) to compare the two.

use leptos::ev;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::header::{ProductionBadge, SimulatedPill, SIMULATED_TEXT};
use super::query::{env_href, short_sha};
use crate::api::env::list_environments;
use crate::components::icons::AlertIcon;
use crate::components::problem::ErrorPanel;
use crate::components::time::short_time;
use crate::dto::env::EnvironmentSummary;
use crate::pages::compare::query::compare_href;
use crate::pages::deploy::freeze::{FreezeNote, Freezes};
use crate::pages::drag::{DragLayer, DragState, Dragged};

#[component]
pub fn EnvironmentsPage() -> impl IntoView {
    let envs = Resource::new(|| (), |_| list_environments());
    Freezes::provide();
    let drag = DragState::provide();
    view! {
        <Title text="Environments · Atrium"/>
        <div class="envs-page">
            <div class="page-head">
                <h1>"Environments"</h1>
            </div>
            <Transition fallback=|| view! { <div class="env-cards" aria-busy="true"><div class="skeleton-block"></div></div> }>
                {move || Suspend::new(async move {
                    match envs.await {
                        Ok(list) if list.is_empty() => view! { <NoEnvironments/> }.into_any(),
                        Ok(list) => {
                            let names: Vec<String> = list.iter().map(|e| e.name.clone()).collect();
                            let cards = list
                                .into_iter()
                                .enumerate()
                                .map(|(i, env)| {
                                    let others = names.iter().filter(|n| **n != env.name).cloned().collect();
                                    view! { <EnvCard env step=i + 1 others/> }
                                })
                                .collect_view();
                            view! { <ol class="env-cards" aria-label="Promotion order">{cards}</ol> }.into_any()
                        }
                        Err(e) => {
                            view! { <ErrorPanel error=e action="view environments" failed="The environments could not be loaded"/> }
                                .into_any()
                        }
                    }
                })}
            </Transition>
            <DragLayer drag/>
        </div>
    }
    .into_any()
}

#[component]
fn NoEnvironments() -> impl IntoView {
    view! {
        <div class="empty-state" data-testid="no-environments">
            <h2>"No environments configured"</h2>
            <p>
                "Add one "<code>"[[environments]]"</code>" table per environment to "
                <code>"atrium.toml"</code>", in promotion order, then restart Atrium. For example:"
            </p>
            <pre class="code">
                "[[environments]]\nname = \"dev\"\nrepo = \"/srv/git/deploy-dev.git\"   # local path or URL\nbranch = \"main\"\nroot = \"apps/root.yaml\"   # the root Application\ncluster = \"sim\"   # built-in simulated cluster, or a kubeconfig context\n"
            </pre>
            <p class="muted">
                "With no "<code>"cluster"</code>" (or "<code>"cluster = \"sim\""</code>") an environment runs on the Kubernetes API emulator built into Atrium — not a real cluster."
            </p>
        </div>
    }
}

#[component]
fn EnvCard(env: EnvironmentSummary, step: usize, others: Vec<String>) -> impl IntoView {
    let drag = DragState::use_context();
    let name = env.name.clone();
    let on_pointerdown = {
        let name = name.clone();
        move |e: ev::PointerEvent| {
            if let Some(drag) = drag {
                // No text selection and no native link drag; a click still happens.
                e.prevent_default();
                drag.start(Dragged::Env(name.clone()), &e);
            }
        }
    };
    let (source, target, over) = {
        let (a, b, c) = (Dragged::Env(name.clone()), name.clone(), name.clone());
        (
            move || drag.is_some_and(|d| d.is_source(&a)),
            move || drag.is_some_and(|d| d.accepts(&b)),
            move || drag.is_some_and(|d| d.is_over(&c)),
        )
    };
    let href = env_href(&env.name);
    let revision = env.revision.as_deref().map(|sha| {
        view! { <code title=sha.to_string()>{short_sha(sha)}</code> }
    });
    let cluster = if env.simulated {
        view! { <SimulatedPill/> }.into_any()
    } else {
        view! { <span class="muted env-cluster" title="Kubeconfig context">{env.cluster.clone()}</span> }.into_any()
    };
    let error = env.error.clone().map(|e| {
        view! {
            <div class="notice notice-error env-card-error" role="alert">
                <AlertIcon/>
                <span>{e}</span>
            </div>
        }
    });
    let reconciled = env.last_reconcile.as_deref().map(|t| {
        view! { <p class="muted env-reconciled">"Reconciled "<time datetime=t.to_string()>{short_time(t)}</time></p> }
    });
    let stat = |n: usize, label: String, key: &'static str| {
        view! {
            <li class="env-stat" data-stat=key data-zero=(n == 0).to_string()>
                <strong>{n}</strong>
                " "
                {label}
            </li>
        }
    };
    let apps_label = if env.apps == 1 { "app" } else { "apps" };
    view! {
        <li
            class="card env-card"
            class:drag-source=source
            class:drop-target=target
            class:drop-over=over
            data-env=env.name.clone()
            data-drop-env=env.name.clone()
            data-testid="env-card"
            on:pointerdown=on_pointerdown
            on:dragstart=|e| e.prevent_default()
        >
            <div class="env-card-head">
                <span class="env-step" aria-label=format!("Step {step}")>{step}</span>
                <h2><a href=href class="env-card-link">{env.name.clone()}</a></h2>
                {env.production.then(|| view! { <ProductionBadge/> })}
                {cluster}
            </div>
            {env.simulated.then(|| view! { <p class="env-simulated-note muted">{SIMULATED_TEXT}"."</p> })}
            <p class="env-source">
                <span class="ref">{env.repo.clone()}</span>
                " · "
                <span class="ref">{env.branch.clone()}</span>
                {revision.map(|r| view! { " · " {r} })}
            </p>
            <ul class="env-stats">
                {stat(env.apps, apps_label.to_string(), "apps")}
                {stat(env.out_of_sync, "out of sync".into(), "out-of-sync")}
                {stat(env.degraded, "degraded".into(), "degraded")}
                {stat(env.progressing, "progressing".into(), "progressing")}
            </ul>
            <FreezeNote env=env.name.clone()/>
            <CompareWith env=name others/>
            {reconciled}
            {error}
        </li>
    }
    .into_any()
}

/// The keyboard path of the drag: pick the other environment from a menu.
#[component]
fn CompareWith(env: String, others: Vec<String>) -> impl IntoView {
    if others.is_empty() {
        return ().into_any();
    }
    let navigate = use_navigate();
    let id = format!("compare-with-{env}");
    let options = others
        .into_iter()
        .map(|o| {
            let value = o.clone();
            view! { <option value=value>{o}</option> }
        })
        .collect_view();
    let on_change = move |e: ev::Event| {
        let to = event_target_value(&e);
        if !to.is_empty() {
            navigate(&compare_href(&env, &to), NavigateOptions::default());
        }
    };
    view! {
        <div class="env-compare-with" on:pointerdown=|e: ev::PointerEvent| e.stop_propagation()>
            <label for=id.clone()>"Compare with"</label>
            <select id=id class="input" data-testid="compare-with" on:change=on_change>
                <option value="" selected=true>"…"</option>
                {options}
            </select>
        </div>
    }
    .into_any()
}

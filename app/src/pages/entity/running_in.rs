//! The entity page's "Running in": a Component's apps in every environment, in promotion
//! order, with version, sync and health as the tree shows them, a link to the app's node,
//! where the running version came from and "Deploy…".

use leptos::prelude::*;

use crate::api::env::running_in;
use crate::components::env_status::{HealthBadge, SyncBadge};
use crate::components::problem::ErrorPanel;
use crate::dto::env::{Deployment, EnvDeployments, RunningInView};
use crate::pages::deploy::running::DeployCell;
use crate::pages::env::header::{ProductionBadge, SimulatedPill};
use crate::pages::env::query::{env_href, short_sha, EnvQuery};

#[component]
pub fn RunningIn(entity_ref: String) -> impl IntoView {
    let view = Resource::new(move || entity_ref.clone(), running_in);
    view! {
        <section class="card running-in" aria-labelledby="running-h" data-testid="running-in">
            <h2 id="running-h">"Running in"</h2>
            <Suspense fallback=|| view! { <div class="skeleton-block" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match view.await {
                        Ok(v) => view! { <Environments view=v/> }.into_any(),
                        Err(e) => view! {
                            <ErrorPanel error=e failed="Where this runs could not be loaded"/>
                        }
                        .into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Environments(view: RunningInView) -> impl IntoView {
    if let Some(error) = view.error {
        return view! { <p class="notice notice-warning" role="status">{error}</p> }.into_any();
    }
    let conflicts = view
        .owner_conflicts
        .into_iter()
        .map(|why| {
            view! { <p class="notice notice-warning" data-testid="owner-conflict">{why}</p> }
        })
        .collect_view();
    if view.environments.is_empty() {
        return view! { <p class="muted">"No environments are configured."</p> }.into_any();
    }
    let rows = view
        .environments
        .into_iter()
        .map(|env| view! { <EnvRows env=env/> })
        .collect_view();
    view! {
        {conflicts}
        <table class="running-table">
            <thead>
                <tr>
                    <th scope="col">"Environment"</th>
                    <th scope="col">"App"</th>
                    <th scope="col">"Version"</th>
                    <th scope="col">"Sync"</th>
                    <th scope="col">"Health"</th>
                    <th scope="col">"Deployed"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
        <p class="muted small">"Linked by " {view.link} "."</p>
    }
    .into_any()
}

#[component]
fn EnvRows(env: EnvDeployments) -> impl IntoView {
    let EnvDeployments {
        env: name,
        production,
        simulated,
        error,
        apps,
        hidden,
    } = env;
    let head_name = name.clone();
    let head = move || {
        let name = head_name.clone();
        view! {
            <th scope="row">
                <a href=env_href(&name)>{name.clone()}</a>
                {production.then(|| view! { <ProductionBadge/> })}
                {simulated.then(|| view! { <SimulatedPill/> })}
            </th>
        }
    };
    if apps.is_empty() {
        let text = match (error, hidden) {
            (Some(e), _) => format!("Unavailable: {e}"),
            (None, 0) => "Not deployed here".to_string(),
            (None, n) => format!("{n} app(s) you may not see"),
        };
        return view! {
            <tr data-env=name.clone()>{head()}<td colspan="5" class="muted">{text}</td></tr>
        }
        .into_any();
    }
    let env_name = name.clone();
    apps.into_iter()
        .map(|d| {
            let (row_env, cell_env) = (env_name.clone(), env_name.clone());
            view! { <tr data-env=row_env>{head()}<AppCells env=cell_env deployment=d/></tr> }
        })
        .collect_view()
        .into_any()
}

#[component]
fn AppCells(env: String, deployment: Deployment) -> impl IntoView {
    let Deployment {
        app,
        node,
        sync,
        health,
        version,
        revision,
        message,
    } = deployment;
    let href = EnvQuery {
        node: Some(node.into()),
        ..Default::default()
    }
    .url(&env);
    let deploy = view! { <DeployCell env=env.clone() app=app.clone()/> };
    let version = match (version, revision) {
        (Some(tag), _) => view! { <code>{tag}</code> }.into_any(),
        (None, Some(sha)) => view! { <code title=sha.clone()>{short_sha(&sha)}</code> }.into_any(),
        (None, None) => view! { <span class="muted">"—"</span> }.into_any(),
    };
    view! {
        <td><a href=href title=message.unwrap_or_default()>{app}</a></td>
        <td>{version}</td>
        <td><SyncBadge sync=sync/></td>
        <td><HealthBadge health=health/></td>
        {deploy}
    }
}

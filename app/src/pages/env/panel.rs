//! The side panel for the selected node (`?node=`): a summary, then the resource's diff and
//! YAML or the app's source, syncs and "Sync now". Closes with Esc or the close button (which
//! drop `node=` from the URL); refetches whenever the tree's version moves.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::app_detail::AppDetail;
use super::resource_detail::{ResourceDetail, Tab};
use super::state::{use_env_state, EnvState};
use super::sync_control::SyncOutcome;
use crate::api::env::get_node_detail;
use crate::components::env_status::{HealthBadge, KindIcon, SyncBadge};
use crate::components::icons::{AlertIcon, CloseIcon};
use crate::components::problem::ErrorPanel;
use crate::dto::env::{NodeDetail, TreeNode};
use crate::pages::deploy::dialog::DeployDialog;
use crate::pages::deploy::AppDeploys;

fn close(state: EnvState) {
    state.select(None);
    // Back to the row the panel belonged to.
    state.focus_wanted.set(true);
}

/// Esc anywhere but in a form field closes the panel.
fn is_field(e: &ev::KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"))
}

#[component]
pub fn NodePanel() -> impl IntoView {
    let state = use_env_state();
    let node = Memo::new(move |_| state.query.with(|q| q.node.clone().unwrap_or_default()));
    let version = Memo::new(move |_| state.index.with(|i| i.version));
    let detail = Resource::new(
        move || (state.env(), node.get(), version.get()),
        |(env, node, _)| get_node_detail(env, node),
    );
    // Outside the refetching part, so a live update does not wipe the answer of a sync.
    // Likewise the chosen tab.
    let outcome = RwSignal::new(SyncOutcome::Idle);
    let tab = RwSignal::new(None::<Tab>);
    Effect::new(move |prev: Option<String>| {
        let now = node.get();
        if prev.is_some_and(|p| p != now) {
            outcome.set(SyncOutcome::Idle);
            tab.set(None);
        }
        now
    });
    Effect::new(move |_| {
        let handle = window_event_listener(ev::keydown, move |e: ev::KeyboardEvent| {
            if e.key() == "Escape" && !is_field(&e) && !e.default_prevented() {
                e.prevent_default();
                close(state);
            }
        });
        on_cleanup(move || handle.remove());
    });

    // What the tree knows already, shown while the details load.
    let known = move || state.index.with(|i| i.node(&node.get()).cloned());
    let title = move || known().map(|n| n.name).unwrap_or_else(|| node.get());
    // An app's lineage and deploys, kept across live updates like the sync outcome.
    let app = Memo::new(move |_| known().filter(|n| n.id.is_app()).map(|n| n.name));
    let deploys = AppDeploys::new(state.env(), app.into(), version.into());

    view! {
        <aside class="node-panel" aria-labelledby="node-panel-title" data-testid="node-panel">
            <div class="node-panel-head">
                {move || known().map(|n| view! { <KindIcon kind=n.kind/> })}
                <h2 id="node-panel-title">{title}</h2>
                <button
                    type="button"
                    class="icon-button panel-close"
                    aria-label="Close details"
                    title="Close (Esc)"
                    on:click=move |_| close(state)
                >
                    <CloseIcon/>
                </button>
            </div>
            <div class="node-panel-body">
                <Transition fallback=|| view! { <div class="skeleton-block panel-skeleton" aria-busy="true"></div> }>
                    {move || Suspend::new(async move {
                        match detail.await {
                            Ok(d) => view! { <Detail detail=d outcome tab deploys refetch=Callback::new(move |()| detail.refetch())/> }.into_any(),
                            Err(e) => {
                                view! {
                                    <ErrorPanel error=e action="view this application" failed="The details could not be loaded"/>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </div>
            <DeployDialog target=deploys.dialog return_to=Some(super::app_detail::DEPLOY_BUTTON_ID)/>
        </aside>
    }
    .into_any()
}

#[component]
fn Detail(
    detail: NodeDetail,
    outcome: RwSignal<SyncOutcome>,
    tab: RwSignal<Option<Tab>>,
    deploys: AppDeploys,
    refetch: Callback<()>,
) -> impl IntoView {
    let body = if detail.node.id.is_app() {
        view! { <AppDetail detail=detail.clone() outcome deploys refetch/> }.into_any()
    } else {
        view! { <ResourceDetail detail=detail.clone() choice=tab/> }.into_any()
    };
    view! {
        <Summary node=detail.node app=detail.app/>
        {body}
    }
    .into_any()
}

/// Kind, name, namespace, status and what the status means.
#[component]
fn Summary(node: TreeNode, app: String) -> impl IntoView {
    let error = (node.status != "ok").then(|| {
        let what = match node.status.as_str() {
            "renderer-unavailable" => "The renderer for this application is not available",
            "not-permitted" => "The application's project does not permit this resource",
            _ => "This application could not be rendered",
        };
        view! {
            <div class="notice notice-error" role="alert" data-testid="render-error">
                <AlertIcon/>
                <div>
                    <strong>{what}</strong>
                    <pre class="render-message">{node.message.clone().unwrap_or_default()}</pre>
                </div>
            </div>
        }
    });
    let message = (node.status == "ok")
        .then(|| node.message.clone())
        .flatten()
        .filter(|m| !m.is_empty())
        .map(|m| view! { <p class="node-message">{m}</p> });
    let owner = (!node.id.is_app()).then(|| {
        view! {
            <div>
                <dt>"Application"</dt>
                <dd>{app}</dd>
            </div>
        }
    });
    view! {
        <dl class="facts node-facts">
            <div>
                <dt>"Kind"</dt>
                <dd>{node.kind.clone()}</dd>
            </div>
            <div>
                <dt>"Namespace"</dt>
                <dd>{if node.namespace.is_empty() { "—".to_string() } else { node.namespace.clone() }}</dd>
            </div>
            {owner}
            {node.version.clone().map(|v| view! { <div><dt>"Version"</dt><dd><code>{v}</code></dd></div> })}
        </dl>
        <div class="node-status">
            <SyncBadge sync=node.sync/>
            <HealthBadge health=node.health/>
        </div>
        {message}
        {error}
    }
    .into_any()
}

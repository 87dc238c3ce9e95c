//! The environment page's header: name, production badge, the simulated-cluster pill, the
//! revision the tree was rendered from, the live indicator and "Refresh"; below it the freeze
//! banner and switch.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::live::Live;
use super::query::short_sha;
use super::state::use_env_state;
use crate::api::env::refresh_environment;
use crate::components::icons::RefreshIcon;
use crate::components::problem::ErrorPanel;
use crate::dto::env::EnvironmentSummary;
use crate::error::AppError;
use crate::pages::deploy::freeze::FreezeBar;

/// Said wherever a simulated environment shows, so nobody mistakes it for a real cluster.
pub const SIMULATED_TEXT: &str = "Kubernetes API emulator built into Atrium — not a real cluster";

/// The "simulated cluster" pill with its explanation.
#[component]
pub fn SimulatedPill() -> impl IntoView {
    view! {
        <span class="simulated-pill" title=SIMULATED_TEXT data-testid="simulated-cluster">
            "Simulated cluster"
            <span class="sr-only">{format!(": {SIMULATED_TEXT}")}</span>
        </span>
    }
}

#[component]
pub fn ProductionBadge() -> impl IntoView {
    view! { <span class="production-badge" data-testid="production-badge">"Production"</span> }
}

#[component]
pub fn EnvHeader(
    summary: Option<EnvironmentSummary>,
    live: Live,
    refetch: Callback<()>,
) -> impl IntoView {
    let state = use_env_state();
    let env = state.env();
    let (refreshing, set_refreshing) = signal(false);
    let (error, set_error) = signal(None::<AppError>);

    let refresh = move |_| {
        if refreshing.get_untracked() {
            return;
        }
        set_refreshing.set(true);
        set_error.set(None);
        spawn_local(async move {
            match refresh_environment(state.env()).await {
                Ok(()) => refetch.run(()),
                Err(e) => set_error.set(Some(e)),
            }
            set_refreshing.set(false);
        });
    };

    let production = summary.as_ref().is_some_and(|s| s.production);
    let may_refresh = summary.as_ref().is_some_and(|s| s.may_refresh);
    let source = summary
        .as_ref()
        .filter(|s| !s.repo.is_empty())
        .map(|s| format!("{} · {}", s.repo, s.branch));
    let simulated = move || state.index.with(|i| i.simulated);
    let revision = move || {
        state.index.with(|i| match &i.revision {
            Some(sha) => view! {
                <code class="env-revision" title=sha.clone() data-testid="env-revision">
                    {short_sha(sha)}
                </code>
            }
            .into_any(),
            None => view! { <span class="muted">"not rendered yet"</span> }.into_any(),
        })
    };
    let live_state = move || live.state.get();

    view! {
        <div class="progress" class:active=refreshing aria-hidden="true"></div>
        <header class="env-head">
            <nav class="crumbs" aria-label="Breadcrumb">
                <a href="/env">"Environments"</a>
                <span aria-hidden="true">" / "</span>
            </nav>
            <h1>{env}</h1>
            {production.then(|| view! { <ProductionBadge/> })}
            <Show when=simulated>
                <SimulatedPill/>
            </Show>
            <span class="env-meta">
                <span class="muted">"Revision "</span>
                {revision}
                {source.map(|s| view! { <span class="muted env-source">{s}</span> })}
            </span>
            <span
                class="live-indicator"
                role="status"
                data-testid="live-indicator"
                data-state=move || live_state().key()
                title=move || live_state().explanation()
            >
                <span class="live-dot" aria-hidden="true"></span>
                {move || live_state().label()}
            </span>
            {may_refresh
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="button env-refresh"
                            on:click=refresh
                            disabled=refreshing
                            aria-busy=move || refreshing.get().to_string()
                            title="Read Git again and re-render now"
                        >
                            <RefreshIcon/>
                            {move || if refreshing.get() { "Refreshing…" } else { "Refresh" }}
                        </button>
                    }
                })}
        </header>
        <FreezeBar env=state.env()/>
        {move || {
            error
                .get()
                .map(|e| {
                    view! {
                        <ErrorPanel error=e action="refresh this environment" failed="The refresh did not run"/>
                    }
                })
        }}
    }
    .into_any()
}

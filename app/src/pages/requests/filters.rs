//! The Requests page's tabs (links: each tab is a URL) and filters (state, environment, app).
//! The selects apply as soon as they change; the app name on Enter or "Apply". Without WASM
//! the form is a plain GET to `/requests`, so the filters work before hydration too.

use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::query::{RequestsQuery, Scope};
use crate::api::env::list_environments;
use crate::components::deploy_live::use_deploy_live;
use crate::dto::deploy::RequestState;

#[component]
pub fn Tabs(query: Memo<RequestsQuery>, scope: Signal<Scope>) -> impl IntoView {
    let awaiting = use_deploy_live().awaiting;
    let tabs = Scope::ALL
        .into_iter()
        .map(|tab| {
            let count = (tab == Scope::Awaiting).then_some(move || {
                awaiting
                    .get()
                    .and_then(Result::ok)
                    .filter(|n| *n > 0)
                    .map(|n| view! { <span class="count-badge awaiting">{n}</span> })
            });
            view! {
                <a
                    class="request-tab"
                    href=move || query.with(|q| q.with_scope(tab).url())
                    aria-current=move || (scope.get() == tab).then_some("page")
                    data-scope=tab.as_str()
                >
                    {tab.label()}
                    {count}
                </a>
            }
        })
        .collect_view();
    view! {
        <nav class="request-tabs" aria-label="Which requests">
            {tabs}
        </nav>
    }
}

/// `(value, label)` of the state filter's options.
fn state_options() -> Vec<(String, String)> {
    let mut options = vec![
        (String::new(), "Any state".to_string()),
        ("open".into(), "Open (not finished)".into()),
    ];
    options.extend(RequestState::ALL.into_iter().map(|s| {
        (
            s.as_str().to_string(),
            crate::components::request_state::state_word(s).to_string(),
        )
    }));
    options
}

#[component]
pub fn Filters(query: Memo<RequestsQuery>, scope: Signal<Scope>) -> impl IntoView {
    let navigate = use_navigate();
    let go = move |q: RequestsQuery| navigate(&q.url(), NavigateOptions::default());
    // What the app field shows; follows the URL (back/forward, links) and the user's typing.
    let app = RwSignal::new(query.with_untracked(|q| q.app.clone()));
    Effect::new(move |_| app.set(query.with(|q| q.app.clone())));
    let envs = Resource::new(|| (), |_| list_environments());

    let on_submit = {
        let go = go.clone();
        move |e: ev::SubmitEvent| {
            e.prevent_default();
            let mut q = query.get_untracked();
            q.scope = Some(scope.get_untracked());
            q.app = app.get_untracked().trim().to_string();
            go(q);
        }
    };
    let on_state = {
        let go = go.clone();
        move |e: ev::Event| {
            let mut q = query.get_untracked();
            q.scope = Some(scope.get_untracked());
            q.state = event_target_value(&e);
            go(q);
        }
    };
    let on_env = move |e: ev::Event| {
        let mut q = query.get_untracked();
        q.scope = Some(scope.get_untracked());
        q.environment = event_target_value(&e);
        go(q);
    };

    // Options render once; the selects follow the URL through their `value` property.
    let options = |choices: Vec<(String, String)>, current: String| {
        choices
            .into_iter()
            .map(|(value, label)| {
                let selected = value == current;
                view! { <option value=value selected=selected>{label}</option> }
            })
            .collect_view()
    };
    let states = move || options(state_options(), query.with_untracked(|q| q.state.clone()));
    let env_select = move || {
        let on_env = on_env.clone();
        Suspend::new(async move {
            let current = query.with_untracked(|q| q.environment.clone());
            let mut choices = vec![(String::new(), "Any environment".to_string())];
            if let Ok(list) = envs.await {
                choices.extend(list.into_iter().map(|e| (e.name.clone(), e.name)));
            }
            if !current.is_empty() && !choices.iter().any(|(v, _)| *v == current) {
                choices.push((current.clone(), current.clone()));
            }
            view! {
                <select
                    id="requests-environment"
                    name="environment"
                    prop:value=move || query.with(|q| q.environment.clone())
                    on:change=on_env
                >
                    {options(choices, current)}
                </select>
            }
        })
    };

    view! {
        <form
            class="request-filters"
            method="get"
            action="/requests"
            role="search"
            aria-label="Filter requests"
            on:submit=on_submit
        >
            <input type="hidden" name="scope" value=move || scope.get().as_str()/>
            <Show when=move || scope.get() != Scope::Awaiting>
                <div class="filter-field">
                    <label for="requests-state">"State"</label>
                    <select
                        id="requests-state"
                        name="state"
                        prop:value=move || query.with(|q| q.state.clone())
                        on:change=on_state.clone()
                    >
                        {states()}
                    </select>
                </div>
            </Show>
            <div class="filter-field">
                <label for="requests-environment">"Environment"</label>
                <Transition fallback=|| view! { <select id="requests-environment" disabled><option>"Any environment"</option></select> }>
                    {env_select}
                </Transition>
            </div>
            <div class="filter-field">
                <label for="requests-app">"App"</label>
                <input
                    id="requests-app"
                    name="app"
                    type="search"
                    placeholder="e.g. checkout-service"
                    autocomplete="off"
                    spellcheck="false"
                    value=query.with_untracked(|q| q.app.clone())
                    prop:value=app
                    on:input=move |e| app.set(event_target_value(&e))
                />
            </div>
            <div class="filter-actions">
                <button type="submit" class="button">"Apply"</button>
                <Show when=move || query.with(|q| q.filtered(scope.get()))>
                    <a class="clear-filters" href=move || query.with(|q| q.cleared().url())>
                        "Clear filters"
                    </a>
                </Show>
            </div>
        </form>
    }
    .into_any()
}

//! The list of requests: one dense row per request (state, environment, app, change, versions,
//! requester, age, and why it waits or failed), each row a link to the request. Arrow keys move
//! between rows. Live: rows re-fetch on every deploy notice and update in place.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::query::{RequestsQuery, Scope};
use super::refresh::{set_if_changed, Refresh};
use super::steps::versions;
use crate::api::deploy::list_requests;
use crate::components::problem::ErrorPanel;
use crate::components::request_state::RequestStateBadge;
use crate::components::time::{age_or_time, short_time, use_now};
use crate::dto::deploy::{RequestState, RequestView};

/// Most rows the server returns: say so when a list is cut there.
const SERVER_LIMIT: usize = 500;

/// Why a request waits, or how it ended badly: the list's last column.
pub fn status_line(r: &RequestView) -> Option<String> {
    match r.state {
        RequestState::Pending => Some(if r.required_approvals == 1 {
            "needs 1 approval".to_string()
        } else {
            format!("needs {} approvals", r.required_approvals)
        }),
        RequestState::Approved => r.waiting.clone(),
        RequestState::Syncing => r.health.as_ref().map(|h| format!("health: {h}")),
        RequestState::Degraded
        | RequestState::Failed
        | RequestState::Rejected
        | RequestState::Expired
        | RequestState::Superseded => r.message.clone(),
        _ => None,
    }
}

/// Arrow keys, Home and End move the focus between the rows' links.
fn on_keydown(e: ev::KeyboardEvent) {
    let key = e.key();
    if !matches!(key.as_str(), "ArrowDown" | "ArrowUp" | "Home" | "End") {
        return;
    }
    let Some(row) = document()
        .active_element()
        .and_then(|el| el.closest(".request-rows > li").ok().flatten())
    else {
        return;
    };
    let target = match key.as_str() {
        "ArrowDown" => row.next_element_sibling(),
        "ArrowUp" => row.previous_element_sibling(),
        "Home" => row.parent_element().and_then(|p| p.first_element_child()),
        _ => row.parent_element().and_then(|p| p.last_element_child()),
    };
    if let Some(link) = target
        .and_then(|li| li.first_element_child())
        .and_then(|a| a.dyn_into::<web_sys::HtmlElement>().ok())
    {
        e.prevent_default();
        _ = link.focus();
    }
}

#[component]
fn Row(request: RequestView, now: ReadSignal<Option<i64>>) -> impl IntoView {
    let href = format!("/requests/{}", crate::url::encode(&request.id));
    let status = status_line(&request);
    let requester = if request.via_token {
        format!("{} (API token)", request.requester)
    } else {
        request.requester.clone()
    };
    let created = request.created_at.clone();
    let age = {
        let created = created.clone();
        move || age_or_time(&created, now.get())
    };
    view! {
        <a class="request-row" href=href data-id=request.id.clone() data-state=request.state.as_str()>
            <span class="rq-state"><RequestStateBadge state=request.state/></span>
            <span class="rq-env">{request.environment.clone()}</span>
            <span class="rq-app">{request.app.clone()}</span>
            <span class="rq-change">{request.change.describe()}</span>
            <span class="rq-versions">{versions(&request).map(|v| view! { <code>{v}</code> })}</span>
            <span class="rq-who">{requester}</span>
            <span class="rq-age">
                <time datetime=created.clone() title=short_time(&created)>{age}</time>
            </span>
            <span class="rq-status" title=status.clone().unwrap_or_default()>{status.clone()}</span>
        </a>
    }
    .into_any()
}

#[component]
fn Empty(scope: Scope, query: RequestsQuery) -> impl IntoView {
    if query.filtered(scope) {
        return view! {
            <div class="empty-state requests-empty" data-testid="requests-empty">
                <h2>"No requests match these filters"</h2>
                <p>
                    "Widen them, or "
                    <a href=query.cleared().url()>"clear the filters"</a>
                    "."
                </p>
            </div>
        }
        .into_any();
    }
    let (title, text) = match scope {
        Scope::Awaiting => (
            "Nothing awaits your approval",
            "Requests others ask for that you may approve appear here the moment they are made, and the Requests badge in the top bar counts them.",
        ),
        Scope::Mine => (
            "You have not asked for any deploys",
            "To ask for one, open an app in an environment and choose Deploy, or call the API with a personal token. Your requests and their progress appear here.",
        ),
        Scope::All => (
            "No deploy requests yet",
            "Deploys, promotions and rollbacks asked for through Atrium appear here, with who asked, who approved and how they went.",
        ),
    };
    let other = match scope {
        Scope::All => view! { <a href="/env">"Open the environments"</a> }.into_any(),
        _ => view! { <a href=query.with_scope(Scope::All).url()>"See all requests"</a> }.into_any(),
    };
    view! {
        <div class="empty-state requests-empty" data-testid="requests-empty">
            <h2>{title}</h2>
            <p>{text}</p>
            <p>{other}</p>
        </div>
    }
    .into_any()
}

#[component]
pub fn LiveList(scope: Scope, query: RequestsQuery, rows: Vec<RequestView>) -> impl IntoView {
    let rows = RwSignal::new(rows);
    let now = use_now();
    let refresh = {
        let query = query.clone();
        Refresh::on_notice(
            |_| true,
            move || list_requests(query.to_api(scope)),
            move |fresh: Vec<RequestView>| set_if_changed(rows, fresh),
        )
    };
    let refresh_error = move || {
        refresh.error.get().map(|e| {
            view! {
                <ErrorPanel error=e failed="The list could not be brought up to date: it may be out of date"/>
            }
        })
    };
    let count = move || {
        let n = rows.with(Vec::len);
        match n {
            SERVER_LIMIT => format!("The newest {SERVER_LIMIT} requests: filter to narrow them"),
            1 => "1 request".into(),
            n => format!("{n} requests"),
        }
    };
    let empty = {
        let query = query.clone();
        move || view! { <Empty scope query=query.clone()/> }
    };
    view! {
        {refresh_error}
        <Show when=move || !rows.with(Vec::is_empty) fallback=empty>
            <p class="request-count muted" aria-live="polite">{count}</p>
            <Rows rows now/>
        </Show>
    }
    .into_any()
}

#[component]
fn Rows(rows: RwSignal<Vec<RequestView>>, now: ReadSignal<Option<i64>>) -> impl IntoView {
    view! {
            <div class="card request-list">
                <div class="request-row request-list-head" aria-hidden="true">
                    <span class="rq-state">"State"</span>
                    <span class="rq-env">"Env"</span>
                    <span class="rq-app">"App"</span>
                    <span class="rq-change">"Change"</span>
                    <span class="rq-versions">"Version"</span>
                    <span class="rq-who">"Requested by"</span>
                    <span class="rq-age">"Age"</span>
                    <span class="rq-status">"Status"</span>
                </div>
                <ul class="request-rows" on:keydown=on_keydown data-testid="request-rows">
                    <For
                        each=move || rows.get()
                        key=|r| (r.id.clone(), r.updated_at.clone(), r.state)
                        let:request
                    >
                        <li><Row request now/></li>
                    </For>
                </ul>
            </div>
    }
    .into_any()
}

/// Placeholder rows while the first list loads.
#[component]
pub fn ListSkeleton() -> impl IntoView {
    view! {
        <div class="card request-list" aria-busy="true" role="status">
            <span class="sr-only">"Loading requests…"</span>
            {(0..5).map(|_| view! { <div class="request-skeleton-row"></div> }).collect_view()}
        </div>
    }
}

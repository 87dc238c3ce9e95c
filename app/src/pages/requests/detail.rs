//! One request (`/requests/:id`): what is asked (app in environment, change, versions,
//! requester, reason, approvals), where it stands (a notice that says what to do when it waits
//! or went wrong), what the viewer may do ([`super::actions`]), and the timeline, live while
//! it runs.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::actions::{ActionState, Actions};
use super::refresh::{set_if_changed, Refresh};
use super::steps::{steps, versions};
use super::timeline::{Timeline, When};
use super::LiveBadge;
use crate::api::deploy::get_request;
use crate::components::icons::{AlertIcon, CheckIcon, JobIcon};
use crate::components::problem::ErrorPanel;
use crate::components::request_state::RequestStateBadge;
use crate::components::time::use_now;
use crate::dto::deploy::{RequestState, RequestView};
use crate::pages::env::query::{env_href, EnvQuery};

/// The app's node in its environment's tree.
pub fn app_href(env: &str, app: &str) -> String {
    EnvQuery {
        node: Some(format!("app:{app}")),
        ..EnvQuery::default()
    }
    .url(env)
}

#[component]
pub fn RequestPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let first = Resource::new(move || id.get(), get_request);
    view! {
        <div class="request-page">
            <Transition fallback=DetailSkeleton>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(request) => view! { <RequestBody request/> }.into_any(),
                        Err(e) => {
                            view! {
                                <Title text="Request · Atrium"/>
                                <nav class="crumbs" aria-label="Breadcrumb">
                                    <a href="/requests">"Requests"</a>
                                </nav>
                                <h1>{format!("Request {}", id.get_untracked())}</h1>
                                <ErrorPanel error=e action="view this request" failed="This request could not be loaded"/>
                                <p><a href="/requests">"See all requests"</a></p>
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

#[component]
fn RequestBody(request: RequestView) -> impl IntoView {
    let env = request.environment.clone();
    let id = request.id.clone();
    let title = format!(
        "{} in {} · Requests · Atrium",
        request.app, request.environment
    );
    let request = RwSignal::new(request);
    let action = RwSignal::new(ActionState::Idle);
    let now = use_now();
    let refresh = Refresh::on_notice(
        move |n| n.concerns(&env),
        move || get_request(id.clone()),
        move |fresh: RequestView| set_if_changed(request, fresh),
    );
    let timeline = Memo::new(move |_| {
        let sending = action.with(ActionState::sending);
        request.with(|r| steps(r, sending.as_ref()))
    });
    let refresh_error = move || {
        refresh.error.get().map(|e| {
            view! { <ErrorPanel error=e failed="This request could not be brought up to date: it may be out of date"/> }
        })
    };

    view! {
        <Title text=title/>
        <nav class="crumbs" aria-label="Breadcrumb">
            <a href="/requests">"Requests"</a>
            <span aria-hidden="true">" / "</span>
        </nav>
        {move || request.with(|r| view! { <Header request=r.clone() now/> }.into_any())}
        {refresh_error}
        <div class="request-layout">
            <section class="request-timeline" aria-labelledby="timeline-h">
                <h2 id="timeline-h">"Timeline"</h2>
                {move || view! { <Timeline steps=timeline.get() now/> }.into_any()}
            </section>
            <aside class="request-side">
                <Actions request action refresh/>
            </aside>
        </div>
    }
    .into_any()
}

#[component]
fn Header(request: RequestView, now: ReadSignal<Option<i64>>) -> impl IntoView {
    let r = request;
    let approvals = {
        let approvers: Vec<String> = r
            .approvals
            .iter()
            .filter(|a| a.decision == "approve")
            .map(|a| a.by.clone())
            .collect();
        if r.required_approvals == 0 {
            format!("none needed in {}", r.environment)
        } else if approvers.is_empty() {
            format!("0 of {} · nobody yet", r.required_approvals)
        } else {
            format!(
                "{} of {} · {}",
                approvers.len(),
                r.required_approvals,
                approvers.join(", ")
            )
        }
    };
    let requester = if r.via_token {
        format!("{} (API token)", r.requester)
    } else {
        r.requester.clone()
    };
    view! {
        <header class="request-head" data-testid="request-head" data-state=r.state.as_str()>
            <div class="request-title-row">
                <h1>
                    <a href=app_href(&r.environment, &r.app) title="Open the app in the environment's tree">{r.app.clone()}</a>
                    <span class="muted">" in "</span>
                    <a href=env_href(&r.environment)>{r.environment.clone()}</a>
                </h1>
                <RequestStateBadge state=r.state/>
                <LiveBadge/>
            </div>
            <p class="request-change">
                <strong>{r.change.describe()}</strong>
                {versions(&r).map(|v| view! { <code class="request-versions">{v}</code> })}
            </p>
            <dl class="facts request-facts">
                <div>
                    <dt>"Requested by"</dt>
                    <dd>{requester}</dd>
                </div>
                <div>
                    <dt>"Asked"</dt>
                    <dd><When at=r.created_at.clone() now/></dd>
                </div>
                <div>
                    <dt>"Approvals"</dt>
                    <dd data-testid="approvals">{approvals}</dd>
                </div>
                <div>
                    <dt>"Request"</dt>
                    <dd><code>{r.id.clone()}</code></dd>
                </div>
            </dl>
            <blockquote class="request-reason" aria-label="Reason">{r.reason.clone()}</blockquote>
            <Outcome request=r.clone()/>
            // The deploy itself is unaffected; whoever watches the environment's webhook is not
            // being told, and should know why.
            {r.webhook_error.clone().map(|error| view! {
                <p class="request-webhook-error" role="status" data-testid="webhook-error">
                    <strong>"Notification not delivered (retrying): "</strong>{error}
                </p>
            })}
        </header>
    }
    .into_any()
}

/// Where the request stands when that needs words: waiting (why), healthy, or what went wrong
/// and what to do about it.
#[component]
fn Outcome(request: RequestView) -> impl IntoView {
    let r = request;
    let tree = app_href(&r.environment, &r.app);
    let message = r.message.clone().unwrap_or_default();
    let open_app = move |text: &'static str| view! { <a href=tree.clone()>{text}</a> };
    match r.state {
        RequestState::Approved if r.waiting.is_some() => view! {
            <div class="notice notice-warning" data-testid="request-outcome">
                <JobIcon/>
                <div>
                    <strong>"Approved, waiting to run"</strong>
                    <p>{r.waiting.clone()}</p>
                    <p class="muted">"It starts by itself when the window opens or the freeze ends; an administrator may run it now."</p>
                </div>
            </div>
        }
        .into_any(),
        RequestState::Healthy => view! {
            <div class="notice notice-ok" data-testid="request-outcome">
                <CheckIcon/>
                <div>
                    <strong>{format!("Deployed: {} is Healthy in {}", r.app, r.environment)}</strong>
                    {r.to_version.clone().map(|v| view! { <p>"Running "<code>{v}</code>"."</p> })}
                </div>
            </div>
        }
        .into_any(),
        RequestState::Degraded => view! {
            <div class="notice notice-error" role="alert" data-testid="request-outcome">
                <AlertIcon/>
                <div>
                    <strong>{format!("Deployed, but {} is Degraded in {}", r.app, r.environment)}</strong>
                    <p>{message}</p>
                    <p>
                        "What to do: "
                        {open_app("open the app in the tree")}
                        " to see which resource fails, then roll back or ask for a fixed version."
                    </p>
                </div>
            </div>
        }
        .into_any(),
        RequestState::Failed => view! {
            <div class="notice notice-error" role="alert" data-testid="request-outcome">
                <AlertIcon/>
                <div>
                    <strong>"The deploy failed"</strong>
                    <p>{message}</p>
                    <p>
                        "What to do: fix the cause above, then ask again. "
                        {open_app("Open the app in the tree")}
                        " to see where it stands."
                    </p>
                </div>
            </div>
        }
        .into_any(),
        RequestState::Rejected => view! {
            <div class="notice notice-error" data-testid="request-outcome">
                <AlertIcon/>
                <div>
                    <strong>"Rejected"</strong>
                    <p>{message}</p>
                    <p class="muted">"Change what the comment asks for, then ask again."</p>
                </div>
            </div>
        }
        .into_any(),
        RequestState::Expired | RequestState::Superseded | RequestState::Cancelled => view! {
            <div class="notice" data-testid="request-outcome">
                <JobIcon/>
                <div>
                    <strong>{format!("{}: nothing was deployed", crate::components::request_state::state_word(r.state))}</strong>
                    {(!message.is_empty()).then(|| view! { <p>{message.clone()}</p> })}
                    <p class="muted">"Ask again if it is still needed."</p>
                </div>
            </div>
        }
        .into_any(),
        _ => ().into_any(),
    }
}

/// Placeholder while the request loads for the first time.
#[component]
fn DetailSkeleton() -> impl IntoView {
    view! {
        <div class="request-skeleton" aria-busy="true" role="status">
            <span class="sr-only">"Loading the request…"</span>
            <div class="skeleton-line wide"></div>
            <div class="skeleton-line"></div>
            <div class="skeleton-block"></div>
        </div>
    }
}

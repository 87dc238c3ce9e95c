//! The sign-in page (`/login?next=/path[&error=code|&signed_out=1]`). Works without WASM: the
//! route renders in one pass on the server (`SsrMode::Async`), single sign-on is a plain link and
//! each demo user a plain form post, so nothing needs JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::sign_in_options;
use crate::components::icons::{AlertIcon, CheckIcon};
use crate::components::problem::ErrorPanel;
use crate::components::session::use_session;
use crate::dto::auth::{DemoUserView, LoginOptions};
use crate::url::{encode, safe_next};

/// `/auth/login?next=…`: starts single sign-on.
fn sso_href(next: &str) -> String {
    format!("/auth/login?next={}", encode(next))
}

/// What a sign-in failure code means for the person reading it, and what to do.
fn failure_text(code: &str) -> (&'static str, &'static str) {
    match code {
        "unavailable" => (
            "Atrium could not reach the identity provider.",
            "It may be down or restarting. Try again in a moment; if it keeps failing, tell your platform team.",
        ),
        "provider-config" => (
            "Single sign-on is not set up correctly, so you were not signed in.",
            "Tell your platform team; the cause is shown below.",
        ),
        "state" => (
            "That sign-in link has expired or was already used.",
            "Sign-in links work once and only for a few minutes. Start again below.",
        ),
        "browser" => (
            "This sign-in was not started in this browser, so you were not signed in.",
            "Someone may have sent you a sign-in link, or your browser dropped the sign-in cookie. Start again below.",
        ),
        "denied" => (
            "The identity provider did not let you sign in.",
            "If you think you should have access, ask your administrator, then start again below.",
        ),
        "token" => (
            "The identity provider's answer could not be verified, so you were not signed in.",
            "Start again below; if it keeps happening, tell your platform team.",
        ),
        "expired" => (
            "Your session ended.",
            "Sign in again to continue where you left off.",
        ),
        "unknown-user" => (
            "There is no demo user by that name.",
            "Pick one of the demo users below.",
        ),
        "demo-only" => (
            "Single sign-on is not set up on this Atrium.",
            "Use the demo sign-in below instead.",
        ),
        _ => (
            "Something went wrong while signing you in.",
            "Try again; if it keeps failing, tell your platform team.",
        ),
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let params = use_query_map();
    let next = Memo::new(move |_| safe_next(params.with(|p| p.get("next")).as_deref()));
    let options = Resource::new_blocking(|| (), |_| sign_in_options());
    let session = use_session();

    let notice = move || {
        let (error, signed_out) = params.with(|p| (p.get("error"), p.get("signed_out")));
        if let Some(code) = error {
            let (what, todo) = failure_text(&code);
            // The provider being down is worth a one-click retry.
            let retry = matches!(code.as_str(), "unavailable" | "provider-config").then(|| {
                view! {
                    " "
                    <a href=sso_href(&next.get()) rel="external">"Try again"</a>
                }
            });
            view! {
                <div class="notice notice-error login-notice" role="alert" data-error=code>
                    <AlertIcon/>
                    <p><strong>{what}</strong>" "{todo}{retry}</p>
                </div>
            }
            .into_any()
        } else if signed_out.is_some() {
            view! {
                <div class="notice notice-ok login-notice" role="status">
                    <CheckIcon/>
                    <p>"You are signed out."</p>
                </div>
            }
            .into_any()
        } else {
            ().into_any()
        }
    };

    view! {
        <Title text="Sign in · Atrium"/>
        <div class="login-page">
            <section class="card login-card" aria-labelledby="login-h">
                <h1 id="login-h">"Sign in to Atrium"</h1>
                {notice}
                <Suspense fallback=|| view! { <div class="skeleton-block login-skeleton"></div> }>
                    {move || Suspend::new(async move {
                        let signed_in = session.await.ok().and_then(|s| s.user).map(|u| u.name);
                        match options.await {
                            Ok(o) => view! { <Options options=o next signed_in/> }.into_any(),
                            Err(e) => {
                                view! {
                                    <ErrorPanel error=e failed="The sign-in options could not be loaded"/>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
    .into_any()
}

/// Single sign-on, the demo users, or word that neither is configured.
#[component]
fn Options(options: LoginOptions, next: Memo<String>, signed_in: Option<String>) -> impl IntoView {
    let LoginOptions {
        oidc,
        demo_users,
        oidc_problem,
    } = options;
    // Read from the server, never from the URL: a link cannot make this page say anything.
    let problem = oidc_problem.map(|problem| {
        view! {
            <div class="notice notice-warning login-notice" role="status" data-oidc-problem="">
                <AlertIcon/>
                <p>
                    <strong>"For the operator: single sign-on cannot start. "</strong>
                    {problem}
                </p>
            </div>
        }
    });
    let already = signed_in.map(|name| {
        view! {
            <p class="notice login-notice" role="status">
                "You are signed in as "<strong>{name}</strong>". "
                <a href=move || next.get()>"Continue"</a>
                " or sign in as someone else below."
            </p>
        }
    });
    let sso = oidc.then(|| {
        view! {
            <p class="login-lead muted">"Atrium uses your organisation's single sign-on."</p>
            <a class="button button-primary sso-button" href=move || sso_href(&next.get()) rel="external">
                "Sign in with single sign-on"
            </a>
        }
    });
    let none = (!oidc && demo_users.is_empty()).then(|| {
        view! {
            <p class="notice notice-warning login-notice" role="status">
                <AlertIcon/>
                "No way to sign in is configured. Ask your platform team to set up single sign-on."
            </p>
        }
    });
    let demo = (!oidc && none.is_none()).then(|| {
        let users = demo_users
            .into_iter()
            .map(|u| view! { <DemoUser user=u next/> })
            .collect_view();
        view! {
            <div class="demo-banner" role="note">
                <strong>"Demo sign-in"</strong>
                <p>
                    "This Atrium runs the embedded default configuration: there is no real identity provider. "
                    "Pick a demo user to see Atrium through their eyes — each stands for a role and its teams. "
                    "Configure single sign-on before using Atrium for real work."
                </p>
            </div>
            <ul class="demo-users" aria-label="Demo users">{users}</ul>
        }
    });
    view! { {already}{problem}{sso}{none}{demo} }.into_any()
}

/// One demo user: a form that posts to `/auth/demo`, so it works before the WASM loads.
#[component]
fn DemoUser(user: DemoUserView, next: Memo<String>) -> impl IntoView {
    let DemoUserView {
        id,
        name,
        role,
        teams,
    } = user;
    let label = format!("Sign in as {name}");
    let teams = teams
        .into_iter()
        .map(|t| view! { <span class="team-chip">{t}</span> })
        .collect_view();
    view! {
        <li>
            <form method="post" action="/auth/demo" class="demo-user">
                <input type="hidden" name="user" value=id.clone()/>
                <input type="hidden" name="next" value=move || next.get()/>
                <button type="submit" class="demo-user-button" aria-label=label data-user=id>
                    <span class="demo-user-name">{name}</span>
                    <span class="demo-user-role muted">{role}</span>
                    <span class="chips">{teams}</span>
                </button>
            </form>
        </li>
    }
    .into_any()
}

//! The right end of the top bar: who is signed in (a disclosure menu with teams, roles, provider
//! and "Sign out"), the "Demo sign-in" pill, or a "Sign in" link for anonymous visitors.

use leptos::ev;
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use wasm_bindgen::JsCast;

use super::api_tokens::ApiTokensDialog;
use super::icons::ChevronDownIcon;
use super::session::{login_href, provider_label, use_session};
use crate::dto::auth::UserView;

const PANEL_ID: &str = "user-menu-panel";
const BUTTON_ID: &str = "user-menu-button";

/// The signed-in user's menu, or the way to sign in.
#[component]
pub fn SessionControls() -> impl IntoView {
    let session = use_session();
    let location = use_location();
    // Where "Sign in" comes back to: this page, with its query.
    let sign_in_href = move || {
        let path = location.pathname.get();
        let search = location.search.get();
        if search.is_empty() {
            login_href(&path)
        } else {
            login_href(&format!("{path}?{search}"))
        }
    };
    let on_login_page = move || location.pathname.get() == "/login";
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(s) => match s.user {
                        Some(user) => {
                            let pill = s.demo.then(|| view! {
                                <span
                                    class="demo-pill"
                                    title="Signed in with a demo user of the embedded default: there is no real identity provider"
                                >
                                    "Demo sign-in"
                                </span>
                            });
                            view! { {pill}<UserMenu user/> }.into_any()
                        }
                        None => view! {
                            <Show when=move || !on_login_page()>
                                <a class="sign-in-link" href=sign_in_href>"Sign in"</a>
                            </Show>
                        }
                        .into_any(),
                    },
                    // Without a session answer, offering sign-in is the useful thing to do.
                    Err(_) => view! {
                        <Show when=move || !on_login_page()>
                            <a class="sign-in-link" href=sign_in_href>"Sign in"</a>
                        </Show>
                    }
                    .into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// Initials for the avatar: first letters of the first two words.
fn initials(name: &str) -> String {
    name.split_whitespace()
        .take(2)
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect()
}

/// A button with the user's name that opens a small panel (click or Enter; Esc or a click
/// elsewhere closes it).
#[component]
fn UserMenu(user: UserView) -> impl IntoView {
    let (open, set_open) = signal(false);
    let tokens_open = RwSignal::new(false);
    let button = NodeRef::<html::Button>::new();

    // A click outside the menu closes it.
    Effect::new(move |_| {
        let handle = window_event_listener(ev::click, move |e: ev::MouseEvent| {
            if !open.get_untracked() {
                return;
            }
            let inside = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.closest(".user-menu").ok().flatten())
                .is_some();
            if !inside {
                set_open.set(false);
            }
        });
        on_cleanup(move || handle.remove());
    });

    let on_keydown = move |e: ev::KeyboardEvent| {
        if e.key() == "Escape" && open.get_untracked() {
            e.prevent_default();
            set_open.set(false);
            if let Some(b) = button.get() {
                _ = b.focus();
            }
        }
    };

    let UserView {
        subject,
        name,
        email,
        teams,
        idp_groups,
        catalog_groups,
        roles,
        provider,
    } = user;
    let teams = if teams.is_empty() {
        view! { <span class="muted">"None"</span> }.into_any()
    } else {
        // Where each team comes from matters to the policy (`group:` vs `catalog:`).
        teams
            .into_iter()
            .map(|t| {
                let source = match (idp_groups.contains(&t), catalog_groups.contains(&t)) {
                    (true, true) => "from sign-in and the catalog",
                    (true, false) => "from sign-in (identity provider group)",
                    _ => "from the catalog",
                };
                view! { <span class="team-chip" title=source>{t}</span> }
            })
            .collect_view()
            .into_any()
    };
    let roles = if roles.is_empty() {
        "None".to_string()
    } else {
        roles.join(", ")
    };
    let email = email.unwrap_or_else(|| subject.clone());

    view! {
        <div class="user-menu" on:keydown=on_keydown>
            <button
                type="button"
                class="user-menu-button"
                id=BUTTON_ID
                data-testid="user-menu"
                aria-expanded=move || open.get().to_string()
                aria-controls=PANEL_ID
                node_ref=button
                on:click=move |_| set_open.update(|o| *o = !*o)
            >
                <span class="avatar" aria-hidden="true">{initials(&name)}</span>
                <span class="user-name">{name.clone()}</span>
                <ChevronDownIcon/>
            </button>
            <div
                id=PANEL_ID
                class="user-menu-panel"
                data-testid="user-menu-panel"
                hidden=move || !open.get()
            >
                <div class="user-menu-head">
                    <strong>{name}</strong>
                    <span class="muted user-email">{email}</span>
                </div>
                <dl class="user-facts">
                    <div>
                        <dt>"Teams"</dt>
                        <dd class="chips">{teams}</dd>
                    </div>
                    <div>
                        <dt>"Roles"</dt>
                        <dd>{roles}</dd>
                    </div>
                    <div>
                        <dt>"Signed in with"</dt>
                        <dd>{provider_label(&provider).to_string()}</dd>
                    </div>
                </dl>
                <div class="user-menu-actions">
                    <button
                        type="button"
                        class="button"
                        aria-haspopup="dialog"
                        data-testid="api-tokens-open"
                        on:click=move |_| {
                            set_open.set(false);
                            tokens_open.set(true);
                        }
                    >
                        "API tokens…"
                    </button>
                    <form method="post" action="/auth/logout" class="sign-out">
                        <button type="submit" class="button">"Sign out"</button>
                    </form>
                </div>
            </div>
            <ApiTokensDialog open=tokens_open return_to=BUTTON_ID/>
        </div>
    }
    .into_any()
}

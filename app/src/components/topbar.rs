//! The bar on every page: product name, global search, section links (Environments; Audit only
//! for those allowed), error badge, the signed-in user's menu and the theme toggle.
//! Also owns the `/` shortcut: it focuses the page's main search input when there is one
//! (`#catalog-search`), else the top bar's box.

use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use wasm_bindgen::JsCast;

use super::icons::SearchIcon;
use super::requests_link::RequestsLink;
use super::session::use_session;
use super::status::use_catalog_status;
use super::theme::ThemeToggle;
use super::user_menu::SessionControls;
use crate::url::encode;

/// Id of the main search input of a page, focused by `/` in preference to the top bar's.
pub const MAIN_SEARCH_ID: &str = "catalog-search";
const GLOBAL_SEARCH_ID: &str = "global-search";

#[component]
pub fn TopBar() -> impl IntoView {
    let navigate = use_navigate();
    let (text, set_text) = signal(String::new());
    let pathname = use_location().pathname;

    // `/` anywhere outside a text field focuses search.
    Effect::new(move |_| {
        let handle = window_event_listener(ev::keydown, |e: ev::KeyboardEvent| {
            if e.key() != "/" || e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            let typing = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| {
                    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                        || el.has_attribute("contenteditable")
                });
            if typing {
                return;
            }
            let doc = document();
            let target = doc
                .get_element_by_id(MAIN_SEARCH_ID)
                .or_else(|| doc.get_element_by_id(GLOBAL_SEARCH_ID));
            if let Some(input) = target.and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                e.prevent_default();
                _ = input.focus();
                input.select();
            }
        });
        on_cleanup(move || handle.remove());
    });

    let on_keydown = move |e: ev::KeyboardEvent| match e.key().as_str() {
        "Enter" => {
            e.prevent_default();
            let q = text.get_untracked();
            let url = if q.trim().is_empty() {
                "/catalog".to_string()
            } else {
                format!("/catalog?q={}", encode(q.trim()))
            };
            navigate(&url, NavigateOptions::default());
        }
        "Escape" => {
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            {
                _ = input.blur();
            }
        }
        _ => {}
    };

    let section = move |prefix: &'static str| {
        move || {
            let p = pathname.get();
            let current = match prefix {
                "/catalog/errors" => p == prefix,
                "/catalog" => (p == "/" || p.starts_with(prefix)) && p != "/catalog/errors",
                _ => p.starts_with(prefix),
            };
            current.then_some("page")
        }
    };

    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true"></span>
                "Atrium"
            </a>
            <div class="global-search" role="search">
                <SearchIcon/>
                <input
                    id=GLOBAL_SEARCH_ID
                    type="search"
                    placeholder="Search the catalog"
                    aria-label="Search everything"
                    autocomplete="off"
                    spellcheck="false"
                    prop:value=text
                    on:input=move |e| set_text.set(event_target_value(&e))
                    on:keydown=on_keydown
                />
                <kbd aria-hidden="true">"/"</kbd>
            </div>
            <nav class="topnav" aria-label="Main">
                <a href="/catalog" aria-current=section("/catalog")>"Catalog"</a>
                <a href="/catalog/errors" aria-current=section("/catalog/errors")>
                    "Catalog errors"
                    <ErrorBadge/>
                </a>
                <a href="/env" aria-current=section("/env")>"Environments"</a>
                <a href="/compare" aria-current=section("/compare")>"Compare"</a>
                <RequestsLink current=section("/requests")/>
                <AuditLink current=section("/audit")/>
            </nav>
            <div class="topbar-end">
                <SessionControls/>
                <ThemeToggle/>
            </div>
        </header>
    }
    .into_any()
}

/// The Audit section, for those allowed to read the trail (the server checks again).
#[component]
fn AuditLink(
    current: impl Fn() -> Option<&'static str> + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let session = use_session();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(s) if s.may_audit => {
                        view! { <a href="/audit" aria-current=current>"Audit"</a> }.into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// The number of catalog errors, when there are any.
#[component]
fn ErrorBadge() -> impl IntoView {
    let status = use_catalog_status();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) if s.errors > 0 => {
                        let label = format!("{} catalog errors", s.errors);
                        view! {
                            <span class="count-badge danger" title=label>
                                {s.errors}
                            </span>
                        }
                            .into_any()
                    }
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

//! The bar on every page: product name, global search, section links (Environments; Audit only
//! for those allowed), error badge, the signed-in user's menu and the theme toggle.
//! Also owns the `/` shortcut: it focuses the page's main search input when there is one
//! (`#catalog-search`), else the top bar's box.

use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::use_location;
use wasm_bindgen::JsCast;

use super::quick_search::QuickSearch;
use super::requests_link::RequestsLink;
use super::session::use_session;
use super::shortcuts::ShortcutsPanel;
use super::status::use_catalog_status;
use super::theme::ThemeToggle;
use super::user_menu::SessionControls;

/// Id of the main search input of a page, focused by `/` in preference to the top bar's.
pub const MAIN_SEARCH_ID: &str = "catalog-search";
pub const GLOBAL_SEARCH_ID: &str = "global-search";

/// `/` before the WASM has loaded: focus search the same way (the search boxes are GET forms,
/// so what is typed then works with Enter, and [`typed_before_hydration`] keeps it). Inert
/// once the page is hydrated; the component's own listener takes over.
pub const SEARCH_BOOT_SCRIPT: &str = "document.addEventListener('keydown',function(e){if(e.key!=='/'||e.ctrlKey||e.metaKey||e.altKey||document.body.hasAttribute('data-hydrated'))return;var t=e.target;if(t&&(/^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)||t.isContentEditable))return;var i=document.getElementById('catalog-search')||document.getElementById('global-search');if(i){e.preventDefault();i.focus();i.select()}});";

/// What was typed into the input `id` before the page hydrated: the server-rendered input is
/// still in the document while components first run in the browser, and hydration would
/// otherwise overwrite it with the server's value.
pub fn typed_before_hydration(id: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let doc = document();
        if doc.body().is_some_and(|b| b.has_attribute("data-hydrated")) {
            return None;
        }
        let input = doc
            .get_element_by_id(id)?
            .dyn_into::<web_sys::HtmlInputElement>()
            .ok()?;
        Some(input.value()).filter(|v| !v.is_empty())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        _ = id;
        None
    }
}

#[component]
pub fn TopBar() -> impl IntoView {
    let pathname = use_location().pathname;

    let shortcuts = RwSignal::new(false);

    // `/` anywhere outside a text field focuses search; `?` shows the shortcuts.
    Effect::new(move |_| {
        let handle = window_event_listener(ev::keydown, move |e: ev::KeyboardEvent| {
            let key = e.key();
            if (key != "/" && key != "?") || e.ctrl_key() || e.meta_key() || e.alt_key() {
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
            if key == "?" {
                e.prevent_default();
                shortcuts.set(true);
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
            <QuickSearch id=GLOBAL_SEARCH_ID/>
            <nav class="topnav" aria-label="Main">
                <a href="/catalog" aria-current=section("/catalog")>"Catalog"</a>
                <a href="/catalog/errors" aria-current=section("/catalog/errors")>
                    "Catalog errors"
                    <ErrorBadge/>
                </a>
                <a href="/env" aria-current=section("/env")>"Environments"</a>
                <a href="/matrix" aria-current=section("/matrix")>"Versions"</a>
                <a href="/compare" aria-current=section("/compare")>"Compare"</a>
                <RequestsLink current=section("/requests")/>
                <AuditLink current=section("/audit")/>
            </nav>
            <div class="topbar-end">
                <button
                    type="button"
                    class="icon-button topbar-shortcuts"
                    aria-label="Keyboard shortcuts"
                    title="Keyboard shortcuts (?)"
                    aria-haspopup="dialog"
                    data-testid="shortcuts-open"
                    on:click=move |_| shortcuts.set(true)
                >
                    "?"
                </button>
                <SessionControls/>
                <ThemeToggle/>
            </div>
        </header>
        <ShortcutsPanel open=shortcuts/>
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

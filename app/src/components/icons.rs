//! Inline SVG icons bundled with the app (no CDN, no icon font). Each is decorative
//! (`aria-hidden`): the text next to it carries the meaning.

use leptos::prelude::*;

fn svg(class: &'static str, path: &'static str) -> impl IntoView {
    view! {
        <svg
            class=format!("icon {class}")
            viewBox="0 0 16 16"
            width="16"
            height="16"
            aria-hidden="true"
            focusable="false"
        >
            <path d=path fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"/>
        </svg>
    }
}

#[component]
pub fn SearchIcon() -> impl IntoView {
    svg(
        "icon-search",
        "M7 12.5a5.5 5.5 0 1 0 0-11 5.5 5.5 0 0 0 0 11ZM11 11l3.5 3.5",
    )
}

#[component]
pub fn SunIcon() -> impl IntoView {
    svg(
        "icon-sun",
        "M8 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6ZM8 1v1.5M8 13.5V15M1 8h1.5M13.5 8H15M3 3l1 1M12 12l1 1M3 13l1-1M12 4l1-1",
    )
}

#[component]
pub fn MoonIcon() -> impl IntoView {
    svg("icon-moon", "M13.5 9.5A6 6 0 0 1 6.5 2.5a6 6 0 1 0 7 7Z")
}

#[component]
pub fn AlertIcon() -> impl IntoView {
    svg("icon-alert", "M8 1.5 15 14H1L8 1.5ZM8 6v3.5M8 11.5v.5")
}

#[component]
pub fn CheckIcon() -> impl IntoView {
    svg("icon-check", "M3 8.5l3 3 7-7")
}

#[component]
pub fn ExternalIcon() -> impl IntoView {
    svg("icon-external", "M9 2h5v5M14 2 7.5 8.5M12 9.5V14H2V4h4.5")
}

#[component]
pub fn RefreshIcon() -> impl IntoView {
    svg("icon-refresh", "M13.5 8A5.5 5.5 0 1 1 12 4.2M13.5 1.5v3h-3")
}

#[component]
pub fn ChevronDownIcon() -> impl IntoView {
    svg("icon-chevron", "M4 6l4 4 4-4")
}

#[component]
pub fn DownloadIcon() -> impl IntoView {
    svg("icon-download", "M8 2v8.5M4.5 7 8 10.5 11.5 7M2.5 13.5h11")
}

#[component]
pub fn LockIcon() -> impl IntoView {
    svg(
        "icon-lock",
        "M4 7h8a1 1 0 0 1 1 1v5a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1ZM5.5 7V5a2.5 2.5 0 0 1 5 0v2",
    )
}

/// A circle with a bar: refused, not allowed.
#[component]
pub fn BlockedIcon() -> impl IntoView {
    svg(
        "icon-blocked",
        "M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM3.5 12.5l9-9",
    )
}

#[component]
pub fn ShieldIcon() -> impl IntoView {
    svg(
        "icon-shield",
        "M8 1.5 13.5 3.5V8c0 3-2.5 5.5-5.5 6.5C5 13.5 2.5 11 2.5 8V3.5L8 1.5Z",
    )
}

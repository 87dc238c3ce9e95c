//! Light/dark theme: `prefers-color-scheme` by default, a toggle remembered in localStorage.
//! The theme lives in `data-theme` on `<html>`; CSS decides which icon the toggle shows, so the
//! server-rendered markup never depends on the theme (no hydration mismatch).

use leptos::prelude::*;

use super::icons::{MoonIcon, SunIcon};

/// Runs before first paint so a remembered theme never flashes the other one.
pub const THEME_BOOT_SCRIPT: &str = "try{var t=localStorage.getItem('atrium-theme');if(t)document.documentElement.dataset.theme=t}catch(e){}";

const STORAGE_KEY: &str = "atrium-theme";

/// The theme in effect: the `data-theme` attribute, else the system preference.
fn current_theme() -> String {
    let explicit = document()
        .document_element()
        .and_then(|html| html.get_attribute("data-theme"));
    explicit.unwrap_or_else(|| {
        let dark = window()
            .match_media("(prefers-color-scheme: dark)")
            .ok()
            .flatten()
            .is_some_and(|m| m.matches());
        if dark { "dark" } else { "light" }.to_string()
    })
}

fn set_theme(theme: &str) {
    if let Some(html) = document().document_element() {
        _ = html.set_attribute("data-theme", theme);
    }
    if let Ok(Some(storage)) = window().local_storage() {
        _ = storage.set_item(STORAGE_KEY, theme);
    }
}

/// Switches between light and dark and remembers the choice.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let toggle = move |_| {
        let next = if current_theme() == "dark" {
            "light"
        } else {
            "dark"
        };
        set_theme(next);
    };
    view! {
        <button
            type="button"
            class="icon-button theme-toggle"
            on:click=toggle
            title="Switch between light and dark theme"
            aria-label="Switch between light and dark theme"
        >
            <SunIcon/>
            <MoonIcon/>
        </button>
    }
}

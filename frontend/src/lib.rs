//! The WASM entry: hydrate the server-rendered page.
// Leptos view types nest deeply; the hydrate build needs more room than the default.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(atrium_app::App);
}

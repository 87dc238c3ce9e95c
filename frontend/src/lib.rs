//! The WASM entry: hydrate the server-rendered page.
// Leptos view types nest deeply; the hydrate build needs more room than the default.
#![recursion_limit = "256"]

use std::time::Duration;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // After the browser's next frame: hydrating a large page is one long task, and run at
    // once it would hold back the first paint of the HTML that is already here.
    leptos::prelude::request_animation_frame(|| {
        leptos::prelude::set_timeout(
            // `hydrate_lazy`: a lazily loaded page (app/src/pages/lazy.rs) hydrates once its
            // chunk is in, which `hydrate_body` cannot wait for.
            || leptos::mount::hydrate_lazy(atrium_app::App),
            Duration::ZERO,
        );
    });
}

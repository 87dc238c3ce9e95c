//! The fallback for URLs no route matches.
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <div class="empty-state">
            <h1>"Page not found"</h1>
            <p>"Nothing lives at this address. "<a href="/catalog">"Back to the catalog"</a></p>
        </div>
    }
}

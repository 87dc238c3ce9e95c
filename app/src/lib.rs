//! Atrium's UI: pages, components and the server functions behind them. Compiled twice: with
//! `ssr` into the server, with `hydrate` into the WASM bundle (no server-only crates here).

pub mod api;
pub mod codec;
pub mod components;
pub mod dto;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod service;
pub mod tree;
pub mod url;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%235b5bd6'/%3E%3C/svg%3E"/>
                // The CSP allows inline scripts only with this response's nonce.
                <script nonce=leptos::nonce::use_nonce()>{components::theme::THEME_BOOT_SCRIPT}</script>
                <script nonce=leptos::nonce::use_nonce()>{components::topbar::SEARCH_BOOT_SCRIPT}</script>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    components::status::provide_catalog_status();
    components::session::provide_session();
    components::deploy_live::provide_deploy_live();
    // Effects only run in the browser, so this marks the end of hydration (browser tests wait
    // for it before interacting).
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="atrium" href="/pkg/atrium.css"/>
        <Title text="Atrium"/>
        <components::icons::IconSprite/>
        <Router>
            <components::topbar::TopBar/>
            <main class="page" id="main">
                <Routes fallback=pages::not_found::NotFound>
                    <Route path=path!("/") view=pages::catalog::CatalogPage/>
                    <Route path=path!("/catalog") view=pages::catalog::CatalogPage/>
                    <Route path=path!("/catalog/errors") view={Lazy::<pages::lazy::ErrorsRoute>::new()}/>
                    <Route path=path!("/catalog/:kind/:namespace/:name") view={Lazy::<pages::lazy::EntityRoute>::new()}/>
                    // Rendered in one pass, so the sign-in forms work before (or without) WASM.
                    <Route path=path!("/login") view=pages::login::LoginPage ssr=SsrMode::Async/>
                    <Route path=path!("/audit") view={Lazy::<pages::lazy::AuditRoute>::new()}/>
                    <Route path=path!("/env") view={Lazy::<pages::lazy::EnvironmentsRoute>::new()}/>
                    // In order: the tree's first screen arrives in place, without a swap script.
                    <Route path=path!("/env/:name") view={Lazy::<pages::lazy::EnvRoute>::new()} ssr=SsrMode::InOrder/>
                    <Route path=path!("/requests") view={Lazy::<pages::lazy::RequestsRoute>::new()}/>
                    <Route path=path!("/requests/:id") view={Lazy::<pages::lazy::RequestRoute>::new()}/>
                    <Route path=path!("/compare") view={Lazy::<pages::lazy::CompareRoute>::new()}/>
                    <Route path=path!("/matrix") view={Lazy::<pages::lazy::MatrixRoute>::new()}/>
                </Routes>
            </main>
        </Router>
    }
}

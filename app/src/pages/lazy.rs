//! The pages the browser loads on demand: each is cut out of the main WASM module into its own
//! chunk (`#[lazy_route]`, split by `.ci/build`), fetched when its route is first shown, and
//! preloaded with the page when the server renders it. The catalog (the front page) and the
//! sign-in page stay in the main module. Split so that what every visitor downloads first stays
//! within the bundle budget (`.ci/wasm-size`).
//!
//! `data()` starts nothing: each page starts its own reads once its code is there, which on a
//! first load is at once (the server preloads the chunk) and on a later navigation costs one
//! chunk fetch before the page's first request.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// `ErrorsPage` on demand.
pub struct ErrorsRoute;

#[lazy_route]
impl LazyRoute for ErrorsRoute {
    fn data() -> Self {
        ErrorsRoute
    }

    fn view(_this: Self) -> AnyView {
        use super::errors::ErrorsPage;
        view! { <ErrorsPage/> }.into_any()
    }
}

/// `EntityPage` on demand.
pub struct EntityRoute;

#[lazy_route]
impl LazyRoute for EntityRoute {
    fn data() -> Self {
        EntityRoute
    }

    fn view(_this: Self) -> AnyView {
        use super::entity::EntityPage;
        view! { <EntityPage/> }.into_any()
    }
}

/// `AuditPage` on demand.
pub struct AuditRoute;

#[lazy_route]
impl LazyRoute for AuditRoute {
    fn data() -> Self {
        AuditRoute
    }

    fn view(_this: Self) -> AnyView {
        use super::audit::AuditPage;
        view! { <AuditPage/> }.into_any()
    }
}

/// `EnvironmentsPage` on demand.
pub struct EnvironmentsRoute;

#[lazy_route]
impl LazyRoute for EnvironmentsRoute {
    fn data() -> Self {
        EnvironmentsRoute
    }

    fn view(_this: Self) -> AnyView {
        use super::env::EnvironmentsPage;
        view! { <EnvironmentsPage/> }.into_any()
    }
}

/// `EnvPage` on demand.
pub struct EnvRoute;

#[lazy_route]
impl LazyRoute for EnvRoute {
    fn data() -> Self {
        EnvRoute
    }

    fn view(_this: Self) -> AnyView {
        use super::env::EnvPage;
        view! { <EnvPage/> }.into_any()
    }
}

/// `RequestsPage` on demand.
pub struct RequestsRoute;

#[lazy_route]
impl LazyRoute for RequestsRoute {
    fn data() -> Self {
        RequestsRoute
    }

    fn view(_this: Self) -> AnyView {
        use super::requests::RequestsPage;
        view! { <RequestsPage/> }.into_any()
    }
}

/// `RequestPage` on demand.
pub struct RequestRoute;

#[lazy_route]
impl LazyRoute for RequestRoute {
    fn data() -> Self {
        RequestRoute
    }

    fn view(_this: Self) -> AnyView {
        use super::requests::RequestPage;
        view! { <RequestPage/> }.into_any()
    }
}

/// `ComparePage` on demand.
pub struct CompareRoute;

#[lazy_route]
impl LazyRoute for CompareRoute {
    fn data() -> Self {
        CompareRoute
    }

    fn view(_this: Self) -> AnyView {
        use super::compare::ComparePage;
        view! { <ComparePage/> }.into_any()
    }
}

/// `MatrixPage` on demand.
pub struct MatrixRoute;

#[lazy_route]
impl LazyRoute for MatrixRoute {
    fn data() -> Self {
        MatrixRoute
    }

    fn view(_this: Self) -> AnyView {
        use super::matrix::MatrixPage;
        view! { <MatrixPage/> }.into_any()
    }
}

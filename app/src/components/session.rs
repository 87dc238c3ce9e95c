//! Who is signed in, fetched once per page load and shared through context: the top bar shows
//! the user menu and the Audit link from it, pages may read it too. Signing in and out are full
//! page loads (plain form posts and redirects), so nothing here ever needs to refetch.

use leptos::prelude::*;

use crate::api::current_session;
use crate::dto::auth::SessionView;
use crate::error::AppError;

/// Context handle; read it inside a `<Transition>`/`<Suspense>` so the server waits for it.
#[derive(Clone, Copy)]
pub struct SessionContext(pub Resource<Result<SessionView, AppError>>);

/// Creates the shared session resource; call once, high in the tree.
pub fn provide_session() {
    let session = Resource::new(|| (), |_| current_session());
    provide_context(SessionContext(session));
}

/// The shared session resource.
pub fn use_session() -> Resource<Result<SessionView, AppError>> {
    expect_context::<SessionContext>().0
}

/// How a provider id reads for people.
pub fn provider_label(provider: &str) -> &str {
    match provider {
        "demo" => "demo sign-in",
        "oidc" => "single sign-on",
        other => other,
    }
}

/// The sign-in page, coming back to `next` (a path with its query) afterwards.
pub fn login_href(next: &str) -> String {
    if next.is_empty() || next == "/" {
        "/login".into()
    } else {
        format!("/login?next={}", crate::url::encode(next))
    }
}

//! Server functions of the compare page: two environments side by side, and one resource in
//! both. Reading an environment's apps (`applications, get, <env>/*`) is needed for each side;
//! an app the caller may not read in an environment where it exists is left out, never named.
//! `GET /api/v1/compare` applies the same rule ([`visible_compare`]).

use leptos::prelude::*;

use crate::dto::compare::{CompareShown, ResourcePair};
use crate::error::AppError;

/// The page's share of the comparison ([`CompareShown`]): every class counted, only the apps on
/// screen sent (`app` alone, or every app when `all`, else the differences).
#[server(prefix = "/api", endpoint = "compare/envs", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn compare_environments(
    from: String,
    to: String,
    #[server(default)] all: bool,
    #[server(default)] app: Option<String>,
) -> Result<CompareShown, AppError> {
    // Rendering the page on the server, the comparison is ready at its first poll (it is in
    // memory), so the page's shell would wait for all of it. Yielding once lets the shell and
    // its progress skeleton stream first; the rows follow in the same response.
    leptos::task::tick().await;
    let services = crate::service::services()?;
    let caller = crate::service::caller();
    let view = crate::service::reply(visible_compare(&services, &caller, &from, &to).await)?;
    Ok(CompareShown::of(view, all, app.as_deref()))
}

#[server(prefix = "/api", endpoint = "compare/resource", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn compare_resource(
    from: String,
    to: String,
    app: String,
    key: String,
) -> Result<ResourcePair, AppError> {
    let (services, caller) =
        crate::service::authorize("applications", "get", &format!("{from}/{app}")).await?;
    crate::service::reply(
        services
            .access
            .authorize(&caller, "applications", "get", &format!("{to}/{app}"))
            .await,
    )?;
    crate::service::reply(
        services
            .engine
            .compare_resource(&from, &to, &app, &key)
            .await,
    )
}

/// The comparison as `caller` may see it.
#[cfg(feature = "ssr")]
pub async fn visible_compare(
    services: &crate::service::Services,
    caller: &crate::service::Caller,
    from: &str,
    to: &str,
) -> Result<crate::dto::compare::CompareView, AppError> {
    for env in [from, to] {
        services
            .access
            .authorize(caller, "applications", "get", &format!("{env}/*"))
            .await?;
    }
    let mut view = services.engine.compare(from, to).await?;
    let may_read = |env: &str, app: &str| {
        services
            .access
            .allows(caller, "applications", "get", &format!("{env}/{app}"))
    };
    view.apps.retain(|a| {
        (a.from.is_none() || may_read(from, &a.name)) && (a.to.is_none() || may_read(to, &a.name))
    });
    Ok(view)
}

//! Server functions of the environment pages (list, tree and its head, node details, sync,
//! refresh) and of the entity page's "Running in".

use leptos::prelude::*;

use crate::dto::env::{
    EnvironmentSummary, RunningInView, SyncRecordView, TreeDelta, TreeHead, TreeView,
};
use crate::error::AppError;

#[server(prefix = "/api", endpoint = "envs/list", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn list_environments() -> Result<Vec<EnvironmentSummary>, AppError> {
    let (services, caller) = crate::service::authorize("applications", "get", "*").await?;
    let mut list = services.engine.environments().await;
    for env in &mut list {
        let object = format!("{}/*", env.name);
        env.may_refresh = services
            .access
            .allows(&caller, "applications", "refresh", &object);
    }
    Ok(list)
}

#[server(prefix = "/api", endpoint = "envs/tree", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn environment_tree(env: String) -> Result<TreeView, AppError> {
    let object = format!("{env}/*");
    let (services, caller) = crate::service::authorize("applications", "get", &object).await?;
    let mut view = crate::service::reply(services.engine.tree(&env).await)?;
    keep_readable(&services, &caller, &env, &mut view.nodes);
    Ok(view)
}

/// Leaves out the nodes of apps the caller may not read (a per-app deny under an allowed
/// `<env>/*`), deciding once per app.
#[cfg(feature = "ssr")]
fn keep_readable(
    services: &crate::service::Services,
    caller: &crate::service::Caller,
    env: &str,
    nodes: &mut Vec<crate::dto::env::TreeNode>,
) {
    let mut decided: std::collections::HashMap<String, bool> = std::collections::HashMap::new();
    nodes.retain(|n| {
        let app = n.id.app();
        if let Some(&may) = decided.get(app) {
            return may;
        }
        let may = services
            .access
            .allows(caller, "applications", "get", &format!("{env}/{app}"));
        decided.insert(app.to_string(), may);
        may
    });
}

/// What changed in the tree since version `since` (see [`TreeDelta`]): what a live page asks
/// first, the whole tree only when this answers `None`.
#[server(prefix = "/api", endpoint = "envs/tree-delta", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn environment_tree_delta(
    env: String,
    since: u64,
) -> Result<Option<TreeDelta>, AppError> {
    let object = format!("{env}/*");
    let (services, caller) = crate::service::authorize("applications", "get", &object).await?;
    let mut delta = crate::service::reply(services.engine.tree_delta(&env, since).await)?;
    if let Some(delta) = &mut delta {
        keep_readable(&services, &caller, &env, &mut delta.changed);
    }
    Ok(delta)
}

/// The first screen of the tree for one view (see [`crate::tree::head`]): what
/// the environment page renders on the server, whatever the tree's size.
#[server(prefix = "/api", endpoint = "envs/tree-head", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn environment_head(
    env: String,
    #[server(default)] filter: crate::tree::Filter,
    #[server(default)] node: Option<String>,
) -> Result<TreeHead, AppError> {
    let object = format!("{env}/*");
    let (services, caller) = crate::service::authorize("applications", "get", &object).await?;
    let mut view = crate::service::reply(services.engine.tree(&env).await)?;
    keep_readable(&services, &caller, &env, &mut view.nodes);
    Ok(crate::tree::head(view, &filter, node.as_deref()))
}

#[server(prefix = "/api", endpoint = "envs/node", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn get_node_detail(
    env: String,
    node: String,
) -> Result<crate::dto::env::NodeDetail, AppError> {
    let node = crate::service::reply(
        crate::dto::node::NodeId::parse(&node)
            .map_err(|e| AppError::BadRequest(format!("node: {e}"))),
    )?;
    let object = format!("{env}/{}", node.app());
    let (services, caller) = crate::service::authorize("applications", "get", &object).await?;
    let mut detail = crate::service::reply(services.engine.node(&env, &node).await)?;
    detail.may_sync = services.access.allows(
        &caller,
        "applications",
        "sync",
        &format!("{env}/{}", detail.app),
    );
    Ok(detail)
}

#[server(prefix = "/api", endpoint = "envs/sync", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn sync_app(env: String, app: String, prune: bool) -> Result<SyncRecordView, AppError> {
    let object = format!("{env}/{app}");
    let (services, caller) = crate::service::authorize("applications", "sync", &object).await?;
    crate::service::reply(services.engine.sync(&caller, &env, &app, prune).await)
}

#[server(prefix = "/api", endpoint = "envs/refresh", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn refresh_environment(env: String) -> Result<(), AppError> {
    let object = format!("{env}/*");
    // A forced re-render costs the server a full render: its own action, not `get`.
    let (services, _) = crate::service::authorize("applications", "refresh", &object).await?;
    crate::service::reply(services.engine.refresh(&env))
}

/// A catalog Component's apps in every environment. Apps the caller may not `get` are counted
/// in `hidden`, never named.
#[server(prefix = "/api", endpoint = "envs/running-in", input = crate::codec::Form, output = crate::codec::Reply)]
pub async fn running_in(entity_ref: String) -> Result<RunningInView, AppError> {
    let (services, caller) = crate::service::authorize("catalog", "get", "*").await?;
    let entity = crate::service::reply(
        services
            .catalog
            .entity(&entity_ref)
            .ok_or_else(|| AppError::NotFound(format!("no entity {entity_ref} in the catalog"))),
    )?;
    let mut view = services
        .engine
        .running_in(&entity.name, &entity.annotations)
        .await;
    for env in &mut view.environments {
        let before = env.apps.len();
        env.apps.retain(|d| {
            services.access.allows(
                &caller,
                "applications",
                "get",
                &format!("{}/{}", env.env, d.app),
            )
        });
        env.hidden = before - env.apps.len();
    }
    view.owner_conflicts = services.access.owner_conflicts(&entity.entity_ref);
    Ok(view)
}

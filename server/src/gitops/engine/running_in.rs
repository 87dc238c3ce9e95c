//! Where a catalog Component runs: the apps its [`AppLink`] picks in each environment's last
//! tree, with the sync, health and version the tree shows for them.

use std::sync::Arc;

use atrium_app::dto::env::{Deployment, EnvDeployments, RunningInView};
use atrium_app::dto::node::NodeId;

use super::{EnvRuntime, Snapshot};
use crate::gitops::app_link::AppLink;
use crate::gitops::environment::ClusterTarget;
use crate::resource::{DesiredResource, Health, SyncStatus};

pub(super) fn running_in(
    envs: &[Arc<EnvRuntime>],
    snapshot: impl Fn(&EnvRuntime) -> Arc<Snapshot>,
    name: &str,
    annotations: &[(String, String)],
) -> RunningInView {
    let annotation = |key: &str| {
        annotations
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
    };
    let link = match AppLink::of_component(name, annotation) {
        Ok(link) => link,
        Err(error) => {
            return RunningInView {
                link: String::new(),
                error: Some(error),
                environments: Vec::new(),
                owner_conflicts: Vec::new(),
            }
        }
    };
    RunningInView {
        link: link.describe(),
        error: None,
        environments: envs
            .iter()
            .map(|env| in_environment(env, &snapshot(env), &link))
            .collect(),
        owner_conflicts: Vec::new(),
    }
}

fn in_environment(env: &EnvRuntime, snap: &Snapshot, link: &AppLink) -> EnvDeployments {
    let empty = Default::default();
    let apps = snap
        .tree
        .apps
        .iter()
        .filter(|app| {
            let labels = app
                .application
                .as_ref()
                .map(|a| &a.metadata.labels)
                .unwrap_or(&empty);
            link.matches(&app.name, labels)
        })
        .map(|app| {
            // The statuses the tree's app node shows, looked up rather than searched for.
            let status = snap.statuses.get(&app.name);
            Deployment {
                app: app.name.clone(),
                node: NodeId::of_app(&app.name),
                sync: status.map_or(SyncStatus::Unknown, |s| s.sync),
                health: status.map_or(Health::Unknown, |s| s.health),
                message: (!app.message.is_empty()).then(|| app.message.clone()),
                version: app.resources.iter().find_map(DesiredResource::image_tag),
                revision: app.source.revision.clone(),
            }
        })
        .collect();
    EnvDeployments {
        env: env.config.name.clone(),
        production: env.config.production,
        simulated: env.config.cluster == ClusterTarget::Sim,
        error: snap.error.clone(),
        apps,
        hidden: 0,
    }
}

//! Where a catalog Component runs: the apps its [`AppLink`] picks in each environment's last
//! tree, with the sync, health and version the tree shows for them.

use std::sync::Arc;

use atrium_app::dto::env::{Deployment, EnvDeployments, RunningInView};

use super::view::image_tag;
use super::{EnvRuntime, Snapshot};
use crate::gitops::app_link::AppLink;
use crate::gitops::environment::ClusterTarget;

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
            }
        }
    };
    RunningInView {
        link: link.describe(annotation),
        error: None,
        environments: envs
            .iter()
            .map(|env| in_environment(env, &snapshot(env), &link))
            .collect(),
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
            let node = format!("app:{}", app.name);
            let shown = snap.view.nodes.iter().find(|n| n.id == node);
            Deployment {
                app: app.name.clone(),
                sync: shown.map_or("Unknown".into(), |n| n.sync.clone()),
                health: shown.map_or("Unknown".into(), |n| n.health.clone()),
                message: shown.and_then(|n| n.message.clone()),
                version: app.resources.iter().find_map(|r| image_tag(&r.manifest)),
                revision: app.source.revision.clone(),
                node,
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

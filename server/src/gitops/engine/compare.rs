//! Two environments' last snapshots, compared ([`crate::gitops::compare`]), with each side's
//! version, revision, sync and health as the environments' app listing shows them.

use atrium_app::dto::compare::{AppCompare, AppSide, CompareView, ResourcePair};

use super::runtime::Snapshot;
use super::view::resource_status;
use super::{Engine, EngineError, Result};
use crate::gitops::compare::{by_name, compare_trees, resource_class, resource_yaml_diff};
use crate::gitops::tree::RenderedApp;
use crate::resource::DesiredResource;

impl Engine {
    /// Every app of `from` and `to`, classed, `from`'s first.
    pub fn compare_envs(&self, from: &str, to: &str) -> Result<CompareView> {
        let (from_snap, to_snap) = self.pair(from, to)?;
        let from_apps = by_name(&from_snap.tree);
        let to_apps = by_name(&to_snap.tree);
        let apps = compare_trees(&from_snap.tree, &to_snap.tree)
            .into_iter()
            .map(|a| AppCompare {
                from: from_apps
                    .get(a.name.as_str())
                    .map(|app| side(&from_snap, app)),
                to: to_apps.get(a.name.as_str()).map(|app| side(&to_snap, app)),
                name: a.name,
                status: a.status,
                resources: a.resources,
            })
            .collect();
        Ok(CompareView {
            from: from.to_string(),
            to: to.to_string(),
            apps,
        })
    }

    /// One resource of `app` (by its key, `group/kind/namespace/name`) in both environments.
    pub fn compare_env_resource(
        &self,
        from: &str,
        to: &str,
        app: &str,
        key: &str,
    ) -> Result<ResourcePair> {
        let (from_snap, to_snap) = self.pair(from, to)?;
        let from_app = from_snap.tree.get(app);
        let to_app = to_snap.tree.get(app);
        if from_app.is_none() && to_app.is_none() {
            return Err(EngineError::UnknownApp {
                env: format!("{from} or {to}"),
                app: app.to_string(),
            });
        }
        fn find<'a>(app: Option<&'a RenderedApp>, key: &str) -> Option<&'a DesiredResource> {
            app.and_then(|a| a.resources.iter().find(|r| r.key() == key))
        }
        let (from_resource, to_resource) = (find(from_app, key), find(to_app, key));
        if from_resource.is_none() && to_resource.is_none() {
            return Err(EngineError::UnknownResource {
                app: app.to_string(),
                key: key.to_string(),
            });
        }
        let status = resource_class(from_resource, to_resource);
        let (from_yaml, to_yaml, diff) = resource_yaml_diff(from_resource, to_resource);
        let live = |snap: &Snapshot, r: Option<&DesiredResource>| {
            let r = r?;
            let object = snap
                .live
                .get(app)
                .and_then(|objects| objects.iter().find(|o| *o.key == *key));
            let (sync, health, _) = resource_status(r, object);
            Some((sync, health))
        };
        Ok(ResourcePair {
            status,
            from_live: live(&from_snap, from_resource),
            to_live: live(&to_snap, to_resource),
            from_yaml,
            to_yaml,
            diff,
        })
    }

    fn pair(
        &self,
        from: &str,
        to: &str,
    ) -> Result<(std::sync::Arc<Snapshot>, std::sync::Arc<Snapshot>)> {
        if from == to {
            return Err(EngineError::CompareWithItself(from.to_string()));
        }
        Ok((self.env(from)?.snapshot(), self.env(to)?.snapshot()))
    }
}

/// An app's version, revision, sync and health, as `GET /api/v1/environments/{env}/apps`
/// shows them.
fn side(snap: &Snapshot, app: &RenderedApp) -> AppSide {
    let status = snap.statuses.get(&app.name);
    AppSide {
        version: app.resources.iter().find_map(DesiredResource::image_tag),
        revision: app.source.target_revision.clone(),
        sync: status
            .map(|s| s.sync)
            .unwrap_or_default()
            .as_str()
            .to_string(),
        health: status
            .map(|s| s.health)
            .unwrap_or_default()
            .as_str()
            .to_string(),
    }
}

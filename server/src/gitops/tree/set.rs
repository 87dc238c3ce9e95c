//! An ApplicationSet in the tree: a node of its own (no resources), whose children are the
//! Applications its generators make, each rendered like any other child app. A generator
//! error fails the set's node only; its siblings render as usual.

use std::path::Path;

use serde_json::Value;

use super::model::{AppKind, RenderStatus, RenderedApp};
use super::Walk;
use crate::gitops::appset::{self, Inputs};

impl Walk<'_> {
    /// Renders the set `manifest` (rendered by `parent`) at `depth`, then what it generates.
    pub(super) fn render_set(
        &mut self,
        manifest: &Value,
        parent: &str,
        ancestry: &[String],
        depth: usize,
        wave: i32,
    ) {
        let name = manifest["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut node =
            RenderedApp::failed(name.clone(), Some(parent.to_string()), depth, String::new());
        node.kind = AppKind::ApplicationSet;
        node.sync_wave = wave;
        if name.trim().is_empty() {
            node.name = "<unnamed>".into();
            node.message = "invalid ApplicationSet: metadata.name is required".into();
            self.apps.push(node);
            return;
        }
        let max_apps = self.options.max_apps;
        if self.apps.len() >= max_apps {
            node.message = format!("the tree has more than {max_apps} apps");
            self.apps.push(node);
            return;
        }
        self.rendered_by.insert(name.clone(), parent.to_string());
        let options = self.options;
        // The set's own node counts too.
        let limit = max_apps.saturating_sub(self.apps.len() + 1);
        let mut checkout = |repo_url: &str, revision: &str| {
            let location = self
                .repos
                .resolve(repo_url)
                .map(Path::to_path_buf)
                .ok_or_else(|| {
                    format!("unknown repoURL {repo_url}: not mapped to a local repository")
                })?;
            self.checkout(&location, revision)
                .map_err(|e| e.to_string())
        };
        let mut inputs = Inputs {
            clusters: &options.clusters,
            checkout: &mut checkout,
            limit,
        };
        let generated = appset::generate(manifest, &mut inputs);
        let generated = match generated {
            Ok(apps) => apps,
            Err(message) => {
                node.message = message;
                self.apps.push(node);
                return;
            }
        };
        node.status = RenderStatus::Ok;
        let index = self.apps.len();
        self.apps.push(node);
        let mut path = ancestry.to_vec();
        path.push(name.clone());
        let children =
            self.render_children(&name, AppKind::ApplicationSet, &path, depth + 1, generated);
        self.apps[index].children = children;
    }
}

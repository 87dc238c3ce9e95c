//! What a tree render returns: one node per app, with its source, sync settings, status and
//! resources. Plain data (serializable) for the server, the UI and the CLI.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::gitops::application::{Application, Automated};
use crate::gitops::render::RendererKind;
use crate::resource::DesiredResource;

/// Where the root Application manifest is: a repo (a mapped repoURL or a local path), the
/// revision to read it at, and the manifest file's path in the repo.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RootSpec {
    pub repo: String,
    pub revision: String,
    pub path: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RenderStatus {
    Ok,
    Error,
    RendererUnavailable,
}

impl RenderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RenderStatus::Ok => "ok",
            RenderStatus::Error => "error",
            RenderStatus::RendererUnavailable => "renderer-unavailable",
        }
    }
}

/// An app's (first) source as it was read and resolved.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AppSourceView {
    pub repo_url: String,
    pub path: String,
    pub target_revision: String,
    /// The commit `target_revision` resolved to (none for a plain directory or a Helm repo).
    pub revision: Option<String>,
    pub renderer: Option<RendererKind>,
    pub chart: Option<String>,
}

/// What a node of the tree is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AppKind {
    #[default]
    Application,
    /// An ApplicationSet: no resources of its own; its children are the Applications it
    /// generates. Never applied, never synced.
    ApplicationSet,
}

impl AppKind {
    /// The Argo CD kind, as the UI and the CLI show it.
    pub fn as_str(self) -> &'static str {
        match self {
            AppKind::Application => "Application",
            AppKind::ApplicationSet => "ApplicationSet",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RenderedApp {
    pub name: String,
    /// An Application, or an ApplicationSet (whose children are the apps it generates).
    #[serde(default)]
    pub kind: AppKind,
    /// The app whose source rendered this one's Application (or the set that generated it);
    /// `None` for the root.
    pub parent: Option<String>,
    /// 0 for the root.
    pub depth: usize,
    pub source: AppSourceView,
    pub project: String,
    pub destination_namespace: String,
    pub destination_server: Option<String>,
    pub destination_name: Option<String>,
    /// The environment's cluster the destination names (`in-cluster` for its own); `None`
    /// when it names none.
    pub cluster: Option<String>,
    pub automated: Option<Automated>,
    pub sync_options: Vec<String>,
    /// The sync wave of this app's own Application object within its parent.
    pub sync_wave: i32,
    pub status: RenderStatus,
    /// Why the status is not `ok`; empty when it is.
    pub message: String,
    /// Everything the source renders, child Application objects included (the parent applies
    /// them; [`crate::gitops::application::is_application`] tells them apart). Empty unless `ok`.
    pub resources: Vec<DesiredResource>,
    /// Resources the app's AppProject does not permit, by key ([`DesiredResource::key`]), with
    /// why: they stay in the tree, and no sync of the app applies anything while there are any.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub refused: BTreeMap<String, String>,
    /// Names of the Applications this app renders, in render order.
    pub children: Vec<String>,
    /// The manifest as read; `None` when it could not be.
    pub application: Option<Application>,
}

impl RenderedApp {
    /// An app that rendered `resources`, the rest at its defaults (root of its tree, project
    /// `default`): what tests and benchmarks build trees from.
    pub fn rendered(name: &str, resources: Vec<DesiredResource>) -> Self {
        RenderedApp {
            project: "default".into(),
            cluster: Some(crate::gitops::destination::IN_CLUSTER_NAME.into()),
            status: RenderStatus::Ok,
            resources,
            ..RenderedApp::failed(name.to_string(), None, 0, String::new())
        }
    }

    pub(super) fn failed(
        name: String,
        parent: Option<String>,
        depth: usize,
        message: String,
    ) -> Self {
        RenderedApp {
            name,
            kind: AppKind::Application,
            parent,
            depth,
            source: AppSourceView::default(),
            project: String::new(),
            destination_namespace: String::new(),
            destination_server: None,
            destination_name: None,
            cluster: None,
            automated: None,
            sync_options: Vec::new(),
            sync_wave: 0,
            status: RenderStatus::Error,
            message,
            resources: Vec::new(),
            refused: BTreeMap::new(),
            children: Vec::new(),
            application: None,
        }
    }

    pub(super) fn fail(&mut self, status: RenderStatus, message: String) {
        self.status = status;
        self.message = message;
        self.resources.clear();
        self.refused.clear();
        self.children.clear();
    }
}

/// Every app of the tree, root first, then depth-first in render order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RenderedTree {
    pub apps: Vec<RenderedApp>,
}

impl RenderedTree {
    pub fn root(&self) -> Option<&RenderedApp> {
        self.apps.first()
    }

    /// The first app of that name that rendered (a cycle or duplicate adds failed nodes that
    /// repeat a name).
    pub fn get(&self, name: &str) -> Option<&RenderedApp> {
        self.apps
            .iter()
            .find(|a| a.name == name && a.status == RenderStatus::Ok)
            .or_else(|| self.apps.iter().find(|a| a.name == name))
    }

    pub fn has_failures(&self) -> bool {
        self.apps.iter().any(|a| a.status != RenderStatus::Ok)
    }
}

//! Renderers: one Application source at a resolved revision → the Kubernetes objects it wants.
//! Plain directories are read straight from Git; Kustomize and Helm run the real tools on a
//! copy written to a temp dir. Failures are values ([`RenderFailure`]): the tree shows them
//! on the node and carries on with the siblings.

pub mod directory;
pub mod helm;
pub mod kustomize;
mod kustomize_refs;
pub mod objects;
pub mod tools;

use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use tools::{KustomizeTool, Tools};

use super::application::ApplicationSource;
use super::checkout::{clean_path, Checkout};
use crate::resource::DesiredResource;

/// Which renderer an app's source goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RendererKind {
    Directory,
    Kustomize,
    Helm,
}

impl RendererKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RendererKind::Directory => "directory",
            RendererKind::Kustomize => "kustomize",
            RendererKind::Helm => "helm",
        }
    }
}

/// Why a source rendered nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderFailure {
    /// The renderer's tool is missing (not the app's fault).
    pub unavailable: bool,
    pub message: String,
}

impl RenderFailure {
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            unavailable: false,
            message: message.into(),
        }
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self {
            unavailable: true,
            message: message.into(),
        }
    }
}

/// The file names Kustomize reads in a directory, in its order.
pub const KUSTOMIZATION_FILES: &[&str] =
    &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Apps in one tree unless configured: generous for real estates, finite against a generator
/// gone wild.
pub const DEFAULT_MAX_APPS: usize = 10_000;

/// Tools and limits for one render of a tree.
#[derive(Clone, Debug)]
pub struct RenderOptions {
    pub tools: Tools,
    /// Per run of kustomize/helm.
    pub command_timeout: Duration,
    /// Levels of Applications below the root (the root is level 0).
    pub max_depth: usize,
    /// Apps in one tree, against a generator gone wild.
    pub max_apps: usize,
    /// The clusters the environment's Applications may target (its own first).
    pub clusters: Vec<crate::gitops::destination::DestinationCluster>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            tools: Tools::from_path(),
            command_timeout: Duration::from_secs(60),
            max_depth: 8,
            max_apps: DEFAULT_MAX_APPS,
            clusters: vec![crate::gitops::destination::DestinationCluster::in_cluster(
                crate::cluster::ClusterTarget::Sim,
            )],
        }
    }
}

/// Argo CD's choice of tool: explicit fields first, then what the path holds.
pub fn detect_renderer(source: &ApplicationSource, checkout: Option<&Checkout>) -> RendererKind {
    if source.chart.is_some() || source.helm.is_some() {
        return RendererKind::Helm;
    }
    if source.kustomize.is_some() {
        return RendererKind::Kustomize;
    }
    if source.directory.is_some() {
        return RendererKind::Directory;
    }
    let Some(checkout) = checkout else {
        return RendererKind::Directory;
    };
    let dir = clean_path(&source.path).unwrap_or_default();
    let at = |file: &str| {
        if dir.is_empty() {
            file.to_string()
        } else {
            format!("{dir}/{file}")
        }
    };
    if checkout.is_file(&at("Chart.yaml")) {
        RendererKind::Helm
    } else if kustomize::KUSTOMIZATION_FILES
        .iter()
        .any(|f| checkout.is_file(&at(f)))
    {
        RendererKind::Kustomize
    } else {
        RendererKind::Directory
    }
}

/// Copies of repositories written for the external tools, one per repository and commit,
/// shared by the apps of one tree render and removed with it.
#[derive(Default)]
pub struct Workspaces {
    dirs: HashMap<String, tempfile::TempDir>,
}

impl Workspaces {
    fn get(&mut self, key: &str, checkout: &Checkout) -> Result<&Path, RenderFailure> {
        if !self.dirs.contains_key(key) {
            let dir = tempfile::Builder::new()
                .prefix("atrium-render-")
                .tempdir()
                .map_err(|e| RenderFailure::error(format!("temp dir: {e}")))?;
            checkout
                .materialize(dir.path())
                .map_err(|e| RenderFailure::error(e.to_string()))?;
            self.dirs.insert(key.to_string(), dir);
        }
        Ok(self.dirs[key].path())
    }
}

/// What a source renders into, besides the source itself.
pub struct Target<'a> {
    pub app_name: &'a str,
    pub namespace: &'a str,
}

/// Renders one source. `checkout` is the Git side (absent for a chart from a Helm
/// repository) with its workspace key (`location@sha`).
pub fn render_source(
    source: &ApplicationSource,
    checkout: Option<(&Checkout, &str)>,
    kind: RendererKind,
    target: &Target<'_>,
    options: &RenderOptions,
    workspaces: &mut Workspaces,
) -> Result<Vec<DesiredResource>, RenderFailure> {
    let timeout = options.command_timeout;
    match kind {
        RendererKind::Helm => {
            let Some(helm) = options.tools.helm.as_deref() else {
                return Err(RenderFailure::unavailable(
                    "Helm app, but helm is not on PATH (helm template renders it)",
                ));
            };
            let chart = match (&source.chart, checkout) {
                (Some(chart), _) => helm::Chart::Repo {
                    repo_url: &source.repo_url,
                    chart,
                    version: &source.target_revision,
                },
                (None, Some((co, key))) => helm::Chart::Dir {
                    root: workspaces.get(key, co)?,
                    path: &source.path,
                },
                (None, None) => return Err(RenderFailure::error("no chart and no repository")),
            };
            helm::render_helm(
                Some(helm),
                chart,
                source.helm.as_ref(),
                target.app_name,
                target.namespace,
                timeout,
            )
        }
        RendererKind::Kustomize => {
            let Some(tool) = options.tools.kustomize.as_ref() else {
                return Err(RenderFailure::unavailable(
                    "Kustomize app, but neither kustomize nor kubectl is on PATH",
                ));
            };
            let (co, key) = checkout.ok_or_else(|| RenderFailure::error("no repository"))?;
            let path = clean_path(&source.path).map_err(|e| RenderFailure::error(e.to_string()))?;
            let root = workspaces.get(key, co)?;
            kustomize::render_kustomize(
                Some(tool),
                root,
                &path,
                source.kustomize.as_ref(),
                target.namespace,
                timeout,
            )
        }
        RendererKind::Directory => {
            let (co, _) = checkout.ok_or_else(|| RenderFailure::error("no repository"))?;
            directory::render_directory(
                co,
                &source.path,
                source.directory.as_ref(),
                target.namespace,
            )
        }
    }
}

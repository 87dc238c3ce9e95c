//! The App-of-Apps tree: the root Application manifest → the Applications (and
//! ApplicationSets, whose children are the Applications they generate) its source renders
//! → theirs, recursively, each with the Kubernetes resources it wants. Cycle-safe and
//! depth-limited; a node that fails (unknown repo, missing revision or path, invalid YAML, a
//! renderer error) carries the error and no resources, and its siblings render as usual.
//! The AppProjects the tree renders then decide which apps and resources are permitted
//! ([`projects`]).
//!
//! Pure and blocking (libgit2, external tools): the server calls it in `spawn_blocking`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::Value;

mod model;
pub mod projects;
mod set;

pub use model::{AppKind, AppSourceView, RenderStatus, RenderedApp, RenderedTree, RootSpec};

use super::application::{is_application, Application};
use super::appset::is_application_set_value;
use super::checkout::{Checkout, CheckoutError};
use super::render::{
    detect_renderer, objects::SYNC_WAVE, render_source, RenderOptions, Target, Workspaces,
};
use super::repos::RepoMap;
use crate::resource::DesiredResource;

/// Renders the whole tree. The root manifest's own `repoURL`, when not mapped in `repos`, is
/// taken to be the repo the manifest was read from (the usual App-of-Apps layout).
pub fn render_tree(root: &RootSpec, repos: &RepoMap, options: &RenderOptions) -> RenderedTree {
    let mut walk = Walk {
        repos: repos.clone(),
        options,
        workspaces: Workspaces::default(),
        checkouts: HashMap::new(),
        apps: Vec::new(),
        rendered_by: HashMap::new(),
    };
    let fallback_name = Path::new(&root.path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "root".into());
    let location = repos
        .resolve(&root.repo)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(&root.repo));
    let read = walk
        .checkout(&location, &root.revision)
        .map_err(|e| e.to_string())
        .and_then(|co| co.read(&root.path).map_err(|e| e.to_string()))
        .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string()))
        .and_then(|text| Application::from_yaml(&text).map_err(|e| e.to_string()));
    match read {
        Ok(app) => {
            for source in app.rendering_sources() {
                if source.chart.is_none() && !walk.repos.contains(&source.repo_url) {
                    walk.repos.insert(&source.repo_url, &location);
                }
            }
            walk.render_app(app, None, &[], 0);
        }
        Err(message) => {
            let mut node =
                RenderedApp::failed(fallback_name, None, 0, format!("{}: {message}", root.path));
            node.source = AppSourceView {
                repo_url: root.repo.clone(),
                path: root.path.clone(),
                target_revision: root.revision.clone(),
                ..Default::default()
            };
            walk.apps.push(node);
        }
    }
    // Projects come from the whole tree, so they are applied once it is rendered.
    projects::enforce(&mut walk.apps, &options.clusters);
    RenderedTree { apps: walk.apps }
}

struct Walk<'o> {
    repos: RepoMap,
    options: &'o RenderOptions,
    workspaces: Workspaces,
    /// One checkout per (repository, revision): every app of a render sees the same commit.
    checkouts: HashMap<(PathBuf, String), Result<Rc<Checkout>, CheckoutError>>,
    apps: Vec<RenderedApp>,
    /// App name → the app that rendered it, to report duplicates.
    rendered_by: HashMap<String, String>,
}

impl Walk<'_> {
    fn checkout(&mut self, location: &Path, revision: &str) -> Result<Rc<Checkout>, CheckoutError> {
        self.checkouts
            .entry((location.to_path_buf(), revision.to_string()))
            .or_insert_with(|| Checkout::open(location, revision).map(Rc::new))
            .clone()
    }

    fn render_app(
        &mut self,
        app: Application,
        parent: Option<&str>,
        ancestry: &[String],
        depth: usize,
    ) {
        let name = app.metadata.name.clone();
        let parent_name = parent.map(str::to_string);
        if self.apps.len() >= self.options.max_apps {
            let message = format!("the tree has more than {} apps", self.options.max_apps);
            self.apps
                .push(RenderedApp::failed(name, parent_name, depth, message));
            return;
        }
        self.rendered_by
            .insert(name.clone(), parent.unwrap_or_default().to_string());
        let mut node = node_for(&app, parent_name, depth);
        // An unknown destination is Argo CD's InvalidSpecError: nothing renders.
        let (resources, outcome) =
            match super::destination::resolve(&self.options.clusters, &app.spec.destination) {
                Ok(cluster) => {
                    node.cluster = Some(cluster.name.clone());
                    self.render_sources(&app, &mut node.source)
                }
                Err(message) => (Vec::new(), Err((RenderStatus::Error, message))),
            };
        match outcome {
            Ok(()) => node.resources = resources,
            Err((status, message)) => node.fail(status, message),
        }
        let child_manifests: Vec<Value> = node
            .resources
            .iter()
            .filter(|r| is_application(r) || r.is_argo(crate::gitops::appset::KIND))
            .map(|r| r.manifest.value())
            .collect();
        let index = self.apps.len();
        self.apps.push(node);

        let mut path: Vec<String> = ancestry.to_vec();
        path.push(name.clone());
        let children = self.render_children(
            &name,
            AppKind::Application,
            &path,
            depth + 1,
            child_manifests,
        );
        self.apps[index].children = children;
    }

    /// Renders the Applications (and ApplicationSets) `owner` renders or generates, at `depth`;
    /// returns their names in order. `path`: the names from the root down to `owner`.
    fn render_children(
        &mut self,
        owner: &str,
        owner_kind: AppKind,
        path: &[String],
        depth: usize,
        manifests: Vec<Value>,
    ) -> Vec<String> {
        let mut children = Vec::new();
        for manifest in manifests {
            let child_name = manifest["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            // An app that renders its own Application manages itself (Argo CD allows it); it
            // is not a child of itself.
            if child_name == owner && owner_kind == AppKind::Application {
                continue;
            }
            children.push(child_name.clone());
            let wave = manifest["metadata"]["annotations"][SYNC_WAVE]
                .as_str()
                .and_then(|w| w.trim().parse().ok())
                .unwrap_or(0);
            let fail = |message: String| {
                let mut node = RenderedApp::failed(
                    child_name.clone(),
                    Some(owner.to_string()),
                    depth,
                    message,
                );
                node.sync_wave = wave;
                node
            };
            let problem = if child_name == owner {
                Some(format!(
                    "Application {child_name} has the name of the ApplicationSet that generates it"
                ))
            } else if path.contains(&child_name) {
                Some(format!("cycle: {} → {child_name}", path.join(" → ")))
            } else if depth > self.options.max_depth {
                Some(format!(
                    "deeper than {} levels of Applications below the root",
                    self.options.max_depth
                ))
            } else {
                self.rendered_by
                    .get(&child_name)
                    .map(|other| format!("Application {child_name} is already rendered by {other}"))
            };
            if let Some(message) = problem {
                self.apps.push(fail(message));
                continue;
            }
            if is_application_set_value(&manifest) {
                self.render_set(&manifest, owner, path, depth, wave);
                continue;
            }
            match Application::from_value(&manifest) {
                Ok(child) => self.render_app(child, Some(owner), path, depth),
                Err(e) => {
                    let shown = if child_name.is_empty() {
                        "<unnamed>".into()
                    } else {
                        child_name.clone()
                    };
                    let mut node = fail(format!("invalid Application: {e}"));
                    node.name = shown;
                    self.apps.push(node);
                }
            }
        }
        children
    }

    /// Renders every source of `app`; the first failure wins and nothing is kept.
    fn render_sources(
        &mut self,
        app: &Application,
        view: &mut AppSourceView,
    ) -> (Vec<DesiredResource>, Result<(), (RenderStatus, String)>) {
        if let Err(message) = super::ignore::check(app).and_then(|()| super::retry::check(app)) {
            return (Vec::new(), Err((RenderStatus::Error, message)));
        }
        let sources = app.rendering_sources();
        if sources.is_empty() {
            return (
                Vec::new(),
                Err((
                    RenderStatus::Error,
                    "spec.source (or spec.sources) is required".into(),
                )),
            );
        }
        let target = Target {
            app_name: &app.metadata.name,
            namespace: &app.spec.destination.namespace,
        };
        let mut resources = Vec::new();
        for (i, source) in sources.into_iter().enumerate() {
            let checkout = if source.chart.is_some() {
                None
            } else {
                let Some(location) = self.repos.resolve(&source.repo_url).map(Path::to_path_buf)
                else {
                    let message = if source.repo_url.is_empty() {
                        "spec.source.repoURL is required".to_string()
                    } else {
                        format!(
                            "unknown repoURL {}: not mapped to a local repository",
                            source.repo_url
                        )
                    };
                    return (Vec::new(), Err((RenderStatus::Error, message)));
                };
                match self.checkout(&location, &source.target_revision) {
                    Ok(co) => Some((co, location)),
                    Err(e) => return (Vec::new(), Err((RenderStatus::Error, e.to_string()))),
                }
            };
            let kind = detect_renderer(source, checkout.as_ref().map(|(co, _)| co.as_ref()));
            let key = checkout
                .as_ref()
                .map(|(co, loc)| format!("{}@{}", loc.display(), co.sha().unwrap_or_default()));
            if i == 0 {
                view.revision = checkout.as_ref().and_then(|(co, _)| co.sha());
                view.renderer = Some(kind);
            }
            let pair = checkout
                .as_ref()
                .zip(key.as_deref())
                .map(|((co, _), k)| (co.as_ref(), k));
            match render_source(
                source,
                pair,
                kind,
                &target,
                self.options,
                &mut self.workspaces,
            ) {
                Ok(mut rendered) => resources.append(&mut rendered),
                Err(f) => {
                    let status = if f.unavailable {
                        RenderStatus::RendererUnavailable
                    } else {
                        RenderStatus::Error
                    };
                    return (Vec::new(), Err((status, f.message)));
                }
            }
        }
        // Kept as long as the render is (every app's, per environment): no spare capacity.
        resources.shrink_to_fit();
        (resources, Ok(()))
    }
}

fn node_for(app: &Application, parent: Option<String>, depth: usize) -> RenderedApp {
    let first = app
        .rendering_sources()
        .first()
        .map(|s| (*s).clone())
        .unwrap_or_default();
    let mut node = RenderedApp::failed(app.metadata.name.clone(), parent, depth, String::new());
    node.status = RenderStatus::Ok;
    node.source = AppSourceView {
        repo_url: first.repo_url,
        path: first.path,
        target_revision: first.target_revision,
        revision: None,
        renderer: None,
        chart: first.chart,
    };
    node.project = app.spec.project.clone();
    node.destination_namespace = app.spec.destination.namespace.clone();
    node.destination_server = app.spec.destination.server.clone();
    node.destination_name = app.spec.destination.name.clone();
    node.automated = app.automated();
    node.sync_options = app.sync_options();
    node.sync_wave = app
        .metadata
        .annotations
        .get(SYNC_WAVE)
        .and_then(|w| w.trim().parse().ok())
        .unwrap_or(0);
    node.application = Some(app.clone());
    node
}

#[cfg(test)]
mod set_tests;
#[cfg(test)]
mod tests;

#[cfg(test)]
mod project_tests;

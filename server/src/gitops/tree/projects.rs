//! Projects applied to a rendered tree. The AppProjects are the ones the tree renders, wherever
//! in it (as in a cluster, where a project exists whichever app created it), so this runs once
//! the whole tree is rendered: an app whose project is missing, or refuses its source repo or
//! destination, fails and keeps nothing (its child apps go with it); a resource its project
//! does not permit is marked on its app ([`RenderedApp::refused`]) and stays in the tree.
//! Failing an app can take AppProjects out of the tree, so the check repeats until nothing
//! more fails (each round fails at least one more app, so it ends).

use std::collections::{BTreeMap, HashMap};

use super::model::{RenderStatus, RenderedApp};
use crate::gitops::application::is_application;
use crate::gitops::destination::{self, DestinationCluster};
use crate::gitops::project::{is_app_project, AppProject, DEFAULT};

/// The projects a tree defines, by name; a broken or ambiguous one is the text apps in it fail
/// with.
pub struct Projects {
    by_name: HashMap<String, Result<AppProject, String>>,
    default: AppProject,
}

impl Projects {
    /// The AppProjects the apps that rendered carry, plus the implicit `default`.
    pub fn collect(apps: &[RenderedApp]) -> Self {
        let mut by_name: HashMap<String, Result<AppProject, String>> = HashMap::new();
        let mut defined_by: HashMap<String, String> = HashMap::new();
        for app in apps.iter().filter(|a| a.status == RenderStatus::Ok) {
            for r in app.resources.iter().filter(|r| is_app_project(r)) {
                let read = AppProject::from_value(&r.manifest.value()).map_err(|e| {
                    format!(
                        "AppProject {} (rendered by {}) is invalid: {e}",
                        r.name, app.name
                    )
                });
                let name = match &read {
                    Ok(p) => p.name.clone(),
                    Err(_) => r.name.to_string(),
                };
                match (by_name.get(&name), &read) {
                    (None, _) => {
                        defined_by.insert(name.clone(), app.name.clone());
                        by_name.insert(name, read);
                    }
                    // The same project rendered twice alike is one project.
                    (Some(Ok(known)), Ok(again)) if known.spec == again.spec => {}
                    (Some(_), _) => {
                        let first = defined_by.get(&name).cloned().unwrap_or_default();
                        let message = format!(
                            "AppProject {name} is defined twice, differently (by {first} and {})",
                            app.name
                        );
                        by_name.insert(name, Err(message));
                    }
                }
            }
        }
        Self {
            by_name,
            default: AppProject::implicit_default(),
        }
    }

    /// The project `name` (empty: `default`), or why an app in it cannot be rendered.
    pub fn get(&self, name: &str) -> Result<&AppProject, String> {
        let name = if name.trim().is_empty() {
            DEFAULT
        } else {
            name
        };
        match self.by_name.get(name) {
            Some(Ok(project)) => Ok(project),
            Some(Err(message)) => Err(message.clone()),
            None if name == DEFAULT => Ok(&self.default),
            None => Err(format!(
                "Application referencing project {name} which does not exist"
            )),
        }
    }
}

/// Applies the tree's projects to its apps (in render order: root first, each app followed by
/// its descendants).
pub fn enforce(apps: &mut Vec<RenderedApp>, clusters: &[DestinationCluster]) {
    loop {
        let projects = Projects::collect(apps);
        let mut failed: BTreeMap<usize, String> = BTreeMap::new();
        for (i, app) in apps.iter_mut().enumerate() {
            app.refused.clear();
            if app.status != RenderStatus::Ok {
                continue;
            }
            let Some(application) = app.application.as_ref() else {
                continue;
            };
            let project = match projects.get(&app.project) {
                Ok(project) => project,
                Err(message) => {
                    failed.insert(i, message);
                    continue;
                }
            };
            if project.permits_all() {
                continue;
            }
            if let Some(message) = project.refuse_app(application, clusters) {
                failed.insert(i, message);
                continue;
            }
            // `refuse_app` resolved it already.
            let Ok(cluster) = destination::resolve(clusters, &application.spec.destination) else {
                continue;
            };
            for r in &app.resources {
                if let Some(message) = project.refuse_resource(r, cluster) {
                    app.refused.insert(r.key(), message);
                }
            }
        }
        // A child Application its parent may not create does not exist.
        let refused_children: Vec<(String, String, String)> = apps
            .iter()
            .flat_map(|app| {
                app.resources
                    .iter()
                    .filter(|r| is_application(r))
                    .filter_map(|r| {
                        let why = app.refused.get(&r.key())?;
                        Some((app.name.clone(), r.name.to_string(), why.clone()))
                    })
            })
            .collect();
        for (parent, child, why) in refused_children {
            let found = apps.iter().position(|a| {
                a.name == child
                    && a.parent.as_deref() == Some(parent.as_str())
                    && a.status == RenderStatus::Ok
            });
            if let Some(i) = found {
                failed
                    .entry(i)
                    .or_insert_with(|| format!("its Application object in {parent}: {why}"));
            }
        }
        if failed.is_empty() {
            return;
        }
        for (&i, message) in &failed {
            apps[i].fail(RenderStatus::Error, message.clone());
        }
        drop_descendants(apps, &failed);
    }
}

/// Removes the apps below each failed one (they follow it, deeper, in render order).
fn drop_descendants(apps: &mut Vec<RenderedApp>, failed: &BTreeMap<usize, String>) {
    let mut cut: Option<usize> = None;
    let mut i = 0;
    apps.retain(|app| {
        let index = i;
        i += 1;
        if let Some(depth) = cut {
            if app.depth > depth {
                return false;
            }
            cut = None;
        }
        if failed.contains_key(&index) {
            cut = Some(app.depth);
        }
        true
    });
}

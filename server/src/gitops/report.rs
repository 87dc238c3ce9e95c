//! `atrium apps render`: a rendered tree as JSON (a stable shape for scripts and CI) or as an
//! indented text tree for people.

use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::{json, Value};

use super::render::RenderOptions;
use super::repos::RepoMap;
use super::tree::{render_tree, AppKind, RenderStatus, RenderedTree, RootSpec};

/// Renders the tree rooted at `root` in `repo_dir` (a Git repository read at HEAD, or a plain
/// directory), with extra `repoURL=dir` mappings.
pub fn render_repo(repo_dir: &str, root: &str, mappings: &[(String, PathBuf)]) -> RenderedTree {
    let mut repos = RepoMap::new();
    for (url, dir) in mappings {
        repos.insert(url, dir);
    }
    let spec = RootSpec {
        repo: repo_dir.to_string(),
        revision: "HEAD".into(),
        path: root.to_string(),
    };
    render_tree(&spec, &repos, &RenderOptions::default())
}

/// `url=dir` from the command line.
pub fn parse_mapping(text: &str) -> Result<(String, PathBuf), String> {
    match text.split_once('=') {
        Some((url, dir)) if !url.trim().is_empty() && !dir.trim().is_empty() => {
            Ok((url.trim().to_string(), PathBuf::from(dir.trim())))
        }
        _ => Err(format!("expected <repoURL>=<local-dir>, got {text:?}")),
    }
}

/// `{"apps":[{"name","kind","parent","source","status","message","resources":[…]}]}`; `kind`
/// is `Application` or `ApplicationSet` (a set has no resources; its apps name it as parent);
/// a resource the app's AppProject refuses carries `notPermitted` (why).
pub fn to_json(tree: &RenderedTree) -> Value {
    let apps: Vec<Value> = tree
        .apps
        .iter()
        .map(|app| {
            json!({
                "name": app.name,
                "kind": app.kind.as_str(),
                "parent": app.parent,
                "source": {
                    "repoURL": app.source.repo_url,
                    "path": app.source.path,
                    "targetRevision": app.source.target_revision,
                    "revision": app.source.revision,
                    "renderer": app.source.renderer.map(|k| k.as_str()),
                },
                "status": app.status.as_str(),
                "message": app.message,
                "resources": app.resources.iter().map(|r| {
                    let mut shown = json!({
                        "apiVersion": r.api_version,
                        "kind": r.kind,
                        "namespace": r.namespace,
                        "name": r.name,
                    });
                    // Only on resources the app's AppProject refuses.
                    if let Some(why) = app.refused.get(&r.key()) {
                        shown["notPermitted"] = json!(why);
                    }
                    shown
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "apps": apps })
}

/// One line per app, indented by depth: status, resource and child counts, source; then a line
/// per resource its AppProject refuses.
pub fn to_text(tree: &RenderedTree) -> String {
    let mut out = String::new();
    for app in &tree.apps {
        let indent = "  ".repeat(app.depth);
        let source = match (&app.source.renderer, app.source.path.as_str()) {
            (Some(kind), path) => format!(
                "  [{} {}]",
                kind.as_str(),
                if path.is_empty() { "." } else { path }
            ),
            (None, _) => String::new(),
        };
        let _ = match app.status {
            RenderStatus::Ok if app.kind == AppKind::ApplicationSet => writeln!(
                out,
                "{indent}{}  ok  ApplicationSet, {} apps",
                app.name,
                app.children.len()
            ),
            RenderStatus::Ok => {
                let apps = if app.children.is_empty() {
                    String::new()
                } else {
                    format!(", {} apps", app.children.len())
                };
                let line = writeln!(
                    out,
                    "{indent}{}  ok  {} resources{apps}{source}",
                    app.name,
                    app.resources.len()
                );
                for (key, why) in &app.refused {
                    let _ = writeln!(out, "{indent}  not permitted: {key}: {why}");
                }
                line
            }
            status => writeln!(
                out,
                "{indent}{}{}  {}: {}{source}",
                app.name,
                if app.kind == AppKind::ApplicationSet {
                    " (ApplicationSet)"
                } else {
                    ""
                },
                status.as_str(),
                app.message
            ),
        };
    }
    let failed = tree
        .apps
        .iter()
        .filter(|a| a.status != RenderStatus::Ok)
        .count();
    let _ = writeln!(out, "{} apps, {} failed", tree.apps.len(), failed);
    out
}

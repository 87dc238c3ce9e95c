//! ApplicationSets in the tree: sets are nodes whose children are the apps they generate.

use super::tests::{cm, render, repo, URL};
use super::*;
use crate::gitops::render::Tools;

/// A set named `name` with `generators` (YAML, indented for `spec.generators`) whose template
/// names an app `app_name` reading `path` of the test repo.
fn set(name: &str, generators: &str, app_name: &str, path: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: {name}\n  \
         namespace: argocd\nspec:\n  generators:\n{generators}  template:\n    metadata:\n      \
         name: '{app_name}'\n    spec:\n      project: default\n      source:\n        \
         repoURL: {URL}\n        targetRevision: HEAD\n        path: '{path}'\n      \
         destination:\n        server: https://kubernetes.default.svc\n        namespace: \
         '{app_name}'\n"
    )
}

fn options() -> RenderOptions {
    RenderOptions {
        tools: Tools::none(),
        ..Default::default()
    }
}

fn root() -> String {
    super::tests::app("root", "apps", "HEAD")
}

const LIST: &str = "  - list:\n      elements:\n      - env: dev\n      - env: prod\n";
const DIRS: &str = "  - git:\n      repoURL: https://git.example/env.git\n      revision: \
                    HEAD\n      directories:\n      - path: addons/*\n      - path: \
                    addons/skipped\n        exclude: true\n";

#[test]
fn sets_are_nodes_whose_children_are_the_apps_they_generate() {
    let (_dir, repos) = repo(&[
        ("apps/root.yaml", root()),
        (
            "apps/envs.yaml",
            set("envs", LIST, "web-{{env}}", "web/{{env}}"),
        ),
        (
            "apps/addons.yaml",
            set("addons", DIRS, "{{path.basename}}", "{{path}}"),
        ),
        ("web/dev/cm.yaml", cm("web-dev")),
        ("web/prod/cm.yaml", cm("web-prod")),
        ("addons/metrics/cm.yaml", cm("metrics")),
        (
            "addons/logging/a.yaml",
            format!("{}---\n{}", cm("a"), cm("b")),
        ),
        ("addons/skipped/cm.yaml", cm("skipped")),
    ]);
    let tree = render(&repos, &options());
    assert!(!tree.has_failures(), "{tree:#?}");
    let shape: Vec<(&str, AppKind, Option<&str>, usize)> = tree
        .apps
        .iter()
        .map(|a| (a.name.as_str(), a.kind, a.parent.as_deref(), a.depth))
        .collect();
    use AppKind::{Application as App, ApplicationSet as Set};
    assert_eq!(
        shape,
        [
            ("root", App, None, 0),
            ("addons", Set, Some("root"), 1),
            ("logging", App, Some("addons"), 2),
            ("metrics", App, Some("addons"), 2),
            ("envs", Set, Some("root"), 1),
            ("web-dev", App, Some("envs"), 2),
            ("web-prod", App, Some("envs"), 2),
        ]
    );
    let root = tree.root().unwrap();
    assert_eq!(root.children, ["addons", "envs"]);
    let envs = tree.get("envs").unwrap();
    assert!(envs.resources.is_empty());
    assert_eq!(envs.children, ["web-dev", "web-prod"]);
    assert_eq!(tree.get("addons").unwrap().children, ["logging", "metrics"]);
    // Generated apps render their own resources, into their own namespace.
    let dev = tree.get("web-dev").unwrap();
    assert_eq!(dev.resources.len(), 1);
    assert_eq!(dev.resources[0].name, "web-dev");
    assert_eq!(dev.destination_namespace, "web-dev");
    assert_eq!(dev.source.path, "web/dev");
    assert_eq!(tree.get("logging").unwrap().resources.len(), 2);
}

#[test]
fn a_broken_set_fails_alone_and_names_the_problem() {
    let matrix = "  - matrix:\n      generators: []\n";
    let (_dir, repos) = repo(&[
        ("apps/root.yaml", root()),
        ("apps/a-matrix.yaml", set("matrix", matrix, "x", "x")),
        (
            "apps/b-bad-name.yaml",
            set("bad-name", LIST, "Web_{{env}}", "web/{{env}}"),
        ),
        (
            "apps/c-envs.yaml",
            set("envs", LIST, "web-{{env}}", "web/{{env}}"),
        ),
        ("web/dev/cm.yaml", cm("web-dev")),
        ("web/prod/cm.yaml", cm("web-prod")),
    ]);
    let tree = render(&repos, &options());
    let matrix = tree.get("matrix").unwrap();
    assert_eq!(matrix.kind, AppKind::ApplicationSet);
    assert_eq!(matrix.status, RenderStatus::Error);
    assert!(
        matrix.message.contains("unsupported generator matrix"),
        "{}",
        matrix.message
    );
    let bad = tree.get("bad-name").unwrap();
    assert_eq!(bad.status, RenderStatus::Error);
    assert!(
        bad.message.contains("\"Web_dev\" is not a valid name"),
        "{}",
        bad.message
    );
    assert!(bad.children.is_empty());
    assert_eq!(tree.get("web-prod").unwrap().status, RenderStatus::Ok);
    assert_eq!(tree.apps.len(), 6, "{tree:#?}");
}

#[test]
fn generated_apps_count_toward_max_apps_and_duplicates_are_reported() {
    let (_dir, repos) = repo(&[
        ("apps/root.yaml", root()),
        (
            "apps/envs.yaml",
            set("envs", LIST, "web-{{env}}", "web/{{env}}"),
        ),
        (
            "apps/web-dev.yaml",
            super::tests::app("web-dev", "web/dev", "HEAD"),
        ),
        ("web/dev/cm.yaml", cm("web-dev")),
        ("web/prod/cm.yaml", cm("web-prod")),
    ]);
    let tree = render(&repos, &options());
    // The set comes first (envs.yaml < web-dev.yaml); the plain app of the same name is the
    // duplicate.
    let dupes: Vec<&RenderedApp> = tree.apps.iter().filter(|a| a.name == "web-dev").collect();
    assert_eq!(dupes.len(), 2);
    assert_eq!(dupes[0].parent.as_deref(), Some("envs"));
    assert_eq!(dupes[1].status, RenderStatus::Error);
    assert_eq!(
        dupes[1].message,
        "Application web-dev is already rendered by envs"
    );

    let tight = RenderOptions {
        max_apps: 3,
        ..options()
    };
    let tree = render(&repos, &tight);
    let envs = tree.get("envs").unwrap();
    assert_eq!(envs.status, RenderStatus::Error);
    assert!(
        envs.message.contains("generates more than 1 Applications"),
        "{}",
        envs.message
    );
}

//! AppProjects in a rendered tree: read from the tree, refusing apps and marking resources.

use super::tests::{options, render, repo, URL};
use super::*;

const OTHER: &str = "https://git.example/other.git";

/// An Application of `project` reading `path` of `repo_url`, deploying to `namespace`.
fn app_in(name: &str, project: &str, repo_url: &str, path: &str, namespace: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  \
         namespace: argocd\nspec:\n  project: {project}\n  source:\n    repoURL: {repo_url}\n    \
         targetRevision: main\n    path: {path}\n  destination:\n    server: \
         https://kubernetes.default.svc\n    namespace: {namespace}\n"
    )
}

/// Team may read the env repo only, deploy to namespaces `team-*`, and no cluster-scoped kind
/// but Namespaces.
fn team_project() -> String {
    "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: team\n  \
     namespace: argocd\nspec:\n  sourceRepos: ['https://git.example/env']\n  destinations:\n  \
     - server: https://kubernetes.default.svc\n    namespace: 'team-*'\n  \
     clusterResourceWhitelist:\n  - {group: '', kind: Namespace}\n"
        .into()
}

fn workloads() -> String {
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\nspec: {}\n---\n\
     apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: cart\n\
     ---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-cart\n"
        .into()
}

fn estate() -> (tempfile::TempDir, RepoMap) {
    let (dir, mut repos) = repo(&[
        (
            "apps/root.yaml",
            app_in("root", "default", URL, "apps/children", "argocd"),
        ),
        ("apps/children/project.yaml", team_project()),
        (
            "apps/children/cart.yaml",
            app_in("cart", "team", URL, "cart", "team-cart"),
        ),
        (
            "apps/children/wrong-ns.yaml",
            app_in("wrong-ns", "team", URL, "nested", "kube-system"),
        ),
        (
            "apps/children/wrong-repo.yaml",
            app_in("wrong-repo", "team", OTHER, "cart", "team-x"),
        ),
        (
            "apps/children/ghost.yaml",
            app_in("ghost", "nope", URL, "cart", "team-x"),
        ),
        ("cart/all.yaml", workloads()),
        (
            "nested/child.yaml",
            app_in("nested-child", "default", URL, "cart", "team-y"),
        ),
    ]);
    repos.insert(OTHER, dir.path());
    (dir, repos)
}

#[test]
fn apps_the_project_refuses_fail_and_keep_nothing() {
    let (_dir, repos) = estate();
    let tree = render(&repos, &options());
    let names: Vec<&str> = tree.apps.iter().map(|a| a.name.as_str()).collect();
    // `nested-child` went with the app that rendered it.
    assert_eq!(names, ["root", "cart", "ghost", "wrong-ns", "wrong-repo"]);

    let wrong_ns = tree.get("wrong-ns").unwrap();
    assert_eq!(wrong_ns.status, RenderStatus::Error);
    assert_eq!(
        wrong_ns.message,
        "application destination server 'https://kubernetes.default.svc' and namespace \
         'kube-system' do not match any of the allowed destinations in project 'team'"
    );
    assert!(wrong_ns.resources.is_empty() && wrong_ns.children.is_empty());
    assert_eq!(
        tree.get("wrong-repo").unwrap().message,
        "application repo https://git.example/other.git is not permitted in project 'team'"
    );
    assert_eq!(
        tree.get("ghost").unwrap().message,
        "Application referencing project nope which does not exist"
    );
}

#[test]
fn resources_the_project_refuses_stay_and_are_marked() {
    let (_dir, repos) = estate();
    let tree = render(&repos, &options());
    let cart = tree.get("cart").unwrap();
    assert_eq!(cart.status, RenderStatus::Ok, "{}", cart.message);
    assert_eq!(cart.resources.len(), 3);
    assert_eq!(
        cart.refused.iter().collect::<Vec<_>>(),
        [(
            &"rbac.authorization.k8s.io/ClusterRole//cart".to_string(),
            &"resource rbac.authorization.k8s.io:ClusterRole is not permitted in project team"
                .to_string()
        )]
    );
    // The root is in the implicit `default`: its AppProject and Applications are permitted.
    assert!(tree.root().unwrap().refused.is_empty());

    // `atrium apps render` shows them too.
    let json = crate::gitops::report::to_json(&tree);
    let cart_json = &json["apps"][1];
    assert_eq!(cart_json["name"], "cart");
    assert_eq!(
        cart_json["resources"][1]["notPermitted"],
        "resource rbac.authorization.k8s.io:ClusterRole is not permitted in project team"
    );
    assert!(cart_json["resources"][0].get("notPermitted").is_none());
    let text = crate::gitops::report::to_text(&tree);
    assert!(
        text.contains(
            "    not permitted: rbac.authorization.k8s.io/ClusterRole//cart: resource \
             rbac.authorization.k8s.io:ClusterRole is not permitted in project team\n"
        ),
        "{text}"
    );
}

#[test]
fn a_tree_without_projects_is_in_the_permissive_default_and_a_strict_default_applies() {
    let strict_default = "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  \
                          name: default\nspec:\n  sourceRepos: ['*']\n  destinations:\n  \
                          - {server: '*', namespace: '*'}\n";
    let files = |with_default: bool| {
        let mut files = vec![
            (
                "apps/root.yaml",
                app_in("root", "", URL, "apps/children", "argocd"),
            ),
            (
                "apps/children/cart.yaml",
                app_in("cart", "default", URL, "cart", "team-cart"),
            ),
            ("cart/all.yaml", workloads()),
        ];
        if with_default {
            files.push(("apps/children/default.yaml", strict_default.to_string()));
        }
        files
    };
    let (_dir, repos) = repo(&files(false));
    let tree = render(&repos, &options());
    assert!(!tree.has_failures());
    assert!(tree.apps.iter().all(|a| a.refused.is_empty()));

    // A `default` of the tree's own replaces the implicit one: no cluster-scoped kinds.
    let (_dir, repos) = repo(&files(true));
    let tree = render(&repos, &options());
    assert!(!tree.has_failures());
    let refused: Vec<&String> = tree.get("cart").unwrap().refused.keys().collect();
    assert_eq!(
        refused,
        [
            "/Namespace//team-cart",
            "rbac.authorization.k8s.io/ClusterRole//cart"
        ]
    );
    // The root's AppProject is cluster-scoped to the renderer, so `default` refuses it too.
    assert!(tree
        .root()
        .unwrap()
        .refused
        .contains_key("argoproj.io/AppProject//default"));
}

#[test]
fn an_application_object_its_parent_may_not_create_fails_that_child() {
    let project = "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  \
                   name: team\nspec:\n  sourceRepos: ['*']\n  destinations:\n  \
                   - {server: '*', namespace: '*'}\n  namespaceResourceBlacklist:\n  \
                   - {group: argoproj.io, kind: Application}\n";
    let (_dir, repos) = repo(&[
        (
            "apps/root.yaml",
            app_in("root", "default", URL, "apps/children", "argocd"),
        ),
        ("apps/children/project.yaml", project.to_string()),
        (
            "apps/children/parent.yaml",
            app_in("parent", "team", URL, "nested", "argocd"),
        ),
        (
            "nested/child.yaml",
            app_in("nested-child", "default", URL, "cart", "team-y"),
        ),
        ("cart/all.yaml", workloads()),
    ]);
    let tree = render(&repos, &options());
    let child = tree.get("nested-child").unwrap();
    assert_eq!(child.status, RenderStatus::Error);
    assert_eq!(
        child.message,
        "its Application object in parent: resource argoproj.io:Application is not permitted \
         in project team"
    );
    assert!(child.resources.is_empty());
    assert_eq!(tree.get("parent").unwrap().refused.len(), 1);
}

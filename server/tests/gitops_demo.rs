//! The embedded default's environment repos, rendered through the real tree code (directory
//! apps from Git, Kustomize through kubectl, the nested platform App of Apps).

use std::collections::BTreeSet;

use atrium_server::demo::catalog::demo_app_names;
use atrium_server::demo::environments::{
    demo_repo_mappings, demo_version, ensure_demo_environments, KUSTOMIZE_APPS,
};
use atrium_server::demo::git::commit_files;
use atrium_server::gitops::environment::EnvironmentConfig;
use atrium_server::gitops::render::{RenderOptions, RendererKind};
use atrium_server::gitops::repos::RepoMap;
use atrium_server::gitops::tree::{render_tree, RenderStatus, RenderedTree};

fn render(env: &EnvironmentConfig, repos: &RepoMap) -> RenderedTree {
    render_tree(&env.root_spec(), repos, &RenderOptions::default())
}

/// The image of the app's Deployment.
fn image(tree: &RenderedTree, app: &str) -> String {
    let node = tree.get(app).unwrap();
    let deployment = node
        .resources
        .iter()
        .find(|r| r.kind == "Deployment")
        .unwrap_or_else(|| panic!("{app} has no Deployment"));
    deployment.manifest.value()["spec"]["template"]["spec"]["containers"][0]["image"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn demo_environments_render_completely() {
    let data = tempfile::tempdir().unwrap();
    let envs = ensure_demo_environments(data.path()).unwrap();
    let names: Vec<&str> = envs.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["dev", "staging", "prod"]);
    assert_eq!(
        envs.iter().map(|e| e.production).collect::<Vec<_>>(),
        [false, false, true]
    );
    let repos = RepoMap::from_mappings(&demo_repo_mappings(data.path()));

    let trees: Vec<RenderedTree> = envs.iter().map(|e| render(e, &repos)).collect();
    for (env, tree) in envs.iter().zip(&trees) {
        let failed: Vec<_> = tree
            .apps
            .iter()
            .filter(|a| a.status != RenderStatus::Ok)
            .map(|a| format!("{}: {}", a.name, a.message))
            .collect();
        assert!(failed.is_empty(), "{}: {failed:?}", env.name);
    }
    let (dev, prod) = (&trees[0], &trees[2]);

    // Every catalog component that deploys has its app, plus the root and `platform`.
    assert!(prod.apps.len() >= 13, "{}", prod.apps.len());
    let apps: BTreeSet<&str> = prod.apps.iter().map(|a| a.name.as_str()).collect();
    for (name, _team) in demo_app_names() {
        assert!(apps.contains(name), "no app for component {name}");
    }
    let root = prod.root().unwrap();
    assert_eq!(root.name, "root");
    assert_eq!(
        root.source.repo_url,
        "https://git.brightcart.example/env-prod.git"
    );
    assert_eq!(root.source.revision.as_ref().map(String::len), Some(40));

    // Kustomize apps, rendered with their environment's overlay.
    let kustomize: Vec<&str> = prod
        .apps
        .iter()
        .filter(|a| a.source.renderer == Some(RendererKind::Kustomize))
        .map(|a| a.name.as_str())
        .collect();
    assert!(kustomize.len() >= 2, "{kustomize:?}");
    for app in KUSTOMIZE_APPS {
        assert_eq!(
            image(prod, app),
            format!(
                "registry.brightcart.example/{app}:{}",
                demo_version(app, "prod")
            )
        );
    }

    // The nested App of Apps.
    let platform = prod.get("platform").unwrap();
    assert_eq!(platform.parent.as_deref(), Some("root"));
    assert!(platform.children.len() >= 2);
    for child in &platform.children {
        let node = prod.get(child).unwrap();
        assert_eq!((node.parent.as_deref(), node.depth), (Some("platform"), 2));
        assert!(!node.resources.is_empty());
    }

    // Versions differ between dev and prod, dev newest.
    for app in ["storefront-web", "order-service", "developer-portal"] {
        let (d, p) = (image(dev, app), image(prod, app));
        assert_ne!(d, p, "{app}");
        assert!(d.ends_with(&demo_version(app, "dev")), "{d}");
    }

    // Auto-sync on dev; in prod only a few apps sync themselves.
    assert!(dev.apps.iter().all(|a| a.automated.is_some()));
    let prod_manual = prod.apps.iter().filter(|a| a.automated.is_none()).count();
    assert!(
        prod_manual >= 10 && prod_manual < prod.apps.len() - 1,
        "{prod_manual}"
    );

    // Waves, hooks, JSON manifests and namespaces as the files say.
    let order = prod.get("order-service").unwrap();
    assert!(order
        .resources
        .iter()
        .any(|r| r.hook.as_deref() == Some("PreSync")));
    let auth = prod.get("auth-service").unwrap();
    assert_eq!(auth.sync_wave, -1);
    let config = auth
        .resources
        .iter()
        .find(|r| r.kind == "ConfigMap")
        .unwrap();
    assert_eq!(
        (config.sync_wave, config.namespace.as_str()),
        (-1, "platform")
    );
}

#[test]
fn existing_environment_repos_are_left_alone() {
    let data = tempfile::tempdir().unwrap();
    let envs = ensure_demo_environments(data.path()).unwrap();
    let repo = git2::Repository::open(&envs[0].repo).unwrap();
    let changed = commit_files(
        &repo,
        "main",
        &[("services/mobile-bff/config.yaml", None)],
        "a later change",
        ("t", "t@example"),
    )
    .unwrap();
    let again = ensure_demo_environments(data.path()).unwrap();
    assert_eq!(again, envs);
    let head = repo
        .find_reference("refs/heads/main")
        .unwrap()
        .target()
        .unwrap();
    assert_eq!(head, changed);
}

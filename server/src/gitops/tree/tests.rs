use super::*;
use crate::demo::git::{commit_files, open_or_init};
use crate::gitops::destination::DestinationCluster;
use crate::gitops::render::RendererKind;
use crate::gitops::render::Tools;

pub(super) const URL: &str = "https://git.example/env.git";

/// An Application reading `path` of the test repo (`URL`) at `revision`.
pub(super) fn app(name: &str, path: &str, revision: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {name}\n  \
         namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: {URL}\n    \
         targetRevision: {revision}\n    path: {path}\n  destination:\n    server: \
         https://kubernetes.default.svc\n    namespace: {name}\n  syncPolicy:\n    automated: \
         {{prune: true, selfHeal: true}}\n    syncOptions: [CreateNamespace=true]\n"
    )
}

pub(super) fn cm(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: v\n")
}

/// A Git repo holding `files` on main, mapped as `URL`.
pub(super) fn repo(files: &[(&str, String)]) -> (tempfile::TempDir, RepoMap) {
    let dir = tempfile::tempdir().unwrap();
    let repo = open_or_init(dir.path(), "main").unwrap();
    let changes: Vec<_> = files
        .iter()
        .map(|(p, c)| (*p, Some(c.as_bytes())))
        .collect();
    commit_files(&repo, "main", &changes, "test", ("t", "t@example")).unwrap();
    let mut repos = RepoMap::new();
    repos.insert(URL, dir.path());
    (dir, repos)
}

pub(super) fn render(repos: &RepoMap, options: &RenderOptions) -> RenderedTree {
    let root = RootSpec {
        repo: URL.into(),
        revision: "main".into(),
        path: "apps/root.yaml".into(),
    };
    render_tree(&root, repos, options)
}

fn statuses(tree: &RenderedTree) -> Vec<(String, RenderStatus)> {
    tree.apps
        .iter()
        .map(|a| (a.name.clone(), a.status))
        .collect()
}

pub(super) fn options() -> RenderOptions {
    RenderOptions {
        tools: Tools::none(),
        ..Default::default()
    }
}

#[test]
fn renders_nested_apps_of_apps() {
    let (_dir, repos) = repo(&[
        ("apps/root.yaml", app("root", "apps", "HEAD")),
        ("apps/web.yaml", app("web", "web", "main")),
        (
            "apps/platform.yaml",
            app("platform", "platform/apps", "HEAD"),
        ),
        (
            "platform/apps/metrics.yaml",
            app("metrics", "metrics", "HEAD"),
        ),
        (
            "web/all.yaml",
            format!("{}---\n{}", cm("web-a"), cm("web-b")),
        ),
        ("metrics/cm.yaml", cm("metrics")),
    ]);
    let tree = render(&repos, &options());
    let names: Vec<(&str, Option<&str>)> = tree
        .apps
        .iter()
        .map(|a| (a.name.as_str(), a.parent.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("root", None),
            ("platform", Some("root")),
            ("metrics", Some("platform")),
            ("web", Some("root"))
        ]
    );
    assert!(!tree.has_failures(), "{tree:#?}");
    let root = tree.root().unwrap();
    // The root renders its own manifest (it manages itself) and its two children.
    assert_eq!(root.children, ["platform", "web"]);
    assert_eq!(root.resources.len(), 3);
    assert!(root
        .resources
        .iter()
        .all(crate::gitops::application::is_application));
    assert_eq!(root.source.revision.as_ref().map(String::len), Some(40));
    assert_eq!(root.source.renderer, Some(RendererKind::Directory));
    let web = tree.get("web").unwrap();
    assert_eq!(web.resources.len(), 2);
    assert_eq!(web.resources[0].namespace, "web");
    assert_eq!(
        web.automated.map(|a| (a.prune, a.self_heal)),
        Some((true, true))
    );
    assert_eq!(web.sync_options, ["CreateNamespace=true"]);
    assert_eq!(tree.get("metrics").unwrap().depth, 2);
}

#[test]
fn a_cycle_is_an_error_on_the_repeated_node() {
    let (_dir, repos) = repo(&[
        ("apps/root.yaml", app("root", "apps", "HEAD")),
        ("apps/a.yaml", app("a", "a", "HEAD")),
        ("a/b.yaml", app("b", "b", "HEAD")),
        ("b/a.yaml", app("a", "a", "HEAD")),
    ]);
    let tree = render(&repos, &options());
    assert_eq!(tree.apps.len(), 4, "{tree:#?}");
    let repeated = &tree.apps[3];
    assert_eq!(
        (repeated.name.as_str(), repeated.parent.as_deref()),
        ("a", Some("b"))
    );
    assert_eq!(repeated.status, RenderStatus::Error);
    assert_eq!(repeated.message, "cycle: root → a → b → a");
    assert!(repeated.resources.is_empty());
    assert_eq!(tree.get("b").unwrap().status, RenderStatus::Ok);
}

#[test]
fn depth_is_limited() {
    let (_dir, repos) = repo(&[
        ("apps/root.yaml", app("root", "l1", "HEAD")),
        ("l1/app.yaml", app("one", "l2", "HEAD")),
        ("l2/app.yaml", app("two", "l3", "HEAD")),
        ("l3/app.yaml", app("three", "l4", "HEAD")),
        ("l4/cm.yaml", cm("deep")),
    ]);
    let limited = RenderOptions {
        max_depth: 2,
        ..options()
    };
    let tree = render(&repos, &limited);
    assert_eq!(
        statuses(&tree),
        [
            ("root".into(), RenderStatus::Ok),
            ("one".into(), RenderStatus::Ok),
            ("two".into(), RenderStatus::Ok),
            ("three".into(), RenderStatus::Error),
        ]
    );
    assert!(tree.apps[3].message.contains("deeper than 2 levels"));
    assert!(!render(&repos, &options()).has_failures());
}

#[test]
fn broken_children_do_not_stop_their_siblings() {
    let mut unknown = app("elsewhere", "x", "HEAD");
    unknown = unknown.replace(URL, "https://git.example/unknown.git");
    let (_dir, repos) = repo(&[
        ("apps/root.yaml", app("root", "apps", "HEAD")),
        ("apps/elsewhere.yaml", unknown),
        ("apps/future.yaml", app("future", "ok", "v9")),
        ("apps/gone.yaml", app("gone", "no/such/path", "HEAD")),
        ("apps/invalid.yaml", app("invalid", "bad", "HEAD")),
        (
            "apps/typo.yaml",
            app("typo", "ok", "HEAD").replace("selfHeal: true", "selfHeal: [true]"),
        ),
        ("apps/fine.yaml", app("fine", "ok", "HEAD")),
        ("bad/x.yaml", "kind: [\n".into()),
        ("ok/cm.yaml", cm("ok")),
    ]);
    let tree = render(&repos, &options());
    let message = |name: &str| tree.get(name).unwrap().message.clone();
    assert_eq!(tree.get("fine").unwrap().status, RenderStatus::Ok);
    assert_eq!(tree.root().unwrap().status, RenderStatus::Ok);
    assert!(message("elsewhere").contains("unknown repoURL https://git.example/unknown.git"));
    assert!(
        message("future").contains("revision \"v9\" not found"),
        "{}",
        message("future")
    );
    assert!(message("gone").contains("\"no/such/path\" does not exist"));
    assert!(
        message("invalid").starts_with("bad/x.yaml: YAML error at line"),
        "{}",
        message("invalid")
    );
    assert!(
        message("typo").contains("spec.syncPolicy.automated.selfHeal"),
        "{}",
        message("typo")
    );
    for name in ["elsewhere", "future", "gone", "invalid", "typo"] {
        let node = tree.get(name).unwrap();
        assert_eq!(node.status, RenderStatus::Error, "{name}");
        assert!(node.resources.is_empty(), "{name}");
    }
}

#[test]
fn a_missing_root_is_one_failed_node() {
    let (_dir, repos) = repo(&[("apps/other.yaml", cm("x"))]);
    let tree = render(&repos, &options());
    assert_eq!(statuses(&tree), [("root".into(), RenderStatus::Error)]);
    assert!(tree.apps[0].message.contains("apps/root.yaml"));
}

#[test]
fn helm_without_helm_is_renderer_unavailable() {
    let (_dir, repos) = repo(&[
        ("apps/root.yaml", app("root", "apps", "HEAD")),
        ("apps/chart.yaml", app("chart", "chart", "HEAD")),
        ("apps/fine.yaml", app("fine", "ok", "HEAD")),
        (
            "chart/Chart.yaml",
            "apiVersion: v2\nname: c\nversion: 0.1.0\n".into(),
        ),
        ("chart/templates/cm.yaml", cm("{{ .Release.Name }}")),
        ("ok/cm.yaml", cm("ok")),
    ]);
    let tree = render(&repos, &options());
    let chart = tree.get("chart").unwrap();
    assert_eq!(chart.status, RenderStatus::RendererUnavailable);
    assert_eq!(chart.source.renderer, Some(RendererKind::Helm));
    assert!(
        chart.message.contains("helm is not on PATH"),
        "{}",
        chart.message
    );
    assert_eq!(tree.get("fine").unwrap().status, RenderStatus::Ok);
}

#[test]
fn kustomize_renders_through_kubectl_with_overrides() {
    let tools = Tools::from_path();
    assert!(
        tools.kustomize.is_some(),
        "kubectl (with built-in kustomize) or kustomize must be on PATH for this test"
    );
    let overridden = app("shop", "shop/overlay", "HEAD").replace(
        "    path: shop/overlay\n",
        "    path: shop/overlay\n    kustomize:\n      namePrefix: eu-\n      images:\n        - registry.example/shop:2.0.0\n",
    );
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  \
                      replicas: 1\n  selector:\n    matchLabels: {app: shop}\n  template:\n    \
                      metadata:\n      labels: {app: shop}\n    spec:\n      containers:\n        \
                      - name: shop\n          image: registry.example/shop:1.0.0\n";
    let (_dir, repos) = repo(&[
        ("apps/root.yaml", app("root", "apps", "HEAD")),
        ("apps/shop.yaml", overridden),
        ("apps/broken.yaml", app("broken", "broken", "HEAD")),
        ("shop/base/kustomization.yaml", "resources: [deployment.yaml, cm.yaml]\n".into()),
        ("shop/base/deployment.yaml", deployment.into()),
        ("shop/base/cm.yaml", cm("shop-config")),
        (
            "shop/overlay/kustomization.yaml",
            "resources: [../base]\npatches:\n  - path: replicas.yaml\n".into(),
        ),
        (
            "shop/overlay/replicas.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\nspec:\n  replicas: 3\n".into(),
        ),
        ("broken/kustomization.yaml", "resources: [missing.yaml]\n".into()),
    ]);
    let tree = render(&repos, &RenderOptions { tools, ..options() });
    let shop = tree.get("shop").unwrap();
    assert_eq!(shop.status, RenderStatus::Ok, "{}", shop.message);
    assert_eq!(shop.source.renderer, Some(RendererKind::Kustomize));
    let deploy = shop
        .resources
        .iter()
        .find(|r| r.kind == "Deployment")
        .unwrap();
    assert_eq!(deploy.name, "eu-shop");
    assert_eq!(deploy.namespace, "shop");
    let manifest = deploy.manifest.value();
    assert_eq!(manifest["spec"]["replicas"], 3);
    assert_eq!(
        manifest["spec"]["template"]["spec"]["containers"][0]["image"],
        "registry.example/shop:2.0.0"
    );
    assert!(shop.resources.iter().any(|r| r.name == "eu-shop-config"));
    let broken = tree.get("broken").unwrap();
    assert_eq!(broken.status, RenderStatus::Error);
    assert!(
        broken.message.contains("missing.yaml"),
        "{}",
        broken.message
    );
}

/// A repository must not pull the server's own files into manifests every reader sees
/// (Argo CD's CVE-2022-24348 for Helm; Kustomize follows directories anywhere on the disk).
#[test]
fn kustomize_cannot_read_outside_the_repository() {
    let tools = Tools::from_path();
    assert!(
        tools.kustomize.is_some(),
        "kubectl or kustomize must be on PATH for this test"
    );
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("kustomization.yaml"),
        "resources: [cm.yaml]\n",
    )
    .unwrap();
    std::fs::write(outside.path().join("cm.yaml"), cm("stolen")).unwrap();
    let escape = format!("../../../../../../../../../..{}", outside.path().display());
    let (_dir, repos) = repo(&[
        ("apps/root.yaml", app("root", "apps", "HEAD")),
        ("apps/evil.yaml", app("evil", "evil", "HEAD")),
        (
            "evil/kustomization.yaml",
            format!("resources: [cm.yaml, {escape}]\n"),
        ),
        ("evil/cm.yaml", cm("fine")),
    ]);
    let tree = render(&repos, &RenderOptions { tools, ..options() });
    let evil = tree.get("evil").unwrap();
    assert_eq!(evil.status, RenderStatus::Error, "{:?}", evil.resources);
    assert!(evil.resources.is_empty());
    assert!(
        evil.message
            .contains("evil/kustomization.yaml: resources entry")
            && evil.message.contains("leaves the repository"),
        "{}",
        evil.message
    );
}

#[test]
fn directory_globs_cannot_reach_outside_the_path() {
    let dir_app = app("web", "web", "HEAD").replace(
        "    path: web\n",
        "    path: web\n    directory:\n      recurse: true\n      include: '{../secret/*,../../**,*}'\n",
    );
    let (_dir, repos) = repo(&[
        ("apps/root.yaml", app("root", "apps", "HEAD")),
        ("apps/web.yaml", dir_app),
        ("web/cm.yaml", cm("web")),
        ("secret/cm.yaml", cm("secret")),
    ]);
    let tree = render(&repos, &options());
    let web = tree.get("web").unwrap();
    let names: Vec<&str> = web.resources.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["web"], "{}", web.message);
}

#[test]
fn duplicates_and_plain_directories() {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in [
        ("apps/root.yaml", app("root", "apps", "HEAD")),
        (
            "apps/a.yaml",
            format!("{}---\n{}", app("a", "ok", "HEAD"), app("a", "ok", "HEAD")),
        ),
        (
            "ok/cm.json",
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j"}}"#.into(),
        ),
    ] {
        let full = dir.path().join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }
    // Not mapped: the root manifest's repoURL is taken to be the directory it was read from.
    let root = RootSpec {
        repo: dir.path().display().to_string(),
        revision: "HEAD".into(),
        path: "apps/root.yaml".into(),
    };
    let tree = render_tree(&root, &RepoMap::new(), &options());
    assert_eq!(
        statuses(&tree),
        [
            ("root".into(), RenderStatus::Ok),
            ("a".into(), RenderStatus::Ok),
            ("a".into(), RenderStatus::Error),
        ]
    );
    assert!(tree.apps[2].message.contains("already rendered by root"));
    assert_eq!(tree.apps[1].resources[0].name, "j");
    assert_eq!(tree.apps[1].source.revision, None);
}

#[test]
fn destinations_name_a_cluster_of_the_environment_or_fail_the_app() {
    let to = |name: &str, destination: &str| {
        app(name, name, "HEAD").replace("server: https://kubernetes.default.svc", destination)
    };
    let (_dir, repos) = repo(&[
        ("apps/root.yaml", app("root", "apps", "HEAD")),
        ("apps/edge.yaml", to("edge", "name: edge-eu")),
        (
            "apps/by-url.yaml",
            to("by-url", "server: https://edge-eu.example:6443/"),
        ),
        (
            "apps/lost.yaml",
            to("lost", "server: https://nowhere.example:6443"),
        ),
        ("edge/cm.yaml", cm("edge")),
        ("by-url/cm.yaml", cm("by-url")),
        ("lost/cm.yaml", cm("lost")),
    ]);
    let mut options = options();
    options.clusters.push(DestinationCluster {
        name: "edge-eu".into(),
        server: "https://edge-eu.example:6443".into(),
        target: crate::cluster::ClusterTarget::Sim,
        labels: Default::default(),
    });
    let tree = render(&repos, &options);
    let cluster = |name: &str| tree.get(name).unwrap().cluster.as_deref();
    assert_eq!(cluster("root"), Some("in-cluster"));
    assert_eq!(cluster("edge"), Some("edge-eu"));
    assert_eq!(cluster("by-url"), Some("edge-eu"));
    let lost = tree.get("lost").unwrap();
    assert_eq!(
        (lost.status, lost.cluster.as_deref()),
        (RenderStatus::Error, None)
    );
    assert!(
        lost.message
            .starts_with("unknown destination server https://nowhere.example:6443"),
        "{}",
        lost.message
    );
    assert!(lost.resources.is_empty());
}

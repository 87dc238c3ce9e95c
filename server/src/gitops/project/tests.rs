use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::cluster::ClusterTarget;
use crate::gitops::destination::IN_CLUSTER_SERVER;

fn project(spec: Value) -> AppProject {
    AppProject::from_value(&json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
        "metadata": {"name": "team", "namespace": "argocd"}, "spec": spec,
    }))
    .unwrap()
}

fn clusters() -> Vec<DestinationCluster> {
    vec![
        DestinationCluster::in_cluster(ClusterTarget::Sim),
        DestinationCluster {
            name: "edge-eu".into(),
            server: "https://edge-eu.example.com:6443".into(),
            target: ClusterTarget::Context("edge-eu".into()),
            labels: BTreeMap::new(),
        },
    ]
}

fn resource(api_version: &str, kind: &str, namespace: &str, name: &str) -> DesiredResource {
    DesiredResource {
        api_version: api_version.into(),
        kind: kind.into(),
        namespace: namespace.into(),
        name: name.into(),
        manifest: json!({}).into(),
        sync_wave: 0,
        hook: None,
        facts: None,
    }
}

fn application(repo: &str, server: Option<&str>, name: Option<&str>, ns: &str) -> Application {
    let mut destination = json!({"namespace": ns});
    if let Some(server) = server {
        destination["server"] = json!(server);
    }
    if let Some(name) = name {
        destination["name"] = json!(name);
    }
    Application::from_value(&json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "cart"},
        "spec": {"project": "team", "source": {"repoURL": repo, "path": "cart"},
                 "destination": destination},
    }))
    .unwrap()
}

#[test]
fn source_repos_match_normalised_urls_globs_and_negations() {
    let p = project(json!({"sourceRepos": [
        "https://git.example/Team/*", "git@git.example:ops/*",
    ]}));
    assert!(p.permits_repo("https://git.example/team/cart"));
    assert!(p.permits_repo("https://GIT.example/team/cart.git/"));
    assert!(!p.permits_repo("https://git.example/team/nested/cart"));
    assert!(!p.permits_repo("https://git.example/other/cart"));
    // scp-style and ssh:// URLs are one repo.
    assert!(p.permits_repo("ssh://git@git.example/ops/infra.git"));
    assert!(p.permits_repo("git@git.example:ops/infra"));

    assert!(project(json!({"sourceRepos": ["*"]})).permits_repo("https://any/where/deep"));
    // No sourceRepos: nothing.
    assert!(!project(json!({})).permits_repo("https://git.example/team/cart"));
    // A negation refuses its repo, and counts as a match for every other one (Argo CD's
    // rule: `!x` alone permits everything but x).
    let deny = project(json!({"sourceRepos": [
        "https://git.example/team/*", "!https://git.example/team/secret.git",
    ]}));
    assert!(deny.permits_repo("https://git.example/team/cart"));
    assert!(!deny.permits_repo("https://git.example/team/secret"));
    assert!(deny.permits_repo("https://elsewhere/x"));
}

#[test]
fn destinations_match_server_or_name_and_namespace_with_negations() {
    let clusters = clusters();
    let (local, edge) = (&clusters[0], &clusters[1]);
    let p = project(json!({"destinations": [
        {"server": IN_CLUSTER_SERVER, "namespace": "team-*"},
        {"name": "edge-*", "namespace": "shop"},
    ]}));
    assert!(p.permits_destination(local, "team-a"));
    assert!(!p.permits_destination(local, "shop"));
    assert!(p.permits_destination(edge, "shop"));
    assert!(!p.permits_destination(edge, "team-a"));

    let deny = project(json!({"destinations": [
        {"server": "*", "namespace": "!kube-system"},
        {"server": "*", "namespace": "*"},
    ]}));
    assert!(deny.permits_destination(local, "shop"));
    assert!(!deny.permits_destination(local, "kube-system"));
    let not_edge = project(json!({"destinations": [
        {"name": "!edge-eu", "namespace": "*"},
        {"name": "*", "namespace": "*"},
    ]}));
    assert!(not_edge.permits_destination(local, "shop"));
    assert!(!not_edge.permits_destination(edge, "shop"));
}

#[test]
fn kinds_follow_argo_cd_defaults_and_lists() {
    // Nothing listed: every namespaced kind, no cluster-scoped one.
    let p = project(json!({}));
    assert!(p.permits_kind("apps", "Deployment", "cart", true));
    assert!(!p.permits_kind("", "Namespace", "shop", false));

    let p = project(json!({
        "clusterResourceWhitelist": [{"group": "", "kind": "Namespace"},
                                     {"group": "rbac.authorization.k8s.io", "kind": "Cluster*",
                                      "name": "team-*"}],
        "namespaceResourceBlacklist": [{"group": "", "kind": "ResourceQuota"}],
    }));
    assert!(p.permits_kind("", "Namespace", "shop", false));
    assert!(p.permits_kind("rbac.authorization.k8s.io", "ClusterRole", "team-x", false));
    assert!(!p.permits_kind("rbac.authorization.k8s.io", "ClusterRole", "admin", false));
    assert!(!p.permits_kind("", "ResourceQuota", "q", true));
    assert!(p.permits_kind("", "ConfigMap", "c", true));

    let p = project(json!({
        "clusterResourceWhitelist": [{"group": "*", "kind": "*"}],
        "clusterResourceBlacklist": [{"group": "", "kind": "Namespace"}],
        "namespaceResourceWhitelist": [{"group": "apps", "kind": "*"}, {"group": "", "kind": "Service"}],
    }));
    assert!(!p.permits_kind("", "Namespace", "shop", false));
    assert!(p.permits_kind("storage.k8s.io", "StorageClass", "fast", false));
    assert!(p.permits_kind("apps", "StatefulSet", "db", true));
    assert!(p.permits_kind("", "Service", "cart", true));
    assert!(!p.permits_kind("", "ConfigMap", "c", true));

    // An empty whitelist (not an absent one) permits no namespaced kind.
    let none = project(json!({"namespaceResourceWhitelist": []}));
    assert!(!none.permits_kind("", "ConfigMap", "c", true));
    // `key:` with nothing after it is absent.
    let null = project(json!({"namespaceResourceWhitelist": null}));
    assert!(null.permits_kind("", "ConfigMap", "c", true));
}

#[test]
fn apps_are_refused_for_their_repo_or_destination_in_argo_cd_words() {
    let p = project(json!({
        "sourceRepos": ["https://git.example/team/*"],
        "destinations": [{"server": IN_CLUSTER_SERVER, "namespace": "team"}],
    }));
    let clusters = clusters();
    let ok = application(
        "https://git.example/team/cart",
        Some(IN_CLUSTER_SERVER),
        None,
        "team",
    );
    assert_eq!(p.refuse_app(&ok, &clusters), None);

    let repo = application(
        "https://bot:s3cret@git.example/other/cart",
        Some(IN_CLUSTER_SERVER),
        None,
        "team",
    );
    let why = p.refuse_app(&repo, &clusters).unwrap();
    assert_eq!(
        why,
        "application repo https://git.example/other/cart is not permitted in project 'team'"
    );
    assert!(!why.contains("s3cret"));

    let ns = application(
        "https://git.example/team/cart",
        None,
        Some("edge-eu"),
        "team",
    );
    assert_eq!(
        p.refuse_app(&ns, &clusters).unwrap(),
        "application destination server 'edge-eu' and namespace 'team' do not match any of \
         the allowed destinations in project 'team'"
    );
    let unknown = application(
        "https://git.example/team/cart",
        Some("https://nowhere"),
        None,
        "team",
    );
    let why = p.refuse_app(&unknown, &clusters).unwrap();
    assert!(
        why.starts_with("project 'team': unknown destination server"),
        "{why}"
    );

    // Every source of a multi-source app counts, values-only (`ref`) ones too.
    let mut multi = ok.clone();
    multi.spec.sources = vec![
        ok.spec.source.clone().unwrap(),
        crate::gitops::application::ApplicationSource {
            repo_url: "https://charts.example/values".into(),
            ref_name: Some("values".into()),
            ..Default::default()
        },
    ];
    assert_eq!(
        p.refuse_app(&multi, &clusters).unwrap(),
        "application repo https://charts.example/values is not permitted in project 'team'"
    );

    // The implicit default asks nothing.
    assert_eq!(
        AppProject::implicit_default().refuse_app(&unknown, &clusters),
        None
    );
}

#[test]
fn resources_are_refused_for_their_kind_or_namespace() {
    let p = project(json!({
        "sourceRepos": ["*"],
        "destinations": [{"server": "*", "namespace": "team"}],
    }));
    let cluster = &clusters()[0];
    let deployment = resource("apps/v1", "Deployment", "team", "cart");
    assert_eq!(p.refuse_resource(&deployment, cluster), None);
    let role = resource("rbac.authorization.k8s.io/v1", "ClusterRole", "", "x");
    assert_eq!(
        p.refuse_resource(&role, cluster).unwrap(),
        "resource rbac.authorization.k8s.io:ClusterRole is not permitted in project team"
    );
    let elsewhere = resource("v1", "ConfigMap", "kube-system", "x");
    assert_eq!(
        p.refuse_resource(&elsewhere, cluster).unwrap(),
        "namespace kube-system is not permitted in project 'team'"
    );
}

#[test]
fn invalid_projects_name_the_field() {
    let err = AppProject::from_value(&json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject",
        "metadata": {"name": "team"}, "spec": {"sourceRepos": "https://x"},
    }))
    .unwrap_err();
    assert!(err.starts_with("spec.sourceRepos"), "{err}");
    let err = AppProject::from_value(&json!({"kind": "AppProject", "spec": {}})).unwrap_err();
    assert_eq!(err, "metadata.name is required");
}

use serde_json::json;

use super::*;
use crate::cluster::ClusterTarget;

/// A set with `generators` and a template naming its apps `name`, reading `path`.
fn set(generators: Value, name: &str, path: &str) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet",
        "metadata": {"name": "guestbook", "namespace": "argocd"},
        "spec": {
            "generators": generators,
            "template": {
                "metadata": {"name": name, "labels": {"team": "shop"}},
                "spec": {
                    "project": "default",
                    "source": {"repoURL": "https://git.example/env.git", "targetRevision": "HEAD", "path": path},
                    "destination": {"server": "{{url}}", "namespace": "guestbook"},
                },
            },
        },
    })
}

fn run(set: &Value, limit: usize) -> Result<Vec<Value>, String> {
    let clusters = vec![DestinationCluster::in_cluster(ClusterTarget::Sim)];
    let mut checkout = |url: &str, _: &str| Err(format!("unknown repoURL {url}"));
    generate(
        set,
        &mut Inputs {
            clusters: &clusters,
            checkout: &mut checkout,
            limit,
        },
    )
}

fn list(elements: Value) -> Value {
    json!([{"list": {"elements": elements}}])
}

#[test]
fn a_list_generator_renders_one_application_per_element() {
    let s = set(
        list(
            json!([{"cluster": "dev", "url": "https://kubernetes.default.svc"},
                    {"cluster": "prod", "url": "https://prod:6443"}]),
        ),
        "{{cluster}}-guestbook",
        "guestbook/{{cluster}}",
    );
    let apps = run(&s, 100).unwrap();
    assert_eq!(apps.len(), 2);
    assert_eq!(apps[0]["kind"], "Application");
    assert_eq!(apps[0]["apiVersion"], "argoproj.io/v1alpha1");
    assert_eq!(apps[0]["metadata"]["name"], "dev-guestbook");
    // The set's namespace, as Argo CD creates the apps there.
    assert_eq!(apps[0]["metadata"]["namespace"], "argocd");
    assert_eq!(apps[0]["metadata"]["labels"]["team"], "shop");
    assert_eq!(apps[1]["spec"]["source"]["path"], "guestbook/prod");
    assert_eq!(
        apps[1]["spec"]["destination"]["server"],
        "https://prod:6443"
    );
    crate::gitops::application::Application::from_value(&apps[1]).unwrap();
}

#[test]
fn the_clusters_generator_reads_the_environments_clusters() {
    let s = set(json!([{"clusters": {}}]), "{{nameNormalized}}-app", "x");
    let apps = run(&s, 100).unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["metadata"]["name"], "in-cluster-app");
}

#[test]
fn unsupported_generators_and_fields_are_refused_by_name() {
    let s = set(json!([{"matrix": {"generators": []}}]), "a", "a");
    let err = run(&s, 100).unwrap_err();
    assert!(
        err.contains("spec.generators[0].matrix: unsupported generator matrix"),
        "{err}"
    );
    let s = set(json!([{"merge": {}}]), "a", "a");
    assert!(run(&s, 100)
        .unwrap_err()
        .contains("unsupported generator merge"));
    let s = set(json!([{"bogus": {}}]), "a", "a");
    assert!(run(&s, 100)
        .unwrap_err()
        .contains("unknown generator bogus"));
    let s = set(
        json!([{"list": {"elements": []}, "clusters": {}}]),
        "a",
        "a",
    );
    assert!(run(&s, 100)
        .unwrap_err()
        .contains("expected exactly one generator"));

    let mut s = set(list(json!([{"cluster": "dev"}])), "{{cluster}}", "a");
    s["spec"]["templatePatch"] = json!("spec: {}");
    assert!(run(&s, 100)
        .unwrap_err()
        .contains("spec.templatePatch is not supported"));
    let mut s = set(list(json!([])), "a", "a");
    s["spec"]["goTemplate"] = json!("yes");
    assert!(run(&s, 100)
        .unwrap_err()
        .contains("spec.goTemplate: expected true or false"));
    let s = set(json!([]), "a", "a");
    assert!(run(&s, 100).unwrap_err().contains("spec.generators"));
}

#[test]
fn invalid_or_duplicate_generated_names_fail_the_set() {
    let s = set(list(json!([{"cluster": "Dev"}])), "{{cluster}}-app", "a");
    let err = run(&s, 100).unwrap_err();
    assert!(err.contains("\"Dev-app\" is not a valid name"), "{err}");
    // A tag with no parameter stays as written, and is not a name.
    let s = set(list(json!([{"cluster": "dev"}])), "{{clustr}}-app", "a");
    assert!(run(&s, 100).unwrap_err().contains("is not a valid name"));
    let s = set(
        list(json!([{"cluster": "dev"}, {"cluster": "dev"}])),
        "{{cluster}}",
        "a",
    );
    let err = run(&s, 100).unwrap_err();
    assert!(err.contains("generates Application dev twice"), "{err}");
}

#[test]
fn the_generated_count_is_bounded() {
    let elements: Vec<Value> = (0..5)
        .map(|i| json!({"cluster": format!("c{i}")}))
        .collect();
    let s = set(list(Value::Array(elements)), "{{cluster}}", "a");
    assert_eq!(run(&s, 5).unwrap().len(), 5);
    let err = run(&s, 4).unwrap_err();
    assert!(err.contains("generates more than 4 Applications"), "{err}");
}

#[test]
fn go_templates_selectors_and_generator_templates() {
    let mut s = set(
        json!([{
            "list": {
                "elements": [{"env": {"name": "dev"}, "tier": "a"}, {"env": {"name": "prod"}, "tier": "b"}],
                "template": {"metadata": {"labels": {"from": "generator"}}},
            },
            "selector": {"matchLabels": {"tier": "b"}},
        }]),
        "{{.env.name}}-app",
        "apps/{{ .env.name }}",
    );
    s["spec"]["goTemplate"] = json!(true);
    s["spec"]["template"]["spec"]["destination"]["server"] =
        json!("https://kubernetes.default.svc");
    let apps = run(&s, 100).unwrap();
    assert_eq!(apps.len(), 1);
    assert_eq!(apps[0]["metadata"]["name"], "prod-app");
    assert_eq!(apps[0]["spec"]["source"]["path"], "apps/prod");
    // The generator's template is merged over the set's.
    assert_eq!(
        apps[0]["metadata"]["labels"],
        json!({"team": "shop", "from": "generator"})
    );

    s["spec"]["template"]["metadata"]["name"] = json!("{{ .env.name | upper }}");
    let err = run(&s, 100).unwrap_err();
    assert!(err.contains("is not supported"), "{err}");
}

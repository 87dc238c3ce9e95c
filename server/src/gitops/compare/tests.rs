//! Classifying two environments' apps and resources.

use serde_json::{json, Value};

use super::*;
use crate::resource::metadata::TRACKING_LABEL;

fn resource(manifest: Value) -> DesiredResource {
    let meta = &manifest["metadata"];
    DesiredResource {
        api_version: manifest["apiVersion"].as_str().unwrap().into(),
        kind: manifest["kind"].as_str().unwrap().into(),
        namespace: meta["namespace"].as_str().unwrap_or("").into(),
        name: meta["name"].as_str().unwrap().into(),
        manifest: manifest.into(),
        sync_wave: 0,
        hook: None,
        facts: None,
    }
}

fn deployment(namespace: &str, tag: &str, env: Value) -> DesiredResource {
    resource(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "cart", "namespace": namespace},
        "spec": {"replicas": 2, "template": {"spec": {"containers": [
            {"name": "cart", "image": format!("registry/cart:{tag}"), "env": env},
            {"name": "proxy", "image": "registry/proxy:1"}
        ]}}}
    }))
}

fn config(namespace: &str, mode: &str) -> DesiredResource {
    resource(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "cart-config", "namespace": namespace},
        "data": {"mode": mode}
    }))
}

fn app(name: &str, resources: Vec<DesiredResource>) -> RenderedApp {
    RenderedApp::rendered(name, resources)
}

fn tree(apps: Vec<RenderedApp>) -> RenderedTree {
    RenderedTree { apps }
}

fn classes(apps: &[AppComparison]) -> Vec<(&str, CompareStatus)> {
    apps.iter().map(|a| (a.name.as_str(), a.status)).collect()
}

fn env_vars() -> Value {
    json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}])
}

#[test]
fn equal_apps_are_the_same_and_a_new_tag_differs() {
    let from = tree(vec![
        app(
            "cart",
            vec![deployment("shop", "1.2.0", env_vars()), config("shop", "x")],
        ),
        app("web", vec![config("shop", "y")]),
    ]);
    let to = tree(vec![
        app(
            "cart",
            vec![deployment("shop", "1.1.0", env_vars()), config("shop", "x")],
        ),
        app("web", vec![config("shop", "y")]),
    ]);
    let result = compare_trees(&from, &to);
    assert_eq!(
        classes(&result),
        [
            ("cart", CompareStatus::Differs),
            ("web", CompareStatus::Same)
        ]
    );
    let cart: Vec<_> = result[0]
        .resources
        .iter()
        .map(|r| (r.kind.as_str(), r.status))
        .collect();
    assert_eq!(
        cart,
        [
            ("Deployment", CompareStatus::Differs),
            ("ConfigMap", CompareStatus::Same)
        ]
    );
}

#[test]
fn a_renamed_app_is_only_in_each_side_under_its_name() {
    let from = tree(vec![app("cart", vec![config("shop", "x")])]);
    let to = tree(vec![app("basket", vec![config("shop", "x")])]);
    assert_eq!(
        classes(&compare_trees(&from, &to)),
        [
            ("cart", CompareStatus::OnlyFrom),
            ("basket", CompareStatus::OnlyTo)
        ]
    );
}

#[test]
fn a_resource_moved_to_another_namespace_is_two_resources() {
    let from = tree(vec![app("cart", vec![config("shop", "x")])]);
    let to = tree(vec![app("cart", vec![config("store", "x")])]);
    let result = compare_trees(&from, &to);
    assert_eq!(result[0].status, CompareStatus::Differs);
    let rows: Vec<_> = result[0]
        .resources
        .iter()
        .map(|r| (r.namespace.as_str(), r.status))
        .collect();
    assert_eq!(
        rows,
        [
            ("shop", CompareStatus::OnlyFrom),
            ("store", CompareStatus::OnlyTo)
        ]
    );
}

#[test]
fn the_order_of_named_items_is_not_a_difference_but_other_order_is() {
    let reordered = json!([{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]);
    let from = tree(vec![app("cart", vec![deployment("shop", "1", env_vars())])]);
    let to = tree(vec![app("cart", vec![deployment("shop", "1", reordered)])]);
    assert_eq!(compare_trees(&from, &to)[0].status, CompareStatus::Same);

    // Containers listed the other way round: still the same (merged by name).
    let mut swapped = deployment("shop", "1", env_vars());
    swapped.manifest.edit(|m| {
        let containers = m["spec"]["template"]["spec"]["containers"]
            .as_array_mut()
            .unwrap();
        containers.reverse();
    });
    let to = tree(vec![app("cart", vec![swapped])]);
    assert_eq!(compare_trees(&from, &to)[0].status, CompareStatus::Same);

    // A list of plain values in another order is another list.
    let args = |a: &[&str]| {
        resource(json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "namespace": "shop"}, "data": {}, "args": a}))
    };
    let from = tree(vec![app("cart", vec![args(&["a", "b"])])]);
    let to = tree(vec![app("cart", vec![args(&["b", "a"])])]);
    assert_eq!(compare_trees(&from, &to)[0].status, CompareStatus::Differs);
}

#[test]
fn tracking_marks_server_metadata_and_nulls_are_not_differences() {
    let mut marked = config("shop", "x");
    marked.manifest.edit(|m| {
        m["metadata"]["labels"] = json!({ TRACKING_LABEL: "cart" });
        m["metadata"]["resourceVersion"] = json!("42");
        m["status"] = json!({"ready": true});
        m["spec"] = Value::Null;
    });
    let from = tree(vec![app("cart", vec![config("shop", "x")])]);
    let to = tree(vec![app("cart", vec![marked])]);
    assert_eq!(compare_trees(&from, &to)[0].status, CompareStatus::Same);
}

#[test]
fn an_app_that_failed_to_render_on_one_side_differs() {
    let mut broken = app("cart", Vec::new());
    broken.status = RenderStatus::Error;
    broken.message = "kustomize build failed".into();
    let from = tree(vec![app("cart", vec![config("shop", "x")])]);
    let to = tree(vec![broken]);
    let result = compare_trees(&from, &to);
    assert_eq!(result[0].status, CompareStatus::Differs);
    assert_eq!(result[0].resources[0].status, CompareStatus::OnlyFrom);
}

#[test]
fn the_yaml_diff_runs_from_one_environment_to_the_other() {
    let (from, to, lines) = resource_yaml_diff(
        Some(&config("shop", "blue")),
        Some(&config("shop", "green")),
    );
    assert!(from.unwrap().contains("mode: blue"));
    assert!(to.unwrap().contains("mode: green"));
    let changed: Vec<_> = lines
        .iter()
        .filter(|l| l.tag != ' ')
        .map(|l| (l.tag, l.text.trim()))
        .collect();
    assert_eq!(changed, [('-', "mode: blue"), ('+', "mode: green")]);

    let (from, to, lines) = resource_yaml_diff(None, Some(&config("shop", "x")));
    assert!(from.is_none() && to.is_some());
    assert!(lines.iter().all(|l| l.tag == '+'));
}

#[test]
fn secret_values_never_appear_but_a_changed_value_shows() {
    let secret = |password: &str, user: &str| {
        resource(json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "db", "namespace": "shop"},
            "data": {"password": password}, "stringData": {"user": user}}))
    };
    let (from, to, lines) = resource_yaml_diff(
        Some(&secret("czNjcjN0", "admin")),
        Some(&secret("b3RoZXI=", "admin")),
    );
    let (from, to) = (from.unwrap(), to.unwrap());
    for text in [&from, &to] {
        assert!(
            !text.contains("czNjcjN0") && !text.contains("b3RoZXI="),
            "{text}"
        );
        assert!(!text.contains("admin"), "{text}");
    }
    // The same user masks alike on both sides; the two passwords differently.
    let changed: Vec<_> = lines.iter().filter(|l| l.tag != ' ').collect();
    assert_eq!(changed.len(), 2, "{lines:?}");
    assert!(changed.iter().all(|l| l.text.contains("password")));
    assert_eq!(
        compare_trees(
            &tree(vec![app("db", vec![secret("czNjcjN0", "admin")])]),
            &tree(vec![app("db", vec![secret("b3RoZXI=", "admin")])]),
        )[0]
        .status,
        CompareStatus::Differs
    );
}

#[test]
fn the_renders_facts_decide_as_the_json_walk_does() {
    let with_facts = |mut r: DesiredResource| {
        r.facts = Some(crate::resource::facts::desired_facts(&r.manifest.value()));
        r
    };
    let reordered = json!([{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]);
    let base = || with_facts(deployment("shop", "1", env_vars()));
    let cases = [
        (
            with_facts(deployment("shop", "1", reordered)),
            CompareStatus::Same,
        ),
        (
            with_facts(deployment("shop", "2", env_vars())),
            CompareStatus::Differs,
        ),
        (with_facts(config("shop", "x")), CompareStatus::OnlyTo),
    ];
    for (other, expected) in cases {
        let from = tree(vec![app("cart", vec![base()])]);
        let to = tree(vec![app("cart", vec![other.clone()])]);
        let facts = compare_trees(&from, &to);
        let walked = compare_trees(
            &tree(vec![app("cart", vec![deployment("shop", "1", env_vars())])]),
            &tree(vec![app(
                "cart",
                vec![DesiredResource {
                    facts: None,
                    ..other
                }],
            )]),
        );
        assert_eq!(facts, walked);
        assert_eq!(facts[0].resources.last().unwrap().status, expected);
    }
}

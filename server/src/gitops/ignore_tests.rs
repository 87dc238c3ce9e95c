use serde_json::json;

use super::*;
use crate::gitops::render::objects::to_resources;

fn app(rules: Value) -> Application {
    Application::from_value(&json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
        "metadata": {"name": "guestbook"},
        "spec": {"ignoreDifferences": rules}
    }))
    .unwrap()
}

fn deployment(replicas: i64, image: &str) -> DesiredResource {
    let mut out = Vec::new();
    to_resources(
        "d.yaml",
        vec![json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [
                {"name": "web", "image": image}, {"name": "log", "image": "log:1"}]}}}})],
        "shop",
        &mut out,
    )
    .unwrap();
    out.remove(0)
}

/// What the cluster holds: `replicas` set by an autoscaler, the web image by someone's
/// `kubectl set image`, both recorded in managedFields.
fn live(replicas: i64, image: &str) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "managedFields": [
            {"manager": "atrium", "operation": "Apply", "fieldsV1": {"f:spec": {"f:template": {}}}},
            {"manager": "hpa-controller", "operation": "Update", "fieldsV1": {"f:spec": {"f:replicas": {}}}},
            {"manager": "kubectl-set", "operation": "Update", "fieldsV1": {"f:spec": {"f:template": {"f:spec": {
                "f:containers": {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}}}}}}}}
        ]},
        "spec": {"replicas": replicas, "template": {"spec": {"containers": [
            {"name": "web", "image": image}, {"name": "log", "image": "log:1"}]}}}})
}

#[test]
fn json_pointers_leave_fields_out_of_the_verdict() {
    let desired = deployment(2, "web:1");
    let drifted = live(5, "web:1");
    assert!(!in_sync(&desired.manifest.value(), &drifted));
    let rules =
        app(json!([{"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}]))
            .spec
            .ignore_differences;
    assert!(any_picks(&rules, &desired));
    assert!(in_sync_ignoring(&rules, &desired, &drifted));
    // Only the named field: another drift still counts.
    assert!(!in_sync_ignoring(&rules, &desired, &live(5, "web:2")));
    // A rule for another kind, name or group picks nothing.
    for other in [
        json!([{"group": "", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}]),
        json!([{"group": "apps", "kind": "StatefulSet", "jsonPointers": ["/spec/replicas"]}]),
        json!([{"group": "apps", "kind": "Deployment", "name": "api", "jsonPointers": ["/spec/replicas"]}]),
    ] {
        let rules = app(other).spec.ignore_differences;
        assert!(!any_picks(&rules, &desired));
    }
}

#[test]
fn managed_fields_managers_ignore_what_those_managers_own() {
    let desired = deployment(2, "web:1");
    let rules = app(json!([{"group": "apps", "kind": "Deployment",
        "managedFieldsManagers": ["hpa-controller", "kubectl-set"]}]))
    .spec
    .ignore_differences;
    assert!(in_sync_ignoring(&rules, &desired, &live(5, "web:hotfix")));
    let only_hpa = app(json!([{"group": "apps", "kind": "Deployment",
        "managedFieldsManagers": ["hpa-controller"]}]))
    .spec
    .ignore_differences;
    assert!(in_sync_ignoring(&only_hpa, &desired, &live(5, "web:1")));
    assert!(!in_sync_ignoring(
        &only_hpa,
        &desired,
        &live(5, "web:hotfix")
    ));
}

#[test]
fn respect_keeps_live_values_of_ignored_fields_in_what_is_applied() {
    let rules = app(json!([{"group": "apps", "kind": "Deployment",
        "jsonPointers": ["/spec/replicas", "/metadata/annotations/owner"],
        "managedFieldsManagers": ["kubectl-set"]}]))
    .spec
    .ignore_differences;
    let mut desired = deployment(2, "web:1");
    desired
        .manifest
        .edit(|m| m["metadata"]["annotations"] = json!({"owner": "git"}));
    respect(&rules, &mut desired, &live(5, "web:hotfix"));
    let m = &desired.manifest.value();
    assert_eq!(m["spec"]["replicas"], 5);
    assert_eq!(
        m["spec"]["template"]["spec"]["containers"][0]["image"],
        "web:hotfix"
    );
    assert_eq!(
        m["spec"]["template"]["spec"]["containers"][1]["image"],
        "log:1"
    );
    // Not in the live object: left out, so the sync does not set it either.
    assert!(m["metadata"]["annotations"].get("owner").is_none(), "{m}");
    assert_eq!(
        desired.facts,
        Some(crate::resource::facts::desired_facts(m))
    );
}

#[test]
fn for_sync_needs_the_option_and_rules() {
    let desired = vec![deployment(2, "web:1")];
    let a =
        app(json!([{"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}]));
    let live_of = |_: &str| Some(live(5, "web:1"));
    assert!(for_sync(Some(&a), &[], &desired, live_of).is_none());
    let synced = for_sync(Some(&a), &[RESPECT.to_string()], &desired, live_of).unwrap();
    assert_eq!(synced[0].manifest.value()["spec"]["replicas"], 5);
}

#[test]
fn jq_expressions_and_bad_pointers_are_refused_by_field() {
    let jq = app(json!([{"group": "apps", "kind": "Deployment",
        "jqPathExpressions": [".spec.template.spec.initContainers[] | select(.name == \"x\")"]}]));
    let err = check(&jq).unwrap_err();
    assert!(
        err.starts_with("spec.ignoreDifferences[0].jqPathExpressions: jq expressions are not supported (app guestbook)"),
        "{err}"
    );
    let bad = app(json!([{"kind": "Service", "jsonPointers": ["/spec/ports", "spec/x"]}]));
    let err = check(&bad).unwrap_err();
    assert!(
        err.contains("spec.ignoreDifferences[0].jsonPointers: \"spec/x\""),
        "{err}"
    );
    assert!(check(&app(json!([]))).is_ok());
}

#[test]
fn the_diff_panel_leaves_ignored_fields_out_and_names_them() {
    let desired = deployment(2, "web:1");
    let rules = app(json!([
        {"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas", "/spec/paused"]},
        {"group": "apps", "kind": "Deployment", "managedFieldsManagers": ["kubectl-set"]}
    ]))
    .spec
    .ignore_differences;
    let (want, got, ignored) = without_ignored(&rules, &desired, &live(5, "web:2"));
    // Neither side has `/spec/paused`: nothing to name.
    assert_eq!(
        ignored,
        [
            "/spec/replicas",
            "/spec/template/spec/containers/[{\"name\":\"web\"}]/image"
        ]
    );
    assert!(want["spec"].get("replicas").is_none() && got["spec"].get("replicas").is_none());
    assert!(in_sync(&want, &got), "{want:#}\n{got:#}");
    let d = crate::cluster::driver::diff(&want, &got);
    assert!(d
        .lines
        .iter()
        .all(|l| l.op == crate::cluster::driver::DiffOp::Same));
}

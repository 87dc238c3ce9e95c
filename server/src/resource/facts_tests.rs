//! The facts' verdicts on a served object and its drifts. The fixtures are shared with the
//! cluster driver's tests, which hold the facts to `in_sync` (the walk they stand for).

use serde_json::{json, Value};

use super::*;

/// The facts' verdict: does `live` state everything `desired` asks?
pub(crate) fn verdict(desired: &Value, live: &Value) -> bool {
    states_all(&live_facts(live), &desired_facts(desired))
}

pub(crate) fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop",
                     "labels": {"app": "web", "atrium.dev/app": "shop"}, "annotations": {"a": "1"}},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [
                                  {"name": "web", "image": "web:1", "ports": [{"containerPort": 80}],
                                   "args": ["-v", "2"]},
                                  {"name": "log", "image": "log:1"}]}}},
        "status": {"replicas": 2}
    })
}

/// The live form of a desired object: server metadata, defaults, status and another
/// manager's fields added, as the emulator and a real API server do.
pub(crate) fn as_served(desired: &Value) -> Value {
    let mut live = desired.clone();
    let mut set = |at: &str, key: &str, v: Value| {
        if let Some(Value::Object(m)) = live.pointer_mut(at) {
            m.insert(key.into(), v);
        }
    };
    set(
        "",
        "metadata",
        desired.get("metadata").cloned().unwrap_or(json!({})),
    );
    set("/metadata", "uid", json!("u-1"));
    set("/metadata", "resourceVersion", json!("42"));
    set("/metadata", "generation", json!(3));
    let fields = json!([{"manager": "atrium", "fieldsV1": {"f:spec": {}}}]);
    set("/metadata", "managedFields", fields);
    set("/metadata/labels", "atrium.dev/app", json!("shop"));
    set("/spec", "revisionHistoryLimit", json!(10));
    set("/spec/template/spec", "dnsPolicy", json!("ClusterFirst"));
    let pulled = "/spec/template/spec/containers/0";
    set(pulled, "imagePullPolicy", json!("Always"));
    set("", "status", json!({"replicas": 1, "conditions": []}));
    live
}

/// [`deployment`] as served, and drifts of it, each with whether it is in sync.
pub(crate) fn served_cases() -> Vec<(&'static str, Value, bool)> {
    let live = as_served(&deployment());
    let mut image = live.clone();
    image["spec"]["template"]["spec"]["containers"][0]["image"] = json!("web:2");
    let mut reordered = live.clone();
    reordered["spec"]["template"]["spec"]["containers"]
        .as_array_mut()
        .unwrap()
        .reverse();
    let mut args = live.clone();
    args["spec"]["template"]["spec"]["containers"][0]["args"] = json!(["-v"]);
    let mut label = live.clone();
    label["metadata"]["labels"]["app"] = json!("api");
    let mut float = live.clone();
    float["spec"]["replicas"] = json!(2.0);
    vec![
        ("as served", live, true),
        ("image", image, false),
        ("named list reordered", reordered, true),
        ("positional list shortened", args, false),
        ("label", label, false),
        ("2 vs 2.0", float, false),
    ]
}

#[test]
fn a_served_object_is_in_sync_and_drift_is_not() {
    let d = deployment();
    for (case, live, want) in served_cases() {
        assert_eq!(verdict(&d, &live), want, "{case}");
    }
}

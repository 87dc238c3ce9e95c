use serde_json::json;

use super::*;

fn desired() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {"replicas": 2, "template": {"spec": {"containers": [{"name": "web", "image": "web:1"}]}}}
    })
}

fn live() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {
            "name": "web", "namespace": "shop", "uid": "u", "resourceVersion": "7", "generation": 3,
            "creationTimestamp": "2026-01-01T00:00:00Z", "managedFields": [{"manager": "atrium"}],
            "labels": {"app": "web", "atrium.dev/app": "shop"},
            "annotations": {"atrium.dev/tracking-id": "shop:apps/Deployment/shop/web"}
        },
        "spec": {
            "replicas": 2, "revisionHistoryLimit": 10, "progressDeadlineSeconds": 600,
            "template": {"spec": {"containers": [
                {"name": "web", "image": "web:1", "imagePullPolicy": "IfNotPresent"},
                {"name": "istio-proxy", "image": "proxy:1"}
            ], "dnsPolicy": "ClusterFirst"}}
        },
        "status": {"replicas": 2}
    })
}

#[test]
fn server_fields_defaults_and_other_managers_fields_are_not_drift() {
    let d = diff(&desired(), &live());
    assert_eq!(d.sync, SyncStatus::Synced, "{}", d.live_yaml);
    assert!(d.lines.iter().all(|l| l.op == DiffOp::Same));
    assert_eq!(d.desired_yaml, d.live_yaml);
    assert!(!d.live_yaml.contains("managedFields") && !d.live_yaml.contains("atrium.dev"));
}

#[test]
fn a_changed_field_is_out_of_sync_with_a_line_each_way() {
    let mut l = live();
    l["spec"]["template"]["spec"]["containers"][0]["image"] = json!("web:2");
    let d = diff(&desired(), &l);
    assert_eq!(d.sync, SyncStatus::OutOfSync);
    let changed: Vec<(DiffOp, &str)> = d
        .lines
        .iter()
        .filter(|l| l.op != DiffOp::Same)
        .map(|l| (l.op, l.text.trim()))
        .collect();
    assert_eq!(
        changed,
        [
            (DiffOp::Removed, "- image: web:2"),
            (DiffOp::Added, "- image: web:1")
        ]
    );
}

#[test]
fn a_field_missing_from_live_is_out_of_sync() {
    let mut l = live();
    l["metadata"]["labels"]
        .as_object_mut()
        .unwrap()
        .remove("app");
    assert_eq!(diff(&desired(), &l).sync, SyncStatus::OutOfSync);
}

#[test]
fn an_absent_object_is_out_of_sync_and_all_added() {
    let d = diff(&desired(), &Value::Null);
    assert_eq!(d.sync, SyncStatus::OutOfSync);
    assert!(d.live_yaml.is_empty());
    assert!(d.lines.iter().all(|l| l.op == DiffOp::Added));
}

#[test]
fn atomic_lists_compare_whole() {
    let want = json!({"spec": {"args": ["a", "b"]}});
    assert_eq!(
        diff(&want, &json!({"spec": {"args": ["a", "b", "c"]}})).sync,
        SyncStatus::OutOfSync
    );
    assert_eq!(
        diff(&want, &json!({"spec": {"args": ["a", "b"]}})).sync,
        SyncStatus::Synced
    );
}

#[test]
fn tracking_marks_in_desired_are_ignored_too() {
    let mut d = desired();
    d["metadata"]["labels"]["atrium.dev/app"] = json!("shop");
    d["status"] = json!({"replicas": 9});
    d["metadata"]["annotations"] = json!({"x": null});
    assert_eq!(diff(&d, &live()).sync, SyncStatus::Synced);
}

#[test]
fn in_sync_agrees_with_the_full_diff() {
    let mut changed = live();
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = json!("web:2");
    let mut missing = live();
    missing["spec"].as_object_mut().unwrap().remove("replicas");
    let mut no_container = live();
    no_container["spec"]["template"]["spec"]["containers"] = json!([{"name": "istio-proxy"}]);
    let mut tracked = desired();
    tracked["metadata"]["labels"]["atrium.dev/app"] = json!("shop");
    tracked["metadata"]["annotations"] = json!({"x": null});
    tracked["status"] = json!({"replicas": 9});
    let args = json!({"spec": {"args": ["a", "b"]}});
    let cases = [
        (desired(), live()),
        (desired(), changed),
        (desired(), missing),
        (desired(), no_container),
        (desired(), Value::Null),
        (tracked, live()),
        (args.clone(), json!({"spec": {"args": ["a", "b", "c"]}})),
        (args.clone(), json!({"spec": {"args": ["a", "b"]}})),
        (args, json!({"spec": {"args": "a"}})),
        (json!({"data": {}}), json!({"data": {"k": "v"}})),
        (json!({"data": {"k": 1}}), json!({"data": {"k": 1.0}})),
        (
            json!({"data": {"k": null, "j": {"x": null}}}),
            json!({"data": {"j": {}}}),
        ),
        (json!({"data": {"j": {"x": null}}}), json!({"data": {}})),
        (
            json!({"metadata": {"labels": {"atrium.dev/app": "a"}}}),
            json!({"metadata": {}}),
        ),
        (
            json!({"metadata": {"labels": {"a": "1"}}}),
            json!({"metadata": {"labels": "x"}}),
        ),
        (
            json!({"metadata": {"uid": "u", "name": "n"}}),
            json!({"metadata": {"name": "n"}}),
        ),
        (
            json!({"spec": {"list": [null, 1]}}),
            json!({"spec": {"list": [null, 1]}}),
        ),
        // Wanted keys between, before and after live's, and prefixes.
        (
            json!({"data": {"b": 1, "d": 2, "dd": 3, "z": 4}}),
            json!({"data": {"a": 0, "b": 1, "c": 9, "d": 2, "dd": 3, "de": 5, "z": 4}}),
        ),
        (
            json!({"data": {"b": 1, "zz": 4}}),
            json!({"data": {"a": 0, "b": 1, "z": 4}}),
        ),
        (json!({"data": {"": 1}}), json!({"data": {"": 1, "a": 2}})),
        (json!({"data": {"a": 1}}), json!({"data": {"A": 1, "ä": 1}})),
    ];
    for (i, (want, got)) in cases.iter().enumerate() {
        let full = diff(want, got).sync == SyncStatus::Synced;
        assert_eq!(in_sync(want, got), full, "case {i}");
    }
}

#[test]
fn secret_values_are_masked_in_both_sides_and_the_diff_but_a_change_still_shows() {
    let secret = |password: &str| {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db", "namespace": "shop"},
               "type": "Opaque", "data": {"password": password, "user": "YWRtaW4="},
               "stringData": {"dsn": format!("postgres://admin:{password}@db")}})
    };
    let d = diff(&secret("czNjcjN0"), &secret("b3RoZXI="));
    assert_eq!(
        d.sync,
        SyncStatus::OutOfSync,
        "the verdict sees the real values"
    );
    let shown: Vec<&str> = d.lines.iter().map(|l| l.text.as_str()).collect();
    let text = format!("{}\n{}\n{}", d.desired_yaml, d.live_yaml, shown.join("\n"));
    for value in ["czNjcjN0", "b3RoZXI=", "YWRtaW4=", "postgres://"] {
        assert!(!text.contains(value), "{value} leaked:\n{text}");
    }
    assert!(text.contains("++++++++"), "{text}");
    let changed = |op| d.lines.iter().filter(|l| l.op == op).count();
    assert_eq!(changed(DiffOp::Added), 2, "password and dsn differ: {text}");
    assert_eq!(changed(DiffOp::Removed), 2, "{text}");

    let same = diff(&secret("czNjcjN0"), &secret("czNjcjN0"));
    assert_eq!(same.sync, SyncStatus::Synced);
    assert_eq!(same.desired_yaml, same.live_yaml);
    assert!(!same.desired_yaml.contains("czNjcjN0"));
}

use super::*;
use crate::cluster::sim::kinds::by_plural;

fn deployment(image: &str, extra_label: bool) -> Value {
    let mut labels = json!({"app": "web"});
    if extra_label {
        labels["extra"] = json!("yes");
    }
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": labels},
           "spec": {"selector": {}, "template": {"spec": {"containers": [{"name": "m", "image": image}]}}}})
}

#[test]
fn reapplying_the_same_object_writes_nothing() {
    let kind = by_plural("apps", "v1", "deployments").unwrap();
    let mut store = ObjectStore::new();
    let (first, created) = store
        .apply(
            kind,
            "default",
            "web",
            "atrium",
            deployment("a:1", true),
            true,
            false,
        )
        .unwrap();
    assert!(created);
    let (again, created) = store
        .apply(
            kind,
            "default",
            "web",
            "atrium",
            deployment("a:1", true),
            true,
            false,
        )
        .unwrap();
    assert!(!created);
    assert_eq!(
        first["metadata"]["resourceVersion"],
        again["metadata"]["resourceVersion"]
    );
}

#[test]
fn fields_a_manager_stops_applying_go_unless_someone_else_owns_them() {
    let kind = by_plural("apps", "v1", "deployments").unwrap();
    let mut store = ObjectStore::new();
    store
        .apply(
            kind,
            "default",
            "web",
            "atrium",
            deployment("a:1", true),
            true,
            false,
        )
        .unwrap();
    let (obj, _) = store
        .apply(
            kind,
            "default",
            "web",
            "atrium",
            deployment("a:1", false),
            true,
            false,
        )
        .unwrap();
    assert!(obj["metadata"]["labels"].get("extra").is_none());
    assert_eq!(obj["metadata"]["generation"], 1, "labels are not spec");

    store
        .apply(
            kind,
            "default",
            "web",
            "other",
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"keep": "me"}}}),
            false,
            false,
        )
        .unwrap();
    store
        .apply(
            kind,
            "default",
            "web",
            "atrium",
            deployment("a:2", false),
            true,
            false,
        )
        .unwrap();
    let obj = store.get(kind, "default", "web").unwrap();
    assert_eq!(obj["metadata"]["labels"]["keep"], "me");
    assert_eq!(obj["metadata"]["generation"], 2);
    let managers: Vec<&str> = obj["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["manager"].as_str().unwrap())
        .collect();
    assert_eq!(managers, ["atrium", "other"]);
}

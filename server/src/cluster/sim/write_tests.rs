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

/// The managers named in an object's `managedFields`, with their operation and subresource.
fn managers_of(obj: &Value) -> Vec<(String, String, Option<String>)> {
    obj["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["manager"].as_str().unwrap().to_string(),
                m["operation"].as_str().unwrap().to_string(),
                m["subresource"].as_str().map(String::from),
            )
        })
        .collect()
}

#[test]
fn a_status_write_keeps_other_managers_entries() {
    let kind = by_plural("apps", "v1", "deployments").unwrap();
    let mut store = ObjectStore::new();
    store
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
    store
        .update(
            kind,
            "default",
            "web",
            "kubectl-edit",
            Part::Main,
            None,
            false,
            |mut o| {
                o["spec"]["replicas"] = json!(5);
                Ok(o)
            },
        )
        .unwrap();
    let before = store.get(kind, "default", "web").unwrap();
    assert!(before.get("status").is_none(), "nothing wrote status yet");

    // The object's first status: the write that used to take every field from everyone.
    let after = store
        .update(
            kind,
            "default",
            "web",
            "sim-controller",
            Part::Status,
            None,
            false,
            |mut o| {
                o["status"] = json!({"observedGeneration": 2, "replicas": 5});
                Ok(o)
            },
        )
        .unwrap();
    let status = Some("status".to_string());
    assert_eq!(
        managers_of(&after),
        [
            ("atrium".into(), "Apply".into(), None),
            ("kubectl-edit".into(), "Update".into(), None),
            ("sim-controller".into(), "Update".into(), status),
        ]
    );
    let entries = after["metadata"]["managedFields"].as_array().unwrap();
    let before_entries = before["metadata"]["managedFields"].as_array().unwrap();
    assert_eq!(
        entries[..2],
        before_entries[..],
        "the other managers' entries are kept exactly"
    );

    // A second status write changes the controller's entry only.
    let again = store
        .update(
            kind,
            "default",
            "web",
            "sim-controller",
            Part::Status,
            None,
            false,
            |mut o| {
                o["status"] = json!({"observedGeneration": 2, "replicas": 5, "readyReplicas": 5});
                Ok(o)
            },
        )
        .unwrap();
    assert_eq!(
        again["metadata"]["managedFields"].as_array().unwrap()[..2],
        before_entries[..]
    );
}

#[test]
fn a_bare_apply_takes_no_fields_from_others() {
    let kind = by_plural("", "v1", "configmaps").unwrap();
    let mut store = ObjectStore::new();
    let cm = |data: Value| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data});
    store
        .apply(
            kind,
            "default",
            "c",
            "atrium",
            cm(json!({"a": "1"})),
            true,
            false,
        )
        .unwrap();
    // Owning nothing is not owning everything: a forced apply of the bare object conflicts
    // with nobody and leaves atrium's data alone.
    let bare = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
    let (obj, _) = store
        .apply(kind, "default", "c", "other", bare, true, false)
        .unwrap();
    assert_eq!(obj["data"], json!({"a": "1"}));
    assert_eq!(managers_of(&obj), [("atrium".into(), "Apply".into(), None)]);
}

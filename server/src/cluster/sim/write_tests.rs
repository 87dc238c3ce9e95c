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

fn deployments() -> &'static KindInfo {
    by_plural("apps", "v1", "deployments").unwrap()
}

/// `manager` applies `body` (forced or not) to the Deployment `web` in `default`; returns the
/// stored object and whether it was created.
fn apply_web(store: &mut ObjectStore, manager: &str, body: Value, force: bool) -> (Value, bool) {
    let kind = deployments();
    store
        .apply(kind, "default", "web", manager, body, force, false)
        .unwrap()
}

/// `manager` writes `part` of the Deployment `web` in `default`, as `edit` changes it.
fn update_web(
    store: &mut ObjectStore,
    manager: &str,
    part: Part,
    edit: impl FnOnce(&mut Value),
) -> Value {
    let kind = deployments();
    store
        .update(
            kind,
            "default",
            "web",
            manager,
            part,
            None,
            false,
            |mut o| {
                edit(&mut o);
                Ok(o)
            },
        )
        .unwrap()
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

fn entry(
    manager: &str,
    operation: &str,
    subresource: Option<&str>,
) -> (String, String, Option<String>) {
    (
        manager.into(),
        operation.into(),
        subresource.map(String::from),
    )
}

#[test]
fn reapplying_the_same_object_writes_nothing() {
    let mut store = ObjectStore::new();
    let (first, created) = apply_web(&mut store, "atrium", deployment("a:1", true), true);
    assert!(created);
    let (again, created) = apply_web(&mut store, "atrium", deployment("a:1", true), true);
    assert!(!created);
    assert_eq!(
        first["metadata"]["resourceVersion"],
        again["metadata"]["resourceVersion"]
    );
}

#[test]
fn fields_a_manager_stops_applying_go_unless_someone_else_owns_them() {
    let mut store = ObjectStore::new();
    apply_web(&mut store, "atrium", deployment("a:1", true), true);
    let (obj, _) = apply_web(&mut store, "atrium", deployment("a:1", false), true);
    assert!(obj["metadata"]["labels"].get("extra").is_none());
    assert_eq!(obj["metadata"]["generation"], 1, "labels are not spec");

    let labels = json!({"apiVersion": "apps/v1", "kind": "Deployment",
                        "metadata": {"name": "web", "labels": {"keep": "me"}}});
    apply_web(&mut store, "other", labels, false);
    apply_web(&mut store, "atrium", deployment("a:2", false), true);
    let obj = store.get(deployments(), "default", "web").unwrap();
    assert_eq!(obj["metadata"]["labels"]["keep"], "me");
    assert_eq!(obj["metadata"]["generation"], 2);
    assert_eq!(
        managers_of(&obj),
        [
            entry("atrium", "Apply", None),
            entry("other", "Apply", None)
        ]
    );
}

#[test]
fn a_status_write_keeps_other_managers_entries() {
    let mut store = ObjectStore::new();
    apply_web(&mut store, "atrium", deployment("a:1", false), true);
    let before = update_web(&mut store, "kubectl-edit", Part::Main, |o| {
        o["spec"]["replicas"] = json!(5)
    });
    assert!(before.get("status").is_none(), "nothing wrote status yet");

    // The object's first status: the write that used to take every field from everyone.
    let after = update_web(&mut store, "sim-controller", Part::Status, |o| {
        o["status"] = json!({"observedGeneration": 2, "replicas": 5})
    });
    assert_eq!(
        managers_of(&after),
        [
            entry("atrium", "Apply", None),
            entry("kubectl-edit", "Update", None),
            entry("sim-controller", "Update", Some("status")),
        ]
    );
    let kept = &before["metadata"]["managedFields"].as_array().unwrap()[..];
    let entries = |obj: &Value| obj["metadata"]["managedFields"].as_array().unwrap()[..2].to_vec();
    assert_eq!(
        entries(&after),
        kept,
        "the other managers' entries are kept exactly"
    );

    // A second status write changes the controller's entry only.
    let again = update_web(&mut store, "sim-controller", Part::Status, |o| {
        o["status"]["readyReplicas"] = json!(5)
    });
    assert_eq!(entries(&again), kept);
}

#[test]
fn a_bare_apply_takes_no_fields_from_others() {
    let mut store = ObjectStore::new();
    apply_web(&mut store, "atrium", deployment("a:1", false), true);
    // Owning nothing is not owning everything: a forced apply of the bare object conflicts
    // with nobody and leaves atrium's fields and entry alone.
    let bare = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}});
    let (obj, _) = apply_web(&mut store, "other", bare, true);
    assert_eq!(
        obj["spec"]["template"]["spec"]["containers"][0]["image"],
        "a:1"
    );
    assert_eq!(managers_of(&obj), [entry("atrium", "Apply", None)]);
}

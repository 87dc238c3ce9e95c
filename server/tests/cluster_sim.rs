//! The Kubernetes API emulator through kube::Client, over loopback HTTP and in-process:
//! discovery, label selectors, delete-collection, Status errors, ownership conflicts, the
//! status subresource, server metadata, and watch.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Pod, Service};
use kube::api::{
    Api, DeleteParams, ListParams, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::core::GroupVersionKind;
use kube::discovery::Discovery;
use kube::Client;
use serde_json::{json, Value};

use atrium_server::cluster::driver::{ClusterDriver, ResourceAction, SyncOptions};
use atrium_server::cluster::sim::{self, Served, Sim, SimConfig, KINDS};
use atrium_server::resource::DesiredResource;

fn config() -> SimConfig {
    SimConfig {
        rollout_delay: Duration::from_millis(200),
    }
}

async fn served() -> (Served, Client) {
    let served = sim::serve("127.0.0.1:0".parse().unwrap(), config())
        .await
        .unwrap();
    let client = served.client().unwrap();
    (served, client)
}

fn apply_as(manager: &str) -> PatchParams {
    PatchParams::apply(manager).force()
}

async fn make_namespace(client: &Client, name: &str) {
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
    Api::<Namespace>::all(client.clone())
        .patch(name, &apply_as("test"), &Patch::Apply(&ns))
        .await
        .unwrap();
}

async fn make_pod(client: &Client, ns: &str, name: &str, labels: Value) {
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels},
                     "spec": {"containers": [{"name": "main", "image": "busybox:1"}]}});
    Api::<Pod>::namespaced(client.clone(), ns)
        .patch(name, &apply_as("test"), &Patch::Apply(&pod))
        .await
        .unwrap();
}

fn api_error(e: kube::Error) -> kube::core::Status {
    match e {
        kube::Error::Api(s) => *s,
        other => panic!("expected a Status, got {other:?}"),
    }
}

#[tokio::test]
async fn discovery_resolves_every_served_kind() {
    let (_served, client) = served().await;
    let discovery = Discovery::new(client.clone()).run().await.unwrap();
    for k in KINDS {
        let gvk = GroupVersionKind::gvk(k.group, k.version, k.kind);
        let (ar, caps) = discovery
            .resolve_gvk(&gvk)
            .unwrap_or_else(|| panic!("{gvk:?} not discovered"));
        assert_eq!(ar.plural, k.plural);
        assert_eq!(
            caps.scope == kube::discovery::Scope::Namespaced,
            k.namespaced,
            "{}",
            k.kind
        );
        assert!(caps.supports_operation("patch"));
    }
    let info = client.apiserver_version().await.unwrap();
    assert_eq!(info.major, "1");
}

#[tokio::test]
async fn label_selectors_equality_and_set_based_across_namespaces() {
    let (_served, client) = served().await;
    make_namespace(&client, "a").await;
    make_namespace(&client, "b").await;
    make_pod(&client, "a", "web", json!({"app": "web", "env": "prod"})).await;
    make_pod(&client, "a", "db", json!({"app": "db", "env": "dev"})).await;
    make_pod(
        &client,
        "b",
        "web",
        json!({"app": "web", "env": "dev", "legacy": "yes"}),
    )
    .await;

    let all: Api<Pod> = Api::all(client.clone());
    let names = |lp: ListParams| {
        let all = all.clone();
        async move {
            let list = all.list(&lp).await.unwrap();
            let mut out: Vec<String> = list
                .items
                .into_iter()
                .map(|p| {
                    format!(
                        "{}/{}",
                        p.metadata.namespace.unwrap(),
                        p.metadata.name.unwrap()
                    )
                })
                .collect();
            out.sort();
            out
        }
    };
    let labels = |s: &str| ListParams::default().labels(s);
    assert_eq!(names(labels("app=web")).await, ["a/web", "b/web"]);
    assert_eq!(names(labels("app==web,env=prod")).await, ["a/web"]);
    assert_eq!(names(labels("app!=web")).await, ["a/db"]);
    assert_eq!(
        names(labels("env in (dev,staging)")).await,
        ["a/db", "b/web"]
    );
    assert_eq!(names(labels("env notin (dev)")).await, ["a/web"]);
    assert_eq!(names(labels("legacy")).await, ["b/web"]);
    assert_eq!(names(labels("!legacy")).await, ["a/db", "a/web"]);
    assert_eq!(
        names(ListParams::default().fields("metadata.name=db")).await,
        ["a/db"]
    );

    let in_a: Api<Pod> = Api::namespaced(client.clone(), "a");
    assert_eq!(in_a.list(&labels("app=web")).await.unwrap().items.len(), 1);
    let bad = api_error(all.list(&labels("env in dev")).await.unwrap_err());
    assert_eq!((bad.code, bad.reason.as_str()), (400, "BadRequest"));
}

#[tokio::test]
async fn delete_collection_honours_the_selector() {
    let (_served, client) = served().await;
    make_namespace(&client, "a").await;
    for (name, tier) in [("one", "cache"), ("two", "cache"), ("three", "web")] {
        make_pod(&client, "a", name, json!({"tier": tier})).await;
    }
    let pods: Api<Pod> = Api::namespaced(client.clone(), "a");
    let gone = pods
        .delete_collection(
            &DeleteParams::default(),
            &ListParams::default().labels("tier=cache"),
        )
        .await
        .unwrap();
    let gone = gone
        .left()
        .expect("the deleted objects come back as a list");
    assert_eq!(gone.items.len(), 2);
    let left: Vec<String> = pods
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|p| p.metadata.name.unwrap())
        .collect();
    assert_eq!(left, ["three"]);
}

#[tokio::test]
async fn missing_objects_are_a_not_found_status() {
    let (served, client) = served().await;
    let err = api_error(
        Api::<Pod>::namespaced(client, "default")
            .get("nope")
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (err.code, err.reason.as_str(), err.message.as_str()),
        (404, "NotFound", "pods \"nope\" not found")
    );

    let body: Value = reqwest::get(format!(
        "{}/apis/apps/v1/namespaces/default/deployments/nope",
        served.url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(body["kind"], "Status");
    assert_eq!(body["apiVersion"], "v1");
    assert_eq!(body["status"], "Failure");
    assert_eq!(body["reason"], "NotFound");
    assert_eq!(body["code"], 404);
    assert_eq!(
        body["details"],
        json!({"name": "nope", "group": "apps", "kind": "deployments"})
    );
    let unknown = reqwest::get(format!("{}/apis/example.com/v1/widgets", served.url()))
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn bad_input_and_conflicts_name_the_field() {
    let (_served, client) = served().await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let bad_name =
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "Bad_Name"}});
    let err = api_error(
        cms.patch("Bad_Name", &apply_as("a"), &Patch::Apply(&bad_name))
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (422, "Invalid"));
    assert!(err.message.contains("metadata.name"), "{}", err.message);

    let deploys: Api<Deployment> = Api::namespaced(client.clone(), "default");
    let no_selector = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"containers": [{"name": "m", "image": "x:1"}]}}}});
    let err = api_error(
        deploys
            .patch("web", &apply_as("a"), &Patch::Apply(&no_selector))
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code, 422);
    assert!(
        err.message.contains("spec.selector: Required value"),
        "{}",
        err.message
    );

    let cm = |v: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": v}});
    cms.patch("c", &apply_as("first"), &Patch::Apply(&cm("1")))
        .await
        .unwrap();
    let unforced = PatchParams::apply("second");
    let err = api_error(
        cms.patch("c", &unforced, &Patch::Apply(&cm("2")))
            .await
            .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (409, "Conflict"));
    assert!(
        err.message.contains("conflict with \"first\"") && err.message.contains(".data.k"),
        "{}",
        err.message
    );
    // Same value is shared ownership, not a conflict; force takes the field over.
    cms.patch("c", &unforced, &Patch::Apply(&cm("1")))
        .await
        .unwrap();
    cms.patch("c", &apply_as("second"), &Patch::Apply(&cm("2")))
        .await
        .unwrap();

    let err = api_error(
        cms.create(
            &PostParams::default(),
            &serde_json::from_value(cm("3")).unwrap(),
        )
        .await
        .unwrap_err(),
    );
    assert_eq!((err.code, err.reason.as_str()), (409, "AlreadyExists"));
    let mut stale: ConfigMap = cms.get("c").await.unwrap();
    stale.metadata.resource_version = Some("1".into());
    let err = api_error(
        cms.replace("c", &PostParams::default(), &stale)
            .await
            .unwrap_err(),
    );
    assert_eq!(err.code, 409);
}

#[tokio::test]
async fn status_is_its_own_subresource_and_metadata_is_the_servers() {
    let (_served, client) = served().await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"x": "1"}}, "data": {"k": "v"}});
    let first = cms
        .patch("c", &apply_as("a"), &Patch::Apply(&cm))
        .await
        .unwrap();
    let meta = &first.metadata;
    assert!(meta.uid.as_deref().is_some_and(|u| u.len() == 36));
    assert!(meta.creation_timestamp.is_some());
    assert_eq!(meta.generation, Some(1));
    let rv1: u64 = meta.resource_version.as_deref().unwrap().parse().unwrap();

    let mut relabelled = cm.clone();
    relabelled["metadata"]["labels"]["x"] = json!("2");
    let second = cms
        .patch("c", &apply_as("a"), &Patch::Apply(&relabelled))
        .await
        .unwrap();
    assert_eq!(
        second.metadata.generation,
        Some(1),
        "metadata changes keep the generation"
    );
    let rv2: u64 = second
        .metadata
        .resource_version
        .as_deref()
        .unwrap()
        .parse()
        .unwrap();
    assert!(rv2 > rv1);
    let mut changed = relabelled.clone();
    changed["data"]["k"] = json!("w");
    let third = cms
        .patch("c", &apply_as("a"), &Patch::Apply(&changed))
        .await
        .unwrap();
    assert_eq!(third.metadata.generation, Some(2));

    // A ClusterIP Service: has a status subresource, and no simulated controller touches it.
    let services: Api<Service> = Api::namespaced(client.clone(), "default");
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"ports": [{"name": "http", "port": 80}]},
        "status": {"loadBalancer": {"ingress": [{"ip": "9.9.9.9"}]}}});
    let created = services
        .patch("web", &apply_as("a"), &Patch::Apply(&svc))
        .await
        .unwrap();
    let ingress = |s: &Service| {
        s.status
            .as_ref()
            .and_then(|st| st.load_balancer.as_ref())
            .and_then(|lb| lb.ingress.clone())
            .unwrap_or_default()
    };
    assert!(
        ingress(&created).is_empty(),
        "status in a main-resource write is ignored"
    );
    let lb = json!({"status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}});
    let patched = services
        .patch_status("web", &PatchParams::default(), &Patch::Merge(lb))
        .await
        .unwrap();
    assert_eq!(ingress(&patched)[0].ip.as_deref(), Some("1.2.3.4"));
    assert_eq!(
        patched.metadata.generation, created.metadata.generation,
        "status writes keep the generation"
    );
    assert_eq!(
        ingress(&services.get_status("web").await.unwrap())[0]
            .ip
            .as_deref(),
        Some("1.2.3.4")
    );
    let relabel = json!({"metadata": {"labels": {"x": "y"}}});
    let after = services
        .patch("web", &PatchParams::default(), &Patch::Merge(relabel))
        .await
        .unwrap();
    assert_eq!(ingress(&after).len(), 1, "main-resource writes keep status");
}

#[tokio::test]
async fn watch_streams_changes() {
    let (_served, client) = served().await;
    let cms: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let cm = |v: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "w", "labels": {"watch": "me"}}, "data": {"k": v}});
    cms.patch("w", &apply_as("a"), &Patch::Apply(&cm("1")))
        .await
        .unwrap();
    let mut events = cms
        .watch(&WatchParams::default().labels("watch=me").timeout(5), "0")
        .await
        .unwrap()
        .boxed();
    let first = tokio::time::timeout(Duration::from_secs(3), events.try_next())
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(first, Some(WatchEvent::Added(ref c)) if c.metadata.name.as_deref() == Some("w")),
        "{first:?}"
    );
    cms.patch("w", &apply_as("a"), &Patch::Apply(&cm("2")))
        .await
        .unwrap();
    let next = tokio::time::timeout(Duration::from_secs(3), events.try_next())
        .await
        .unwrap()
        .unwrap();
    let Some(WatchEvent::Modified(c)) = next else {
        panic!("{next:?}")
    };
    assert_eq!(c.data.unwrap()["k"], "2");
    cms.delete("w", &DeleteParams::default()).await.unwrap();
    let last = tokio::time::timeout(Duration::from_secs(3), events.try_next())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(last, Some(WatchEvent::Deleted(_))), "{last:?}");
}

#[tokio::test]
async fn deleting_a_namespace_deletes_its_contents() {
    let (_served, client) = served().await;
    make_namespace(&client, "gone").await;
    make_pod(&client, "gone", "p", json!({})).await;
    Api::<Namespace>::all(client.clone())
        .delete("gone", &DeleteParams::default())
        .await
        .unwrap();
    let pods: Api<Pod> = Api::all(client);
    assert!(pods
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .is_empty());
}

#[tokio::test]
async fn the_driver_also_works_in_process() {
    let sim = Sim::start(config());
    let driver = ClusterDriver::new(sim.client());
    let manifest = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "inproc"}, "data": {"a": "1"}});
    let desired = DesiredResource {
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        namespace: "inproc".into(),
        name: "c".into(),
        manifest: manifest.into(),
        sync_wave: 0,
        hook: None,
        facts: None,
    };
    let opts = SyncOptions {
        create_namespace: true,
        ..Default::default()
    };
    let report = driver.apply("inproc", &[desired], opts).await.unwrap();
    assert_eq!(
        report.result("/ConfigMap/inproc/c").unwrap().action,
        ResourceAction::Created
    );
    assert_eq!(driver.live("inproc").await.unwrap().len(), 1);
}

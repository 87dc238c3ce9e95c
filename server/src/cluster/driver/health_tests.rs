use serde_json::{json, Value};

use super::*;

fn deploy(generation: i64, status: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "generation": generation},
           "spec": {"replicas": 2}, "status": status})
}

#[test]
fn deployments_follow_argo_cd() {
    let unobserved = deploy(2, json!({"observedGeneration": 1}));
    assert_eq!(health(&unobserved).0, Health::Progressing);
    let rolling = deploy(
        1,
        json!({"observedGeneration": 1, "replicas": 2, "updatedReplicas": 1}),
    );
    assert_eq!(health(&rolling).0, Health::Progressing);
    let done = deploy(
        1,
        json!({"observedGeneration": 1, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2}),
    );
    assert_eq!(health(&done), (Health::Healthy, None));
    let stuck = deploy(
        1,
        json!({"observedGeneration": 1, "conditions": [
        {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded"}]}),
    );
    let (h, msg) = health(&stuck);
    assert_eq!(h, Health::Degraded);
    assert!(msg.unwrap().contains("exceeded its progress deadline"));
    let mut paused = done.clone();
    paused["spec"]["paused"] = json!(true);
    assert_eq!(health(&paused).0, Health::Suspended);
}

#[test]
fn stateful_sets_wait_for_ready_pods_and_revisions() {
    let sts = |status: Value| {
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"generation": 1}, "spec": {"replicas": 1}, "status": status})
    };
    assert_eq!(health(&sts(json!({}))).0, Health::Progressing);
    assert_eq!(
        health(&sts(json!({"observedGeneration": 1, "readyReplicas": 0}))).0,
        Health::Progressing
    );
    let rolling = sts(
        json!({"observedGeneration": 1, "readyReplicas": 1, "currentRevision": "a", "updateRevision": "b"}),
    );
    assert_eq!(health(&rolling).0, Health::Progressing);
    let done = sts(
        json!({"observedGeneration": 1, "readyReplicas": 1, "currentRevision": "b", "updateRevision": "b"}),
    );
    assert_eq!(health(&done).0, Health::Healthy);
}

#[test]
fn daemon_sets_and_replica_sets() {
    let ds = json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"generation": 1},
        "status": {"observedGeneration": 1, "desiredNumberScheduled": 3, "updatedNumberScheduled": 3, "numberAvailable": 2}});
    assert_eq!(health(&ds).0, Health::Progressing);
    let rs = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"generation": 1}, "spec": {"replicas": 1},
        "status": {"observedGeneration": 1, "availableReplicas": 0,
                   "conditions": [{"type": "ReplicaFailure", "status": "True", "message": "quota"}]}});
    assert_eq!(health(&rs), (Health::Degraded, Some("quota".into())));
}

#[test]
fn pods_by_phase_and_container_state() {
    let pod = |phase: &str, ready: bool, waiting: Option<&str>| {
        let mut cs = json!({"name": "a", "ready": ready, "state": {}});
        if let Some(r) = waiting {
            cs["state"] = json!({"waiting": {"reason": r}});
        }
        json!({"apiVersion": "v1", "kind": "Pod", "spec": {}, "status": {"phase": phase, "containerStatuses": [cs]}})
    };
    assert_eq!(health(&pod("Running", true, None)).0, Health::Healthy);
    assert_eq!(health(&pod("Running", false, None)).0, Health::Progressing);
    assert_eq!(
        health(&pod("Pending", false, Some("ImagePullBackOff"))).0,
        Health::Degraded
    );
    assert_eq!(
        health(&pod("Running", false, Some("CrashLoopBackOff"))).0,
        Health::Degraded
    );
    assert_eq!(health(&pod("Succeeded", false, None)).0, Health::Healthy);
    assert_eq!(health(&pod("Failed", false, None)).0, Health::Degraded);
}

#[test]
fn services_ingresses_and_claims() {
    let svc = |kind: &str, ingress: Value| {
        json!({"apiVersion": "v1", "kind": "Service",
        "spec": {"type": kind}, "status": {"loadBalancer": {"ingress": ingress}}})
    };
    assert_eq!(health(&svc("ClusterIP", json!([]))).0, Health::Healthy);
    assert_eq!(
        health(&svc("LoadBalancer", json!([]))).0,
        Health::Progressing
    );
    assert_eq!(
        health(&svc("LoadBalancer", json!([{"ip": "1.2.3.4"}]))).0,
        Health::Healthy
    );
    let ing = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "status": {}});
    assert_eq!(health(&ing).0, Health::Progressing);
    let pvc = |phase: &str| json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "status": {"phase": phase}});
    assert_eq!(health(&pvc("Pending")).0, Health::Progressing);
    assert_eq!(health(&pvc("Bound")).0, Health::Healthy);
    assert_eq!(health(&pvc("Lost")).0, Health::Degraded);
}

#[test]
fn jobs_complete_fail_or_run() {
    let job = |conds: Value| json!({"apiVersion": "batch/v1", "kind": "Job", "status": {"conditions": conds}});
    assert_eq!(health(&job(json!([]))).0, Health::Progressing);
    assert_eq!(
        health(&job(json!([{"type": "Complete", "status": "True"}]))).0,
        Health::Healthy
    );
    assert_eq!(
        health(&job(
            json!([{"type": "Failed", "status": "True", "message": "backoff"}])
        )),
        (Health::Degraded, Some("backoff".into()))
    );
    assert_eq!(
        health(&job(json!([{"type": "Suspended", "status": "True"}]))).0,
        Health::Suspended
    );
}

#[test]
fn other_kinds_are_healthy_when_present_and_missing_when_absent() {
    assert_eq!(
        health(&json!({"apiVersion": "v1", "kind": "ConfigMap"})),
        (Health::Healthy, None)
    );
    assert_eq!(health_of(None).0, Health::Missing);
    let deleting = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}});
    assert_eq!(health(&deleting).0, Health::Progressing);
}

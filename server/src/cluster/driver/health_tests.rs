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

#[test]
fn cron_jobs_follow_argo_cds_lua_check() {
    let cron = |spec: Value, status: Option<Value>| {
        let mut o = json!({"apiVersion": "batch/v1", "kind": "CronJob", "spec": spec});
        if let Some(s) = status {
            o["status"] = s;
        }
        health(&o)
    };
    assert_eq!(cron(json!({}), None).0, Health::Progressing);
    assert_eq!(
        cron(json!({"suspend": true}), Some(json!({}))),
        (Health::Healthy, Some("CronJob is Suspended".into()))
    );
    assert_eq!(cron(json!({}), Some(json!({}))).0, Health::Healthy);
    let failed_last = json!({"lastScheduleTime": "2026-01-02T00:00:00Z",
                             "lastSuccessfulTime": "2026-01-01T00:00:00Z"});
    let (h, msg) = cron(json!({}), Some(failed_last.clone()));
    assert_eq!(h, Health::Degraded);
    assert!(msg.unwrap().contains("not completed its last execution"));
    let mut running = failed_last;
    running["active"] = json!([{"name": "j"}]);
    assert_eq!(cron(json!({}), Some(running)).0, Health::Healthy);
    let ok = json!({"lastScheduleTime": "2026-01-02T00:00:00Z",
                    "lastSuccessfulTime": "2026-01-02T00:00:05Z"});
    assert_eq!(cron(json!({}), Some(ok)).0, Health::Healthy);
}

#[test]
fn hpas_by_conditions_and_v1_annotation() {
    let v2 = |conds: Value| {
        health(
            &json!({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
                       "status": {"conditions": conds}}),
        )
    };
    assert_eq!(
        v2(json!([])),
        (Health::Progressing, Some("Waiting to Autoscale".into()))
    );
    assert_eq!(
        v2(json!([{"type": "AbleToScale", "status": "True", "message": "ok"}])),
        (Health::Healthy, Some("ok".into()))
    );
    assert_eq!(
        v2(json!([
            {"type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric", "message": "no metrics"},
            {"type": "AbleToScale", "status": "True"}]))
        .0,
        Health::Degraded
    );
    let v1 = |annotation: &str| {
        health(
            &json!({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"annotations": {"autoscaling.alpha.kubernetes.io/conditions": annotation}}}),
        )
    };
    assert_eq!(
        v1(r#"[{"type":"AbleToScale","status":"True"}]"#).0,
        Health::Healthy
    );
    // Cannot decide: says so, not Healthy.
    assert_eq!(v1("not json").0, Health::Unknown);
    let odd = json!({"apiVersion": "autoscaling/v9", "kind": "HorizontalPodAutoscaler"});
    assert_eq!(health(&odd).0, Health::Unknown);
}

fn rollout(spec: Value, status: Value) -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
           "metadata": {"generation": 2}, "spec": spec, "status": status})
}

#[test]
fn rollouts_follow_argo_cds_lua_check() {
    let unobserved = rollout(json!({}), json!({"observedGeneration": "1"}));
    assert_eq!(health(&unobserved).0, Health::Progressing);
    let phased = rollout(
        json!({}),
        json!({"observedGeneration": 2, "phase": "Paused", "message": "CanaryPauseStep"}),
    );
    assert_eq!(
        health(&phased),
        (Health::Suspended, Some("CanaryPauseStep".into()))
    );
    let aborted = rollout(
        json!({}),
        json!({"observedGeneration": 2, "conditions": [
            {"type": "Progressing", "reason": "RolloutAborted", "message": "aborted"}]}),
    );
    assert_eq!(health(&aborted), (Health::Degraded, Some("aborted".into())));
    let canary = |stable: &str| {
        rollout(
            json!({"replicas": 2, "strategy": {"canary": {}}}),
            json!({"observedGeneration": 2, "currentPodHash": "abc", "stableRS": stable,
                   "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2}),
        )
    };
    assert_eq!(health(&canary("old")).0, Health::Progressing);
    assert_eq!(health(&canary("abc")), (Health::Healthy, None));
    let blue_green = rollout(
        json!({"replicas": 1, "strategy": {"blueGreen": {}}}),
        json!({"observedGeneration": 2, "currentPodHash": "abc", "replicas": 1,
               "updatedReplicas": 1, "availableReplicas": 1, "blueGreen": {"activeSelector": "old"}}),
    );
    assert_eq!(
        health(&blue_green),
        (
            Health::Progressing,
            Some("active service cutover pending".into())
        )
    );
}

#[test]
fn certificates_and_any_kind_with_a_ready_condition() {
    let cert = |conds: Value| {
        health(
            &json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
                       "status": {"conditions": conds}}),
        )
    };
    assert_eq!(
        cert(json!([])),
        (Health::Progressing, Some("Waiting for certificate".into()))
    );
    assert_eq!(
        cert(
            json!([{"type": "Ready", "status": "False", "message": "expired"},
                    {"type": "Issuing", "status": "True", "message": "renewing"}])
        ),
        (Health::Progressing, Some("renewing".into()))
    );
    assert_eq!(
        cert(json!([{"type": "Ready", "status": "False", "message": "expired"}])).0,
        Health::Degraded
    );
    assert_eq!(
        cert(json!([{"type": "Ready", "status": "True"}])).0,
        Health::Healthy
    );
    let custom = |status: &str| {
        health(
            &json!({"apiVersion": "db.example.com/v1", "kind": "Database",
            "status": {"conditions": [{"type": "Ready", "status": status, "reason": "Provisioning"}]}}),
        )
    };
    assert_eq!(
        custom("False"),
        (Health::Degraded, Some("Provisioning".into()))
    );
    assert_eq!(custom("Unknown").0, Health::Progressing);
    assert_eq!(custom("True").0, Health::Healthy);
}

//! Resource health by Argo CD's rules (gitops-engine `pkg/health`), read from `status` as the
//! real controllers write it. Pure: a JSON object in, a verdict and a reason out.

use serde_json::Value;

use super::health_kinds as kinds;
use crate::resource::Health;

/// A verdict and why (the message Argo CD would show).
pub type Verdict = (Health, Option<String>);

/// Health of a live object; `None` (absent) is Missing.
pub fn health_of(obj: Option<&Value>) -> Verdict {
    match obj {
        None | Some(Value::Null) => (Health::Missing, None),
        Some(o) => health(o),
    }
}

/// Health of a live object. A kind without a rule is decided by a `Ready` condition when its
/// status has one, and is otherwise Healthy once it exists (as in Argo CD, where a kind with no
/// health check does not count against its app).
pub fn health(obj: &Value) -> Verdict {
    if obj.is_null() {
        return (Health::Missing, None);
    }
    if obj["metadata"]["deletionTimestamp"].is_string() {
        return (Health::Progressing, Some("Pending deletion".into()));
    }
    let (group, version) = obj["apiVersion"]
        .as_str()
        .unwrap_or("")
        .rsplit_once('/')
        .unwrap_or(("", obj["apiVersion"].as_str().unwrap_or("")));
    match (group, obj["kind"].as_str().unwrap_or("")) {
        ("apps" | "extensions", "Deployment") => deployment(obj),
        ("apps", "StatefulSet") => stateful_set(obj),
        ("apps" | "extensions", "DaemonSet") => daemon_set(obj),
        ("apps" | "extensions", "ReplicaSet") => replica_set(obj),
        ("", "Pod") => pod(obj),
        ("", "Service") => service(obj),
        ("networking.k8s.io" | "extensions", "Ingress") => ingress(obj),
        ("", "PersistentVolumeClaim") => pvc(obj),
        ("batch", "Job") => job(obj),
        ("batch", "CronJob") => kinds::cron_job(obj),
        ("autoscaling", "HorizontalPodAutoscaler") => kinds::hpa(obj, version),
        ("argoproj.io", "Rollout") => kinds::rollout(obj),
        ("cert-manager.io", "Certificate") => kinds::certificate(obj),
        _ => kinds::ready(obj).unwrap_or((Health::Healthy, None)),
    }
}

fn ok() -> Verdict {
    (Health::Healthy, None)
}

fn say(h: Health, msg: impl Into<String>) -> Verdict {
    (h, Some(msg.into()))
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn name(obj: &Value) -> &str {
    obj["metadata"]["name"].as_str().unwrap_or("")
}

/// `generation <= status.observedGeneration`: the controller has seen the latest spec.
fn observed(obj: &Value) -> bool {
    int(&obj["metadata"]["generation"]) <= int(&obj["status"]["observedGeneration"])
}

fn condition<'a>(obj: &'a Value, kind: &str) -> Option<&'a Value> {
    obj["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == kind)
}

/// The emulator (and only it) writes this on StatefulSets and DaemonSets whose images never
/// start; real clusters never do, so these rules stay Argo CD's there.
fn deadline_exceeded(obj: &Value) -> bool {
    condition(obj, "Progressing").is_some_and(|c| c["reason"] == "ProgressDeadlineExceeded")
}

fn deployment(obj: &Value) -> Verdict {
    let (spec, status) = (&obj["spec"], &obj["status"]);
    if spec["paused"] == true {
        return say(Health::Suspended, "Deployment is paused");
    }
    if !observed(obj) {
        return say(Health::Progressing, "Waiting for rollout to finish: observed deployment generation less than desired generation");
    }
    let (updated, replicas, available) = (
        int(&status["updatedReplicas"]),
        int(&status["replicas"]),
        int(&status["availableReplicas"]),
    );
    if deadline_exceeded(obj) {
        return say(
            Health::Degraded,
            format!(
                "Deployment \"{}\" exceeded its progress deadline",
                name(obj)
            ),
        );
    }
    if let Some(want) = spec["replicas"].as_i64() {
        if updated < want {
            return say(Health::Progressing, format!("Waiting for rollout to finish: {updated} out of {want} new replicas have been updated..."));
        }
    }
    if replicas > updated {
        return say(
            Health::Progressing,
            format!(
                "Waiting for rollout to finish: {} old replicas are pending termination...",
                replicas - updated
            ),
        );
    }
    if available < updated {
        return say(Health::Progressing, format!("Waiting for rollout to finish: {available} of {updated} updated replicas are available..."));
    }
    ok()
}

fn stateful_set(obj: &Value) -> Verdict {
    let (spec, status) = (&obj["spec"], &obj["status"]);
    if int(&status["observedGeneration"]) == 0 || !observed(obj) {
        return say(
            Health::Progressing,
            "Waiting for statefulset spec update to be observed...",
        );
    }
    if deadline_exceeded(obj) {
        return say(
            Health::Degraded,
            format!(
                "StatefulSet \"{}\" exceeded its progress deadline",
                name(obj)
            ),
        );
    }
    let ready = int(&status["readyReplicas"]);
    if let Some(want) = spec["replicas"].as_i64() {
        if ready < want {
            return say(
                Health::Progressing,
                format!("Waiting for {} pods to be ready...", want - ready),
            );
        }
    }
    let strategy = &spec["updateStrategy"];
    if strategy["type"] == "RollingUpdate" {
        if let Some(partition) = strategy["rollingUpdate"]["partition"].as_i64() {
            let want = spec["replicas"].as_i64().unwrap_or(1) - partition;
            let updated = int(&status["updatedReplicas"]);
            if updated < want {
                return say(Health::Progressing, format!("Waiting for partitioned roll out to finish: {updated} out of {want} new pods have been updated..."));
            }
            return say(
                Health::Healthy,
                format!("partitioned roll out complete: {updated} new pods have been updated..."),
            );
        }
    }
    if strategy["type"] == "OnDelete" {
        return say(
            Health::Healthy,
            format!("statefulset has {ready} ready pods"),
        );
    }
    let (current, update) = (&status["currentRevision"], &status["updateRevision"]);
    if current != update {
        return say(
            Health::Progressing,
            format!(
                "waiting for statefulset rolling update to complete {} pods at revision {}...",
                int(&status["updatedReplicas"]),
                update.as_str().unwrap_or("")
            ),
        );
    }
    say(
        Health::Healthy,
        format!(
            "statefulset rolling update complete {} pods at revision {}...",
            int(&status["currentReplicas"]),
            current.as_str().unwrap_or("")
        ),
    )
}

fn daemon_set(obj: &Value) -> Verdict {
    let (spec, status) = (&obj["spec"], &obj["status"]);
    if !observed(obj) {
        return say(Health::Progressing, "Waiting for rollout to finish: observed daemon set generation less than desired generation");
    }
    if deadline_exceeded(obj) {
        return say(
            Health::Degraded,
            format!("DaemonSet \"{}\" exceeded its progress deadline", name(obj)),
        );
    }
    let (desired, updated, available) = (
        int(&status["desiredNumberScheduled"]),
        int(&status["updatedNumberScheduled"]),
        int(&status["numberAvailable"]),
    );
    if spec["updateStrategy"]["type"] == "OnDelete" {
        return say(
            Health::Healthy,
            format!("daemon set {updated} out of {desired} new pods have been updated"),
        );
    }
    if updated < desired {
        return say(Health::Progressing, format!("Waiting for daemon set \"{}\" rollout to finish: {updated} out of {desired} new pods have been updated...", name(obj)));
    }
    if available < desired {
        return say(Health::Progressing, format!("Waiting for daemon set \"{}\" rollout to finish: {available} of {desired} updated pods are available...", name(obj)));
    }
    ok()
}

fn replica_set(obj: &Value) -> Verdict {
    if !observed(obj) {
        return say(Health::Progressing, "Waiting for rollout to finish: observed replica set generation less than desired generation");
    }
    if let Some(c) = condition(obj, "ReplicaFailure").filter(|c| c["status"] == "True") {
        return say(
            Health::Degraded,
            c["message"].as_str().unwrap_or("ReplicaFailure"),
        );
    }
    let available = int(&obj["status"]["availableReplicas"]);
    if let Some(want) = obj["spec"]["replicas"].as_i64() {
        if available < want {
            return say(Health::Progressing, format!("Waiting for rollout to finish: {available} out of {want} new replicas are available..."));
        }
    }
    ok()
}

const BAD_WAITING: &[&str] = &[
    "ErrImagePull",
    "ImagePullBackOff",
    "CrashLoopBackOff",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
];

fn pod(obj: &Value) -> Verdict {
    let status = &obj["status"];
    let statuses: Vec<&Value> = ["initContainerStatuses", "containerStatuses"]
        .iter()
        .filter_map(|k| status[*k].as_array())
        .flatten()
        .collect();
    let waiting_bad = statuses.iter().find_map(|c| {
        let w = &c["state"]["waiting"];
        let reason = w["reason"].as_str()?;
        BAD_WAITING
            .contains(&reason)
            .then(|| w["message"].as_str().unwrap_or(reason).to_string())
    });
    let message = status["message"].as_str().map(str::to_string);
    match status["phase"].as_str().unwrap_or("") {
        "Pending" => match waiting_bad {
            Some(m) => say(Health::Degraded, m),
            None => (Health::Progressing, message),
        },
        "Succeeded" => (Health::Healthy, message),
        "Failed" => (Health::Degraded, message.or(Some("Pod failed".into()))),
        "Running" => {
            if let Some(m) = waiting_bad {
                return say(Health::Degraded, m);
            }
            let always = obj["spec"]["restartPolicy"].as_str().unwrap_or("Always") == "Always";
            let all_ready = !statuses.is_empty()
                && status["containerStatuses"]
                    .as_array()
                    .is_some_and(|cs| cs.iter().all(|c| c["ready"] == true));
            if always && all_ready {
                (Health::Healthy, message)
            } else {
                (Health::Progressing, message)
            }
        }
        _ => (Health::Unknown, message),
    }
}

fn has_ingress(obj: &Value) -> bool {
    obj["status"]["loadBalancer"]["ingress"]
        .as_array()
        .is_some_and(|i| !i.is_empty())
}

fn service(obj: &Value) -> Verdict {
    if obj["spec"]["type"] == "LoadBalancer" && !has_ingress(obj) {
        return (Health::Progressing, None);
    }
    ok()
}

fn ingress(obj: &Value) -> Verdict {
    if has_ingress(obj) {
        ok()
    } else {
        (Health::Progressing, None)
    }
}

fn pvc(obj: &Value) -> Verdict {
    match obj["status"]["phase"].as_str().unwrap_or("") {
        "Lost" => (Health::Degraded, None),
        "Pending" => (Health::Progressing, None),
        "Bound" => ok(),
        other => say(Health::Unknown, format!("unknown PVC phase {other:?}")),
    }
}

fn job(obj: &Value) -> Verdict {
    let conditions = obj["status"]["conditions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let (mut failed, mut complete, mut suspended) = (None, None, false);
    for c in conditions.iter().filter(|c| c["status"] == "True") {
        let msg = c["message"].as_str().unwrap_or("").to_string();
        match c["type"].as_str() {
            Some("Failed") => failed = Some(msg),
            Some("Complete") => complete = Some(msg),
            Some("Suspended") => suspended = true,
            _ => {}
        }
    }
    match (failed, complete) {
        (Some(m), _) => say(Health::Degraded, m),
        (None, Some(m)) => say(Health::Healthy, m),
        (None, None) if suspended => say(Health::Suspended, "Job suspended"),
        (None, None) => say(Health::Progressing, "job is running"),
    }
}

#[cfg(test)]
#[path = "health_tests.rs"]
mod tests;

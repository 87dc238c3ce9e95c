//! What the emulator's controllers write into `status` at each stage of a rollout, shaped
//! like the real controllers' output so the driver's health rules (Argo CD's) read it the
//! same way. Pure: the loop that decides the stage is [`super::controller`].

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// Where a simulated rollout is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Just observed; pods starting.
    Rolling,
    /// Everything ready.
    Done,
    /// An image with `bad` in its tag never became ready.
    Failed,
}

/// The kinds the emulator's controllers act on.
pub fn controlled(kind: &str, obj: &Value) -> bool {
    match kind {
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "CronJob"
        | "PersistentVolumeClaim"
        | "Ingress" => true,
        "Service" => obj["spec"]["type"] == "LoadBalancer",
        _ => false,
    }
}

/// Whether any container's image tag contains `bad` (the emulator's way to fail a rollout).
pub fn has_bad_image(obj: &Value) -> bool {
    let spec = &obj["spec"]["template"]["spec"];
    ["initContainers", "containers"]
        .iter()
        .filter_map(|k| spec[*k].as_array())
        .flatten()
        .filter_map(|c| c["image"].as_str())
        .any(|image| tag_of(image).contains("bad"))
}

/// `registry:5000/web:1.2-bad` → `1.2-bad`; no tag means `latest`; a digest is not a tag.
fn tag_of(image: &str) -> &str {
    let image = image.split('@').next().unwrap_or(image);
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':').map(|(_, t)| t).unwrap_or("latest")
}

fn cond(kind: &str, status: &str, reason: &str, message: String, at: &str) -> Value {
    json!({
        "type": kind, "status": status, "reason": reason, "message": message,
        "lastUpdateTime": at, "lastTransitionTime": at,
    })
}

/// `web-5d8f9c6b7a`: a ReplicaSet / revision name from the pod template, like the real hash.
fn revision(obj: &Value) -> String {
    let hash = Sha256::digest(obj["spec"]["template"].to_string().as_bytes());
    let name = obj["metadata"]["name"].as_str().unwrap_or("");
    format!("{name}-{}", &hex::encode(hash)[..10])
}

/// The status a controller writes for `obj` at `stage`; `at` is the transition time.
pub fn status_for(kind: &str, obj: &Value, stage: Stage, at: &str) -> Value {
    let generation = obj["metadata"]["generation"].as_i64().unwrap_or(1);
    let n = obj["spec"]["replicas"].as_i64().unwrap_or(1);
    let rev = revision(obj);
    let ready = if stage == Stage::Done { n } else { 0 };
    let updated = if stage == Stage::Rolling { 0 } else { n };
    let deadline = || {
        cond(
            "Progressing",
            "False",
            "ProgressDeadlineExceeded",
            format!("ReplicaSet \"{rev}\" has timed out progressing."),
            at,
        )
    };
    match kind {
        "Deployment" => {
            let available = if stage == Stage::Done {
                cond(
                    "Available",
                    "True",
                    "MinimumReplicasAvailable",
                    "Deployment has minimum availability.".into(),
                    at,
                )
            } else {
                cond(
                    "Available",
                    "False",
                    "MinimumReplicasUnavailable",
                    "Deployment does not have minimum availability.".into(),
                    at,
                )
            };
            let progressing = match stage {
                Stage::Rolling => cond(
                    "Progressing",
                    "True",
                    "ReplicaSetUpdated",
                    format!("ReplicaSet \"{rev}\" is progressing."),
                    at,
                ),
                Stage::Done => cond(
                    "Progressing",
                    "True",
                    "NewReplicaSetAvailable",
                    format!("ReplicaSet \"{rev}\" has successfully progressed."),
                    at,
                ),
                Stage::Failed => deadline(),
            };
            json!({
                "observedGeneration": generation, "replicas": n, "updatedReplicas": updated,
                "readyReplicas": ready, "availableReplicas": ready, "unavailableReplicas": n - ready,
                "conditions": [available, progressing],
            })
        }
        "StatefulSet" => {
            let current = if stage == Stage::Done {
                rev.clone()
            } else {
                obj["status"]["currentRevision"]
                    .as_str()
                    .map_or(rev.clone(), str::to_string)
            };
            let mut s = json!({
                "observedGeneration": generation, "replicas": n, "readyReplicas": ready,
                "currentReplicas": ready, "updatedReplicas": updated, "availableReplicas": ready,
                "currentRevision": current, "updateRevision": rev,
            });
            if stage == Stage::Failed {
                // Real StatefulSets have no deadline condition; the emulator writes the
                // Deployment one so a stuck rollout is visible as Degraded.
                s["conditions"] = json!([deadline()]);
            }
            s
        }
        "DaemonSet" => {
            let (ready, updated) = (ready.min(1), updated.min(1));
            let mut s = json!({
                "observedGeneration": generation, "desiredNumberScheduled": 1, "currentNumberScheduled": 1,
                "numberMisscheduled": 0, "updatedNumberScheduled": updated, "numberReady": ready,
                "numberAvailable": ready, "numberUnavailable": 1 - ready,
            });
            if stage == Stage::Failed {
                s["conditions"] = json!([deadline()]);
            }
            s
        }
        "ReplicaSet" => {
            let mut s = json!({
                "observedGeneration": generation, "replicas": n, "fullyLabeledReplicas": n,
                "readyReplicas": ready, "availableReplicas": ready,
            });
            if stage == Stage::Failed {
                s["conditions"] = json!([cond(
                    "ReplicaFailure",
                    "True",
                    "ImagePullBackOff",
                    "Back-off pulling image".into(),
                    at
                )]);
            }
            s
        }
        "Job" => {
            let completions = obj["spec"]["completions"].as_i64().unwrap_or(1);
            let start = obj["status"]["startTime"]
                .as_str()
                .unwrap_or(at)
                .to_string();
            match stage {
                Stage::Rolling => json!({"startTime": start, "active": 1, "ready": 0}),
                Stage::Done => json!({
                    "startTime": start, "completionTime": at, "succeeded": completions, "ready": 0,
                    "conditions": [
                        cond("SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods".into(), at),
                        cond("Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods".into(), at),
                    ],
                }),
                Stage::Failed => json!({
                    "startTime": start, "failed": 1, "ready": 0,
                    "conditions": [
                        cond("FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit".into(), at),
                        cond("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit".into(), at),
                    ],
                }),
            }
        }
        // Created, never scheduled: the empty status a real API server shows, which Argo CD
        // reads as Healthy ("not scheduled yet"); without one it waits ("Waiting for CronJob").
        "CronJob" => json!({}),
        "PersistentVolumeClaim" => match stage {
            Stage::Rolling => json!({"phase": "Pending"}),
            _ => json!({
                "phase": "Bound",
                "accessModes": obj["spec"]["accessModes"],
                "capacity": {"storage": obj["spec"]["resources"]["requests"]["storage"]},
            }),
        },
        // Service (LoadBalancer) and Ingress: an address once "provisioned".
        _ => match stage {
            Stage::Rolling => json!({"loadBalancer": {}}),
            _ => json!({"loadBalancer": {"ingress": [{"ip": "127.0.0.1"}]}}),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cron_job_gets_the_empty_status_of_one_never_scheduled() {
        let cron = json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
            "spec": {"schedule": "* * * * *"}});
        assert!(controlled("CronJob", &cron));
        let mut live = cron.clone();
        live["status"] = status_for("CronJob", &cron, Stage::Done, "2026-01-01T00:00:00Z");
        assert_eq!(
            crate::cluster::driver::health(&live).0,
            crate::resource::Health::Healthy
        );
    }

    #[test]
    fn bad_means_the_tag_not_the_registry() {
        let dep = |image: &str| json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": image}]}}}});
        assert!(has_bad_image(&dep("shop/web:1.2-bad")));
        assert!(!has_bad_image(&dep("badregistry:5000/web:1.2")));
        assert!(!has_bad_image(&dep("web")));
    }

    #[test]
    fn a_finished_deployment_reports_all_replicas() {
        let obj = json!({"metadata": {"name": "web", "generation": 3}, "spec": {"replicas": 2, "template": {}}});
        let s = status_for("Deployment", &obj, Stage::Done, "2026-01-01T00:00:00Z");
        assert_eq!(s["observedGeneration"], 3);
        assert_eq!(s["availableReplicas"], 2);
        assert_eq!(s["conditions"][1]["reason"], "NewReplicaSetAvailable");
    }
}

//! Health of the kinds beyond the core workloads, by Argo CD's rules: CronJob and Argo Rollouts
//! `Rollout` and cert-manager `Certificate` (argo-cd `resource_customizations/*/health.lua`),
//! HorizontalPodAutoscaler (gitops-engine `health_hpa.go`), and, for any other kind, a
//! `status.conditions[type=Ready]` condition. A rule that cannot read what it needs says so
//! (Unknown, with why) instead of calling the object Healthy.

use serde_json::Value;

use crate::resource::Health;

/// A verdict and why (`health::Verdict`, restated: health.rs imports this file).
type Verdict = (Health, Option<String>);

fn say(h: Health, msg: impl Into<String>) -> Verdict {
    (h, Some(msg.into()))
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// `batch/CronJob`. Argo CD cannot tell a CronJob that never ran from one that never
/// succeeded, so most cases are Healthy with a message; only a last run that did not succeed
/// (and nothing running) is Degraded.
pub fn cron_job(obj: &Value) -> Verdict {
    if obj["spec"]["suspend"] == true {
        // Argo CD reports Healthy here too (argo-cd issue 24428), not Suspended.
        return say(Health::Healthy, "CronJob is Suspended");
    }
    let status = &obj["status"];
    if !status.is_object() {
        return say(Health::Progressing, "Waiting for CronJob");
    }
    let (scheduled, succeeded) = (&status["lastScheduleTime"], &status["lastSuccessfulTime"]);
    let Some(scheduled) = scheduled.as_str() else {
        return say(Health::Healthy, "CronJob has not been scheduled yet");
    };
    let Some(succeeded) = succeeded.as_str() else {
        return say(
            Health::Healthy,
            "The CronJob never completed successfully. It may not be healthy",
        );
    };
    if status["active"].as_array().is_some_and(|a| !a.is_empty()) {
        return say(
            Health::Healthy,
            "The job is running. Its last execution may not have been successful",
        );
    }
    // RFC 3339 times in UTC, as the API server writes them, order as text.
    if succeeded < scheduled {
        return say(
            Health::Degraded,
            "CronJob has not completed its last execution successfully",
        );
    }
    say(
        Health::Healthy,
        "CronJob has completed its last execution successfully",
    )
}

/// `autoscaling/*` HorizontalPodAutoscaler: the first condition that says Degraded (a failed
/// scale or metric) or Healthy (able to scale) wins; none yet is "Waiting to Autoscale".
/// `autoscaling/v1` keeps its conditions in an annotation.
pub fn hpa(obj: &Value, version: &str) -> Verdict {
    let conditions: Vec<Value> =
        match version {
            "v1" => {
                let Some(raw) = obj["metadata"]["annotations"]
                    ["autoscaling.alpha.kubernetes.io/conditions"]
                    .as_str()
                else {
                    return waiting_to_autoscale();
                };
                match serde_json::from_str(raw) {
                    Ok(Value::Array(items)) => items,
                    _ => return say(
                        Health::Unknown,
                        "the conditions annotation of this autoscaling/v1 HPA is not a JSON list",
                    ),
                }
            }
            "v2" | "v2beta1" | "v2beta2" => obj["status"]["conditions"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
            other => {
                return say(
                    Health::Unknown,
                    format!("no health rule for HorizontalPodAutoscaler autoscaling/{other}"),
                )
            }
        };
    const DEGRADED: &[(&str, &str)] = &[
        ("AbleToScale", "FailedGetScale"),
        ("AbleToScale", "FailedUpdateScale"),
        ("ScalingActive", "FailedGetResourceMetric"),
        ("ScalingActive", "InvalidSelector"),
    ];
    for c in &conditions {
        let (kind, reason) = (c["type"].as_str(), c["reason"].as_str());
        if DEGRADED
            .iter()
            .any(|(t, r)| kind == Some(t) && reason == Some(r))
        {
            return say(Health::Degraded, text(&c["message"]));
        }
        if matches!(kind, Some("AbleToScale" | "ScalingLimited")) && c["status"] == "True" {
            return say(Health::Healthy, text(&c["message"]));
        }
    }
    waiting_to_autoscale()
}

fn waiting_to_autoscale() -> Verdict {
    say(Health::Progressing, "Waiting to Autoscale")
}

/// `argoproj.io/Rollout` (Argo Rollouts), as Argo CD's Lua check reads it.
pub fn rollout(obj: &Value) -> Verdict {
    let (spec, status) = (&obj["spec"], &obj["status"]);
    if !status.is_object() {
        return say(
            Health::Progressing,
            "Waiting for rollout spec update to be observed",
        );
    }
    // A numeric observedGeneration (v0.10+) must equal the generation; older ones are text.
    let seen = &status["observedGeneration"];
    let seen = seen
        .as_i64()
        .or_else(|| seen.as_str().and_then(|s| s.parse().ok()));
    let observed = match seen {
        Some(seen) => {
            let generation = obj["metadata"]["generation"].as_i64().unwrap_or(0);
            // Larger than the generation: an old Rollout's hash-like value, taken as seen.
            seen >= generation
        }
        None => true,
    };
    let workload_observed = spec["workloadRef"].is_null()
        || obj["metadata"]["annotations"]["rollout.argoproj.io/workload-generation"]
            .as_str()
            .and_then(|g| g.parse::<i64>().ok())
            == status["workloadObservedGeneration"]
                .as_str()
                .and_then(|g| g.parse::<i64>().ok())
                .or(status["workloadObservedGeneration"].as_i64());
    if !observed || !workload_observed {
        return say(
            Health::Progressing,
            "Waiting for rollout spec update to be observed",
        );
    }
    // Argo Rollouts 1.0+ states its own phase.
    if let Some(phase) = status["phase"].as_str() {
        let health = match phase {
            "Healthy" => Health::Healthy,
            "Progressing" => Health::Progressing,
            "Degraded" => Health::Degraded,
            "Paused" | "Suspended" => Health::Suspended,
            other => {
                return say(Health::Unknown, format!("unknown Rollout phase {other:?}"));
            }
        };
        return (health, status["message"].as_str().map(str::to_string));
    }
    for c in status["conditions"].as_array().into_iter().flatten() {
        let (kind, reason) = (c["type"].as_str(), c["reason"].as_str());
        let degraded = kind == Some("InvalidSpec")
            || (kind == Some("Progressing")
                && matches!(reason, Some("RolloutAborted" | "ProgressDeadlineExceeded")));
        if degraded {
            return say(Health::Degraded, text(&c["message"]));
        }
    }
    let paused = status["pauseConditions"]
        .as_array()
        .is_some_and(|p| !p.is_empty())
        || spec["paused"] == true;
    if paused {
        return say(Health::Suspended, "Rollout is paused");
    }
    let Some(current) = status["currentPodHash"].as_str() else {
        return say(
            Health::Progressing,
            "Waiting for rollout to finish: status has not been reconciled.",
        );
    };
    let int = |v: &Value, default: i64| v.as_i64().unwrap_or(default);
    let desired = int(&spec["replicas"], 1);
    let (replicas, updated, available) = (
        int(&status["replicas"], 0),
        int(&status["updatedReplicas"], 0),
        int(&status["availableReplicas"], 0),
    );
    if updated < desired {
        return say(
            Health::Progressing,
            "Waiting for roll out to finish: More replicas need to be updated",
        );
    }
    if available < updated {
        return say(
            Health::Progressing,
            "Waiting for roll out to finish: updated replicas are still becoming available",
        );
    }
    let stable = status["stableRS"]
        .as_str()
        .or(status["canary"]["stableRS"].as_str())
        .unwrap_or_default();
    let strategy = &spec["strategy"];
    if strategy["blueGreen"].is_object() {
        if status["blueGreen"]["activeSelector"].as_str() != Some(current) {
            return say(Health::Progressing, "active service cutover pending");
        }
        if !stable.is_empty() && stable != current {
            return say(Health::Progressing, "waiting for analysis to complete");
        }
    } else if strategy["canary"].is_object() {
        if replicas > updated {
            return say(
                Health::Progressing,
                "Waiting for roll out to finish: old replicas are pending termination",
            );
        }
        if stable.is_empty() || stable != current {
            return say(Health::Progressing, "Waiting for rollout to finish steps");
        }
    }
    (Health::Healthy, None)
}

/// `cert-manager.io/Certificate`: Issuing first, then Ready.
pub fn certificate(obj: &Value) -> Verdict {
    let conditions = obj["status"]["conditions"].as_array();
    let all = || conditions.into_iter().flatten();
    if let Some(c) = all().find(|c| c["type"] == "Issuing" && c["status"] == "True") {
        return say(Health::Progressing, text(&c["message"]));
    }
    match ready(obj) {
        Some(verdict) if verdict.0 != Health::Progressing => verdict,
        _ => say(Health::Progressing, "Waiting for certificate"),
    }
}

/// Any kind whose status has a `Ready` condition: True is Healthy, False Degraded, Unknown
/// Progressing. `None` when there is no such condition (nothing to decide by).
pub fn ready(obj: &Value) -> Option<Verdict> {
    let c = obj["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|c| c["type"] == "Ready")?;
    let message = c["message"]
        .as_str()
        .or(c["reason"].as_str())
        .map(str::to_string);
    Some(match c["status"].as_str() {
        Some("True") => (Health::Healthy, message),
        Some("False") => (Health::Degraded, message),
        _ => (Health::Progressing, message),
    })
}

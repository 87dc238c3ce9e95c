//! The few admission checks the emulator makes, worded like the API server's so a test (or
//! the UI) sees which field is wrong: names, label values, and the required fields of the
//! workload kinds.

use serde_json::Value;

use super::kinds::KindInfo;
use super::status::{ApiError, ApiResult};

/// RFC 1123 subdomain: lowercase alphanumerics, `-` and `.`, ≤ 253, alphanumeric at both ends.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// Checks an object about to be stored (after merge), naming the first bad field.
pub fn check(kind: &KindInfo, name: &str, obj: &Value) -> ApiResult<()> {
    let invalid = |field: &str, what: &str| ApiError::invalid(kind, name, field, what);
    if !valid_name(name) {
        return Err(invalid(
            "metadata.name",
            &format!("Invalid value: {name:?}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"),
        ));
    }
    for field in ["labels", "annotations"] {
        if let Some(map) = obj["metadata"].get(field) {
            let Some(map) = map.as_object() else {
                return Err(invalid(
                    &format!("metadata.{field}"),
                    "Invalid value: must be a map of strings",
                ));
            };
            if let Some((k, _)) = map.iter().find(|(_, v)| !v.is_string()) {
                return Err(invalid(
                    &format!("metadata.{field}.{k}"),
                    "Invalid value: must be a string",
                ));
            }
        }
    }
    match kind.kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
            if obj["spec"]["selector"].is_null() {
                return Err(invalid("spec.selector", "Required value"));
            }
            check_pod_spec(
                &obj["spec"]["template"]["spec"],
                "spec.template.spec",
                &invalid,
            )
        }
        "Job" => check_pod_spec(
            &obj["spec"]["template"]["spec"],
            "spec.template.spec",
            &invalid,
        ),
        "CronJob" => {
            if !obj["spec"]["schedule"].is_string() {
                return Err(invalid("spec.schedule", "Required value"));
            }
            check_pod_spec(
                &obj["spec"]["jobTemplate"]["spec"]["template"]["spec"],
                "spec.jobTemplate.spec.template.spec",
                &invalid,
            )
        }
        "Pod" => check_pod_spec(&obj["spec"], "spec", &invalid),
        _ => Ok(()),
    }
}

fn check_pod_spec(
    spec: &Value,
    at: &str,
    invalid: &dyn Fn(&str, &str) -> ApiError,
) -> ApiResult<()> {
    let containers = spec["containers"].as_array().filter(|c| !c.is_empty());
    let Some(containers) = containers else {
        return Err(invalid(&format!("{at}.containers"), "Required value"));
    };
    for (i, c) in containers.iter().enumerate() {
        if !c["name"].is_string() {
            return Err(invalid(
                &format!("{at}.containers[{i}].name"),
                "Required value",
            ));
        }
        if c["image"].as_str().is_none_or(|s| s.trim().is_empty()) {
            return Err(invalid(
                &format!("{at}.containers[{i}].image"),
                "Required value",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::sim::kinds::by_plural;
    use serde_json::json;

    #[test]
    fn names_follow_rfc_1123() {
        assert!(valid_name("web-1.shop"));
        assert!(!valid_name("Web"));
        assert!(!valid_name("-web"));
        assert!(!valid_name(""));
    }

    #[test]
    fn missing_image_names_the_field() {
        let kind = by_plural("apps", "v1", "deployments").unwrap();
        let obj = json!({"metadata": {}, "spec": {"selector": {}, "template": {"spec": {"containers": [{"name": "web"}]}}}});
        let e = check(kind, "web", &obj).unwrap_err();
        assert_eq!(e.code, 422);
        assert!(
            e.message.contains("spec.template.spec.containers[0].image"),
            "{}",
            e.message
        );
    }
}

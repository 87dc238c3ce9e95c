//! Kubernetes `Secret` values never leave the server. Every place a manifest or live object is
//! turned into text for a reader (the resource panel's desired and live YAML and their diff,
//! the environment comparison) masks them here first, as Argo CD does: each value of `data` and
//! `stringData` becomes a run of `+`, equal values get the same run and different values runs
//! of different lengths, so a diff still shows *that* a value changed, never what it is. The
//! `kubectl.kubernetes.io/last-applied-configuration` annotation, which copies the whole
//! object, is masked the same way.
//!
//! Masks are only comparable within one [`SecretMasker`]: mask the sides shown together with
//! the same one.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// The annotation `kubectl apply` copies the whole applied object into.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The shortest mask; the n-th distinct value gets `8 + n` characters.
const MASK_LEN: usize = 8;

/// Masks for values shown together (see the module docs).
#[derive(Debug, Default)]
pub struct SecretMasker {
    masks: HashMap<String, String>,
}

impl SecretMasker {
    /// Mask `manifest`'s secret values in place when it is a `Secret`; anything else is left
    /// as it is.
    pub fn mask(&mut self, manifest: &mut Value) {
        if !is_secret(manifest) {
            return;
        }
        for field in ["data", "stringData"] {
            match manifest.get_mut(field) {
                Some(Value::Object(values)) => self.mask_values(values),
                // Not a map: no key is worth keeping, and the value may be the secret itself.
                Some(other) if !other.is_null() => *other = Value::String(self.mask_of(other)),
                _ => {}
            }
        }
        let annotation = manifest
            .pointer_mut("/metadata/annotations")
            .and_then(Value::as_object_mut)
            .and_then(|a| a.get_mut(LAST_APPLIED));
        if let Some(annotation) = annotation {
            let masked = match annotation.as_str().map(serde_json::from_str::<Value>) {
                Some(Ok(mut applied)) => {
                    self.mask(&mut applied);
                    applied.to_string()
                }
                // Unreadable: it cannot be masked value by value, so it is masked whole.
                _ => self.mask_of(annotation),
            };
            *annotation = Value::String(masked);
        }
    }

    fn mask_values(&mut self, values: &mut Map<String, Value>) {
        for value in values.values_mut() {
            *value = Value::String(self.mask_of(value));
        }
    }

    fn mask_of(&mut self, value: &Value) -> String {
        let secret = match value {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let next = self.masks.len();
        self.masks
            .entry(secret)
            .or_insert_with(|| "+".repeat(MASK_LEN + next))
            .clone()
    }
}

/// A `Secret` of the core group (`apiVersion: v1`) or of any group that names a kind so: the
/// name is what readers trust, so it is what is masked.
fn is_secret(manifest: &Value) -> bool {
    manifest.get("kind").and_then(Value::as_str) == Some("Secret")
}

/// Mask the secret values of the objects shown together (each side of a diff), with shared
/// masks.
pub fn mask_secrets<'a>(manifests: impl IntoIterator<Item = Option<&'a mut Value>>) {
    let mut masker = SecretMasker::default();
    for manifest in manifests.into_iter().flatten() {
        masker.mask(manifest);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn secret(data: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, "data": data})
    }

    #[test]
    fn equal_values_share_a_mask_and_different_ones_do_not() {
        let mut a = secret(json!({"password": "czNjcjN0", "user": "YWRtaW4="}));
        let mut b = secret(json!({"password": "b3RoZXI=", "user": "YWRtaW4="}));
        mask_secrets([Some(&mut a), Some(&mut b)]);
        let text = format!("{a}{b}");
        for value in ["czNjcjN0", "b3RoZXI=", "YWRtaW4="] {
            assert!(!text.contains(value), "{text}");
        }
        assert_eq!(a["data"]["user"], b["data"]["user"]);
        assert_ne!(a["data"]["password"], b["data"]["password"]);
        assert!(a["data"]["password"]
            .as_str()
            .unwrap()
            .starts_with("++++++++"));
    }

    #[test]
    fn string_data_odd_shapes_and_the_last_applied_copy_are_masked() {
        let applied = secret(json!({"token": "aHVudGVyMg=="})).to_string();
        let mut s = json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "db", "annotations": {LAST_APPLIED: applied, "team": "payments"}},
            "stringData": {"url": "postgres://app:hunter2@db", "port": 5432},
            "data": "aHVudGVyMg==",
        });
        mask_secrets([Some(&mut s)]);
        let text = s.to_string();
        for value in ["hunter2", "aHVudGVyMg==", "5432"] {
            assert!(!text.contains(value), "{text}");
        }
        assert_eq!(s["metadata"]["annotations"]["team"], "payments");
        assert_eq!(s["metadata"]["name"], "db");
        let copy: Value =
            serde_json::from_str(s["metadata"]["annotations"][LAST_APPLIED].as_str().unwrap())
                .unwrap();
        assert_eq!(copy["data"]["token"], s["data"], "one value, one mask");
    }

    #[test]
    fn other_kinds_are_left_alone() {
        let mut config = json!({"kind": "ConfigMap", "data": {"a": "b"}});
        let before = config.clone();
        mask_secrets([Some(&mut config), None]);
        assert_eq!(config, before);
    }
}

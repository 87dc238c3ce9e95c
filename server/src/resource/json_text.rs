//! A Kubernetes object as the engine keeps it between passes: compact JSON text, parsed when
//! someone needs the object itself (an apply, a diff, the Live tab, ignore rules).
//!
//! An environment holds every desired manifest of every app and every live object its watches
//! see, and verdicts, health and keys are worked out once when an object arrives
//! ([`super::facts`]). As a parsed `serde_json::Value` an object costs five to ten times its
//! text: every map is a B-tree node of about 600 bytes however few keys it has, and every key
//! a `String`. Live objects took 197 MB for 20,000 of them (with `managedFields` and
//! `status`). Keys are in `Value`'s (sorted) order, so two equal objects have equal text.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Compact JSON text of one value; cheap to clone (shared).
#[derive(Clone, PartialEq, Eq)]
pub struct JsonText(Arc<str>);

impl JsonText {
    pub fn new(object: &Value) -> Self {
        // A `Value` always serializes; `null` would only stand for a bug in serde_json.
        Self(
            serde_json::to_string(object)
                .unwrap_or_else(|_| "null".into())
                .into(),
        )
    }

    /// The object, parsed.
    pub fn value(&self) -> Value {
        // The text came from `Value` itself, so it parses.
        serde_json::from_str(&self.0).unwrap_or(Value::Null)
    }

    /// Changes the value: parsed, changed by `change`, kept as text again.
    pub fn edit(&mut self, change: impl FnOnce(&mut Value)) {
        let mut value = self.value();
        change(&mut value);
        *self = Self::new(&value);
    }

    /// The compact JSON text.
    pub fn text(&self) -> &str {
        &self.0
    }
}

impl From<Value> for JsonText {
    fn from(object: Value) -> Self {
        Self::new(&object)
    }
}

impl std::fmt::Debug for JsonText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for JsonText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for JsonText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_object_as_compact_text_and_gives_it_back_whole() {
        let object = serde_json::json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"replicas": 2, "ratio": 0.5, "list": [1, "two", null, true]},
        });
        let live = JsonText::new(&object);
        assert_eq!(live.value(), object);
        assert!(!live.text().contains(' '), "{}", live.text());
        let round: JsonText = serde_json::from_str(&serde_json::to_string(&live).unwrap()).unwrap();
        assert_eq!(round, live);
    }
}

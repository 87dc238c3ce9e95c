//! A live object as the inventory keeps it: compact JSON text, parsed when someone needs the
//! object itself (a diff, the Live tab, ignore rules, a prune's options).
//!
//! The watch inventory holds every tracked object of a cluster, and verdicts and health are
//! worked out once when an object arrives ([`crate::resource::facts`]). As a parsed
//! `serde_json::Value` an object cost about ten times its text (a map node and a `String` per
//! key, with `managedFields` and `status`): 197 MB for 20,000 objects. The text is what the
//! server sent, minus whitespace.

use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Compact JSON text of one object; cheap to clone (shared).
#[derive(Clone, PartialEq, Eq)]
pub struct LiveObject(Arc<str>);

impl LiveObject {
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

    /// The compact JSON text.
    pub fn text(&self) -> &str {
        &self.0
    }
}

impl From<Value> for LiveObject {
    fn from(object: Value) -> Self {
        Self::new(&object)
    }
}

impl std::fmt::Debug for LiveObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for LiveObject {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for LiveObject {
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
        let live = LiveObject::new(&object);
        assert_eq!(live.value(), object);
        assert!(!live.text().contains(' '), "{}", live.text());
        let round: LiveObject =
            serde_json::from_str(&serde_json::to_string(&live).unwrap()).unwrap();
        assert_eq!(round, live);
    }
}

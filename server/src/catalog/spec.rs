//! An entity's `spec`, kept compact: read once, then held for the life of the catalog by
//! every entity. A JSON map costs a B-tree node of about 600 bytes however few fields it has
//! (at 100,000 entities the users' `profile` objects alone were 19 MB), and every key and
//! short value was its own allocation although a catalog repeats them (`lifecycle`,
//! `production`, an owner). Here objects are sorted slices, and keys and short strings are
//! shared ([`SharedStr::interned`]). Serialized exactly as the JSON it was read from.

use std::fmt;

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::shared_str::SharedStr;

/// Strings up to this length are interned: kinds of values a catalog repeats (types,
/// lifecycles, owners, systems, group names). Longer ones (definitions) are rarely shared.
const INTERNED_MAX: usize = 64;

static NULL: SpecValue = SpecValue::Null;

/// An entity's `spec`: its fields sorted by name. Serialized as the JSON object it was read
/// from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spec(Box<[(SharedStr, SpecValue)]>);

/// A JSON value in the compact form. Objects keep their fields sorted by name, the order
/// serde_json's own map gives them.
#[derive(Clone, Debug, PartialEq)]
pub enum SpecValue {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(SharedStr),
    Array(Box<[SpecValue]>),
    Object(Box<[(SharedStr, SpecValue)]>),
}

fn field<'a>(fields: &'a [(SharedStr, SpecValue)], key: &str) -> Option<&'a SpecValue> {
    let at = fields.binary_search_by(|(k, _)| (**k).cmp(key)).ok()?;
    Some(&fields[at].1)
}

/// `/a/b/0` below `value`, as `serde_json::Value::pointer` (with `~0`/`~1` escapes).
fn pointer<'a>(mut value: &'a SpecValue, pointer: &str) -> Option<&'a SpecValue> {
    if pointer.is_empty() {
        return Some(value);
    }
    for token in pointer.strip_prefix('/')?.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        value = match value {
            SpecValue::Object(fields) => field(fields, &token)?,
            SpecValue::Array(items) => items.get(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

fn fields_of(map: serde_json::Map<String, Value>) -> Box<[(SharedStr, SpecValue)]> {
    // Without serde_json's `preserve_order` its map iterates in key order: already sorted.
    map.into_iter()
        .map(|(k, v)| (SharedStr::interned(&k), SpecValue::from(v)))
        .collect()
}

impl Spec {
    pub fn get(&self, key: &str) -> Option<&SpecValue> {
        field(&self.0, key)
    }

    /// A value inside the spec by JSON pointer (`/profile/email`).
    pub fn pointer(&self, pointer: &str) -> Option<&SpecValue> {
        let rest = pointer.strip_prefix('/')?;
        let (first, rest) = rest.split_once('/').map_or((rest, ""), |(f, r)| (f, r));
        let value = self.get(&first.replace("~1", "/").replace("~0", "~"))?;
        if rest.is_empty() {
            return Some(value);
        }
        self::pointer(value, &format!("/{rest}"))
    }

    /// The fields in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &SpecValue)> {
        self.0.iter().map(|(k, v)| (&**k, v))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `spec["field"]`, `Null` when absent, as on a JSON value.
impl std::ops::Index<&str> for Spec {
    type Output = SpecValue;

    fn index(&self, key: &str) -> &SpecValue {
        self.get(key).unwrap_or(&NULL)
    }
}

impl From<serde_json::Map<String, Value>> for Spec {
    fn from(map: serde_json::Map<String, Value>) -> Self {
        Spec(fields_of(map))
    }
}

/// An object's fields; anything else (validation refused it already) is an empty spec.
impl From<Value> for Spec {
    fn from(value: Value) -> Self {
        match value {
            Value::Object(map) => map.into(),
            _ => Spec::default(),
        }
    }
}

impl Serialize for Spec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

/// Read straight into the compact form: a JSON map first would be 100,000 transient B-tree
/// nodes at a restart, and their holes stay in the process's memory.
impl<'de> Deserialize<'de> for Spec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match SpecValue::deserialize(deserializer)? {
            SpecValue::Object(fields) => Ok(Spec(fields)),
            _ => Err(serde::de::Error::custom("spec: expected an object")),
        }
    }
}

impl<'de> Deserialize<'de> for SpecValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> serde::de::Visitor<'de> for ValueVisitor {
    type Value = SpecValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<SpecValue, E> {
        Ok(SpecValue::Null)
    }

    fn visit_none<E>(self) -> Result<SpecValue, E> {
        Ok(SpecValue::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<SpecValue, D::Error> {
        SpecValue::deserialize(d)
    }

    fn visit_bool<E>(self, b: bool) -> Result<SpecValue, E> {
        Ok(SpecValue::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<SpecValue, E> {
        Ok(SpecValue::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<SpecValue, E> {
        Ok(SpecValue::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<SpecValue, E> {
        // As serde_json: a number JSON cannot hold is null.
        Ok(serde_json::Number::from_f64(n).map_or(SpecValue::Null, SpecValue::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<SpecValue, E> {
        Ok(SpecValue::String(if s.len() <= INTERNED_MAX {
            SharedStr::interned(s)
        } else {
            s.into()
        }))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<SpecValue, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(SpecValue::Array(items.into_boxed_slice()))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<SpecValue, A::Error> {
        let mut fields: Vec<(SharedStr, SpecValue)> =
            Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            fields.push((SharedStr::interned(&key), map.next_value()?));
        }
        // Sorted, and a repeated key keeps its last value, as a JSON map reads it.
        fields.reverse();
        fields.sort_by(|a, b| a.0.cmp(&b.0));
        fields.dedup_by(|later, first| later.0 == first.0);
        Ok(SpecValue::Object(fields.into_boxed_slice()))
    }
}

impl SpecValue {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            SpecValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[SpecValue]> {
        match self {
            SpecValue::Array(items) => Some(items),
            _ => None,
        }
    }

    /// An object's fields in name order.
    pub fn as_object(&self) -> Option<&[(SharedStr, SpecValue)]> {
        match self {
            SpecValue::Object(fields) => Some(fields),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            SpecValue::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, SpecValue::Null)
    }

    /// A field of an object.
    pub fn get(&self, key: &str) -> Option<&SpecValue> {
        field(self.as_object()?, key)
    }

    /// A value below this one by JSON pointer.
    pub fn pointer(&self, pointer: &str) -> Option<&SpecValue> {
        self::pointer(self, pointer)
    }

    /// The same value as a `serde_json::Value`.
    pub fn to_json(&self) -> Value {
        match self {
            SpecValue::Null => Value::Null,
            SpecValue::Bool(b) => Value::Bool(*b),
            SpecValue::Number(n) => Value::Number(n.clone()),
            SpecValue::String(s) => Value::String(s.to_string()),
            SpecValue::Array(items) => Value::Array(items.iter().map(Self::to_json).collect()),
            SpecValue::Object(fields) => Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

impl From<Value> for SpecValue {
    fn from(value: Value) -> Self {
        match value {
            Value::Null => SpecValue::Null,
            Value::Bool(b) => SpecValue::Bool(b),
            Value::Number(n) => SpecValue::Number(n),
            Value::String(s) if s.len() <= INTERNED_MAX => {
                SpecValue::String(SharedStr::interned(&s))
            }
            Value::String(s) => SpecValue::String(s.into()),
            Value::Array(items) => SpecValue::Array(items.into_iter().map(Self::from).collect()),
            Value::Object(map) => SpecValue::Object(fields_of(map)),
        }
    }
}

impl std::ops::Index<&str> for SpecValue {
    type Output = SpecValue;

    fn index(&self, key: &str) -> &SpecValue {
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<usize> for SpecValue {
    type Output = SpecValue;

    fn index(&self, at: usize) -> &SpecValue {
        self.as_array().and_then(|a| a.get(at)).unwrap_or(&NULL)
    }
}

impl PartialEq<Value> for SpecValue {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (SpecValue::Null, Value::Null) => true,
            (SpecValue::Bool(a), Value::Bool(b)) => a == b,
            (SpecValue::Number(a), Value::Number(b)) => a == b,
            (SpecValue::String(a), Value::String(b)) => a == b,
            (SpecValue::Array(a), Value::Array(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a == b)
            }
            (SpecValue::Object(a), Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k.as_str()).is_some_and(|w| v == w))
            }
            _ => false,
        }
    }
}

impl PartialEq<str> for SpecValue {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for SpecValue {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

/// The value as compact JSON text, as `serde_json::Value` prints.
impl fmt::Display for SpecValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_string(self).map_err(|_| fmt::Error)?;
        f.write_str(&text)
    }
}

impl Serialize for SpecValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SpecValue::Null => serializer.serialize_unit(),
            SpecValue::Bool(b) => serializer.serialize_bool(*b),
            SpecValue::Number(n) => n.serialize(serializer),
            SpecValue::String(s) => serializer.serialize_str(s),
            SpecValue::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items.iter() {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            SpecValue::Object(fields) => {
                let mut map = serializer.serialize_map(Some(fields.len()))?;
                for (k, v) in fields.iter() {
                    map.serialize_entry(k.as_str(), v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serializes_as_the_json_it_was_read_from() {
        let json = json!({"type": "service", "n": 1.5, "neg": -3, "ok": true, "none": null,
            "profile": {"email": "a@b.c", "displayName": "A B"},
            "list": ["x", {"k": [1, 2]}], "empty": {}, "long": "y".repeat(100)});
        let spec = Spec::from(json.clone());
        assert_eq!(serde_json::to_value(&spec).unwrap(), json);
        assert_eq!(
            serde_json::to_string(&spec).unwrap(),
            serde_json::to_string(&json).unwrap()
        );
        let back: Spec = serde_json::from_str(&serde_json::to_string(&spec).unwrap()).unwrap();
        assert_eq!(back, spec);
        assert_eq!(spec["profile"], json["profile"]);
        assert_eq!(spec["list"].to_string(), json["list"].to_string());
        assert_eq!(spec["list"].to_json(), json["list"]);
        // Read straight from JSON text: the same as through a JSON value.
        let text = r#"{"b": 1, "a": {"y": [true, null, 2.5], "x": "s"}, "b": 2}"#;
        let direct: Spec = serde_json::from_str(text).unwrap();
        let via: Spec = serde_json::from_str::<Value>(text).unwrap().into();
        assert_eq!(direct, via);
        assert_eq!(direct["b"], json!(2));
        assert!(serde_json::from_str::<Spec>("[1]").is_err());
    }

    #[test]
    fn lookups_as_on_json() {
        let spec = Spec::from(json!({"profile": {"email": "a@b.c", "a/b": 1},
            "targets": ["x", "y"], "type": "t"}));
        assert_eq!(
            spec.pointer("/profile/email").and_then(SpecValue::as_str),
            Some("a@b.c")
        );
        assert_eq!(
            spec.pointer("/profile/a~1b"),
            Some(&SpecValue::Number(1.into()))
        );
        assert_eq!(
            spec.pointer("/targets/1").and_then(SpecValue::as_str),
            Some("y")
        );
        assert_eq!(spec.pointer("/profile/missing"), None);
        assert_eq!(spec.pointer("/type/x"), None);
        assert_eq!(spec["type"], "t");
        assert!(spec["nothing"]["deeper"].is_null());
        assert_eq!(spec["targets"][0], "x");
        assert_eq!(spec.get("type").and_then(SpecValue::as_str), Some("t"));
    }
}

//! A Kubernetes object as the engine keeps it between passes: compact JSON text, parsed when
//! someone needs the object itself (an apply, a diff, the Live tab, ignore rules).
//!
//! An environment holds every desired manifest of every app and every live object its watches
//! see, and verdicts, health and keys are worked out once when an object arrives
//! ([`super::facts`]). As a parsed `serde_json::Value` an object costs five to ten times its
//! text: every map is a B-tree node of about 600 bytes however few keys it has, and every key
//! a `String`. Live objects took 197 MB for 20,000 of them (with `managedFields` and
//! `status`). Keys are in `Value`'s (sorted) order, so two equal objects have equal text.
//! Live objects are kept compressed ([`PackedJson`]): nothing reads them on a steady pass.

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

/// A live object kept compressed: compact JSON text through zstd at its fastest level, with
/// Kubernetes' own vocabulary as a dictionary ([`DICTIONARY`]). The watch inventory holds every
/// tracked object of a cluster and reads one only for a diff, the Live tab, ignore rules or a
/// prune; its text compresses to 17–32% (39–55% without the dictionary: an object of a few
/// hundred bytes gives zstd too little to learn its field names from).
#[derive(Clone, PartialEq, Eq)]
pub struct PackedJson(Arc<[u8]>);

/// The first byte of a [`PackedJson`]: what follows. Packed bytes live in memory only (they
/// serialize as the JSON), so the dictionary may change from one version to the next.
const RAW: u8 = 0;
const ZSTD: u8 = 1;

/// A raw-content zstd dictionary: compact JSON skeletons of common kinds as API servers serve
/// them (field names, `managedFields`, defaulted fields, status conditions), with Atrium's
/// tracking label and annotation, and no values of any particular cluster. Matches into it
/// are what a small object cannot find in itself.
const DICTIONARY: &[u8] = include_bytes!("kubernetes.dict");

thread_local! {
    // A context per thread: making one per object cost more than compressing it.
    static PACK: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
    static UNPACK: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

impl PackedJson {
    pub fn new(object: &Value) -> Self {
        let text = serde_json::to_vec(object).unwrap_or_else(|_| b"null".to_vec());
        let packed = match u32::try_from(text.len()) {
            Ok(len) => compress(&text)
                .filter(|p| p.len() + 4 < text.len())
                .map(|p| (len, p)),
            // The length is kept in 4 bytes; a larger object (none an API server serves) stays raw.
            Err(_) => None,
        };
        let mut out = Vec::with_capacity(5 + packed.as_ref().map_or(text.len(), |(_, p)| p.len()));
        match packed {
            Some((len, packed)) => {
                out.push(ZSTD);
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(&packed);
            }
            // Too small to gain (or no context): kept as it is.
            None => {
                out.push(RAW);
                out.extend_from_slice(&text);
            }
        }
        Self(out.into())
    }

    /// The object, parsed.
    pub fn value(&self) -> Value {
        let text = match self.0.split_first() {
            Some((&ZSTD, rest)) if rest.len() >= 4 => {
                let (len, frame) = rest.split_at(4);
                let len = u32::from_le_bytes(len.try_into().unwrap_or_default()) as usize;
                UNPACK.with_borrow_mut(|unpack| {
                    if unpack.is_none() {
                        *unpack = zstd::bulk::Decompressor::with_dictionary(DICTIONARY).ok();
                    }
                    unpack.as_mut()?.decompress(frame, len).ok()
                })
            }
            Some((_, raw)) => Some(raw.to_vec()),
            None => None,
        };
        // The bytes came from `Value` itself, so they parse.
        text.and_then(|t| serde_json::from_slice(&t).ok())
            .unwrap_or(Value::Null)
    }

    /// Bytes kept.
    pub fn size(&self) -> usize {
        self.0.len()
    }
}

/// `text` through this thread's zstd context (level 1, [`DICTIONARY`]), made on first use.
fn compress(text: &[u8]) -> Option<Vec<u8>> {
    PACK.with_borrow_mut(|pack| {
        if pack.is_none() {
            *pack = zstd::bulk::Compressor::with_dictionary(1, DICTIONARY).ok();
        }
        pack.as_mut()?.compress(text).ok()
    })
}

impl From<Value> for PackedJson {
    fn from(object: Value) -> Self {
        Self::new(&object)
    }
}

impl std::fmt::Debug for PackedJson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.value())
    }
}

impl Serialize for PackedJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for PackedJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Value::deserialize(deserializer).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_a_live_object_smaller_and_gives_it_back_whole() {
        let deployment = serde_json::json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"},
                "managedFields": [{"manager": "atrium", "operation": "Apply",
                    "fieldsV1": {"f:spec": {"f:replicas": {}, "f:template": {}}}}]},
            "spec": {"replicas": 2, "template": {"spec": {"containers": [
                {"name": "main", "image": "registry.example/web:1.0.0"}]}}},
            "status": {"conditions": [
                {"type": "Available", "status": "True", "message": "Deployment has minimum availability."},
                {"type": "Progressing", "status": "True", "message": "ReplicaSet has successfully progressed."}],
                "replicas": 2, "readyReplicas": 2, "availableReplicas": 2, "updatedReplicas": 2},
        });
        let packed = PackedJson::new(&deployment);
        assert_eq!(packed.value(), deployment);
        let text = JsonText::new(&deployment).text().len();
        assert!(packed.size() < text * 3 / 4, "{} of {text}", packed.size());
        // Deterministic: equal objects, equal bytes.
        assert_eq!(packed, PackedJson::new(&deployment));
        // Too small to compress: kept raw, still whole.
        let tiny = serde_json::json!({"a": 1});
        assert_eq!(PackedJson::new(&tiny).value(), tiny);
        let round: PackedJson =
            serde_json::from_str(&serde_json::to_string(&packed).unwrap()).unwrap();
        assert_eq!(round, packed);
    }

    #[test]
    fn the_dictionary_packs_a_small_object_well_below_zstd_alone() {
        // A ConfigMap as an API server returns it (its data is nothing the dictionary knows): 220
        // bytes packed, 387 by zstd alone, 696 of text.
        let config_map = serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "data": {"feature.flags": "checkout=on,wishlist=off", "region": "eu-west-1"},
            "metadata": {
                "annotations": {"atrium.dev/tracking-id": "cart:/ConfigMap/shop/cart-settings"},
                "creationTimestamp": "2026-11-30T08:12:44Z", "generation": 1,
                "labels": {"atrium.dev/app": "cart"},
                "managedFields": [{"apiVersion": "v1", "fieldsType": "FieldsV1",
                    "fieldsV1": {"f:data": {"f:feature.flags": {}, "f:region": {}},
                        "f:metadata": {"f:annotations": {"f:atrium.dev/tracking-id": {}},
                            "f:labels": {"f:atrium.dev/app": {}}}},
                    "manager": "atrium", "operation": "Apply", "time": "2026-11-30T08:12:44Z"}],
                "name": "cart-settings", "namespace": "shop", "resourceVersion": "48213",
                "uid": "0b1e5c7a-4f2d-4c61-9a8e-31f0d2b7c9e4"},
        });
        let text = serde_json::to_vec(&config_map).unwrap();
        let alone = zstd::bulk::Compressor::new(1)
            .unwrap()
            .compress(&text)
            .unwrap();
        let packed = PackedJson::new(&config_map);
        assert_eq!(packed.value(), config_map);
        assert!(
            packed.size() * 3 < alone.len() * 2 && packed.size() * 10 < text.len() * 4,
            "{} bytes packed; zstd alone {}, text {}",
            packed.size(),
            alone.len(),
            text.len()
        );
    }

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

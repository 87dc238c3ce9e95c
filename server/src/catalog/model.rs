//! The catalog's domain types: Backstage entities as read from descriptor files, their refs and
//! relations, and where each came from. Pure data; no I/O.

use std::fmt;

use serde::{Deserialize, Serialize};

/// `kind:namespace/name`, all lower-cased: Backstage compares refs case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EntityRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl EntityRef {
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        Self {
            kind: kind.to_ascii_lowercase(),
            namespace: namespace.to_ascii_lowercase(),
            name: name.to_ascii_lowercase(),
        }
    }
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.kind, self.namespace, self.name)
    }
}

/// One `metadata.links[]` item.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub url: String,
    pub title: Option<String>,
    pub icon: Option<String>,
    #[serde(rename = "type")]
    pub link_type: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// As written in the file (case preserved for display).
    pub name: String,
    pub namespace: String,
    pub title: Option<String>,
    pub description: Option<String>,
    /// Sorted vectors, not B-trees: a B-tree node is about 550 bytes for a map of two.
    pub labels: litemap::LiteMap<String, String>,
    pub annotations: litemap::LiteMap<String, String>,
    pub tags: Vec<String>,
    pub links: Vec<Link>,
}

/// A directed relation, e.g. `ownedBy` → `group:default/team-a`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Relation {
    /// One of the relation table's names, not a copy: a large catalog has several relations
    /// per entity.
    #[serde(rename = "type")]
    pub relation_type: std::borrow::Cow<'static, str>,
    /// Shared by every relation naming the same entity.
    pub target: std::sync::Arc<EntityRef>,
}

/// A validated entity. `kind` keeps the file's spelling (`Component`, `API`); `spec` is the
/// descriptor's `spec` object as read (kept whole so nothing a team wrote is lost).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    pub api_version: String,
    pub kind: String,
    /// Shared (`Arc`), with `spec`: the source's snapshot, the assembled catalog and each
    /// refresh's working copy hold the same entity, and at 100,000 entities a deep copy each
    /// was most of the process's memory. Read-only once validated.
    pub metadata: std::sync::Arc<Metadata>,
    pub spec: std::sync::Arc<Spec>,
    /// Filled in by relation resolution (both directions), sorted.
    #[serde(default)]
    pub relations: Vec<Relation>,
}

impl Entity {
    pub fn entity_ref(&self) -> EntityRef {
        EntityRef::new(&self.kind, &self.metadata.namespace, &self.metadata.name)
    }

    /// A string field of `spec`, if present and a string.
    pub fn spec_str(&self, key: &str) -> Option<&str> {
        self.spec.get(key).and_then(|v| v.as_str())
    }
}

/// An entity's `spec`: its fields sorted by name in one slice, not a JSON map (a map's node
/// costs about 600 bytes however few fields a spec has, most of a large catalog's memory).
/// Serialized as the JSON object it was read from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Spec(Box<[(Box<str>, serde_json::Value)]>);

impl Spec {
    pub fn get(&self, key: &str) -> Option<&serde_json::Value> {
        let at = self.0.binary_search_by(|(k, _)| (**k).cmp(key)).ok()?;
        Some(&self.0[at].1)
    }

    /// A value inside the spec by JSON pointer (`/profile/email`).
    pub fn pointer(&self, pointer: &str) -> Option<&serde_json::Value> {
        let rest = pointer.strip_prefix('/')?;
        let (first, rest) = rest
            .split_once('/')
            .map_or((rest, None), |(f, r)| (f, Some(r)));
        let value = self.get(first)?;
        match rest {
            None => Some(value),
            Some(rest) => value.pointer(&format!("/{rest}")),
        }
    }

    /// The fields in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &serde_json::Value)> {
        self.0.iter().map(|(k, v)| (&**k, v))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `spec["field"]`, `Null` when absent, as on a JSON value.
impl std::ops::Index<&str> for Spec {
    type Output = serde_json::Value;

    fn index(&self, key: &str) -> &serde_json::Value {
        static NULL: serde_json::Value = serde_json::Value::Null;
        self.get(key).unwrap_or(&NULL)
    }
}

impl From<serde_json::Map<String, serde_json::Value>> for Spec {
    fn from(map: serde_json::Map<String, serde_json::Value>) -> Self {
        // Without serde_json's `preserve_order` its map iterates in key order: already sorted.
        Spec(
            map.into_iter()
                .map(|(k, v)| (k.into_boxed_str(), v))
                .collect(),
        )
    }
}

/// An object's fields; anything else (validation refused it already) is an empty spec.
impl From<serde_json::Value> for Spec {
    fn from(value: serde_json::Value) -> Self {
        match value {
            serde_json::Value::Object(map) => map.into(),
            _ => Spec::default(),
        }
    }
}

impl Serialize for Spec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Spec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        serde_json::Map::deserialize(deserializer).map(Spec::from)
    }
}

/// An entity together with the file and document it was read from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Located {
    pub entity: Entity,
    /// Catalog source name (from configuration).
    pub source: String,
    /// Path of the file, relative to the source root, `/`-separated.
    pub file: String,
    /// Index of the YAML document inside the file, from 0.
    pub document: usize,
}

/// A problem found while reading a source; shown on the Catalog errors page and in
/// `atrium catalog validate`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogError {
    pub source: String,
    /// File the problem is in (relative path); empty for source-level problems (missing repo…).
    pub file: String,
    /// Document index inside the file, when the problem is one document.
    pub document: Option<usize>,
    /// The ref of the entity concerned, when it could be read.
    pub entity_ref: Option<String>,
    pub message: String,
}

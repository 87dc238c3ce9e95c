//! The catalog's domain types: Backstage entities as read from descriptor files, their refs and
//! relations, and where each came from. Pure data; no I/O.

use std::collections::BTreeMap;
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
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub tags: Vec<String>,
    pub links: Vec<Link>,
}

/// A directed relation, e.g. `ownedBy` → `group:default/team-a`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Relation {
    #[serde(rename = "type")]
    pub relation_type: String,
    pub target: EntityRef,
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
    pub spec: std::sync::Arc<serde_json::Value>,
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

//! The catalog's domain types: Backstage entities as read from descriptor files, their refs and
//! relations, and where each came from. Pure data; no I/O.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use super::spec::{Spec, SpecValue};
pub use crate::shared_str::SharedStr;

/// `kind:namespace/name`, all lower-cased: Backstage compares refs case-insensitively.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EntityRef {
    /// Kinds and namespaces are few: shared, one word each.
    #[serde(deserialize_with = "SharedStr::deserialize_interned")]
    pub kind: SharedStr,
    #[serde(deserialize_with = "SharedStr::deserialize_interned")]
    pub namespace: SharedStr,
    pub name: Box<str>,
}

impl EntityRef {
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        Self {
            kind: SharedStr::interned(&kind.to_ascii_lowercase()),
            namespace: SharedStr::interned(&namespace.to_ascii_lowercase()),
            name: name.to_ascii_lowercase().into(),
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
    /// As written in the file (case preserved for display). Boxed strings and slices, not
    /// `String` and `Vec`: no capacity word, and a struct of 160 bytes instead of 200 for each
    /// of 100,000 entities.
    pub name: Box<str>,
    /// Namespaces, label and annotation keys, short values and tags repeat across a catalog:
    /// shared ([`SharedStr::interned`]), each is one allocation for all the entities.
    #[serde(deserialize_with = "SharedStr::deserialize_interned")]
    pub namespace: SharedStr,
    pub title: Option<Box<str>>,
    pub description: Option<Box<str>>,
    /// Sorted vectors, not B-trees: a B-tree node is about 550 bytes for a map of two.
    #[serde(deserialize_with = "deserialize_interned_map")]
    pub labels: litemap::LiteMap<SharedStr, SharedStr>,
    #[serde(deserialize_with = "deserialize_interned_map")]
    pub annotations: litemap::LiteMap<SharedStr, SharedStr>,
    #[serde(deserialize_with = "deserialize_interned_list")]
    pub tags: Box<[SharedStr]>,
    pub links: Box<[Link]>,
}

/// Label and annotation values up to this length are interned (`dir:.`, `production`); longer
/// ones are mostly unique (`example/<repo>`), where sharing would only add a table entry.
const SHORT_VALUE: usize = 16;

impl Metadata {
    /// A label or annotation map as stored: keys and short values shared.
    pub fn string_map(
        pairs: impl IntoIterator<Item = (String, String)>,
    ) -> litemap::LiteMap<SharedStr, SharedStr> {
        let mut pairs: Vec<(SharedStr, SharedStr)> = pairs
            .into_iter()
            .map(|(k, v)| {
                let v = if v.len() <= SHORT_VALUE {
                    SharedStr::interned(&v)
                } else {
                    v.into()
                };
                (SharedStr::interned(&k), v)
            })
            .collect();
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        pairs.dedup_by(|later, first| later.0 == first.0);
        pairs.shrink_to_fit();
        litemap::LiteMap::from_sorted_store_unchecked(pairs)
    }
}

/// As `LiteMap` reads itself (a JSON object, or a list of pairs: an empty map is written
/// `[]`), straight into shared strings.
fn deserialize_interned_map<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<litemap::LiteMap<SharedStr, SharedStr>, D::Error> {
    struct Pairs;
    impl<'de> serde::de::Visitor<'de> for Pairs {
        type Value = Vec<(String, String)>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a map of strings")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
            while let Some(pair) = map.next_entry()? {
                out.push(pair);
            }
            Ok(out)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(pair) = seq.next_element()? {
                out.push(pair);
            }
            Ok(out)
        }
    }
    Ok(Metadata::string_map(deserializer.deserialize_any(Pairs)?))
}

fn deserialize_interned_list<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Box<[SharedStr]>, D::Error> {
    let list = Vec::<std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    Ok(list.iter().map(|t| SharedStr::interned(t)).collect())
}

impl Metadata {
    /// Drops the spare capacity a parse or a deserialization leaves in the lists (a map of two
    /// annotations grown to four slots): it stays for the life of the catalog.
    pub fn compact(&mut self) {
        for map in [&mut self.labels, &mut self.annotations] {
            if map.is_empty() {
                continue;
            }
            let mut pairs = std::mem::take(map).into_tuple_vec();
            pairs.shrink_to_fit();
            *map = litemap::LiteMap::from_sorted_store_unchecked(pairs);
        }
    }
}

/// A directed relation, e.g. `ownedBy` → `group:default/team-a`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Relation {
    /// One of the relation table's names, shared (one word): a large catalog has several
    /// relations per entity.
    #[serde(rename = "type")]
    pub relation_type: SharedStr,
    /// Shared by every relation naming the same entity.
    pub target: std::sync::Arc<EntityRef>,
}

/// A validated entity. `kind` keeps the file's spelling (`Component`, `API`); `spec` is the
/// descriptor's `spec` object as read (kept whole so nothing a team wrote is lost).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// Shared: a catalog has a handful of distinct values.
    #[serde(deserialize_with = "SharedStr::deserialize_interned")]
    pub api_version: SharedStr,
    #[serde(deserialize_with = "SharedStr::deserialize_interned")]
    pub kind: SharedStr,
    /// Shared (`Arc`), with `spec`: the source's snapshot, the assembled catalog and each
    /// refresh's working copy hold the same entity, and at 100,000 entities a deep copy each
    /// was most of the process's memory. Read-only once validated.
    pub metadata: std::sync::Arc<Metadata>,
    pub spec: std::sync::Arc<Spec>,
    /// Filled in by relation resolution (both directions), sorted. Boxed: the catalog holds
    /// each entity twice (its source's snapshot and the assembled map), and never grows it.
    #[serde(default)]
    pub relations: Box<[Relation]>,
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
    /// Catalog source name (from configuration); shared by the source's entities.
    #[serde(deserialize_with = "SharedStr::deserialize_interned")]
    pub source: SharedStr,
    /// Path of the file, relative to the source root, `/`-separated; shared by the file's
    /// entities.
    pub file: SharedStr,
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

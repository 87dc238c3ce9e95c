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
    /// Shared with the entity's `metadata.name` when that is already lower case (almost
    /// always): one allocation for the name, not two.
    pub name: SharedStr,
}

impl EntityRef {
    pub fn new(kind: &str, namespace: &str, name: &str) -> Self {
        Self::of(kind, namespace, SharedStr::from(name.to_ascii_lowercase()))
    }

    /// [`EntityRef::new`], sharing `name` when it needs no lower-casing.
    pub fn with_name(kind: &str, namespace: &str, name: &SharedStr) -> Self {
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            Self::new(kind, namespace, name)
        } else {
            Self::of(kind, namespace, name.clone())
        }
    }

    /// The ref of an already lower-cased `name`.
    fn of(kind: &str, namespace: &str, name: SharedStr) -> Self {
        Self {
            kind: SharedStr::interned(&kind.to_ascii_lowercase()),
            namespace: SharedStr::interned(&namespace.to_ascii_lowercase()),
            name,
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
    /// As written in the file (case preserved for display); shared with the entity's ref
    /// (see [`EntityRef::name`]). Boxed strings and slices elsewhere, not `String` and `Vec`:
    /// no capacity word, and a smaller struct for each of 100,000 entities.
    pub name: SharedStr,
    /// Namespaces, label and annotation keys, short values and tags repeat across a catalog:
    /// shared ([`SharedStr::interned`]), each is one allocation for all the entities.
    #[serde(deserialize_with = "SharedStr::deserialize_interned")]
    pub namespace: SharedStr,
    pub title: Option<Box<str>>,
    pub description: Option<Box<str>>,
    pub labels: StringMap,
    pub annotations: StringMap,
    #[serde(deserialize_with = "deserialize_interned_list")]
    pub tags: Box<[SharedStr]>,
    pub links: Links,
}

/// A label or annotation map: pairs sorted by key, keys and short values shared. A sorted
/// slice, not a B-tree (a node is about 550 bytes for a map of two), and boxed, not a `Vec`:
/// with `Links`, that keeps `Metadata` in a 128-byte allocation instead of a 160-byte one.
#[derive(Clone, Default, PartialEq)]
pub struct StringMap(Box<[(SharedStr, SharedStr)]>);

impl StringMap {
    pub fn get(&self, key: &str) -> Option<&SharedStr> {
        let at = self.0.binary_search_by(|(k, _)| (**k).cmp(key)).ok()?;
        Some(&self.0[at].1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The pairs in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&SharedStr, &SharedStr)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a StringMap {
    type Item = (&'a SharedStr, &'a SharedStr);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (SharedStr, SharedStr)>,
        fn(&'a (SharedStr, SharedStr)) -> (&'a SharedStr, &'a SharedStr),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl fmt::Debug for StringMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for StringMap {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for StringMap {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_interned_map(deserializer)
    }
}

/// `metadata.links`: most entities have none, so the list is one word (no allocation when
/// empty) rather than a two-word boxed slice. Derefs to the links.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Links(Option<Box<Box<[Link]>>>);

impl std::ops::Deref for Links {
    type Target = [Link];

    fn deref(&self) -> &[Link] {
        self.0.as_deref().map_or(&[], |links| links)
    }
}

impl From<Vec<Link>> for Links {
    fn from(links: Vec<Link>) -> Self {
        Links((!links.is_empty()).then(|| Box::new(links.into_boxed_slice())))
    }
}

impl Serialize for Links {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Links {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<Link>::deserialize(deserializer)?.into())
    }
}

/// Label and annotation values up to this length are interned (`dir:.`, `production`); longer
/// ones are mostly unique (`example/<repo>`), where sharing would only add a table entry.
const SHORT_VALUE: usize = 16;

impl Metadata {
    /// A label or annotation map as stored: keys and short values shared; on a repeated key
    /// the first value wins.
    pub fn string_map(pairs: impl IntoIterator<Item = (String, String)>) -> StringMap {
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
        StringMap(pairs.into_boxed_slice())
    }
}

/// A JSON object, or a list of pairs (`LiteMap`, which held these maps before, wrote an empty
/// map as `[]`, and stored snapshots still hold that), straight into shared strings.
fn deserialize_interned_map<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<StringMap, D::Error> {
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
    /// Shared (`Arc`), with `spec`: each refresh's working copy holds the same entity as the
    /// snapshot it came from, and at 100,000 entities a deep copy each was most of the
    /// process's memory. Read-only once validated.
    pub metadata: std::sync::Arc<Metadata>,
    pub spec: std::sync::Arc<Spec>,
}

impl Entity {
    pub fn entity_ref(&self) -> EntityRef {
        EntityRef::with_name(&self.kind, &self.metadata.namespace, &self.metadata.name)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_fits_a_128_byte_allocation() {
        // An `Arc<Metadata>` is the counts (two words) and the struct. mimalloc's size classes
        // go 112, 128, 160 bytes: one field more and 100,000 entities take 3 MB more.
        assert!(2 * size_of::<usize>() + size_of::<Metadata>() <= 128);
    }

    #[test]
    fn string_maps_read_objects_and_pair_lists_and_write_objects() {
        let map: StringMap = serde_json::from_str(r#"{"b": "2", "a": "1"}"#).unwrap();
        assert_eq!(map.get("a").map(SharedStr::as_str), Some("1"));
        assert!(map.contains_key("b") && !map.contains_key("c"));
        assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"a":"1","b":"2"}"#);
        // How the map type used before wrote an empty map, still in stored snapshots.
        let empty: StringMap = serde_json::from_str("[]").unwrap();
        assert!(empty.is_empty());
        let pairs: StringMap = serde_json::from_str(r#"[["k", "v"]]"#).unwrap();
        assert_eq!(pairs.get("k").map(SharedStr::as_str), Some("v"));
    }

    #[test]
    fn a_malformed_string_map_is_refused_and_a_repeated_key_keeps_its_first_value() {
        for bad in [
            r#"{"a": 1}"#,
            r#"{"a": null}"#,
            r#""text""#,
            r#"[["k"]]"#,
            "7",
        ] {
            let err = serde_json::from_str::<StringMap>(bad)
                .unwrap_err()
                .to_string();
            assert!(err.contains("invalid"), "{bad}: {err}");
        }
        let pairs: StringMap =
            serde_json::from_str(r#"[["k", "first"], ["k", "second"]]"#).unwrap();
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs.get("k").map(SharedStr::as_str), Some("first"));
    }

    #[test]
    fn links_are_empty_without_an_allocation_and_round_trip() {
        assert_eq!(size_of::<Links>(), size_of::<usize>());
        let none = Links::from(Vec::new());
        assert!(none.is_empty() && none == Links::default());
        let json = r#"[{"url":"https://x","title":"X","icon":null,"type":null}]"#;
        let links: Links = serde_json::from_str(json).unwrap();
        assert_eq!(links[0].url, "https://x");
        assert_eq!(serde_json::to_string(&links).unwrap(), json);
    }

    #[test]
    fn an_entity_stored_by_the_previous_version_still_reads() {
        // Stored snapshots held relations (always empty) and wrote empty maps as `[]`.
        let body = r#"{"api_version":"backstage.io/v1alpha1","kind":"Component",
            "metadata":{"name":"web","namespace":"default","title":null,"description":null,
            "labels":[],"annotations":{"a":"b"},"tags":["x"],"links":[]},
            "spec":{"owner":"team"},"relations":[]}"#;
        let entity: Entity = serde_json::from_str(body).unwrap();
        assert_eq!(entity.metadata.annotations.get("a").unwrap(), "b");
        assert!(entity.metadata.labels.is_empty() && entity.metadata.links.is_empty());
        assert_eq!(entity.spec_str("owner"), Some("team"));
    }

    #[test]
    fn a_ref_shares_a_lower_case_name_and_lower_cases_any_other() {
        let web = crate::catalog::testing::entity("Component", "web", serde_json::json!({}));
        let r = web.entity_ref();
        assert_eq!(r.to_string(), "component:default/web");
        assert!(std::ptr::eq(r.name.as_str(), web.metadata.name.as_str()));
        let shop = crate::catalog::testing::entity("System", "Shop", serde_json::json!({}));
        let r = shop.entity_ref();
        assert_eq!(r, EntityRef::new("system", "default", "shop"));
        assert_eq!(&*shop.metadata.name, "Shop");
    }
}

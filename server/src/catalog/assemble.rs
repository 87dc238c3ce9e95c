//! The catalog as a whole: the snapshots of every source merged into one map of entities,
//! with relations resolved across sources and every problem collected in one list.

use std::borrow::Borrow;
use std::collections::hash_map::Entry;
use std::collections::BTreeMap;
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use super::model::{CatalogError, Entity, EntityRef, Located, Relation};
use super::relations::resolve;
use super::source::SourceSnapshot;

/// Entities by ref, relations filled in both ways, and all errors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assembled {
    /// The snapshots the entities were read into. The map points into them rather than holding
    /// a copy of each entity: at 100,000 entities the copies were 8 MB.
    sources: Vec<Arc<SourceSnapshot>>,
    /// Each ref is the one copy the catalog holds: relations naming the entity and the search
    /// index share it.
    entities: BTreeMap<Arc<EntityRef>, Slot>,
    pub errors: Vec<CatalogError>,
}

/// Where an entity of the map lies (`sources[source].entities[at]`), and its relations.
#[derive(Clone, Debug, PartialEq)]
struct Slot {
    source: u32,
    at: u32,
    /// Sorted; both directions. Boxed: never grown.
    relations: Box<[Relation]>,
}

/// One entity of the assembled catalog: as read (with its file and source), and its relations.
/// Derefs to the [`Located`] it was read as.
#[derive(Clone, Copy, Debug)]
pub struct Cataloged<'a> {
    pub located: &'a Located,
    pub relations: &'a [Relation],
}

impl std::ops::Deref for Cataloged<'_> {
    type Target = Located;

    fn deref(&self) -> &Located {
        self.located
    }
}

impl Assembled {
    fn cataloged<'a>(&'a self, slot: &'a Slot) -> Cataloged<'a> {
        Cataloged {
            located: &self.sources[slot.source as usize].entities[slot.at as usize],
            relations: &slot.relations,
        }
    }

    pub fn get(&self, entity_ref: &EntityRef) -> Option<Cataloged<'_>> {
        self.entities
            .get(entity_ref)
            .map(|slot| self.cataloged(slot))
    }

    /// Every entity, in ref order.
    pub fn iter(&self) -> impl Iterator<Item = (&Arc<EntityRef>, Cataloged<'_>)> + '_ {
        self.entities
            .iter()
            .map(|(entity_ref, slot)| (entity_ref, self.cataloged(slot)))
    }

    pub fn len(&self) -> usize {
        self.entities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entities.is_empty()
    }
}

/// Merges snapshots in configuration order: on a ref defined by two sources the first source
/// wins, and the other gets an error naming both.
pub fn assemble(sources: &[Arc<SourceSnapshot>]) -> Assembled {
    let (winners, errors) = merge_positions(sources);
    let refs: Vec<(Arc<EntityRef>, u32, u32)> = winners
        .into_iter()
        .map(|(entity_ref, source, at)| (Arc::new(entity_ref), source, at))
        .collect();
    let entities: Vec<(&Arc<EntityRef>, &Entity)> = refs
        .iter()
        .map(|(r, source, at)| (r, &sources[*source as usize].entities[*at as usize].entity))
        .collect();
    let relations = resolve(&entities);
    drop(entities);
    Assembled {
        sources: sources.to_vec(),
        entities: refs
            .into_iter()
            .zip(relations)
            .map(|((entity_ref, source, at), relations)| {
                let slot = Slot {
                    source,
                    at,
                    relations,
                };
                (entity_ref, slot)
            })
            .collect(),
        errors,
    }
}

/// [`assemble`] without relations, borrowing the entities: what a report of the catalog
/// (`atrium catalog validate`) needs, without a copy of every entity.
pub struct Merged<'a> {
    pub entities: BTreeMap<EntityRef, &'a Located>,
    pub errors: Vec<CatalogError>,
}

/// See [`assemble`]: the same entities win and the same errors come out, in the same order.
pub fn merge<S: Borrow<SourceSnapshot> + Sync>(sources: &[S]) -> Merged<'_> {
    let (winners, errors) = merge_positions(sources);
    Merged {
        entities: winners
            .into_iter()
            .map(|(r, source, at)| (r, &sources[source as usize].borrow().entities[at as usize]))
            .collect(),
        errors,
    }
}

/// The winning definition of each ref, sorted by ref, as (ref, source index, entity index);
/// and the errors of every source, then the duplicates.
fn merge_positions<S: Borrow<SourceSnapshot> + Sync>(
    sources: &[S],
) -> (Vec<(EntityRef, u32, u32)>, Vec<CatalogError>) {
    // Refs lower-case three strings each: computed on the pool. The first definition of each
    // is found with a hash map; the winners are sorted once, on the pool too, and the map is
    // built from them in one pass (inserting one by one cost more than all the rest).
    let refs: Vec<Vec<EntityRef>> = sources
        .iter()
        .map(|s| {
            s.borrow()
                .entities
                .par_iter()
                .map(|l| l.entity.entity_ref())
                .collect()
        })
        .collect();
    let total = refs.iter().map(Vec::len).sum();
    let mut first: HashMap<EntityRef, (u32, u32)> = HashMap::with_capacity(total);
    let mut errors = Vec::new();
    for (source, (snapshot, refs)) in sources.iter().map(S::borrow).zip(refs).enumerate() {
        if let Some(message) = &snapshot.source_error {
            errors.push(CatalogError {
                source: snapshot.source.clone(),
                file: String::new(),
                document: None,
                entity_ref: None,
                message: message.clone(),
            });
        }
        errors.extend(snapshot.errors.iter().cloned());
        for (at, (located, entity_ref)) in snapshot.entities.iter().zip(refs).enumerate() {
            match first.entry(entity_ref) {
                Entry::Vacant(vacant) => {
                    vacant.insert((source as u32, at as u32));
                }
                Entry::Occupied(defined) => {
                    let (entity_ref, &(s, a)) = (defined.key(), defined.get());
                    let first = &sources[s as usize].borrow().entities[a as usize];
                    errors.push(CatalogError {
                        source: located.source.to_string(),
                        file: located.file.to_string(),
                        document: Some(located.document),
                        entity_ref: Some(entity_ref.to_string()),
                        message: format!(
                            "duplicate entity {entity_ref}, already defined in source \"{}\" \
                             ({}, document {}); this definition from source \"{}\" is ignored",
                            first.source, first.file, first.document, located.source
                        ),
                    });
                }
            }
        }
    }
    let mut winners: Vec<(EntityRef, u32, u32)> =
        first.into_iter().map(|(r, (s, a))| (r, s, a)).collect();
    winners.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    (winners, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testing::located;
    use serde_json::json;

    fn snapshot(name: &str, entities: Vec<Located>) -> SourceSnapshot {
        SourceSnapshot {
            source: name.into(),
            entities,
            ..SourceSnapshot::default()
        }
    }

    #[test]
    fn first_source_wins_and_relations_cross_sources() {
        let a = snapshot(
            "a",
            vec![located("a", "Component", "web", json!({"owner": "team"}))],
        );
        let mut b = snapshot(
            "b",
            vec![
                located(
                    "b",
                    "Group",
                    "team",
                    json!({"type": "team", "children": []}),
                ),
                located("b", "Component", "web", json!({"owner": "other"})),
            ],
        );
        b.source_error = Some("catalog source \"b\": cannot read".into());
        let out = assemble(&[Arc::new(a), Arc::new(b)]);
        assert_eq!(out.len(), 2);
        let web = out.get(&"component:web".parse().unwrap()).unwrap();
        assert_eq!(web.source, "a");
        assert_eq!(
            web.relations,
            [Relation {
                relation_type: "ownedBy".into(),
                target: std::sync::Arc::new("group:team".parse().unwrap())
            }]
        );
        let team = out.get(&"group:team".parse().unwrap()).unwrap();
        assert_eq!(team.relations[0].relation_type, "ownerOf");
        assert_eq!(out.errors.len(), 2);
        assert_eq!(out.errors[0].file, "");
        assert_eq!(out.errors[0].source, "b");
        assert!(out.errors[1].message.starts_with(
            "duplicate entity component:default/web, already defined in source \"a\" (web.yaml, document 0)"
        ));
    }

    #[test]
    fn duplicates_are_reported_in_source_then_entity_order() {
        let c =
            |source: &str, name: &str| located(source, "Component", name, json!({"owner": "t"}));
        let sources = [
            snapshot("a", vec![c("a", "x"), c("a", "y")]),
            snapshot("b", vec![c("b", "y"), c("b", "z"), c("b", "x")]),
            snapshot("c", vec![c("c", "z")]),
        ];
        let out = assemble(&sources.map(Arc::new));
        let winners: Vec<(String, &str)> = out
            .iter()
            .map(|(r, l)| (r.to_string(), l.located.source.as_str()))
            .collect();
        assert_eq!(
            winners,
            vec![
                ("component:default/x".to_string(), "a"),
                ("component:default/y".to_string(), "a"),
                ("component:default/z".to_string(), "b"),
            ]
        );
        let errors: Vec<(&str, &str)> = out
            .errors
            .iter()
            .map(|e| (e.source.as_str(), e.entity_ref.as_deref().unwrap()))
            .collect();
        assert_eq!(
            errors,
            vec![
                ("b", "component:default/y"),
                ("b", "component:default/x"),
                ("c", "component:default/z"),
            ]
        );
        assert!(out.errors[2]
            .message
            .contains("already defined in source \"b\""));
    }
}

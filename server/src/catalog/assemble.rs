//! The catalog as a whole: the snapshots of every source merged into one map of entities,
//! with relations resolved across sources and every problem collected in one list.

use std::borrow::Borrow;
use std::collections::hash_map::Entry;
use std::collections::BTreeMap;
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};
use rayon::prelude::*;

use super::model::{CatalogError, Entity, EntityRef, Located};
use super::relations::resolve;
use super::source::SourceSnapshot;

/// Entities by ref, relations filled in both ways, and all errors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assembled {
    /// Each ref is the one copy the catalog holds: relations naming the entity and the search
    /// index share it.
    pub entities: BTreeMap<Arc<EntityRef>, Located>,
    pub errors: Vec<CatalogError>,
}

/// Merges snapshots in configuration order: on a ref defined by two sources the first source
/// wins, and the other gets an error naming both.
pub fn assemble<S: Borrow<SourceSnapshot> + Sync>(sources: &[S]) -> Assembled {
    let merged = merge(sources);
    let mut entities: BTreeMap<Arc<EntityRef>, Located> = merged
        .entities
        .into_iter()
        .map(|(entity_ref, located)| {
            // A copy of the struct only: its strings, metadata and spec are shared.
            let located = Located {
                entity: Entity {
                    relations: Box::default(),
                    ..located.entity.clone()
                },
                ..located.clone()
            };
            (Arc::new(entity_ref), located)
        })
        .collect();
    resolve(&mut entities);
    Assembled {
        entities,
        errors: merged.errors,
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
    let mut first: HashMap<EntityRef, &Located> = HashMap::with_capacity(total);
    let mut errors = Vec::new();
    for (snapshot, refs) in sources.iter().map(S::borrow).zip(refs) {
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
        for (located, entity_ref) in snapshot.entities.iter().zip(refs) {
            match first.entry(entity_ref) {
                Entry::Vacant(vacant) => {
                    vacant.insert(located);
                }
                Entry::Occupied(defined) => {
                    let (entity_ref, first) = (defined.key(), defined.get());
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
    let mut winners: Vec<(EntityRef, &Located)> = first.into_iter().collect();
    winners.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Merged {
        entities: winners.into_iter().collect(),
        errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::model::Relation;
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
        let out = assemble(&[a, b]);
        assert_eq!(out.entities.len(), 2);
        let web = &out.entities[&"component:web".parse::<EntityRef>().unwrap()];
        assert_eq!(web.source, "a");
        assert_eq!(
            *web.entity.relations,
            [Relation {
                relation_type: "ownedBy".into(),
                target: std::sync::Arc::new("group:team".parse().unwrap())
            }]
        );
        let team = &out.entities[&"group:team".parse::<EntityRef>().unwrap()];
        assert_eq!(team.entity.relations[0].relation_type, "ownerOf");
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
        let out = assemble(&sources);
        let winners: Vec<(String, &str)> = out
            .entities
            .iter()
            .map(|(r, l)| (r.to_string(), l.source.as_str()))
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

//! The catalog as a whole: the snapshots of every source merged into one map of entities,
//! with relations resolved across sources and every problem collected in one list.

use std::collections::BTreeMap;

use super::model::{CatalogError, EntityRef, Located};
use super::relations::resolve;
use super::source::SourceSnapshot;

/// Entities by ref, relations filled in both ways, and all errors.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assembled {
    pub entities: BTreeMap<EntityRef, Located>,
    pub errors: Vec<CatalogError>,
}

/// Merges snapshots in configuration order: on a ref defined by two sources the first source
/// wins, and the other gets an error naming both.
pub fn assemble(sources: &[SourceSnapshot]) -> Assembled {
    let merged = merge(sources);
    let mut entities: BTreeMap<EntityRef, Located> = merged
        .entities
        .into_iter()
        .map(|(entity_ref, located)| {
            let mut located = located.clone();
            located.entity.relations.clear();
            (entity_ref, located)
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
pub fn merge(sources: &[SourceSnapshot]) -> Merged<'_> {
    let mut out = Merged {
        entities: BTreeMap::new(),
        errors: Vec::new(),
    };
    for snapshot in sources {
        if let Some(message) = &snapshot.source_error {
            out.errors.push(CatalogError {
                source: snapshot.source.clone(),
                file: String::new(),
                document: None,
                entity_ref: None,
                message: message.clone(),
            });
        }
        out.errors.extend(snapshot.errors.iter().cloned());
        for located in &snapshot.entities {
            let entity_ref = located.entity.entity_ref();
            if let Some(first) = out.entities.get(&entity_ref) {
                out.errors.push(CatalogError {
                    source: located.source.clone(),
                    file: located.file.clone(),
                    document: Some(located.document),
                    entity_ref: Some(entity_ref.to_string()),
                    message: format!(
                        "duplicate entity {entity_ref}, already defined in source \"{}\" \
                         ({}, document {}); this definition from source \"{}\" is ignored",
                        first.source, first.file, first.document, located.source
                    ),
                });
                continue;
            }
            out.entities.insert(entity_ref, located);
        }
    }
    out
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
        let web = &out.entities[&"component:web".parse().unwrap()];
        assert_eq!(web.source, "a");
        assert_eq!(
            web.entity.relations,
            vec![Relation {
                relation_type: "ownedBy".into(),
                target: "group:team".parse().unwrap()
            }]
        );
        let team = &out.entities[&"group:team".parse().unwrap()];
        assert_eq!(team.entity.relations[0].relation_type, "ownerOf");
        assert_eq!(out.errors.len(), 2);
        assert_eq!(out.errors[0].file, "");
        assert_eq!(out.errors[0].source, "b");
        assert!(out.errors[1].message.starts_with(
            "duplicate entity component:default/web, already defined in source \"a\" (web.yaml, document 0)"
        ));
    }
}

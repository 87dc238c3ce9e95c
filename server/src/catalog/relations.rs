//! Relations between entities, derived from spec fields exactly as Backstage's
//! `BuiltinKindsEntityProcessor` does, and stored both ways: the forward relation on the
//! entity that wrote the field, the reverse one on the target (when the target exists).

use std::collections::HashMap;
use std::sync::Arc;

use super::model::{Entity, EntityRef, Relation, SharedStr, SpecValue};
use super::refs::parse_ref;

/// One spec field that names other entities.
#[derive(Debug, Clone, Copy)]
pub struct RelationField {
    /// Lower-cased kind of the entity holding the field.
    pub kind: &'static str,
    /// Field name inside `spec`.
    pub field: &'static str,
    /// A list of refs rather than one ref.
    pub many: bool,
    /// Kind assumed when the ref omits it; None = the ref must name its kind.
    pub default_kind: Option<&'static str>,
    /// Relation stored on the entity holding the field.
    pub forward: &'static str,
    /// Relation stored on the target.
    pub reverse: &'static str,
}

const fn f(
    kind: &'static str,
    field: &'static str,
    many: bool,
    default_kind: Option<&'static str>,
    forward: &'static str,
    reverse: &'static str,
) -> RelationField {
    RelationField {
        kind,
        field,
        many,
        default_kind,
        forward,
        reverse,
    }
}

const OWNED: (&str, &str) = ("ownedBy", "ownerOf");
const PART: (&str, &str) = ("partOf", "hasPart");
const DEP: (&str, &str) = ("dependsOn", "dependencyOf");
const DEP_OF: (&str, &str) = ("dependencyOf", "dependsOn");

/// The whole table, in Backstage's order.
pub const RELATION_FIELDS: &[RelationField] = &[
    f("component", "owner", false, Some("group"), OWNED.0, OWNED.1),
    f(
        "component",
        "subcomponentOf",
        false,
        Some("component"),
        PART.0,
        PART.1,
    ),
    f(
        "component",
        "providesApis",
        true,
        Some("api"),
        "providesApi",
        "apiProvidedBy",
    ),
    f(
        "component",
        "consumesApis",
        true,
        Some("api"),
        "consumesApi",
        "apiConsumedBy",
    ),
    f("component", "dependsOn", true, None, DEP.0, DEP.1),
    f("component", "dependencyOf", true, None, DEP_OF.0, DEP_OF.1),
    f("component", "system", false, Some("system"), PART.0, PART.1),
    f("api", "owner", false, Some("group"), OWNED.0, OWNED.1),
    f("api", "system", false, Some("system"), PART.0, PART.1),
    f("resource", "owner", false, Some("group"), OWNED.0, OWNED.1),
    f("resource", "dependsOn", true, None, DEP.0, DEP.1),
    f("resource", "dependencyOf", true, None, DEP_OF.0, DEP_OF.1),
    f("resource", "system", false, Some("system"), PART.0, PART.1),
    f("system", "owner", false, Some("group"), OWNED.0, OWNED.1),
    f("system", "domain", false, Some("domain"), PART.0, PART.1),
    f("domain", "owner", false, Some("group"), OWNED.0, OWNED.1),
    f(
        "domain",
        "subdomainOf",
        false,
        Some("domain"),
        PART.0,
        PART.1,
    ),
    f(
        "group",
        "parent",
        false,
        Some("group"),
        "childOf",
        "parentOf",
    ),
    f(
        "group",
        "children",
        true,
        Some("group"),
        "parentOf",
        "childOf",
    ),
    f(
        "group",
        "members",
        true,
        Some("user"),
        "hasMember",
        "memberOf",
    ),
    f(
        "user",
        "memberOf",
        true,
        Some("group"),
        "memberOf",
        "hasMember",
    ),
    // The scaffolder's processor relates a Template to its owner the same way.
    f("template", "owner", false, Some("group"), OWNED.0, OWNED.1),
];

/// A custom kind (admitted by `[[catalog.rules]]`) relates through the fields Backstage's
/// kinds share; `kind` is unused for these rows.
pub const GENERIC_FIELDS: &[RelationField] = &[
    f("*", "owner", false, Some("group"), OWNED.0, OWNED.1),
    f("*", "system", false, Some("system"), PART.0, PART.1),
    f("*", "dependsOn", true, None, DEP.0, DEP.1),
    f("*", "dependencyOf", true, None, DEP_OF.0, DEP_OF.1),
];

/// The relation fields of one kind (any spelling).
pub fn fields_for(kind: &str) -> impl Iterator<Item = &'static RelationField> {
    let kind = kind.to_ascii_lowercase();
    let custom = !super::rules::is_builtin(&kind);
    let table = if custom {
        GENERIC_FIELDS
    } else {
        RELATION_FIELDS
    };
    table.iter().filter(move |f| custom || f.kind == kind)
}

/// The refs an entity's spec names, with the field each came from. Values that are not
/// strings or do not parse are skipped here: validation already reported them.
pub fn outgoing(entity: &Entity) -> Vec<(&'static RelationField, EntityRef)> {
    let namespace = &entity.metadata.namespace;
    let mut out = Vec::new();
    for field in fields_for(&entity.kind) {
        let texts: Vec<&str> = match entity.spec.get(field.field) {
            Some(SpecValue::String(s)) => vec![s.as_str()],
            Some(SpecValue::Array(items)) => items.iter().filter_map(SpecValue::as_str).collect(),
            _ => continue,
        };
        for text in texts {
            if let Ok(target) = parse_ref(text, field.default_kind, namespace) {
                out.push((field, target));
            }
        }
    }
    out
}

/// The relations of each of `entities` (given in ref order, each with its ref), in the same
/// order: forward relations always (a dangling target is kept so the UI can show it), reverse
/// ones on targets that exist. Sorted, deduplicated.
pub fn resolve(entities: &[(&Arc<EntityRef>, &Entity)]) -> Vec<Box<[Relation]>> {
    // Each ref is shared (`Arc`, the map's own key) by every relation that names it: at
    // 100,000 entities, copies of refs were the largest part of the catalog.
    let position: HashMap<&EntityRef, usize> = entities
        .iter()
        .enumerate()
        .map(|(i, (r, _))| (&***r, i))
        .collect();
    let mut found: Vec<Vec<Relation>> = vec![Vec::new(); entities.len()];
    // The table's names, each looked up in the shared string table once.
    let mut names: HashMap<&'static str, SharedStr> = HashMap::new();
    let mut name = |n: &'static str| {
        names
            .entry(n)
            .or_insert_with(|| SharedStr::interned(n))
            .clone()
    };
    for (at, (me, entity)) in entities.iter().enumerate() {
        for (field, target) in outgoing(entity) {
            let target = match position.get(&target) {
                Some(&to) => {
                    found[to].push(Relation {
                        relation_type: name(field.reverse),
                        target: Arc::clone(me),
                    });
                    Arc::clone(entities[to].0)
                }
                // Dangling: kept so the UI can show it.
                None => Arc::new(target),
            };
            found[at].push(Relation {
                relation_type: name(field.forward),
                target,
            });
        }
    }
    drop(position);
    found
        .into_iter()
        .map(|mut relations| {
            relations.sort();
            relations.dedup();
            relations.into_boxed_slice()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::testing;
    use serde_json::{json, Value};
    use std::collections::BTreeMap;

    fn entity(kind: &str, name: &str, spec: Value) -> (Arc<EntityRef>, Entity) {
        let entity = testing::entity(kind, name, spec);
        (Arc::new(entity.entity_ref()), entity)
    }

    /// [`resolve`] on `entities`, by ref.
    fn resolved(
        entities: impl IntoIterator<Item = (Arc<EntityRef>, Entity)>,
    ) -> BTreeMap<Arc<EntityRef>, Box<[Relation]>> {
        let map: BTreeMap<_, _> = entities.into_iter().collect();
        let list: Vec<(&Arc<EntityRef>, &Entity)> = map.iter().collect();
        let relations = resolve(&list);
        map.keys().cloned().zip(relations).collect()
    }

    fn rel(t: &str, target: &str) -> Relation {
        Relation {
            relation_type: t.to_string().into(),
            target: Arc::new(target.parse().unwrap()),
        }
    }

    fn relations_of<'a>(
        map: &'a BTreeMap<Arc<EntityRef>, Box<[Relation]>>,
        r: &str,
    ) -> &'a [Relation] {
        &map[&r.parse::<EntityRef>().unwrap()]
    }

    #[test]
    fn component_relations_both_ways() {
        let map = resolved([
            entity(
                "Component",
                "web",
                json!({"owner": "team-a", "system": "shop", "providesApis": ["orders"],
                       "consumesApis": ["api:pay"], "dependsOn": ["resource:db"],
                       "dependencyOf": ["component:front"], "subcomponentOf": "portal"}),
            ),
            entity("Group", "team-a", json!({"type": "team", "children": []})),
            entity("API", "orders", json!({})),
            entity("Resource", "db", json!({})),
            entity("System", "shop", json!({})),
        ]);
        assert_eq!(
            relations_of(&map, "component:web"),
            &[
                rel("consumesApi", "api:pay"),
                rel("dependencyOf", "component:front"),
                rel("dependsOn", "resource:db"),
                rel("ownedBy", "group:team-a"),
                rel("partOf", "component:portal"),
                rel("partOf", "system:shop"),
                rel("providesApi", "api:orders"),
            ]
        );
        assert_eq!(
            relations_of(&map, "group:team-a"),
            &[rel("ownerOf", "component:web")]
        );
        assert_eq!(
            relations_of(&map, "api:orders"),
            &[rel("apiProvidedBy", "component:web")]
        );
        assert_eq!(
            relations_of(&map, "resource:db"),
            &[rel("dependencyOf", "component:web")]
        );
        assert_eq!(
            relations_of(&map, "system:shop"),
            &[rel("hasPart", "component:web")]
        );
    }

    #[test]
    fn group_and_user_membership_deduplicated() {
        let map = resolved([
            entity(
                "Group",
                "team-a",
                json!({"type": "team", "parent": "org", "children": ["sub"], "members": ["jo"]}),
            ),
            entity(
                "Group",
                "org",
                json!({"type": "org", "children": ["team-a"]}),
            ),
            entity("User", "jo", json!({"memberOf": ["team-a"]})),
        ]);
        assert_eq!(
            relations_of(&map, "group:team-a"),
            &[
                rel("childOf", "group:org"),
                rel("hasMember", "user:jo"),
                rel("parentOf", "group:sub"),
            ]
        );
        assert_eq!(
            relations_of(&map, "group:org"),
            &[rel("parentOf", "group:team-a")]
        );
        assert_eq!(
            relations_of(&map, "user:jo"),
            &[rel("memberOf", "group:team-a")]
        );
    }

    #[test]
    fn system_domain_and_defaults_use_own_namespace() {
        let (_, mut sys) = entity(
            "System",
            "shop",
            json!({"owner": "user:ann", "domain": "sales"}),
        );
        std::sync::Arc::make_mut(&mut sys.metadata).namespace = "retail".into();
        let map = resolved([
            (Arc::new(sys.entity_ref()), sys),
            entity(
                "Domain",
                "sales",
                json!({"owner": "team", "subdomainOf": "biz"}),
            ),
        ]);
        assert_eq!(
            relations_of(&map, "system:retail/shop"),
            &[
                rel("ownedBy", "user:retail/ann"),
                rel("partOf", "domain:retail/sales")
            ]
        );
        // domain:default/sales exists but the system points at retail/sales: no reverse.
        assert_eq!(
            relations_of(&map, "domain:default/sales"),
            &[rel("ownedBy", "group:team"), rel("partOf", "domain:biz")]
        );
    }
}

//! The upstream Backstage example catalog, ingested as directory sources and linted as a
//! directory: every valid entity is present with its relations, the invalid ones and the
//! absent target are reported, nothing else is lost.

use std::path::PathBuf;

use atrium_server::catalog::assemble::{assemble, Assembled};
use atrium_server::catalog::lint::validate_target;
use atrium_server::catalog::model::{EntityRef, Relation};
use atrium_server::catalog::source::{
    refresh_source, ReadContext, SourceConfig, SourceLocation, SourceSnapshot,
};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/backstage-examples");

fn source(name: &str, entry: &str) -> SourceConfig {
    SourceConfig {
        name: name.into(),
        location: SourceLocation::Dir(PathBuf::from(FIXTURE)),
        entry: Some(entry.into()),
    }
}

fn refresh(cfg: &SourceConfig) -> SourceSnapshot {
    let cache = tempfile::tempdir().unwrap();
    let ctx = ReadContext {
        cache_dir: cache.path().to_path_buf(),
        ..Default::default()
    };
    refresh_source(cfg, &SourceSnapshot::default(), &ctx)
}

fn r(s: &str) -> EntityRef {
    s.parse().unwrap()
}

fn has(catalog: &Assembled, entity: &str, relation: &str, target: &str) -> bool {
    catalog
        .get(&r(entity))
        .unwrap()
        .relations
        .contains(&Relation {
            relation_type: relation.to_string().into(),
            target: r(target).into(),
        })
}

fn count_kind(catalog: &Assembled, kind: &str) -> usize {
    catalog.iter().filter(|(r, _)| r.kind == kind).count()
}

#[test]
fn all_yaml_and_org_as_two_sources() {
    let examples = refresh(&source("examples", "all.yaml"));
    let org = refresh(&source("org", "acme/org.yaml"));
    assert_eq!(examples.source_error, None);
    assert_eq!(examples.commit, None);

    // all.yaml reaches all-{apis,components,domains,resources,systems}.yaml and their targets:
    // 6 Locations, 7 APIs, 6 Components, 3 Domains, 1 Resource, 3 Systems.
    assert_eq!(examples.entities.len(), 26, "{:#?}", examples.errors);
    assert_eq!(examples.files.len(), 1 + 5 + 7 + 6 + 3 + 1 + 3);
    assert!(examples.files.values().all(|id| id.len() == 64));
    // Only the absent target is a problem.
    assert_eq!(examples.errors.len(), 1, "{:#?}", examples.errors);
    let missing = &examples.errors[0];
    assert_eq!(missing.file, "all.yaml");
    assert_eq!(missing.document, Some(0));
    assert_eq!(
        missing.entity_ref.as_deref(),
        Some("location:default/example-all")
    );
    assert!(
        missing.message.contains("./all-ai-resources.yaml"),
        "{}",
        missing.message
    );
    assert!(missing.message.contains("not found"));

    // acme/org.yaml: the org group and a Location to 7 group files holding 17 users.
    assert_eq!(org.entities.len(), 26, "{:#?}", org.errors);
    assert!(org.errors.is_empty(), "{:#?}", org.errors);

    let catalog = assemble(&[examples.into(), org.into()]);
    assert_eq!(catalog.len(), 52);
    assert_eq!(catalog.errors.len(), 1);
    assert_eq!(count_kind(&catalog, "location"), 7);
    assert_eq!(count_kind(&catalog, "api"), 7);
    assert_eq!(count_kind(&catalog, "component"), 6);
    assert_eq!(count_kind(&catalog, "group"), 8);
    assert_eq!(count_kind(&catalog, "user"), 17);

    // Component ↔ API, both ways.
    assert!(has(
        &catalog,
        "component:jacs",
        "providesApi",
        "api:inpixonmappingsdk"
    ));
    assert!(has(
        &catalog,
        "api:inpixonmappingsdk",
        "apiProvidedBy",
        "component:jacs"
    ));
    // Owners are kept even when the group is not in the catalog (dangling).
    assert!(has(&catalog, "component:jacs", "ownedBy", "group:inpixon"));
    // System ↔ Domain, owner across sources.
    assert!(has(
        &catalog,
        "system:artist-engagement-portal",
        "partOf",
        "domain:artists"
    ));
    assert!(has(
        &catalog,
        "domain:artists",
        "hasPart",
        "system:artist-engagement-portal"
    ));
    assert!(has(
        &catalog,
        "system:artist-engagement-portal",
        "ownedBy",
        "group:team-a"
    ));
    assert!(has(
        &catalog,
        "group:team-a",
        "ownerOf",
        "system:artist-engagement-portal"
    ));
    assert!(has(
        &catalog,
        "resource:artists-db",
        "partOf",
        "system:artist-engagement-portal"
    ));
    assert!(has(
        &catalog,
        "group:team-a",
        "ownerOf",
        "resource:artists-db"
    ));
    // `owner: user:team-b` names a user that does not exist: forward only.
    assert!(has(&catalog, "system:podcast", "ownedBy", "user:team-b"));
    // Group tree and membership from acme/*.yaml.
    assert!(has(&catalog, "group:team-a", "childOf", "group:backstage"));
    assert!(has(&catalog, "group:backstage", "parentOf", "group:team-a"));
    assert!(has(
        &catalog,
        "group:acme-corp",
        "parentOf",
        "group:infrastructure"
    ));
    assert!(has(
        &catalog,
        "user:breanna.davison",
        "memberOf",
        "group:team-a"
    ));
    assert!(has(
        &catalog,
        "group:team-a",
        "hasMember",
        "user:breanna.davison"
    ));
    // A user in another namespace naming the group with a full ref.
    assert!(has(
        &catalog,
        "user:development/guest",
        "memberOf",
        "group:default/team-a"
    ));
    assert!(has(
        &catalog,
        "group:team-a",
        "hasMember",
        "user:development/guest"
    ));
    // Relations are sorted and unique.
    for (_, located) in catalog.iter() {
        let rels = located.relations;
        assert!(rels.windows(2).all(|w| w[0] < w[1]), "{rels:?}");
    }
}

#[test]
fn lint_of_the_whole_directory() {
    let cache = tempfile::tempdir().unwrap();
    let report = validate_target(FIXTURE, cache.path());
    // 98 entity documents in the directory define 87 distinct refs (the top-level files
    // repeat some of the subfolders' entities).
    assert_eq!(report.entities.len(), 87, "{}", report.to_text());
    let refs: Vec<&str> = report
        .entities
        .iter()
        .map(|e| e.entity_ref.as_str())
        .collect();
    for expected in [
        "component:default/artist-lookup",
        "component:alternative/different-namespace",
        "group:default/team-e",
        "user:development/guest",
        "api:default/petstore",
        "location:default/acme-corp",
    ] {
        assert!(refs.contains(&expected), "{expected} missing");
    }
    let errors_in = |file: &str| -> Vec<&str> {
        report
            .errors
            .iter()
            .filter(|e| e.file == file)
            .map(|e| e.message.as_str())
            .collect()
    };
    let invalid = errors_in("components/invalid-component.yaml");
    assert_eq!(invalid.len(), 2, "{invalid:?}");
    assert!(invalid[0].starts_with(
        "component \"invalid component\": metadata.name \"invalid component\" is not valid"
    ));
    assert!(invalid[1].contains("metadata.tags[1] \"go 1.15.3\" is not valid"));
    assert!(errors_in("all.yaml")[0].contains("./all-ai-resources.yaml"));
    assert!(errors_in("acme-corp.yaml")[0].starts_with("remote target \"https://github.com/"));
    assert!(errors_in("environments/dev.yaml")[0].contains("unknown kind \"Environment\""));
    assert!(errors_in("environments/prod.yaml")[0].contains("unknown kind \"Environment\""));
    // The top-level copies repeat entities of the subfolders; those that are valid are
    // duplicates, the older ones lack required API fields.
    let duplicates = report
        .errors
        .iter()
        .filter(|e| e.message.starts_with("duplicate entity "))
        .count();
    assert_eq!(duplicates, 7, "{}", report.to_text());
    assert_eq!(
        errors_in("petstore-api.yaml"),
        vec!["duplicate entity api:default/petstore, already defined in apis/petstore-api.yaml (document 0)"]
    );
    assert_eq!(
        errors_in("swapi-graphql.yaml"),
        vec![
            "api \"starwars-graphql\": spec.lifecycle is required",
            "api \"starwars-graphql\": spec.owner is required",
        ]
    );
    assert_eq!(
        errors_in("spotify-api.yaml"),
        vec!["api \"spotify\": spec.definition is required"]
    );
    assert_eq!(errors_in("hello-world-api.yaml").len(), 2);
    assert_eq!(errors_in("streetlights-api.yaml").len(), 2);
    // MCP / AI model server APIs (no `definition`, structured spec) are valid.
    assert!(refs.contains(&"api:default/backstage-mcp-server"));
    assert!(refs.contains(&"api:default/local-inference-server"));
    // OpenAPI files next to descriptors are not descriptors: skipped, not errors.
    assert!(errors_in("apis/petstore.oas.yaml").is_empty());
    assert_eq!(report.errors.len(), 20, "{}", report.to_text());

    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(json["entities"].as_array().unwrap().len(), 87);
    assert!(json["errors"][0]["message"].is_string());
}

#[test]
fn lint_of_one_file_follows_its_locations() {
    let cache = tempfile::tempdir().unwrap();
    let report = validate_target(&format!("{FIXTURE}/all-systems.yaml"), cache.path());
    assert!(!report.has_errors(), "{}", report.to_text());
    let files: Vec<&str> = report.entities.iter().map(|e| e.file.as_str()).collect();
    assert_eq!(report.entities.len(), 4);
    assert!(files.contains(&"systems/podcast-system.yaml"));
}

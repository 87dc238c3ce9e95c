//! Catalogs as adopters write them, read end to end from a directory source: a custom kind
//! admitted by `[[catalog.rules]]` (stored, related, searched, faceted) or refused with an
//! error naming file and kind; `$text`/`$json`/`$yaml` placeholders inside the source.

use std::path::Path;

use super::assemble::assemble;
use super::lint::{rules_for, validate_target_with};
use super::model::EntityRef;
use super::search::{Facet, Query, SearchIndex};
use super::source::{refresh_source, ReadContext, SourceConfig, SourceLocation, SourceSnapshot};
use crate::config::Config;

const CATALOG: &str = "\
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: ml-team}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: summarizer}
spec: {type: service, lifecycle: production, owner: ml-team}
---
apiVersion: backstage.io/v1alpha1
kind: AiResource
metadata: {name: summarizer-prompt, description: The prompt the summarizer sends}
spec:
  type: prompt
  lifecycle: experimental
  owner: ml-team
  dependencyOf: [component:summarizer]
";

fn write_catalog(dir: &Path) {
    std::fs::write(dir.join("catalog-info.yaml"), CATALOG).unwrap();
}

fn config(dir: &Path, rules: &str) -> Config {
    let file = dir.join("atrium.toml");
    let body = format!(
        "[[catalog.sources]]\nname = \"ml\"\ndir = \"{}\"\n\n{rules}",
        dir.join("catalog").display()
    );
    std::fs::write(&file, body).unwrap();
    Config::load(Some(&file)).unwrap()
}

fn read(config: &Config, cache: &Path) -> SourceSnapshot {
    let cfg = config.catalog_sources().unwrap().remove(0);
    let ctx = ReadContext {
        cache_dir: cache.to_path_buf(),
        rules: config.catalog_rules().unwrap(),
        ..Default::default()
    };
    refresh_source(&cfg, &SourceSnapshot::default(), &ctx)
}

#[test]
fn a_custom_kind_allowed_by_rules_is_stored_related_and_searchable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("catalog")).unwrap();
    write_catalog(&dir.path().join("catalog"));
    let config = config(
        dir.path(),
        "[[catalog.rules]]\nallow = [\"Component\", \"Group\"]\n\n\
         [[catalog.rules]]\nallow = [\"AiResource\"]\nsources = [\"ml\"]\n",
    );
    let snapshot = read(&config, &dir.path().join("cache"));
    assert!(snapshot.errors.is_empty(), "{:?}", snapshot.errors);
    let assembled = assemble(&[snapshot.into()]);
    let prompt = assembled
        .get(&EntityRef::new(
            "airesource",
            "default",
            "summarizer-prompt",
        ))
        .unwrap();
    let relations: Vec<String> = prompt
        .relations
        .iter()
        .map(|r| format!("{} {}", r.relation_type, r.target))
        .collect();
    assert_eq!(
        relations,
        [
            "dependencyOf component:default/summarizer",
            "ownedBy group:default/ml-team"
        ]
    );
    let team = assembled
        .get(&EntityRef::new("group", "default", "ml-team"))
        .unwrap();
    assert!(team
        .relations
        .iter()
        .any(|r| r.relation_type == "ownerOf" && r.target.kind == "airesource"));

    let index = SearchIndex::build(assembled.iter().map(|(_, l)| &l.located.entity)).unwrap();
    let found = index.search(&Query::text("prompt")).unwrap();
    assert_eq!(&*found.hits[0].entity_ref.name, "summarizer-prompt");
    let by_kind = index
        .search(&Query::default().filter(Facet::Kind, "airesource"))
        .unwrap();
    assert_eq!(by_kind.total, 1);
    let kinds = &found
        .facets
        .iter()
        .find(|(f, _)| *f == Facet::Kind)
        .unwrap()
        .1;
    assert!(kinds.iter().any(|(k, _)| k == "airesource"), "{kinds:?}");
}

#[test]
fn a_custom_kind_without_a_rule_is_an_error_naming_file_and_kind() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("catalog")).unwrap();
    write_catalog(&dir.path().join("catalog"));
    // No rules: the built-in kinds only.
    let snapshot = read(&config(dir.path(), ""), &dir.path().join("cache"));
    assert_eq!(snapshot.entities.len(), 2);
    let error = &snapshot.errors[0];
    assert_eq!(error.file, "catalog-info.yaml");
    assert_eq!(error.document, Some(2));
    assert!(
        error.message.contains("unknown kind \"AiResource\""),
        "{}",
        error.message
    );
    // A rule for another source does not admit it here either.
    let other = config(
        dir.path(),
        "[[catalog.rules]]\nallow = [\"Component\", \"Group\"]\n",
    );
    let snapshot = read(&other, &dir.path().join("cache"));
    assert!(snapshot.errors[0]
        .message
        .contains("kind \"AiResource\" is not allowed"));
}

#[test]
fn catalog_validate_honours_the_rules_of_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog");
    std::fs::create_dir(&catalog).unwrap();
    write_catalog(&catalog);
    let target = catalog.to_str().unwrap();
    let cache = dir.path().join("cache");
    let strict = config(dir.path(), "");
    let report = validate_target_with(target, &cache, &rules_for(&strict, target));
    assert_eq!(report.errors.len(), 1, "{}", report.to_text());
    assert!(report.to_text().contains("error  catalog-info.yaml (document 2): airesource \"summarizer-prompt\": unknown kind \"AiResource\""), "{}", report.to_text());
    let open = config(
        dir.path(),
        "[[catalog.rules]]\nallow = [\"Component\", \"Group\", \"AiResource\"]\nsources = [\"ml\"]\n",
    );
    let report = validate_target_with(target, &cache, &rules_for(&open, target));
    assert!(!report.has_errors(), "{}", report.to_text());
    assert_eq!(report.entities.len(), 3);
}

#[test]
fn changed_rules_read_unchanged_files_again() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("catalog")).unwrap();
    write_catalog(&dir.path().join("catalog"));
    let strict = config(dir.path(), "");
    let cfg = strict.catalog_sources().unwrap().remove(0);
    let first = read(&strict, &dir.path().join("cache"));
    let open = config(
        dir.path(),
        "[[catalog.rules]]\nallow = [\"Component\", \"Group\", \"AiResource\"]\n",
    );
    let ctx = ReadContext {
        cache_dir: dir.path().join("cache"),
        rules: open.catalog_rules().unwrap(),
        ..Default::default()
    };
    let second = refresh_source(&cfg, &first, &ctx);
    assert_eq!(second.entities.len(), 3, "{:?}", second.errors);
    assert!(second.errors.is_empty());
}

fn placeholder_source(root: &Path) -> SourceSnapshot {
    let cfg = SourceConfig {
        name: "apis".into(),
        location: SourceLocation::Dir(root.to_path_buf()),
        entry: None,
    };
    refresh_source(&cfg, &SourceSnapshot::default(), &ReadContext::default())
}

const API: &str = "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: NAME}\n\
                   spec: {type: openapi, lifecycle: production, owner: team, definition: DEF}\n";

fn api(name: &str, definition: &str) -> String {
    API.replace("NAME", name).replace("DEF", definition)
}

#[test]
fn placeholders_read_files_inside_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(root.join("apis/specs")).unwrap();
    std::fs::write(root.join("apis/specs/pets.yaml"), "openapi: 3.0.0\n").unwrap();
    std::fs::write(root.join("apis/meta.json"), r#"{"team": "pets"}"#).unwrap();
    std::fs::write(dir.path().join("secret.txt"), "outside").unwrap();
    let docs = [
        api("pets", "{$text: ./specs/pets.yaml}"),
        "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: s}\n\
         spec: {owner: team, extra: {$json: meta.json}, spec: {$yaml: specs/pets.yaml}}\n"
            .into(),
        api("escape", "{$text: ../../secret.txt}"),
        api("missing", "{$text: ./nope.yaml}"),
    ];
    std::fs::write(root.join("apis/catalog-info.yaml"), docs.join("---\n")).unwrap();
    let snapshot = placeholder_source(&root);
    let names: Vec<&str> = snapshot
        .entities
        .iter()
        .map(|l| &*l.entity.metadata.name)
        .collect();
    assert_eq!(names, ["pets", "s"]);
    let pets = &snapshot.entities[0].entity;
    assert_eq!(pets.spec_str("definition"), Some("openapi: 3.0.0\n"));
    assert_eq!(
        snapshot.entities[1].entity.spec.get("extra").unwrap()["team"],
        "pets"
    );
    assert_eq!(
        snapshot.entities[1].entity.spec.get("spec").unwrap()["openapi"],
        "3.0.0"
    );
    let messages: Vec<&str> = snapshot.errors.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0]
            .contains("spec.definition: $text \"../../secret.txt\": the path leaves the source"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("$text \"./nope.yaml\": file not found (apis/nope.yaml)"),
        "{messages:?}"
    );
    assert!(snapshot
        .errors
        .iter()
        .all(|e| e.file == "apis/catalog-info.yaml"));
    // A file that uses placeholders is read again even when it did not change.
    std::fs::write(root.join("apis/specs/pets.yaml"), "openapi: 3.1.0\n").unwrap();
    let cfg = SourceConfig {
        name: "apis".into(),
        location: SourceLocation::Dir(root.clone()),
        entry: None,
    };
    let again = refresh_source(&cfg, &snapshot, &ReadContext::default());
    assert_eq!(
        again.entities[0].entity.spec_str("definition"),
        Some("openapi: 3.1.0\n")
    );
}

#[cfg(unix)]
#[test]
fn a_placeholder_cannot_follow_a_symlink_out_of_the_source() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(dir.path().join("secret.txt"), "outside").unwrap();
    std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link.txt")).unwrap();
    std::fs::write(
        root.join("catalog-info.yaml"),
        api("a", "{$text: link.txt}"),
    )
    .unwrap();
    let snapshot = placeholder_source(&root);
    assert!(snapshot.entities.is_empty());
    assert!(
        snapshot.errors[0]
            .message
            .contains("resolves outside the source"),
        "{:?}",
        snapshot.errors
    );
}

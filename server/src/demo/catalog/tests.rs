//! The demo catalog is valid through the real reader, its names are unique, every relation
//! lands on an entity that exists, and the root Location lists every file.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{demo_catalog_files, demo_rules};
use crate::catalog::model::{Entity, EntityRef};
use crate::catalog::reader::{read_file, read_file_with};
use crate::catalog::relations::outgoing;
use crate::catalog::source::{refresh_source, ReadContext, SourceConfig, SourceLocation};

fn entities() -> Vec<(String, Entity)> {
    let mut out = Vec::new();
    for (path, yaml) in demo_catalog_files() {
        let allowed = demo_rules().for_source("demo");
        let docs = read_file_with(yaml.as_bytes(), &allowed, &mut |_| Vec::new())
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        for doc in docs {
            match doc.outcome {
                Ok(entity) => out.push((path.clone(), entity)),
                Err(invalid) => panic!("{path} #{}: {:?}", doc.index, invalid.messages()),
            }
        }
    }
    out
}

#[test]
fn files_parse_as_yaml() {
    for (path, yaml) in demo_catalog_files() {
        let docs: Vec<Value> = serde_saphyr::from_multiple(&yaml)
            .unwrap_or_else(|e| panic!("{path} is not YAML: {e}\n{yaml}"));
        assert!(!docs.is_empty(), "{path} is empty");
    }
}

#[test]
fn every_entity_validates_and_names_are_unique() {
    let entities = entities();
    let mut seen = BTreeSet::new();
    for (path, e) in &entities {
        let name = e.metadata.name.to_ascii_lowercase();
        assert!(
            seen.insert(name),
            "{path}: name {} used twice",
            e.metadata.name
        );
    }
    let mut per_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, e) in &entities {
        *per_kind.entry(e.kind.as_str()).or_default() += 1;
    }
    assert_eq!(
        per_kind,
        BTreeMap::from([
            ("API", 14),
            ("AiResource", 1),
            ("Component", 40),
            ("Domain", 3),
            ("Group", 5),
            ("Location", 1),
            ("Resource", 9),
            ("System", 8),
            ("User", 12),
        ])
    );
}

#[test]
fn every_relation_targets_an_existing_entity() {
    let entities = entities();
    let refs: BTreeSet<EntityRef> = entities.iter().map(|(_, e)| e.entity_ref()).collect();
    for (path, e) in &entities {
        for (field, target) in outgoing(e) {
            assert!(
                refs.contains(&target),
                "{path}: {} spec.{} names missing {target}",
                e.entity_ref(),
                field.field
            );
        }
    }
    // Deployable components say which Argo CD app they are.
    let annotated = entities
        .iter()
        .filter(|(_, e)| e.metadata.annotations.contains_key("argocd/app-name"))
        .count();
    assert_eq!(annotated, super::demo_app_names().len());
    assert!(annotated >= 12);
}

#[test]
fn root_location_lists_every_other_file() {
    let files = demo_catalog_files();
    assert_eq!(files[0].0, "catalog-info.yaml");
    let root = read_file(files[0].1.as_bytes())
        .unwrap()
        .remove(0)
        .outcome
        .unwrap();
    let targets: BTreeSet<String> = root.spec["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().trim_start_matches("./").to_string())
        .collect();
    let others: BTreeSet<String> = files[1..].iter().map(|(p, _)| p.clone()).collect();
    assert_eq!(targets, others);
}

#[test]
fn ingests_cleanly_through_a_directory_source() {
    let dir = tempfile::tempdir().unwrap();
    for (path, yaml) in demo_catalog_files() {
        let file = dir.path().join(&path);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, yaml).unwrap();
    }
    let cfg = SourceConfig {
        name: "demo".into(),
        location: SourceLocation::Dir(dir.path().to_path_buf()),
        entry: None,
    };
    let ctx = ReadContext {
        cache_dir: dir.path().join(".cache"),
        remotes: Default::default(),
        rules: demo_rules(),
        ..Default::default()
    };
    let snapshot = refresh_source(&cfg, &Default::default(), &ctx);
    assert_eq!(snapshot.source_error, None);
    assert_eq!(snapshot.errors, Vec::new());
    assert_eq!(snapshot.entities.len(), entities().len());
}

#[test]
fn api_definitions_are_documents_of_their_type() {
    for (path, e) in entities() {
        if e.kind != "API" {
            continue;
        }
        let definition = e.spec["definition"].as_str().unwrap();
        match e.spec_str("type").unwrap() {
            kind @ ("openapi" | "asyncapi") => {
                let doc: Value = serde_saphyr::from_str(definition)
                    .unwrap_or_else(|err| panic!("{path}: {}: {err}", e.metadata.name));
                assert!(
                    doc.get(kind).is_some(),
                    "{}: no {kind} key",
                    e.metadata.name
                );
                assert!(doc["info"]["title"].is_string());
            }
            "grpc" => assert!(definition.starts_with("syntax = \"proto3\";")),
            other => panic!("unexpected API type {other}"),
        }
    }
}

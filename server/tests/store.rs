//! The store on both databases: SQLite always; PostgreSQL when `ATRIUM_TEST_POSTGRES_URL` is set
//! (the test command starts one and sets `ATRIUM_REQUIRE_POSTGRES=1`, so there it cannot skip).

mod common;

use std::collections::BTreeMap;

use atrium_server::catalog::model::{CatalogError, Entity, Located, Metadata};
use atrium_server::catalog::source::SourceSnapshot;
use atrium_server::store::Store;

fn entity(name: &str) -> Entity {
    Entity {
        api_version: "backstage.io/v1alpha1".into(),
        kind: "Component".into(),
        metadata: Metadata {
            name: name.into(),
            namespace: "default".into(),
            title: Some(format!("The {name} service").into()),
            tags: vec!["rust".into()].into(),
            ..Default::default()
        }
        .into(),
        spec: std::sync::Arc::new(
            serde_json::json!({"type": "service", "lifecycle": "production", "owner": "team-a"})
                .into(),
        ),
    }
}

fn snapshot(source: &str, names: &[&str]) -> SourceSnapshot {
    SourceSnapshot {
        source: source.into(),
        commit: Some("0123456789abcdef".into()),
        files: BTreeMap::from([("catalog-info.yaml".to_string(), "blob-1".to_string())]),
        entities: names
            .iter()
            .enumerate()
            .map(|(i, n)| Located {
                entity: entity(n),
                source: source.into(),
                file: "catalog-info.yaml".into(),
                document: i,
            })
            .collect(),
        errors: vec![CatalogError {
            source: source.into(),
            file: "broken.yaml".into(),
            document: Some(2),
            entity_ref: None,
            message: "metadata.name: required".into(),
        }],
        source_error: None,
    }
}

async fn roundtrip(store: &Store) {
    let source = format!("src-{}", std::process::id());
    assert!(store.load_source_snapshot(&source).await.unwrap().is_none());

    let first = snapshot(&source, &["billing", "checkout"]);
    store.save_source_snapshot(&first).await.unwrap();
    assert_eq!(
        store.load_source_snapshot(&source).await.unwrap(),
        Some(first)
    );

    // A second save replaces the first whole: removed entities disappear.
    let mut second = snapshot(&source, &["checkout"]);
    second.source_error = Some("branch nope not found".into());
    second.errors.clear();
    store.save_source_snapshot(&second).await.unwrap();
    assert_eq!(
        store.load_source_snapshot(&source).await.unwrap(),
        Some(second)
    );

    // More rows than one insert statement carries (500): every row arrives, in order.
    let names: Vec<String> = (0..1203).map(|i| format!("svc-{i:04}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut third = snapshot(&source, &names);
    third.errors = (0..501)
        .map(|i| CatalogError {
            source: source.clone(),
            file: format!("broken-{i}.yaml"),
            document: (i % 2 == 0).then_some(i),
            entity_ref: None,
            message: format!("problem {i}"),
        })
        .collect();
    store.save_source_snapshot(&third).await.unwrap();
    assert_eq!(
        store.load_source_snapshot(&source).await.unwrap(),
        Some(third)
    );
    store.ping().await.unwrap();
}

#[tokio::test]
async fn store_roundtrip_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::store::sqlite_url(dir.path());
    let store = Store::connect(&url).await.unwrap();
    roundtrip(&store).await;
    // Migrations are idempotent across restarts.
    let again = Store::connect(&url).await.unwrap();
    again.ping().await.unwrap();
}

#[tokio::test]
async fn store_roundtrip_postgres() {
    if let Some(store) = common::store::postgres().await {
        roundtrip(&store).await;
    }
}

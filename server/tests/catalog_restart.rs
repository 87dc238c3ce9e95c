//! A restart with an unchanged source: the catalog is ready from what the database holds before
//! the source is read again, and reading it again stores nothing (nothing is re-ingested), even
//! when the source's traversal order differs from the order the database gives entities back.
//! A first start is ready only after its first refresh. On SQLite and PostgreSQL.

mod common;

use atrium_server::catalog::search::Query;
use atrium_server::catalog::service::Catalog;
use atrium_server::catalog::source::{ReadContext, SourceConfig, SourceLocation};
use atrium_server::store::Store;
use sqlx::Row;

fn component(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n\
         spec:\n  type: service\n  lifecycle: production\n  owner: team\n"
    )
}

fn finds(catalog: &Catalog, text: &str) -> bool {
    let query = Query {
        text: text.into(),
        ..Query::default()
    };
    catalog.state().index.search(&query).unwrap().total > 0
}

/// When the source's rows were last written.
async fn written_at(store: &Store) -> String {
    sqlx::query("SELECT refreshed_at FROM catalog_sources WHERE name = 'platform'")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("refreshed_at")
        .unwrap()
}

async fn restart_is_ready_from_the_database(url: String) {
    let files = tempfile::tempdir().unwrap();
    // Traversal order (zeta before alpha) is not the (file, document) order of the database.
    std::fs::write(
        files.path().join("all.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\nspec:\n  \
         targets:\n    - ./zeta.yaml\n    - ./alpha.yaml\n",
    )
    .unwrap();
    std::fs::write(
        files.path().join("zeta.yaml"),
        format!("{}---\n{}", component("zeta-one"), component("zeta-two")),
    )
    .unwrap();
    std::fs::write(files.path().join("alpha.yaml"), component("alpha")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let open = |store: Store| {
        let sources = vec![SourceConfig {
            name: "platform".into(),
            location: SourceLocation::Dir(files.path().to_path_buf()),
            entry: Some("all.yaml".into()),
        }];
        let ctx = ReadContext {
            cache_dir: cache.path().to_path_buf(),
            ..Default::default()
        };
        Catalog::open(sources, ctx, store)
    };

    // First start: nothing stored, so not ready until the first refresh.
    let store = Store::connect(&url).await.unwrap();
    let first = open(store.clone()).await.unwrap();
    assert!(!first.is_ready(), "nothing stored yet");
    first.refresh_all().await.unwrap();
    assert!(first.is_ready());
    assert!(finds(&first, "zeta-two"));
    let stored_at = written_at(&store).await;
    drop(first);
    store.pool().close().await;

    // Restart: ready at once, from the database, before the source is read.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let store = Store::connect(&url).await.unwrap();
    let again = open(store.clone()).await.unwrap();
    assert!(again.is_ready(), "a restart is ready from what is stored");
    assert_eq!(again.generation(), 0, "no refresh has run");
    assert!(finds(&again, "alpha") && finds(&again, "zeta-one"));
    // Reading the unchanged source again stores nothing.
    again.refresh_all().await.unwrap();
    assert_eq!(
        written_at(&store).await,
        stored_at,
        "an unchanged source is not stored again"
    );
    assert_eq!(again.state().assembled.len(), 4);

    // A change is read, stored and indexed as before.
    std::fs::write(files.path().join("alpha.yaml"), component("alpha-renamed")).unwrap();
    again.refresh_all().await.unwrap();
    assert_ne!(written_at(&store).await, stored_at);
    assert!(finds(&again, "alpha-renamed"));
    store.pool().close().await;
}

#[tokio::test]
async fn restart_is_ready_from_the_database_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    restart_is_ready_from_the_database(common::store::sqlite_url(dir.path())).await;
}

#[tokio::test]
async fn restart_is_ready_from_the_database_postgres() {
    if let Some(url) = common::store::postgres_url().await {
        restart_is_ready_from_the_database(url).await;
    }
}

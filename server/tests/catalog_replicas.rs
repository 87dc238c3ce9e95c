//! The catalog with several replicas: only the leader reads the sources; it says when a
//! refresh changed something, and a follower reloads from the database what the leader stored
//! and rebuilds its own search index, never reading the sources itself (its source here points
//! nowhere). A refresh asked of a follower is passed on to the leader. On SQLite and PostgreSQL.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atrium_server::catalog::search::Query;
use atrium_server::catalog::service::{Catalog, News};
use atrium_server::catalog::source::{ReadContext, SourceConfig, SourceLocation};
use atrium_server::replicas::Leadership;
use atrium_server::store::Store;

fn component(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n\
         spec:\n  type: service\n  lifecycle: production\n  owner: team\n"
    )
}

fn source(path: &std::path::Path) -> Vec<SourceConfig> {
    vec![SourceConfig {
        name: "platform".into(),
        location: SourceLocation::Dir(path.to_path_buf()),
        entry: None,
    }]
}

fn finds(catalog: &Catalog, text: &str) -> bool {
    let query = Query {
        text: text.into(),
        ..Query::default()
    };
    catalog.state().index.search(&query).unwrap().total > 0
}

type Told = Arc<Mutex<Vec<News>>>;

fn told() -> (Told, Arc<dyn Fn(News) + Send + Sync>) {
    let log: Told = Arc::default();
    let sink = log.clone();
    (log, Arc::new(move |news| sink.lock().unwrap().push(news)))
}

async fn leader_reads_followers_reload(leader_store: Store, follower_store: Store) {
    let files = tempfile::tempdir().unwrap();
    std::fs::write(files.path().join("catalog-info.yaml"), component("alpha")).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let ctx = || ReadContext {
        cache_dir: cache.path().to_path_buf(),
        ..Default::default()
    };
    let leader = Catalog::open(source(files.path()), ctx(), leader_store)
        .await
        .unwrap();
    let (leader_told, tell) = told();
    leader.follow_leader(Leadership::solo(), tell);
    // The follower's copy of the source points nowhere: all it knows comes from the database.
    let nowhere = files.path().join("not-here");
    let follower = Catalog::open(source(&nowhere), ctx(), follower_store)
        .await
        .unwrap();
    let (follower_told, tell) = told();
    follower.follow_leader(Leadership::follower(), tell);

    leader.refresh_all().await.unwrap();
    assert!(finds(&leader, "alpha"));
    assert_eq!(*leader_told.lock().unwrap(), [News::Refreshed]);
    follower.refresh_all().await.unwrap();
    assert!(
        finds(&follower, "alpha"),
        "the follower reloaded the leader's refresh"
    );
    assert!(follower.runtime_of(0).last_refresh.is_none(), "never read");
    assert!(follower.snapshot_of(0).unwrap().source_error.is_none());

    // A change: the leader reads it, the follower's index follows.
    std::fs::write(files.path().join("catalog-info.yaml"), component("beta")).unwrap();
    leader.refresh_all().await.unwrap();
    assert_eq!(leader_told.lock().unwrap().len(), 2);
    assert!(!finds(&follower, "beta"));
    follower.refresh_all().await.unwrap();
    assert!(finds(&follower, "beta"));
    assert!(!finds(&follower, "alpha"));
    // A refresh with nothing new says nothing.
    leader.refresh_all().await.unwrap();
    assert_eq!(leader_told.lock().unwrap().len(), 2);

    // Asked of the follower, a refresh goes to the leader; told of one, it reloads at once.
    tokio::spawn(follower.clone().run(Duration::from_secs(3600)));
    follower.request_refresh();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !follower_told.lock().unwrap().contains(&News::RefreshAsked) {
        assert!(
            Instant::now() < deadline,
            "the follower did not pass the refresh on"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    std::fs::write(files.path().join("catalog-info.yaml"), component("gamma")).unwrap();
    leader.refresh_all().await.unwrap();
    follower.reload();
    while !finds(&follower, "gamma") {
        assert!(Instant::now() < deadline, "the follower did not reload");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(follower.runtime_of(0).last_refresh.is_none(), "never read");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followers_reload_the_leaders_catalog_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::store::sqlite_url(dir.path());
    leader_reads_followers_reload(
        Store::connect(&url).await.unwrap(),
        Store::connect(&url).await.unwrap(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn followers_reload_the_leaders_catalog_on_postgres() {
    let Some(url) = common::store::postgres_url().await else {
        return;
    };
    leader_reads_followers_reload(
        Store::connect(&url).await.unwrap(),
        Store::connect(&url).await.unwrap(),
    )
    .await;
}

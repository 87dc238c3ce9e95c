//! Stores for the tests that run on both databases: SQLite in a fresh directory always;
//! PostgreSQL when `ATRIUM_TEST_POSTGRES_URL` is set (the test command starts one and sets
//! `ATRIUM_REQUIRE_POSTGRES=1`, so there it cannot skip). Every PostgreSQL store is a fresh
//! database of its own: tests that tamper with the audit chain, or verify all of it, must not
//! see each other's rows (a shared database once failed CI on another test's tampered row).

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use atrium_server::store::Store;

/// The URL of a SQLite database file in `dir`, created on first connect.
pub fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}/atrium.db?mode=rwc", dir.display())
}

/// A store on a fresh SQLite database; the directory lives as long as it is kept.
pub async fn sqlite() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&sqlite_url(dir.path())).await.unwrap();
    (dir, store)
}

/// A store on a fresh PostgreSQL database, or `None` (the test skips, saying so) when none is
/// configured and none is required.
pub async fn postgres() -> Option<Store> {
    let url = postgres_url().await?;
    Some(Store::connect(&url).await.unwrap())
}

/// The URL of a fresh PostgreSQL database (for several stores or processes on one database),
/// or `None` as [`postgres`] skips.
pub async fn postgres_url() -> Option<String> {
    let Ok(url) = std::env::var("ATRIUM_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("ATRIUM_REQUIRE_POSTGRES").is_err(),
            "ATRIUM_REQUIRE_POSTGRES is set but ATRIUM_TEST_POSTGRES_URL is not"
        );
        eprintln!("skipped: ATRIUM_TEST_POSTGRES_URL not set");
        return None;
    };
    Some(fresh_database(&url).await)
}

/// Create an empty database next to the one `url` names and return its URL.
async fn fresh_database(url: &str) -> String {
    use sqlx::Connection;
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!(
        "atrium_test_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = sqlx::postgres::PgConnection::connect(url).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    admin.close().await.unwrap();
    with_database(url, &name)
}

/// `url` with its database (the last path segment, before any query) replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    format!("{base}/{name}{query}")
}

//! Stores for the tests that run on both databases: SQLite in a fresh directory always;
//! PostgreSQL when `ATRIUM_TEST_POSTGRES_URL` is set (the test command starts one and sets
//! `ATRIUM_REQUIRE_POSTGRES=1`, so there it cannot skip).

use std::path::Path;

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

/// The PostgreSQL store, or `None` (the test skips, saying so) when none is configured and
/// none is required.
pub async fn postgres() -> Option<Store> {
    let Ok(url) = std::env::var("ATRIUM_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("ATRIUM_REQUIRE_POSTGRES").is_err(),
            "ATRIUM_REQUIRE_POSTGRES is set but ATRIUM_TEST_POSTGRES_URL is not"
        );
        eprintln!("skipped: ATRIUM_TEST_POSTGRES_URL not set");
        return None;
    };
    Some(Store::connect(&url).await.unwrap())
}

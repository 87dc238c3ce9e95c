//! Who leads among the replicas sharing one database. Every replica serves the UI and the API
//! and runs read-only engine passes; only the leader auto-syncs and runs the deploy executor.
//!
//! With one process on SQLite ([`Leadership::solo`]) that process leads, unfenced (a lock
//! file keeps a second process off the database: [`lock_sqlite`]). On PostgreSQL,
//! [`Leadership::campaign`] competes for the `engine` lease (a row with holder, expiry and a
//! fencing token that grows with every change of holder), renewed every third of the lease;
//! while it holds the lease its writes that matter go through [`Leadership::acting_store`],
//! which checks the token in the write's own transaction. [`fanout`] carries change notices
//! between replicas (LISTEN/NOTIFY), so every replica's pages follow what the leader does.

mod campaign;
pub mod fanout;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::watch;

use crate::store::Store;

/// This replica's part: whether it leads now, under which token.
#[derive(Debug)]
pub struct Leadership {
    /// `Some(token)` while this replica leads and may act.
    acting: watch::Sender<Option<i64>>,
    /// A lease is in force (several replicas may run): the leader's writes are fenced.
    elected: AtomicBool,
}

impl Leadership {
    /// The only process: it leads from the start, and nothing is fenced.
    pub fn solo() -> Arc<Self> {
        let this = Arc::new(Self {
            acting: watch::channel(Some(0)).0,
            elected: AtomicBool::new(false),
        });
        this.publish(Some(0));
        this
    }

    /// One of several replicas, not leading (until [`Leadership::campaign`] takes the lease).
    pub fn follower() -> Arc<Self> {
        let this = Arc::new(Self {
            acting: watch::channel(None).0,
            elected: AtomicBool::new(true),
        });
        this.publish(None);
        this
    }

    /// Whether this replica leads now.
    pub fn is_leader(&self) -> bool {
        self.acting.borrow().is_some()
    }

    /// Whether the leader is chosen by a lease (several replicas), not fixed (one process).
    pub fn is_elected(&self) -> bool {
        self.elected.load(Ordering::SeqCst)
    }

    /// The store the leader's writes that matter go through, fenced by its lease token;
    /// `None` when this replica does not lead.
    pub fn acting_store(&self, store: &Store) -> Option<Store> {
        let token = (*self.acting.borrow())?;
        Some(if self.is_elected() {
            store.fenced(token)
        } else {
            store.clone()
        })
    }

    /// Changes of leadership (`Some(token)`: leading).
    pub fn subscribe(&self) -> watch::Receiver<Option<i64>> {
        self.acting.subscribe()
    }

    fn publish(&self, acting: Option<i64>) {
        metrics::gauge!("atrium_engine_leader").set(if acting.is_some() { 1.0 } else { 0.0 });
        self.acting.send_if_modified(|now| {
            let changed = *now != acting;
            *now = acting;
            changed
        });
    }
}

/// Hold an exclusive lock on `<database>.lock` for as long as the returned file lives: a
/// second `atrium serve` on the same SQLite database is refused at start, naming the file.
/// The operating system drops the lock when the process ends, even by kill -9.
pub fn lock_sqlite(database: &Path) -> anyhow::Result<std::fs::File> {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    let path = std::path::PathBuf::from(name);
    // A first start on a new data directory: the database (and its lock) will live there.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
            "another Atrium process is serving the SQLite database {} (it holds {}): SQLite \
             is for one process only; stop the other one, or run several replicas on \
             PostgreSQL (DATABASE_URL=postgres://…)",
            database.display(),
            path.display()
        ),
        Err(std::fs::TryLockError::Error(e)) => {
            anyhow::bail!("{}: cannot lock: {e}", path.display())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_process_on_one_sqlite_database_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("atrium.db");
        let first = lock_sqlite(&db).unwrap();
        // A second open file description conflicts as a second process would.
        let refused = lock_sqlite(&db).unwrap_err().to_string();
        assert!(refused.contains("another Atrium process"), "{refused}");
        assert!(refused.contains("atrium.db.lock"), "{refused}");
        drop(first);
        lock_sqlite(&db).expect("free once the first is gone");
    }

    #[test]
    fn a_first_start_creates_the_data_directory() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("new/data/atrium.db");
        let _lock = lock_sqlite(&db).expect("the directory is created");
        assert!(dir.path().join("new/data/atrium.db.lock").exists());
    }

    #[test]
    fn one_process_leads_unfenced() {
        let solo = Leadership::solo();
        assert!(solo.is_leader());
        assert!(!solo.is_elected());
    }
}

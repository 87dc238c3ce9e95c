//! The database: one sqlx pool for SQLite (embedded default) or PostgreSQL (`DATABASE_URL=
//! postgres://…`), migrations run at start. Queries are written once in portable SQL with `$N`
//! placeholders, which both drivers accept.
//!
//! Every query lives here, one file per table family, as methods on [`Store`]: [`audit`]
//! (the hash-chained log), [`catalog`] (what each source last produced), [`sessions`]
//! (sessions and sign-ins in flight), [`syncs`] (the sync history), [`deploys`] (deploy
//! requests, their timeline and approvals), [`freezes`], [`tokens`] (personal API tokens),
//! [`leases`] (the leader's lease and replicas' presence, and fencing). The domain modules keep
//! their types and logic.

pub mod audit;
pub mod catalog;
pub mod deploys;
pub mod freezes;
pub mod leases;
pub mod notifications;
pub mod sessions;
pub mod syncs;
pub mod tokens;

use std::time::Duration;

use sqlx::any::{install_default_drivers, AnyPoolOptions};
use sqlx::AnyPool;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {url}: {source}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database: {0}")]
    Query(#[from] sqlx::Error),
    /// The write conflicts with what is stored (a duplicate, a state that moved on); the text
    /// is for people.
    #[error("{0}")]
    Conflict(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A leader's write refused: its lease (this fencing token) passed to another replica.
    #[error("not written: this replica no longer leads (lease token {0} was superseded)")]
    Fenced(i64),
    #[error("unsupported database URL {0}: use sqlite:// or postgres://")]
    Unsupported(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The shared pool; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// This process among the replicas sharing the database (random per start).
    replica: std::sync::Arc<str>,
    /// The leader's lease token its writes that matter check ([`Store::fenced`]).
    fence: Option<i64>,
}

impl Store {
    /// Connect and run migrations. For SQLite the parent directory is created.
    pub async fn connect(url: &str) -> Result<Self> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else {
            return Err(StoreError::Unsupported(redact(url)));
        };
        if backend == Backend::Sqlite {
            if let Some(parent) = sqlite_path(url).and_then(|p| p.parent().map(|p| p.to_owned())) {
                let _ = std::fs::create_dir_all(parent);
            }
        }
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 10 })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers proceed while a refresh writes.
                        sqlx::query("PRAGMA journal_mode=WAL")
                            .execute(&mut *conn)
                            .await?;
                        sqlx::query("PRAGMA busy_timeout=5000")
                            .execute(&mut *conn)
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|source| StoreError::Connect {
                url: redact(url),
                source,
            })?;
        // One portable migration set serves both databases.
        sqlx::migrate!("../migrations").run(&pool).await?;
        Ok(Self {
            pool,
            backend,
            replica: format!("{}-{}", std::process::id(), &crate::util::new_token()[..8]).into(),
            fence: None,
        })
    }

    /// The same pool, known to the other replicas as `<name>-<random>` rather than
    /// `<pid>-<random>`: in a container every process is pid 1, so a pod's name is what tells
    /// the replicas apart in the leases, the syncs they ran and the logs. The random part
    /// stays: a restarted process is a new replica, and its predecessor's syncs are
    /// interrupted.
    pub fn named(mut self, name: &str) -> Self {
        self.replica = format!("{name}-{}", &crate::util::new_token()[..8]).into();
        self
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A trivial round trip, for `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

/// The file a `sqlite:` URL names (`None` for other URLs and in-memory databases).
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    (!path.is_empty() && path != ":memory:").then(|| path.into())
}

/// A URL safe to log: the password, if any, is replaced.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(
            redact("postgres://atrium:s3cret@db:5432/atrium"),
            "postgres://atrium:***@db:5432/atrium"
        );
        assert_eq!(redact("sqlite://data/atrium.db"), "sqlite://data/atrium.db");
    }
}

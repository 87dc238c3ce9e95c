//! Change notices between replicas on PostgreSQL, through LISTEN/NOTIFY on one channel. A
//! notice is small (which replica, what kind of change, which environment): the data itself
//! stays in the database and the clusters, and a replica that hears a notice runs the pass or
//! wakes the live pages that read it. Notices are best effort: a replica that missed some (its
//! listening connection dropped) is told to catch up on everything, and every replica's own
//! loop runs each interval regardless.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use tokio::sync::mpsc;

use crate::store::Store;

/// The channel every replica listens on.
pub const CHANNEL: &str = "atrium_changes";
/// PostgreSQL's limit on a payload is 8000 bytes; environment names are far shorter, but a
/// notice that would not fit is not sent.
const MAX_PAYLOAD: usize = 7000;

/// What changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// An environment's cluster or repository moved (a sync ran, a refresh was asked for):
    /// run its pass.
    Env,
    /// A deploy request of the environment changed: wake its live pages (and the executor).
    Deploy,
    /// The leader refreshed the catalog and something changed: reload it from the database.
    Catalog,
    /// A follower was asked to refresh the catalog: the leader reads the sources.
    CatalogRefresh,
}

/// One notice as sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    /// The sending replica (its own notices are ignored).
    pub from: String,
    pub kind: Kind,
    /// The environment (empty for the catalog).
    pub env: String,
}

/// Told an environment's name when something changed there, to pass it on.
pub type Tell = Arc<dyn Fn(&str) + Send + Sync>;

/// What a replica does with what it hears: a notice, or `None` when notices may have been
/// missed (catch up on every environment).
pub type Handler = Arc<dyn Fn(Option<&Notice>) + Send + Sync>;

/// The sending half: cheap to clone; sending never waits (a task delivers in order).
#[derive(Clone, Debug)]
pub struct Fanout {
    replica: Arc<str>,
    queue: mpsc::UnboundedSender<Notice>,
}

impl Fanout {
    /// Start sending through `store` (PostgreSQL) and listening on `url`; `handle` hears the
    /// other replicas' notices.
    pub fn start(store: Store, url: String, handle: Handler) -> Self {
        let (queue, mut pending) = mpsc::unbounded_channel::<Notice>();
        let sender = store.clone();
        tokio::spawn(async move {
            while let Some(notice) = pending.recv().await {
                let Ok(payload) = serde_json::to_string(&notice) else {
                    continue;
                };
                if payload.len() > MAX_PAYLOAD {
                    continue;
                }
                if let Err(e) = sender.notify(CHANNEL, &payload).await {
                    tracing::warn!("telling the other replicas: {e}");
                }
            }
        });
        let replica: Arc<str> = store.replica().into();
        tokio::spawn(listen(url, replica.clone(), handle));
        Self { replica, queue }
    }

    /// Tell the other replicas that `kind` changed in `env`.
    pub fn publish(&self, kind: Kind, env: &str) {
        let _ = self.queue.send(Notice {
            from: self.replica.to_string(),
            kind,
            env: env.to_string(),
        });
    }
}

/// Listen until the process ends, reconnecting after failures; after any gap, `handle(None)`.
async fn listen(url: String, replica: Arc<str>, handle: Handler) {
    let mut backoff = std::time::Duration::from_millis(200);
    loop {
        let mut listener = match PgListener::connect(&url).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing::warn!("listening for the other replicas: {e}");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(std::time::Duration::from_secs(10));
                continue;
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!("listening for the other replicas: {e}");
            tokio::time::sleep(backoff).await;
            continue;
        }
        backoff = std::time::Duration::from_millis(200);
        // Whatever was said while this replica was not listening is lost: catch up.
        handle(None);
        loop {
            match listener.try_recv().await {
                Ok(Some(message)) => match serde_json::from_str::<Notice>(message.payload()) {
                    Ok(notice) if *notice.from != *replica => {
                        tracing::debug!(from = %notice.from, kind = ?notice.kind, env = %notice.env, "heard a notice");
                        handle(Some(&notice))
                    }
                    Ok(_) => {}
                    Err(e) => tracing::debug!("an unreadable notice: {e}"),
                },
                // The connection dropped (and reconnects at the next call): notices were lost.
                Ok(None) => handle(None),
                Err(e) => {
                    tracing::warn!("listening for the other replicas: {e}");
                    break;
                }
            }
        }
    }
}

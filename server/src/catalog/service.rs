//! The live catalog: the current assembled entities and search index, swapped whole after each
//! refresh, and the task that refreshes sources on start, on a timer and on demand.
//!
//! With several replicas ([`Catalog::follow_leader`]) only the leader reads the sources; it
//! stores what each produced (as always) and says so, and the other replicas reload from the
//! database what changed and rebuild their own index. A refresh asked of a follower is passed
//! on to the leader.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use super::assemble::{assemble, Assembled, Cataloged};
use super::model::{CatalogError, EntityRef};
use super::search::SearchIndex;
use super::source::{refresh_source, ReadContext, SourceConfig, SourceLocation, SourceSnapshot};
use crate::store::Store;

/// One consistent view: readers take an `Arc` and never see half a refresh.
pub struct CatalogState {
    pub assembled: Assembled,
    pub index: SearchIndex,
    /// Errors by `(source, file)`, for the entity page's "this file has errors" box.
    pub errors_by_file: HashMap<(String, String), Vec<CatalogError>>,
}

impl CatalogState {
    pub fn build(assembled: Assembled) -> anyhow::Result<Self> {
        let index = SearchIndex::build_shared(
            assembled
                .iter()
                .map(|(entity_ref, l)| (entity_ref.clone(), &l.located.entity)),
        )?;
        let mut errors_by_file: HashMap<(String, String), Vec<CatalogError>> = HashMap::new();
        for error in &assembled.errors {
            errors_by_file
                .entry((error.source.clone(), error.file.clone()))
                .or_default()
                .push(error.clone());
        }
        Ok(Self {
            assembled,
            index,
            errors_by_file,
        })
    }

    pub fn get(&self, entity_ref: &EntityRef) -> Option<Cataloged<'_>> {
        self.assembled.get(entity_ref)
    }
}

#[derive(Clone, Debug, Default)]
pub struct SourceRuntime {
    pub last_refresh: Option<String>,
}

/// Shared handle to the live catalog.
pub struct Catalog {
    sources: Vec<SourceConfig>,
    ctx: ReadContext,
    store: Store,
    state: RwLock<Arc<CatalogState>>,
    /// What each source last yielded; shared with a refresh's working copy, never deep-copied.
    snapshots: Mutex<Vec<Arc<SourceSnapshot>>>,
    runtime: Mutex<Vec<SourceRuntime>>,
    refreshing: std::sync::atomic::AtomicBool,
    /// Sources a webhook asked for; the next wake-up reads only these (unless it is the timer
    /// or a "refresh now", which read every source).
    pending: Mutex<Pending>,
    generation: std::sync::atomic::AtomicU64,
    /// Serving a whole catalog: every source's stored snapshot loaded at start, or one refresh
    /// done. A restart is ready as soon as the database is read, not after the sources are.
    ready: std::sync::atomic::AtomicBool,
    wake: Notify,
    /// Set with several replicas: who reads the sources, and how the others are told.
    replicas: std::sync::OnceLock<Replicas>,
}

/// What the catalog tells the other replicas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum News {
    /// The leader refreshed and something changed: reload from the database.
    Refreshed,
    /// A follower was asked to refresh: the leader should.
    RefreshAsked,
}

struct Replicas {
    leadership: Arc<crate::replicas::Leadership>,
    tell: Arc<dyn Fn(News) + Send + Sync>,
}

impl Catalog {
    /// Load what the store holds (so the UI has data at once), before any refresh.
    pub async fn open(
        sources: Vec<SourceConfig>,
        ctx: ReadContext,
        store: Store,
    ) -> anyhow::Result<Arc<Self>> {
        // Reading the rows frees several times what it keeps: handed back at once.
        let prompt = crate::util::PromptRelease::start();
        let mut snapshots = Vec::with_capacity(sources.len());
        let mut all_stored = true;
        for source in &sources {
            let stored = store.load_source_snapshot(&source.name).await?;
            all_stored &= stored.is_some();
            snapshots.push(Arc::new(stored.unwrap_or_else(|| SourceSnapshot {
                source: source.name.clone(),
                ..Default::default()
            })));
        }
        let assembled = assemble(&snapshots);
        // The rows were read on this thread: what reading them used in passing goes back now.
        crate::util::release_this_threads_memory();
        let state = tokio::task::spawn_blocking(move || {
            let state = CatalogState::build(assembled);
            crate::util::release_freed_memory();
            state
        })
        .await??;
        drop(prompt);
        Ok(Arc::new(Self {
            runtime: Mutex::new(vec![SourceRuntime::default(); sources.len()]),
            sources,
            ctx,
            store,
            state: RwLock::new(Arc::new(state)),
            snapshots: Mutex::new(snapshots),
            refreshing: Default::default(),
            pending: Mutex::new(Pending::None),
            generation: Default::default(),
            ready: all_stored.into(),
            wake: Notify::new(),
            replicas: std::sync::OnceLock::new(),
        }))
    }

    /// Several replicas: read the sources only while `leadership` leads (and `tell` the
    /// others when that changed something); otherwise follow the database. Set once.
    pub fn follow_leader(
        &self,
        leadership: Arc<crate::replicas::Leadership>,
        tell: Arc<dyn Fn(News) + Send + Sync>,
    ) {
        let _ = self.replicas.set(Replicas { leadership, tell });
    }

    /// Whether this replica reads the sources itself (the leader, or the only process).
    fn reads_sources(&self) -> bool {
        self.replicas.get().is_none_or(|r| r.leadership.is_leader())
    }

    /// Another replica refreshed: reload what changed from the database at once.
    pub fn reload(&self) {
        let mut pending = self.pending.lock().expect("pending lock");
        if matches!(*pending, Pending::None) {
            *pending = Pending::Reload;
        }
        drop(pending);
        self.wake.notify_one();
    }

    pub fn state(&self) -> Arc<CatalogState> {
        self.state.read().expect("catalog state lock").clone()
    }

    pub fn sources(&self) -> &[SourceConfig] {
        &self.sources
    }

    pub fn snapshot_of(&self, index: usize) -> Option<Arc<SourceSnapshot>> {
        self.snapshots
            .lock()
            .expect("snapshots lock")
            .get(index)
            .cloned()
    }

    pub fn runtime_of(&self, index: usize) -> SourceRuntime {
        self.runtime
            .lock()
            .expect("runtime lock")
            .get(index)
            .cloned()
            .unwrap_or_default()
    }

    pub fn is_refreshing(&self) -> bool {
        self.refreshing.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// For `/readyz`: the catalog is whole (stored snapshots loaded, or a refresh done).
    pub fn is_ready(&self) -> bool {
        self.ready.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Ask the refresh task for a pass over these sources only (a push webhook named them);
    /// coalesced with what is already queued.
    pub fn request_refresh_of(&self, names: &[&str]) {
        let indexes = self
            .sources
            .iter()
            .enumerate()
            .filter(|(_, s)| names.contains(&s.name.as_str()))
            .map(|(i, _)| i);
        {
            let mut pending = self.pending.lock().expect("pending lock");
            match &mut *pending {
                Pending::All => {}
                Pending::Some(set) => set.extend(indexes),
                Pending::None | Pending::Reload => *pending = Pending::Some(indexes.collect()),
            }
        }
        self.refreshing
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Ask the refresh task for a pass now (coalesced with one already queued).
    pub fn request_refresh(&self) {
        *self.pending.lock().expect("pending lock") = Pending::All;
        self.refreshing
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Refresh every source once: read (blocking, off the async threads), persist what
    /// changed, then rebuild the assembled catalog and index and swap them in.
    pub async fn refresh_all(&self) -> anyhow::Result<()> {
        self.refresh_some(None).await
    }

    /// [`Self::refresh_all`] limited to the sources at `only` (None = all).
    async fn refresh_some(&self, only: Option<&BTreeSet<usize>>) -> anyhow::Result<()> {
        self.refreshing
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let started = Instant::now();
        // The first load of a source frees several times what it keeps: handed back at once.
        let prompt = (!self.is_ready()).then(crate::util::PromptRelease::start);
        let result = self.refresh_inner(only).await;
        drop(prompt);
        self.refreshing
            .store(false, std::sync::atomic::Ordering::SeqCst);
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.ready.store(true, std::sync::atomic::Ordering::SeqCst);
        metrics::histogram!("atrium_catalog_refresh_seconds")
            .record(started.elapsed().as_secs_f64());
        if result.is_err() {
            metrics::counter!("atrium_catalog_refresh_failures_total").increment(1);
        }
        result
    }

    async fn refresh_inner(&self, only: Option<&BTreeSet<usize>>) -> anyhow::Result<()> {
        if !self.reads_sources() {
            return self.reload_from_store().await;
        }
        let mut changed = false;
        for (i, source) in self.sources.iter().enumerate() {
            if only.is_some_and(|set| !set.contains(&i)) {
                continue;
            }
            let previous = self.snapshot_of(i).unwrap_or_default();
            let (cfg, ctx, prev) = (source.clone(), self.ctx.clone(), previous.clone());
            let next = tokio::task::spawn_blocking(move || {
                let mut next = refresh_source(&cfg, &prev, &ctx);
                // In the order the database gives them back, so an unchanged source compares
                // equal to what a restart loaded, and is neither stored nor indexed again.
                next.entities
                    .sort_by(|a, b| (&a.file, a.document).cmp(&(&b.file, b.document)));
                crate::util::release_freed_memory();
                next
            })
            .await?;
            if let Some(error) = &next.source_error {
                tracing::warn!(source = %source.name, location = %describe(source), "{error}");
            }
            for error in next.errors.iter().filter(|e| !previous.errors.contains(e)) {
                tracing::warn!(source = %error.source, file = %error.file, document = ?error.document, "catalog error: {}", error.message);
            }
            if next != *previous {
                self.store.save_source_snapshot(&next).await?;
                self.snapshots.lock().expect("snapshots lock")[i] = Arc::new(next);
                changed = true;
            } else {
                // Unchanged (the usual timer refresh): what was read goes, and the memory it
                // took is handed back, not kept by the threads that read it.
                tokio::task::spawn_blocking(move || {
                    drop(next);
                    crate::util::release_freed_memory();
                });
            }
            self.runtime.lock().expect("runtime lock")[i].last_refresh =
                Some(crate::util::now_rfc3339());
        }
        if changed {
            self.rebuild().await?;
            if let Some(replicas) = self.replicas.get() {
                (replicas.tell)(News::Refreshed);
            }
        }
        Ok(())
    }

    /// A follower's refresh: what the leader stored, for the sources whose snapshot changed.
    async fn reload_from_store(&self) -> anyhow::Result<()> {
        let mut changed = false;
        for (i, source) in self.sources.iter().enumerate() {
            let Some(stored) = self.store.load_source_snapshot(&source.name).await? else {
                continue;
            };
            let mut snapshots = self.snapshots.lock().expect("snapshots lock");
            if *snapshots[i] != stored {
                snapshots[i] = Arc::new(stored);
                changed = true;
            }
        }
        metrics::counter!("atrium_catalog_reloads_total").increment(1);
        if changed {
            self.rebuild().await?;
        }
        Ok(())
    }

    /// Assemble the snapshots and build the index anew, then swap them in.
    async fn rebuild(&self) -> anyhow::Result<()> {
        let snapshots = self.snapshots.lock().expect("snapshots lock").clone();
        let previous = self.state();
        let state = tokio::task::spawn_blocking(move || {
            let assembled = assemble(&snapshots);
            CatalogState::build(assembled)
        })
        .await??;
        metrics::gauge!("atrium_catalog_entities").set(state.assembled.len() as f64);
        metrics::gauge!("atrium_catalog_errors").set(state.assembled.errors.len() as f64);
        tracing::info!(
            entities = state.assembled.len(),
            errors = state.assembled.errors.len(),
            "catalog refreshed"
        );
        *self.state.write().expect("catalog state lock") = Arc::new(state);
        // The old state goes when its last reader does; usually now.
        drop(previous);
        // Awaited: a refresh is done (and the first one makes the server ready) once what the
        // rebuild freed is handed back, not while the threads still hold it.
        let _ = tokio::task::spawn_blocking(crate::util::release_freed_memory).await;
        Ok(())
    }

    /// The refresh loop: once at start, then every `interval` or when asked.
    pub async fn run(self: Arc<Self>, interval: Duration) {
        let mut next = Pending::All;
        loop {
            let result = match &next {
                // The leader wrote what the database holds: nothing to reload.
                Pending::Reload if self.reads_sources() => Ok(()),
                Pending::Some(set) => self.refresh_some(Some(set)).await,
                _ => self.refresh_some(None).await,
            };
            if let Err(error) = result {
                tracing::error!("catalog refresh failed: {error:#}");
            }
            let woken = tokio::time::timeout(interval, self.wake.notified()).await;
            let pending = std::mem::replace(
                &mut *self.pending.lock().expect("pending lock"),
                Pending::None,
            );
            if let (Some(replicas), Pending::All | Pending::Some(_)) =
                (self.replicas.get(), &pending)
            {
                if !replicas.leadership.is_leader() {
                    // Asked of a follower (a person, a webhook): the leader reads the sources.
                    (replicas.tell)(News::RefreshAsked);
                }
            }
            next = match (woken, pending) {
                (Ok(()), pending @ (Pending::Some(_) | Pending::Reload)) => pending,
                _ => Pending::All,
            };
        }
    }
}

/// What the next wake-up of the refresh task reads.
enum Pending {
    None,
    All,
    Some(BTreeSet<usize>),
    /// Another replica refreshed (only followers act on it).
    Reload,
}

/// Where a source reads from, for logs and the status page.
pub fn describe(source: &SourceConfig) -> String {
    match &source.location {
        SourceLocation::Dir(path) => path.display().to_string(),
        SourceLocation::Git { url, branch } => format!("{url}#{branch}"),
    }
}

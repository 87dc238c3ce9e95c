//! Start-up: configuration → store → catalog → router → listener.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::LeptosOptions;

use crate::auth::Auth;
use crate::catalog::service::Catalog;
use crate::config::Config;
use crate::deploy::Deploys;
use crate::gitops::engine::{Engine, EngineSettings};
use crate::gitops::repos::RepoMap;
use crate::http::{router, AppState};
use crate::replicas::{fanout, Leadership};
use crate::store::leases::LEADER;
use crate::store::{redact, Backend, Store};

/// Build the application state: connect the store, open the catalog (configured sources, or the
/// demo repos in the data dir). Does not start background tasks.
pub async fn build_state(config: &Config) -> anyhow::Result<AppState> {
    std::fs::create_dir_all(&config.data_dir)?;
    let url = config.database_url();
    let mut store = Store::connect(&url).await?;
    if let Some(name) = config.replica_name()? {
        store = store.named(name);
    }
    tracing::info!(database = %redact(&url), "store ready");

    let mut sources = config.catalog_sources()?;
    let mut rules = config.catalog_rules()?;
    if sources.is_empty() {
        if config.catalog.rules.is_empty() {
            rules = crate::demo::catalog::demo_rules();
        }
        sources = crate::demo::setup::ensure_demo_catalog(&config.data_dir)?;
        tracing::info!("no catalog sources configured: using the demo catalog");
    }
    let remotes = Arc::new(config.git_remotes()?);
    let ctx = crate::catalog::source::ReadContext {
        cache_dir: config.data_dir.join("cache"),
        remotes: remotes.clone(),
        rules,
        urls: config.catalog_urls()?,
    };
    let catalog = Catalog::open(sources, ctx, store.clone()).await?;
    let engine = build_engine(config, store.clone(), remotes)?;
    let auth = Arc::new(Auth::from_config(
        config,
        catalog.clone(),
        store.clone(),
        engine.production_flags(),
    )?);
    let deploys = Deploys::new(
        store.clone(),
        engine.clone(),
        config.deploy_settings()?,
        engine.leadership().clone(),
    );
    announce_sign_in(config);
    let leptos = LeptosOptions::builder()
        .output_name("atrium")
        .site_root(config.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.listen)
        .build();
    Ok(AppState {
        leptos,
        auth,
        engine,
        deploys,
        catalog,
        store,
        metrics: crate::telemetry::init_metrics(),
        network: Arc::new(
            crate::auth::network::Network::from_config(&config.http).map_err(anyhow::Error::msg)?,
        ),
        webhooks: Arc::new(config.webhooks.clone()),
    })
}

/// Say at start how people sign in, loudly when demo sign-in is open to the network.
fn announce_sign_in(config: &Config) {
    let listen = config.listen;
    if config.auth.oidc.is_some() {
        return;
    }
    if !config.auth.demo_enabled(listen) {
        tracing::warn!(
            %listen,
            "no OIDC provider configured and demo sign-in is off (Atrium does not listen on a \
             loopback address): nobody can sign in; configure [auth.oidc], or set \
             auth.demo = true for a throw-away demo"
        );
    } else if listen.ip().is_loopback() {
        tracing::warn!("no OIDC provider configured: demo sign-in is enabled (loopback only)");
    } else {
        tracing::error!(
            %listen,
            "!!! DEMO SIGN-IN IS ON AND ATRIUM IS REACHABLE FROM THE NETWORK !!! anyone who \
             can reach {listen} can sign in as any demo user, including the platform admin \
             (auth.demo = true). Configure [auth.oidc] before real use"
        );
    }
}

/// The engine over the configured environments, or the demo ones (dev → staging → prod, local
/// Git repos in the data dir, each on its own simulated cluster).
fn build_engine(
    config: &Config,
    store: Store,
    remotes: Arc<crate::gitremote::Remotes>,
) -> anyhow::Result<Arc<Engine>> {
    let mut envs = config.environments()?;
    let mut mappings = config.repo_mappings()?;
    if envs.is_empty() && !config.demo_environments {
        tracing::info!("environments = []: no environments, the catalog only");
    } else if envs.is_empty() {
        envs = crate::demo::environments::ensure_demo_environments(&config.data_dir)?;
        mappings.extend(crate::demo::environments::demo_repo_mappings(
            &config.data_dir,
        ));
        tracing::info!(
            "no environments configured: using the demo environments on simulated clusters"
        );
    }
    let settings = EngineSettings {
        interval: Duration::from_secs(config.engine.interval_secs.max(1)),
        sim_rollout_delay: Duration::from_millis(config.engine.sim_rollout_ms),
        max_apps: config.engine.max_apps.max(1),
        wave_timeout: Duration::from_secs(config.engine.wave_timeout_secs),
        mirror_dir: config.data_dir.join("env-mirrors"),
        remotes,
        // One process leads from the start; `serve` on PostgreSQL makes it a lease.
        leadership: Leadership::solo(),
    };
    Ok(Engine::new(
        envs,
        RepoMap::from_mappings(&mappings),
        store,
        settings,
    ))
}

/// `atrium serve`: run until Ctrl-C / SIGTERM.
pub async fn serve(config: Config) -> anyhow::Result<()> {
    // SQLite is for one process: a second one on the same database is refused here.
    let _sqlite_lock = match crate::store::sqlite_path(&config.database_url()) {
        Some(path) => Some(crate::replicas::lock_sqlite(&path)?),
        None => None,
    };
    let state = build_state(&config).await?;
    let interval = Duration::from_secs(config.catalog.refresh_interval_secs.max(1));
    tokio::spawn(state.catalog.clone().run(interval));
    tokio::spawn(state.auth.clone().run(Duration::from_secs(2)));
    let leadership = state.engine.leadership().clone();
    if state.store.backend() == Backend::Postgres {
        elect(
            &state,
            Duration::from_secs(config.engine.lease_secs.max(1)),
            config.database_url(),
        )
        .await;
    } else {
        take_over(&state.store, &state.deploys).await?;
    }
    state
        .engine
        .spawn(Duration::from_secs(config.engine.interval_secs.max(1)));
    state.deploys.spawn_executor();
    let network = state.network.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            network.limiter.shrink();
        }
    });
    // mimalloc hands pages back to the OS a moment after they empty, but only when a thread
    // next calls into it, and an idle server's threads may not for minutes: a collection every
    // few seconds returns what the last burst (a refresh, a run of searches) left free.
    tokio::spawn(async {
        let mut tick = tokio::time::interval(Duration::from_secs(10));
        loop {
            tick.tick().await;
            crate::util::release_this_threads_memory();
        }
    });
    state.deploys.spawn_notifier();
    if !config.site_root.join("pkg").exists() {
        tracing::warn!(site_root = %config.site_root.display(), "the compiled site is missing: pages render but will not hydrate (run .ci/build)");
    }
    let store = state.store.clone();
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!("Atrium listening on http://{}", config.listen);
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    if leadership.is_elected() {
        // A clean stop hands the lease over at once instead of after it expires.
        let _ = store.release_lease(LEADER).await;
    }
    Ok(())
}

/// What a replica does before it acts as the leader: syncs a departed process started but
/// never finished are marked interrupted (before anything syncs again), and requests under
/// way claim their apps' next sync (before the engine's first auto-sync).
async fn take_over(store: &Store, deploys: &Deploys) -> crate::store::Result<()> {
    for sync in store.interrupt_unfinished_syncs().await? {
        tracing::warn!(env = %sync.env, app = %sync.app, started_by = %sync.actor_subject, "a sync was interrupted when its Atrium process stopped; marked interrupted");
    }
    deploys.recover_claims().await
}

/// Several replicas on PostgreSQL: compete for the leader's lease. Taking it over runs
/// [`take_over`], after learning which commits the earlier leaders auto-synced; while leading, every renewal looks again for syncs of replicas that
/// stopped. Each new term wakes the engine's loops and the executor at once.
async fn elect(state: &AppState, lease: Duration, url: String) {
    let leadership = state.engine.leadership().clone();
    let (engine, deploys) = (state.engine.clone(), state.deploys.clone());
    leadership
        .campaign(state.store.clone(), lease, move |store, first| {
            let (engine, deploys) = (engine.clone(), deploys.clone());
            async move {
                let done = if first {
                    // The clusters outlive leaders (unlike a single process's emulator, which
                    // starts empty): what the last leader auto-synced stays synced.
                    match engine.carry_on_auto_syncs().await {
                        Ok(()) => take_over(&store, &deploys).await,
                        Err(e) => Err(e),
                    }
                } else {
                    store.interrupt_unfinished_syncs().await.map(drop)
                };
                if let Err(e) = done {
                    tracing::error!("taking over as the leader: {e}");
                }
            }
        })
        .await;
    let (engine, deploys) = (state.engine.clone(), state.deploys.clone());
    let catalog = state.catalog.clone();
    let mut changes = leadership.subscribe();
    fan_out(state, url);
    tokio::spawn(async move {
        while changes.changed().await.is_ok() {
            if changes.borrow_and_update().is_some() {
                engine.wake(None);
                deploys.wake_executor();
                // The catalog's sources are the leader's to read from now on.
                catalog.request_refresh();
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    // Open live streams (server-sent events) never end by themselves: give requests in flight
    // a few seconds, then exit anyway.
    tokio::spawn(async {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        tracing::info!("open connections did not close within 5 s; exiting");
        std::process::exit(0);
    });
}

/// Replicas tell each other what changed (LISTEN/NOTIFY): a sync or refresh here runs the
/// environment's pass there, so their trees follow the leader's syncs; a deploy request's
/// change wakes their live pages and the leader's executor.
fn fan_out(state: &AppState, url: String) {
    use fanout::Kind;
    let (engine, deploys) = (state.engine.clone(), state.deploys.clone());
    let catalog = state.catalog.clone();
    let leadership = engine.leadership().clone();
    let handle: fanout::Handler = Arc::new(move |notice| match notice.map(|n| (n.kind, n)) {
        Some((Kind::Env, notice)) => engine.wake(Some(&notice.env)),
        Some((Kind::Deploy, notice)) => deploys.changed_here(&notice.env),
        Some((Kind::Catalog, _)) => catalog.reload(),
        Some((Kind::CatalogRefresh, _)) if leadership.is_leader() => catalog.request_refresh(),
        Some((Kind::CatalogRefresh, _)) => {}
        None => {
            engine.wake(None);
            deploys.wake_executor();
            catalog.reload();
        }
    });
    let fanout = fanout::Fanout::start(state.store.clone(), url, handle);
    let news = fanout.clone();
    state.catalog.follow_leader(
        state.engine.leadership().clone(),
        Arc::new(move |what| {
            let kind = match what {
                crate::catalog::service::News::Refreshed => Kind::Catalog,
                crate::catalog::service::News::RefreshAsked => Kind::CatalogRefresh,
            };
            news.publish(kind, "");
        }),
    );
    let envs = fanout.clone();
    state
        .engine
        .set_fanout(Arc::new(move |env| envs.publish(fanout::Kind::Env, env)));
    state.deploys.set_fanout(Arc::new(move |env| {
        fanout.publish(fanout::Kind::Deploy, env)
    }));
}

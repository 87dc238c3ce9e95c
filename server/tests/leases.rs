//! The leader's lease in the store, on SQLite and PostgreSQL, with two stores standing for two
//! replicas on one database: one holder at a time, renewal keeps the token, a takeover after
//! expiry raises it, the ex-leader's fenced writes (a sync's start, a request's transition,
//! its progress) are refused while the new leader's go through, and a running sync is taken
//! for orphaned only once its replica's presence lease ran out. The audit chain verifies.

mod common;

use std::time::{Duration, Instant};

use atrium_app::dto::deploy::RequestState;
use atrium_server::audit::{outcome, Actor, AuditRecord};
use atrium_server::store::deploys::{Transition, Update};
use atrium_server::store::leases::{presence, LEADER};
use atrium_server::store::syncs::SyncRow;
use atrium_server::store::{Store, StoreError};

/// The lease the tests take: short, so expiry comes quickly, yet long enough that a renewal
/// on a slow machine lands within it.
const TTL_MS: i64 = 1500;

fn sync_row(app: &str) -> SyncRow {
    SyncRow {
        env: "staging".into(),
        app: app.into(),
        at: atrium_server::audit::now(),
        actor_subject: "auto-sync".into(),
        actor_name: "auto-sync".into(),
        trigger: "auto".into(),
        revision: Some("abc".into()),
        result: "running".into(),
        message: "applying".into(),
        details: serde_json::Value::Null,
        request: None,
    }
}

fn audit(action: &str) -> AuditRecord {
    AuditRecord::new(Actor::system(), action, "staging/web", outcome::SUCCESS)
}

/// Polls `store` taking `name` until it holds it (the other holder's lease ran out).
async fn take_when_free(store: &Store, name: &str) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let view = store.acquire_lease(name, TTL_MS).await.unwrap();
        if view.held {
            return view.token;
        }
        assert!(
            Instant::now() < deadline,
            "{name} never came free: {view:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn two_replicas(a: &Store, b: &Store) {
    assert_ne!(a.replica(), b.replica());
    // A takes the lease; B finds it held by A.
    let first = a.acquire_lease(LEADER, TTL_MS).await.unwrap();
    assert!(first.held);
    let refused = b.acquire_lease(LEADER, TTL_MS).await.unwrap();
    assert!(!refused.held);
    assert_eq!(refused.holder, a.replica());
    // A renewal keeps the token.
    let renewed = a.acquire_lease(LEADER, TTL_MS).await.unwrap();
    assert_eq!((renewed.held, renewed.token), (true, first.token));
    a.acquire_lease(&presence(a.replica()), TTL_MS)
        .await
        .unwrap();

    // While A leads, its fenced writes go through: a sync starts, a request moves.
    let leader_a = a.fenced(first.token);
    let running = leader_a
        .start_sync(&sync_row("web"), &audit("applications.sync.start"))
        .await
        .unwrap();
    let request = common::deploy::request_row(
        "r1",
        "staging",
        "web",
        RequestState::Approved,
        &atrium_server::audit::now(),
    );
    a.insert_request(&request, &Actor::system(), &audit("deploys.request"), None)
        .await
        .unwrap();
    let system = Actor::system();
    let step = |to: RequestState, from: &'static [RequestState]| Transition {
        id: "r1",
        from,
        to,
        actor: &system,
        detail: to.as_str().into(),
        audit: audit("deploys.step"),
        update: Update::default(),
    };
    assert!(leader_a
        .transition(&step(RequestState::Committing, &[RequestState::Approved]))
        .await
        .unwrap());
    // A's own running sync is not orphaned, for A or for anyone while A's presence lasts.
    assert!(b.interrupt_unfinished_syncs().await.unwrap().is_empty());

    // A stops renewing (paused, cut off); once its lease ran out B takes over, token raised.
    let token_b = take_when_free(b, LEADER).await;
    assert!(token_b > first.token, "{token_b} after {}", first.token);
    let leader_b = b.fenced(token_b);
    // A, not knowing yet, writes nothing that matters any more.
    let late = leader_a
        .start_sync(&sync_row("api"), &audit("applications.sync.start"))
        .await;
    assert!(matches!(late, Err(StoreError::Fenced(_))), "{late:?}");
    let late = leader_a
        .transition(&step(RequestState::Committed, &[RequestState::Committing]))
        .await;
    assert!(matches!(late, Err(StoreError::Fenced(_))), "{late:?}");
    let late = leader_a
        .set_request_progress("r1", Some("{}"), Some("Healthy"), "now")
        .await;
    assert!(matches!(late, Err(StoreError::Fenced(_))), "{late:?}");
    assert!(leader_a.check_fence().await.is_err());
    let still = a.request("r1").await.unwrap().unwrap();
    assert_eq!(
        still.state,
        RequestState::Committing,
        "the fenced writes left no trace"
    );
    assert_eq!(still.health, None);
    // A's lease is B's now: A cannot renew it.
    assert!(!a.acquire_lease(LEADER, TTL_MS).await.unwrap().held);

    // A's running sync is orphaned once A's presence ran out too; B marks it interrupted.
    let deadline = Instant::now() + Duration::from_secs(30);
    let interrupted = loop {
        let found = leader_b.interrupt_unfinished_syncs().await.unwrap();
        if !found.is_empty() {
            break found;
        }
        assert!(Instant::now() < deadline, "A's sync never became orphaned");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(interrupted.len(), 1);
    assert_eq!(interrupted[0].app, "web");
    let history = b.recent_syncs("staging", "web", 10).await.unwrap();
    assert_eq!(history[0].result, "interrupted", "{running}: {history:?}");

    // B's writes go through.
    assert!(leader_b
        .transition(&step(RequestState::Committed, &[RequestState::Committing]))
        .await
        .unwrap());
    leader_b
        .start_sync(&sync_row("api"), &audit("applications.sync.start"))
        .await
        .unwrap();
    // A clean stop hands the lease over at once.
    b.release_lease(LEADER).await.unwrap();
    let back = a.acquire_lease(LEADER, TTL_MS).await.unwrap();
    assert!(back.held && back.token > token_b, "{back:?}");

    let report = a.verify_audit().await.unwrap();
    assert!(report.is_ok(), "{report:?}");
}

#[tokio::test]
async fn one_leader_at_a_time_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::store::sqlite_url(dir.path());
    let (a, b) = (
        Store::connect(&url).await.unwrap(),
        Store::connect(&url).await.unwrap(),
    );
    two_replicas(&a, &b).await;
}

/// A pod's name (the downward API's `metadata.name`), as the Kubernetes manifests pass it.
const POD: &str = "atrium-5f7c9d8b4-x2k4q";

#[tokio::test]
async fn replicas_named_after_one_pod_are_still_two() {
    // `replica_name` reaches the store `serve` builds.
    let app = common::app_with(false, |c| c.replica_name = Some(POD.into())).await;
    let id = app.state.store.replica();
    assert!(
        id.starts_with(&format!("{POD}-")) && id.len() == POD.len() + 9,
        "{id}"
    );
    // The same pod started twice (a container restart): two replicas, both named after it.
    let dir = tempfile::tempdir().unwrap();
    let url = common::store::sqlite_url(dir.path());
    let (first, again) = (
        Store::connect(&url).await.unwrap().named(POD),
        Store::connect(&url).await.unwrap().named(POD),
    );
    two_replicas(&first, &again).await;
    let held = first.acquire_lease(LEADER, TTL_MS).await.unwrap();
    assert!(held.holder.starts_with(POD), "{held:?}");
}

#[tokio::test]
async fn one_leader_at_a_time_on_postgres() {
    let Some(url) = common::store::postgres_url().await else {
        return;
    };
    let (a, b) = (
        Store::connect(&url).await.unwrap(),
        Store::connect(&url).await.unwrap(),
    );
    two_replicas(&a, &b).await;
}

/// Two replicas racing for a free lease: exactly one wins, every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_race_for_the_lease_has_one_winner_on_postgres() {
    let Some(url) = common::store::postgres_url().await else {
        return;
    };
    let (a, b) = (
        Store::connect(&url).await.unwrap(),
        Store::connect(&url).await.unwrap(),
    );
    for round in 0..20 {
        let name = format!("race-{round}");
        let (x, y) = tokio::join!(
            a.acquire_lease(&name, 60_000),
            b.acquire_lease(&name, 60_000)
        );
        let (x, y) = (x.unwrap(), y.unwrap());
        assert!(x.held != y.held, "round {round}: {x:?} {y:?}");
    }
}

/// What a new leader carries on from: each app's last finished auto-sync, not an interrupted
/// one, not a person's.
async fn last_auto_syncs(store: &Store) {
    let record = |app: &str, trigger: &str, revision: &str, result: &str, at: &str| {
        let mut row = sync_row(app);
        row.trigger = trigger.into();
        row.revision = Some(revision.into());
        row.result = result.into();
        row.at = at.into();
        row
    };
    for row in [
        record("web", "auto", "r1", "succeeded", "2026-01-01T00:00:01Z"),
        record("web", "auto", "r2", "failed", "2026-01-01T00:00:02Z"),
        record("web", "manual", "r3", "succeeded", "2026-01-01T00:00:03Z"),
        record("web", "auto", "r4", "interrupted", "2026-01-01T00:00:04Z"),
        record("api", "auto", "a1", "succeeded", "2026-01-01T00:00:01Z"),
        record("db", "auto", "d1", "interrupted", "2026-01-01T00:00:01Z"),
    ] {
        store
            .record_sync(&row, &audit("applications.sync"))
            .await
            .unwrap();
    }
    let mut last = store.last_auto_syncs("staging").await.unwrap();
    last.sort();
    assert_eq!(
        last,
        [("api".into(), "a1".into()), ("web".into(), "r2".into())]
    );
    assert!(store.last_auto_syncs("prod").await.unwrap().is_empty());
}

#[tokio::test]
async fn a_new_leader_learns_the_last_auto_syncs_on_sqlite() {
    let (_dir, store) = common::store::sqlite().await;
    last_auto_syncs(&store).await;
}

#[tokio::test]
async fn a_new_leader_learns_the_last_auto_syncs_on_postgres() {
    if let Some(store) = common::store::postgres().await {
        last_auto_syncs(&store).await;
    }
}

/// Two replicas campaigning (each on its own runtime, as in its own process): one leads, the
/// other follows; when the leader's runtime stops (the process died), the other leads within
/// the lease, and `on_lead` ran once at the start of each term.
#[test]
fn a_campaign_hands_leadership_over_when_the_leader_stops() {
    use atrium_server::replicas::Leadership;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    let dir = tempfile::tempdir().unwrap();
    let url = common::store::sqlite_url(dir.path());
    let terms = Arc::new(AtomicUsize::new(0));
    let campaign = |runtime: &tokio::runtime::Runtime| {
        let (url, terms) = (url.clone(), terms.clone());
        runtime.block_on(async move {
            let store = Store::connect(&url).await.unwrap();
            let leadership = Leadership::solo();
            leadership
                .campaign(store, Duration::from_secs(3), move |_, first| {
                    if first {
                        terms.fetch_add(1, Ordering::SeqCst);
                    }
                    async {}
                })
                .await;
            leadership
        })
    };
    let wait = |what: &str, check: &dyn Fn() -> bool| {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !check() {
            assert!(Instant::now() < deadline, "{what}");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let first_rt = tokio::runtime::Runtime::new().unwrap();
    let first = campaign(&first_rt);
    wait("the first replica leads", &|| first.is_leader());
    let second_rt = tokio::runtime::Runtime::new().unwrap();
    let second = campaign(&second_rt);
    assert!(second.is_elected());
    // Half a lease: the second has tried at least once, and the first has renewed.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(!second.is_leader(), "two leaders");
    assert!(first.is_leader());

    let stopped = Instant::now();
    first_rt.shutdown_background();
    wait("the second replica takes over", &|| second.is_leader());
    assert!(
        stopped.elapsed() < Duration::from_secs(5),
        "{:?}",
        stopped.elapsed()
    );
    assert_eq!(terms.load(Ordering::SeqCst), 2);
}

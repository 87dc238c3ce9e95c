//! A sync and its audit record are written in one transaction: both or neither. The store is
//! checked on SQLite always and on PostgreSQL when `ATRIUM_TEST_POSTGRES_URL` is set (the test
//! command starts one and sets `ATRIUM_REQUIRE_POSTGRES=1`, so there it cannot skip); the engine
//! is checked through its service on SQLite. A failure is made with a trigger that refuses one
//! app's rows only.

mod common;

use atrium_app::service::EngineService;
use atrium_server::audit::{outcome, Actor, AuditFilter, AuditRecord, AuditRow};
use atrium_server::store::syncs::SyncRow;
use atrium_server::store::{Backend, Store};
use serde_json::json;

fn sync_row(env: &str, app: &str) -> SyncRow {
    SyncRow {
        request: None,
        env: env.into(),
        app: app.into(),
        at: "2026-11-27T10:00:00Z".into(),
        actor_subject: "jonas.becker".into(),
        actor_name: "Jonas Becker".into(),
        trigger: "manual".into(),
        revision: Some("0123abc".into()),
        result: "succeeded".into(),
        message: "1 created, 0 configured, 0 unchanged, 0 pruned, 0 failed".into(),
        details: json!([{"key": "apps/Deployment/shop/cart", "action": "Created"}]),
    }
}

/// The audit record the engine writes for `row`.
fn audit_of_row(row: &SyncRow) -> AuditRecord {
    AuditRecord::new(
        Actor {
            subject: row.actor_subject.clone(),
            name: row.actor_name.clone(),
            groups: Vec::new(),
        },
        "applications.sync",
        format!("{}/{}", row.env, row.app),
        outcome::SUCCESS,
    )
    .with_details(json!({
        "trigger": row.trigger, "revision": row.revision, "prune": false, "message": row.message,
    }))
}

async fn audit_of(store: &Store, object: &str) -> Vec<AuditRow> {
    store
        .audit_page(&AuditFilter {
            action: Some("applications.sync".into()),
            object: Some(object.into()),
            ..Default::default()
        })
        .await
        .unwrap()
}

/// From now on, an insert into `table` whose `column` is `value` fails (trigger `name`).
async fn refuse(store: &Store, name: &str, table: &str, column: &str, value: &str) {
    let statements = match store.backend() {
        Backend::Sqlite => vec![
            format!("DROP TRIGGER IF EXISTS {name}"),
            format!(
                "CREATE TRIGGER {name} BEFORE INSERT ON {table} WHEN NEW.{column} = '{value}' \
                 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            ),
        ],
        Backend::Postgres => vec![
            "CREATE OR REPLACE FUNCTION atrium_test_refuse() RETURNS trigger LANGUAGE plpgsql \
             AS $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
                .to_string(),
            format!("DROP TRIGGER IF EXISTS {name} ON {table}"),
            format!(
                "CREATE TRIGGER {name} BEFORE INSERT ON {table} FOR EACH ROW \
                 WHEN (NEW.{column} = '{value}') EXECUTE FUNCTION atrium_test_refuse()"
            ),
        ],
    };
    for statement in statements {
        sqlx::query(&statement).execute(store.pool()).await.unwrap();
    }
}

/// Drop trigger `name` on `table` again.
async fn allow(store: &Store, name: &str, table: &str) {
    let statement = match store.backend() {
        Backend::Sqlite => format!("DROP TRIGGER IF EXISTS {name}"),
        Backend::Postgres => format!("DROP TRIGGER IF EXISTS {name} ON {table}"),
    };
    sqlx::query(&statement).execute(store.pool()).await.unwrap();
}

/// A trigger that makes inserts into `table` whose `column` is `value` fail.
struct Refusal {
    trigger: &'static str,
    table: &'static str,
    column: &'static str,
    value: String,
}

/// Record a sync of `app` while `refusal` is in force: the write fails, and neither the sync
/// row nor its audit record is left, nor has the chain's head moved.
async fn nothing_recorded_when_refused(store: &Store, env: &str, app: &str, refusal: Refusal) {
    let Refusal {
        trigger,
        table,
        column,
        value,
    } = refusal;
    refuse(store, trigger, table, column, &value).await;
    let head = store.audit_head().await.unwrap();
    let row = sync_row(env, app);
    let recorded = store.record_sync(&row, &audit_of_row(&row)).await;
    allow(store, trigger, table).await;
    assert!(recorded.is_err(), "{trigger} refused the write");
    let syncs = store.recent_syncs(env, app, 10).await.unwrap();
    assert!(syncs.is_empty(), "{syncs:?}");
    let audit = audit_of(store, &format!("{env}/{app}")).await;
    assert!(audit.is_empty(), "{audit:?}");
    assert_eq!(store.audit_head().await.unwrap(), head);
}

async fn both_or_neither(store: &Store) {
    // PostgreSQL databases are reused between runs: this run's rows are under its own env.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let env = format!("sync-record-{nanos}");

    // Both rows, telling the same story.
    let row = sync_row(&env, "cart");
    store.record_sync(&row, &audit_of_row(&row)).await.unwrap();
    let recorded = store.recent_syncs(&env, "cart", 10).await.unwrap();
    assert_eq!(recorded, std::slice::from_ref(&row));
    let audit = audit_of(store, &format!("{env}/cart")).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    let details = &audit[0].record.details;
    assert_eq!(details["message"], json!(row.message));
    assert_eq!(details["revision"], json!(row.revision));
    assert_eq!(details["trigger"], json!(row.trigger));
    assert_eq!(audit[0].record.actor.subject, row.actor_subject);

    // The sync row is refused after the audit record was appended: the audit record goes too,
    // and the chain's head is where it was.
    let refuse_sync = Refusal {
        trigger: "atrium_test_refuse_sync",
        table: "syncs",
        column: "app",
        value: "refused-sync".into(),
    };
    nothing_recorded_when_refused(store, &env, "refused-sync", refuse_sync).await;

    // The audit record is refused: no sync row either.
    let refuse_audit = Refusal {
        trigger: "atrium_test_refuse_audit",
        table: "audit_events",
        column: "object",
        value: format!("{env}/refused-audit"),
    };
    nothing_recorded_when_refused(store, &env, "refused-audit", refuse_audit).await;

    // And the next sync is recorded as usual.
    let row = sync_row(&env, "cart");
    store.record_sync(&row, &audit_of_row(&row)).await.unwrap();
    assert_eq!(audit_of(store, &format!("{env}/cart")).await.len(), 2);
}

#[tokio::test]
async fn a_sync_and_its_audit_record_commit_together_sqlite() {
    let (_dir, store) = common::store::sqlite().await;
    both_or_neither(&store).await;
    let report = store.verify_audit().await.unwrap();
    assert!(report.is_ok(), "{report:?}");
}

#[tokio::test]
async fn a_sync_and_its_audit_record_commit_together_postgres() {
    if let Some(store) = common::store::postgres().await {
        both_or_neither(&store).await;
    }
}

async fn audit_action(store: &Store, action: &str, object: &str) -> Vec<AuditRow> {
    store
        .audit_page(&AuditFilter {
            action: Some(action.into()),
            object: Some(object.into()),
            ..Default::default()
        })
        .await
        .unwrap()
}

/// The engine records a sync before it applies anything (a `running` row and an
/// `applications.sync.start` record naming who, the revision and the plan) and completes both
/// after. When the start cannot be recorded, nothing is applied (fail closed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_records_a_sync_before_applying_or_does_not_sync() {
    let app = common::app_with(false, |config| config.engine.sim_rollout_ms = 300).await;
    let engine = app.state.engine.clone();
    let store = &app.state.store;
    engine.reconcile_all().await;
    let caller = app.caller("jonas.becker");

    let record = engine
        .sync(&caller, "prod", "checkout-service", false)
        .await
        .unwrap();
    assert_eq!(record.result, "succeeded", "{record:?}");
    let syncs = store
        .recent_syncs("prod", "checkout-service", 10)
        .await
        .unwrap();
    assert_eq!(syncs.len(), 1, "{syncs:?}");
    assert_eq!(syncs[0].result, "succeeded");
    let started = audit_action(store, "applications.sync.start", "prod/checkout-service").await;
    assert_eq!(started.len(), 1, "{started:?}");
    let details = &started[0].record.details;
    assert_eq!(details["revision"], json!(syncs[0].revision));
    assert_eq!(details["trigger"], json!("manual"));
    assert!(details["resources"].as_u64().unwrap() > 0, "{details}");
    assert!(
        details["plan"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k.as_str().unwrap().contains("Deployment")),
        "{details}"
    );
    assert_eq!(started[0].record.actor.subject, "jonas.becker");
    let audit = audit_of(store, "prod/checkout-service").await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(
        audit[0].record.details,
        json!({
            "trigger": "manual", "revision": syncs[0].revision, "prune": false,
            "message": syncs[0].message,
        })
    );
    assert!(audit[0].seq > started[0].seq, "the start comes first");
    assert_eq!(audit[0].record.outcome, outcome::SUCCESS);

    // The start cannot be recorded: nothing is applied, nothing is recorded.
    refuse(
        store,
        "atrium_test_refuse_sync",
        "syncs",
        "app",
        "checkout-service",
    )
    .await;
    let head = store.audit_head().await.unwrap();
    let record = engine
        .sync(&caller, "prod", "checkout-service", false)
        .await
        .unwrap();
    assert_eq!(record.result, "failed", "{record:?}");
    assert!(record.message.contains("not applied"), "{record:?}");
    assert_eq!(
        store
            .recent_syncs("prod", "checkout-service", 10)
            .await
            .unwrap(),
        syncs
    );
    assert_eq!(audit_of(store, "prod/checkout-service").await, audit);
    assert_eq!(store.audit_head().await.unwrap(), head);
    let report = store.verify_audit().await.unwrap();
    assert!(report.is_ok(), "{report:?}");
}

/// A sync the process never finished (killed mid-apply) is marked `interrupted` at the next
/// start (`next`: the next process on the same database), audited with who started it; a
/// deploy request does not count it as its sync. The process running it never does that.
async fn unfinished_syncs_are_marked_interrupted(store: &Store, next: &Store) {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let env = format!("sync-interrupted-{nanos}");
    let mut row = sync_row(&env, "cart");
    row.request = Some("req-1".into());
    let start = AuditRecord::new(
        Actor {
            subject: "jonas.becker".into(),
            name: "Jonas Becker".into(),
            groups: Vec::new(),
        },
        "applications.sync.start",
        format!("{env}/cart"),
        outcome::SUCCESS,
    );
    store.start_sync(&row, &start).await.unwrap();
    assert_eq!(
        store.recent_syncs(&env, "cart", 10).await.unwrap()[0].result,
        "running"
    );
    assert!(store
        .sync_of_request(&env, "cart", "req-1")
        .await
        .unwrap()
        .is_none());

    // Its own process knows it still runs.
    assert!(!store
        .interrupt_unfinished_syncs()
        .await
        .unwrap()
        .iter()
        .any(|s| s.env == env));
    let interrupted = next.interrupt_unfinished_syncs().await.unwrap();
    assert!(interrupted.iter().any(|s| s.env == env), "{interrupted:?}");
    let rows = store.recent_syncs(&env, "cart", 10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].result, "interrupted");
    assert_eq!(rows[0].actor_subject, "jonas.becker");
    assert!(store
        .sync_of_request(&env, "cart", "req-1")
        .await
        .unwrap()
        .is_none());
    let audit = audit_of(store, &format!("{env}/cart")).await;
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0].record.outcome, outcome::FAILURE);
    assert_eq!(audit[0].record.details["interrupted"], json!(true));
    assert_eq!(audit[0].record.details["started_by"], json!("jonas.becker"));
    // Only once.
    assert!(!next
        .interrupt_unfinished_syncs()
        .await
        .unwrap()
        .iter()
        .any(|s| s.env == env));
}

#[tokio::test]
async fn unfinished_syncs_are_marked_interrupted_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = common::store::sqlite_url(dir.path());
    let store = Store::connect(&url).await.unwrap();
    let next = Store::connect(&url).await.unwrap();
    unfinished_syncs_are_marked_interrupted(&store, &next).await;
    assert!(store.verify_audit().await.unwrap().is_ok());
}

#[tokio::test]
async fn unfinished_syncs_are_marked_interrupted_postgres() {
    if let Some(url) = common::store::postgres_url().await {
        let store = Store::connect(&url).await.unwrap();
        let next = Store::connect(&url).await.unwrap();
        unfinished_syncs_are_marked_interrupted(&store, &next).await;
    }
}

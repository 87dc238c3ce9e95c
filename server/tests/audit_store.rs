//! The audit chain on both databases: SQLite always; PostgreSQL when `ATRIUM_TEST_POSTGRES_URL`
//! is set (the test command starts one and sets `ATRIUM_REQUIRE_POSTGRES=1`, so there it
//! cannot skip). Each PostgreSQL test has a fresh database of its own.

mod common;

use atrium_server::audit::{outcome, Actor, AuditFilter, AuditRecord, GENESIS_HASH};
use atrium_server::store::Store;
use common::store::{postgres, sqlite};

fn record(actor: &str, action: &str, object: &str, i: usize) -> AuditRecord {
    AuditRecord::new(
        Actor {
            subject: actor.into(),
            name: format!("{actor} (display)"),
            groups: vec!["team-a".into()],
        },
        action,
        object,
        if i.is_multiple_of(5) {
            outcome::DENIED
        } else {
            outcome::SUCCESS
        },
    )
    .with_details(serde_json::json!({"i": i, "why": {"z": 1, "a": [true, null]}}))
    .with_request(
        Some(format!("req-{i}")),
        i.is_multiple_of(2).then(|| "127.0.0.1".into()),
    )
}

async fn chain_holds_and_breaks(store: &Store) {
    let empty = store.verify_audit().await.unwrap();
    assert!(empty.is_ok(), "{empty:?}");
    assert_eq!(empty.checked, 0);

    // Sequential appends get consecutive numbers.
    for i in 1..=5 {
        let seq = store
            .append_audit(&record(
                "alice",
                "applications.sync",
                &format!("dev/app-{i}"),
                i,
            ))
            .await
            .unwrap();
        assert_eq!(seq, i as u64);
    }

    // Concurrent appenders (more tasks than pool connections) still make one linear chain.
    let mut tasks = Vec::new();
    for task in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut seqs = Vec::new();
            for i in 0..15 {
                let object = format!("prod/app-{task}");
                let r = record(&format!("user-{task}"), "deploys.deploy", &object, i);
                seqs.push(store.append_audit(&r).await.unwrap());
            }
            seqs
        }));
    }
    let mut all: Vec<u64> = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort_unstable();
    assert_eq!(all, (6..=125).collect::<Vec<u64>>());

    // In the caller's transaction: rolled back means never written, committed means chained.
    let mut tx = store.pool().begin().await.unwrap();
    let seq = Store::append_audit_in(&mut tx, &record("bob", "policy.reload", "policy", 0))
        .await
        .unwrap();
    assert_eq!(seq, 126);
    tx.rollback().await.unwrap();
    let mut tx = store.pool().begin().await.unwrap();
    let seq = Store::append_audit_in(&mut tx, &record("bob", "policy.reload", "policy", 1))
        .await
        .unwrap();
    assert_eq!(seq, 126);
    tx.commit().await.unwrap();

    let report = store.verify_audit().await.unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(report.checked, 126);
    assert_eq!(store.audit_head().await.unwrap().seq, 126);

    // Pages: newest first, filtered, keyset-paginated.
    let page = store
        .audit_page(&AuditFilter {
            actor: Some("user-3".into()),
            limit: Some(10),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.len(), 10);
    assert!(page.windows(2).all(|w| w[0].seq > w[1].seq));
    assert!(page.iter().all(|r| r.record.actor.subject == "user-3"));
    let rest = store
        .audit_page(&AuditFilter {
            actor: Some("user-3 (display)".into()),
            before_seq: Some(page.last().unwrap().seq),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(rest.len(), 5);
    let prod = store
        .audit_page(&AuditFilter {
            object: Some("prod/*".into()),
            action: Some("deploys.deploy".into()),
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(prod.len(), 120);
    let one = store
        .audit_page(&AuditFilter {
            object: Some("dev/app-3".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].seq, 3);
    assert_eq!(
        one[0].record.details["why"]["a"],
        serde_json::json!([true, null])
    );
    let at = one[0].record.at.clone();
    let from_third = store
        .audit_page(&AuditFilter {
            from: Some(at.clone()),
            to: Some("9999".into()),
            limit: Some(1000),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(from_third.last().unwrap().seq, 3);
    let none = store
        .audit_page(&AuditFilter {
            to: Some("2000-01-01".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(none.is_empty());
    let batch = store.audit_after(120, 100).await.unwrap();
    assert_eq!(
        batch.iter().map(|r| r.seq).collect::<Vec<_>>(),
        (121..=126).collect::<Vec<_>>()
    );

    // Tampering with a stored row is found at that row.
    assert_eq!(one[0].record.outcome, outcome::SUCCESS);
    sqlx::query("UPDATE audit_events SET outcome = 'denied' WHERE seq = 3")
        .execute(store.pool())
        .await
        .unwrap();
    let report = store.verify_audit().await.unwrap();
    let broken = report.first_broken.expect("tampering must be detected");
    assert_eq!(broken.seq, 3, "{}", broken.reason);
    assert_eq!(report.checked, 2);
    assert!(broken.reason.contains("altered"), "{}", broken.reason);
}

/// Empty the log (the test tampers with it more than once).
async fn reset(store: &Store) {
    sqlx::query("DELETE FROM audit_events")
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE audit_head SET seq = 0, hash = $1 WHERE id = 1")
        .bind(GENESIS_HASH)
        .execute(store.pool())
        .await
        .unwrap();
}

/// An emptied log, then `n` sign-ins by carol.
async fn fresh_log(store: &Store, n: usize) {
    reset(store).await;
    for i in 1..=n {
        store
            .append_audit(&record("carol", "login", "session", i))
            .await
            .unwrap();
    }
}

async fn deletion_is_detected(store: &Store) {
    fresh_log(store, 6).await;
    assert!(store.verify_audit().await.unwrap().is_ok());

    sqlx::query("DELETE FROM audit_events WHERE seq = 4")
        .execute(store.pool())
        .await
        .unwrap();
    let report = store.verify_audit().await.unwrap();
    let broken = report.first_broken.expect("deletion must be detected");
    assert_eq!(broken.seq, 4, "{}", broken.reason);
    assert!(broken.reason.contains("missing"), "{}", broken.reason);

    // Removing the newest rows leaves a consistent-looking prefix; the head gives it away.
    fresh_log(store, 6).await;
    sqlx::query("DELETE FROM audit_events WHERE seq >= 5")
        .execute(store.pool())
        .await
        .unwrap();
    let report = store.verify_audit().await.unwrap();
    assert_eq!(report.first_broken.map(|b| b.seq), Some(5));
    assert_eq!(report.checked, 4);

    // A JSON column edited into garbage is a finding, not a crash.
    fresh_log(store, 3).await;
    sqlx::query("UPDATE audit_events SET details = 'not json' WHERE seq = 2")
        .execute(store.pool())
        .await
        .unwrap();
    let report = store.verify_audit().await.unwrap();
    let broken = report.first_broken.unwrap();
    assert_eq!(broken.seq, 2);
    assert!(
        broken.reason.starts_with("unreadable: details"),
        "{}",
        broken.reason
    );
}

/// Issue 14: a row planted past the head must neither block every later append (the next
/// number is taken) nor pass unnoticed (verification reports it).
async fn a_planted_row_neither_blocks_nor_hides(store: &Store) {
    fresh_log(store, 3).await;
    sqlx::query(
        "INSERT INTO audit_events (seq, at, actor_subject, actor_name, actor_groups, action, \
         object, outcome, details, request_id, client_ip, prev_hash, hash) \
         VALUES (4, '2026-01-01T00:00:00Z', 'mallory', 'Mallory', '[]', 'login', 'session', \
         'success', '{}', NULL, NULL, 'x', 'y')",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let seq = store
        .append_audit(&record("carol", "login", "session", 4))
        .await
        .expect("appends go on");
    assert_eq!(seq, 5);
    store
        .append_audit(&record("carol", "login", "session", 5))
        .await
        .unwrap();
    let report = store.verify_audit().await.unwrap();
    let broken = report.first_broken.expect("the planted row is reported");
    assert_eq!(broken.seq, 4, "{}", broken.reason);
}

#[tokio::test]
async fn audit_planted_row_sqlite() {
    let (_dir, store) = sqlite().await;
    a_planted_row_neither_blocks_nor_hides(&store).await;
}

#[tokio::test]
async fn audit_planted_row_postgres() {
    if let Some(store) = postgres().await {
        a_planted_row_neither_blocks_nor_hides(&store).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn audit_chain_sqlite() {
    let (_dir, store) = sqlite().await;
    chain_holds_and_breaks(&store).await;
}

#[tokio::test]
async fn audit_deletion_sqlite() {
    let (_dir, store) = sqlite().await;
    deletion_is_detected(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn audit_chain_postgres() {
    if let Some(store) = postgres().await {
        chain_holds_and_breaks(&store).await;
    }
}

#[tokio::test]
async fn audit_deletion_postgres() {
    if let Some(store) = postgres().await {
        deletion_is_detected(&store).await;
    }
}

//! Change notices between replicas (LISTEN/NOTIFY on PostgreSQL): what one replica publishes
//! the others hear, in order and within a second; a replica does not hear itself; a listener
//! that starts (or reconnects) is first told to catch up. Skips without
//! `ATRIUM_TEST_POSTGRES_URL`, like the other PostgreSQL tests.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atrium_server::replicas::fanout::{Fanout, Kind, Notice};
use atrium_server::store::Store;

type Heard = Arc<Mutex<Vec<Option<Notice>>>>;

fn replica(store: Store, url: &str) -> (Fanout, Heard) {
    let heard: Heard = Arc::default();
    let log = heard.clone();
    let fanout = Fanout::start(
        store,
        url.to_string(),
        Arc::new(move |notice| log.lock().unwrap().push(notice.cloned())),
    );
    (fanout, heard)
}

async fn until(what: &str, check: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_one_replica_says_the_others_hear() {
    let Some(url) = common::store::postgres_url().await else {
        return;
    };
    let (a_store, b_store) = (
        Store::connect(&url).await.unwrap(),
        Store::connect(&url).await.unwrap(),
    );
    let (a, a_heard) = replica(a_store.clone(), &url);
    let (_b, b_heard) = replica(b_store, &url);
    // Listening, each is first told to catch up.
    until("both listen", || {
        a_heard.lock().unwrap().first() == Some(&None)
            && b_heard.lock().unwrap().first() == Some(&None)
    })
    .await;

    let sent = Instant::now();
    a.publish(Kind::Env, "staging");
    a.publish(Kind::Deploy, "prod");
    until("B hears both", || b_heard.lock().unwrap().len() == 3).await;
    assert!(
        sent.elapsed() < Duration::from_secs(1),
        "{:?}",
        sent.elapsed()
    );
    let heard = b_heard.lock().unwrap().clone();
    let notice = |kind, env: &str| Notice {
        from: a_store.replica().to_string(),
        kind,
        env: env.to_string(),
    };
    assert_eq!(
        heard[1..],
        [
            Some(notice(Kind::Env, "staging")),
            Some(notice(Kind::Deploy, "prod"))
        ]
    );
    // A does not hear itself (B heard A's last notice, so A's own arrived at A too by now).
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        a_heard.lock().unwrap().len(),
        1,
        "{:?}",
        a_heard.lock().unwrap()
    );
}

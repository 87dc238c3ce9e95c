//! The lease loop of a replica on PostgreSQL: every third of the lease it renews its presence
//! and takes or renews the leader's lease. It leads from the moment it holds the lease (after
//! `on_lead` ran, e.g. to mark its predecessor's syncs interrupted) until a renewal fails to
//! arrive before the lease would have expired, or another replica holds it.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::Leadership;
use crate::store::leases::{presence, LEADER};
use crate::store::Store;

impl Leadership {
    /// Leadership by lease from now on: this replica does not lead until it holds the lease.
    /// Its presence is registered before this returns, so the syncs it runs are never taken
    /// for a departed replica's. `on_lead` runs with the fenced store at the start of every
    /// term, and again at every renewal while it leads (`first` = false), before anything
    /// acts on the term.
    pub async fn campaign<F, Fut>(self: &Arc<Self>, store: Store, lease: Duration, on_lead: F)
    where
        F: Fn(Store, bool) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send,
    {
        self.elected.store(true, Ordering::SeqCst);
        self.publish(None);
        let lease = lease.max(Duration::from_secs(1));
        let ttl_ms = i64::try_from(lease.as_millis()).unwrap_or(i64::MAX);
        if let Err(e) = store
            .acquire_lease(&presence(store.replica()), ttl_ms)
            .await
        {
            tracing::warn!("registering this replica: {e}");
        }
        tracing::info!(
            replica = store.replica(),
            lease_secs = lease.as_secs(),
            "leader election by lease"
        );
        let this = self.clone();
        tokio::spawn(async move {
            let tick = lease / 3;
            // Until when this replica may act on its last successful renewal.
            let mut valid_until: Option<Instant> = None;
            loop {
                if valid_until.is_some_and(|until| until <= Instant::now()) {
                    valid_until = None;
                    this.step_down("nobody (the lease could not be renewed in time)");
                }
                let started = Instant::now();
                let renewed = tokio::time::timeout(tick, async {
                    store
                        .acquire_lease(&presence(store.replica()), ttl_ms)
                        .await?;
                    store.acquire_lease(LEADER, ttl_ms).await
                })
                .await;
                match renewed {
                    Ok(Ok(view)) if view.held => {
                        metrics::gauge!("atrium_engine_lease_token").set(view.token as f64);
                        let first = *this.acting.borrow() != Some(view.token);
                        if first {
                            tracing::info!(
                                replica = store.replica(),
                                token = view.token,
                                "this replica leads now"
                            );
                            metrics::counter!("atrium_engine_lease_changes_total", "change" => "acquired").increment(1);
                        }
                        on_lead(store.fenced(view.token), first).await;
                        // Led only as long as the renewal before `on_lead` holds.
                        if Instant::now() < started + lease {
                            valid_until = Some(started + lease);
                            this.publish(Some(view.token));
                        }
                    }
                    Ok(Ok(view)) => {
                        metrics::gauge!("atrium_engine_lease_token").set(view.token as f64);
                        valid_until = None;
                        this.step_down(&view.holder);
                    }
                    Ok(Err(e)) => tracing::warn!("renewing the leader's lease: {e}"),
                    Err(_) => tracing::warn!(
                        "renewing the leader's lease took longer than {} ms",
                        tick.as_millis()
                    ),
                }
                // Wake at the next renewal, or when the lease would run out, whichever is first.
                let next = valid_until.map_or(started + tick, |until| until.min(started + tick));
                tokio::time::sleep_until(next).await;
            }
        });
    }

    fn step_down(&self, holder: &str) {
        if self.is_leader() {
            tracing::warn!(leader = holder, "this replica no longer leads");
            metrics::counter!("atrium_engine_lease_changes_total", "change" => "lost").increment(1);
        }
        self.publish(None);
    }
}

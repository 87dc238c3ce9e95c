//! `committed` → `syncing` → `healthy` | `degraded` | `failed`: the sync is recorded as
//! started before it runs, run again when a restart interrupted it (unless the sync history
//! shows it finished), and the app's health is followed until it settles or times out.

use std::sync::Arc;
use std::time::Duration;

use atrium_app::dto::deploy::{RequestState, SyncView};

use super::super::Deploys;
use super::{pause_point, InFlight};
use crate::audit::Actor;
use crate::resource::Health;
use crate::store::deploys::{RequestRow, Update};

impl Deploys {
    /// `committed` → `syncing` (recorded first), then the sync, in its own task.
    pub(super) async fn start_sync(
        &self,
        row: &RequestRow,
        in_flight: &Arc<InFlight>,
        again: bool,
    ) {
        let started = SyncView {
            started_at: crate::audit::now(),
            finished_at: None,
            result: "running".into(),
            message: String::new(),
            resources: Vec::new(),
        };
        if !again {
            let update = Update {
                sync_info: serde_json::to_string(&started).ok(),
                ..Update::default()
            };
            if !self
                .move_to(
                    row,
                    &[RequestState::Committed],
                    RequestState::Syncing,
                    "deploys.sync",
                    "syncing",
                    update,
                )
                .await
            {
                return;
            }
        } else {
            let _ = self
                .store
                .set_request_progress(
                    &row.id,
                    serde_json::to_string(&started).ok().as_deref(),
                    None,
                    &started.started_at,
                )
                .await;
            let _ = self
                .store
                .add_request_event(
                    &row.id,
                    RequestState::Syncing,
                    &Actor::system(),
                    "the sync was interrupted (Atrium restarted); syncing again",
                    &started.started_at,
                )
                .await;
        }
        if !in_flight
            .syncing
            .lock()
            .expect("in-flight set")
            .insert(row.id.clone())
        {
            return;
        }
        crate::util::pause_point_async("syncing").await;
        let (this, row, in_flight) = (self.clone(), row.clone(), in_flight.clone());
        tokio::spawn(async move {
            let actor = Actor {
                subject: format!("deploy:{}", row.id),
                name: format!("Atrium for {}", row.requester_name),
                groups: Vec::new(),
            };
            let outcome = this
                .engine
                .sync_app(&row.env, &row.app, actor, &row.id)
                .await;
            let at = crate::audit::now();
            match outcome {
                Ok(outcome) => {
                    pause_point("synced");
                    let mut view = outcome.view;
                    view.finished_at.get_or_insert(at.clone());
                    let _ = this
                        .store
                        .set_request_progress(
                            &row.id,
                            serde_json::to_string(&view).ok().as_deref(),
                            None,
                            &at,
                        )
                        .await;
                    // Synced once: from now on the app is the engine's again (self-heal too).
                    this.engine.claim(&row.env, &row.app, false);
                    // The health that counts is read after the sync: wait for the engine's next
                    // look at the cluster, then follow at once (not at the next tick).
                    let _ = this
                        .engine
                        .await_observed(&row.env, &at, Duration::from_secs(10))
                        .await;
                }
                Err(why) => {
                    this.fail(
                        &row,
                        RequestState::Syncing,
                        &format!("the sync could not run: {why}"),
                    )
                    .await
                }
            }
            in_flight
                .syncing
                .lock()
                .expect("in-flight set")
                .remove(&row.id);
            this.changed(&row.env);
        });
    }

    /// A `syncing` request: run an interrupted sync again, or follow a finished one's health.
    pub(super) async fn follow(&self, row: &RequestRow, in_flight: &Arc<InFlight>) {
        if in_flight
            .syncing
            .lock()
            .expect("in-flight set")
            .contains(&row.id)
        {
            return;
        }
        let sync: Option<SyncView> = row
            .sync_info
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok());
        let sync = match sync.filter(|s| s.finished_at.is_some()) {
            Some(sync) => sync,
            // Killed after the sync ran but before the request heard: the sync history has it.
            None => match self
                .store
                .sync_of_request(&row.env, &row.app, &row.id)
                .await
            {
                Ok(Some(done)) => {
                    let view = SyncView {
                        started_at: done.at.clone(),
                        finished_at: Some(done.at.clone()),
                        result: done.result.clone(),
                        message: done.message.clone(),
                        resources: Vec::new(),
                    };
                    let _ = self
                        .store
                        .set_request_progress(
                            &row.id,
                            serde_json::to_string(&view).ok().as_deref(),
                            None,
                            &done.at,
                        )
                        .await;
                    self.engine.claim(&row.env, &row.app, false);
                    view
                }
                Ok(None) => return self.start_sync(row, in_flight, true).await,
                Err(e) => {
                    return tracing::error!("deploy executor: sync history of {}: {e}", row.id)
                }
            },
        };
        let Some(app) = self.engine.app(&row.env, &row.app) else {
            return self
                .fail(
                    row,
                    RequestState::Syncing,
                    &format!("{} is no longer in {}", row.app, row.env),
                )
                .await;
        };
        let finished = sync.finished_at.clone().unwrap_or_default();
        // Only a status read after the sync finished says anything about it.
        let fresh = app
            .observed_at
            .as_deref()
            .is_some_and(|t| t >= finished.as_str());
        if fresh && row.health.as_deref() != Some(app.health.as_str()) {
            let _ = self
                .store
                .set_request_progress(
                    &row.id,
                    None,
                    Some(app.health.as_str()),
                    &crate::audit::now(),
                )
                .await;
            self.changed(&row.env);
        }
        let (to, detail) = match (fresh, app.health, sync.result.as_str()) {
            (true, Health::Degraded, _) => (
                Some(RequestState::Degraded),
                format!(
                    "degraded: {}",
                    first_line(&app.health_message, "the app is Degraded")
                ),
            ),
            (true, Health::Healthy, "succeeded") => {
                (Some(RequestState::Healthy), "healthy".to_string())
            }
            (true, health, "failed") if health != Health::Progressing => (
                Some(RequestState::Failed),
                format!("the sync failed: {}", sync.message),
            ),
            _ => (None, String::new()),
        };
        if let Some(to) = to {
            let update = Update {
                health: Some(app.health.as_str().to_string()),
                message: (to == RequestState::Failed || to == RequestState::Degraded)
                    .then(|| detail.clone()),
                ..Update::default()
            };
            if self
                .move_to(
                    row,
                    &[RequestState::Syncing],
                    to,
                    "deploys.finish",
                    &detail,
                    update,
                )
                .await
            {
                self.engine.claim(&row.env, &row.app, false);
            }
            return;
        }
        let waited = elapsed_since(&finished);
        if waited > self.settings.health_timeout {
            let message = format!(
                "not healthy {} s after the sync (health: {})",
                self.settings.health_timeout.as_secs(),
                app.health.as_str()
            );
            self.fail(row, RequestState::Syncing, &message).await;
        }
    }
}

fn first_line<'a>(text: &'a str, fallback: &'a str) -> &'a str {
    text.lines()
        .next()
        .filter(|l| !l.trim().is_empty())
        .unwrap_or(fallback)
}

fn elapsed_since(stamp: &str) -> Duration {
    time::OffsetDateTime::parse(stamp, &time::format_description::well_known::Rfc3339)
        .map(|t| {
            (time::OffsetDateTime::now_utc() - t)
                .try_into()
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

//! The executor: carries approved requests out, one sweep at a time, from what is stored —
//! never from memory — so a process killed at any point picks up where it stopped:
//!
//! - `approved`: runs when its window is open and the environment is not frozen (else it
//!   waits, with the reason shown), becoming `committing` with the branch head it starts from;
//! - `committing`: looks for a commit carrying its `Atrium-Request:` trailer after that head
//!   (a crash after the commit finds it), else plans the edit on the head, commits it (moving
//!   the branch only if nobody moved it meanwhile, else planning again) and pushes it to a
//!   remote (a refused push: fetch, plan again, retry; never forced) → `committed`;
//! - `committed`: waits for the engine to render the commit, then `syncing`, recorded before
//!   the sync starts;
//! - `syncing`: a sync that never finished (the process died) runs again; a finished one is
//!   followed to `healthy`, `degraded` or, after the timeout, `failed`.
//!
//! One file per step: this one sweeps and records transitions; [`commit`] writes the
//! commit; [`sync`] syncs and follows the app's health.
//!
//! While a request is under way its app is claimed: the engine does not auto-sync it, so the
//! commit is synced once, by the request.

mod commit;
mod sync;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use atrium_app::dto::deploy::{RequestState, SyncView};
use chrono::Utc;
use git2::Repository;

use super::git_write;
use super::state::{next, Event};
use super::windows::Verdict;
use super::Deploys;
use crate::audit::{outcome, Actor, AuditRecord};
use crate::store::deploys::{RequestFilter, RequestRow, Transition, Update};

/// Attempts at committing when the branch keeps moving under us.
const COMMIT_ATTEMPTS: usize = 5;

pub use crate::util::pause_point;

/// What the executor keeps between sweeps: syncs running in this process.
#[derive(Default)]
pub struct InFlight {
    syncing: Mutex<HashSet<String>>,
}

impl Deploys {
    /// Carry out approved requests until the process ends.
    pub fn spawn_executor(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            let in_flight = Arc::new(InFlight::default());
            loop {
                // Only the leader carries requests out, every write fenced by its lease.
                if let Some(store) = this.leadership.acting_store(&this.store) {
                    this.acting_as(store).sweep(&in_flight).await;
                }
                tokio::select! {
                    _ = tokio::time::sleep(this.settings.tick) => {}
                    _ = this.wake.notified() => {}
                }
            }
        });
    }

    /// After a restart, before the engine's first pass: claim every app a request is carrying
    /// out, so the engine does not auto-sync a commit the request will sync itself.
    pub async fn recover_claims(&self) -> crate::store::Result<()> {
        let active = [
            RequestState::Committing,
            RequestState::Committed,
            RequestState::Syncing,
        ];
        let rows = self
            .store
            .requests(&RequestFilter {
                states: active.to_vec(),
                limit: Some(1000),
                ..RequestFilter::default()
            })
            .await?;
        for row in rows.iter().filter(|r| needs_claim(r)) {
            self.engine.claim(&row.env, &row.app, true);
        }
        Ok(())
    }

    /// One pass over every request that is not finished. Public for tests and benchmarks.
    pub async fn sweep(&self, in_flight: &Arc<InFlight>) {
        if let Err(error) = self.expire().await {
            tracing::error!("deploy executor: expiring requests: {error}");
        }
        let active = [
            RequestState::Approved,
            RequestState::Committing,
            RequestState::Committed,
            RequestState::Syncing,
        ];
        let rows = match self
            .store
            .requests(&RequestFilter {
                states: active.to_vec(),
                limit: Some(1000),
                ..RequestFilter::default()
            })
            .await
        {
            Ok(mut rows) => {
                rows.reverse();
                // An environment the engine has not read yet (just started) waits for its first
                // pass: nothing about its apps is known.
                let ready: HashSet<String> = self
                    .engine
                    .repos()
                    .into_iter()
                    .filter(|r| r.head.is_some())
                    .map(|r| r.env)
                    .collect();
                rows.retain(|r| ready.contains(&r.env));
                rows
            }
            Err(error) => {
                tracing::error!("deploy executor: reading requests: {error}");
                return;
            }
        };
        for row in rows.iter().filter(|r| needs_claim(r)) {
            // The engine must not auto-sync a commit the request is about to sync.
            self.engine.claim(&row.env, &row.app, true);
        }
        let frozen = self.store.freezes().await.unwrap_or_default();
        for row in rows.iter().filter(|r| r.state == RequestState::Approved) {
            let freeze = frozen.iter().find(|f| f.env == row.env);
            self.start(row, freeze).await;
        }
        // Committing: the ones just started too.
        let committing = self.reload(&rows, RequestState::Committing).await;
        for row in &committing {
            self.commit(row).await;
        }
        // Committed: one render per environment, of its latest commit, then a sync per app.
        let committed = self.reload(&rows, RequestState::Committed).await;
        let mut latest: BTreeMap<&str, &str> = BTreeMap::new();
        for row in &committed {
            if let Some(sha) = &row.commit_sha {
                latest.insert(&row.env, sha);
            }
        }
        let mut rendered = HashSet::new();
        for (env, sha) in latest {
            match self
                .engine
                .await_commit(env, sha, self.settings.render_timeout)
                .await
            {
                Ok(()) => {
                    rendered.insert(env.to_string());
                }
                Err(why) => {
                    for row in committed.iter().filter(|r| r.env == env) {
                        let message = format!("the engine did not render the commit: {why}");
                        self.fail(row, RequestState::Committed, &message).await;
                    }
                }
            }
        }
        if !committed.is_empty() {
            pause_point("committed");
        }
        for row in committed.iter().filter(|r| rendered.contains(&r.env)) {
            self.start_sync(row, in_flight, false).await;
        }
        let syncing = self.reload(&rows, RequestState::Syncing).await;
        for row in &syncing {
            self.follow(row, in_flight).await;
        }
    }

    /// The rows now in `state`, re-read (earlier steps of this sweep moved some).
    async fn reload(&self, rows: &[RequestRow], state: RequestState) -> Vec<RequestRow> {
        let mut out = Vec::new();
        for row in rows {
            if let Ok(Some(now)) = self.store.request(&row.id).await {
                if now.state == state {
                    out.push(now);
                }
            }
        }
        out
    }

    async fn expire(&self) -> crate::store::Result<()> {
        let cutoff = crate::audit::stamp(
            time::OffsetDateTime::now_utc()
                - time::Duration::try_from(self.settings.expire_after)
                    .unwrap_or(time::Duration::DAY),
        );
        let stale = self
            .store
            .requests(&RequestFilter {
                states: vec![RequestState::Pending, RequestState::Approved],
                limit: Some(1000),
                ..RequestFilter::default()
            })
            .await?;
        for row in stale.iter().filter(|r| r.created_at < cutoff) {
            let hours = self.settings.expire_after.as_secs() / 3600;
            let message = format!("expired: not carried out within {hours} h of being asked");
            self.move_to(
                row,
                &[row.state],
                RequestState::Expired,
                "deploys.expire",
                &message,
                Update {
                    message: Some(message.clone()),
                    waiting: Some(None),
                    ..Update::default()
                },
            )
            .await;
        }
        Ok(())
    }

    /// `approved` → `committing`, unless a freeze or a window holds it.
    async fn start(&self, row: &RequestRow, freeze: Option<&crate::store::freezes::Freeze>) {
        let hold = match freeze {
            Some(f) => Some(format!("{} is frozen by {}: {}", row.env, f.by, f.reason)),
            None if row.window_override => None,
            None => match self
                .settings
                .policy(&row.env)
                .map(|p| p.window(&row.app, Utc::now()))
            {
                Some(Verdict::Closed { why, .. }) => Some(format!("waiting: {why}")),
                _ => None,
            },
        };
        if let Some(why) = hold {
            return self.wait(row, why).await;
        }
        let base = match self
            .repo(&row.env)
            .map(|repo| git_head(&repo.local, &repo.branch))
        {
            Ok(Ok(base)) => base,
            Ok(Err(e)) | Err(super::DeployError::Repo(e)) => {
                self.fail_approved(
                    row,
                    &format!("the environment's repository could not be read: {e}"),
                )
                .await;
                return;
            }
            Err(e) => {
                self.fail_approved(row, &e.to_string()).await;
                return;
            }
        };
        self.engine.claim(&row.env, &row.app, true);
        self.move_to(
            row,
            &[RequestState::Approved],
            RequestState::Committing,
            "deploys.start",
            &format!("committing on {}", short(&base)),
            Update {
                base_sha: Some(base),
                waiting: Some(None),
                ..Update::default()
            },
        )
        .await;
    }

    /// An approved request that cannot start now waits with the reason shown, and is tried
    /// again at the next sweep (until it expires).
    async fn fail_approved(&self, row: &RequestRow, why: &str) {
        self.wait(row, format!("waiting: {why}")).await;
    }

    /// Show why an approved request waits (written only when the reason changes).
    async fn wait(&self, row: &RequestRow, why: String) {
        if row.waiting.as_deref() != Some(why.as_str()) {
            let _ = self
                .store
                .set_waiting(&row.id, Some(&why), &crate::audit::now())
                .await;
            self.changed(&row.env);
        }
    }

    async fn fail(&self, row: &RequestRow, from: RequestState, why: &str) {
        if self
            .move_to(
                row,
                &[from],
                RequestState::Failed,
                "deploys.fail",
                why,
                Update {
                    message: Some(why.into()),
                    ..Update::default()
                },
            )
            .await
        {
            self.engine.claim(&row.env, &row.app, false);
        }
    }

    /// One transition by the executor, with its timeline entry and audit record.
    async fn move_to(
        &self,
        row: &RequestRow,
        from: &[RequestState],
        to: RequestState,
        action: &str,
        detail: &str,
        update: Update,
    ) -> bool {
        debug_assert!(
            to == RequestState::Failed
                || from
                    .iter()
                    .any(|f| next(*f, event_for(to)).is_ok() || *f == to),
            "{from:?} → {to:?}"
        );
        let actor = Actor::system();
        let object = format!("{}/{}", row.env, row.app);
        let failed = matches!(to, RequestState::Failed | RequestState::Degraded);
        let audit = AuditRecord::new(
            actor.clone(),
            action,
            &object,
            if failed {
                outcome::FAILURE
            } else {
                outcome::SUCCESS
            },
        )
        .with_details(
            serde_json::json!({ "request": row.id, "state": to.as_str(), "detail": detail }),
        );
        let t = Transition {
            id: &row.id,
            from,
            to,
            actor: &actor,
            detail: detail.to_string(),
            audit,
            update,
        };
        match self.store.transition(&t).await {
            Ok(moved) => {
                if moved {
                    tracing::info!(request = %row.id, env = %row.env, app = %row.app, state = to.as_str(), "{detail}");
                    self.changed(&row.env);
                }
                moved
            }
            Err(error) => {
                tracing::error!(request = %row.id, "deploy executor: recording {}: {error}", to.as_str());
                false
            }
        }
    }
}

/// Whether the request still owns its app's next sync: from the start of committing until its
/// own sync has run.
pub(super) fn needs_claim(row: &RequestRow) -> bool {
    match row.state {
        RequestState::Committing | RequestState::Committed => true,
        RequestState::Syncing => row
            .sync_info
            .as_deref()
            .and_then(|t| serde_json::from_str::<SyncView>(t).ok())
            .is_none_or(|s| s.finished_at.is_none()),
        _ => false,
    }
}

fn event_for(to: RequestState) -> Event {
    match to {
        RequestState::Committing => Event::StartCommit,
        RequestState::Committed => Event::Committed,
        RequestState::Syncing => Event::StartSync,
        RequestState::Healthy => Event::Healthy,
        RequestState::Degraded => Event::Degraded,
        RequestState::Expired => Event::Expired,
        RequestState::Cancelled => Event::Cancelled,
        _ => Event::Failed,
    }
}

fn git_head(path: &std::path::Path, branch: &str) -> Result<String, String> {
    let git = Repository::open(path).map_err(|e| e.message().to_string())?;
    git_write::head(&git, branch)
        .map(|o| o.to_string())
        .map_err(|e| e.to_string())
}

pub(super) fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

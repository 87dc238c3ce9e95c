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
//! While a request is under way its app is claimed: the engine does not auto-sync it, so the
//! commit is synced once, by the request.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atrium_app::dto::deploy::{Change, CommitView, RequestState, SyncView};
use chrono::Utc;
use git2::{Oid, Repository};

use super::git_write::{self, CommitSpec, WriteError};
use super::requests::Planned;
use super::state::{next, Event};
use super::windows::Verdict;
use super::Deploys;
use crate::audit::{outcome, Actor, AuditRecord};
use crate::resource::Health;
use crate::store::deploys::{RequestFilter, RequestRow, Transition, Update};

/// Attempts at committing when the branch keeps moving under us.
const COMMIT_ATTEMPTS: usize = 5;

/// The crash tests' pause points: with `ATRIUM_TEST_PAUSE_AT=<point>` the executor stops for
/// good at that point, after touching `ATRIUM_TEST_PAUSE_FILE`, so a test can kill -9 the
/// process exactly there. Unset (always, outside those tests), it does nothing.
pub fn pause_point(point: &str) {
    if std::env::var("ATRIUM_TEST_PAUSE_AT").ok().as_deref() != Some(point) {
        return;
    }
    if let Ok(file) = std::env::var("ATRIUM_TEST_PAUSE_FILE") {
        let _ = std::fs::write(file, point);
    }
    tracing::warn!("paused at {point} (ATRIUM_TEST_PAUSE_AT)");
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

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
                this.sweep(&in_flight).await;
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
            if row.waiting.as_deref() != Some(why.as_str()) {
                let _ = self
                    .store
                    .set_waiting(&row.id, Some(&why), &crate::audit::now())
                    .await;
                self.changed(&row.env);
            }
            return;
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

    /// `committing` → `committed`: exactly one commit carrying the request's trailer.
    async fn commit(&self, row: &RequestRow) {
        pause_point("committing");
        let repo = match self.repo(&row.env) {
            Ok(repo) => repo,
            Err(e) => {
                return self
                    .fail(row, RequestState::Committing, &e.to_string())
                    .await
            }
        };
        let approvers: Vec<(String, String)> = match self.store.request_approvals(&row.id).await {
            Ok(all) => all
                .into_iter()
                .filter(|a| a.decision == "approve")
                .map(|a| (a.approver_name, a.approver_email.unwrap_or_default()))
                .collect(),
            Err(e) => {
                tracing::error!("deploy executor: approvals of {}: {e}", row.id);
                return;
            }
        };
        let this = self.clone();
        let (row_c, repo_c) = (row.clone(), repo.clone());
        let done =
            tokio::task::spawn_blocking(move || this.write_commit(&row_c, &repo_c, &approvers))
                .await;
        match done {
            Ok(Ok(info)) => {
                let sha = info.sha.clone();
                let files = info.files.clone();
                let update = Update {
                    commit_sha: Some(sha.clone()),
                    commit_info: serde_json::to_string(&info).ok(),
                    ..Update::default()
                };
                let detail = format!(
                    "committed {} ({} file{})",
                    short(&sha),
                    files.len(),
                    if files.len() == 1 { "" } else { "s" }
                );
                self.move_to(
                    row,
                    &[RequestState::Committing],
                    RequestState::Committed,
                    "deploys.commit",
                    &detail,
                    update,
                )
                .await;
            }
            Ok(Err(why)) => self.fail(row, RequestState::Committing, &why).await,
            Err(e) => tracing::error!("deploy executor: commit task of {}: {e}", row.id),
        }
    }

    /// The Git side of committing (blocking). The commit's view on success; why not otherwise.
    fn write_commit(
        &self,
        row: &RequestRow,
        repo: &super::ports::EnvRepo,
        approvers: &[(String, String)],
    ) -> Result<CommitView, String> {
        let change: Change = serde_json::from_str(&row.change)
            .map_err(|e| format!("stored change unreadable: {e}"))?;
        let app = self
            .engine
            .app(&row.env, &row.app)
            .ok_or_else(|| format!("{} is no longer in {}", row.app, row.env))?;
        let summary_line = |planned: &Planned| planned.summary.clone();
        for _ in 0..COMMIT_ATTEMPTS {
            if let Some(url) = &repo.remote {
                crate::gitops::mirror::fetch(url, &repo.local)?;
            }
            let git = Repository::open(&repo.local).map_err(|e| e.message().to_string())?;
            let base = row.base_sha.as_deref().and_then(|s| Oid::from_str(s).ok());
            if let Some(done) = git_write::find_request_commit(&git, &repo.branch, base, &row.id)
                .map_err(|e| e.to_string())?
            {
                // Committed before a crash (and pushed, since the fetch brought it back).
                return commit_view(&git, done);
            }
            let head = git_write::head(&git, &repo.branch).map_err(|e| e.to_string())?;
            let planned = self
                .plan(repo, &app, &change, Some(&head.to_string()))
                .map_err(|e| e.to_string())?;
            if planned.edits.is_empty() {
                return Err(format!(
                    "nothing to change any more: {} already has it (at {})",
                    repo.branch,
                    short(&head.to_string())
                ));
            }
            let (name, email) = (
                &row.requester_name,
                row.requester_email
                    .clone()
                    .unwrap_or_else(|| format!("{}@users.atrium.invalid", row.requester_subject)),
            );
            let message =
                git_write::message(&summary_line(&planned), &row.reason, &row.id, approvers);
            let spec = CommitSpec {
                branch: &repo.branch,
                edits: &planned.edits,
                message: &message,
                author: (name, &email),
                committer: (&self.settings.committer.0, &self.settings.committer.1),
            };
            let oid = match git_write::commit_on(&git, head, &spec) {
                Ok(oid) => oid,
                Err(WriteError::Moved { .. }) => continue,
                Err(e) => return Err(e.to_string()),
            };
            pause_point("committed-in-git");
            if let Some(url) = &repo.remote {
                match git_write::push(&git, url, &repo.branch) {
                    Ok(()) => {}
                    Err(WriteError::Rejected(_)) => continue,
                    Err(e) => return Err(format!("pushing to {url}: {e}")),
                }
            }
            return commit_view(&git, oid);
        }
        Err(format!(
            "the branch kept moving: {COMMIT_ATTEMPTS} attempts to commit on {} failed",
            repo.branch
        ))
    }

    /// `committed` → `syncing` (recorded first), then the sync, in its own task.
    async fn start_sync(&self, row: &RequestRow, in_flight: &Arc<InFlight>, again: bool) {
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
        pause_point("syncing");
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
    async fn follow(&self, row: &RequestRow, in_flight: &Arc<InFlight>) {
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

    /// An approved request that cannot start now waits with the reason shown, and is tried
    /// again at the next sweep (until it expires).
    async fn fail_approved(&self, row: &RequestRow, why: &str) {
        let why = format!("waiting: {why}");
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
fn needs_claim(row: &RequestRow) -> bool {
    match row.state {
        RequestState::Committing | RequestState::Committed => true,
        RequestState::Syncing => !row
            .sync_info
            .as_deref()
            .and_then(|t| serde_json::from_str::<SyncView>(t).ok())
            .is_some_and(|s| s.finished_at.is_some()),
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

/// The commit as the request page shows it: author, message, files, the YAML diff.
fn commit_view(git: &Repository, oid: Oid) -> Result<CommitView, String> {
    let err = |e: git2::Error| e.message().to_string();
    let commit = git.find_commit(oid).map_err(err)?;
    let tree = commit.tree().map_err(err)?;
    let parent = commit.parent(0).ok().and_then(|p| p.tree().ok());
    let delta = git
        .diff_tree_to_tree(parent.as_ref(), Some(&tree), None)
        .map_err(err)?;
    let mut files = Vec::new();
    let mut diff = String::new();
    for d in delta.deltas() {
        let path = d
            .new_file()
            .path()
            .or(d.old_file().path())
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        let read = |id: Oid| {
            git.find_blob(id)
                .ok()
                .map(|b| String::from_utf8_lossy(b.content()).into_owned())
                .unwrap_or_default()
        };
        let old = if d.old_file().id().is_zero() {
            String::new()
        } else {
            read(d.old_file().id())
        };
        let new = if d.new_file().id().is_zero() {
            String::new()
        } else {
            read(d.new_file().id())
        };
        let text = similar::TextDiff::from_lines(&old, &new);
        diff.push_str(
            &text
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{path}"), &format!("b/{path}"))
                .to_string(),
        );
        files.push(path);
    }
    let author = commit.author();
    Ok(CommitView {
        sha: oid.to_string(),
        author: format!(
            "{} <{}>",
            author.name().unwrap_or_default(),
            author.email().unwrap_or_default()
        ),
        message: commit.message().unwrap_or_default().to_string(),
        files,
        diff,
        url: None,
    })
}

fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
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

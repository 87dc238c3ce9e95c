//! `committing` → `committed`: exactly one commit carrying the request's trailer, found
//! again after a crash, moved onto the branch by compare-and-swap, pushed without force.

use atrium_app::dto::deploy::{Change, CommitView, RequestState};
use git2::{Oid, Repository};

use super::super::git_write::{self, CommitSpec, WriteError};
use super::super::requests::Planned;
use super::super::Deploys;
use super::{pause_point, short, COMMIT_ATTEMPTS};
use crate::store::deploys::{RequestRow, Update};

impl Deploys {
    /// `committing` → `committed`: exactly one commit carrying the request's trailer.
    pub(super) async fn commit(&self, row: &RequestRow) {
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
        // A Git commit is outside the database's transactions: an ex-leader checks its lease
        // just before, narrowing the window to the commit itself (whose trailer its successor
        // finds, so it is never made twice).
        if let Err(e) = self.store.check_fence().await {
            return tracing::warn!(request = %row.id, "not committing: {e}");
        }
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
        repo: &super::super::ports::EnvRepo,
        approvers: &[(String, String)],
    ) -> Result<CommitView, String> {
        let change: Change = serde_json::from_str(&row.change)
            .map_err(|e| format!("stored change unreadable: {e}"))?;
        let app = self
            .engine
            .app(&row.env, &row.app)
            .ok_or_else(|| format!("{} is no longer in {}", row.app, row.env))?;
        let summary_line = |planned: &Planned| planned.summary.clone();
        let remotes = self.engine.remotes();
        for _ in 0..COMMIT_ATTEMPTS {
            if let Some(url) = &repo.remote {
                crate::gitops::mirror::fetch(&remotes, url, &repo.local)?;
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
                match git_write::push(&remotes, &git, url, &repo.branch) {
                    Ok(()) => {}
                    Err(WriteError::Rejected(_)) => continue,
                    Err(e) => {
                        // Unpushed, the commit must not be what the engine renders from the
                        // mirror while the remote is unreachable: the branch goes back.
                        let _ = git.reference_matching(
                            &format!("refs/heads/{}", repo.branch),
                            head,
                            true,
                            oid,
                            "atrium: push failed",
                        );
                        let url = crate::gitremote::scrub::userinfo(url);
                        return Err(format!("pushing to {url}: {e}"));
                    }
                }
            }
            return commit_view(&git, oid);
        }
        Err(format!(
            "the branch kept moving: {COMMIT_ATTEMPTS} attempts to commit on {} failed",
            repo.branch
        ))
    }
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
        diff.push_str(&crate::deploy::file_diff::file_diff(&path, &old, &new));
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

//! The deploy's Git write path: through libgit2 (no work tree), one commit on the
//! environment branch, moved only if the branch still points where the edit was planned
//! (compare-and-swap, never a reset or a force), with the request id as a trailer that makes
//! the commit findable after a crash; and the push of that commit when the repository is a
//! remote one (through [`Remotes`], with the push credential).

use git2::build::TreeUpdateBuilder;
use git2::{FileMode, Oid, Repository, Signature};

use super::edit::FileEdit;
use crate::gitremote::{RemoteError, Remotes};

/// The trailer naming the request a commit carries out (the idempotency key).
pub const REQUEST_TRAILER: &str = "Atrium-Request";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    /// Someone else moved the branch since the edit was planned.
    #[error("the branch moved to {now} while the change was being written")]
    Moved { now: String },
    /// The remote refused a fast-forward push: someone else pushed first.
    #[error("the remote refused the push: {0}")]
    Rejected(String),
    #[error("{0}")]
    Git(String),
}

fn git(e: git2::Error) -> WriteError {
    WriteError::Git(e.message().to_string())
}

/// Who and why, for the commit.
pub struct CommitSpec<'a> {
    pub branch: &'a str,
    pub edits: &'a [FileEdit],
    pub message: &'a str,
    /// The requester: name and e-mail.
    pub author: (&'a str, &'a str),
    /// Atrium.
    pub committer: (&'a str, &'a str),
}

/// The commit message: a summary line, the reason, and the trailers.
pub fn message(
    summary: &str,
    reason: &str,
    request_id: &str,
    approvers: &[(String, String)],
) -> String {
    let mut text = format!(
        "{}\n\n{}\n\n{REQUEST_TRAILER}: {request_id}\n",
        one_line(summary),
        reason.trim()
    );
    for (name, email) in approvers {
        text.push_str(&format!(
            "Approved-by: {} <{}>\n",
            one_line(name),
            one_line(email)
        ));
    }
    text
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Commits `spec.edits` on top of `parent` and moves the branch to it, only if the branch
/// still points at `parent` ([`WriteError::Moved`] otherwise: plan again on the new head).
pub fn commit_on(repo: &Repository, parent: Oid, spec: &CommitSpec<'_>) -> Result<Oid, WriteError> {
    let refname = format!("refs/heads/{}", spec.branch);
    let parent_commit = repo.find_commit(parent).map_err(git)?;
    let base_tree = parent_commit.tree().map_err(git)?;
    let mut update = TreeUpdateBuilder::new();
    for edit in spec.edits {
        match &edit.content {
            Some(bytes) => {
                let blob = repo.blob(bytes).map_err(git)?;
                update.upsert(edit.path.as_str(), blob, FileMode::Blob);
            }
            None => {
                update.remove(edit.path.as_str());
            }
        }
    }
    let tree = repo
        .find_tree(update.create_updated(repo, &base_tree).map_err(git)?)
        .map_err(git)?;
    let author = Signature::now(spec.author.0, spec.author.1).map_err(git)?;
    let committer = Signature::now(spec.committer.0, spec.committer.1).map_err(git)?;
    // Written unattached first, then the branch is moved by compare-and-swap.
    let oid = repo
        .commit(
            None,
            &author,
            &committer,
            spec.message,
            &tree,
            &[&parent_commit],
        )
        .map_err(git)?;
    match repo.reference_matching(
        &refname,
        oid,
        true,
        parent,
        spec.message.lines().next().unwrap_or(""),
    ) {
        Ok(_) => Ok(oid),
        Err(e)
            if e.code() == git2::ErrorCode::Modified
                || e.class() == git2::ErrorClass::Reference =>
        {
            let now = head(repo, spec.branch)
                .map(|o| o.to_string())
                .unwrap_or_default();
            if now == parent.to_string() {
                Err(git(e))
            } else {
                Err(WriteError::Moved { now })
            }
        }
        Err(e) => Err(git(e)),
    }
}

/// The commit the branch points at.
pub fn head(repo: &Repository, branch: &str) -> Result<Oid, WriteError> {
    repo.find_reference(&format!("refs/heads/{branch}"))
        .and_then(|r| r.peel_to_commit())
        .map(|c| c.id())
        .map_err(git)
}

/// The commit on `branch` after `since` (exclusive; the whole history when `None`) carrying
/// `Atrium-Request: <request_id>`, newest first.
pub fn find_request_commit(
    repo: &Repository,
    branch: &str,
    since: Option<Oid>,
    request_id: &str,
) -> Result<Option<Oid>, WriteError> {
    let mut walk = repo.revwalk().map_err(git)?;
    walk.push(head(repo, branch)?).map_err(git)?;
    if let Some(since) = since {
        // A base that is no longer in the history (rewritten remote) hides nothing.
        let _ = walk.hide(since);
    }
    let wanted = format!("{REQUEST_TRAILER}: {request_id}");
    for oid in walk {
        let oid = oid.map_err(git)?;
        let commit = repo.find_commit(oid).map_err(git)?;
        let message = commit.message_raw().unwrap_or_default();
        if message.lines().any(|line| line.trim() == wanted) {
            return Ok(Some(oid));
        }
    }
    Ok(None)
}

/// `revision` (a full or abbreviated SHA) as a commit of `branch`'s history, else `None`.
pub fn commit_in_history(
    repo: &Repository,
    branch: &str,
    revision: &str,
) -> Result<Option<Oid>, WriteError> {
    let revision = revision.trim();
    let is_sha =
        (4..=40).contains(&revision.len()) && revision.chars().all(|c| c.is_ascii_hexdigit());
    if !is_sha {
        return Ok(None);
    }
    let Ok(commit) = repo
        .revparse_single(revision)
        .and_then(|o| o.peel_to_commit())
    else {
        return Ok(None);
    };
    let tip = head(repo, branch)?;
    if tip == commit.id() || repo.graph_descendant_of(tip, commit.id()).map_err(git)? {
        Ok(Some(commit.id()))
    } else {
        Ok(None)
    }
}

/// Pushes `branch` to `url` as a fast-forward (never forced). A refused update (someone else
/// pushed first) is [`WriteError::Rejected`].
pub fn push(
    remotes: &Remotes,
    repo: &Repository,
    url: &str,
    branch: &str,
) -> Result<(), WriteError> {
    match remotes.push(url, repo.path(), branch) {
        Ok(()) => Ok(()),
        Err(RemoteError::Rejected(why)) => Err(WriteError::Rejected(why)),
        Err(RemoteError::Failed(why)) => Err(WriteError::Git(why)),
    }
}

#[cfg(test)]
#[path = "git_write_tests.rs"]
mod tests;

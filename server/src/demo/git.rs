//! Committing files straight into a Git repository (bare or not) without a work tree: how the
//! embedded default seeds its demo repos, and how tests change them.

use std::path::Path;

use git2::build::TreeUpdateBuilder;
use git2::{FileMode, Oid, Repository, Signature};

/// One change: write `content` at `path`, or delete `path` when `content` is `None`.
pub type FileChange<'a> = (&'a str, Option<&'a [u8]>);

/// Open the repository at `path`, creating a bare one with `HEAD` on `branch` if absent.
pub fn open_or_init(path: &Path, branch: &str) -> Result<Repository, git2::Error> {
    match Repository::open(path) {
        Ok(repo) => Ok(repo),
        Err(_) => {
            let repo = Repository::init_bare(path)?;
            // init_bare leaves HEAD on master; the demo and the docs say main.
            repo.set_head(&format!("refs/heads/{branch}"))?;
            Ok(repo)
        }
    }
}

/// Commit `changes` on top of `branch` (or as its first commit) and move the branch.
pub fn commit_files(
    repo: &Repository,
    branch: &str,
    changes: &[FileChange<'_>],
    message: &str,
    author: (&str, &str),
) -> Result<Oid, git2::Error> {
    let refname = format!("refs/heads/{branch}");
    let parent = repo
        .find_reference(&refname)
        .ok()
        .and_then(|r| r.peel_to_commit().ok());
    let base_tree = match &parent {
        Some(commit) => commit.tree()?,
        None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
    };
    let mut update = TreeUpdateBuilder::new();
    for (path, content) in changes {
        match content {
            Some(bytes) => {
                let blob = repo.blob(bytes)?;
                update.upsert(*path, blob, FileMode::Blob);
            }
            None => {
                update.remove(*path);
            }
        }
    }
    let tree = repo.find_tree(update.create_updated(repo, &base_tree)?)?;
    let signature = Signature::now(author.0, author.1)?;
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(
        Some(&refname),
        &signature,
        &signature,
        message,
        &tree,
        &parents,
    )
}

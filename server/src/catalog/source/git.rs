//! Git access: open a local repository or keep a bare fetch cache of a remote one (fetched
//! through [`Remotes`], with the configured credentials), and list the tree of a branch head
//! through libgit2 (no work tree).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use git2::{ObjectType, Oid, Reference, Repository, TreeWalkMode, TreeWalkResult};
use sha2::{Digest, Sha256};

use crate::gitremote::Remotes;

/// A branch of a repository could not be read. Names both, since the message ends up on the
/// Catalog errors page far from the configuration.
#[derive(Debug, thiserror::Error)]
#[error("cannot read branch \"{branch}\" of {url}: {problem}")]
pub struct GitError {
    pub url: String,
    pub branch: String,
    #[source]
    pub problem: GitProblem,
}

#[derive(Debug, thiserror::Error)]
pub enum GitProblem {
    #[error("not a valid branch name")]
    InvalidBranch,
    #[error("no repository there ({0})")]
    Open(String),
    #[error("fetch into {cache} failed ({message})")]
    Fetch { cache: String, message: String },
    #[error("no such branch")]
    NoBranch,
    #[error("{0}")]
    Read(String),
}

/// Files of a commit: path → blob id.
pub(crate) type Files = BTreeMap<String, Oid>;

/// True for what must be cloned rather than opened in place.
pub(crate) fn is_url(location: &str) -> bool {
    location.contains("://") || location.starts_with("git@")
}

/// Opens (or fetches) the repository and lists the tree at the head of `branch`.
pub(crate) fn read_branch(
    url: &str,
    branch: &str,
    cache_dir: &Path,
    remotes: &Remotes,
) -> Result<(Repository, String, Files), GitError> {
    let fail = |problem| GitError {
        url: crate::gitremote::scrub::userinfo(url),
        branch: branch.to_string(),
        problem,
    };
    // Checked before any I/O: a name like `main..x` or `-x` would otherwise reach refspecs.
    if branch.is_empty() || !Reference::is_valid_name(&format!("refs/heads/{branch}")) {
        return Err(fail(GitProblem::InvalidBranch));
    }
    let (repo, refname) = if is_url(url) {
        (
            fetch_cache(url, cache_dir, remotes).map_err(fail)?,
            format!("refs/remotes/origin/{branch}"),
        )
    } else {
        (
            open_local(url).map_err(fail)?,
            format!("refs/heads/{branch}"),
        )
    };
    let (commit, files) = {
        let reference = match repo.find_reference(&refname) {
            Ok(r) => r,
            Err(e) if e.code() == git2::ErrorCode::NotFound => {
                return Err(fail(GitProblem::NoBranch))
            }
            Err(e) => return Err(fail(GitProblem::Read(e.message().to_string()))),
        };
        let commit = reference
            .peel_to_commit()
            .map_err(|e| fail(GitProblem::Read(e.message().to_string())))?;
        let tree = commit
            .tree()
            .map_err(|e| fail(GitProblem::Read(e.message().to_string())))?;
        let mut files = Files::new();
        tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob) {
                if let Ok(name) = entry.name() {
                    files.insert(format!("{dir}{name}"), entry.id());
                }
            }
            TreeWalkResult::Ok
        })
        .map_err(|e| fail(GitProblem::Read(e.message().to_string())))?;
        (commit.id().to_string(), files)
    };
    Ok((repo, commit, files))
}

/// The branch HEAD points at: the local repository's, or the remote's default branch.
pub(crate) fn head_branch(url: &str, remotes: &Remotes) -> Result<String, GitError> {
    let fail = |problem| GitError {
        url: crate::gitremote::scrub::userinfo(url),
        branch: "HEAD".to_string(),
        problem,
    };
    let target = if is_url(url) {
        remotes
            .default_branch(url)
            .map_err(|e| fail(GitProblem::Read(e.to_string())))?
            .map(|branch| format!("refs/heads/{branch}"))
    } else {
        let repo = open_local(url).map_err(fail)?;
        let head = repo
            .find_reference("HEAD")
            .map_err(|e| fail(GitProblem::Read(e.message().to_string())))?;
        head.symbolic_target().ok().flatten().map(str::to_string)
    };
    target
        .and_then(|t| t.strip_prefix("refs/heads/").map(str::to_string))
        .ok_or_else(|| fail(GitProblem::NoBranch))
}

/// A local repository, bare or not; never searches parent directories (that would silently
/// read an enclosing repository).
fn open_local(path: &str) -> Result<Repository, GitProblem> {
    Repository::open_ext(
        path,
        git2::RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&str>(),
    )
    .map_err(|e| GitProblem::Open(e.message().to_string()))
}

/// The bare cache of a remote repository, created on first use, fetched on every call. A
/// failed fetch leaves the cache as it was: the last good commit stays readable.
pub(super) fn fetch_cache(
    url: &str,
    cache_dir: &Path,
    remotes: &Remotes,
) -> Result<Repository, GitProblem> {
    let path = cache_path(url, cache_dir);
    let cache = path.display().to_string();
    let fetch_err = |message: String| GitProblem::Fetch {
        cache: cache.clone(),
        message,
    };
    let repo = if path.exists() {
        Repository::open_bare(&path).map_err(|e| fetch_err(e.message().to_string()))?
    } else {
        std::fs::create_dir_all(cache_dir).map_err(|e| fetch_err(e.to_string()))?;
        Repository::init_bare(&path).map_err(|e| fetch_err(e.message().to_string()))?
    };
    remotes
        .fetch(url, &path, &["+refs/heads/*:refs/remotes/origin/*"])
        .map_err(|e| fetch_err(e.to_string()))?;
    Ok(repo)
}

/// One cache directory per URL; hashed so any URL gives a safe directory name.
pub(crate) fn cache_path(url: &str, cache_dir: &Path) -> PathBuf {
    let digest = hex::encode(Sha256::digest(url.as_bytes()));
    cache_dir.join(format!("{}.git", &digest[..16]))
}

//! Files read through catalog URLs (`url` Location targets, placeholder URLs): the repository
//! is mirrored bare in the cache directory and fetched once per refresh through [`Remotes`]
//! (the configured credentials), as Git sources are; the file is then read from the branch head
//! with libgit2. Only repositories `catalog.allowed_urls` (or the source itself) names are
//! fetched. A failed fetch reads what was fetched last and says so.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

use git2::{ObjectType, Oid, Reference, Repository};

use super::git::{fetch_cache, GitProblem};
use super::url::{GitUrl, UrlAllow};
use crate::catalog::reader::MAX_FILE_BYTES;
use crate::gitremote::{scrub, Remotes};

/// Distinct repositories one refresh of a source may fetch: each is a clone, and a catalog
/// file naming hundreds is a mistake or an attack.
pub const MAX_REMOTE_REPOS: usize = 16;

/// A located remote file.
#[derive(Clone, Debug)]
pub(crate) struct RemoteFile {
    /// The file's URL in canonical form: its key in the snapshot and its `file` on entities.
    pub key: String,
    /// The repository it is read from (a [`GitUrl::repo`]).
    pub repo: String,
    pub blob: Oid,
    /// A fetch problem when the file was read from the last fetched commit instead.
    pub stale: Option<String>,
}

/// Where a located key came from, to resolve paths relative to it.
struct Origin {
    url: GitUrl,
    branch: String,
    path: String,
}

struct Mirror {
    repo: Repository,
    stale: Option<String>,
}

/// The remote side of one refresh: mirrors fetched so far and files located.
pub(crate) struct RemoteReader<'a> {
    cache_dir: &'a Path,
    remotes: &'a Remotes,
    allow: &'a UrlAllow,
    /// The source's own repository (always allowed), for Git sources given by URL.
    own: Option<String>,
    mirrors: RefCell<HashMap<String, Result<Mirror, String>>>,
    located: RefCell<HashMap<String, Origin>>,
}

impl<'a> RemoteReader<'a> {
    pub fn new(
        cache_dir: &'a Path,
        remotes: &'a Remotes,
        allow: &'a UrlAllow,
        own: Option<String>,
    ) -> Self {
        Self {
            cache_dir,
            remotes,
            allow,
            own,
            mirrors: RefCell::default(),
            located: RefCell::default(),
        }
    }

    /// Whether `target`'s repository may be fetched (false for what does not parse too).
    pub fn allows(&self, target: &str) -> bool {
        GitUrl::parse(target).is_ok_and(|u| self.allowed(&u.repo))
    }

    fn allowed(&self, repo: &str) -> bool {
        self.own.as_deref() == Some(repo) || self.allow.allows(repo)
    }

    /// Parses `target`, checks it is allowed, fetches its repository (once per refresh) and
    /// finds the file on the branch. The error is the reason in words, without the target.
    pub fn locate(&self, target: &str) -> Result<RemoteFile, String> {
        let url = GitUrl::parse(target)?;
        if !self.allowed(&url.repo) {
            return Err(format!(
                "{} is not in catalog.allowed_urls (only repositories listed there are fetched)",
                url.repo
            ));
        }
        let mut mirrors = self.mirrors.borrow_mut();
        if !mirrors.contains_key(&url.repo) && mirrors.len() >= MAX_REMOTE_REPOS {
            return Err(format!(
                "more than {MAX_REMOTE_REPOS} repositories named by URL in one source"
            ));
        }
        let mirror = mirrors
            .entry(url.repo.clone())
            .or_insert_with(|| self.mirror(&url.repo))
            .as_ref()
            .map_err(Clone::clone)?;
        let (branch, commit) = find_branch(&mirror.repo, &url.rest).ok_or_else(|| {
            let stale = mirror
                .stale
                .as_deref()
                .map_or(String::new(), |s| format!("; {s}"));
            format!("{} has no branch \"{}\"{stale}", url.repo, url.rest[0])
        })?;
        let path = url.rest[branch.split('/').count()..].join("/");
        let blob = find_blob(&mirror.repo, commit, &path)
            .map_err(|why| format!("{path} on branch \"{branch}\" of {}: {why}", url.repo))?;
        let key = url.at(&branch, &path);
        let stale = mirror.stale.clone();
        let repo = url.repo.clone();
        drop(mirrors);
        self.located
            .borrow_mut()
            .insert(key.clone(), Origin { url, branch, path });
        Ok(RemoteFile {
            key,
            repo,
            blob,
            stale,
        })
    }

    /// The URL of `target` (a path relative to the located file `key`), when `key` is remote.
    pub fn relative(&self, key: &str, target: &str) -> Option<Result<String, String>> {
        let located = self.located.borrow();
        let origin = located.get(key)?;
        let dir = origin.path.rsplit_once('/').map_or("", |(dir, _)| dir);
        Some(
            super::tree::normalize(dir, target)
                .map(|path| origin.url.at(&origin.branch, &path))
                .ok_or_else(|| "the path leaves the repository".to_string()),
        )
    }

    /// The content of a located file's blob.
    pub fn read(&self, file: &RemoteFile) -> Result<Vec<u8>, String> {
        let mirrors = self.mirrors.borrow();
        let Some(Ok(mirror)) = mirrors.get(&file.repo) else {
            return Err(format!("{} was not fetched", file.repo));
        };
        let blob = mirror
            .repo
            .find_blob(file.blob)
            .map_err(|e| e.message().to_string())?;
        Ok(blob.content().to_vec())
    }

    /// The mirror of `repo`, fetched now; a failed fetch still gives what was fetched before.
    fn mirror(&self, repo: &str) -> Result<Mirror, String> {
        match fetch_cache(repo, self.cache_dir, self.remotes) {
            Ok(repo) => Ok(Mirror { repo, stale: None }),
            Err(problem) => {
                let problem = match problem {
                    GitProblem::Fetch { message, .. } => message,
                    other => other.to_string(),
                };
                let why = scrub::userinfo(&format!("fetching {repo} failed: {problem}"));
                let path = super::git::cache_path(repo, self.cache_dir);
                match Repository::open_bare(path) {
                    Ok(repo) if has_branches(&repo) => Ok(Mirror {
                        repo,
                        stale: Some(format!("{why} (read the last fetched commit)")),
                    }),
                    _ => Err(why),
                }
            }
        }
    }
}

fn has_branches(repo: &Repository) -> bool {
    repo.references_glob("refs/remotes/origin/*")
        .is_ok_and(|mut refs| refs.next().is_some())
}

/// The branch `rest` starts with, and its head. Git cannot hold both `a` and `a/b` as
/// branches, so at most one split of `rest` names one; a full commit id is also accepted.
fn find_branch(repo: &Repository, rest: &[String]) -> Option<(String, Oid)> {
    (1..rest.len()).find_map(|n| {
        let branch = rest[..n].join("/");
        let name = format!("refs/remotes/origin/{branch}");
        if !Reference::is_valid_name(&format!("refs/heads/{branch}")) {
            return None;
        }
        let found = repo.find_reference(&name).and_then(|r| r.peel_to_commit());
        if let Ok(commit) = found {
            return Some((branch, commit.id()));
        }
        let full_id = n == 1 && branch.len() == 40 && branch.bytes().all(|b| b.is_ascii_hexdigit());
        full_id
            .then(|| Oid::from_str(&branch).ok())
            .flatten()
            .and_then(|oid| repo.find_commit(oid).ok())
            .map(|commit| (branch, commit.id()))
    })
}

/// The blob at `path` of `commit`: a regular file no larger than the reading limit.
fn find_blob(repo: &Repository, commit: Oid, path: &str) -> Result<Oid, String> {
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .map_err(|e| e.message().to_string())?;
    let entry = tree
        .get_path(Path::new(path))
        .map_err(|_| "no such file".to_string())?;
    // 0o120000 is a symbolic link: its "content" is a path, never followed.
    if entry.kind() != Some(ObjectType::Blob) || entry.filemode() == 0o120000 {
        return Err("not a file".into());
    }
    let (size, _) = repo
        .odb()
        .and_then(|odb| odb.read_header(entry.id()))
        .map_err(|e| e.message().to_string())?;
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "larger than the {} MB limit",
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    Ok(entry.id())
}

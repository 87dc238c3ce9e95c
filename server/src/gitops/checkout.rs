//! A source at a revision, read without a work tree: a Git repository (bare or not) read
//! through libgit2 at a branch, tag, commit SHA or `HEAD`, or a plain directory read as it is.
//! Only Kustomize and Helm need files on disk; they get a copy written to a temp dir.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::path::{Component, Path};

use git2::{ObjectType, Oid, Repository, TreeWalkMode, TreeWalkResult};

/// Larger manifest files are refused: nothing that big is a Kubernetes manifest.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;
/// Guards the copy made for Kustomize/Helm against a huge repository.
const MAX_MATERIALIZED_FILES: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckoutError {
    #[error("no Git repository or directory at {0}")]
    NotFound(String),
    #[error("revision {revision:?} not found in {repo}")]
    NoRevision { repo: String, revision: String },
    #[error("path {0:?} leaves the repository")]
    UnsafePath(String),
    #[error("path {0:?} does not exist at this revision")]
    NoPath(String),
    #[error("{path}: file is larger than {} MB", MAX_FILE_BYTES / (1024 * 1024))]
    TooLarge { path: String },
    #[error("{0}")]
    Io(String),
}

type Result<T, E = CheckoutError> = std::result::Result<T, E>;

/// A repository opened at one resolved revision.
pub enum Checkout {
    Git {
        repo: Repository,
        commit: Oid,
        location: String,
        /// Every blob of the commit by path, read once on first use. Resolving each path from
        /// the root tree instead re-reads every tree on the way (libgit2 caches only trees
        /// under 4 KiB), which for 2,000 apps in one directory was most of a render.
        files: OnceCell<Result<BTreeMap<String, GitFile>>>,
    },
    Dir {
        root: std::path::PathBuf,
    },
}

impl Checkout {
    /// Opens `location` (a Git repository, else a directory) at `revision`. A plain directory
    /// has no revisions and is read as it is, whatever `revision` says.
    pub fn open(location: &Path, revision: &str) -> Result<Checkout> {
        let shown = location.display().to_string();
        match Repository::open_ext(
            location,
            git2::RepositoryOpenFlags::NO_SEARCH,
            std::iter::empty::<&str>(),
        ) {
            Ok(repo) => {
                let commit =
                    resolve_revision(&repo, revision).ok_or_else(|| CheckoutError::NoRevision {
                        repo: shown.clone(),
                        revision: revision.to_string(),
                    })?;
                Ok(Checkout::Git {
                    repo,
                    commit,
                    location: shown,
                    files: OnceCell::new(),
                })
            }
            Err(_) if location.is_dir() => Ok(Checkout::Dir {
                root: location.to_path_buf(),
            }),
            Err(_) => Err(CheckoutError::NotFound(shown)),
        }
    }

    /// The resolved commit (none for a plain directory).
    pub fn sha(&self) -> Option<String> {
        match self {
            Checkout::Git { commit, .. } => Some(commit.to_string()),
            Checkout::Dir { .. } => None,
        }
    }

    /// Every file below `dir` (repo-relative, `/`-separated, sorted); `dir` must exist.
    pub fn files_under(&self, dir: &str) -> Result<Vec<String>> {
        let dir = clean_path(dir)?;
        let mut files = Vec::new();
        match self {
            Checkout::Git { .. } => {
                let index = self.git_files()?;
                let prefix = if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                let mut any = dir.is_empty();
                for (path, file) in index.range(prefix.clone()..) {
                    if !path.starts_with(&prefix) {
                        break;
                    }
                    any = true;
                    // Symlinks are not manifests.
                    if !file.link {
                        files.push(path.clone());
                    }
                }
                if !any {
                    return Err(CheckoutError::NoPath(dir));
                }
            }
            Checkout::Dir { root } => {
                let start = inside_dir(root, &dir)?;
                if !start.is_dir() {
                    return Err(CheckoutError::NoPath(dir));
                }
                walk_dir(&start, &dir, &mut files)?;
            }
        }
        files.sort();
        Ok(files)
    }

    /// Whether `path` is a file at this revision.
    pub fn is_file(&self, path: &str) -> bool {
        let Ok(path) = clean_path(path) else {
            return false;
        };
        match self {
            Checkout::Git { .. } => self
                .git_files()
                .is_ok_and(|index| index.contains_key(&path)),
            Checkout::Dir { root } => inside_dir(root, &path).is_ok_and(|p| p.is_file()),
        }
    }

    /// The bytes of one file.
    pub fn read(&self, path: &str) -> Result<Vec<u8>> {
        let path = clean_path(path)?;
        let bytes = match self {
            Checkout::Git { repo, .. } => {
                let file = self
                    .git_files()?
                    .get(&path)
                    .ok_or_else(|| CheckoutError::NoPath(path.clone()))?;
                let blob = repo
                    .find_blob(file.id)
                    .map_err(|_| CheckoutError::NoPath(path.clone()))?;
                if blob.size() > MAX_FILE_BYTES {
                    return Err(CheckoutError::TooLarge { path });
                }
                blob.content().to_vec()
            }
            Checkout::Dir { root } => {
                let full = inside_dir(root, &path)?;
                let meta =
                    std::fs::metadata(&full).map_err(|_| CheckoutError::NoPath(path.clone()))?;
                if meta.len() as usize > MAX_FILE_BYTES {
                    return Err(CheckoutError::TooLarge { path });
                }
                std::fs::read(&full).map_err(|e| CheckoutError::Io(format!("{path}: {e}")))?
            }
        };
        Ok(bytes)
    }

    /// Writes the whole tree into `into` (Kustomize bases and Helm charts reach outside the
    /// app's own path, e.g. `../../base`).
    pub fn materialize(&self, into: &Path) -> Result<()> {
        let files = self.files_under("")?;
        if files.len() > MAX_MATERIALIZED_FILES {
            return Err(CheckoutError::Io(format!(
                "repository has {} files, more than the {MAX_MATERIALIZED_FILES} copied for rendering",
                files.len()
            )));
        }
        for file in files {
            let target = into.join(&file);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| CheckoutError::Io(e.to_string()))?;
            }
            let bytes = self.read(&file)?;
            std::fs::write(&target, bytes).map_err(|e| CheckoutError::Io(e.to_string()))?;
        }
        Ok(())
    }

    /// The commit's blobs by path (empty for a plain directory, which has none).
    fn git_files(&self) -> Result<&BTreeMap<String, GitFile>> {
        let Checkout::Git {
            repo,
            commit,
            files,
            ..
        } = self
        else {
            return Err(CheckoutError::Io("not a Git checkout".into()));
        };
        files
            .get_or_init(|| index_files(repo, *commit))
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// A blob in a commit's tree.
#[derive(Debug, Clone, Copy)]
pub struct GitFile {
    id: Oid,
    link: bool,
}

fn index_files(repo: &Repository, commit: Oid) -> Result<BTreeMap<String, GitFile>> {
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .map_err(git_err)?;
    let mut files = BTreeMap::new();
    tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
        // Submodules (commits) are not files.
        if entry.kind() == Some(ObjectType::Blob) {
            if let Ok(name) = entry.name() {
                let file = GitFile {
                    id: entry.id(),
                    link: entry.filemode() == 0o120000,
                };
                files.insert(format!("{parent}{name}"), file);
            }
        }
        TreeWalkResult::Ok
    })
    .map_err(git_err)?;
    Ok(files)
}

fn git_err(e: git2::Error) -> CheckoutError {
    CheckoutError::Io(e.message().to_string())
}

/// Branch, tag, full or abbreviated commit SHA, `HEAD` or empty (= `HEAD`), as Argo CD
/// accepts them; revision expressions (`main~1`) are not.
pub fn resolve_revision(repo: &Repository, revision: &str) -> Option<Oid> {
    let revision = revision.trim();
    let peel = |r: git2::Reference<'_>| r.peel_to_commit().ok().map(|c| c.id());
    if revision.is_empty() || revision == "HEAD" {
        return repo.head().ok().and_then(peel);
    }
    let candidates = [
        revision.to_string(),
        format!("refs/heads/{revision}"),
        format!("refs/remotes/origin/{revision}"),
        format!("refs/tags/{revision}"),
    ];
    for name in candidates.iter().filter(|n| n.starts_with("refs/")) {
        if let Some(oid) = repo.find_reference(name).ok().and_then(peel) {
            return Some(oid);
        }
    }
    let is_sha =
        (4..=40).contains(&revision.len()) && revision.chars().all(|c| c.is_ascii_hexdigit());
    if is_sha {
        return repo
            .revparse_single(revision)
            .ok()
            .and_then(|o| o.peel_to_commit().ok())
            .map(|c| c.id());
    }
    None
}

/// `rel` (a path a repository names, e.g. a Helm value file or a Kustomize resource) relative
/// to the repository directory `base`, as a clean repository path. `..` may move up inside the
/// repository, never above its root; absolute paths and URLs are refused.
pub fn join_inside(base: &str, rel: &str) -> Result<String> {
    let rel = rel.trim();
    if rel.contains("://") || rel.starts_with('/') || rel.starts_with('\\') || rel.is_empty() {
        return Err(CheckoutError::UnsafePath(rel.to_string()));
    }
    let mut parts: Vec<String> = clean_path(base)?
        .split('/')
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    for component in Path::new(rel).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir if parts.pop().is_some() => {}
            _ => return Err(CheckoutError::UnsafePath(rel.to_string())),
        }
    }
    Ok(parts.join("/"))
}

/// A path of a plain-directory checkout on disk, refused when a symlink on the way leads out
/// of the directory (a repository must not hand out the server's own files).
fn inside_dir(root: &Path, path: &str) -> Result<std::path::PathBuf> {
    let full = root.join(path);
    let (Ok(real_root), Ok(real)) = (root.canonicalize(), full.canonicalize()) else {
        // Absent: callers report it as missing.
        return Ok(full);
    };
    if real.starts_with(&real_root) {
        Ok(full)
    } else {
        Err(CheckoutError::UnsafePath(path.to_string()))
    }
}

/// `./apps/` → `apps`; refuses absolute paths and `..`.
pub fn clean_path(path: &str) -> Result<String> {
    let mut parts = Vec::new();
    for component in Path::new(path.trim()).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => return Err(CheckoutError::UnsafePath(path.to_string())),
        }
    }
    Ok(parts.join("/"))
}

fn walk_dir(dir: &Path, rel: &str, out: &mut Vec<String>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| CheckoutError::Io(e.to_string()))?;
    for entry in entries {
        let entry = entry.map_err(|e| CheckoutError::Io(e.to_string()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel_path = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        let kind = entry
            .file_type()
            .map_err(|e| CheckoutError::Io(e.to_string()))?;
        if kind.is_dir() && name != ".git" {
            walk_dir(&entry.path(), &rel_path, out)?;
        } else if kind.is_file() {
            out.push(rel_path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::git::{commit_files, open_or_init};

    #[test]
    fn revisions_resolve_by_branch_tag_sha_and_head() {
        let dir = tempfile::tempdir().unwrap();
        let repo = open_or_init(dir.path(), "main").unwrap();
        let first = commit_files(
            &repo,
            "main",
            &[("a.yaml", Some(b"a: 1\n"))],
            "one",
            ("t", "t@x"),
        )
        .unwrap();
        let second = commit_files(
            &repo,
            "main",
            &[("a.yaml", Some(b"a: 2\n"))],
            "two",
            ("t", "t@x"),
        )
        .unwrap();
        repo.tag_lightweight("v1", &repo.find_object(first, None).unwrap(), false)
            .unwrap();
        assert_eq!(resolve_revision(&repo, "HEAD"), Some(second));
        assert_eq!(resolve_revision(&repo, ""), Some(second));
        assert_eq!(resolve_revision(&repo, "main"), Some(second));
        assert_eq!(resolve_revision(&repo, "v1"), Some(first));
        assert_eq!(
            resolve_revision(&repo, &first.to_string()[..10]),
            Some(first)
        );
        assert_eq!(resolve_revision(&repo, "nope"), None);
        assert_eq!(resolve_revision(&repo, "main~1"), None);
        let at_tag = Checkout::open(dir.path(), "v1").unwrap();
        assert_eq!(at_tag.read("a.yaml").unwrap(), b"a: 1\n");
    }

    #[test]
    fn paths_cannot_leave_the_repository() {
        assert_eq!(clean_path("./apps/").unwrap(), "apps");
        assert_eq!(clean_path(".").unwrap(), "");
        assert!(clean_path("../x").is_err());
        assert!(clean_path("/etc").is_err());
    }

    #[test]
    fn joined_paths_stay_inside_the_repository() {
        assert_eq!(
            join_inside("charts/web", "values.yaml").unwrap(),
            "charts/web/values.yaml"
        );
        assert_eq!(
            join_inside("charts/web", "../../env/prod.yaml").unwrap(),
            "env/prod.yaml"
        );
        assert_eq!(join_inside("", "./a/./b.yaml").unwrap(), "a/b.yaml");
        for hostile in [
            "../../../etc/passwd",
            "/etc/passwd",
            "https://evil.example/values.yaml",
            "file:///etc/passwd",
            "",
        ] {
            assert!(join_inside("charts/web", hostile).is_err(), "{hostile}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_a_plain_directory_are_refused() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.yaml"), "token: s3cret\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("apps")).unwrap();
        std::fs::write(dir.path().join("apps/ok.yaml"), "a: 1\n").unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.yaml"),
            dir.path().join("apps/leak.yaml"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("linked")).unwrap();
        let checkout = Checkout::open(dir.path(), "HEAD").unwrap();
        assert_eq!(checkout.read("apps/ok.yaml").unwrap(), b"a: 1\n");
        assert!(matches!(
            checkout.read("apps/leak.yaml"),
            Err(CheckoutError::UnsafePath(_))
        ));
        assert!(!checkout.is_file("apps/leak.yaml"));
        assert!(checkout.files_under("linked").is_err());
        assert_eq!(checkout.files_under("apps").unwrap(), vec!["apps/ok.yaml"]);
    }
}

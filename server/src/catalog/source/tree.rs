//! The files of a source at one point in time: a directory on disk or the tree of a Git
//! commit, listed once per refresh and read lazily (only files whose blob id changed).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::git::{self, GitError};

/// Why a source could not be opened at all.
#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    #[error("directory {path} cannot be read: {source}")]
    Dir {
        path: String,
        #[source]
        source: io::Error,
    },
    #[error(transparent)]
    Git(#[from] GitError),
}

/// A listed source tree. Paths are relative to the root and `/`-separated.
pub(crate) enum Tree {
    Dir {
        root: PathBuf,
        files: BTreeSet<String>,
    },
    Git {
        repo: git2::Repository,
        commit: String,
        files: BTreeMap<String, git2::Oid>,
    },
}

/// A file as found by [`Tree::load`].
pub(crate) struct Loaded {
    pub id: String,
    /// None when the blob id equals the previous one: the content is not needed.
    pub bytes: Option<Vec<u8>>,
}

impl Tree {
    pub fn open_dir(root: &Path) -> Result<Self, TreeError> {
        let files = list_dir(root).map_err(|source| TreeError::Dir {
            path: root.display().to_string(),
            source,
        })?;
        Ok(Tree::Dir {
            root: root.to_path_buf(),
            files,
        })
    }

    pub fn open_git(url: &str, branch: &str, ctx: &super::ReadContext) -> Result<Self, TreeError> {
        let (repo, commit, files) = git::read_branch(url, branch, &ctx.cache_dir, &ctx.remotes)?;
        Ok(Tree::Git {
            repo,
            commit,
            files,
        })
    }

    /// The commit read, for Git trees.
    pub fn commit(&self) -> Option<&str> {
        match self {
            Tree::Dir { .. } => None,
            Tree::Git { commit, .. } => Some(commit),
        }
    }

    /// Every file path, sorted.
    pub fn paths(&self) -> Vec<&str> {
        match self {
            Tree::Dir { files, .. } => files.iter().map(String::as_str).collect(),
            Tree::Git { files, .. } => files.keys().map(String::as_str).collect(),
        }
    }

    pub fn contains(&self, path: &str) -> bool {
        match self {
            Tree::Dir { files, .. } => files.contains(path),
            Tree::Git { files, .. } => files.contains_key(path),
        }
    }

    /// The directory on disk, for directory sources (absolute Location targets inside it
    /// are accepted).
    pub fn root_dir(&self) -> Option<&Path> {
        match self {
            Tree::Dir { root, .. } => Some(root),
            Tree::Git { .. } => None,
        }
    }

    /// The blob id of `path`, and its content unless the id equals `previous_id`.
    pub fn load(&self, path: &str, previous_id: Option<&str>) -> io::Result<Loaded> {
        match self {
            Tree::Dir { root, .. } => load_dir(root, path, previous_id),
            Tree::Git { repo, files, .. } => {
                let oid = files
                    .get(path)
                    .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, path.to_string()))?;
                let id = oid.to_string();
                if previous_id == Some(id.as_str()) {
                    return Ok(Loaded { id, bytes: None });
                }
                let blob = repo.find_blob(*oid).map_err(io::Error::other)?;
                Ok(Loaded {
                    id,
                    bytes: Some(blob.content().to_vec()),
                })
            }
        }
    }
}

impl Tree {
    /// The content of `path`, refusing a directory source's file that resolves outside its
    /// root (a symlink): placeholder targets must not read the server's own files.
    pub fn read_inside(&self, path: &str) -> io::Result<Vec<u8>> {
        if let Tree::Dir { root, .. } = self {
            let root = std::fs::canonicalize(root)?;
            let file = std::fs::canonicalize(root.join(path))?;
            if !file.starts_with(&root) {
                return Err(io::Error::new(
                    io::ErrorKind::PermissionDenied,
                    "it resolves outside the source",
                ));
            }
        }
        Ok(self.load(path, None)?.bytes.unwrap_or_default())
    }
}

/// [`Tree::load`] for a directory, callable from any thread (a [`Tree`] holds a libgit2
/// repository, which is not shared between threads).
pub(crate) fn load_dir(root: &Path, path: &str, previous_id: Option<&str>) -> io::Result<Loaded> {
    // Descriptors are small: a buffer most of them fit in spares the size query (`statx`)
    // `fs::read` makes first, one of its five system calls per file. (Read through `take`:
    // a `File`'s own `read_to_end` makes that query too.)
    let mut bytes = Vec::with_capacity(16 * 1024);
    std::fs::File::open(root.join(path))?
        .take(u64::MAX)
        .read_to_end(&mut bytes)?;
    // A directory has no blob ids: hash the content (needed anyway to compare).
    let id = lower_hex(&Sha256::digest(&bytes));
    let bytes = (previous_id != Some(id.as_str())).then_some(bytes);
    Ok(Loaded { id, bytes })
}

/// `hex::encode`, without its char-by-char collect (once per file of every refresh).
fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let hex: Vec<u8> = bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xf)]])
        .collect();
    String::from_utf8(hex).expect("hex digits are ASCII")
}

/// Every file below `root`, relative and `/`-separated, skipping hidden entries (`.git`…)
/// and not following directory symlinks (a link cycle would never end).
pub(crate) fn list_dir(root: &Path) -> io::Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    let mut pending = vec![(root.to_path_buf(), String::new())];
    let mut first = true;
    while let Some((dir, prefix)) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            // Only the root must be readable; an unreadable subdirectory is skipped.
            Err(e) if first => return Err(e),
            Err(_) => continue,
        };
        first = false;
        for entry in entries.flatten() {
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if name.starts_with('.') {
                continue;
            }
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            let rel = format!("{prefix}{name}");
            if file_type.is_dir() {
                pending.push((entry.path(), format!("{rel}/")));
            } else if file_type.is_file() || entry.path().is_file() {
                out.insert(rel);
            }
        }
    }
    Ok(out)
}

/// Joins `dir` and a relative `target`, resolving `.` and `..`; None when `..` leaves the root.
pub(crate) fn normalize(dir: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::{lower_hex, normalize};

    #[test]
    fn lower_hex_is_hex_encode() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(lower_hex(&bytes), hex::encode(&bytes));
    }

    #[test]
    fn normalizes_relative_targets() {
        assert_eq!(
            normalize("acme", "./team-a.yaml").as_deref(),
            Some("acme/team-a.yaml")
        );
        assert_eq!(
            normalize("a/b", "../c/./d.yaml").as_deref(),
            Some("a/c/d.yaml")
        );
        assert_eq!(normalize("", "x.yaml").as_deref(), Some("x.yaml"));
        assert_eq!(normalize("a", "../../x.yaml"), None);
        assert_eq!(normalize("", "../x.yaml"), None);
    }
}

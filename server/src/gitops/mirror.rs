//! Environment repositories given by URL (`https://…`, `ssh://…`, `file://…`): a bare mirror
//! per URL in the data directory, fetched (branches and tags, pruned) before each engine pass
//! reads the branch head, through [`Remotes`] (the configured credentials). Everything else
//! then reads the mirror as a local repository. A failed fetch leaves the mirror as it was, so
//! the last good commit stays in force while the error shows on the environment.

use std::path::{Path, PathBuf};

use git2::Repository;

use crate::gitremote::{scrub, Remotes};

/// Whether an environment's `repo` is a URL rather than a local path (as catalog sources say).
pub fn is_remote(repo: &str) -> bool {
    crate::catalog::source::git::is_url(repo)
}

/// Where the mirror of `url` lives: named like the catalog's clone caches.
pub fn mirror_path(url: &str, cache_dir: &Path) -> PathBuf {
    crate::catalog::source::git::cache_path(url, cache_dir)
}

/// Creates the mirror on first use and fetches it. `HEAD` follows the remote's default branch,
/// so `targetRevision: HEAD` means what it means on the server. The error names the URL (without
/// any userinfo).
pub fn fetch(remotes: &Remotes, url: &str, path: &Path) -> Result<(), String> {
    let shown = scrub::userinfo(url);
    let fail = |e: &dyn std::fmt::Display| format!("fetching {shown}: {e}");
    let repo = match Repository::open_bare(path) {
        Ok(repo) => repo,
        Err(_) => {
            std::fs::create_dir_all(path).map_err(|e| fail(&e))?;
            Repository::init_bare(path).map_err(|e| fail(&e.message()))?
        }
    };
    let default_branch = remotes.default_branch(url).map_err(|e| fail(&e))?;
    remotes
        .fetch(
            url,
            path,
            &["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"],
        )
        .map_err(|e| fail(&e))?;
    if let Some(branch) = default_branch {
        repo.set_head(&format!("refs/heads/{branch}"))
            .map_err(|e| fail(&e.message()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::git::{commit_files, open_or_init};
    use crate::gitops::checkout::Checkout;

    #[test]
    fn mirrors_follow_branches_tags_and_head() {
        let dir = tempfile::tempdir().unwrap();
        let origin = open_or_init(&dir.path().join("origin.git"), "main").unwrap();
        let author = ("Test", "test@example.invalid");
        let first = commit_files(
            &origin,
            "main",
            &[("a.yaml", Some(b"a: 1\n"))],
            "one",
            author,
        )
        .unwrap();
        origin
            .tag_lightweight("v1", &origin.find_object(first, None).unwrap(), false)
            .unwrap();
        let url = format!("file://{}", dir.path().join("origin.git").display());
        assert!(is_remote(&url) && !is_remote("/srv/git/env.git"));
        let mirror = mirror_path(&url, &dir.path().join("cache"));

        fetch(&Remotes::default(), &url, &mirror).unwrap();
        let head = Checkout::open(&mirror, "HEAD").unwrap();
        assert_eq!(head.sha().as_deref(), Some(first.to_string().as_str()));

        let second = commit_files(
            &origin,
            "main",
            &[("a.yaml", Some(b"a: 2\n"))],
            "two",
            author,
        )
        .unwrap();
        fetch(&Remotes::default(), &url, &mirror).unwrap();
        let main = Checkout::open(&mirror, "main").unwrap();
        assert_eq!(main.sha().as_deref(), Some(second.to_string().as_str()));
        assert_eq!(main.read("a.yaml").unwrap(), b"a: 2\n");
        let tag = Checkout::open(&mirror, "v1").unwrap();
        assert_eq!(tag.sha().as_deref(), Some(first.to_string().as_str()));

        let gone = format!("file://{}", dir.path().join("nowhere.git").display());
        let err = fetch(&Remotes::default(), &gone, &dir.path().join("cache/x.git")).unwrap_err();
        assert!(err.starts_with(&format!("fetching {gone}: ")), "{err}");
    }
}

//! Where an Application's `repoURL` is read from: configured mappings from repo URLs to local
//! repositories (Git, bare or not, or a plain directory). Only mapped URLs are read — a
//! manifest in Git must not be able to make the server read arbitrary local paths.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One `[[repos]]` entry: Applications naming `url` are read from `path`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoMapping {
    pub url: String,
    pub path: PathBuf,
}

/// repoURL → local repository.
#[derive(Clone, Debug, Default)]
pub struct RepoMap {
    by_url: BTreeMap<String, PathBuf>,
}

impl RepoMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn from_mappings(mappings: &[RepoMapping]) -> Self {
        let mut map = Self::new();
        for m in mappings {
            map.insert(&m.url, &m.path);
        }
        map
    }

    pub fn insert(&mut self, url: &str, path: &Path) {
        self.by_url.insert(normalize(url), path.to_path_buf());
    }

    pub fn contains(&self, url: &str) -> bool {
        self.by_url.contains_key(&normalize(url))
    }

    /// The local repository for `repo_url`, if mapped.
    pub fn resolve(&self, repo_url: &str) -> Option<&Path> {
        self.by_url.get(&normalize(repo_url)).map(PathBuf::as_path)
    }
}

/// Argo CD treats `https://host/x`, `https://host/x.git` and `https://HOST/x/` as one repo.
pub fn normalize(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    let url = url.strip_suffix(".git").unwrap_or(url);
    url.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_and_case_do_not_matter() {
        let mut map = RepoMap::new();
        map.insert("https://git.example/Team/env.git", Path::new("/srv/env"));
        assert_eq!(
            map.resolve("https://git.example/team/env/"),
            Some(Path::new("/srv/env"))
        );
        assert!(map.resolve("https://git.example/team/other").is_none());
    }
}

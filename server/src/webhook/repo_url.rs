//! One identity for the many spellings of a repository's address, so a push event's URLs
//! (`clone_url`, `html_url`, `ssh_url`…) can be matched to configured `repo`/`git` strings.
//! Pure; no I/O.

/// `host/path` for a remote (scheme, user, port, `.git`, trailing slash dropped; compared
/// case-insensitively as Argo CD does), or `file:///abs/path` for a local one. `None` for text
/// that is neither.
///
/// `https://GitHub.com/acme/web.git/`, `git@github.com:acme/web.git` and
/// `ssh://git@github.com:22/acme/web` all become `github.com/acme/web`. Ports are dropped
/// because one host serves a repository over https and ssh on different ones.
pub fn repo_identity(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || url.chars().any(char::is_control) {
        return None;
    }
    if let Some(path) = url.strip_prefix("file://") {
        return local(path);
    }
    let (host_part, path) = if let Some((scheme, rest)) = url.split_once("://") {
        if !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return None;
        }
        rest.split_once('/').unwrap_or((rest, ""))
    } else if url.starts_with('/') || url.starts_with('.') {
        return local(url);
    } else {
        // scp-like `[user@]host:path`: a colon before any slash.
        let (host, path) = url.split_once(':')?;
        if host.contains('/') || host.is_empty() {
            return None;
        }
        (host, path)
    };
    let host = host_part.rsplit_once('@').map_or(host_part, |(_, h)| h);
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h,
        _ => host,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let path = trim_repo_path(path);
    if host.is_empty() || path.is_empty() {
        return None;
    }
    Some(format!("{host}/{path}").to_ascii_lowercase())
}

fn local(path: &str) -> Option<String> {
    let path = trim_repo_path(path);
    (!path.is_empty()).then(|| format!("file:///{path}"))
}

/// Without leading/trailing slashes and one `.git` suffix.
fn trim_repo_path(path: &str) -> &str {
    let path = path.trim_matches('/');
    path.strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/')
}

/// Whether any of a push event's URLs names the configured repository `configured` (a URL
/// or a local path) and the push was to `branch`.
pub fn matches(
    pushed_urls: &[String],
    pushed_branch: &str,
    configured: &str,
    branch: &str,
) -> bool {
    if pushed_branch != branch {
        return false;
    }
    let Some(want) = repo_identity(configured) else {
        return false;
    };
    pushed_urls
        .iter()
        .filter_map(|u| repo_identity(u))
        .any(|have| have == want)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_repository_agree() {
        let same = [
            "https://github.com/acme/web",
            "https://github.com/acme/web.git",
            "https://GitHub.com/acme/web/",
            "http://token@github.com:443/acme/web.git",
            "git@github.com:acme/web.git",
            "ssh://git@github.com/acme/web",
            "ssh://git@github.com:22/acme/web.git",
            "git://github.com/acme/web.git",
        ];
        for url in same {
            assert_eq!(
                repo_identity(url).as_deref(),
                Some("github.com/acme/web"),
                "{url}"
            );
        }
        assert_eq!(
            repo_identity("https://gitlab.example/group/sub/repo.git?x=1").as_deref(),
            Some("gitlab.example/group/sub/repo")
        );
    }

    #[test]
    fn different_repositories_and_garbage_differ() {
        assert_ne!(
            repo_identity("https://github.com/acme/web"),
            repo_identity("https://github.com/acme/web2")
        );
        assert_ne!(
            repo_identity("https://github.com/acme/web"),
            repo_identity("https://gitlab.com/acme/web")
        );
        for bad in ["", "   ", "nohost", "https://", "git@:x", "https://h/\n"] {
            assert_eq!(repo_identity(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn local_paths_compare_as_files() {
        assert_eq!(
            repo_identity("/srv/git/env.git").as_deref(),
            Some("file:///srv/git/env")
        );
        assert_eq!(
            repo_identity("file:///srv/git/env/"),
            repo_identity("/srv/git/env")
        );
    }

    #[test]
    fn a_match_needs_the_branch_too() {
        let pushed = vec![
            "https://git.example/platform/catalog".to_string(),
            "git@git.example:platform/catalog.git".to_string(),
        ];
        assert!(matches(
            &pushed,
            "main",
            "ssh://git@git.example/Platform/catalog.git",
            "main"
        ));
        assert!(!matches(
            &pushed,
            "dev",
            "https://git.example/platform/catalog",
            "main"
        ));
        assert!(!matches(
            &pushed,
            "main",
            "https://git.example/platform/other",
            "main"
        ));
        assert!(!matches(
            &[],
            "main",
            "https://git.example/platform/catalog",
            "main"
        ));
    }
}

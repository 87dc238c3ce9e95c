//! Where the version running now came from: the last commit on the environment's branch that
//! changed the app's files (its Application manifest and, when it lives in the environment
//! repository, its source path). A commit carrying `Atrium-Request:` leads to the request
//! (who asked, who approved); any other commit is shown as it is — author, date, message, and
//! the pull or merge request its message names.

use std::path::Path;

use atrium_app::dto::deploy::{CommitSummary, Lineage};
use git2::{Oid, Repository};

use super::git_write::REQUEST_TRAILER;
use super::ports::{AppSnapshot, EnvRepo};
use super::requests::app_files;
use super::{Deploys, Result};
use crate::gitops::checkout::Checkout;

/// Commits looked at, at most, going back from the head.
const MAX_WALK: usize = 20_000;

/// The last commit that changed any of `paths`, and its `Atrium-Request` trailer if it has one.
pub fn last_change(
    repo: &Repository,
    branch: &str,
    paths: &[String],
) -> Option<(Oid, Option<String>)> {
    let head = repo
        .find_reference(&format!("refs/heads/{branch}"))
        .ok()?
        .peel_to_commit()
        .ok()?;
    let mut walk = repo.revwalk().ok()?;
    walk.push(head.id()).ok()?;
    walk.simplify_first_parent().ok()?;
    let entry =
        |tree: &git2::Tree<'_>, path: &str| tree.get_path(Path::new(path)).ok().map(|e| e.id());
    for oid in walk.take(MAX_WALK).flatten() {
        let commit = repo.find_commit(oid).ok()?;
        let tree = commit.tree().ok()?;
        let parent = commit.parent(0).ok().and_then(|p| p.tree().ok());
        let changed = paths.iter().any(|p| match &parent {
            Some(before) => entry(&tree, p) != entry(before, p),
            None => entry(&tree, p).is_some(),
        });
        if changed {
            let message = commit.message_raw().unwrap_or_default().to_string();
            let trailer = message.lines().find_map(|l| {
                l.trim()
                    .strip_prefix(&format!("{REQUEST_TRAILER}:"))
                    .map(|v| v.trim().to_string())
            });
            return Some((oid, trailer));
        }
    }
    None
}

/// `#123` (GitHub, Gitea), `!123` (GitLab) or a pull/merge request URL in a commit message,
/// as a link next to the commit's (`…/commit/{sha}` → `…/pull/123` or `…/-/merge_requests/123`).
pub fn pull_request_link(message: &str, commit_url: Option<&str>) -> Option<String> {
    for word in message.split_whitespace() {
        let word = word.trim_matches(|c: char| "()[],.:;".contains(c));
        if (word.starts_with("https://") || word.starts_with("http://"))
            && (word.contains("/pull/")
                || word.contains("/merge_requests/")
                || word.contains("/pulls/"))
        {
            return Some(word.to_string());
        }
    }
    let base = commit_url?;
    let gitlab = base.contains("/-/commit/");
    let prefix = base
        .split("/-/commit/")
        .next()
        .filter(|_| gitlab)
        .or_else(|| base.split("/commit/").next())?;
    for word in message.split_whitespace() {
        let word = word.trim_matches(|c: char| "()[],.:;".contains(c));
        let number = word
            .strip_prefix('#')
            .filter(|_| !gitlab)
            .or_else(|| word.strip_prefix('!').filter(|_| gitlab));
        if let Some(n) = number.filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())) {
            return Some(if gitlab {
                format!("{prefix}/-/merge_requests/{n}")
            } else {
                format!("{prefix}/pull/{n}")
            });
        }
    }
    None
}

impl Deploys {
    /// The lineage of what `app` runs in `env` now.
    pub async fn lineage(&self, env: &str, app: &str) -> Result<Lineage> {
        let repo = self.repo(env)?;
        let snapshot = self
            .engine
            .app(env, app)
            .ok_or_else(|| super::DeployError::NotFound(format!("no app `{app}` in {env}")))?;
        let found = {
            let (repo, snapshot) = (repo.clone(), snapshot.clone());
            tokio::task::spawn_blocking(move || find(&repo, &snapshot))
                .await
                .map_err(|e| super::DeployError::Repo(e.to_string()))?
        };
        let mut lineage = Lineage {
            environment: env.to_string(),
            app: app.to_string(),
            version: snapshot.version.clone(),
            commit: None,
            request: None,
        };
        if let Some((mut commit, trailer)) = found {
            commit.url = self.settings.commit_url(env, &commit.sha);
            commit.pull_request = pull_request_link(&commit.message, commit.url.as_deref());
            if let Some(id) = trailer {
                lineage.request = self.view(&id, None).await.ok();
            }
            lineage.commit = Some(commit);
        }
        Ok(lineage)
    }
}

fn find(repo: &EnvRepo, app: &AppSnapshot) -> Option<(CommitSummary, Option<String>)> {
    let head = Checkout::open(&repo.local, &repo.branch).ok()?;
    let files = app_files(repo, app, &head).ok()?;
    let mut paths = vec![files.application_file];
    paths.extend(files.source_path.filter(|p| !p.is_empty()));
    let git = Repository::open(&repo.local).ok()?;
    let (oid, trailer) = last_change(&git, &repo.branch, &paths)?;
    let commit = git.find_commit(oid).ok()?;
    let author = commit.author();
    let when = time::OffsetDateTime::from_unix_timestamp(commit.time().seconds()).ok()?;
    Some((
        CommitSummary {
            sha: oid.to_string(),
            author: format!(
                "{} <{}>",
                author.name().unwrap_or_default(),
                author.email().unwrap_or_default()
            ),
            date: crate::audit::stamp(when),
            message: commit.message().unwrap_or_default().to_string(),
            url: None,
            pull_request: None,
        },
        trailer,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::git::{commit_files, open_or_init};

    #[test]
    fn the_last_change_of_the_apps_paths_wins() {
        let dir = tempfile::tempdir().unwrap();
        let repo = open_or_init(dir.path(), "main").unwrap();
        let author = ("t", "t@x");
        commit_files(
            &repo,
            "main",
            &[
                ("apps/web.yaml", Some(b"a")),
                ("services/web/d.yaml", Some(b"1")),
            ],
            "init",
            author,
        )
        .unwrap();
        let deploy = commit_files(
            &repo,
            "main",
            &[("services/web/d.yaml", Some(b"2"))],
            "web 2\n\nAtrium-Request: dr-1\n",
            author,
        )
        .unwrap();
        commit_files(
            &repo,
            "main",
            &[("services/other/d.yaml", Some(b"x"))],
            "other",
            author,
        )
        .unwrap();
        let paths = vec!["apps/web.yaml".to_string(), "services/web".to_string()];
        assert_eq!(
            last_change(&repo, "main", &paths),
            Some((deploy, Some("dr-1".into())))
        );
        let outside = commit_files(
            &repo,
            "main",
            &[("apps/web.yaml", Some(b"b"))],
            "hand edit (#42)",
            author,
        )
        .unwrap();
        assert_eq!(last_change(&repo, "main", &paths), Some((outside, None)));
    }

    #[test]
    fn pull_requests_link_from_the_message() {
        let github = Some("https://github.com/acme/env-prod/commit/abc");
        assert_eq!(
            pull_request_link("Bump web (#42)", github).as_deref(),
            Some("https://github.com/acme/env-prod/pull/42")
        );
        let gitlab = Some("https://gitlab.example/acme/env/-/commit/abc");
        assert_eq!(
            pull_request_link("See !7", gitlab).as_deref(),
            Some("https://gitlab.example/acme/env/-/merge_requests/7")
        );
        assert_eq!(pull_request_link("no reference", github), None);
        assert_eq!(pull_request_link("#42 but no host", None), None);
        assert_eq!(
            pull_request_link("merged https://git.example/a/b/pulls/9.", None).as_deref(),
            Some("https://git.example/a/b/pulls/9")
        );
    }
}

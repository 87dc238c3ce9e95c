//! What a Git host's push event says: the repository's URLs and the branch pushed. GitHub,
//! Gitea/Forgejo, GitLab and Bitbucket (Server and Cloud) shape it differently; everything
//! is read defensively (hostile input: only strings at known places are taken).

use serde_json::Value;

/// URLs kept from one event: a real one has at most a handful.
const MAX_URLS: usize = 16;
/// Branches kept from one event (Bitbucket batches changes).
const MAX_BRANCHES: usize = 16;

/// A push, as far as matching needs it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Push {
    /// Every address of the repository the event gives.
    pub urls: Vec<String>,
    /// Branches pushed (tags and deletions are left out).
    pub branches: Vec<String>,
}

/// Reads an event body. `branches` is empty when it is no branch push (a ping, a tag, a
/// deletion, another event); `urls` are read anyway, to pick the host's secret.
pub fn parse(body: &Value) -> Push {
    let mut push = Push::default();
    let repo = body.get("repository");
    for key in [
        "clone_url",
        "html_url",
        "ssh_url",
        "git_url",
        "url",
        "git_http_url",
        "git_ssh_url",
        "homepage",
    ] {
        add(&mut push.urls, repo.and_then(|r| r.get(key)));
    }
    // GitLab's `project`.
    let project = body.get("project");
    for key in [
        "git_http_url",
        "git_ssh_url",
        "web_url",
        "http_url",
        "ssh_url",
    ] {
        add(&mut push.urls, project.and_then(|p| p.get(key)));
    }
    // Bitbucket: `repository.links.clone[].href` (Server), `links.html.href` (Cloud).
    let links = repo.and_then(|r| r.get("links"));
    for list in ["clone", "self"] {
        for link in links
            .and_then(|l| l.get(list))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            add(&mut push.urls, link.get("href"));
        }
    }
    add(
        &mut push.urls,
        links
            .and_then(|l| l.get("html"))
            .and_then(|h| h.get("href")),
    );
    if let Some(name) = repo
        .and_then(|r| r.get("full_name"))
        .and_then(Value::as_str)
    {
        if body.get("push").is_some() {
            // Bitbucket Cloud names the repository `workspace/slug` on bitbucket.org.
            push.urls.push(format!("https://bitbucket.org/{name}"));
        }
    }
    push.urls.truncate(MAX_URLS);

    if let Some(branch) = body.get("ref").and_then(Value::as_str).and_then(branch_of) {
        if !deleted(body.get("after")) {
            push.branches.push(branch.to_string());
        }
    }
    // Bitbucket Server: `changes[].ref.id` / `refId`, type UPDATE/ADD.
    for change in body
        .get("changes")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let id = change
            .get("ref")
            .and_then(|r| r.get("id"))
            .or_else(|| change.get("refId"))
            .and_then(Value::as_str);
        let delete = change.get("type").and_then(Value::as_str) == Some("DELETE");
        if let (Some(branch), false) = (id.and_then(branch_of), delete) {
            push.branches.push(branch.to_string());
        }
    }
    // Bitbucket Cloud: `push.changes[].new{type: branch, name}`; `new` is null on deletion.
    let changes = body.get("push").and_then(|p| p.get("changes"));
    for change in changes.and_then(Value::as_array).into_iter().flatten() {
        let new = change.get("new");
        if new.and_then(|n| n.get("type")).and_then(Value::as_str) == Some("branch") {
            if let Some(name) = new.and_then(|n| n.get("name")).and_then(Value::as_str) {
                push.branches.push(name.to_string());
            }
        }
    }
    push.branches.sort();
    push.branches.dedup();
    push.branches.truncate(MAX_BRANCHES);
    push
}

fn add(urls: &mut Vec<String>, value: Option<&Value>) {
    if let Some(url) = value.and_then(Value::as_str) {
        if !url.is_empty() && url.len() <= 2048 && !urls.iter().any(|u| u == url) {
            urls.push(url.to_string());
        }
    }
}

fn branch_of(git_ref: &str) -> Option<&str> {
    git_ref
        .strip_prefix("refs/heads/")
        .filter(|b| !b.is_empty())
}

/// A branch deletion pushes the all-zero commit.
fn deleted(after: Option<&Value>) -> bool {
    after
        .and_then(Value::as_str)
        .is_some_and(|a| !a.is_empty() && a.chars().all(|c| c == '0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn github_and_gitea() {
        let body = json!({"ref": "refs/heads/main", "after": "abc",
            "repository": {"clone_url": "https://github.com/acme/web.git",
                           "html_url": "https://github.com/acme/web",
                           "ssh_url": "git@github.com:acme/web.git"}});
        let push = parse(&body);
        assert_eq!(push.branches, ["main"]);
        assert_eq!(push.urls.len(), 3);
        let tag = json!({"ref": "refs/tags/v1", "repository": {"clone_url": "x"}});
        assert!(parse(&tag).branches.is_empty());
        let deleted = json!({"ref": "refs/heads/old", "after": "0000000000000000000000000000000000000000",
            "repository": {"clone_url": "https://github.com/acme/web.git"}});
        assert!(parse(&deleted).branches.is_empty());
        assert_eq!(parse(&json!({"zen": "ping"})), Push::default());
    }

    #[test]
    fn gitlab() {
        let body = json!({"object_kind": "push", "ref": "refs/heads/main",
            "project": {"git_http_url": "https://gitlab.example/g/r.git",
                        "git_ssh_url": "git@gitlab.example:g/r.git",
                        "web_url": "https://gitlab.example/g/r"}});
        assert_eq!(parse(&body).urls.len(), 3);
    }

    #[test]
    fn bitbucket_server_and_cloud() {
        let server = json!({"eventKey": "repo:refs_changed",
            "repository": {"links": {"clone": [
                {"href": "ssh://git@bb.example:7999/prj/repo.git", "name": "ssh"},
                {"href": "https://bb.example/scm/prj/repo.git", "name": "http"}]}},
            "changes": [{"ref": {"id": "refs/heads/main"}, "type": "UPDATE"},
                        {"refId": "refs/heads/gone", "type": "DELETE"}]});
        let push = parse(&server);
        assert_eq!(push.branches, ["main"]);
        assert_eq!(push.urls.len(), 2);
        let cloud = json!({"repository": {"full_name": "team/repo",
                "links": {"html": {"href": "https://bitbucket.org/team/repo"}}},
            "push": {"changes": [{"new": {"type": "branch", "name": "main"}}, {"new": null}]}});
        let push = parse(&cloud);
        assert_eq!(push.branches, ["main"]);
        assert!(push
            .urls
            .contains(&"https://bitbucket.org/team/repo".to_string()));
    }
}

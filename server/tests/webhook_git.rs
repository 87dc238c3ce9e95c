//! `POST /api/webhooks/git`: a signed push event refreshes the catalog source (and the
//! environment) that reads the pushed repository and branch, within the 2 s target; an
//! unsigned or wrongly signed one is 401 and refreshes nothing. No session, no Origin.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use atrium_server::catalog::search::Query;
use atrium_server::config::SourceEntry;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use hmac::{Hmac, Mac};
use sha2::Sha256;

const SECRET: &str = "webhook-test-secret";

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=test", "-c", "user.email=test@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git on PATH");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn component(name: &str) -> String {
    format!(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n\
         spec:\n  type: service\n  lifecycle: production\n  owner: team\n"
    )
}

/// A repository with one commit on `main`, as a team's catalog repo.
fn catalog_repo(dir: &Path) {
    git(dir, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("catalog-info.yaml"), component("before-push")).unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "first"]);
}

fn sign(body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// GitHub's push event, trimmed to what matching reads.
fn github_push(clone_url: &str) -> String {
    serde_json::json!({
        "ref": "refs/heads/main",
        "after": "1111111111111111111111111111111111111111",
        "repository": {
            "clone_url": clone_url,
            "html_url": "https://github.example/acme/catalog",
        },
    })
    .to_string()
}

fn delivery(body: &str, header_pair: Option<(&str, String)>) -> Request<Body> {
    // No Origin and no cookie: a Git host sends neither.
    let mut request = Request::post("/api/webhooks/git")
        .header(header::HOST, common::HOST)
        .header(header::CONTENT_TYPE, "application/json")
        .header("x-github-event", "push");
    if let Some((name, value)) = header_pair {
        request = request.header(name, value);
    }
    request.body(Body::from(body.to_string())).unwrap()
}

fn searchable(app: &common::TestApp, name: &str) -> bool {
    let state = app.state.catalog.state();
    let found = state.index.search(&Query::text(name)).unwrap();
    found.hits.iter().any(|h| &*h.entity_ref.name == name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_push_is_searchable_within_two_seconds() {
    let repo_dir = tempfile::tempdir().unwrap();
    let repo = repo_dir.path().to_path_buf();
    catalog_repo(&repo);
    let repo_url = format!("file://{}/.git/", repo.display());
    let source_path = repo.display().to_string();
    // Next to Backstage's example catalog, so the index rebuilt is not a toy one.
    let app = common::app_with(true, |c| {
        c.catalog.sources.push(SourceEntry {
            name: "team".into(),
            git: Some(source_path),
            branch: Some("main".into()),
            ..Default::default()
        });
        c.webhooks.secret = Some(SECRET.into());
    })
    .await;
    assert!(searchable(&app, "before-push"));
    // Polling is an hour away: only the webhook can bring the change in.
    let generation = app.state.catalog.generation();
    tokio::spawn(app.state.catalog.clone().run(Duration::from_secs(3600)));
    // The loop reads everything once as it starts: let that pass before pushing.
    while app.state.catalog.generation() == generation {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    std::fs::write(repo.join("pushed.yaml"), component("after-push")).unwrap();
    std::fs::write(
        repo.join("catalog-info.yaml"),
        format!("{}---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {{name: more}}\nspec: {{target: ./pushed.yaml}}\n", component("before-push")),
    )
    .unwrap();
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "add after-push"]);

    let body = github_push(&repo_url);
    // Unsigned, wrongly signed, signed for another body: 401, nothing refreshed.
    for bad in [
        None,
        Some(("x-hub-signature-256", "sha256=00".to_string())),
        Some(("x-hub-signature-256", sign("{}"))),
        Some(("x-gitlab-token", "guess".to_string())),
    ] {
        let reply = app.send(delivery(&body, bad.clone())).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{bad:?}: {}",
            reply.body
        );
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !searchable(&app, "after-push"),
        "a refused webhook refreshed the catalog"
    );

    let started = Instant::now();
    let reply = app
        .send(delivery(&body, Some(("x-hub-signature-256", sign(&body)))))
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    let answer: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(answer["catalog_sources"], serde_json::json!(["team"]));
    // The 2 s target is a figure to report, not a bound to assert: on a loaded machine a
    // timed assertion fails by luck. 30 s only says the push was picked up at all (the poll is
    // every 300 s by default, so only the webhook can bring it in this soon).
    while !searchable(&app, "after-push") {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "not searchable 30 s after the webhook"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    eprintln!(
        "webhook to searchable: {} ms",
        started.elapsed().as_millis()
    );

    // The accepted delivery is audited, without the secret or the signature.
    let rows = app.state.store.audit_after(0, 1000).await.unwrap();
    let row = rows
        .iter()
        .find(|r| r.record.action == "webhook.push")
        .expect("audit row");
    let text = serde_json::to_string(&row.record).unwrap();
    assert!(
        !text.contains(SECRET) && !text.contains("sha256="),
        "{text}"
    );
    assert_eq!(
        row.record.details["catalog_sources"],
        serde_json::json!(["team"])
    );
}

#[tokio::test]
async fn a_push_to_an_environment_repo_refreshes_that_environment() {
    let app = common::app_with(false, |c| c.webhooks.secret = Some(SECRET.into())).await;
    let (name, repo, branch) = {
        let (n, r, b) = app
            .state
            .engine
            .repositories()
            .next()
            .expect("demo environment");
        (n.to_string(), r.to_string(), b.to_string())
    };
    let body = serde_json::json!({"ref": format!("refs/heads/{branch}"),
        "project": {"git_http_url": repo}})
    .to_string();
    // GitLab sends the secret itself.
    let reply = app
        .send(delivery(
            &body,
            Some(("x-gitlab-token", SECRET.to_string())),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
    let answer: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    assert_eq!(answer["environments"], serde_json::json!([name]));
    // Another branch of the same repository refreshes nothing.
    let other = body.replace(&format!("refs/heads/{branch}"), "refs/heads/elsewhere");
    let reply = app
        .send(delivery(
            &other,
            Some(("x-gitlab-token", SECRET.to_string())),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert!(reply.body.contains("\"environments\":[]"), "{}", reply.body);
}

#[tokio::test]
async fn webhooks_are_off_without_a_secret_and_bodies_are_bounded() {
    let app = common::app_with(false, |_| {}).await;
    let body = github_push("https://github.example/acme/catalog");
    let reply = app
        .send(delivery(&body, Some(("x-hub-signature-256", sign(&body)))))
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let app = common::app_with(false, |c| c.webhooks.secret = Some(SECRET.into())).await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let reply = app
        .send(delivery(&huge, Some(("x-hub-signature-256", sign(&huge)))))
        .await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
}

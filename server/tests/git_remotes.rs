//! Remote repositories on real Git servers started here on loopback (see
//! `git_remotes/servers.rs`): HTTPS-style basic auth through lighttpd + `git http-backend`, and
//! `sshd` with a key and a checked host key. Clone, fetch and push; a wrong password, a wrong
//! key, an unknown host key and a server that is down each fail with a clear error that carries
//! no secret, and what was read last stays in force.

mod common;
#[path = "git_remotes/servers.rs"]
mod servers;

use std::path::Path;
use std::time::{Duration, Instant};

use atrium_app::dto::deploy::{Change, NewRequest, RequestState, RequestView};
use atrium_app::service::EngineService;
use atrium_server::catalog::source::{
    refresh_source, ReadContext, SourceConfig, SourceLocation, SourceSnapshot,
};
use atrium_server::config::EnvironmentEntry;
use atrium_server::demo::git::{commit_files, open_or_init};
use atrium_server::deploy::git_write::{self, WriteError};
use atrium_server::gitops::checkout::Checkout;
use atrium_server::gitops::mirror;
use atrium_server::gitremote::{CredentialConfig, Remotes, Scope};
use servers::{Servers, PASSWORD, USER};

const AUTHOR: (&str, &str) = ("Test", "test@example.invalid");

fn remotes(entries: Vec<CredentialConfig>) -> Remotes {
    Remotes::new(&entries, Duration::from_secs(60)).unwrap()
}

/// A password credential for `prefix`, the password in a file of `servers`.
fn password(servers: &Servers, prefix: &str, value: &str, scope: Scope) -> CredentialConfig {
    let file = servers.path(&format!("password-{scope:?}-{value}"));
    std::fs::write(&file, format!("{value}\n")).unwrap();
    CredentialConfig {
        url: prefix.into(),
        scope,
        username: Some(USER.into()),
        password_file: Some(file),
        ..Default::default()
    }
}

fn origin(servers: &Servers, name: &str) -> (git2::Repository, git2::Oid) {
    let repo = open_or_init(&servers.repos().join(name), "main").unwrap();
    let first = commit_files(
        &repo,
        "main",
        &[("catalog-info.yaml", Some(CATALOG.as_bytes()))],
        "one",
        AUTHOR,
    )
    .unwrap();
    (repo, first)
}

const CATALOG: &str = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  \
                       name: payments\nspec:\n  type: service\n  lifecycle: production\n  \
                       owner: team-a\n";

fn sha(path: &Path, rev: &str) -> String {
    Checkout::open(path, rev).unwrap().sha().unwrap()
}

/// Commits in the mirror (as the deploy executor does) and pushes.
fn commit_and_push(remotes: &Remotes, mirror: &Path, url: &str) -> Result<git2::Oid, WriteError> {
    let repo = git2::Repository::open_bare(mirror).unwrap();
    let oid = commit_files(
        &repo,
        "main",
        &[("deploy.txt", Some(b"x\n"))],
        "deploy",
        AUTHOR,
    )
    .unwrap();
    git_write::push(remotes, &repo, url, "main").map(|()| oid)
}

#[test]
fn https_with_basic_auth_clones_fetches_and_pushes() {
    if !servers::available() {
        return;
    }
    let servers = Servers::new();
    let (origin, first) = origin(&servers, "env.git");
    let http = servers.http();
    let prefix = format!("http://127.0.0.1:{}/git/", http.port);
    let url = format!("{prefix}env.git");
    let good = remotes(vec![password(&servers, &prefix, PASSWORD, Scope::Both)]);
    let mirror = servers.path("mirror.git");

    mirror::fetch(&good, &url, &mirror).unwrap();
    assert_eq!(sha(&mirror, "main"), first.to_string(), "cloned");
    let second = commit_files(&origin, "main", &[("b", Some(b"b\n"))], "two", AUTHOR).unwrap();
    mirror::fetch(&good, &url, &mirror).unwrap();
    assert_eq!(
        sha(&mirror, "HEAD"),
        second.to_string(),
        "fetched, HEAD follows"
    );

    let pushed = commit_and_push(&good, &mirror, &url).unwrap();
    assert_eq!(
        sha(&servers.repos().join("env.git"), "main"),
        pushed.to_string()
    );
    // Someone else pushed first: refused as a lost race, never forced.
    commit_files(&origin, "main", &[("c", Some(b"c\n"))], "theirs", AUTHOR).unwrap();
    assert!(matches!(
        commit_and_push(&good, &mirror, &url),
        Err(WriteError::Rejected(_))
    ));

    // The wrong password, and none at all: the server says no; no secret in the text.
    let wrong = remotes(vec![password(
        &servers,
        &prefix,
        "not-the-password",
        Scope::Both,
    )]);
    let err = mirror::fetch(&wrong, &url, &servers.path("m2.git")).unwrap_err();
    assert!(err.contains("Authentication failed"), "{err}");
    assert!(!err.contains("not-the-password"), "{err}");
    let err = mirror::fetch(&Remotes::default(), &url, &servers.path("m3.git")).unwrap_err();
    assert!(err.contains("Authentication failed"), "{err}");
    // A password written into the URL never shows either.
    let inline = format!(
        "http://{USER}:leaked-in-url@127.0.0.1:{}/git/nope.git",
        http.port
    );
    let err = mirror::fetch(&Remotes::default(), &inline, &servers.path("m4.git")).unwrap_err();
    assert!(
        !err.contains("leaked-in-url") && err.contains("***@127.0.0.1"),
        "{err}"
    );
}

#[test]
fn read_and_push_credentials_are_separate() {
    if !servers::available() {
        return;
    }
    let servers = Servers::new();
    origin(&servers, "env.git");
    let http = servers.http();
    let prefix = format!("http://127.0.0.1:{}/git/", http.port);
    let url = format!("{prefix}env.git");
    let mirror = servers.path("mirror.git");
    let read = password(&servers, &prefix, PASSWORD, Scope::Read);
    let bad_push = password(&servers, &prefix, "wrong-push-secret", Scope::Push);
    let split = remotes(vec![read.clone(), bad_push]);
    mirror::fetch(&split, &url, &mirror).unwrap();
    // The push used the push credential (wrong here), not the read one.
    let err = commit_and_push(&split, &mirror, &url)
        .unwrap_err()
        .to_string();
    assert!(err.contains("Authentication failed"), "{err}");
    assert!(!err.contains("wrong-push-secret"), "{err}");
    // Read-only alone: nothing serves a push, so it goes anonymous and is refused.
    let err = commit_and_push(&remotes(vec![read.clone()]), &mirror, &url).unwrap_err();
    assert!(err.to_string().contains("Authentication failed"), "{err}");
    let push = password(&servers, &prefix, PASSWORD, Scope::Push);
    mirror::fetch(&split, &url, &mirror).unwrap();
    commit_and_push(&remotes(vec![read, push]), &mirror, &url).unwrap();
}

/// An SSH credential from a mounted-Secret-like directory (keys Argo CD uses), its key file
/// readable by others as mounted Secrets are (OpenSSH would refuse it as it is).
/// An sshd serving `repo`: the server (stops when dropped), the repository's URL, the URL
/// prefix its credential is for, and remotes holding the good key and known host key.
fn ssh_remote(servers: &Servers, repo: &str) -> (servers::Server, String, String, Remotes) {
    let ssh = servers.ssh();
    let url = servers.ssh_url(ssh.port, &servers.repos().join(repo));
    let prefix = format!(
        "ssh://{}",
        url.split("://").nth(1).unwrap().split('/').next().unwrap()
    );
    let good = remotes(vec![ssh_secret(
        servers,
        &prefix,
        "client_key",
        "known_hosts",
    )]);
    (ssh, url, prefix, good)
}

fn ssh_secret(servers: &Servers, prefix: &str, key: &str, known_hosts: &str) -> CredentialConfig {
    use std::os::unix::fs::PermissionsExt;
    let dir = servers.path(&format!("secret-{key}-{known_hosts}"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(servers.path(key), dir.join("sshPrivateKey")).unwrap();
    std::fs::set_permissions(
        dir.join("sshPrivateKey"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::fs::copy(servers.path(known_hosts), dir.join("known_hosts")).unwrap();
    CredentialConfig {
        url: prefix.into(),
        secret_dir: Some(dir),
        ..Default::default()
    }
}

#[test]
fn ssh_with_a_key_and_checked_host_key_clones_fetches_and_pushes() {
    if !servers::available() {
        return;
    }
    let servers = Servers::new();
    let (origin, first) = origin(&servers, "env.git");
    let (_ssh, url, prefix, good) = ssh_remote(&servers, "env.git");
    let mirror = servers.path("mirror.git");

    mirror::fetch(&good, &url, &mirror).unwrap();
    assert_eq!(sha(&mirror, "main"), first.to_string());
    let second = commit_files(&origin, "main", &[("b", Some(b"b\n"))], "two", AUTHOR).unwrap();
    mirror::fetch(&good, &url, &mirror).unwrap();
    assert_eq!(sha(&mirror, "main"), second.to_string());
    let pushed = commit_and_push(&good, &mirror, &url).unwrap();
    assert_eq!(
        sha(&servers.repos().join("env.git"), "main"),
        pushed.to_string()
    );

    let key = std::fs::read_to_string(servers.path("other_key")).unwrap();
    let wrong_key = remotes(vec![ssh_secret(
        &servers,
        &prefix,
        "other_key",
        "known_hosts",
    )]);
    let err = mirror::fetch(&wrong_key, &url, &servers.path("m2.git")).unwrap_err();
    assert!(err.contains("Permission denied"), "{err}");
    assert!(!err.contains(key.lines().nth(1).unwrap()), "{err}");

    let unknown = remotes(vec![ssh_secret(
        &servers,
        &prefix,
        "client_key",
        "other_known_hosts",
    )]);
    let err = mirror::fetch(&unknown, &url, &servers.path("m3.git")).unwrap_err();
    assert!(err.contains("Host key verification failed"), "{err}");
    // No credential: no key, and no host trusted either.
    let err = mirror::fetch(&Remotes::default(), &url, &servers.path("m4.git")).unwrap_err();
    assert!(err.contains("Host key verification failed"), "{err}");
}

#[test]
fn a_server_that_is_down_keeps_the_last_good_commit() {
    if !servers::available() {
        return;
    }
    let servers = Servers::new();
    let (_origin, first) = origin(&servers, "catalog.git");
    let mut http = servers.http();
    let prefix = format!("http://127.0.0.1:{}/git/", http.port);
    let cfg = SourceConfig {
        name: "platform".into(),
        location: SourceLocation::Git {
            url: format!("{prefix}catalog.git"),
            branch: "main".into(),
        },
        entry: None,
    };
    let ctx = ReadContext {
        cache_dir: servers.path("cache"),
        remotes: std::sync::Arc::new(remotes(vec![password(
            &servers,
            &prefix,
            PASSWORD,
            Scope::Read,
        )])),
        ..Default::default()
    };
    let read = refresh_source(&cfg, &SourceSnapshot::default(), &ctx);
    assert_eq!(read.source_error, None);
    assert_eq!(read.commit.as_deref(), Some(first.to_string().as_str()));
    assert_eq!(read.entities.len(), 1);

    http.stop();
    let down = refresh_source(&cfg, &read, &ctx);
    let error = down.source_error.clone().unwrap();
    assert!(
        error.contains("catalog.git") && error.contains("Failed to connect"),
        "{error}"
    );
    assert!(!error.contains(PASSWORD), "{error}");
    assert_eq!(down.commit, read.commit, "the last good commit stays");
    assert_eq!(down.entities, read.entities);

    // And an environment mirror over SSH: the error, and the mirror as it was.
    let (ssh, url, _, good) = ssh_remote(&servers, "catalog.git");
    let mirror = servers.path("mirror.git");
    mirror::fetch(&good, &url, &mirror).unwrap();
    drop(ssh);
    let err = mirror::fetch(&good, &url, &mirror).unwrap_err();
    assert!(err.contains("Connection refused"), "{err}");
    assert_eq!(sha(&mirror, "main"), first.to_string());
}

/// The whole path through the configuration: an environment repo over SSH, read by the
/// engine and written by a deploy, with the credential given as `[[git.credentials]]`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_is_pushed_to_an_ssh_environment_repo() {
    if !servers::available() {
        return;
    }
    let servers = Servers::new();
    let ssh = servers.ssh();
    let repo = common::deploy::bigenv::write_envs(&servers.repos(), 3, 2, 1).unwrap();
    let url = servers.ssh_url(ssh.port, &repo);
    let prefix = format!(
        "ssh://{}",
        url.split("://").nth(1).unwrap().split('/').next().unwrap()
    );
    let credential = CredentialConfig {
        url: prefix,
        ssh_key_file: Some(servers.path("client_key")),
        known_hosts_file: Some(servers.path("known_hosts")),
        ..Default::default()
    };
    let app = common::app_with(false, |config| {
        config.engine.sim_rollout_ms = 0;
        config.git.credentials = vec![credential];
        config.environments = vec![EnvironmentEntry {
            name: "live".into(),
            repo: url.clone(),
            root: common::deploy::bigenv::ROOT.into(),
            production: Some(true),
            ..Default::default()
        }];
    })
    .await;
    app.state.engine.reconcile_all().await;
    app.state.engine.spawn(Duration::from_millis(300));
    app.state.deploys.spawn_executor();
    let envs = app.state.engine.environments().await;
    assert_eq!(envs[0].error, None, "{envs:?}");
    assert_eq!(envs[0].apps, 4, "{envs:?}");

    let done = deploy(&app, "app-1", "9.0.0").await;
    assert_eq!(done.state, RequestState::Healthy, "{done:#?}");
    let origin = git2::Repository::open(&repo).unwrap();
    let head = origin.refname_to_id("refs/heads/main").unwrap();
    assert_eq!(
        head.to_string(),
        done.commit.unwrap().sha,
        "pushed over SSH"
    );

    // The server goes away: the push fails with the reason, the remote is untouched, and the
    // environment shows the fetch error while keeping the commit it had.
    drop(ssh);
    let failed = deploy(&app, "app-2", "9.0.0").await;
    assert_eq!(failed.state, RequestState::Failed, "{failed:#?}");
    let message = failed.message.unwrap_or_default();
    assert!(message.contains("Connection refused"), "{message}");
    assert_eq!(origin.refname_to_id("refs/heads/main").unwrap(), head);
    app.state.engine.reconcile_all().await;
    let envs = app.state.engine.environments().await;
    let error = envs[0].error.clone().unwrap_or_default();
    assert!(error.contains("Connection refused"), "{error}");
    let tree = app.state.engine.tree("live").await.unwrap();
    assert!(tree.nodes.iter().any(|n| n.id == "app:app-1"));
}

async fn deploy(app: &common::TestApp, name: &str, tag: &str) -> RequestView {
    let deploys = app.state.services().deploys;
    let new = NewRequest {
        environment: "live".into(),
        app: name.into(),
        change: Change::SetImage {
            tag: tag.into(),
            container: None,
        },
        reason: "remote".into(),
        supersede: false,
    };
    let id = deploys
        .create(&app.caller("jonas.becker"), new)
        .await
        .unwrap()
        .id;
    deploys
        .decide(&app.caller("elena.petrova"), &id, true, "")
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let view = deploys.get(&app.caller("jonas.becker"), &id).await.unwrap();
        if view.state.is_terminal() {
            return view;
        }
        assert!(Instant::now() < deadline, "{view:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

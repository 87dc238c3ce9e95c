//! Several replicas on one PostgreSQL database, as real processes reaching one cluster (an
//! emulator this test serves on loopback, named by a kubeconfig context): the leader is killed
//! with SIGKILL in the middle of an auto-sync, and later in the middle of a deploy request's
//! sync; each time another replica takes the lease over within 10 s (a 3 s lease), the
//! interrupted sync is marked so and done again once, the request ends `healthy` with one
//! commit and one completed deploy sync, no auto-sync runs twice for the same commit, and the
//! audit chain verifies. A follower's pages show what the leader synced long before its own
//! next pass (the time is printed: target 2 s)
//! (LISTEN/NOTIFY), though its own passes are a minute apart. `/metrics` shows who leads.
//! Skips without `ATRIUM_TEST_POSTGRES_URL`, like the other PostgreSQL tests. Also: a second
//! process on one SQLite database is refused.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use atrium_server::cluster::sim::{Sim, SimConfig};
use atrium_server::store::syncs::SyncRow;
use atrium_server::store::Store;
use common::process::{
    api_token, commits_with_trailer, free_port, http, serve_command, wait_for, Server,
};

const LEASE_SECS: u64 = 3;
/// How long a takeover may take, as the issue asks.
const TAKEOVER: Duration = Duration::from_secs(10);
const ENV: &str = "staging";

struct Setup {
    data: PathBuf,
    database: String,
    kubeconfig: PathBuf,
}

impl Setup {
    /// A replica, ready to serve; `pause_at` stops it for good at that point (to kill it
    /// there), touching `<data>/paused-<name>`.
    fn start(&self, name: &str, pause_at: Option<&str>) -> Server {
        self.start_with(name, pause_at, 1)
    }

    /// [`Setup::start`] with passes `interval_secs` apart.
    fn start_with(&self, name: &str, pause_at: Option<&str>, interval_secs: u64) -> Server {
        let port = free_port();
        // Its logs, for a failure to show.
        let log = std::fs::File::create(self.data.join(format!("{name}.log"))).unwrap();
        let mut command = serve_command(&self.data, port);
        command
            .env("DATABASE_URL", &self.database)
            .env("KUBECONFIG", &self.kubeconfig)
            .env("ATRIUM_ENGINE__INTERVAL_SECS", interval_secs.to_string())
            .env("ATRIUM_ENGINE__LEASE_SECS", LEASE_SECS.to_string())
            .env(
                "RUST_LOG",
                std::env::var("ATRIUM_TEST_REPLICA_LOG").unwrap_or("warn".into()),
            )
            .stdout(
                log.try_clone()
                    .map(Stdio::from)
                    .unwrap_or_else(|_| Stdio::null()),
            )
            .stderr(Stdio::from(log));
        if let Some(point) = pause_at {
            command
                .env("ATRIUM_TEST_PAUSE_AT", point)
                .env("ATRIUM_TEST_PAUSE_FILE", self.paused(name));
        }
        Server::start(&mut command, port)
    }

    fn paused(&self, name: &str) -> PathBuf {
        self.data.join(format!("paused-{name}"))
    }
}

/// A metric's value from `/metrics` (the first line with that name and these labels).
fn metric(server: &Server, name: &str) -> Option<f64> {
    let (status, body) = http("GET", &format!("{}/metrics", server.base), None, None)?;
    (status == 200).then_some(())?;
    body.lines()
        .find(|l| l.starts_with(name) && l[name.len()..].starts_with([' ', '{']))
        .filter(|l| !l.starts_with('#'))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

fn leads(server: &Server) -> bool {
    metric(server, "atrium_engine_leader") == Some(1.0)
}

/// Waits until `server` leads, within [`TAKEOVER`] of `since`.
fn takes_over(server: &Server, since: Instant) {
    let deadline = since + TAKEOVER;
    while !leads(server) {
        assert!(
            Instant::now() < deadline,
            "{} did not take over within {TAKEOVER:?}",
            server.base
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `(app, sync, version)` of every app of the environment, as the API shows them.
fn apps(server: &Server, token: &str) -> Vec<(String, String, String)> {
    let Some((200, body)) = http(
        "GET",
        &format!("{}/api/v1/environments/{ENV}/apps", server.base),
        Some(token),
        None,
    ) else {
        return Vec::new();
    };
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let list = json
        .as_array()
        .or_else(|| json["apps"].as_array())
        .cloned()
        .unwrap_or_default();
    list.iter()
        .map(|a| {
            let field = |k: &str| a[k].as_str().unwrap_or_default().to_string();
            (field("name"), field("sync"), field("version"))
        })
        .collect()
}

/// Every sync of every app (the root and nested App of Apps too) of the environment.
fn all_syncs(runtime: &tokio::runtime::Runtime, store: &Store) -> Vec<SyncRow> {
    use sqlx::Row;
    runtime.block_on(async {
        let apps: Vec<String> = sqlx::query("SELECT DISTINCT app FROM syncs WHERE env = $1")
            .bind(ENV)
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("app"))
            .collect();
        let mut all = Vec::new();
        for app in &apps {
            all.extend(store.recent_syncs(ENV, app, 500).await.unwrap());
        }
        all
    })
}

/// No app was auto-synced to success twice at one revision.
fn no_auto_sync_twice(syncs: &[SyncRow]) {
    let mut seen: HashMap<(&str, Option<&str>), usize> = HashMap::new();
    for s in syncs
        .iter()
        .filter(|s| s.trigger == "auto" && s.result == "succeeded")
    {
        *seen.entry((&s.app, s.revision.as_deref())).or_default() += 1;
    }
    let twice: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "auto-synced twice: {twice:?}");
}

/// The last lines of a replica's log (`ATRIUM_TEST_REPLICA_LOG` sets its `RUST_LOG`).
fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Polls `check` every 20 ms until it answers `true`; when it did.
fn wait_until(timeout: Duration, mut check: impl FnMut() -> bool) -> Instant {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(20));
    }
    Instant::now()
}

/// Commit a new image tag for one plain-directory app of the environment: `(app, tag,
/// commit)`.
fn bump_version(repo: &Path) -> (String, String, String) {
    use atrium_server::demo::environments::{
        demo_apps, demo_env_files, demo_version, KUSTOMIZE_APPS,
    };
    let files = demo_env_files(ENV);
    let (app, path, content) = demo_apps()
        .into_iter()
        .filter(|a| !KUSTOMIZE_APPS.contains(&a.name))
        .find_map(|a| {
            let path = format!("services/{}/deployment.yaml", a.name);
            let (_, content) = files.iter().find(|(p, _)| *p == path)?;
            content.contains(&demo_version(a.name, ENV)).then(|| {
                (
                    a.name,
                    path,
                    content.replace(&demo_version(a.name, ENV), "9.9.9"),
                )
            })
        })
        .expect("a plain app with its version in its deployment");
    let git = atrium_server::demo::git::open_or_init(repo, "main").unwrap();
    let commit = atrium_server::demo::git::commit_files(
        &git,
        "main",
        &[(path.as_str(), Some(content.as_bytes()))],
        "Bump",
        ("Test", "test@atrium.invalid"),
    )
    .unwrap();
    (app.to_string(), "9.9.9".to_string(), commit.to_string())
}

#[test]
fn a_killed_leader_is_replaced_and_nothing_is_lost_or_done_twice() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let Some(database) = runtime.block_on(common::store::postgres_url()) else {
        return;
    };
    // The one cluster every replica reaches.
    let (_sim, cluster_port) = runtime.block_on(async {
        let sim = Sim::start(SimConfig {
            rollout_delay: Duration::ZERO,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let router = sim.router();
        tokio::spawn(async move { axum::serve(listener, router).await });
        (sim, port)
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    let kubeconfig = data.join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: shared\n  cluster:\n    server: \
             http://127.0.0.1:{cluster_port}\ncontexts:\n- name: shared\n  context:\n    \
             cluster: shared\n    user: atrium\nusers:\n- name: atrium\n  user:\n    token: t\n\
             current-context: shared\n"
        ),
    )
    .unwrap();
    // The demo's staging repository, on the shared cluster.
    atrium_server::demo::environments::ensure_demo_environments(&data).unwrap();
    let repo = data.join("repos/env-staging.git");
    std::fs::write(
        data.join("atrium.toml"),
        format!(
            "[[environments]]\nname = \"{ENV}\"\nrepo = \"{}\"\nroot = \"apps/root.yaml\"\n\
             cluster = \"shared\"\n\n[[repos]]\nurl = \"{}\"\npath = \"{}\"\n",
            repo.display(),
            atrium_server::demo::environments::env_repo_url(ENV),
            repo.display()
        ),
    )
    .unwrap();
    let setup = Setup {
        data: data.clone(),
        database: database.clone(),
        kubeconfig,
    };
    let store = runtime.block_on(Store::connect(&database)).unwrap();

    // A leads, and stops in the middle of its first auto-sync; B follows.
    let a = setup.start("a", Some("auto-syncing"));
    wait_for(TAKEOVER, || leads(&a));
    let b = setup.start("b", None);
    assert!(!leads(&b), "two leaders");
    wait_for(Duration::from_secs(60), || setup.paused("a").exists());
    let token = api_token(&data, Some(&database));
    // B renders and reads the cluster too (its pages have trees), without syncing.
    wait_for(Duration::from_secs(60), || apps(&b, &token).len() > 3);
    let syncs = all_syncs(&runtime, &store);
    let running: Vec<&SyncRow> = syncs.iter().filter(|s| s.result == "running").collect();
    assert_eq!(
        running.len(),
        1,
        "A is in the middle of one sync: {syncs:#?}"
    );
    let cut = running[0].app.clone();
    drop(a); // SIGKILL
    let killed = Instant::now();
    takes_over(&b, killed);
    assert_eq!(
        metric(&b, "atrium_engine_lease_changes_total{change=\"acquired\"}"),
        Some(1.0)
    );

    // B marks A's sync interrupted and syncs every app, the cut one once.
    wait_for(Duration::from_secs(90), || {
        let listed = apps(&b, &token);
        !listed.is_empty() && listed.iter().all(|(_, sync, _)| sync == "Synced")
    });
    let syncs = all_syncs(&runtime, &store);
    let of_cut: Vec<_> = syncs.iter().filter(|s| s.app == cut).collect();
    let mut results: Vec<_> = of_cut.iter().map(|s| s.result.as_str()).collect();
    results.sort();
    assert_eq!(results, ["interrupted", "succeeded"], "{of_cut:#?}");
    assert!(syncs.iter().all(|s| s.result != "running"), "{syncs:#?}");
    no_auto_sync_twice(&syncs);

    // C follows, with passes 60 s apart: what B's engine syncs reaches C's pages well before
    // C's own next pass only because B tells it. The 2 s target is a reported figure, not an
    // assertion: a timed bound that tight fails by luck on a loaded machine.
    let c = setup.start_with("c", Some("deploy-syncing"), 60);
    assert!(!leads(&c), "two leaders");
    wait_for(Duration::from_secs(60), || apps(&c, &token).len() > 3);
    let (bumped, version, revision) = bump_version(&repo);
    let synced_at = wait_until(Duration::from_secs(60), || {
        all_syncs(&runtime, &store).iter().any(|s| {
            s.app == bumped
                && s.trigger == "auto"
                && s.result == "succeeded"
                && s.revision.as_deref() == Some(&revision)
        })
    });
    let seen = wait_until(Duration::from_secs(60), || {
        apps(&c, &token)
            .iter()
            .any(|(name, sync, v)| *name == bumped && *v == version && sync == "Synced")
    });
    eprintln!("C showed B's sync {:?} after it", seen - synced_at);
    assert!(
        seen - synced_at <= Duration::from_secs(30),
        "C showed B's sync {:?} after it; C's log ends:\n{}",
        seen - synced_at,
        log_tail(&data.join("c.log"))
    );

    // C leads once B is killed; D follows. C stops in the middle of a request.
    drop(b);
    takes_over(&c, Instant::now());
    let d = setup.start("d", None);
    assert!(!leads(&d), "two leaders");
    wait_for(Duration::from_secs(60), || apps(&d, &token).len() > 3);
    let id = d.request_deploy(&token, "replica test");
    wait_for(Duration::from_secs(60), || setup.paused("c").exists());
    drop(c); // SIGKILL, the request `syncing`, its sync started and never finished
    takes_over(&d, Instant::now());
    let deadline = Instant::now() + Duration::from_secs(90);
    let (state, detail) = loop {
        if let Some((state, body)) = d.request_state(&token, &id) {
            if matches!(state.as_str(), "healthy" | "degraded" | "failed") {
                break (state, body);
            }
        }
        assert!(Instant::now() < deadline, "request {id} did not finish");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(state, "healthy", "{detail}");
    let commits = commits_with_trailer(&repo, &id);
    assert_eq!(commits.len(), 1, "one commit for the request");
    let syncs = all_syncs(&runtime, &store);
    let at_commit: Vec<_> = syncs
        .iter()
        .filter(|s| s.app == "checkout-service" && s.revision.as_deref() == Some(&commits[0]))
        .collect();
    let mut at_commit: Vec<_> = at_commit
        .iter()
        .map(|s| (s.trigger.as_str(), s.result.as_str()))
        .collect();
    at_commit.sort();
    assert_eq!(
        at_commit,
        [("deploy", "interrupted"), ("deploy", "succeeded")],
        "C's sync of the commit interrupted, D's done once, none by auto-sync"
    );
    no_auto_sync_twice(&syncs);
    drop(d);

    let report = runtime.block_on(store.verify_audit()).unwrap();
    assert!(report.is_ok(), "{report:?}");
}

/// SQLite is for one process: a second `atrium serve` on the same database refuses to start
/// and says why; once the first is gone (killed), a new one starts.
#[test]
fn a_second_process_on_one_sqlite_database_refuses_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let serve = |port: u16| serve_command(data, port);
    let port = free_port();
    let first = Server::start(
        serve(port).stdout(Stdio::null()).stderr(Stdio::null()),
        port,
    );
    let second = serve(free_port()).output().unwrap();
    assert!(!second.status.success());
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(
        said.contains("another Atrium process") && said.contains("atrium.db.lock"),
        "{said}"
    );
    drop(first); // SIGKILL: the lock goes with the process
    let port = free_port();
    Server::start(
        serve(port).stdout(Stdio::null()).stderr(Stdio::null()),
        port,
    );
}

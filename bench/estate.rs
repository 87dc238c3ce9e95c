//! Estate benchmark: the whole estate in one release `atrium serve` process, measured from the
//! outside (RSS from `/proc/<pid>/status`, readiness from `/readyz`, sync state from
//! `/metrics`), as an operator would see it.
//!
//! cargo build --release -p atrium-server --bin atrium --bin atrium-estate-bench
//! target/release/atrium-estate-bench [--entities 100000] [--envs 3] [--apps 2000]
//!     [--resources 10] [--idle-secs 600] [--default-idle-secs 60] [--skip-estate] [--keep DIR]
//!     [--in-process-sim] [--wrap 'heaptrack -o FILE']
//!
//! Three runs, each a fresh data directory and a real child process:
//! 1. **catalog**: the synthetic catalog of `--entities` entities (the search benchmark's corpus,
//!    as descriptor files in a directory source): first start to ready, RSS, 1,000 searches
//!    through the HTTP API, RSS again; then a restart on the same database with the source
//!    unchanged: start to ready and RSS.
//! 2. **estate**: the same catalog plus `--envs` environments of `--apps` × `--resources` on the
//!    simulated cluster: RSS after start, once every app is synced and healthy, and after
//!    `--idle-secs` of idle reconcile (sampled every 10 s: the largest sample is printed too).
//!    Each environment's cluster is an emulator served on loopback by this bench process and
//!    reached through a kubeconfig context, as a real API server is: its objects are not in
//!    Atrium's RSS, as a real cluster's are not. `--in-process-sim` uses `cluster = "sim"`
//!    instead (the embedded emulator, inside the measured process).
//!
//! `--wrap CMD` starts each server as `CMD atrium …` (a profiler such as heaptrack); figures are
//! then read from the `atrium` process under it, and it is stopped with SIGKILL so the
//! profiler's "leaked" report is what was live at that moment.
//! 3. **embedded default**: `atrium serve` with no configuration (demo catalog, demo
//!    environments, SQLite): RSS after `--default-idle-secs` idle.

mod bigenv;
// The search benchmark's corpus; only its generator and queries are used here.
#[allow(dead_code)]
mod corpus;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use atrium_server::cluster::sim::{self, SimConfig};
use bigenv::arg;

const QUERIES: usize = 1000;

// Multi-threaded: with `--in-process-sim` off, this process serves the emulators.
#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let entities = arg("--entities", 100_000);
    let envs = arg("--envs", 3);
    let apps = arg("--apps", 2000);
    let per_app = arg("--resources", 10);
    let idle = Duration::from_secs(arg("--idle-secs", 600) as u64);
    let default_idle = Duration::from_secs(arg("--default-idle-secs", 60) as u64);
    let skip_estate = std::env::args().any(|a| a == "--skip-estate");
    let in_process_sim = std::env::args().any(|a| a == "--in-process-sim");
    let atrium = std::env::current_exe()?.with_file_name("atrium");
    anyhow::ensure!(
        atrium.exists(),
        "{} is missing: cargo build --release -p atrium-server --bin atrium",
        atrium.display()
    );
    // `--keep DIR`: work there and leave it (the server logs) behind.
    let scratch = tempfile::tempdir_in("/var/tmp")?;
    let work = std::env::args()
        .skip_while(|a| a != "--keep")
        .nth(1)
        .map_or_else(|| scratch.path().to_path_buf(), PathBuf::from);
    let catalog = work.join("catalog");
    let corpus = corpus::generate(entities, 7);
    // As a real estate lays it out: one `catalog-info.yaml` per repository, ten entities each
    // (10,000 files for 100,000 entities), found by the source's default entry.
    let documents: Vec<String> = corpus::yaml_files(&corpus)
        .into_iter()
        .filter(|(path, _)| path.starts_with("entities/"))
        .flat_map(|(_, yaml)| documents(&yaml))
        .collect();
    for (i, chunk) in documents.chunks(10).enumerate() {
        let dir = catalog.join(format!("repos/r{i:05}"));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("catalog-info.yaml"), chunk.join("---\n"))?;
    }
    let queries = corpus::queries(&corpus, QUERIES, 7);
    drop(corpus);
    let source = format!(
        "\n[catalog]\nrefresh_interval_secs = 300\n\n[[catalog.sources]]\nname = \"bench\"\n\
         dir = \"{}\"\n",
        catalog.display()
    );
    println!("Estate benchmark: release `atrium serve`, one process, measured from outside\n");

    // 1. The catalog alone: `environments = []`, so no demo environments come with it.
    let dir = work.join("catalog-only");
    let config = write_config(&dir, &format!("environments = []\n{source}"))?;
    println!("## {entities} catalog entities (directory source, `environments = []`)");
    let server = Server::start(&atrium, &config, &dir, apps)?;
    let ready = server.ready(Duration::from_secs(300)).await?;
    let entities_loaded = server.metric("atrium_catalog_entities").await?;
    row("first start → ready", secs(ready));
    row("entities loaded", format!("{entities_loaded:.0}"));
    row("RSS when ready", server.rss_parts());
    let session = server.sign_in().await?;
    let searched = server.search(&session, &queries).await?;
    row(
        &format!("{QUERIES} searches over HTTP, median"),
        format!("{:.2} ms", searched.as_secs_f64() * 1000.0),
    );
    row(&format!("RSS after {QUERIES} searches"), server.rss_parts());
    server.stop();
    let server = Server::start(&atrium, &config, &dir, apps)?;
    let ready = server.ready(Duration::from_secs(300)).await?;
    row("restart (source unchanged) → ready", secs(ready));
    row("RSS when ready after restart", mb(server.rss()));
    tokio::time::sleep(Duration::from_secs(15)).await;
    row("RSS 15 s later (first refresh done)", server.rss_parts());
    server.stop();

    // 2. The whole estate.
    if !skip_estate {
        let dir = work.join("estate");
        bigenv::write_envs(&dir, apps, per_app, envs)?;
        let config = dir.join("atrium.toml");
        let mut toml = std::fs::read_to_string(&config)?;
        // Kept alive (served) until the estate run ends.
        let mut sims = Vec::new();
        let mut kubeconfig = None;
        if !in_process_sim {
            let (clusters, served) = external_clusters(&toml).await?;
            toml = clusters.toml;
            let path = dir.join("kubeconfig");
            std::fs::write(&path, clusters.kubeconfig)?;
            kubeconfig = Some(path);
            sims = served;
        }
        toml.push_str(&source);
        std::fs::write(&config, toml)?;
        println!(
            "\n## estate: {entities} entities + {envs} environments × {apps} apps × {per_app} \
             resources ({})",
            if in_process_sim {
                "simulated clusters inside the measured process"
            } else {
                "simulated clusters served by the bench process, over HTTP"
            }
        );
        let server = Server::start_with(&atrium, &config, &dir, apps, kubeconfig.as_deref())?;
        let ready = server.ready(Duration::from_secs(300)).await?;
        row("start → ready", secs(ready));
        row("RSS when ready", server.rss_parts());
        let synced = server
            .synced(envs * apps, Duration::from_secs(1800))
            .await?;
        row(
            &format!("start → all {} apps synced and healthy", envs * apps),
            secs(synced),
        );
        row("RSS when all synced", server.rss_parts());
        let (_, peak) = server.idle(idle).await;
        row(
            &format!("RSS after {} s idle reconcile", idle.as_secs()),
            server.rss_parts(),
        );
        row("largest RSS sample while idle", mb(peak));
        row("peak RSS (VmHWM)", mb(server.peak()));
        server.stop();
        drop(sims);
    }

    // 3. The embedded default.
    let dir = work.join("default");
    let config = write_config(&dir, "")?;
    println!("\n## embedded default (demo catalog and environments, SQLite)");
    let server = Server::start(&atrium, &config, &dir, apps)?;
    let ready = server.ready(Duration::from_secs(120)).await?;
    row("start → ready", secs(ready));
    let (_, peak) = server.idle(default_idle).await;
    row(
        &format!("RSS {} s after ready", default_idle.as_secs()),
        server.rss_parts(),
    );
    row("largest RSS sample", mb(peak));
    server.stop();
    Ok(())
}

/// `<dir>/atrium.toml`: a data directory of its own under `dir`, then `extra`.
fn write_config(dir: &Path, extra: &str) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let config = dir.join("atrium.toml");
    let data = dir.join("data");
    std::fs::write(
        &config,
        format!("data_dir = \"{}\"\n{extra}", data.display()),
    )?;
    Ok(config)
}

/// The estate's clusters outside the measured process.
struct External {
    /// The configuration, each environment given `cluster = "<its context>"`.
    toml: String,
    /// One context per environment, each an emulator on loopback.
    kubeconfig: String,
}

/// Serves one emulator per environment of `toml` (as `bigenv` writes it, rollouts taking
/// 500 ms like its `sim_rollout_ms`) and points each environment at its own.
async fn external_clusters(toml: &str) -> anyhow::Result<(External, Vec<sim::Served>)> {
    let mut out = String::new();
    let mut kubeconfig = String::from("apiVersion: v1\nkind: Config\nclusters:\n");
    let mut contexts = String::from("contexts:\n");
    let mut served = Vec::new();
    for line in toml.lines() {
        out.push_str(line);
        out.push('\n');
        let Some(name) = line
            .strip_prefix("name = \"")
            .and_then(|n| n.strip_suffix('"'))
        else {
            continue;
        };
        let sim = sim::serve(
            ([127, 0, 0, 1], 0).into(),
            SimConfig {
                rollout_delay: Duration::from_millis(500),
            },
        )
        .await?;
        let context = format!("sim-{name}");
        out.push_str(&format!("cluster = \"{context}\"\n"));
        kubeconfig.push_str(&format!(
            "- name: {context}\n  cluster:\n    server: {}\n",
            sim.url()
        ));
        contexts.push_str(&format!(
            "- name: {context}\n  context:\n    cluster: {context}\n    user: bench\n"
        ));
        served.push(sim);
    }
    kubeconfig.push_str(&contexts);
    kubeconfig.push_str("users:\n- name: bench\n  user: {}\n");
    Ok((
        External {
            toml: out,
            kubeconfig,
        },
        served,
    ))
}

/// The YAML documents of a multi-document file (`---` lines between them).
fn documents(yaml: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    for line in yaml.lines() {
        if line == "---" {
            out.push(String::new());
        } else {
            let doc = out.last_mut().expect("one document");
            doc.push_str(line);
            doc.push('\n');
        }
    }
    out.retain(|d| !d.trim().is_empty());
    out
}

fn row(what: &str, value: String) {
    println!("| {what:<44} | {value:>36} |");
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn mb(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1024.0)
}

/// One `atrium serve` child on a free loopback port, its output in `<dir>/server-N.log`.
struct Server {
    child: Child,
    base: String,
    started: Instant,
    http: reqwest::Client,
}

impl Server {
    fn start(atrium: &Path, config: &Path, dir: &Path, apps: usize) -> anyhow::Result<Server> {
        Self::start_with(atrium, config, dir, apps, None)
    }

    /// [`start`](Self::start) with `KUBECONFIG` set to `kubeconfig`.
    fn start_with(
        atrium: &Path,
        config: &Path,
        dir: &Path,
        apps: usize,
        kubeconfig: Option<&Path>,
    ) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let log = next_log(dir);
        let wrap: Vec<String> = std::env::args()
            .skip_while(|a| a != "--wrap")
            .nth(1)
            .map(|w| w.split_whitespace().map(String::from).collect())
            .unwrap_or_default();
        let mut command = match wrap.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(atrium);
                c
            }
            None => Command::new(atrium),
        };
        if let Some(path) = kubeconfig {
            command.env("KUBECONFIG", path);
        }
        let child = command
            .arg("--config")
            .arg(config)
            .arg("serve")
            .env("ATRIUM_LISTEN", format!("127.0.0.1:{port}"))
            .env("ATRIUM_ENGINE__MAX_APPS", (apps + 1).to_string())
            .env("ATRIUM_HTTP__REQUESTS_PER_MINUTE", "1000000")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log)?)
            .stderr(std::fs::File::create(log.with_extension("err"))?)
            .spawn()?;
        Ok(Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            started: Instant::now(),
            http: reqwest::Client::new(),
        })
    }

    fn status(&self, field: &str) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    fn rss(&self) -> u64 {
        self.status("VmRSS:")
    }

    /// RSS split: anonymous (heap, stacks) and file-backed (the binary's pages in use).
    fn rss_parts(&self) -> String {
        format!(
            "{} = anon {} + file {}",
            mb(self.rss()),
            mb(self.status("RssAnon:")),
            mb(self.status("RssFile:") + self.status("RssShmem:"))
        )
    }

    fn peak(&self) -> u64 {
        self.status("VmHWM:")
    }

    /// Time from the process start until `/readyz` answers 200.
    async fn ready(&self, limit: Duration) -> anyhow::Result<Duration> {
        loop {
            let answer = self.http.get(format!("{}/readyz", self.base)).send().await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                return Ok(self.started.elapsed());
            }
            anyhow::ensure!(
                self.started.elapsed() < limit,
                "not ready after {limit:?} (see the server log)"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// One value of `/metrics`, summed over its label sets.
    async fn metric(&self, name: &str) -> anyhow::Result<f64> {
        Ok(self.metrics().await?.get(name).copied().unwrap_or(0.0))
    }

    /// `/metrics` as `name{labels}` → value, plus `name` → the sum over its label sets.
    async fn metrics(&self) -> anyhow::Result<HashMap<String, f64>> {
        let text = self
            .http
            .get(format!("{}/metrics", self.base))
            .send()
            .await?
            .text()
            .await?;
        let mut out = HashMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let Some((key, value)) = line.rsplit_once(' ') else {
                continue;
            };
            let Ok(value) = value.parse::<f64>() else {
                continue;
            };
            let name = key.split('{').next().unwrap_or(key);
            *out.entry(name.to_string()).or_default() += value;
            out.insert(key.to_string(), value);
        }
        Ok(out)
    }

    /// Time from start until `apps` apps are Synced and Healthy (`atrium_apps`).
    async fn synced(&self, apps: usize, limit: Duration) -> anyhow::Result<Duration> {
        let mut last = 0.0;
        loop {
            let metrics = self.metrics().await?;
            let good: f64 = metrics
                .iter()
                .filter(|(k, _)| {
                    k.starts_with("atrium_apps{")
                        && k.contains("sync=\"Synced\"")
                        && k.contains("health=\"Healthy\"")
                })
                .map(|(_, v)| v)
                .sum();
            if good >= apps as f64 {
                return Ok(self.started.elapsed());
            }
            if good != last {
                eprintln!(
                    "   {:>5.0} s: {good} of {apps} apps synced and healthy",
                    self.started.elapsed().as_secs_f64()
                );
                last = good;
            }
            anyhow::ensure!(
                self.started.elapsed() < limit,
                "only {good} of {apps} apps synced and healthy after {limit:?}"
            );
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    }

    /// Waits `span`, sampling RSS every 10 s: (the last sample, the largest).
    async fn idle(&self, span: Duration) -> (u64, u64) {
        let until = Instant::now() + span;
        let mut peak = self.rss();
        while Instant::now() < until {
            let left = until.saturating_duration_since(Instant::now());
            tokio::time::sleep(left.min(Duration::from_secs(10))).await;
            peak = peak.max(self.rss());
        }
        (self.rss(), peak)
    }

    /// The demo sign-in (loopback only): the session cookie.
    async fn sign_in(&self) -> anyhow::Result<String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let reply = client
            .post(format!("{}/auth/demo", self.base))
            .header("Origin", &self.base)
            .form(&[("user", "jonas.becker"), ("next", "/")])
            .send()
            .await?;
        let cookies: Vec<String> = reply
            .headers()
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next().map(str::to_string))
            .collect();
        anyhow::ensure!(
            !cookies.is_empty(),
            "demo sign-in answered {} without a session",
            reply.status()
        );
        Ok(cookies.join("; "))
    }

    /// The search page's request for every query (first page of 25): the median latency.
    async fn search(
        &self,
        cookie: &str,
        queries: &[corpus::BenchQuery],
    ) -> anyhow::Result<Duration> {
        let mut samples = Vec::with_capacity(queries.len());
        for q in queries {
            let body = serde_json::json!({"req": {
                "q": q.text,
                "filters": q.filters,
                "limit": 25,
                "offset": 0,
            }});
            let t = Instant::now();
            let reply = self
                .http
                .post(format!("{}/api/catalog/search", self.base))
                .header("Origin", &self.base)
                .header("Cookie", cookie)
                .json(&body)
                .send()
                .await?;
            let status = reply.status();
            let text = reply.text().await?;
            samples.push(t.elapsed());
            anyhow::ensure!(status.is_success(), "search answered {status}: {text}");
        }
        samples.sort();
        Ok(samples[samples.len() / 2])
    }

    /// The `atrium` process: the child, or under `--wrap` the descendant named `atrium`.
    fn pid(&self) -> u32 {
        let mut queue = vec![self.child.id()];
        while let Some(pid) = queue.pop() {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            if comm.trim() == "atrium" {
                return pid;
            }
            let children = std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
                .unwrap_or_default();
            queue.extend(
                children
                    .split_whitespace()
                    .filter_map(|c| c.parse::<u32>().ok()),
            );
        }
        self.child.id()
    }

    fn stop(mut self) {
        if self.pid() != self.child.id() {
            let _ = Command::new("kill")
                .args(["-9", &self.pid().to_string()])
                .status();
            let _ = self.child.wait();
            return;
        }
        // SIGTERM: the graceful shutdown an operator's restart gives.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

/// `<dir>/server-N.log` for the first N not yet taken.
fn next_log(dir: &Path) -> PathBuf {
    (1..)
        .map(|n| dir.join(format!("server-{n}.log")))
        .find(|p| !p.exists())
        .expect("a free log name")
}

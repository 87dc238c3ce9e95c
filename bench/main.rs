//! `atrium-bench`: catalog ingest and search figures on synthetic catalogs, side by side with
//! Backstage's default search engine (Lunr) on the same corpus and queries.
//!
//! For each size (default 10k and 100k entities) it generates a deterministic catalog
//! ([`corpus`]), writes it as descriptor files and ingests them through the real reader
//! (`refresh_source` + `assemble`), builds the search index, and times a fixed mix of 1,000
//! queries (prefix, whole word, typo, multi-word, faceted) after a warm-up of 100 of them. It
//! then writes the same entities as Backstage catalog-collator documents plus the same queries,
//! and runs `node bench/lunr/bench.mjs` (installing its pinned npm dependencies on first use).
//! Last, it compares edge n-grams with the automaton prefix walk on the same words ([`ngram`]).
//!
//! ```text
//! cargo run --release -p atrium-server --bin atrium-bench -- [--sizes 10000] [--queries 1000]
//!     [--no-lunr] [--no-ngram]
//! cargo run --release -p atrium-server --bin atrium-bench -- --validate [--files 10000]
//!     [--runs 7] [--atrium PATH] [--baseline PATH] [--no-node] [--write-dir DIR]
//! ```
//!
//! `--validate` times `atrium catalog validate` on a folder of descriptor files instead
//! ([`validate`]).

mod corpus;
mod ngram;
mod validate;

/// Queries run before timing starts, on both engines.
const WARM_UP: usize = 100;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;
use serde_json::{json, Value};

use atrium_server::catalog::assemble::assemble;
use atrium_server::catalog::search::{Facet, Query, SearchIndex};
use atrium_server::catalog::source::{refresh_source, ReadContext, SourceConfig, SourceLocation};

#[derive(Parser)]
#[command(about = "Catalog ingest/search benchmark, Atrium vs Backstage's Lunr engine")]
struct Args {
    /// Catalog sizes (entities), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
    sizes: Vec<usize>,
    /// Queries in the timed mix.
    #[arg(long, default_value_t = 1000)]
    queries: usize,
    /// Seed of the corpus and query generators.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Skip the Backstage (Node) side.
    #[arg(long)]
    no_lunr: bool,
    /// Skip the edge-n-gram vs automaton-prefix comparison.
    #[arg(long)]
    no_ngram: bool,
    /// Time `atrium catalog validate` on descriptor files (one entity each) instead, against
    /// Backstage's validators in Node.
    #[arg(long)]
    validate: bool,
    /// `--validate`: descriptor files written.
    #[arg(long, default_value_t = 10_000)]
    files: usize,
    /// `--validate`: timed runs of each side, after one warm-up.
    #[arg(long, default_value_t = 7)]
    runs: usize,
    /// `--validate`: the `atrium` binary (default: the one next to this bench).
    #[arg(long)]
    atrium: Option<std::path::PathBuf>,
    /// `--validate`: skip the Backstage (Node) side.
    #[arg(long)]
    no_node: bool,
    /// `--validate`: write the descriptor files to DIR (emptied first) and keep them.
    #[arg(long, value_name = "DIR")]
    write_dir: Option<std::path::PathBuf>,
    /// `--validate`: another `atrium` binary (an older build) timed in the same rounds.
    #[arg(long, value_name = "PATH")]
    baseline: Option<std::path::PathBuf>,
}

/// Atrium's figures for one size.
struct Atrium {
    entities: usize,
    ingest: Duration,
    ingest_errors: usize,
    build: Duration,
    latencies: Latencies,
    /// The same queries in CPU time of the searching thread: robust to other processes
    /// competing for the cores (this machine is shared), unlike wall time.
    cpu: Latencies,
    /// Per query class (prefix, word, typo, multi-word, faceted).
    by_class: BTreeMap<&'static str, Latencies>,
    rss_delta_mb: f64,
    rss_after_mb: f64,
    mean_results: f64,
}

struct Latencies {
    p50_ms: f64,
    p99_ms: f64,
    mean_ms: f64,
}

impl Latencies {
    fn from(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        let pct = |p: f64| {
            ms(samples
                [((p / 100.0 * samples.len() as f64).ceil() as usize).clamp(1, samples.len()) - 1])
        };
        Latencies {
            p50_ms: pct(50.0),
            p99_ms: pct(99.0),
            mean_ms: samples.iter().map(|d| ms(*d)).sum::<f64>() / samples.len() as f64,
        }
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.validate {
        return validate::run(validate::Options {
            files: args.files,
            seed: args.seed,
            runs: args.runs.max(1),
            atrium: args.atrium,
            node: !args.no_node,
            keep: args.write_dir,
            baseline: args.baseline,
        });
    }
    let lunr_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/lunr");
    if !args.no_lunr {
        ensure_node_modules(&lunr_dir, "@backstage/plugin-search-backend-node")?;
    }
    for &size in &args.sizes {
        eprintln!("== {size} entities");
        let work = tempfile::tempdir()?;
        let corpus = corpus::generate(size, args.seed);
        let queries = corpus::queries(&corpus, args.queries, args.seed);
        let atrium = run_atrium(&corpus, &queries, work.path())?;
        let lunr = if args.no_lunr {
            None
        } else {
            Some(run_lunr(&corpus, &queries, work.path(), &lunr_dir)?)
        };
        print_table(size, &atrium, lunr.as_ref());
        if !args.no_ngram {
            print_ngram(&ngram::run(&corpus, &queries)?);
        }
    }
    Ok(())
}

fn run_atrium(
    corpus: &corpus::Corpus,
    queries: &[corpus::BenchQuery],
    work: &Path,
) -> anyhow::Result<Atrium> {
    let root = work.join("catalog");
    for (path, yaml) in corpus::yaml_files(corpus) {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().expect("relative path"))?;
        std::fs::write(file, yaml)?;
    }
    let cfg = SourceConfig {
        name: "bench".into(),
        location: SourceLocation::Dir(root.clone()),
        entry: None,
    };
    let ctx = ReadContext {
        cache_dir: work.join("cache"),
        ..Default::default()
    };

    let t = Instant::now();
    let snapshot = refresh_source(&cfg, &Default::default(), &ctx);
    let snapshot = std::sync::Arc::new(snapshot);
    let assembled = assemble(std::slice::from_ref(&snapshot));
    let ingest = t.elapsed();
    if let Some(e) = assembled.errors.first() {
        eprintln!(
            "   ingest: {} errors, e.g. {}: {}",
            assembled.errors.len(),
            e.file,
            e.message
        );
    }
    drop(snapshot);

    trim_heap();
    let rss_before = rss_mb();
    let t = Instant::now();
    let index = SearchIndex::build(assembled.iter().map(|(_, l)| &l.located.entity))?;
    let build = t.elapsed();
    trim_heap();
    let rss_after = rss_mb();

    let requests: Vec<Query> = queries
        .iter()
        .map(to_query)
        .collect::<anyhow::Result<_>>()?;
    // Same warm-up as bench.mjs: the first 100 queries.
    for q in requests.iter().take(WARM_UP) {
        index.search(q)?;
    }
    let mut samples = Vec::with_capacity(requests.len());
    let mut cpu_samples = Vec::with_capacity(requests.len());
    let mut by_class: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
    let mut results = 0u64;
    for (q, bq) in requests.iter().zip(queries) {
        let (t, cpu) = (Instant::now(), thread_cpu());
        let outcome = index.search(q)?;
        let took = t.elapsed();
        cpu_samples.push(thread_cpu().saturating_sub(cpu));
        samples.push(took);
        by_class.entry(bq.class).or_default().push(took);
        results += outcome.total;
    }
    Ok(Atrium {
        entities: index.len(),
        ingest,
        ingest_errors: assembled.errors.len(),
        build,
        latencies: Latencies::from(samples),
        cpu: Latencies::from(cpu_samples),
        by_class: by_class
            .into_iter()
            .map(|(class, samples)| (class, Latencies::from(samples)))
            .collect(),
        rss_delta_mb: rss_after - rss_before,
        rss_after_mb: rss_after,
        mean_results: results as f64 / requests.len() as f64,
    })
}

/// The same request a search page would send: first page of 25 (Lunr's page size).
fn to_query(q: &corpus::BenchQuery) -> anyhow::Result<Query> {
    let filters = q
        .filters
        .iter()
        .map(|(facet, value)| Ok((facet.parse::<Facet>()?, value.clone())))
        .collect::<anyhow::Result<_>>()?;
    Ok(Query {
        text: q.text.clone(),
        filters,
        limit: 25,
        offset: 0,
    })
}

fn run_lunr(
    corpus: &corpus::Corpus,
    queries: &[corpus::BenchQuery],
    work: &Path,
    lunr_dir: &Path,
) -> anyhow::Result<Value> {
    let dir = work.join("lunr");
    std::fs::create_dir_all(&dir)?;
    let documents: Vec<Value> = corpus
        .entities
        .iter()
        .map(corpus::collator_document)
        .collect();
    std::fs::write(dir.join("documents.json"), serde_json::to_vec(&documents)?)?;
    let queries: Vec<Value> = queries
        .iter()
        .map(|q| json!({ "class": q.class, "text": q.text, "filters": q.filters }))
        .collect();
    std::fs::write(dir.join("queries.json"), serde_json::to_vec(&queries)?)?;

    let out = Command::new("node")
        .arg("--expose-gc")
        // Lunr's index of 100k documents outgrows Node's default heap limit on small machines.
        .arg("--max-old-space-size=8192")
        .arg(lunr_dir.join("bench.mjs"))
        .arg(&dir)
        .current_dir(lunr_dir)
        .output()
        .context("running node (is Node.js installed?)")?;
    if !out.status.success() {
        bail!(
            "node bench.mjs failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).with_context(|| format!("bench.mjs printed {stdout:?}"))
}

/// Installs the pinned npm packages of `dir` once (`package` tells whether they are).
fn ensure_node_modules(dir: &Path, package: &str) -> anyhow::Result<()> {
    if dir.join("node_modules").join(package).exists() {
        return Ok(());
    }
    eprintln!("installing {package} in {}", dir.display());
    let mut npm = Command::new("npm");
    if dir.join("package-lock.json").exists() {
        npm.arg("ci");
    } else {
        npm.arg("install");
    }
    let status = npm
        .args(["--omit=dev", "--no-audit", "--no-fund", "--ignore-scripts"])
        .current_dir(dir)
        .status()
        .context("running npm")?;
    if !status.success() {
        bail!("npm install failed in {}", dir.display());
    }
    Ok(())
}

fn print_table(size: usize, a: &Atrium, lunr: Option<&Value>) {
    let l = |key: &str| lunr.and_then(|v| v.get(key)).and_then(Value::as_f64);
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!();
    println!(
        "{size} entities ({} indexed by Atrium, {} documents in Lunr){}",
        a.entities,
        l("documents").map_or("-".into(), |d| format!("{d:.0}")),
        if a.ingest_errors > 0 {
            format!(", {} ingest errors", a.ingest_errors)
        } else {
            String::new()
        }
    );
    println!(
        "{:<34} {:>12} {:>18} {:>18}",
        "figure", "Atrium", "Backstage (Lunr)", "Backstage/Atrium"
    );
    let row = |name: &str, ours: f64, theirs: Option<f64>, unit: &str| {
        let theirs_s = theirs.map_or("-".to_string(), |t| format!("{t:.2} {unit}"));
        let ratio = theirs
            .filter(|_| ours > 0.0)
            .map_or("-".to_string(), |t| format!("{:.1}x", t / ours));
        println!(
            "{name:<34} {:>12} {theirs_s:>18} {ratio:>18}",
            format!("{ours:.2} {unit}")
        );
    };
    row("ingest: read YAML + assemble", ms(a.ingest), None, "ms");
    row("index build", ms(a.build), l("index_ms"), "ms");
    row("query p50", a.latencies.p50_ms, l("query_p50_ms"), "ms");
    row("query p99", a.latencies.p99_ms, l("query_p99_ms"), "ms");
    row("query mean", a.latencies.mean_ms, l("query_mean_ms"), "ms");
    row("query p50, CPU time", a.cpu.p50_ms, l("cpu_p50_ms"), "ms");
    row("query p99, CPU time", a.cpu.p99_ms, l("cpu_p99_ms"), "ms");
    row(
        "memory: RSS growth from build",
        a.rss_delta_mb,
        l("rss_delta_mb"),
        "MB",
    );
    row(
        "memory: RSS after build",
        a.rss_after_mb,
        l("rss_after_mb"),
        "MB",
    );
    row(
        "mean results per query",
        a.mean_results,
        l("mean_results"),
        "",
    );
    for (class, lat) in &a.by_class {
        let theirs = |key: &str| {
            lunr.and_then(|v| v.pointer(&format!("/by_class/{class}/{key}")))
                .and_then(Value::as_f64)
        };
        row(
            &format!("  {class} p50"),
            lat.p50_ms,
            theirs("p50_ms"),
            "ms",
        );
        row(
            &format!("  {class} p99"),
            lat.p99_ms,
            theirs("p99_ms"),
            "ms",
        );
    }
}

fn print_ngram(f: &ngram::Figures) {
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1e3);
    let mb = |b: u64| format!("{:.1} MB", b as f64 / (1 << 20) as f64);
    let lat = |l: &Latencies| format!("{:.3}/{:.3} ms", l.p50_ms, l.p99_ms);
    println!();
    println!("prefix primitive, name+title+description words (tantivy alone, count only)");
    println!("{:<34} {:>18} {:>18}", "", "automaton walk", "edge n-grams");
    println!(
        "{:<34} {:>18} {:>18}",
        "index build",
        ms(f.build[0]),
        ms(f.build[1])
    );
    println!(
        "{:<34} {:>18} {:>18}",
        "index size",
        mb(f.bytes[0]),
        mb(f.bytes[1])
    );
    println!(
        "{:<34} {:>18} {:>18}",
        "prefix query p50/p99",
        lat(&f.prefix[0]),
        lat(&f.prefix[1])
    );
    println!(
        "{:<34} {:>18} {:>18}",
        "prefix + 1 typo p50/p99",
        lat(&f.typo[0]),
        lat(&f.typo[1])
    );
}

/// Resident set size of this process, from `/proc/self/status` (0 where unavailable).
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time consumed by the calling thread so far (zero where unsupported).
fn thread_cpu() -> Duration {
    #[cfg(target_os = "linux")]
    {
        #[repr(C)]
        struct Timespec {
            sec: i64,
            nsec: i64,
        }
        extern "C" {
            fn clock_gettime(clock: i32, ts: *mut Timespec) -> i32;
        }
        const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
        let mut ts = Timespec { sec: 0, nsec: 0 };
        // SAFETY: `ts` is a valid, writable timespec for the duration of the call.
        if unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
            return Duration::new(ts.sec as u64, ts.nsec as u32);
        }
    }
    Duration::ZERO
}

/// Hands freed heap pages back to the OS so RSS before/after the build measures the index,
/// not what the ingest phase left in malloc's free lists.
fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: glibc's malloc_trim only releases free memory; no pointer is involved.
        unsafe {
            malloc_trim(0);
        }
    }
}

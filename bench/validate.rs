//! `atrium-bench --validate`: `atrium catalog validate <dir>` on a folder of descriptor files
//! (one entity per file), timed as a whole process, against Backstage's own parse + validation
//! of the same files in Node (`bench/validate/validate.mjs`, run as a whole process too).
//! Each side runs once to warm the page cache, then `runs` times, the two sides in turn; the
//! figures are medians of wall time and of the child's user and system CPU time, and the
//! fastest run's wall time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::Value;

use crate::corpus;

/// One side's figures.
pub struct Timed {
    pub wall: Duration,
    /// The fastest run: the figure least disturbed by other work on the machine.
    pub wall_min: Duration,
    pub user: Duration,
    pub sys: Duration,
    /// The last line the process printed (its summary).
    pub summary: String,
}

pub struct Options {
    pub files: usize,
    pub seed: u64,
    pub runs: usize,
    /// The `atrium` binary; default: the one next to this bench.
    pub atrium: Option<PathBuf>,
    /// Run Backstage's side too.
    pub node: bool,
    /// Write the corpus here and keep it (default: a temporary directory).
    pub keep: Option<PathBuf>,
    /// Another `atrium` binary (an older build) timed in the same rounds.
    pub baseline: Option<PathBuf>,
}

pub fn run(opts: Options) -> anyhow::Result<()> {
    let Options {
        files,
        seed,
        runs,
        atrium,
        node,
        keep,
        baseline,
    } = opts;
    let atrium = match atrium {
        Some(path) => path,
        None => std::env::current_exe()?.with_file_name("atrium"),
    };
    if !atrium.is_file() {
        bail!(
            "{} not found: build it first (cargo build --release -p atrium-server --bin atrium) \
             or pass --atrium PATH",
            atrium.display()
        );
    }
    let node_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../bench/validate");
    if node {
        crate::ensure_node_modules(&node_dir, "@backstage/catalog-model")?;
    }
    let work = tempfile::tempdir()?;
    let root = keep.unwrap_or_else(|| work.path().join("catalog"));
    if root.exists() {
        std::fs::remove_dir_all(&root)?;
    }
    let corpus = corpus::generate(files, seed);
    for (path, yaml) in corpus::descriptor_files(&corpus) {
        let file = root.join(path);
        std::fs::create_dir_all(file.parent().expect("relative path"))?;
        std::fs::write(file, yaml)?;
    }
    let dir = root.to_str().context("temp dir path is not UTF-8")?;
    eprintln!("== catalog validate: {files} descriptor files in {dir}, {runs} runs each");

    let mut commands = vec![Command::new(&atrium)];
    commands[0].args(["catalog", "validate", dir]);
    if node {
        let mut cmd = Command::new("node");
        cmd.arg(node_dir.join("validate.mjs"))
            .arg(dir)
            .current_dir(&node_dir);
        commands.push(cmd);
    }
    if let Some(baseline) = &baseline {
        commands.push(Command::new(baseline));
        commands
            .last_mut()
            .expect("pushed")
            .args(["catalog", "validate", dir]);
    }
    let load_before = load_average();
    let log = work.path().join("stdout.log");
    let mut timed = time(&mut commands, runs, &log)?.into_iter();
    let ours = timed.next().expect("atrium's figures");
    let theirs = node.then(|| timed.next().expect("node's figures"));
    print(files, &atrium, &ours, theirs.as_ref());
    if let (Some(path), Some(old)) = (&baseline, timed.next()) {
        print_baseline(path, &ours, &old);
    }
    // The machine is shared: other work on it shows in the wall times.
    println!(
        "load average (1 min) before/after: {load_before} / {}",
        load_average()
    );
    if let Some(theirs) = &theirs {
        check_counts(&ours.summary, &theirs.summary)?;
    }
    Ok(())
}

/// Runs each command once to warm up, then `runs` rounds of each in turn (so that both sides
/// see the same machine: it is shared); medians. The corpus is valid, so any exit code but 0
/// is a failure of the bench.
fn time(commands: &mut [Command], runs: usize, log: &Path) -> anyhow::Result<Vec<Timed>> {
    let mut samples: Vec<Vec<Sample>> = commands.iter().map(|_| Vec::new()).collect();
    for round in 0..=runs {
        for (cmd, samples) in commands.iter_mut().zip(&mut samples) {
            let sample = run_once(cmd, log)?;
            if round > 0 {
                samples.push(sample);
            }
        }
    }
    Ok(samples.into_iter().map(Timed::from).collect())
}

/// Wall, user and system time of one run, and the last line it printed.
type Sample = (Duration, Duration, Duration, String);

/// Runs `cmd` with its output in a file, as a CI job's log would be (through a pipe, the
/// bench itself would be timed reading 10,000 lines).
fn run_once(cmd: &mut Command, log: &Path) -> anyhow::Result<Sample> {
    cmd.stdout(std::fs::File::create(log)?);
    let before = children_cpu();
    let t = Instant::now();
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    let wall = t.elapsed();
    let (user, sys) = children_cpu();
    let stdout = std::fs::read_to_string(log)?;
    if !out.status.success() {
        let tail: Vec<&str> = stdout.lines().rev().take(5).collect();
        bail!(
            "{cmd:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            tail.join("\n")
        );
    }
    let summary = stdout.lines().last().unwrap_or_default().to_string();
    Ok((wall, user - before.0, sys - before.1, summary))
}

impl From<Vec<Sample>> for Timed {
    fn from(samples: Vec<Sample>) -> Self {
        let median = |key: fn(&Sample) -> Duration| {
            let mut v: Vec<Duration> = samples.iter().map(key).collect();
            v.sort_unstable();
            v[v.len() / 2]
        };
        Timed {
            wall: median(|s| s.0),
            wall_min: samples.iter().map(|s| s.0).min().unwrap_or_default(),
            user: median(|s| s.1),
            sys: median(|s| s.2),
            summary: samples.last().map(|s| s.3.clone()).unwrap_or_default(),
        }
    }
}

fn print(files: usize, atrium: &Path, ours: &Timed, theirs: Option<&Timed>) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!();
    println!("catalog validate, {files} files ({})", atrium.display());
    println!("  atrium:    {}", ours.summary);
    if let Some(t) = theirs {
        println!("  backstage: {}", t.summary);
    }
    println!(
        "{:<22} {:>12} {:>18} {:>18}",
        "figure", "Atrium", "Backstage (Node)", "Backstage/Atrium"
    );
    let row = |name: &str, a: Duration, b: Option<Duration>| {
        let theirs = b.map_or("-".into(), |b| format!("{:.0} ms", ms(b)));
        let ratio = b.map_or("-".into(), |b| format!("{:.1}x", ms(b) / ms(a).max(0.001)));
        println!(
            "{name:<22} {:>12} {theirs:>18} {ratio:>18}",
            format!("{:.0} ms", ms(a))
        );
    };
    row("wall, median", ours.wall, theirs.map(|t| t.wall));
    row(
        "wall, fastest run",
        ours.wall_min,
        theirs.map(|t| t.wall_min),
    );
    row("user CPU, median", ours.user, theirs.map(|t| t.user));
    row("system CPU, median", ours.sys, theirs.map(|t| t.sys));
}

fn print_baseline(path: &Path, ours: &Timed, old: &Timed) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!();
    println!("baseline {} ({})", path.display(), old.summary);
    println!(
        "{:<22} {:>12} {:>18} {:>18}",
        "figure", "Atrium", "baseline", "baseline/Atrium"
    );
    let row = |name: &str, a: Duration, b: Duration| {
        println!(
            "{name:<22} {:>12} {:>18} {:>18}",
            format!("{:.0} ms", ms(a)),
            format!("{:.0} ms", ms(b)),
            format!("{:.1}x", ms(b) / ms(a).max(0.001))
        );
    };
    row("wall, median", ours.wall, old.wall);
    row("wall, fastest run", ours.wall_min, old.wall_min);
    row("user CPU, median", ours.user, old.user);
    row("system CPU, median", ours.sys, old.sys);
}

/// Both sides must have read the same catalog: same entity count, no errors.
fn check_counts(ours: &str, theirs: &str) -> anyhow::Result<()> {
    // `N entities, M errors`
    let mut words = ours.split_whitespace();
    let entities: u64 = words.next().unwrap_or_default().parse().unwrap_or(0);
    let errors: u64 = words.nth(1).unwrap_or_default().parse().unwrap_or(u64::MAX);
    let theirs: Value = serde_json::from_str(theirs).context("validate.mjs summary")?;
    let their_entities = theirs["entities"].as_u64().unwrap_or(0);
    let their_errors = theirs["errors"].as_u64().unwrap_or(u64::MAX);
    if entities != their_entities || errors != 0 || their_errors != 0 {
        bail!(
            "the two sides disagree on the catalog: Atrium {entities} entities / {errors} \
             errors, Backstage {their_entities} entities / {their_errors} errors"
        );
    }
    Ok(())
}

/// The 1-minute load average (`?` where unavailable).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// User and system CPU time of every waited-for child so far (zero where unsupported).
fn children_cpu() -> (Duration, Duration) {
    #[cfg(target_os = "linux")]
    {
        #[repr(C)]
        struct Timeval {
            sec: i64,
            usec: i64,
        }
        #[repr(C)]
        struct Rusage {
            utime: Timeval,
            stime: Timeval,
            rest: [i64; 14],
        }
        extern "C" {
            fn getrusage(who: i32, usage: *mut Rusage) -> i32;
        }
        const RUSAGE_CHILDREN: i32 = -1;
        let mut r = Rusage {
            utime: Timeval { sec: 0, usec: 0 },
            stime: Timeval { sec: 0, usec: 0 },
            rest: [0; 14],
        };
        // SAFETY: `r` is a valid, writable struct rusage (Linux x86_64/aarch64 layout).
        if unsafe { getrusage(RUSAGE_CHILDREN, &mut r) } == 0 {
            let d = |t: &Timeval| Duration::new(t.sec as u64, (t.usec * 1000) as u32);
            return (d(&r.utime), d(&r.stime));
        }
    }
    (Duration::ZERO, Duration::ZERO)
}

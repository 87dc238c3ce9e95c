//! Fuzzing inside `cargo test`: the catalog reader, the Argo CD Application reader and the
//! policy parser get a fixed number of mutated inputs each (seeded from the demo catalog, the
//! shared Backstage fixtures the demo ships, Application manifests and the built-in policy),
//! plus hand-written hostile inputs (alias bombs, deep nesting, document storms, invalid UTF-8,
//! NUL bytes, huge scalars). Each execution must return (no panic) within a time bound and
//! hold a bounded amount of memory, and a refusal must be a clear one-line error.
//!
//! Deterministic: the same seed gives the same inputs, so a failure reproduces. Set
//! `ATRIUM_FUZZ_ITERS` (per target) and `ATRIUM_FUZZ_SEED` for a longer or different run; a
//! failing input is written to the temporary directory and its path printed.

mod alloc;
mod application;
mod catalog;
pub(crate) mod hostile;
mod policy;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

pub use alloc::peak_during;

/// SplitMix64: tiny, deterministic across platforms and crate versions.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

/// How inputs are mutated: YAML-aware tokens for the YAML readers, CSV-aware for the policy.
pub struct Dictionary(pub &'static [&'static [u8]]);

pub const YAML_TOKENS: Dictionary = Dictionary(&[
    b"&a ",
    b"*a",
    b"&b [*a, *a, *a]",
    b"<<: *a\n",
    b"---\n",
    b"...\n",
    b"\n",
    b"- ",
    b": ",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"? ",
    b"!!str ",
    b"!!binary ",
    b"!!map ",
    b"!custom ",
    b"|\n",
    b">-\n",
    b"\"",
    b"'",
    b"#",
    b"\t",
    b"  ",
    b"%YAML 1.2\n",
    b"%TAG ! tag:x,2000:\n",
    b"\0",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"\\u0000",
    b"~",
    b"null",
    b"true",
    b"0x1F",
    b".inf",
    b"1e400",
    b"-0",
    b"apiVersion: ",
    b"kind: ",
    b"metadata:\n  name: ",
    b"spec:\n",
    b"relations",
    b"memberOf: ",
    b"children: ",
    b"owner: ",
    b"argoproj.io/v1alpha1",
    b"Application",
    b"Component",
    b"backstage.io/v1alpha1",
    b"\xe2\x80\xae",
    b"\r\n",
]);

pub const POLICY_TOKENS: Dictionary = Dictionary(&[
    b"p, ",
    b"g, ",
    b",",
    b", ",
    b"\n",
    b"#",
    b"*",
    b"?",
    b"**",
    b"role:",
    b"allow",
    b"deny",
    b"applications",
    b"deploys",
    b"catalog",
    b"sync",
    b"get",
    b"*/*",
    b"prod/*",
    b"\0",
    b"\xff",
    b"\t",
    b"\r\n",
    b"\"",
    b" ",
    b"\xe2\x80\xae",
]);

/// Mutates `input` a few times: flips, inserts, deletes, duplicates, dictionary tokens and
/// splices from another corpus entry.
pub fn mutate(rng: &mut Rng, input: &[u8], corpus: &[Vec<u8>], dict: &Dictionary) -> Vec<u8> {
    let mut out = input.to_vec();
    let rounds = 1 + rng.below(8);
    for _ in 0..rounds {
        let at = rng.below(out.len() + 1);
        match rng.below(9) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 => out.insert(at, rng.next() as u8),
            2 if !out.is_empty() => {
                let end = (at + 1 + rng.below(32)).min(out.len());
                out.drain(at.min(end)..end);
            }
            3 if !out.is_empty() => {
                // Duplicate a slice, sometimes many times (a cheap way to deep or wide input).
                let start = rng.below(out.len());
                let end = (start + 1 + rng.below(64)).min(out.len());
                let piece = out[start..end].to_vec();
                let times = if rng.chance(8) { 1 + rng.below(200) } else { 1 };
                for _ in 0..times {
                    out.splice(at..at, piece.iter().copied());
                }
            }
            4 if !corpus.is_empty() => {
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let start = rng.below(other.len());
                    let end = (start + 1 + rng.below(256)).min(other.len());
                    out.splice(at..at, other[start..end].iter().copied());
                }
            }
            5 => out.truncate(at),
            _ => {
                let token = dict.0[rng.below(dict.0.len())];
                out.splice(at..at, token.iter().copied());
            }
        }
    }
    out
}

/// What one fuzz run did, for the test output.
#[derive(Debug, Default)]
pub struct Report {
    pub executions: usize,
    pub accepted: usize,
    pub refused: usize,
    pub slowest: Duration,
    pub peak_bytes: usize,
    pub total: Duration,
}

/// One target's verdict on one input: accepted, or refused with its error text.
pub type Verdict = Result<(), String>;

/// The bounds every execution is held to.
pub struct Bounds {
    /// CPU time of one execution on its thread (debug build: generous on purpose; a blow-up
    /// is orders of magnitude past it). Not the wall clock: other processes on a busy machine
    /// stretched that past the bound now and then.
    pub time: Duration,
    /// Peak bytes held by one execution, as a multiple of the input's size plus a constant.
    pub bytes_per_input_byte: usize,
    pub bytes_fixed: usize,
}

pub const BOUNDS: Bounds = Bounds {
    time: Duration::from_secs(3),
    bytes_per_input_byte: 64,
    bytes_fixed: 32 * 1024 * 1024,
};

pub fn iterations(default: usize) -> usize {
    std::env::var("ATRIUM_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn seed() -> u64 {
    std::env::var("ATRIUM_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x00A7_F1A1)
}

/// Runs `target` once on `input`, holding it to [`BOUNDS`]; panics (failing the test) with a
/// reproducible description otherwise.
pub fn execute(name: &str, input: &[u8], target: &dyn Fn(&[u8]) -> Verdict, report: &mut Report) {
    let started = alloc::thread_cpu_time();
    let (outcome, peak) = peak_during(|| catch_unwind(AssertUnwindSafe(|| target(input))));
    let took = alloc::thread_cpu_time().saturating_sub(started);
    report.executions += 1;
    report.slowest = report.slowest.max(took);
    report.peak_bytes = report.peak_bytes.max(peak);
    let problem = match &outcome {
        Err(_) => Some("panicked".to_string()),
        Ok(Err(message)) if message.trim().is_empty() => Some("empty error".into()),
        Ok(Err(message)) if message.contains('\n') => {
            Some(format!("multi-line error: {message:?}"))
        }
        _ if took > BOUNDS.time => Some(format!("took {took:?}")),
        _ if peak > input.len() * BOUNDS.bytes_per_input_byte + BOUNDS.bytes_fixed => Some(
            format!("held {peak} bytes for a {}-byte input", input.len()),
        ),
        _ => None,
    };
    match outcome {
        Ok(Ok(())) => report.accepted += 1,
        _ => report.refused += 1,
    }
    if let Some(problem) = problem {
        let path =
            std::env::temp_dir().join(format!("atrium-fuzz-{name}-{}.bin", report.executions));
        let _ = std::fs::write(&path, input);
        let shown = String::from_utf8_lossy(&input[..input.len().min(400)]);
        panic!(
            "fuzz {name}: {problem}; input saved to {}: {shown:?}",
            path.display()
        );
    }
}

/// Every corpus entry as is, then `iterations` mutated inputs.
pub fn run(
    name: &str,
    corpus: &[Vec<u8>],
    dict: &Dictionary,
    iterations: usize,
    target: &dyn Fn(&[u8]) -> Verdict,
) -> Report {
    assert!(!corpus.is_empty(), "fuzz {name}: empty corpus");
    let started = Instant::now();
    let mut report = Report::default();
    let mut rng = Rng::new(
        seed()
            ^ name
                .bytes()
                .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
    );
    for input in corpus {
        execute(name, input, target, &mut report);
    }
    for _ in 0..iterations {
        let base = &corpus[rng.below(corpus.len())];
        let input = mutate(&mut rng, base, corpus, dict);
        execute(name, &input, target, &mut report);
    }
    report.total = started.elapsed();
    // Shown with `--nocapture`, and in the output of a failing run.
    println!(
        "fuzz {name}: {} executions ({} corpus, {} accepted, {} refused), slowest {:?}, \
         peak {} KiB, total {:?}",
        report.executions,
        corpus.len(),
        report.accepted,
        report.refused,
        report.slowest,
        report.peak_bytes / 1024,
        report.total
    );
    report
}

/// The YAML files of the Backstage examples the demo ships (a copy of the shared fixtures).
pub fn backstage_examples() -> Vec<Vec<u8>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/backstage-examples");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                if let Ok(bytes) = std::fs::read(&path) {
                    files.push((path, bytes));
                }
            }
        }
    }
    files.sort();
    files.into_iter().map(|(_, bytes)| bytes).collect()
}

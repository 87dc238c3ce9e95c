//! The external renderers (Kustomize, Helm): found on `PATH`, run with a time limit, their
//! output captured. A tool that is absent is not an error here; the node says so.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How Kustomize is run: the standalone binary, or the copy built into kubectl.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KustomizeTool {
    /// `kustomize build <dir>`
    Kustomize(PathBuf),
    /// `kubectl kustomize <dir>`
    Kubectl(PathBuf),
}

/// The tools rendering may use; `None` = not available (the node reports it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tools {
    pub kustomize: Option<KustomizeTool>,
    pub helm: Option<PathBuf>,
}

impl Tools {
    /// What is on `PATH` now: `kustomize` is preferred over `kubectl` (it is the newer one
    /// when both exist).
    pub fn from_path() -> Self {
        let kustomize = find_on_path("kustomize")
            .map(KustomizeTool::Kustomize)
            .or_else(|| find_on_path("kubectl").map(KustomizeTool::Kubectl));
        Tools {
            kustomize,
            helm: find_on_path("helm"),
        }
    }

    /// No external tools: only directory apps render.
    pub fn none() -> Self {
        Self::default()
    }
}

pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Runs `program args…` in `cwd`; stdout on success, else a message with stderr's tail.
pub fn run(
    program: &Path,
    args: &[String],
    cwd: &Path,
    timeout: Duration,
) -> Result<Vec<u8>, String> {
    let name = program
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut child = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {name}: {e}"))?;
    // Both pipes are drained on their own threads so a chatty tool never blocks on a full pipe.
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.read_to_end(&mut buf);
        buf
    });
    let err = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{name} did not finish within {}s",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(format!("waiting for {name}: {e}")),
        }
    };
    let stdout = out.join().unwrap_or_default();
    let stderr = err.join().unwrap_or_default();
    if status.success() {
        Ok(stdout)
    } else {
        let text = String::from_utf8_lossy(&stderr);
        let text = text.trim();
        // The tail holds the actual error; kustomize/helm print context first.
        let tail: String = text
            .chars()
            .rev()
            .take(2000)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        Err(format!("{name} failed ({status}): {tail}"))
    }
}

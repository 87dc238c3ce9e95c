//! Git remotes: fetching into and pushing from local repositories over HTTPS, SSH or
//! `file://`, with credentials chosen by URL prefix.
//!
//! The network side is the `git` command, as Argo CD does it: OpenSSH with `known_hosts`,
//! HTTP(S) proxies from `https_proxy`/`no_proxy`, the system's CA store, no TLS or SSH
//! library compiled into Atrium (measured in the README's "Git remotes" section). Reading
//! objects, committing and everything else stays in-process through libgit2 on the local
//! repository the fetch filled.

use serde::{Deserialize, Serialize};
use std::ffi::OsString;
use std::path::Path;
use std::time::Duration;

mod command;
pub mod credentials;
pub mod scrub;

use credentials::Credential;
pub use credentials::{Access, CredentialConfig, CredentialError, Scope};

/// Why a remote operation failed. The text never carries a secret (see [`scrub`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    /// The remote refused a push that is not a fast-forward: someone else pushed first.
    #[error("the remote refused the update: {0}")]
    Rejected(String),
    #[error("{0}")]
    Failed(String),
}

/// The configured credentials and how long one Git operation may take. Built once at start.
#[derive(Clone, Debug)]
pub struct Remotes {
    credentials: Vec<Credential>,
    timeout: Duration,
}

impl Default for Remotes {
    /// No credentials: anonymous HTTPS and `file://` only.
    fn default() -> Self {
        Self {
            credentials: Vec::new(),
            timeout: Duration::from_secs(120),
        }
    }
}

impl Remotes {
    /// Checks every entry (the error names the entry and the key).
    pub fn new(entries: &[CredentialConfig], timeout: Duration) -> Result<Self, CredentialError> {
        let credentials = entries
            .iter()
            .enumerate()
            .map(|(i, c)| Credential::check(i, c))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            credentials,
            timeout,
        })
    }

    fn run(
        &self,
        url: &str,
        access: Access,
        git_dir: Option<&Path>,
        args: &[&str],
    ) -> Result<command::Output, RemoteError> {
        let failed = |why: String| RemoteError::Failed(scrub::userinfo(&why));
        if url.starts_with('-') {
            return Err(failed(format!("not a repository URL: {url}")));
        }
        let mut argv: Vec<OsString> = args.iter().map(OsString::from).collect();
        // The URL is the first operand: `--end-of-options` keeps it from ever reading as one.
        let at = argv
            .iter()
            .position(|a| a == "--end-of-options")
            .map_or(argv.len(), |i| i + 1);
        argv.insert(at, url.into());
        let credential = credentials::pick(&self.credentials, url, access);
        let ssh = is_ssh(url);
        command::run(&argv, git_dir, credential, ssh, self.timeout).map_err(failed)
    }

    /// `git fetch --prune <url> <refspecs>` into the (bare) repository at `git_dir`.
    pub fn fetch(&self, url: &str, git_dir: &Path, refspecs: &[&str]) -> Result<(), RemoteError> {
        let mut args = vec![
            "fetch",
            "--quiet",
            "--prune",
            "--no-write-fetch-head",
            "--end-of-options",
        ];
        args.extend_from_slice(refspecs);
        let out = self.run(url, Access::Read, Some(git_dir), &args)?;
        if out.success {
            Ok(())
        } else {
            Err(RemoteError::Failed(command::summary(&out.stderr)))
        }
    }

    /// The branch the remote's `HEAD` names (`main`), if it names one.
    pub fn default_branch(&self, url: &str) -> Result<Option<String>, RemoteError> {
        let out = self.run(
            url,
            Access::Read,
            None,
            &["ls-remote", "--symref", "--end-of-options", "HEAD"],
        )?;
        if !out.success {
            return Err(RemoteError::Failed(command::summary(&out.stderr)));
        }
        Ok(out.stdout.lines().find_map(|line| {
            let target = line.strip_prefix("ref: ")?.split('\t').next()?;
            target.strip_prefix("refs/heads/").map(str::to_string)
        }))
    }

    /// Pushes `branch` of the repository at `git_dir` to `url`, as a fast-forward only (never
    /// forced), with the push credential.
    pub fn push(&self, url: &str, git_dir: &Path, branch: &str) -> Result<(), RemoteError> {
        let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
        let out = self.run(
            url,
            Access::Push,
            Some(git_dir),
            &["push", "--porcelain", "--end-of-options", &refspec],
        )?;
        if out.success {
            return Ok(());
        }
        // `--porcelain`: `!<TAB>src:dst<TAB>[rejected] (fetch first)` for a lost race;
        // `[remote rejected]` (a hook or a protected branch) is a plain failure.
        let rejected = out
            .stdout
            .lines()
            .find(|l| l.starts_with('!') && l.contains("\t[rejected]"));
        match rejected {
            Some(line) => Err(RemoteError::Rejected(
                line.rsplit('\t').next().unwrap_or(line).to_string(),
            )),
            None => {
                let detail = out.stdout.lines().find(|l| l.starts_with('!'));
                let mut text = command::summary(&out.stderr);
                if let Some(line) = detail {
                    text = format!("{}; {text}", line.rsplit('\t').next().unwrap_or(line));
                }
                Err(RemoteError::Failed(text))
            }
        }
    }
}

/// `ssh://…` or scp-like `user@host:path`.
fn is_ssh(url: &str) -> bool {
    url.starts_with("ssh://") || (!url.contains("://") && url.contains('@') && url.contains(':'))
}

/// `[git]`: how remote repositories (catalog sources and environment repos given by URL) are
/// reached.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GitConfig {
    /// How long one fetch or push may take, in seconds (`ATRIUM_GIT__TIMEOUT_SECS`).
    pub timeout_secs: u64,
    /// `[[git.credentials]]`: by URL prefix; values from the environment or files.
    pub credentials: Vec<CredentialConfig>,
}

impl Default for GitConfig {
    fn default() -> Self {
        Self {
            timeout_secs: 120,
            credentials: Vec::new(),
        }
    }
}

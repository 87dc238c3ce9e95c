//! Credentials for Git remotes, chosen by URL prefix as Argo CD's repo-creds are: one
//! `[[git.credentials]]` entry serves every repository under `https://git.example.com/platform/`.
//! The configuration names where a secret is (an environment variable, a file, a mounted
//! Kubernetes Secret directory), never the secret; values are read at each use, so a rotated
//! Secret takes effect without a restart.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// One `[[git.credentials]]` table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CredentialConfig {
    /// URL prefix this credential serves (longest prefix wins).
    pub url: String,
    /// `read` (fetch), `push` (deploy commits) or `both` (the default).
    pub scope: Scope,
    /// HTTPS user name (default `git`; token-based hosts accept any).
    pub username: Option<String>,
    /// HTTPS password or token, from this environment variable.
    pub password_env: Option<String>,
    /// HTTPS password or token, from this file.
    pub password_file: Option<PathBuf>,
    /// SSH private key, from this environment variable.
    pub ssh_key_env: Option<String>,
    /// SSH private key, from this file.
    pub ssh_key_file: Option<PathBuf>,
    /// The server's host keys (OpenSSH `known_hosts`); required for SSH: hosts are checked.
    pub known_hosts_file: Option<PathBuf>,
    /// A mounted Kubernetes Secret: files `username`, `password`, `sshPrivateKey`,
    /// `known_hosts` (Argo CD's key names), each optional.
    pub secret_dir: Option<PathBuf>,
}

/// What a credential may be used for: Argo CD keeps push secrets apart from read secrets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    #[default]
    Both,
    Read,
    Push,
}

/// Which way a Git operation goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Push,
}

/// Where a secret value lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Secret {
    Env(String),
    File(PathBuf),
}

impl Secret {
    /// The value; the error names where it was looked for, never what was found.
    pub(super) fn load(&self) -> Result<String, String> {
        match self {
            Secret::Env(name) => {
                std::env::var(name).map_err(|_| format!("environment variable {name} is not set"))
            }
            Secret::File(path) => std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {}", path.display(), e.kind())),
        }
    }
}

/// How a credential authenticates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Method {
    Password {
        username: Option<String>,
        username_file: Option<PathBuf>,
        password: Secret,
    },
    SshKey {
        key: Secret,
        known_hosts: PathBuf,
    },
}

/// A checked credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Credential {
    pub(super) prefix: String,
    pub(super) scope: Scope,
    pub(super) method: Method,
}

/// A `[[git.credentials]]` entry that cannot work; `key` is the offending key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CredentialError {
    pub index: usize,
    pub url: String,
    pub message: String,
}

impl Credential {
    pub(super) fn check(index: usize, c: &CredentialConfig) -> Result<Self, CredentialError> {
        let fail = |message: String| CredentialError {
            index,
            url: super::scrub::userinfo(&c.url),
            message,
        };
        if c.url.trim().is_empty() {
            return Err(fail("`url` (the URL prefix served) is required".into()));
        }
        if super::scrub::has_userinfo_secret(&c.url) {
            return Err(fail(
                "`url` carries a password: put it in `password_env` or `password_file`".into(),
            ));
        }
        let mut password = one_of(&c.password_env, &c.password_file);
        let mut key = one_of(&c.ssh_key_env, &c.ssh_key_file);
        let mut known_hosts = c.known_hosts_file.clone();
        let mut username_file = None;
        if let Some(dir) = &c.secret_dir {
            if password.is_some() || key.is_some() {
                return Err(fail(
                    "`secret_dir` replaces the password_*/ssh_key_* keys: set one or the other"
                        .into(),
                ));
            }
            if !dir.is_dir() {
                return Err(fail(format!(
                    "`secret_dir` {} is not a directory",
                    dir.display()
                )));
            }
            let file = |name: &str| Some(dir.join(name)).filter(|p| p.exists());
            key = file("sshPrivateKey").map(|p| Ok(Secret::File(p)));
            password = (key.is_none()).then(|| Ok(Secret::File(dir.join("password"))));
            known_hosts = known_hosts.or_else(|| file("known_hosts"));
            username_file = file("username");
        }
        let both = "set only one of `password_env` and `password_file` (or of `ssh_key_env` and \
                    `ssh_key_file`)";
        let method = match (password, key) {
            (Some(_), Some(_)) => {
                return Err(fail(
                    "a credential is either a password (`password_*`) or an SSH key \
                     (`ssh_key_*`), not both"
                        .into(),
                ))
            }
            (Some(Err(())), _) | (_, Some(Err(()))) => return Err(fail(both.into())),
            (Some(Ok(password)), None) => Method::Password {
                username: c.username.clone(),
                username_file,
                password,
            },
            (None, Some(Ok(key))) => Method::SshKey {
                key,
                known_hosts: known_hosts.ok_or_else(|| {
                    fail(
                        "`known_hosts_file` is required with an SSH key (hosts are checked)".into(),
                    )
                })?,
            },
            (None, None) => {
                return Err(fail(
                    "set one of `password_env`, `password_file`, `ssh_key_env`, \
                     `ssh_key_file` or `secret_dir`"
                        .into(),
                ))
            }
        };
        for path in [&c.password_file, &c.ssh_key_file, &c.known_hosts_file]
            .into_iter()
            .flatten()
        {
            check_file(path).map_err(fail)?;
        }
        Ok(Credential {
            prefix: c.url.trim().to_ascii_lowercase(),
            scope: c.scope,
            method,
        })
    }

    fn serves(&self, url: &str, access: Access) -> bool {
        let scope_ok = matches!(
            (self.scope, access),
            (Scope::Both, _) | (Scope::Read, Access::Read) | (Scope::Push, Access::Push)
        );
        scope_ok && url.trim().to_ascii_lowercase().starts_with(&self.prefix)
    }
}

/// `Some(Err)` when both are set.
fn one_of(env: &Option<String>, file: &Option<PathBuf>) -> Option<Result<Secret, ()>> {
    match (env, file) {
        (Some(_), Some(_)) => Some(Err(())),
        (Some(name), None) => Some(Ok(Secret::Env(name.clone()))),
        (None, Some(path)) => Some(Ok(Secret::File(path.clone()))),
        (None, None) => None,
    }
}

fn check_file(path: &Path) -> Result<(), String> {
    if path.is_file() {
        Ok(())
    } else {
        Err(format!("{} is not a readable file", path.display()))
    }
}

/// The credential for `url`: the longest matching prefix; on a tie, the one scoped to exactly
/// this access (a push-only credential beats a shared one for pushes).
pub(super) fn pick<'a>(
    creds: &'a [Credential],
    url: &str,
    access: Access,
) -> Option<&'a Credential> {
    creds
        .iter()
        .filter(|c| c.serves(url, access))
        .max_by_key(|c| (c.prefix.len(), c.scope != Scope::Both))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(url: &str, scope: Scope, env: &str) -> CredentialConfig {
        CredentialConfig {
            url: url.into(),
            scope,
            password_env: Some(env.into()),
            ..Default::default()
        }
    }

    fn env_of(c: Option<&Credential>) -> Option<&str> {
        match &c?.method {
            Method::Password {
                password: Secret::Env(name),
                ..
            } => Some(name),
            _ => None,
        }
    }

    #[test]
    fn longest_prefix_and_scope_choose() {
        let creds: Vec<_> = [
            entry("https://git.example.com/", Scope::Both, "HOST"),
            entry("https://git.example.com/platform/", Scope::Read, "READ"),
            entry("https://git.example.com/platform/", Scope::Push, "PUSH"),
        ]
        .iter()
        .enumerate()
        .map(|(i, c)| Credential::check(i, c).unwrap())
        .collect();
        let env = "https://GIT.example.com/platform/env.git";
        assert_eq!(env_of(pick(&creds, env, Access::Read)), Some("READ"));
        assert_eq!(env_of(pick(&creds, env, Access::Push)), Some("PUSH"));
        let other = "https://git.example.com/other/x.git";
        assert_eq!(env_of(pick(&creds, other, Access::Push)), Some("HOST"));
        assert!(pick(&creds, "https://elsewhere.example/x", Access::Read).is_none());
    }

    #[test]
    fn bad_entries_say_which_key() {
        let check = |c: CredentialConfig| Credential::check(3, &c).unwrap_err().message;
        let none = CredentialConfig {
            url: "https://h/".into(),
            ..Default::default()
        };
        assert!(check(none.clone()).contains("password_env"));
        let ssh = CredentialConfig {
            ssh_key_env: Some("K".into()),
            ..none.clone()
        };
        assert!(check(ssh).contains("known_hosts_file"));
        let twice = CredentialConfig {
            password_env: Some("P".into()),
            password_file: Some("/nonexistent".into()),
            ..none.clone()
        };
        assert!(check(twice).contains("only one of"));
        let missing = CredentialConfig {
            password_file: Some("/nonexistent/token".into()),
            ..none.clone()
        };
        assert!(check(missing).contains("/nonexistent/token"));
        let inline = CredentialConfig {
            url: "https://bot:hunter2@h/".into(),
            password_env: Some("P".into()),
            ..none
        };
        let message = check(inline);
        assert!(message.contains("carries a password") && !message.contains("hunter2"));
    }
}

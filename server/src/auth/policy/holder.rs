//! The policy in force, loaded from a file and swapped when the file changes. A change that
//! does not parse never takes effect: the last valid policy stays in force, so a typo can never
//! open access wider than before.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use super::{Policy, PolicyError};

/// Why the initial load failed. There is no previous policy to fall back on then, so the caller
/// should refuse to start rather than run with none.
#[derive(Debug, thiserror::Error)]
pub enum PolicyLoadError {
    #[error("policy file {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("policy file {path} has {} malformed line(s): {}", errors.len(), join(errors))]
    Invalid {
        path: PathBuf,
        errors: Vec<PolicyError>,
    },
}

/// What one [`PolicyHolder::reload_if_changed`] poll did.
#[derive(Debug)]
pub enum ReloadOutcome {
    /// Same modification time and size as last seen.
    Unchanged,
    /// The new file parsed and is now in force.
    Reloaded { rules: usize },
    /// The new file has malformed lines; the previous policy stays in force. Reported once per
    /// change of the file, not on every poll.
    Rejected(Vec<PolicyError>),
    /// The file could not be read (e.g. removed); the previous policy stays in force. Reported
    /// on every poll while it lasts.
    Unreadable(std::io::Error),
}

/// Modification time and length: what a poll compares. An edit that keeps both (same size,
/// within the file system's timestamp granularity) is seen at the next edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
}

#[derive(Debug)]
struct State {
    policy: Arc<Policy>,
    /// The file version last looked at, valid or not.
    seen: Option<Stamp>,
    /// Errors of the file version last looked at, if it was rejected.
    errors: Vec<PolicyError>,
}

/// Shared by every request; cheap to read. Poll [`reload_if_changed`](Self::reload_if_changed)
/// from a timer task.
#[derive(Debug)]
pub struct PolicyHolder {
    path: PathBuf,
    default_role: Option<String>,
    state: RwLock<State>,
}

impl PolicyHolder {
    /// Read and parse `path`; fails if the file is unreadable or has any malformed line.
    pub fn load(
        path: impl Into<PathBuf>,
        default_role: Option<&str>,
    ) -> Result<Self, PolicyLoadError> {
        let path = path.into();
        let (stamp, text) = read(&path).map_err(|source| PolicyLoadError::Io {
            path: path.clone(),
            source,
        })?;
        let policy =
            Policy::parse(&text, default_role).map_err(|errors| PolicyLoadError::Invalid {
                path: path.clone(),
                errors,
            })?;
        Ok(Self {
            path,
            default_role: default_role.map(str::to_string),
            state: RwLock::new(State {
                policy: Arc::new(policy),
                seen: Some(stamp),
                errors: Vec::new(),
            }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The policy in force now. Hold the `Arc` for one request so a reload mid-request does not
    /// mix two policies.
    pub fn current(&self) -> Arc<Policy> {
        self.read_state().policy.clone()
    }

    /// The errors of the current file version if it was rejected (empty when the file in force
    /// is the file on disk): for a status line on the settings page.
    pub fn pending_errors(&self) -> Vec<PolicyError> {
        self.read_state().errors.clone()
    }

    /// Check the file's modification time and size; if they changed, parse it and swap it in
    /// when valid. Never replaces the policy with an invalid or unreadable one.
    pub fn reload_if_changed(&self) -> ReloadOutcome {
        let stamp = match stat(&self.path) {
            Ok(stamp) => stamp,
            Err(error) => return self.unreadable(error),
        };
        if self.read_state().seen == Some(stamp) {
            return ReloadOutcome::Unchanged;
        }
        let (stamp, text) = match read(&self.path) {
            Ok(read) => read,
            Err(error) => return self.unreadable(error),
        };
        let parsed = Policy::parse(&text, self.default_role.as_deref());
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        state.seen = Some(stamp);
        match parsed {
            Ok(policy) => {
                let rules = policy.rule_count();
                state.policy = Arc::new(policy);
                state.errors.clear();
                ReloadOutcome::Reloaded { rules }
            }
            Err(errors) => {
                state.errors = errors.clone();
                ReloadOutcome::Rejected(errors)
            }
        }
    }

    fn unreadable(&self, error: std::io::Error) -> ReloadOutcome {
        // Forget the stamp so the file is re-read as soon as it is back, even unchanged.
        self.state.write().unwrap_or_else(|e| e.into_inner()).seen = None;
        ReloadOutcome::Unreadable(error)
    }

    fn read_state(&self) -> std::sync::RwLockReadGuard<'_, State> {
        // A panic while holding the lock cannot leave `State` half-written (each field is
        // assigned whole), so a poisoned lock is still safe to read.
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }
}

fn stat(path: &Path) -> std::io::Result<Stamp> {
    let meta = std::fs::metadata(path)?;
    Ok(Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
    })
}

/// Larger policy files are refused unread (at start, or on reload: the previous policy stays
/// in force). A policy is a few hundred lines; a megabyte is a mistake.
pub const MAX_POLICY_BYTES: u64 = 1024 * 1024;

/// Malformed lines named in one message (log line, audit record); the rest are counted.
const MAX_ERRORS_SHOWN: usize = 20;

fn read(path: &Path) -> std::io::Result<(Stamp, String)> {
    use std::io::Read as _;
    // Stat before reading: the stamp recorded is never newer than the text parsed, so a write
    // racing the read is picked up by the next poll.
    let before = stat(path)?;
    let too_large = |size: u64| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{size} bytes, larger than the {MAX_POLICY_BYTES}-byte limit"),
        )
    };
    if before.len > MAX_POLICY_BYTES {
        return Err(too_large(before.len));
    }
    // Read no more than the limit even if the file grew since the stat.
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_POLICY_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_POLICY_BYTES {
        return Err(too_large(text.len() as u64));
    }
    Ok((before, text))
}

fn join(errors: &[PolicyError]) -> String {
    let mut text = errors
        .iter()
        .take(MAX_ERRORS_SHOWN)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    if errors.len() > MAX_ERRORS_SHOWN {
        text.push_str(&format!("; and {} more", errors.len() - MAX_ERRORS_SHOWN));
    }
    text
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::auth::policy::Subject;

    const GOOD: &str = "p, role:dev, applications, sync, dev/*, allow\ng, team-a, role:dev\n";

    /// Write `text` and force a distinct modification time, whatever the file system's
    /// timestamp granularity.
    fn write(path: &Path, text: &str, tick: u64) {
        std::fs::write(path, text).unwrap();
        let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + tick);
        std::fs::File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(when)
            .unwrap();
    }

    fn can_sync(holder: &PolicyHolder, object: &str) -> bool {
        let groups = vec!["team-a".to_string()];
        let subject = Subject {
            user: "bob",
            groups: &groups,
            catalog: &[],
        };
        holder
            .current()
            .decide(&subject, "applications", "sync", object)
            .allowed
    }

    #[test]
    fn reload_swaps_valid_and_keeps_last_valid_on_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.csv");
        write(&path, GOOD, 1);
        let holder = PolicyHolder::load(&path, Some("role:readonly")).unwrap();
        assert!(can_sync(&holder, "dev/billing"));
        assert!(matches!(
            holder.reload_if_changed(),
            ReloadOutcome::Unchanged
        ));

        // A valid change takes effect.
        write(
            &path,
            &format!("{GOOD}p, role:dev, applications, sync, staging/*, allow\n"),
            2,
        );
        assert!(matches!(
            holder.reload_if_changed(),
            ReloadOutcome::Reloaded { rules: 2 }
        ));
        assert!(can_sync(&holder, "staging/billing"));

        // A broken change is rejected once, and the previous policy stays in force.
        write(
            &path,
            "p, role:dev, applications, sync, *, allow\ng, team-a\n",
            3,
        );
        match holder.reload_if_changed() {
            ReloadOutcome::Rejected(errors) => {
                assert_eq!(errors.len(), 1);
                assert_eq!(errors[0].line, 2);
            }
            other => panic!("expected Rejected, got {other:?}"),
        }
        assert!(can_sync(&holder, "staging/billing"));
        assert!(
            !can_sync(&holder, "prod/billing"),
            "broken file must not widen access"
        );
        assert_eq!(holder.pending_errors().len(), 1);
        assert!(matches!(
            holder.reload_if_changed(),
            ReloadOutcome::Unchanged
        ));

        // A removed file keeps the policy too; its return is picked up.
        std::fs::remove_file(&path).unwrap();
        assert!(matches!(
            holder.reload_if_changed(),
            ReloadOutcome::Unreadable(_)
        ));
        assert!(can_sync(&holder, "staging/billing"));
        write(&path, GOOD, 4);
        assert!(matches!(
            holder.reload_if_changed(),
            ReloadOutcome::Reloaded { rules: 1 }
        ));
        assert!(holder.pending_errors().is_empty());
        assert!(!can_sync(&holder, "staging/billing"));
        assert!(can_sync(&holder, "dev/billing"));
    }

    #[test]
    fn initial_load_fails_loudly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("policy.csv");
        let missing = PolicyHolder::load(&path, None).unwrap_err();
        assert!(matches!(missing, PolicyLoadError::Io { .. }));
        write(&path, "p, a, catalog, get\n\nq, x\n", 1);
        let err = PolicyHolder::load(&path, None).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("2 malformed line(s)"), "{text}");
        assert!(text.contains("line 1: expected 6 fields"), "{text}");
        assert!(text.contains("line 3: unknown line type `q`"), "{text}");
    }
}

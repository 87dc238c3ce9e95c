//! Argo CD's `syncPolicy.retry` for automated syncs: after an auto-sync of a revision fails,
//! it is tried again after `backoff.duration` (default 5s), each wait `backoff.factor` times
//! the one before (default 2), at most `backoff.maxDuration` (default 3m), up to `limit` more
//! times (a negative limit: no end). Without `retry`, a failed revision is not tried again
//! (except by `selfHeal`, which syncs an out-of-sync app on every pass). Pure: the pass asks
//! [`due`] and reports outcomes to [`Retrying::after`]; a wrong `retry` is a render error
//! ([`check`]).

use std::time::{Duration, Instant};

use crate::gitops::application::Retry;

/// A parsed `syncPolicy.retry`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first failure; `None`: no end.
    pub limit: Option<u32>,
    pub base: Duration,
    pub factor: u32,
    pub max: Duration,
}

impl RetryPolicy {
    /// Reads `retry`, naming the field that is wrong.
    pub fn of(retry: &Retry) -> Result<Self, String> {
        let backoff = retry.backoff.clone().unwrap_or_default();
        let duration = |field: &str, text: &Option<String>, default: Duration| match text {
            None => Ok(default),
            Some(t) => {
                go_duration(t).map_err(|e| format!("spec.syncPolicy.retry.backoff.{field}: {e}"))
            }
        };
        let factor = backoff.factor.unwrap_or(2);
        if factor < 1 {
            return Err(format!(
                "spec.syncPolicy.retry.backoff.factor: {factor} is not a positive whole number"
            ));
        }
        Ok(RetryPolicy {
            limit: match retry.limit.unwrap_or(0) {
                n if n < 0 => None,
                n => Some(u32::try_from(n).unwrap_or(u32::MAX)),
            },
            base: duration("duration", &backoff.duration, Duration::from_secs(5))?,
            factor: u32::try_from(factor).unwrap_or(u32::MAX),
            max: duration(
                "maxDuration",
                &backoff.max_duration,
                Duration::from_secs(180),
            )?,
        })
    }

    /// The wait before retry number `retry` (0 for the first): base × factor^retry, at most
    /// `max`.
    pub fn delay(&self, retry: u32) -> Duration {
        let factor = self.factor.checked_pow(retry).unwrap_or(u32::MAX);
        self.base
            .checked_mul(factor)
            .map_or(self.max, |d| d.min(self.max))
    }
}

/// The failed auto-syncs of one app at one revision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retrying {
    pub revision: String,
    /// Failed attempts so far (the first sync included).
    pub failures: u32,
    /// When the next attempt may start; `None`: no more attempts.
    pub next: Option<Instant>,
}

impl Retrying {
    /// What an auto-sync of `revision` that ended `succeeded` (or not) leaves: `None` after a
    /// success, else the failure count and the next attempt by `policy`.
    pub fn after(
        previous: Option<&Retrying>,
        revision: &str,
        succeeded: bool,
        policy: Option<&RetryPolicy>,
        now: Instant,
    ) -> Option<Retrying> {
        if succeeded {
            return None;
        }
        let failures = match previous {
            Some(p) if p.revision == revision => p.failures + 1,
            _ => 1,
        };
        let retries_done = failures - 1;
        let next = policy
            .filter(|p| p.limit.is_none_or(|limit| retries_done < limit))
            .map(|p| now + p.delay(retries_done));
        Some(Retrying {
            revision: revision.to_string(),
            failures,
            next,
        })
    }
}

/// Whether the pass auto-syncs an out-of-sync app now: a revision it has not synced yet
/// always; one whose last auto-sync failed when a retry is due (`selfHeal` does not jump
/// the backoff); otherwise (no failure, no policy, retries used up) with `selfHeal`.
pub fn due(
    new_revision: bool,
    self_heal: bool,
    retrying: Option<&Retrying>,
    revision: &str,
    now: Instant,
) -> bool {
    if new_revision {
        return true;
    }
    match retrying.filter(|r| r.revision == revision) {
        Some(r) if r.next.is_some_and(|at| now >= at) => true,
        // Failed, and waiting for the backoff or out of retries: a policy was given.
        Some(r) if r.next.is_some() => false,
        _ => self_heal,
    }
}

/// Refuses a `syncPolicy.retry` that cannot be read, naming the field.
pub fn check(app: &crate::gitops::application::Application) -> Result<(), String> {
    match app.spec.sync_policy.as_ref().and_then(|p| p.retry.as_ref()) {
        Some(retry) => RetryPolicy::of(retry).map(|_| ()),
        None => Ok(()),
    }
}

/// The app's retry policy, if it has a readable one.
pub fn policy_of(app: Option<&crate::gitops::application::Application>) -> Option<RetryPolicy> {
    let retry = app?.spec.sync_policy.as_ref()?.retry.as_ref()?;
    RetryPolicy::of(retry).ok()
}

/// A Go duration (`time.ParseDuration`): a sequence of numbers with units `ns`, `us`, `µs`,
/// `ms`, `s`, `m`, `h` (`1h30m`, `1.5s`, `300ms`).
pub fn go_duration(text: &str) -> Result<Duration, String> {
    let bad = || format!("{text:?} is not a duration (like 5s, 2m or 1h30m)");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let number: f64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += number * seconds;
        rest = &rest[unit_len..];
    }
    Duration::try_from_secs_f64(total).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gitops::application::Backoff;

    fn policy(limit: i64, duration: &str, factor: i64, max: &str) -> RetryPolicy {
        RetryPolicy::of(&Retry {
            limit: Some(limit),
            backoff: Some(Backoff {
                duration: Some(duration.into()),
                factor: Some(factor),
                max_duration: Some(max.into()),
            }),
        })
        .unwrap()
    }

    #[test]
    fn go_durations() {
        assert_eq!(go_duration("5s"), Ok(Duration::from_secs(5)));
        assert_eq!(go_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(go_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(go_duration("300ms"), Ok(Duration::from_millis(300)));
        for bad in ["", "5", "5 s", "s", "1d", "-1s"] {
            assert!(go_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn backoff_grows_by_the_factor_up_to_the_maximum() {
        let p = policy(5, "5s", 2, "30s");
        let delays: Vec<u64> = (0..5).map(|n| p.delay(n).as_secs()).collect();
        assert_eq!(delays, [5, 10, 20, 30, 30]);
        let defaults = RetryPolicy::of(&Retry::default()).unwrap();
        assert_eq!(
            defaults,
            RetryPolicy {
                limit: Some(0),
                base: Duration::from_secs(5),
                factor: 2,
                max: Duration::from_secs(180)
            }
        );
        assert_eq!(policy(-1, "1s", 2, "3m").limit, None);
        let err = RetryPolicy::of(&Retry {
            limit: Some(2),
            backoff: Some(Backoff {
                duration: Some("soon".into()),
                ..Default::default()
            }),
        })
        .unwrap_err();
        assert!(
            err.starts_with("spec.syncPolicy.retry.backoff.duration: \"soon\""),
            "{err}"
        );
    }

    #[test]
    fn failures_are_retried_after_the_backoff_up_to_the_limit() {
        let p = policy(2, "5s", 2, "3m");
        let t0 = Instant::now();
        let first = Retrying::after(None, "abc", false, Some(&p), t0).unwrap();
        assert_eq!(first.failures, 1);
        assert_eq!(first.next, Some(t0 + Duration::from_secs(5)));
        // Not yet due, even with selfHeal; due once the wait is over.
        assert!(!due(false, true, Some(&first), "abc", t0));
        assert!(due(
            false,
            false,
            Some(&first),
            "abc",
            t0 + Duration::from_secs(5)
        ));
        let second = Retrying::after(Some(&first), "abc", false, Some(&p), t0).unwrap();
        assert_eq!(second.next, Some(t0 + Duration::from_secs(10)));
        let third = Retrying::after(Some(&second), "abc", false, Some(&p), t0).unwrap();
        assert_eq!(
            (third.failures, third.next),
            (3, None),
            "two retries, then no more"
        );
        assert!(!due(
            false,
            false,
            Some(&third),
            "abc",
            t0 + Duration::from_secs(999)
        ));
        // A new revision starts over; a success clears the record.
        assert!(due(true, false, Some(&third), "def", t0));
        assert_eq!(
            Retrying::after(Some(&third), "def", false, Some(&p), t0).map(|r| r.failures),
            Some(1)
        );
        assert_eq!(
            Retrying::after(Some(&first), "abc", true, Some(&p), t0),
            None
        );
    }

    #[test]
    fn a_wrong_retry_is_refused_by_field_and_a_right_one_read() {
        let app = |retry: &str| {
            crate::gitops::application::Application::from_yaml(&format!(
                "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: a\n\
                 spec:\n  syncPolicy:\n    retry:\n{retry}"
            ))
            .unwrap()
        };
        let bad = app("      limit: 3\n      backoff:\n        maxDuration: 3 minutes\n");
        let err = check(&bad).unwrap_err();
        assert!(
            err.starts_with("spec.syncPolicy.retry.backoff.maxDuration: \"3 minutes\""),
            "{err}"
        );
        assert_eq!(policy_of(Some(&bad)), None);
        let good =
            app("      limit: -1\n      backoff:\n        duration: 10s\n        factor: 3\n");
        assert!(check(&good).is_ok());
        let p = policy_of(Some(&good)).unwrap();
        assert_eq!((p.limit, p.delay(1)), (None, Duration::from_secs(30)));
    }

    #[test]
    fn without_a_policy_a_failed_revision_waits_for_self_heal_or_a_new_commit() {
        let t0 = Instant::now();
        let failed = Retrying::after(None, "abc", false, None, t0).unwrap();
        assert_eq!(failed.next, None);
        assert!(!due(false, false, Some(&failed), "abc", t0));
        assert!(due(false, true, Some(&failed), "abc", t0));
    }
}

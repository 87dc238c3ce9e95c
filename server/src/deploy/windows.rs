//! Deploy windows, in the spirit of Argo CD's sync windows: `allow` and `deny` windows, each a
//! cron schedule (five fields, UTC) that opens it and a duration it stays open, for the apps
//! matching its globs. A deny window that is open blocks; where allow windows exist for an app,
//! one of them must be open. An approved request outside its window waits, visibly, and runs
//! when the window opens.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use croner::Cron;
use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

/// One `[[environments.windows]]` table as configured.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WindowConfig {
    /// `allow` or `deny`.
    pub kind: String,
    /// Five-field cron expression in UTC, e.g. `0 9 * * 1-5`.
    pub schedule: String,
    /// How long the window stays open: `30m`, `8h`, `1h30m`, `2d`.
    pub duration: String,
    /// App name globs; empty = every app.
    pub apps: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Allow,
    Deny,
}

/// A checked window.
#[derive(Clone, Debug)]
pub struct Window {
    pub kind: Kind,
    pub schedule: String,
    cron: Cron,
    pub duration: Duration,
    apps: Vec<GlobMatcher>,
}

/// What the windows say about an app at one instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Open,
    /// Closed, with the reason to show and when it may open (if known within a year).
    Closed {
        why: String,
        opens: Option<DateTime<Utc>>,
    },
}

impl Window {
    /// Checks one configured window; the error names the field.
    pub fn parse(config: &WindowConfig) -> Result<Self, String> {
        let kind = match config.kind.trim() {
            "allow" => Kind::Allow,
            "deny" => Kind::Deny,
            other => return Err(format!("kind: `{other}` is not `allow` or `deny`")),
        };
        let cron = Cron::from_str(config.schedule.trim()).map_err(|e| {
            format!(
                "schedule: `{}` is not a cron expression: {e}",
                config.schedule
            )
        })?;
        let duration = parse_duration(&config.duration).ok_or_else(|| {
            format!(
                "duration: `{}` is not a duration like 30m, 8h or 1h30m",
                config.duration
            )
        })?;
        let apps = config
            .apps
            .iter()
            .map(|g| {
                Glob::new(g)
                    .map(|g| g.compile_matcher())
                    .map_err(|e| format!("apps: `{g}`: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Window {
            kind,
            schedule: config.schedule.trim().to_string(),
            cron,
            duration,
            apps,
        })
    }

    fn applies_to(&self, app: &str) -> bool {
        self.apps.is_empty() || self.apps.iter().any(|g| g.is_match(app))
    }

    /// The opening that `at` falls in, if the window is open then.
    fn open_since(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let duration = chrono::Duration::from_std(self.duration).ok()?;
        // The first opening after `at - duration` is the only one that can cover `at` (a window
        // is open from its opening, inclusive, for its duration, exclusive).
        let start = self
            .cron
            .find_next_occurrence(&(at - duration), false)
            .ok()?;
        (start <= at).then_some(start)
    }

    fn next_opening(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron.find_next_occurrence(&at, false).ok()
    }

    fn describe(&self) -> String {
        let kind = match self.kind {
            Kind::Allow => "allow",
            Kind::Deny => "deny",
        };
        format!(
            "{kind} window `{}` for {}",
            self.schedule,
            human(self.duration)
        )
    }
}

/// The windows' verdict for `app` at `at`.
pub fn verdict(windows: &[Window], app: &str, at: DateTime<Utc>) -> Verdict {
    let applying: Vec<&Window> = windows.iter().filter(|w| w.applies_to(app)).collect();
    if let Some(deny) = applying
        .iter()
        .find(|w| w.kind == Kind::Deny && w.open_since(at).is_some())
    {
        let start = deny.open_since(at).expect("open");
        let ends = start + chrono::Duration::from_std(deny.duration).unwrap_or_default();
        return Verdict::Closed {
            why: format!(
                "inside the {} (until {})",
                deny.describe(),
                ends.format("%Y-%m-%d %H:%M UTC")
            ),
            opens: Some(ends),
        };
    }
    let allows: Vec<&&Window> = applying.iter().filter(|w| w.kind == Kind::Allow).collect();
    if allows.is_empty() || allows.iter().any(|w| w.open_since(at).is_some()) {
        return Verdict::Open;
    }
    let opens = allows.iter().filter_map(|w| w.next_opening(at)).min();
    let names: Vec<String> = allows.iter().map(|w| w.describe()).collect();
    Verdict::Closed {
        why: match opens {
            Some(t) => format!(
                "outside the {} (opens {})",
                names.join(", "),
                t.format("%Y-%m-%d %H:%M UTC")
            ),
            None => format!("outside the {}", names.join(", ")),
        },
        opens,
    }
}

/// `90s`, `30m`, `8h`, `1h30m`, `2d`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut total = 0u64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = number.parse().ok()?;
        number.clear();
        total += n * match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return None,
        };
    }
    (number.is_empty() && total > 0).then(|| Duration::from_secs(total))
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, (s % 3600) / 60) {
        (0, m) => format!("{m}m"),
        (h, 0) => format!("{h}h"),
        (h, m) => format!("{h}h{m}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(kind: &str, schedule: &str, duration: &str, apps: &[&str]) -> Window {
        Window::parse(&WindowConfig {
            kind: kind.into(),
            schedule: schedule.into(),
            duration: duration.into(),
            apps: apps.iter().map(|s| s.to_string()).collect(),
        })
        .unwrap()
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn allow_windows_open_and_close() {
        // Weekdays 09:00–17:00 UTC.
        let windows = [window("allow", "0 9 * * 1-5", "8h", &[])];
        assert_eq!(
            verdict(&windows, "web", at("2026-12-02T10:00:00Z")),
            Verdict::Open
        );
        assert_eq!(
            verdict(&windows, "web", at("2026-12-02T09:00:00Z")),
            Verdict::Open
        );
        match verdict(&windows, "web", at("2026-12-02T17:00:00Z")) {
            Verdict::Closed { why, opens } => {
                assert_eq!(opens, Some(at("2026-12-03T09:00:00Z")));
                assert!(why.starts_with("outside the allow window `0 9 * * 1-5` for 8h (opens 2026-12-03 09:00 UTC)"), "{why}");
            }
            open => panic!("{open:?}"),
        }
        // Saturday: the next opening is Monday.
        match verdict(&windows, "web", at("2026-12-05T12:00:00Z")) {
            Verdict::Closed { opens, .. } => assert_eq!(opens, Some(at("2026-12-07T09:00:00Z"))),
            open => panic!("{open:?}"),
        }
    }

    #[test]
    fn deny_beats_allow_and_globs_pick_apps() {
        let windows = [
            window("allow", "0 0 * * *", "24h", &[]),
            // Friday from 16:00 for the weekend, payments only.
            window(
                "deny",
                "0 16 * * 5",
                "2d16h",
                &["payment-*", "checkout-service"],
            ),
        ];
        let friday_evening = at("2026-12-04T18:00:00Z");
        assert_eq!(
            verdict(&windows, "storefront-web", friday_evening),
            Verdict::Open
        );
        match verdict(&windows, "payment-gateway", friday_evening) {
            Verdict::Closed { why, opens } => {
                assert!(why.starts_with("inside the deny window"), "{why}");
                assert_eq!(opens, Some(at("2026-12-07T08:00:00Z")));
            }
            open => panic!("{open:?}"),
        }
        assert_eq!(
            verdict(&windows, "checkout-service", at("2026-12-07T08:00:00Z")),
            Verdict::Open
        );
        assert_eq!(verdict(&[], "anything", friday_evening), Verdict::Open);
    }

    #[test]
    fn bad_windows_name_the_field() {
        let bad = |kind: &str, schedule: &str, duration: &str| {
            Window::parse(&WindowConfig {
                kind: kind.into(),
                schedule: schedule.into(),
                duration: duration.into(),
                apps: vec![],
            })
            .unwrap_err()
        };
        assert!(bad("maybe", "* * * * *", "1h").starts_with("kind:"));
        assert!(bad("allow", "61 * * * *", "1h").starts_with("schedule:"));
        assert!(bad("allow", "* * * * *", "1 hour").starts_with("duration:"));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2d"), Some(Duration::from_secs(172_800)));
        assert_eq!(parse_duration("30"), None);
        assert_eq!(parse_duration("0m"), None);
    }
}

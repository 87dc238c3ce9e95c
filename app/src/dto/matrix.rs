//! The version matrix: apps × environments in promotion order, each cell the version an
//! environment runs with its sync and health. A cell is marked against the nearest environment
//! before it on the path that runs the app: `pending` when the versions differ (a promotion is
//! due), `ahead` when this one is newer than its predecessor (drift against the path: it got
//! there without passing the earlier environment). Pure, so it is tested without a browser.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::status::{Health, SyncStatus};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixView {
    /// In promotion order.
    pub environments: Vec<String>,
    /// Per environment: not read from Git yet (Atrium is starting), so an empty cell means
    /// "not known yet", not "not there".
    #[serde(default)]
    pub unread: Vec<bool>,
    /// By name.
    pub apps: Vec<MatrixRow>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixRow {
    pub name: String,
    /// The teams claiming the app in the catalog (one, unless they conflict).
    pub owners: Vec<String>,
    /// Set when more than one team claims the app: why nobody owns it.
    #[serde(default)]
    pub owner_conflict: Option<String>,
    /// One per environment, `None` where the app does not run (or may not be read).
    pub cells: Vec<Option<MatrixCell>>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixCell {
    pub version: Option<String>,
    pub revision: String,
    pub sync: SyncStatus,
    pub health: Health,
}

impl MatrixCell {
    /// What the cell shows: the version, else the target revision.
    pub fn label(&self) -> &str {
        self.version.as_deref().unwrap_or(&self.revision)
    }
}

/// A cell against the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// The first environment running the app, or the same as the one before.
    InStep,
    /// Differs from the environment before it: a promotion is due.
    Pending,
    /// Newer than the environment before it: drift against the path.
    Ahead,
}

impl Mark {
    pub fn as_str(self) -> &'static str {
        match self {
            Mark::InStep => "in-step",
            Mark::Pending => "pending",
            Mark::Ahead => "ahead",
        }
    }
}

impl MatrixRow {
    /// The nearest environment (index) before `column` that runs the app.
    pub fn previous(&self, column: usize) -> Option<usize> {
        (0..column.min(self.cells.len()))
            .rev()
            .find(|&i| self.cells[i].is_some())
    }

    /// How the cell in `column` stands against the path.
    pub fn mark(&self, column: usize) -> Option<Mark> {
        let cell = self.cells.get(column)?.as_ref()?;
        let Some(before) = self.previous(column).and_then(|i| self.cells[i].as_ref()) else {
            return Some(Mark::InStep);
        };
        if cell.label() == before.label() {
            return Some(Mark::InStep);
        }
        Some(match compare_versions(cell.label(), before.label()) {
            Some(Ordering::Greater) => Mark::Ahead,
            _ => Mark::Pending,
        })
    }

    /// Any cell differs from the one before it.
    pub fn has_pending(&self) -> bool {
        (0..self.cells.len()).any(|c| matches!(self.mark(c), Some(Mark::Pending | Mark::Ahead)))
    }
}

/// Orders two versions when both read as dotted numbers (`1.4.2`, `v2.0`, `1.4.2-rc.1`: a
/// pre-release is older than its release); `None` when they cannot be ordered (commit SHAs,
/// branch names), so nothing is called ahead by guesswork.
pub fn compare_versions(a: &str, b: &str) -> Option<Ordering> {
    let (na, pa) = numeric(a)?;
    let (nb, pb) = numeric(b)?;
    let len = na.len().max(nb.len());
    for i in 0..len {
        let (x, y) = (
            na.get(i).copied().unwrap_or(0),
            nb.get(i).copied().unwrap_or(0),
        );
        match x.cmp(&y) {
            Ordering::Equal => {}
            other => return Some(other),
        }
    }
    Some(match (pa, pb) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => x.cmp(y),
    })
}

/// The numeric release parts and the pre-release text, if the version reads that way.
fn numeric(version: &str) -> Option<(Vec<u64>, Option<&str>)> {
    let v = version.trim();
    let v = v.strip_prefix('v').unwrap_or(v);
    let v = v.split('+').next().unwrap_or(v);
    let (release, pre) = match v.split_once('-') {
        Some((r, p)) => (r, Some(p)),
        None => (v, None),
    };
    let parts: Option<Vec<u64>> = release.split('.').map(|p| p.parse().ok()).collect();
    parts.filter(|p| !p.is_empty()).map(|p| (p, pre))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(version: &str) -> Option<MatrixCell> {
        Some(MatrixCell {
            version: Some(version.into()),
            revision: "main".into(),
            ..MatrixCell::default()
        })
    }

    fn row(cells: Vec<Option<MatrixCell>>) -> MatrixRow {
        MatrixRow {
            name: "checkout".into(),
            owners: vec![],
            owner_conflict: None,
            cells,
        }
    }

    #[test]
    fn versions_order_by_number_and_pre_releases_come_first() {
        assert_eq!(compare_versions("1.10.0", "1.9.3"), Some(Ordering::Greater));
        assert_eq!(compare_versions("v2.0", "2.0.0"), Some(Ordering::Equal));
        assert_eq!(
            compare_versions("2.0.0-rc.1", "2.0.0"),
            Some(Ordering::Less)
        );
        assert_eq!(compare_versions("abc1234", "1.0"), None);
        assert_eq!(compare_versions("main", "main"), None);
    }

    #[test]
    fn cells_are_marked_against_the_nearest_environment_before_them() {
        // dev 2.1, staging 2.0 (pending), prod absent, perf 2.0 compares with staging.
        let r = row(vec![cell("2.1.0"), cell("2.0.0"), None, cell("2.0.0")]);
        assert_eq!(r.mark(0), Some(Mark::InStep));
        assert_eq!(r.mark(1), Some(Mark::Pending));
        assert_eq!(r.mark(2), None);
        assert_eq!(r.previous(3), Some(1));
        assert_eq!(r.mark(3), Some(Mark::InStep));
        assert!(r.has_pending());
    }

    #[test]
    fn a_later_environment_newer_than_the_one_before_is_ahead() {
        let r = row(vec![cell("1.0.0"), cell("1.2.0")]);
        assert_eq!(r.mark(1), Some(Mark::Ahead));
        // Unorderable versions that differ are pending, never guessed ahead.
        let r = row(vec![cell("abc1234"), cell("def5678")]);
        assert_eq!(r.mark(1), Some(Mark::Pending));
        let r = row(vec![cell("1.0.0"), cell("1.0.0")]);
        assert!(!r.has_pending());
    }
}

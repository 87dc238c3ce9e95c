//! Two environments side by side: what the compare page shows and `GET /api/v1/compare`
//! returns (the contract's exact field names), and one resource's desired-state diff between
//! them.

use serde::{Deserialize, Serialize};

use super::env::DiffLineView;
use super::status::{Health, SyncStatus};

/// How an app, or one of its resources, compares between the two environments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareStatus {
    Same,
    Differs,
    OnlyFrom,
    OnlyTo,
}

impl CompareStatus {
    pub const ALL: [CompareStatus; 4] = [
        CompareStatus::Differs,
        CompareStatus::OnlyFrom,
        CompareStatus::OnlyTo,
        CompareStatus::Same,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CompareStatus::Same => "same",
            CompareStatus::Differs => "differs",
            CompareStatus::OnlyFrom => "only_from",
            CompareStatus::OnlyTo => "only_to",
        }
    }
}

/// `GET /api/v1/compare?from=<env>&to=<env>`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareView {
    pub from: String,
    pub to: String,
    pub apps: Vec<AppCompare>,
}

impl CompareView {
    /// How many apps are in each class.
    pub fn count(&self, status: CompareStatus) -> usize {
        self.apps.iter().filter(|a| a.status == status).count()
    }
}

/// What the compare page shows of a [`CompareView`]: the counts of every class, and only the
/// apps on screen. Sending the page only those keeps the first HTML, and the data it carries
/// for hydration, the size of what is shown rather than of both environments (the 2,000 apps
/// that are the same stay on the server until "only differences" is turned off).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareShown {
    pub from: String,
    pub to: String,
    /// Apps per class, in [`CompareStatus::ALL`]'s order, counted before filtering.
    pub counts: [usize; 4],
    pub apps: Vec<AppCompare>,
}

impl CompareShown {
    /// `app` alone when given; else every app when `all`, else those that are not the same.
    pub fn of(view: CompareView, all: bool, app: Option<&str>) -> CompareShown {
        let counts = CompareStatus::ALL.map(|status| view.count(status));
        let apps = view
            .apps
            .into_iter()
            .filter(|a| match app {
                Some(app) => a.name == app,
                None => all || a.status != CompareStatus::Same,
            })
            .collect();
        CompareShown {
            from: view.from,
            to: view.to,
            counts,
            apps,
        }
    }

    pub fn count(&self, status: CompareStatus) -> usize {
        CompareStatus::ALL
            .iter()
            .position(|s| *s == status)
            .map_or(0, |i| self.counts[i])
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppCompare {
    pub name: String,
    pub status: CompareStatus,
    /// The app in `from` (`null` when it is only in `to`): the fields the environments' `apps`
    /// listing shows.
    pub from: Option<AppSide>,
    pub to: Option<AppSide>,
    /// Its desired resources of both sides, aligned by group, kind, namespace and name.
    pub resources: Vec<ResourceCompare>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppSide {
    /// The main container's image tag (the version column).
    pub version: Option<String>,
    /// The Application's `targetRevision`.
    pub revision: String,
    pub sync: String,
    pub health: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceCompare {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub status: CompareStatus,
}

/// One resource in both environments: the desired state of each (from the renders, Secret
/// values masked), the line diff from `from` to `to` (`-` only in from, `+` only in to), and
/// each side's live sync and health.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourcePair {
    pub status: CompareStatus,
    pub from_yaml: Option<String>,
    pub to_yaml: Option<String>,
    pub diff: Vec<DiffLineView>,
    pub from_live: Option<(SyncStatus, Health)>,
    pub to_live: Option<(SyncStatus, Health)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(name: &str, status: CompareStatus) -> AppCompare {
        AppCompare {
            name: name.into(),
            status,
            from: None,
            to: None,
            resources: Vec::new(),
        }
    }

    fn view() -> CompareView {
        CompareView {
            from: "staging".into(),
            to: "prod".into(),
            apps: vec![
                app("a", CompareStatus::Same),
                app("b", CompareStatus::Differs),
                app("c", CompareStatus::OnlyFrom),
                app("d", CompareStatus::Same),
            ],
        }
    }

    fn names(shown: &CompareShown) -> Vec<&str> {
        shown.apps.iter().map(|a| a.name.as_str()).collect()
    }

    #[test]
    fn the_page_gets_the_differences_and_every_count() {
        let shown = CompareShown::of(view(), false, None);
        assert_eq!(names(&shown), ["b", "c"]);
        assert_eq!(shown.count(CompareStatus::Same), 2);
        assert_eq!(shown.count(CompareStatus::Differs), 1);
        assert_eq!(shown.count(CompareStatus::OnlyFrom), 1);
        assert_eq!(shown.count(CompareStatus::OnlyTo), 0);
    }

    #[test]
    fn every_app_or_one_app_on_request() {
        assert_eq!(
            names(&CompareShown::of(view(), true, None)),
            ["a", "b", "c", "d"]
        );
        let one = CompareShown::of(view(), false, Some("a"));
        assert_eq!(names(&one), ["a"]);
        assert_eq!(
            one.count(CompareStatus::Same),
            2,
            "counts stay those of both environments"
        );
        assert!(CompareShown::of(view(), true, Some("zz")).apps.is_empty());
    }
}

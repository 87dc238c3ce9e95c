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

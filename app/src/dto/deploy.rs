//! Deploy requests as the UI and the JSON API (`/api/v1/requests`) see them: the same types
//! serialise both, so the UI and automation cannot drift. Field names are a public contract.

use serde::{Deserialize, Serialize};

/// What a request changes. Externally tagged, as the API takes it:
/// `{"set_image":{"tag":"2.5.0"}}`, `{"set_revision":"v2"}`, `{"promote_from":"staging"}`,
/// `{"rollback_to":"<sha>"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    SetImage {
        tag: String,
        /// Default: the app's main container (the one the version column shows).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        container: Option<String>,
    },
    SetRevision(String),
    PromoteFrom(String),
    RollbackTo(String),
}

impl Change {
    /// The action the policy checks for it (`deploys, <action>, <env>/<app>`).
    pub fn action(&self) -> &'static str {
        match self {
            Change::SetImage { .. } | Change::SetRevision(_) => "deploy",
            Change::PromoteFrom(_) => "promote",
            Change::RollbackTo(_) => "rollback",
        }
    }

    /// One line for lists and commit summaries.
    pub fn describe(&self) -> String {
        match self {
            Change::SetImage {
                tag,
                container: None,
            } => format!("image {tag}"),
            Change::SetImage {
                tag,
                container: Some(c),
            } => format!("image {tag} ({c})"),
            Change::SetRevision(r) => format!("revision {r}"),
            Change::PromoteFrom(env) => format!("promote from {env}"),
            Change::RollbackTo(sha) => format!("roll back to {}", short_sha(sha)),
        }
    }
}

/// The first seven characters of a commit SHA, as Git shows them.
pub fn short_sha(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// `POST /api/v1/requests`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRequest {
    pub environment: String,
    pub app: String,
    pub change: Change,
    pub reason: String,
    /// Replace my own open request for the same app and environment (else that is refused).
    #[serde(default)]
    pub supersede: bool,
}

/// What a change would write to the environment's repository, planned on its branch head
/// without writing anything: the deploy dialog shows it before anyone asks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangePreview {
    /// The commit the plan started from.
    pub base: String,
    /// As the commit message's first line would say it.
    pub summary: String,
    pub to_version: Option<String>,
    pub files: Vec<String>,
    /// The unified diff of those files.
    pub diff: String,
}

/// Where a request is. Terminal states never change again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    Pending,
    Approved,
    Committing,
    Committed,
    Syncing,
    Healthy,
    Degraded,
    Failed,
    Rejected,
    Cancelled,
    Expired,
    Superseded,
}

impl RequestState {
    pub const ALL: [RequestState; 12] = [
        RequestState::Pending,
        RequestState::Approved,
        RequestState::Committing,
        RequestState::Committed,
        RequestState::Syncing,
        RequestState::Healthy,
        RequestState::Degraded,
        RequestState::Failed,
        RequestState::Rejected,
        RequestState::Cancelled,
        RequestState::Expired,
        RequestState::Superseded,
    ];

    /// The word on the wire and in URLs (`?state=pending`).
    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Pending => "pending",
            RequestState::Approved => "approved",
            RequestState::Committing => "committing",
            RequestState::Committed => "committed",
            RequestState::Syncing => "syncing",
            RequestState::Healthy => "healthy",
            RequestState::Degraded => "degraded",
            RequestState::Failed => "failed",
            RequestState::Rejected => "rejected",
            RequestState::Cancelled => "cancelled",
            RequestState::Expired => "expired",
            RequestState::Superseded => "superseded",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == word)
    }

    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            RequestState::Healthy
                | RequestState::Degraded
                | RequestState::Failed
                | RequestState::Rejected
                | RequestState::Cancelled
                | RequestState::Expired
                | RequestState::Superseded
        )
    }

    /// Still to be decided or carried out: at most one such request per app and environment.
    pub fn is_open(self) -> bool {
        !self.is_terminal()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalView {
    pub by: String,
    pub at: String,
    pub comment: String,
    /// `approve` or `reject`.
    pub decision: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitView {
    pub sha: String,
    pub author: String,
    pub message: String,
    /// Files the commit changed.
    #[serde(default)]
    pub files: Vec<String>,
    /// The unified diff of those files (YAML), for the timeline.
    #[serde(default)]
    pub diff: String,
    /// A link to the commit on the Git host, when the repo has a `web_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncView {
    pub started_at: String,
    pub finished_at: Option<String>,
    /// `running`, `succeeded`, `failed` or `interrupted`.
    pub result: String,
    pub message: String,
    /// Per resource: `{key, action, message}`.
    #[serde(default)]
    pub resources: Vec<SyncResourceView>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncResourceView {
    pub key: String,
    pub action: String,
    pub message: String,
}

impl SyncResourceView {
    /// The resource as people name it, `Kind namespace/name` (`Kind name` when cluster-wide),
    /// from its key `group/Kind/namespace/name`; a key of another shape is shown as it is.
    pub fn label(&self) -> String {
        match self.key.splitn(4, '/').collect::<Vec<_>>()[..] {
            [_, kind, "", name] => format!("{kind} {name}"),
            [_, kind, namespace, name] => format!("{kind} {namespace}/{name}"),
            _ => self.key.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: String,
    pub state: RequestState,
    pub by: String,
    pub detail: String,
}

/// What the viewer may do with a request, with the reason when not (UI hints; the server
/// decides again on every call).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewerRights {
    pub can_approve: bool,
    pub approve_blocked: Option<String>,
    pub can_cancel: bool,
    pub can_override_window: bool,
}

/// One request, whole: the API's `GET /api/v1/requests/{id}` and the request page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: String,
    pub environment: String,
    pub app: String,
    pub change: Change,
    pub reason: String,
    /// The requester's name; `requester_id` is their user id.
    pub requester: String,
    pub requester_id: String,
    /// Asked through an API token (automation) rather than a browser session.
    pub via_token: bool,
    pub state: RequestState,
    pub required_approvals: u32,
    pub approvals: Vec<ApprovalView>,
    /// The version before and after, as the environment's `apps` listing shows versions.
    pub from_version: Option<String>,
    pub to_version: Option<String>,
    pub commit: Option<CommitView>,
    pub sync: Option<SyncView>,
    /// The app's health once synced (and live while it runs).
    pub health: Option<String>,
    /// Why an approved request is not running yet (a deploy window, a freeze).
    pub waiting: Option<String>,
    /// Why it failed, was rejected or expired.
    pub message: Option<String>,
    /// The environment's webhook could not be told of a change (retrying), and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub timeline: Vec<TimelineEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewer: Option<ViewerRights>,
}

/// `GET /api/v1/requests?state=&environment=&app=` and the Requests page's tabs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RequestQuery {
    pub state: Option<String>,
    pub environment: Option<String>,
    pub app: Option<String>,
    /// `mine` (asked by me) or `awaiting` (waiting for my approval); UI tabs.
    pub scope: Option<String>,
}

/// `GET /api/deploys/events`: the data of each notice, sent whenever any request changes (and
/// once on connect). `environment` is the changed request's, empty when the caller may not
/// read that environment.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeNotice {
    pub version: u64,
    #[serde(default)]
    pub environment: String,
}

/// A personal API token as its owner sees it (never the secret, except once at creation).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
}

/// The answer to creating a token: the secret, shown once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewToken {
    pub token: TokenView,
    pub secret: String,
}

/// A version another environment runs (the deploy dialog lists these first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSeen {
    pub version: String,
    pub environment: String,
}

/// What the deploy dialog needs to know before anyone asks.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployOptions {
    pub environment: String,
    pub app: String,
    pub current_version: Option<String>,
    pub target_revision: String,
    /// The app's containers, main first.
    pub containers: Vec<String>,
    /// Versions the other environments run, in promotion order.
    pub versions: Vec<VersionSeen>,
    /// The environments before this one on the promotion path that run the app.
    pub promote_from: Vec<String>,
    pub required_approvals: u32,
    /// Why a request would wait now (outside a deploy window, a freeze).
    pub waiting: Option<String>,
    /// The caller may ask (the policy), else why not.
    pub can_request: bool,
    pub why_not: Option<String>,
    /// An open request for this app and environment, if any.
    pub open_request: Option<String>,
}

/// A commit as lineage shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitSummary {
    pub sha: String,
    pub author: String,
    pub date: String,
    pub message: String,
    pub url: Option<String>,
    /// The pull or merge request the message refers to, on the Git host.
    pub pull_request: Option<String>,
}

/// Where the version running now came from: the deploy request that put it there, or the
/// commit made outside Atrium.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lineage {
    pub environment: String,
    pub app: String,
    pub version: Option<String>,
    pub commit: Option<CommitSummary>,
    pub request: Option<RequestView>,
}

/// An environment frozen by an admin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreezeView {
    pub environment: String,
    pub by: String,
    pub reason: String,
    pub at: String,
}

/// `GET /api/v1/environments` (the contract's exact fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiEnvironment {
    pub name: String,
    pub production: bool,
    pub repo: String,
    pub branch: String,
    pub head: Option<String>,
}

/// `GET /api/v1/environments/{env}/apps` (the contract's exact fields).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiApp {
    pub name: String,
    pub version: Option<String>,
    pub revision: String,
    pub sync: String,
    pub health: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_synced_resource_reads_as_kind_and_name() {
        let label = |key: &str| {
            SyncResourceView {
                key: key.into(),
                ..SyncResourceView::default()
            }
            .label()
        };
        assert_eq!(
            label("apps/Deployment/payments/checkout"),
            "Deployment payments/checkout"
        );
        assert_eq!(label("/Namespace//payments"), "Namespace payments");
        assert_eq!(label("odd"), "odd");
    }

    #[test]
    fn changes_read_as_the_api_writes_them() {
        let parse = |s: &str| serde_json::from_str::<Change>(s).unwrap();
        assert_eq!(
            parse(r#"{"set_image":{"tag":"2.5.0"}}"#),
            Change::SetImage {
                tag: "2.5.0".into(),
                container: None
            }
        );
        assert_eq!(
            parse(r#"{"set_image":{"tag":"2","container":"proxy"}}"#),
            Change::SetImage {
                tag: "2".into(),
                container: Some("proxy".into())
            }
        );
        assert_eq!(
            parse(r#"{"set_revision":"v2"}"#),
            Change::SetRevision("v2".into())
        );
        assert_eq!(
            parse(r#"{"promote_from":"staging"}"#),
            Change::PromoteFrom("staging".into())
        );
        assert_eq!(
            parse(r#"{"rollback_to":"abc1234"}"#),
            Change::RollbackTo("abc1234".into())
        );
        assert!(serde_json::from_str::<Change>(r#"{"set_image":{"tag":"1","x":1}}"#).is_err());
        assert_eq!(
            serde_json::to_string(&Change::SetImage {
                tag: "1".into(),
                container: None
            })
            .unwrap(),
            r#"{"set_image":{"tag":"1"}}"#
        );
    }

    #[test]
    fn states_are_words() {
        for state in RequestState::ALL {
            assert_eq!(RequestState::parse(state.as_str()), Some(state));
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
        }
        assert!(RequestState::Pending.is_open() && RequestState::Syncing.is_open());
        assert!(!RequestState::Healthy.is_open());
    }
}

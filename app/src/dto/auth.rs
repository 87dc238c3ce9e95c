//! Who is signed in, and how one signs in.

use serde::{Deserialize, Serialize};

/// The signed-in user as the UI shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    /// Stable id: the OIDC `sub`, or the demo user's id.
    pub subject: String,
    pub name: String,
    pub email: Option<String>,
    /// Teams: identity-provider groups ∪ catalog membership (transitively through parents).
    pub teams: Vec<String>,
    /// The identity provider's groups (`group:<name>` in policy.csv).
    #[serde(default)]
    pub idp_groups: Vec<String>,
    /// Catalog groups, with parents (`catalog:<name>` in policy.csv).
    #[serde(default)]
    pub catalog_groups: Vec<String>,
    /// Policy roles the user acts as (from `g` lines and the default role).
    pub roles: Vec<String>,
    /// `oidc` or `demo`.
    pub provider: String,
}

/// What the top bar needs about the caller.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub user: Option<UserView>,
    /// The embedded default's demo sign-in is active (shown as a banner).
    pub demo: bool,
    /// May open the audit page (`audit/get`); the server checks again when it is opened.
    pub may_audit: bool,
    /// May download the audit export (`audit/export`).
    pub may_export_audit: bool,
    /// Environments whose deploys the caller may freeze (`settings/update` on `<env>/*`).
    #[serde(default)]
    pub may_freeze: Vec<String>,
    /// May approve deploys (`approvals/approve` on `*`): the Requests page opens on "Awaiting
    /// me" for them, on "Mine" for everyone else.
    #[serde(default)]
    pub may_approve: bool,
}

/// A user the demo sign-in page offers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoUserView {
    pub id: String,
    pub name: String,
    /// What they stand for, e.g. "Developer, team Payments".
    pub role: String,
    pub teams: Vec<String>,
}

/// How this Atrium signs people in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginOptions {
    /// Single sign-on is configured (then demo sign-in is refused).
    pub oidc: bool,
    /// Only when OIDC is not configured.
    pub demo_users: Vec<DemoUserView>,
    /// Why single sign-on cannot start, for the operator (e.g. the provider names another
    /// issuer than `auth.oidc.issuer`). Never holds a secret.
    #[serde(default)]
    pub oidc_problem: Option<String>,
}

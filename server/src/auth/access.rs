//! The one enforcement point: policy file + the owner-team convention, with every refusal
//! written to the audit trail. Implements the UI crate's `AccessService`.

use std::collections::HashMap;
use std::sync::Arc;

use atrium_app::dto::auth::{LoginOptions, UserView};
use atrium_app::error::AppError;
use atrium_app::service::{AccessService, Caller};

use super::policy::{Decision, PolicyHolder, Subject};
use super::session::Identity;
use super::teams::Teams;
use crate::audit::{outcome, Actor, AuditRecord};
use crate::store::Store;

pub struct Access {
    pub policy: Arc<PolicyHolder>,
    pub teams: Teams,
    pub store: Store,
    /// Each known environment and whether it is production (its `production` flag, see
    /// [`production_flags`]). The owner convention covers only environments known here as not
    /// production.
    pub production: HashMap<String, bool>,
    /// OIDC configured: demo sign-in is refused.
    pub oidc: bool,
    /// Demo sign-in is offered and accepted ([`super::settings::AuthConfig::demo_enabled`]).
    pub demo: bool,
    /// Bumped whenever a session ends here (sign-out), so open event streams re-check theirs
    /// at once instead of at their next periodic check.
    pub sessions_ended: tokio::sync::watch::Sender<u64>,
    /// What is wrong with the single sign-on configuration, for the sign-in page.
    pub oidc_problem: super::oidc::ProviderProblem,
}

impl Access {
    /// The caller as the UI and the policy see them: teams resolved through the catalog now
    /// (so a catalog change applies without signing in again), roles through the policy.
    pub fn user_view(&self, identity: &Identity) -> UserView {
        // Only an e-mail the provider verified may match a catalog User.
        let membership = self.teams.index().teams_of(
            &identity.subject,
            identity.verified_email(),
            &identity.groups,
        );
        let policy = self.policy.current();
        let roles = policy
            .roles_of(&Subject {
                user: &identity.subject,
                groups: &membership.idp,
                catalog: &membership.catalog,
            })
            .into_iter()
            .filter(|r| r.starts_with("role:"))
            .collect();
        UserView {
            subject: identity.subject.clone(),
            name: identity.name.clone(),
            email: identity.verified_email().map(str::to_string),
            teams: membership.all(),
            idp_groups: membership.idp,
            catalog_groups: membership.catalog,
            roles,
            provider: identity.provider.clone(),
        }
    }

    /// Policy first; an explicit line (allow or deny) decides. With no matching line, the
    /// owner convention may allow.
    pub fn decide(&self, user: &UserView, resource: &str, action: &str, object: &str) -> Decision {
        let subject = Subject {
            user: &user.subject,
            groups: &user.idp_groups,
            catalog: &user.catalog_groups,
        };
        let decision = self
            .policy
            .current()
            .decide(&subject, resource, action, object);
        if decision.allowed || decision.line.is_some() {
            return decision;
        }
        match self.convention(user, resource, action, object) {
            Err(Some(conflict)) => Decision {
                reason: format!("{}; the owner convention does not apply: {conflict}", decision.reason),
                ..decision
            },
            Err(None) => decision,
            Ok(team) => Decision {
                allowed: true,
                reason: match resource {
                    "deploys" => format!("allowed by the owner convention: {team} owns the app (approvals gate production)"),
                    _ => format!(
                        "allowed by the owner convention: {team} owns the app and {} is not production",
                        object.split('/').next().unwrap_or_default()
                    ),
                },
                line: None,
            },
        }
    }

    /// The owning team (transitively) may get and sync its apps outside production, and ask
    /// for deploys, promotions and rollbacks of them everywhere: in production the approvals
    /// are the gate. The owner is the one team whose Components claim the app; the caller is
    /// in it through catalog membership or an identity-provider group of the same name.
    /// `Err(Some(why))` when the app is claimed by several teams, so nobody owns it.
    fn convention(
        &self,
        user: &UserView,
        resource: &str,
        action: &str,
        object: &str,
    ) -> Result<String, Option<String>> {
        let asking = resource == "deploys" && matches!(action, "deploy" | "promote" | "rollback");
        let covered = asking
            || matches!(
                (resource, action),
                ("applications", "get") | ("applications", "sync")
            );
        let (env, app) = object.split_once('/').ok_or(None)?;
        if !covered || env.contains('*') || app.contains('*') {
            return Err(None);
        }
        // Outside production only; an environment it does not know counts as production.
        if !asking && self.production.get(env).copied().unwrap_or(true) {
            return Err(None);
        }
        let index = self.teams.index();
        match index.owner_of(app) {
            Some(team) if user.teams.iter().any(|t| t == team) => Ok(team.to_string()),
            Some(_) => Err(None),
            None => Err(index.conflict(app)),
        }
    }

    /// Append an audit record for `caller`. Fails closed: an action whose record cannot be
    /// written must not happen, so callers about to change state propagate the error (and undo
    /// what they did). Records of refusals and failed attempts may ignore it: the request is
    /// refused either way. The failure is logged with the action, never the record's details.
    pub async fn audit(&self, caller: &Caller, record: AuditRecord) -> Result<(), AppError> {
        let record = record
            .with_request(caller.request_id.clone(), caller.client_ip.clone())
            .with_client_request_id(caller.client_request_id.clone());
        self.store
            .append_audit(&record)
            .await
            .map(drop)
            .map_err(|error| {
                tracing::error!(action = %record.action, "audit append failed: {error}");
                AppError::Internal(
                "the audit trail could not be written, so nothing was done; try again or ask an \
                 operator to check the database"
                    .into(),
            )
            })
    }
}

/// Whether each environment is production, for [`Access::production`]: the environments' own
/// flags, plus the names of the deprecated `auth.production_environments` (which can only make
/// an environment production, never the reverse).
pub fn production_flags<'a>(
    environments: impl IntoIterator<Item = (&'a str, bool)>,
    deprecated: Option<&[String]>,
) -> HashMap<String, bool> {
    let mut flags: HashMap<String, bool> = environments
        .into_iter()
        .map(|(name, production)| (name.to_string(), production))
        .collect();
    if let Some(names) = deprecated {
        tracing::warn!(
            ?names,
            "auth.production_environments is deprecated: set `production = true` on each \
             [[environments]] entry instead; the names listed still count as production"
        );
        for name in names {
            flags.insert(name.clone(), true);
        }
    }
    flags
}

pub fn actor_of(caller: &Caller) -> Actor {
    match &caller.user {
        Some(user) => Actor {
            subject: user.subject.clone(),
            name: user.name.clone(),
            groups: user.teams.clone(),
        },
        None => Actor::anonymous(),
    }
}

#[async_trait::async_trait]
impl AccessService for Access {
    async fn authorize(
        &self,
        caller: &Caller,
        resource: &str,
        action: &str,
        object: &str,
    ) -> Result<(), AppError> {
        let Some(user) = &caller.user else {
            return Err(AppError::Unauthorized);
        };
        let decision = self.decide(user, resource, action, object);
        if decision.allowed {
            return Ok(());
        }
        let record = AuditRecord::new(
            actor_of(caller),
            format!("{resource}.{action}"),
            object,
            outcome::DENIED,
        )
        .with_details(serde_json::json!({ "reason": decision.reason }));
        // Refused either way; a failed append is logged by `audit`.
        let _ = self.audit(caller, record).await;
        let target = if object == "*" {
            resource.to_string()
        } else {
            format!("{resource} {object}")
        };
        let why = match (decision.line, decision.reason.split_once("; ")) {
            (None, Some((_, more))) => {
                format!("no policy line allows it and {more}; a platform admin can grant it in policy.csv")
            }
            (None, None) => {
                "no policy line allows it; a platform admin can grant it in policy.csv".into()
            }
            (Some(_), _) => decision.reason,
        };
        Err(AppError::Forbidden(format!(
            "{} may not {action} {target}: {why}",
            user.name
        )))
    }

    fn allows(&self, caller: &Caller, resource: &str, action: &str, object: &str) -> bool {
        caller
            .user
            .as_ref()
            .is_some_and(|user| self.decide(user, resource, action, object).allowed)
    }

    fn owner_conflicts(&self, entity_ref: &str) -> Vec<String> {
        self.teams.index().conflicts_of(entity_ref)
    }

    fn login_options(&self) -> LoginOptions {
        if self.oidc || !self.demo {
            return LoginOptions {
                oidc: self.oidc,
                demo_users: Vec::new(),
                oidc_problem: self.oidc_problem.get(),
            };
        }
        let index = self.teams.index();
        LoginOptions {
            oidc: false,
            demo_users: super::demo::users(|id| {
                index
                    .teams_of(id, Some(&format!("{id}@brightcart.example")), &[])
                    .all()
            }),
            oidc_problem: None,
        }
    }
}

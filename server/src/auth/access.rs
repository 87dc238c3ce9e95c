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
}

impl Access {
    /// The caller as the UI and the policy see them: teams resolved through the catalog now
    /// (so a catalog change applies without signing in again), roles through the policy.
    pub fn user_view(&self, identity: &Identity) -> UserView {
        let teams = self.teams.index().teams_of(
            &identity.subject,
            identity.email.as_deref(),
            &identity.groups,
        );
        let policy = self.policy.current();
        let roles = policy
            .roles_of(&Subject {
                user: &identity.subject,
                groups: &teams,
            })
            .into_iter()
            .filter(|r| r.starts_with("role:"))
            .collect();
        UserView {
            subject: identity.subject.clone(),
            name: identity.name.clone(),
            email: identity.email.clone(),
            teams,
            roles,
            provider: identity.provider.clone(),
        }
    }

    /// Policy first; an explicit line (allow or deny) decides. With no matching line, the
    /// owner convention may allow.
    pub fn decide(&self, user: &UserView, resource: &str, action: &str, object: &str) -> Decision {
        let subject = Subject {
            user: &user.subject,
            groups: &user.teams,
        };
        let decision = self
            .policy
            .current()
            .decide(&subject, resource, action, object);
        if decision.allowed || decision.line.is_some() {
            return decision;
        }
        match self.convention(user, resource, action, object) {
            Some(team) => Decision {
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
            None => decision,
        }
    }

    /// The owning team (transitively) may get and sync its apps outside production, and ask
    /// for deploys, promotions and rollbacks of them everywhere: in production the approvals
    /// are the gate.
    fn convention(
        &self,
        user: &UserView,
        resource: &str,
        action: &str,
        object: &str,
    ) -> Option<String> {
        let asking = resource == "deploys" && matches!(action, "deploy" | "promote" | "rollback");
        let covered = asking
            || matches!(
                (resource, action),
                ("applications", "get") | ("applications", "sync")
            );
        let (env, app) = object.split_once('/')?;
        if !covered || env.contains('*') || app.contains('*') {
            return None;
        }
        // Outside production only; an environment it does not know counts as production.
        if !asking && self.production.get(env).copied().unwrap_or(true) {
            return None;
        }
        let index = self.teams.index();
        let owners = index.owners_of(app)?;
        owners
            .iter()
            .find(|team| user.teams.contains(team))
            .cloned()
    }

    /// Append an audit record for `caller`; failures to write are logged, never shown.
    pub async fn audit(&self, caller: &Caller, record: AuditRecord) {
        let record = record
            .with_request(caller.request_id.clone(), caller.client_ip.clone())
            .with_client_request_id(caller.client_request_id.clone());
        if let Err(error) = self.store.append_audit(&record).await {
            tracing::error!(action = %record.action, "audit append failed: {error}");
        }
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
        self.audit(caller, record).await;
        let target = if object == "*" {
            resource.to_string()
        } else {
            format!("{resource} {object}")
        };
        let why = match decision.line {
            None => "no policy line allows it; a platform admin can grant it in policy.csv".into(),
            Some(_) => decision.reason,
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

    fn login_options(&self) -> LoginOptions {
        if self.oidc || !self.demo {
            return LoginOptions {
                oidc: self.oidc,
                demo_users: Vec::new(),
            };
        }
        let index = self.teams.index();
        LoginOptions {
            oidc: false,
            demo_users: super::demo::users(|id| {
                index.teams_of(id, Some(&format!("{id}@brightcart.example")), &[])
            }),
        }
    }
}

//! Sign-in and sign-out as the domain sees them, whatever the transport: the caller behind a
//! session token, a session started or ended, and the audit record of every attempt. The HTTP
//! surface's sign-in routes turn these into redirects and cookies.

use atrium_app::dto::auth::UserView;
use atrium_app::service::Caller;

use super::session::Identity;
use super::Auth;
use crate::audit::{outcome, Actor, AuditRecord};
use crate::store::Result;

impl Auth {
    /// The user behind a session token; `None` when no live session has it (tampered,
    /// expired, signed out elsewhere, or from an identity source no longer configured).
    pub async fn session_user(&self, token: &str) -> Result<Option<UserView>> {
        let identity = self
            .access
            .store
            .find_session(token, self.lifetimes)
            .await?;
        let Some(identity) = identity else {
            return Ok(None);
        };
        // A session from demo sign-in after single sign-on was configured (or from another
        // provider) would keep a demo admin signed in: it ends here.
        if self.session_source.as_deref() != Some(identity.source.as_str()) {
            tracing::info!(
                subject = %identity.subject,
                source = %identity.source,
                "a session from an identity source that is no longer configured was ended"
            );
            self.access.store.delete_session(token).await?;
            return Ok(None);
        }
        Ok(Some(self.access.user_view(&identity)))
    }

    /// The user a personal API token acts as (`None`: unknown, revoked or expired). Their teams
    /// are resolved now, as a session's are.
    pub async fn token_user(
        &self,
        secret: &str,
    ) -> std::result::Result<Option<UserView>, super::tokens::TokenError> {
        let owner = super::tokens::authenticate(&self.access.store, secret).await?;
        Ok(owner.map(|owner| {
            self.access.user_view(&Identity {
                subject: owner.subject,
                name: owner.name,
                email: owner.email,
                // Tokens only ever get a verified e-mail (see `last_session_of` and
                // `Access::user_view`).
                email_verified: true,
                groups: owner.groups,
                provider: "token".into(),
                source: "token".into(),
            })
        }))
    }

    /// Audit a sign-in attempt: `result` is an [`outcome`], `details` say how and why.
    pub async fn audit_login(
        &self,
        caller: &Caller,
        actor: Actor,
        result: &str,
        details: serde_json::Value,
    ) {
        let record = AuditRecord::new(actor, "login", "atrium", result).with_details(details);
        // Successful sign-ins go through `start_session`, which fails closed.
        let _ = self.access.audit(caller, record).await;
    }

    /// Start a session for `identity` and audit the sign-in; returns the token for the cookie.
    pub async fn start_session(
        &self,
        caller: &Caller,
        identity: Identity,
        details: serde_json::Value,
    ) -> Result<String> {
        let token = self
            .access
            .store
            .create_session(&identity, self.lifetimes)
            .await?;
        let user = self.access.user_view(&identity);
        let actor = Actor {
            subject: user.subject.clone(),
            name: user.name.clone(),
            groups: user.teams.clone(),
        };
        // Fail closed: a sign-in the audit trail does not know about does not happen.
        let record = AuditRecord::new(actor, "login", "atrium", outcome::SUCCESS)
            .with_details(details)
            .with_request(caller.request_id.clone(), caller.client_ip.clone())
            .with_client_request_id(caller.client_request_id.clone());
        if let Err(error) = self.access.store.append_audit(&record).await {
            tracing::error!(
                action = "login",
                "audit append failed, sign-in refused: {error}"
            );
            if let Err(e) = self.access.store.delete_session(&token).await {
                tracing::error!("deleting the unaudited session failed: {e}");
            }
            return Err(error);
        }
        Ok(token)
    }

    /// End the session behind `token` here (the provider's own session is left alone) and audit
    /// the sign-out of a signed-in caller. A failed delete is logged; the caller is signed out
    /// of this browser either way.
    pub async fn end_session(&self, caller: &Caller, token: Option<&str>) {
        if let Some(token) = token {
            if let Err(error) = self.access.store.delete_session(token).await {
                tracing::error!("deleting the session failed: {error}");
            }
            self.access.sessions_ended.send_modify(|n| *n += 1);
        }
        if caller.user.is_some() {
            let record = AuditRecord::new(
                super::access::actor_of(caller),
                "logout",
                "atrium",
                outcome::SUCCESS,
            );
            // Signing out only takes rights away: it happens even if the record cannot be
            // written (the failure is logged).
            let _ = self.access.audit(caller, record).await;
        }
    }
}

//! Who the caller is and what they may do: OIDC sign-in ([`oidc`]) or the embedded default's
//! demo sign-in ([`demo`]), server-side sessions ([`session`]) started and ended with an audit
//! record ([`login`]), the same-origin rule for writes ([`origin`]), teams from the catalog
//! ([`teams`]), and the one enforcement point ([`access`]) over the `policy.csv` policy
//! ([`policy`]). The request guard, the sign-in routes and the cookie are the HTTP surface's.

pub mod access;
pub mod demo;
pub mod login;
pub mod network;
pub mod oidc;
pub mod origin;
pub mod policy;
pub mod ratelimit;
pub mod session;
pub mod settings;
pub mod teams;
pub mod tokens;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use access::Access;
use oidc::Oidc;
use policy::{PolicyHolder, ReloadOutcome};
use ratelimit::LoginLimiter;
use session::Lifetimes;

use crate::audit::{outcome, Actor, AuditRecord};
use crate::catalog::service::Catalog;
use crate::config::Config;
use crate::store::Store;

/// The built-in policy, written to the data dir when no policy file is configured.
pub const DEFAULT_POLICY: &str = include_str!("default_policy.csv");

/// Everything sign-in and authorisation need, built once at start-up.
pub struct Auth {
    pub access: Arc<Access>,
    pub oidc: Option<Oidc>,
    pub lifetimes: Lifetimes,
    pub secure_cookies: bool,
    /// `scheme://host[:port]` writes must come from; `None` = the request's own host.
    pub public_origin: Option<String>,
    /// The `Host` names requests must carry (DNS rebinding).
    pub hosts: origin::AllowedHosts,
    /// The public URL is https: responses carry `Strict-Transport-Security`.
    pub hsts: bool,
    pub limiter: LoginLimiter,
    /// The identity source sessions must come from ([`session::Identity::source`]): the OIDC
    /// issuer when single sign-on is configured, else demo when demo sign-in is on.
    pub session_source: Option<String>,
}

impl Auth {
    /// `environments`: each environment's name and `production` flag (the engine's).
    pub fn from_config<'a>(
        config: &Config,
        catalog: Arc<Catalog>,
        store: Store,
        environments: impl IntoIterator<Item = (&'a str, bool)>,
    ) -> anyhow::Result<Self> {
        let settings = &config.auth;
        let policy_path = match &settings.policy_file {
            Some(path) => path.clone(),
            None => default_policy_file(&config.data_dir)?,
        };
        let default_role = Some(settings.default_role.as_str()).filter(|r| !r.is_empty());
        let policy = PolicyHolder::load(&policy_path, default_role)?;
        tracing::info!(file = %policy_path.display(), "policy loaded");
        let oidc = match &settings.oidc {
            Some(oidc) => Some(Oidc::new(oidc.clone())?),
            None => None,
        };
        let demo = settings.demo_enabled(config.listen);
        let session_source = match &settings.oidc {
            Some(oidc) => Some(session::oidc_source(&oidc.issuer)),
            None => demo.then(|| session::DEMO_SOURCE.to_string()),
        };
        Ok(Self {
            access: Arc::new(Access {
                policy: Arc::new(policy),
                teams: teams::Teams::new(catalog),
                store,
                production: access::production_flags(
                    environments,
                    settings.production_environments.as_deref(),
                ),
                oidc: oidc.is_some(),
                demo,
                oidc_problem: oidc.as_ref().map(|o| o.problem()).unwrap_or_default(),
                sessions_ended: tokio::sync::watch::channel(0).0,
            }),
            oidc,
            lifetimes: Lifetimes {
                idle: time::Duration::minutes(settings.session_idle_minutes as i64),
                absolute: time::Duration::hours(settings.session_max_hours as i64),
                oidc: match &settings.oidc {
                    Some(oidc) => time::Duration::seconds(oidc.groups_refresh_secs as i64),
                    None => time::Duration::hours(settings.session_max_hours as i64),
                },
            },
            secure_cookies: settings.secure_cookies(),
            public_origin: settings.public_url.as_deref().map(origin::origin_of),
            hsts: settings
                .public_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://")),
            hosts: origin::AllowedHosts::new(
                settings.public_url.as_deref(),
                &settings.allowed_hosts,
            ),
            limiter: LoginLimiter::per_minute(settings.login_attempts_per_minute),
            session_source,
        })
    }

    /// Poll the policy file (reloads and rejections are audited) and purge old sessions.
    pub async fn run(self: Arc<Self>, poll: Duration) {
        let mut ticks: u64 = 0;
        loop {
            tokio::time::sleep(poll).await;
            ticks += 1;
            self.reload_policy().await;
            if ticks.is_multiple_of(60) {
                if let Err(error) = self
                    .access
                    .store
                    .purge_expired_sessions(self.lifetimes)
                    .await
                {
                    tracing::warn!("purging sessions failed: {error}");
                }
                self.limiter.shrink();
            }
        }
    }

    pub async fn reload_policy(&self) {
        let holder = &self.access.policy;
        let file = holder.path().display().to_string();
        let (result, details) = match holder.reload_if_changed() {
            ReloadOutcome::Unchanged => return,
            ReloadOutcome::Reloaded { rules } => {
                tracing::info!(%file, rules, "policy reloaded");
                (outcome::SUCCESS, serde_json::json!({ "rules": rules }))
            }
            ReloadOutcome::Rejected(errors) => {
                // The first lines name the problem; a file of garbage must not flood the log.
                let total = errors.len();
                let errors: Vec<String> = errors.iter().take(20).map(|e| e.to_string()).collect();
                tracing::error!(%file, ?errors, total, "policy change rejected; the previous policy stays in force");
                (
                    outcome::FAILURE,
                    serde_json::json!({ "errors": errors, "error_count": total, "kept": "previous policy" }),
                )
            }
            ReloadOutcome::Unreadable(error) => {
                tracing::error!(%file, "policy file unreadable, previous policy stays in force: {error}");
                return;
            }
        };
        let record =
            AuditRecord::new(Actor::system(), "policy.reload", file, result).with_details(details);
        if let Err(error) = self.access.store.append_audit(&record).await {
            tracing::error!("audit append failed: {error}");
        }
    }
}

/// `<data_dir>/policy.csv`, created with [`DEFAULT_POLICY`] when missing.
fn default_policy_file(data_dir: &std::path::Path) -> anyhow::Result<PathBuf> {
    let path = data_dir.join("policy.csv");
    if !path.exists() {
        std::fs::write(&path, DEFAULT_POLICY)?;
        tracing::info!(file = %path.display(), "wrote the built-in policy");
    }
    Ok(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_built_in_policy_parses() {
        let policy = super::policy::Policy::parse(super::DEFAULT_POLICY, Some("role:readonly"))
            .expect("built-in policy is valid");
        assert!(policy.rule_count() > 5);
    }
}

//! Per-environment deploy policy from the configuration: how many approvals a request needs,
//! its deploy windows, and the webhook that hears of every state change. Promotion order is the
//! order of `[[environments]]`. Who may ask and who may approve is the policy file's (the
//! one enforcement point); four-eyes is [`super::state`]'s and holds whatever the file says.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::windows::{verdict, Verdict, Window, WindowConfig};

/// An environment's outgoing webhook: a JSON POST on every state change, signed with
/// HMAC-SHA256 of the body under the secret (header `X-Atrium-Signature-256: sha256=<hex>`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    /// The environment variable holding the secret (never the secret itself in a file).
    pub secret_env: Option<String>,
}

/// One environment's policy.
#[derive(Clone, Debug)]
pub struct EnvPolicy {
    pub env: String,
    pub production: bool,
    /// Approvals by people other than the requester before a request runs.
    pub approvals: u32,
    pub windows: Vec<Window>,
    pub webhook: Option<WebhookConfig>,
}

impl EnvPolicy {
    /// The embedded default: one approval in production, none elsewhere; no windows.
    pub fn default_for(env: &str, production: bool) -> Self {
        EnvPolicy {
            env: env.to_string(),
            production,
            approvals: u32::from(production),
            windows: Vec::new(),
            webhook: None,
        }
    }

    /// From the `[[environments]]` fields; errors name the field (`windows[1].schedule: …`).
    pub fn from_config(
        env: &str,
        production: bool,
        approvals: Option<u32>,
        windows: &[WindowConfig],
        webhook: Option<WebhookConfig>,
    ) -> Result<Self, String> {
        let windows = windows
            .iter()
            .enumerate()
            .map(|(i, w)| Window::parse(w).map_err(|e| format!("windows[{i}].{e}")))
            .collect::<Result<_, _>>()?;
        if let Some(hook) = &webhook {
            if !(hook.url.starts_with("https://") || hook.url.starts_with("http://")) {
                return Err(format!("webhook.url: `{}` is not an http(s) URL", hook.url));
            }
        }
        Ok(EnvPolicy {
            approvals: approvals.unwrap_or(u32::from(production)),
            windows,
            webhook,
            ..Self::default_for(env, production)
        })
    }

    /// Whether `app` may be deployed at `at`: the windows' verdict.
    pub fn window(&self, app: &str, at: DateTime<Utc>) -> Verdict {
        verdict(&self.windows, app, at)
    }
}

/// Everything the deploy workflow is configured with.
#[derive(Clone, Debug)]
pub struct DeploySettings {
    /// In promotion order.
    pub envs: Vec<EnvPolicy>,
    /// Pending or approved requests older than this expire.
    pub expire_after: Duration,
    /// How long after the commit the engine may take to render it.
    pub render_timeout: Duration,
    /// How long a synced app may take to become healthy before the request fails.
    pub health_timeout: Duration,
    /// How often the executor looks for work (it is also woken on every change).
    pub tick: Duration,
    /// The committer of deploy commits (the author is the requester).
    pub committer: (String, String),
    /// Link template for commits on the Git host, per environment: `{sha}` is replaced.
    pub web_urls: Vec<(String, String)>,
}

impl DeploySettings {
    pub fn policy(&self, env: &str) -> Option<&EnvPolicy> {
        self.envs.iter().find(|p| p.env == env)
    }

    /// A commit's link on the Git host, if the environment has a `web_url`.
    pub fn commit_url(&self, env: &str, sha: &str) -> Option<String> {
        self.web_urls
            .iter()
            .find(|(e, _)| e == env)
            .map(|(_, template)| template.replace("{sha}", sha))
    }
}

impl Default for DeploySettings {
    fn default() -> Self {
        DeploySettings {
            envs: Vec::new(),
            expire_after: Duration::from_secs(72 * 3600),
            render_timeout: Duration::from_secs(60),
            health_timeout: Duration::from_secs(300),
            tick: Duration::from_secs(2),
            committer: ("Atrium".into(), "atrium@atrium.invalid".into()),
            web_urls: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_needs_one_approval_by_default() {
        assert_eq!(EnvPolicy::default_for("prod", true).approvals, 1);
        assert_eq!(EnvPolicy::default_for("staging", false).approvals, 0);
        let configured = EnvPolicy::from_config("staging", false, Some(2), &[], None).unwrap();
        assert_eq!(configured.approvals, 2);
    }

    #[test]
    fn bad_policy_names_the_field() {
        let window = WindowConfig {
            kind: "allow".into(),
            schedule: "0 9 * * *".into(),
            duration: "forever".into(),
            apps: vec![],
        };
        let error = EnvPolicy::from_config("prod", true, None, &[window], None).unwrap_err();
        assert!(error.starts_with("windows[0].duration:"), "{error}");
        let hook = WebhookConfig {
            url: "ftp://x".into(),
            secret_env: None,
        };
        let error = EnvPolicy::from_config("prod", true, None, &[], Some(hook)).unwrap_err();
        assert!(error.starts_with("webhook.url:"), "{error}");
    }
}

//! Push webhooks from Git hosts: which secret a delivery must be signed with, whether it is
//! (GitHub `X-Hub-Signature-256`, Gitea/Forgejo `X-Gitea-Signature`/`X-Forgejo-Signature`,
//! Bitbucket `X-Hub-Signature: sha256=…`, GitLab `X-Gitlab-Token`), and which configured
//! repositories and branches a push names. Pure; the HTTP handler does the refreshing.

pub mod push;
pub mod repo_url;

use std::collections::BTreeMap;
use std::fmt;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use push::Push;

/// Largest delivery read: a push event of a thousand commits stays far below.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// `[webhooks]`. Secrets come from the file or the environment (`ATRIUM_WEBHOOKS__SECRET`)
/// and are never shown: `Debug` prints only which are set.
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    /// The shared secret every host signs with, unless it has its own below.
    pub secret: Option<String>,
    /// Per-host secrets: `"git.example.com" = "…"`. A push whose repository is on one of these
    /// hosts must be signed with that host's secret (the shared one is not accepted for it).
    pub hosts: BTreeMap<String, String>,
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookConfig")
            .field("secret", &self.secret.as_ref().map(|_| "<set>"))
            .field("hosts", &self.hosts.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The authentication a delivery carries, as read from its headers.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// `X-Hub-Signature-256`, or `X-Hub-Signature` when it is `sha256=…` (Bitbucket).
    pub hub_sha256: Option<String>,
    /// `X-Gitea-Signature` / `X-Forgejo-Signature`: bare hex.
    pub gitea: Option<String>,
    /// `X-Gitlab-Token`: the secret itself.
    pub gitlab_token: Option<String>,
}

impl WebhookConfig {
    pub fn is_enabled(&self) -> bool {
        self.secret.as_ref().is_some_and(|s| !s.is_empty())
            || self.hosts.values().any(|s| !s.is_empty())
    }

    /// The secret a push must be signed with: the per-host one when the push names a host
    /// that has one, else the shared one. None = no secret applies: refused.
    pub fn secret_for(&self, push_urls: &[String]) -> Option<&str> {
        let hosts: Vec<String> = push_urls
            .iter()
            .filter_map(|u| repo_url::repo_identity(u))
            .filter_map(|id| id.split('/').next().map(str::to_string))
            .collect();
        let own = self
            .hosts
            .iter()
            .find(|(host, _)| hosts.iter().any(|h| h.eq_ignore_ascii_case(host.trim())));
        match own {
            Some((_, secret)) => Some(secret.as_str()),
            None => self.secret.as_deref(),
        }
        .filter(|s| !s.is_empty())
    }
}

/// Whether `body` was sent by someone holding `secret`: the first signature header present
/// must verify (HMAC-SHA256 compared in constant time); no header at all is a refusal.
pub fn verify(credentials: &Credentials, body: &[u8], secret: &str) -> bool {
    if let Some(token) = &credentials.gitlab_token {
        return constant_time_eq(token.as_bytes(), secret.as_bytes());
    }
    let hex_sig = match (&credentials.hub_sha256, &credentials.gitea) {
        (Some(sig), _) => match sig.trim().strip_prefix("sha256=") {
            Some(hex) => hex,
            None => return false,
        },
        (None, Some(sig)) => sig.trim(),
        (None, None) => return false,
    };
    let Ok(expected) = hex::decode(hex_sig) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// Compares digests of both, so neither the content nor the length of the secret shows in
/// the time taken.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = (Sha256::digest(a), Sha256::digest(b));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// A configured repository a push may refresh: a catalog source or an environment.
#[derive(Clone, Copy, Debug)]
pub struct Watched<'a> {
    pub name: &'a str,
    /// URL or local path, as configured.
    pub repo: &'a str,
    pub branch: &'a str,
}

/// The names of the watched repositories `push` names (any of its URLs, any of its branches).
pub fn matching<'a>(push: &Push, watched: impl IntoIterator<Item = Watched<'a>>) -> Vec<&'a str> {
    watched
        .into_iter()
        .filter(|w| {
            push.branches
                .iter()
                .any(|b| repo_url::matches(&push.urls, b, w.repo, w.branch))
        })
        .map(|w| w.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign(secret: &str, body: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(body);
        hex::encode(mac.finalize().into_bytes())
    }

    #[test]
    fn each_host_signature_verifies_and_a_wrong_one_does_not() {
        let body = br#"{"ref":"refs/heads/main"}"#;
        let good = sign("s3cret", body);
        let github = Credentials {
            hub_sha256: Some(format!("sha256={good}")),
            ..Default::default()
        };
        assert!(verify(&github, body, "s3cret"));
        assert!(!verify(&github, body, "other"));
        assert!(!verify(&github, b"{}", "s3cret"));
        let gitea = Credentials {
            gitea: Some(good.clone()),
            ..Default::default()
        };
        assert!(verify(&gitea, body, "s3cret"));
        let gitlab = Credentials {
            gitlab_token: Some("s3cret".into()),
            ..Default::default()
        };
        assert!(verify(&gitlab, body, "s3cret"));
        assert!(!verify(&gitlab, body, "s3cret2"));
        let sha1 = Credentials {
            hub_sha256: Some(format!("sha1={good}")),
            ..Default::default()
        };
        assert!(!verify(&sha1, body, "s3cret"));
        assert!(!verify(&Credentials::default(), body, "s3cret"));
        let garbage = Credentials {
            gitea: Some("zz".into()),
            ..Default::default()
        };
        assert!(!verify(&garbage, body, "s3cret"));
    }

    #[test]
    fn per_host_secrets_win_and_nothing_is_printed() {
        let config = WebhookConfig {
            secret: Some("shared".into()),
            hosts: [("git.example.com".to_string(), "own".to_string())].into(),
        };
        let on = |u: &str| vec![u.to_string()];
        assert_eq!(
            config.secret_for(&on("https://GIT.example.com/a/b")),
            Some("own")
        );
        assert_eq!(
            config.secret_for(&on("https://github.com/a/b")),
            Some("shared")
        );
        assert!(!format!("{config:?}").contains("shared"));
        assert!(!format!("{config:?}").contains("own\""));
        assert_eq!(
            WebhookConfig::default().secret_for(&on("https://x/a")),
            None
        );
        assert!(!WebhookConfig::default().is_enabled());
    }

    #[test]
    fn matching_names_sources_and_environments() {
        let push = Push {
            urls: vec!["git@git.example:platform/env.git".into()],
            branches: vec!["main".into()],
        };
        let watched = [
            Watched {
                name: "prod",
                repo: "https://git.example/platform/env",
                branch: "main",
            },
            Watched {
                name: "dev",
                repo: "https://git.example/platform/env",
                branch: "dev",
            },
            Watched {
                name: "other",
                repo: "https://git.example/platform/x",
                branch: "main",
            },
        ];
        assert_eq!(matching(&push, watched), ["prod"]);
    }
}

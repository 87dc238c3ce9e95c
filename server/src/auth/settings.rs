//! `[auth]` configuration: sign-in (OIDC or the demo), sessions, the policy file.
//!
//! ```toml
//! [auth]
//! policy_file = "/etc/atrium/policy.csv"
//! public_url = "https://atrium.example.com"
//!
//! [auth.oidc]
//! issuer = "https://login.example.com"
//! client_id = "atrium"
//! # client_secret from ATRIUM_AUTH__OIDC__CLIENT_SECRET, never in the file
//! redirect_url = "https://atrium.example.com/auth/callback"
//! # token_endpoint_auth = "client_secret_post"  (default: what discovery advertises)
//! # user_claim = "sub"                          (or "email", "preferred_username")
//! # clock_skew_secs = 60
//! # discovery_refresh_secs = 3600
//! # groups_refresh_secs = 3600
//! ```

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct AuthConfig {
    /// `policy.csv`; default `<data_dir>/policy.csv`, written with the built-in policy when
    /// missing. Reloaded when it changes.
    pub policy_file: Option<PathBuf>,
    /// Role every signed-in user has (`role:readonly`).
    pub default_role: String,
    /// Deprecated: set `production = true` on the environment instead (`[[environments]]`),
    /// the one source of truth. Names listed here still count as production (they can only
    /// add to the environments' flags, never remove one), with a warning at start.
    pub production_environments: Option<Vec<String>>,
    /// A session ends after this long without a request.
    pub session_idle_minutes: u64,
    /// A session ends this long after sign-in, whatever happens.
    pub session_max_hours: u64,
    /// The URL people use, e.g. `https://atrium.example.com`: the origin POSTs must come from
    /// and whether cookies are `Secure`. Default: the request's own `Host`.
    pub public_url: Option<String>,
    /// Extra `Host` names (`name` or `name:port`) this Atrium answers to, besides the public
    /// URL's host, `localhost` and IP addresses; e.g. the name a reverse proxy uses.
    pub allowed_hosts: Vec<String>,
    /// Demo sign-in (four demo users, one an admin). Default: on only when no OIDC is
    /// configured and Atrium listens on a loopback address; `true` turns it on when listening
    /// elsewhere (with a loud warning), `false` turns it off.
    pub demo: Option<bool>,
    /// Sign-in attempts allowed per client IP and minute.
    pub login_attempts_per_minute: u32,
    /// Single sign-on; absent = the embedded default's demo sign-in.
    pub oidc: Option<OidcConfig>,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// Issuer URL; discovery reads `<issuer>/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// Set it through `ATRIUM_AUTH__OIDC__CLIENT_SECRET`; omitted for public clients (PKCE only).
    pub client_secret: Option<String>,
    /// This Atrium's callback, `https://…/auth/callback`, as registered at the provider.
    pub redirect_url: String,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// Claim holding the user's groups, in the ID token or from userinfo.
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// Label of the sign-in button ("Sign in with Okta").
    #[serde(default)]
    pub display_name: Option<String>,
    /// How Atrium authenticates at the token endpoint. Default: what discovery advertises in
    /// `token_endpoint_auth_methods_supported` (Basic when listed or when the list is absent,
    /// else `client_secret_post`).
    #[serde(default)]
    pub token_endpoint_auth: Option<TokenEndpointAuth>,
    /// The claim that names users in `policy.csv` lines and in the audit trail.
    #[serde(default)]
    pub user_claim: UserClaim,
    /// Clock difference tolerated with the provider: a token is accepted this long after its
    /// `exp`, and refused when its `iat` is more than this far in the future.
    #[serde(default = "default_clock_skew_secs")]
    pub clock_skew_secs: u64,
    /// The discovery document and signing keys are read again when older than this (keys
    /// also at once when a token names a key Atrium does not have).
    #[serde(default = "default_discovery_refresh_secs")]
    pub discovery_refresh_secs: u64,
    /// A single sign-on session ends this long after sign-in, so the provider's groups are
    /// read again at the next sign-in (the provider's own session makes that a redirect).
    #[serde(default = "default_groups_refresh_secs")]
    pub groups_refresh_secs: u64,
}

/// `auth.oidc.token_endpoint_auth`. `private_key_jwt` is not supported (yet).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenEndpointAuth {
    /// Client id and secret in an HTTP Basic `Authorization` header.
    ClientSecretBasic,
    /// Client id and secret as form fields of the token request.
    ClientSecretPost,
}

/// `auth.oidc.user_claim`: which claim is the user's name for the policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserClaim {
    /// The provider's stable subject id (may be opaque).
    #[default]
    Sub,
    /// The e-mail address; a sign-in whose `email_verified` is not true is refused.
    Email,
    /// `preferred_username`; use it only when users cannot change it at the provider.
    PreferredUsername,
}

impl UserClaim {
    pub fn name(self) -> &'static str {
        match self {
            UserClaim::Sub => "sub",
            UserClaim::Email => "email",
            UserClaim::PreferredUsername => "preferred_username",
        }
    }
}

fn default_clock_skew_secs() -> u64 {
    60
}

fn default_discovery_refresh_secs() -> u64 {
    3600
}

fn default_groups_refresh_secs() -> u64 {
    3600
}

fn default_scopes() -> Vec<String> {
    ["openid", "profile", "email", "groups"]
        .map(String::from)
        .to_vec()
}

fn default_groups_claim() -> String {
    "groups".into()
}

// The secret never reaches logs, even through `{:?}` of the whole configuration.
impl fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("redirect_url", &self.redirect_url)
            .field("scopes", &self.scopes)
            .field("groups_claim", &self.groups_claim)
            .field("token_endpoint_auth", &self.token_endpoint_auth)
            .field("user_claim", &self.user_claim)
            .field("clock_skew_secs", &self.clock_skew_secs)
            .field("discovery_refresh_secs", &self.discovery_refresh_secs)
            .field("groups_refresh_secs", &self.groups_refresh_secs)
            .finish()
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            policy_file: None,
            default_role: "role:readonly".into(),
            production_environments: None,
            session_idle_minutes: 120,
            session_max_hours: 12,
            public_url: None,
            allowed_hosts: Vec::new(),
            demo: None,
            login_attempts_per_minute: 20,
            oidc: None,
        }
    }
}

impl AuthConfig {
    /// Field-level checks figment cannot do; messages name the field.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(url) = &self.public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "auth.public_url: `{url}` must start with http:// or https://"
                ));
            }
        }
        for (i, entry) in self.allowed_hosts.iter().enumerate() {
            if !valid_host_entry(entry) {
                return Err(format!(
                    "auth.allowed_hosts[{i}]: `{entry}` is not a host name, optionally with :port (no scheme or path)"
                ));
            }
        }
        if self.session_idle_minutes == 0 || self.session_max_hours == 0 {
            return Err("auth.session_idle_minutes and auth.session_max_hours must be > 0".into());
        }
        if self.oidc.is_some() && self.demo == Some(true) {
            return Err("auth.demo = true cannot be combined with auth.oidc: demo sign-in is only for instances without single sign-on".into());
        }
        if let Some(oidc) = &self.oidc {
            for (field, value) in [
                ("issuer", &oidc.issuer),
                ("client_id", &oidc.client_id),
                ("redirect_url", &oidc.redirect_url),
            ] {
                if value.trim().is_empty() {
                    return Err(format!("auth.oidc.{field} is required"));
                }
            }
            for (field, value) in [
                ("issuer", &oidc.issuer),
                ("redirect_url", &oidc.redirect_url),
            ] {
                if !(value.starts_with("http://") || value.starts_with("https://")) {
                    return Err(format!(
                        "auth.oidc.{field}: `{value}` is not an http(s) URL"
                    ));
                }
            }
            if !oidc.scopes.iter().any(|s| s == "openid") {
                return Err("auth.oidc.scopes must include `openid`".into());
            }
            if oidc.clock_skew_secs > 600 {
                return Err(format!(
                    "auth.oidc.clock_skew_secs: {} is more than 600 seconds; fix the clocks instead",
                    oidc.clock_skew_secs
                ));
            }
            if oidc.discovery_refresh_secs < 60 {
                return Err("auth.oidc.discovery_refresh_secs must be at least 60".into());
            }
            if oidc.groups_refresh_secs < 60 {
                return Err("auth.oidc.groups_refresh_secs must be at least 60".into());
            }
            if oidc.user_claim == UserClaim::Email && !oidc.scopes.iter().any(|s| s == "email") {
                return Err(
                    "auth.oidc.user_claim = \"email\" needs `email` in auth.oidc.scopes".into(),
                );
            }
        }
        Ok(())
    }

    /// Whether demo sign-in is on for an Atrium listening on `listen` (see [`Self::demo`]).
    pub fn demo_enabled(&self, listen: std::net::SocketAddr) -> bool {
        self.oidc.is_none() && self.demo.unwrap_or_else(|| listen.ip().is_loopback())
    }

    /// Cookies get `Secure` when people reach Atrium over https.
    pub fn secure_cookies(&self) -> bool {
        let https = |u: &str| u.starts_with("https://");
        self.public_url.as_deref().is_some_and(https)
            || self.oidc.as_ref().is_some_and(|o| https(&o.redirect_url))
    }
}

/// `name` or `name:port`: letters, digits, `-` and `.` (a host as a `Host` header names it).
fn valid_host_entry(entry: &str) -> bool {
    let (name, port) = match entry.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (entry, None),
    };
    !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_oidc() -> OidcConfig {
        serde_json::from_value(serde_json::json!({
            "issuer": "https://idp",
            "client_id": "atrium",
            "redirect_url": "https://atrium/auth/callback",
        }))
        .unwrap()
    }

    #[test]
    fn new_oidc_settings_have_defaults_and_checked_values() {
        let oidc = test_oidc();
        assert_eq!(oidc.user_claim, UserClaim::Sub);
        assert_eq!(oidc.token_endpoint_auth, None);
        assert_eq!(
            (
                oidc.clock_skew_secs,
                oidc.discovery_refresh_secs,
                oidc.groups_refresh_secs
            ),
            (60, 3600, 3600)
        );
        let parsed: OidcConfig = serde_json::from_value(serde_json::json!({
            "issuer": "https://idp", "client_id": "a", "redirect_url": "https://a/auth/callback",
            "token_endpoint_auth": "client_secret_post", "user_claim": "preferred_username",
        }))
        .unwrap();
        assert_eq!(
            parsed.token_endpoint_auth,
            Some(TokenEndpointAuth::ClientSecretPost)
        );
        assert_eq!(parsed.user_claim, UserClaim::PreferredUsername);
        let bad = serde_json::from_value::<OidcConfig>(serde_json::json!({
            "issuer": "https://idp", "client_id": "a", "redirect_url": "https://a/auth/callback",
            "token_endpoint_auth": "private_key_jwt",
        }));
        assert!(bad.is_err());
        for (tweak, key) in [
            (
                (|o: &mut OidcConfig| o.clock_skew_secs = 3600) as fn(&mut OidcConfig),
                "auth.oidc.clock_skew_secs",
            ),
            (
                |o| o.discovery_refresh_secs = 1,
                "auth.oidc.discovery_refresh_secs",
            ),
            (
                |o| o.groups_refresh_secs = 0,
                "auth.oidc.groups_refresh_secs",
            ),
            (
                |o| {
                    o.user_claim = UserClaim::Email;
                    o.scopes = vec!["openid".into()];
                },
                "auth.oidc.user_claim",
            ),
        ] {
            let mut oidc = test_oidc();
            tweak(&mut oidc);
            let config = AuthConfig {
                oidc: Some(oidc),
                ..Default::default()
            };
            assert!(config.validate().unwrap_err().contains(key), "{key}");
        }
    }

    #[test]
    fn the_client_secret_never_prints() {
        let oidc = OidcConfig {
            issuer: "https://idp".into(),
            client_id: "atrium".into(),
            client_secret: Some("hunter2".into()),
            redirect_url: "https://atrium/auth/callback".into(),
            scopes: default_scopes(),
            groups_claim: default_groups_claim(),
            display_name: None,
            ..test_oidc()
        };
        let text = format!("{oidc:?}");
        assert!(!text.contains("hunter2"), "{text}");
    }

    #[test]
    fn demo_sign_in_is_on_by_default_only_on_loopback() {
        let loopback: std::net::SocketAddr = "127.0.0.1:3000".parse().unwrap();
        let v6: std::net::SocketAddr = "[::1]:3000".parse().unwrap();
        let reachable: std::net::SocketAddr = "0.0.0.0:3000".parse().unwrap();
        let mut config = AuthConfig::default();
        assert!(config.demo_enabled(loopback) && config.demo_enabled(v6));
        assert!(!config.demo_enabled(reachable));
        config.demo = Some(true);
        assert!(config.demo_enabled(reachable));
        config.demo = Some(false);
        assert!(!config.demo_enabled(loopback));
        config.demo = Some(true);
        config.oidc = Some(OidcConfig {
            issuer: "https://idp".into(),
            client_id: "atrium".into(),
            client_secret: None,
            redirect_url: "https://atrium/auth/callback".into(),
            scopes: default_scopes(),
            groups_claim: default_groups_claim(),
            display_name: None,
            ..test_oidc()
        });
        assert!(config.validate().unwrap_err().contains("auth.demo"));
        config.demo = None;
        assert!(!config.demo_enabled(loopback));
    }

    #[test]
    fn bad_fields_are_named() {
        let mut config = AuthConfig {
            oidc: Some(OidcConfig {
                issuer: "login.example.com".into(),
                client_id: "atrium".into(),
                client_secret: None,
                redirect_url: "https://atrium/auth/callback".into(),
                scopes: default_scopes(),
                groups_claim: default_groups_claim(),
                display_name: None,
                ..test_oidc()
            }),
            ..Default::default()
        };
        assert!(config.validate().unwrap_err().contains("auth.oidc.issuer"));
        config.oidc = None;
        config.public_url = Some("atrium.example.com".into());
        assert!(config.validate().unwrap_err().contains("auth.public_url"));
        config.public_url = None;
        for bad in [
            "https://evil.example",
            "a/b",
            "host:0",
            "host:http",
            "",
            "a b",
        ] {
            config.allowed_hosts = vec!["atrium.corp".into(), bad.into()];
            let err = config.validate().unwrap_err();
            assert!(err.contains("auth.allowed_hosts[1]"), "{bad}: {err}");
        }
        config.allowed_hosts = vec!["atrium.corp".into(), "atrium-internal:8080".into()];
        assert!(config.validate().is_ok());
    }
}

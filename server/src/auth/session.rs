//! Server-side sessions. The cookie carries a random 256-bit token
//! ([`new_token`](crate::util::new_token)); the database keeps only its SHA-256, the identity,
//! and the idle and absolute expiry times (the queries are in [`crate::store::sessions`]).

use sha2::{Digest, Sha256};
use time::Duration;

pub const COOKIE: &str = "atrium_session";

/// The cookie that binds a sign-in in flight to the browser that started it (login CSRF): a
/// random value whose SHA-256 is stored with the attempt. Short-lived, sent only to `/auth/`.
pub const LOGIN_COOKIE: &str = "atrium_login";

/// Who signed in, as stored with the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub subject: String,
    pub name: String,
    pub email: Option<String>,
    /// The provider vouches for `email` (`email_verified`). Only a verified e-mail is shown,
    /// matched against catalog Users, or copied to API tokens.
    pub email_verified: bool,
    /// Groups from the identity provider (catalog teams are added per request).
    pub groups: Vec<String>,
    /// `oidc` or `demo`.
    pub provider: String,
    /// Where the identity comes from ([`DEMO_SOURCE`] or [`oidc_source`]): a session is
    /// refused once its source is no longer the configured one.
    pub source: String,
}

impl Identity {
    /// The e-mail address when the provider verified it, else `None`.
    pub fn verified_email(&self) -> Option<&str> {
        self.email.as_deref().filter(|_| self.email_verified)
    }
}

/// The identity source of demo sign-ins.
pub const DEMO_SOURCE: &str = "demo";

/// The identity source of sign-ins at the provider `issuer` (a trailing `/` does not count).
pub fn oidc_source(issuer: &str) -> String {
    format!("oidc {}", issuer.trim_end_matches('/'))
}

/// Session lifetimes.
#[derive(Clone, Copy, Debug)]
pub struct Lifetimes {
    pub idle: Duration,
    pub absolute: Duration,
    /// Single sign-on sessions end this long after sign-in (`auth.oidc.groups_refresh_secs`),
    /// so the provider's groups are read again.
    pub oidc: Duration,
}

/// How a token is stored: hex SHA-256, so the table holds nothing a cookie can be made from.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A sign-in in flight.
#[derive(Clone, Debug)]
pub struct LoginAttempt {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Same-origin path to go back to.
    pub return_to: String,
    /// SHA-256 ([`hash_token`]) of the [`LOGIN_COOKIE`] value of the browser that started it.
    pub browser_hash: String,
}

impl LoginAttempt {
    /// Whether the callback comes from the browser that started this sign-in: its
    /// [`LOGIN_COOKIE`] hashes to the stored value. Without this a callback URL started by an
    /// attacker would sign a victim in as the attacker (login CSRF).
    pub fn is_from_browser(&self, cookie: Option<&str>) -> bool {
        match cookie {
            Some(value) if !value.is_empty() && !self.browser_hash.is_empty() => {
                hash_token(value) == self.browser_hash
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sign_in_belongs_to_the_browser_that_started_it() {
        let mine = crate::util::new_token();
        let attempt = LoginAttempt {
            state: "s".into(),
            nonce: "n".into(),
            pkce_verifier: "v".into(),
            return_to: "/".into(),
            browser_hash: hash_token(&mine),
        };
        assert!(attempt.is_from_browser(Some(&mine)));
        assert!(!attempt.is_from_browser(Some(&crate::util::new_token())));
        assert!(!attempt.is_from_browser(Some("")));
        assert!(!attempt.is_from_browser(None));
        let unbound = LoginAttempt {
            browser_hash: String::new(),
            ..attempt
        };
        assert!(!unbound.is_from_browser(Some("")));
    }

    #[test]
    fn tokens_are_stored_hashed() {
        let token = crate::util::new_token();
        assert_eq!(hash_token(&token).len(), 64);
        assert_ne!(hash_token(&token), token);
    }
}

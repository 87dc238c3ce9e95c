//! Server-side sessions. The cookie carries a random 256-bit token
//! ([`new_token`](crate::util::new_token)); the database keeps only its SHA-256, the identity,
//! and the idle and absolute expiry times (the queries are in [`crate::store::sessions`]).

use sha2::{Digest, Sha256};
use time::Duration;

pub const COOKIE: &str = "atrium_session";

/// Who signed in, as stored with the session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub subject: String,
    pub name: String,
    pub email: Option<String>,
    /// Groups from the identity provider (catalog teams are added per request).
    pub groups: Vec<String>,
    /// `oidc` or `demo`.
    pub provider: String,
}

/// Session lifetimes.
#[derive(Clone, Copy, Debug)]
pub struct Lifetimes {
    pub idle: Duration,
    pub absolute: Duration,
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stored_hashed() {
        let token = crate::util::new_token();
        assert_eq!(hash_token(&token).len(), 64);
        assert_ne!(hash_token(&token), token);
    }
}

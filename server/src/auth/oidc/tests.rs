use std::str::FromStr;

use base64::Engine;
use hmac::{Hmac, Mac};
use openidconnect::core::{
    CoreClientAuthMethod, CoreGenderClaim, CoreJsonWebKeySet, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
};
use openidconnect::{ClientId, ClientSecret, IdToken, IdTokenVerifier, IssuerUrl, Nonce};

use super::claims::{Found, GroupsClaim};
use super::discovery::default_auth;
use super::*;
use crate::auth::settings::{TokenEndpointAuth, UserClaim};

#[test]
fn groups_claim_shapes() {
    let of = |v: serde_json::Value| GroupsClaim::of(Some(&v));
    assert_eq!(
        of(serde_json::json!(["a", "b"])),
        GroupsClaim::Names(vec!["a".into(), "b".into()])
    );
    assert_eq!(
        of(serde_json::json!("a")),
        GroupsClaim::Names(vec!["a".into()])
    );
    assert_eq!(of(serde_json::json!(null)), GroupsClaim::Absent);
    assert_eq!(GroupsClaim::of(None), GroupsClaim::Absent);
    // Unusable shapes are reported (by shape, never by value), not silently empty.
    let (names, missing, shape) =
        of(serde_json::json!([{"name": "team-payments"}, {"name": "x"}])).into_parts();
    assert!(names.is_empty() && !missing);
    assert!(shape.as_deref().unwrap().contains("an object"), "{shape:?}");
    assert!(!shape.unwrap().contains("team-payments"));
    let (names, _, shape) = of(serde_json::json!(["a", 3])).into_parts();
    assert_eq!(names, vec!["a".to_string()]);
    assert!(shape.unwrap().contains("a number"));
    assert_eq!(
        of(serde_json::json!(42)).into_parts().2.as_deref(),
        Some("a number")
    );
    assert_eq!(
        of(serde_json::json!({"a": 1})).into_parts().2.as_deref(),
        Some("an object")
    );
}

#[test]
fn the_user_claim_and_unverified_e_mails() {
    let found = Found {
        sub: "00u1abcd".into(),
        name: None,
        preferred_username: Some("priya.nair".into()),
        email: Some("priya@example.com".into()),
        email_verified: false,
    };
    assert_eq!(found.user(UserClaim::Sub).as_deref(), Some("00u1abcd"));
    assert_eq!(
        found.user(UserClaim::PreferredUsername).as_deref(),
        Some("priya.nair")
    );
    assert_eq!(found.user(UserClaim::Email), None, "not verified");
    assert_eq!(found.display_name().as_deref(), Some("priya.nair"));
    // Userinfo vouching for the same address makes it verified; another address does not
    // replace the one from the ID token.
    let info = Found {
        email_verified: true,
        ..found.clone()
    };
    let merged = found.clone().or(info);
    assert_eq!(
        merged.user(UserClaim::Email).as_deref(),
        Some("priya@example.com")
    );
    let other = Found {
        email: Some("someone@else.example".into()),
        email_verified: true,
        ..found.clone()
    };
    assert_eq!(found.clone().or(other).user(UserClaim::Email), None);
}

#[test]
fn token_endpoint_auth_follows_discovery() {
    use CoreClientAuthMethod::{ClientSecretBasic, ClientSecretPost, PrivateKeyJwt};
    assert_eq!(default_auth(None), TokenEndpointAuth::ClientSecretBasic);
    assert_eq!(
        default_auth(Some(&vec![ClientSecretPost, ClientSecretBasic])),
        TokenEndpointAuth::ClientSecretBasic
    );
    assert_eq!(
        default_auth(Some(&vec![ClientSecretPost])),
        TokenEndpointAuth::ClientSecretPost
    );
    assert_eq!(
        default_auth(Some(&vec![PrivateKeyJwt])),
        TokenEndpointAuth::ClientSecretBasic
    );
}

const ISSUER: &str = "https://idp.example";
const SECRET: &str = "a-test-client-secret-that-is-long-enough";

/// An HS256 ID token (signed with the client secret) issued `iat_offset` seconds from now and
/// expiring `exp_offset` seconds from now.
fn token(iat_offset: i64, exp_offset: i64) -> String {
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let now = chrono::Utc::now().timestamp();
    let header = b64(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = b64(serde_json::json!({
        "iss": ISSUER, "aud": "atrium", "sub": "alice", "nonce": "n",
        "iat": now + iat_offset, "exp": now + exp_offset,
    })
    .to_string()
    .as_bytes());
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{header}.{claims}").as_bytes());
    let signature = b64(&mac.finalize().into_bytes());
    format!("{header}.{claims}.{signature}")
}

fn verify(token: &str, skew: u64) -> Result<(), String> {
    let token = IdToken::<
        ExtraClaims,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >::from_str(token)
    .unwrap();
    let verifier = IdTokenVerifier::new_confidential_client(
        ClientId::new("atrium".into()),
        ClientSecret::new(SECRET.into()),
        IssuerUrl::new(ISSUER.into()).unwrap(),
        CoreJsonWebKeySet::new(Vec::new()),
    )
    .set_allowed_algs([CoreJwsSigningAlgorithm::HmacSha256]);
    token
        .claims(&with_clock(verifier, skew), &Nonce::new("n".into()))
        .map(|_| ())
        .map_err(|e| error_chain(&e))
}

#[test]
fn clock_skew_applies_to_expiry_and_issue_time() {
    assert_eq!(verify(&token(0, 300), 60), Ok(()));
    // Expired 30 s ago: within a 60 s skew, but not with none.
    assert_eq!(verify(&token(-330, -30), 60), Ok(()));
    assert!(verify(&token(-330, -30), 0).is_err());
    assert!(verify(&token(-400, -90), 60).is_err());
    // Issued in the future: 30 s is within the skew, 300 s is not.
    assert_eq!(verify(&token(30, 600), 60), Ok(()));
    let error = verify(&token(300, 900), 60).unwrap_err();
    assert!(error.contains("auth.oidc.clock_skew_secs"), "{error}");
}

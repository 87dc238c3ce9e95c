//! OpenID Connect sign-in (authorization code flow with PKCE S256), through the `openidconnect`
//! crate: discovery, state and nonce, ID-token signature/issuer/audience/expiry checks, and
//! groups from a configurable claim in the ID token or, failing that, from userinfo.
//!
//! Discovery runs at the first sign-in and is cached; a provider that is down is an error for
//! that attempt only (the sign-in page offers a retry), never a failed start.

use std::collections::HashMap;

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};
use tokio::sync::Mutex;

use super::session::{Identity, LoginAttempt};
use super::settings::OidcConfig;

/// Every claim the provider sent beyond the standard ones; the groups claim is read from here
/// by its configured name.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct ExtraClaims {
    #[serde(flatten)]
    claims: HashMap<String, serde_json::Value>,
}

impl AdditionalClaims for ExtraClaims {}

type Fields = IdTokenFields<
    ExtraClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
type Tokens = StandardTokenResponse<Fields, CoreTokenType>;
type OidcClient = Client<
    ExtraClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    Tokens,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a sign-in failed. The `Display` text is safe to show and to log: no tokens, no secret.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the identity provider at {issuer} could not be reached or its discovery document is invalid: {message}")]
    Unavailable { issuer: String, message: String },
    #[error("the sign-in link expired or was already used")]
    UnknownState,
    #[error(
        "the sign-in was started in another browser (its binding cookie is missing or different)"
    )]
    OtherBrowser,
    #[error("the identity provider refused the sign-in: {0}")]
    Provider(String),
    #[error("the identity provider's answer could not be verified: {0}")]
    Token(String),
    #[error("identity provider configuration: {0}")]
    Config(String),
}

/// What a verified sign-in yields, besides the identity: notes for the audit record.
pub struct SignedIn {
    pub identity: Identity,
    /// Set when the groups claim was absent everywhere (the user gets catalog teams only).
    pub groups_missing: bool,
}

pub struct Oidc {
    config: OidcConfig,
    http: openidconnect::reqwest::Client,
    client: Mutex<Option<OidcClient>>,
}

impl Oidc {
    pub fn new(config: OidcConfig) -> Result<Self, OidcError> {
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects would let a provider point us anywhere (SSRF).
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| OidcError::Config(e.to_string()))?;
        IssuerUrl::new(config.issuer.clone())
            .map_err(|e| OidcError::Config(format!("auth.oidc.issuer: {e}")))?;
        RedirectUrl::new(config.redirect_url.clone())
            .map_err(|e| OidcError::Config(format!("auth.oidc.redirect_url: {e}")))?;
        Ok(Self {
            config,
            http,
            client: Mutex::new(None),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.config.issuer
    }

    /// The discovered client, discovering on first use (and again after a failure).
    async fn client(&self) -> Result<OidcClient, OidcError> {
        let mut cached = self.client.lock().await;
        if let Some(client) = cached.as_ref() {
            return Ok(client.clone());
        }
        let unavailable = |message: String| OidcError::Unavailable {
            issuer: self.config.issuer.clone(),
            message,
        };
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| OidcError::Config(e.to_string()))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(|e| unavailable(error_chain(&e)))?;
        let client = OidcClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            self.config.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(
            RedirectUrl::new(self.config.redirect_url.clone())
                .map_err(|e| OidcError::Config(e.to_string()))?,
        );
        *cached = Some(client.clone());
        Ok(client)
    }

    /// Start a sign-in: the provider URL to send the browser to, and what to remember.
    /// `browser_hash` binds the attempt to the browser that asked (see
    /// [`LoginAttempt::is_from_browser`]).
    pub async fn begin(
        &self,
        return_to: String,
        browser_hash: String,
    ) -> Result<(String, LoginAttempt), OidcError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in self.config.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok((
            url.to_string(),
            LoginAttempt {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                return_to,
                browser_hash,
            },
        ))
    }

    /// Finish a sign-in: exchange the code (with the PKCE verifier) and verify the ID token
    /// (signature, issuer, audience, expiry, nonce).
    pub async fn finish(&self, attempt: &LoginAttempt, code: &str) -> Result<SignedIn, OidcError> {
        let client = self.client().await?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::Config(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Provider(error_chain(&e)))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| OidcError::Token("the token response has no ID token".into()))?;
        let verifier = client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(attempt.nonce.clone()))
            .map_err(|e| OidcError::Token(error_chain(&e)))?;
        let subject = claims.subject().to_string();
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string())
            .or_else(|| claims.preferred_username().map(|u| u.to_string()))
            .unwrap_or_else(|| subject.clone());
        let email = claims.email().map(|e| e.to_string());
        let claim = &self.config.groups_claim;
        let mut groups = groups_from(claims.additional_claims().claims.get(claim));
        // Many providers (Okta, Keycloak by default) send groups only from userinfo.
        if groups.is_none() {
            if let Ok(request) = client.user_info(tokens.access_token().clone(), None) {
                match request
                    .request_async::<ExtraClaims, _, CoreGenderClaim>(&self.http)
                    .await
                {
                    Ok(info) => groups = groups_from(info.additional_claims().claims.get(claim)),
                    Err(e) => tracing::warn!("userinfo request failed: {}", error_chain(&e)),
                }
            }
        }
        let groups_missing = groups.is_none();
        Ok(SignedIn {
            identity: Identity {
                subject,
                name,
                email,
                groups: groups.unwrap_or_default(),
                provider: "oidc".into(),
            },
            groups_missing,
        })
    }
}

/// A groups claim: an array of strings, or one string. Anything else counts as absent.
fn groups_from(value: Option<&serde_json::Value>) -> Option<Vec<String>> {
    match value? {
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        ),
        serde_json::Value::String(one) => Some(vec![one.clone()]),
        _ => None,
    }
}

use crate::util::error_chain;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_claim_shapes() {
        let array = serde_json::json!(["a", "b", 3]);
        assert_eq!(
            groups_from(Some(&array)),
            Some(vec!["a".into(), "b".into()])
        );
        let one = serde_json::json!("a");
        assert_eq!(groups_from(Some(&one)), Some(vec!["a".into()]));
        assert_eq!(groups_from(Some(&serde_json::json!(null))), None);
        assert_eq!(groups_from(None), None);
    }
}

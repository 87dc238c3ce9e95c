//! OpenID Connect sign-in (authorization code flow with PKCE S256), through the `openidconnect`
//! crate: discovery, state and nonce, ID-token signature/issuer/audience/time checks, the user
//! named by a configurable claim, and groups from a configurable claim in the ID token or,
//! failing that, from userinfo.
//!
//! Discovery ([`discovery`]) runs at the first sign-in and is kept; every sign-in start reads
//! the discovery document again (so a provider that went down is reported rather than
//! browsers sent to it), and the signing keys are read again when older than
//! `auth.oidc.discovery_refresh_secs` or when a token does not verify with them. A provider
//! that is down is an error for that attempt only (the sign-in page offers a retry), never a
//! failed start.

mod claims;
mod discovery;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreRevocableToken, CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, Client, CsrfToken, EmptyExtraTokenFields,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IdTokenVerifier, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardErrorResponse, StandardTokenResponse, TokenResponse,
};
use serde::{Deserialize, Serialize};

use super::session::{oidc_source, Identity, LoginAttempt};
use super::settings::OidcConfig;
use crate::util::error_chain;
pub use claims::GroupsClaim;

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
pub(crate) type OidcClient = Client<
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
    /// No answer (connection refused, timeout, DNS) or a 5xx: worth retrying later.
    #[error("could not reach the identity provider at {issuer}: {message}")]
    Unreachable { issuer: String, message: String },
    /// The provider answers, but not as configured: the text says what an operator must fix.
    #[error("the identity provider at {issuer} does not match the configuration: {message}")]
    Misconfigured { issuer: String, message: String },
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

impl OidcError {
    /// The sign-in page's error code for this failure.
    pub fn page_code(&self) -> &'static str {
        match self {
            OidcError::Unreachable { .. } => "unavailable",
            OidcError::Misconfigured { .. } | OidcError::Config(_) => "provider-config",
            OidcError::UnknownState => "state",
            OidcError::OtherBrowser => "browser",
            OidcError::Provider(_) => "denied",
            OidcError::Token(_) => "token",
        }
    }
}

/// What a verified sign-in yields, besides the identity: notes for the audit record.
pub struct SignedIn {
    pub identity: Identity,
    /// Set when the groups claim was absent everywhere (the user gets catalog teams only).
    pub groups_missing: bool,
    /// The groups claim's shape when it was unusable (objects, a number…): no groups were
    /// taken from it. Describes the shape only, never the values.
    pub groups_unusable: Option<String>,
}

/// The current single sign-on configuration problem, shared with the sign-in page.
#[derive(Clone, Debug, Default)]
pub struct ProviderProblem(Arc<Mutex<Option<String>>>);

impl ProviderProblem {
    pub fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, problem: Option<String>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = problem;
    }
}

pub struct Oidc {
    config: OidcConfig,
    provider: discovery::Provider,
    problem: ProviderProblem,
}

impl Oidc {
    pub fn new(config: OidcConfig) -> Result<Self, OidcError> {
        IssuerUrl::new(config.issuer.clone())
            .map_err(|e| OidcError::Config(format!("auth.oidc.issuer: {e}")))?;
        RedirectUrl::new(config.redirect_url.clone())
            .map_err(|e| OidcError::Config(format!("auth.oidc.redirect_url: {e}")))?;
        Ok(Self {
            provider: discovery::Provider::new(&config)?,
            config,
            problem: ProviderProblem::default(),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.config.issuer
    }

    /// The configuration problem the sign-in page shows to operators, kept up to date.
    pub fn problem(&self) -> ProviderProblem {
        self.problem.clone()
    }

    /// Record what discovery found wrong (or that it is fine now) for the sign-in page.
    fn noted<T>(&self, result: Result<T, OidcError>) -> Result<T, OidcError> {
        match &result {
            Ok(_) => self.problem.set(None),
            Err(OidcError::Misconfigured { message, .. } | OidcError::Config(message)) => {
                self.problem.set(Some(message.clone()))
            }
            Err(_) => {}
        }
        result
    }

    /// Record a configuration problem found after discovery (refused client credentials).
    fn noted_error(&self, error: OidcError) -> OidcError {
        if let OidcError::Misconfigured { message, .. } | OidcError::Config(message) = &error {
            self.problem.set(Some(message.clone()));
        }
        error
    }

    /// Start a sign-in: the provider URL to send the browser to, and what to remember.
    /// `browser_hash` binds the attempt to the browser that asked (see
    /// [`LoginAttempt::is_from_browser`]). The discovery document is read first: a provider
    /// that does not answer is an error here, not a dead end in the browser.
    pub async fn begin(
        &self,
        return_to: String,
        browser_hash: String,
    ) -> Result<(String, LoginAttempt), OidcError> {
        let client = self.noted(self.provider.current(true).await)?;
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

    /// Finish a sign-in: exchange the code (with the PKCE verifier), verify the ID token
    /// (signature, issuer, audience, expiry and issue time with the configured clock skew,
    /// nonce), and read the user, e-mail and groups.
    pub async fn finish(&self, attempt: &LoginAttempt, code: &str) -> Result<SignedIn, OidcError> {
        let mut client = self.noted(self.provider.current(false).await)?;
        let tokens = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| OidcError::Config(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier.clone()))
            .request_async(self.provider.http())
            .await
            .map_err(|e| self.noted_error(self.provider.token_error(e)))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| OidcError::Token("the token response has no ID token".into()))?;
        let nonce = Nonce::new(attempt.nonce.clone());
        let verified = id_token.claims(&self.verifier(&client), &nonce).cloned();
        let claims = match verified {
            Ok(claims) => claims,
            // The provider may have rotated its keys: read them again (rate-limited) and retry.
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(first)) => {
                match self.provider.refetch_keys().await? {
                    Some(fresh) => client = fresh,
                    None => {
                        return Err(OidcError::Token(format!(
                            "{}; the provider's keys were read again less than {} s ago",
                            error_chain(&first),
                            discovery::KEY_REFETCH_SECS
                        )))
                    }
                }
                id_token
                    .claims(&self.verifier(&client), &nonce)
                    .cloned()
                    .map_err(|e| OidcError::Token(error_chain(&e)))?
            }
            Err(e) => return Err(OidcError::Token(error_chain(&e))),
        };
        let from_token = claims::Found::of_id_token(&claims);
        let groups_claim = &self.config.groups_claim;
        let mut groups = GroupsClaim::of(claims.additional_claims().claims.get(groups_claim));
        let user_claim = self.config.user_claim;
        let mut found = from_token;
        // Many providers (Okta, Keycloak by default) send groups, and some the e-mail, only
        // from userinfo.
        if groups.is_absent() || found.user(user_claim).is_none() {
            if let Some(info) = self.user_info(&client, &tokens, &claims).await? {
                if groups.is_absent() {
                    groups = GroupsClaim::of(info.additional_claims().claims.get(groups_claim));
                }
                found = found.or(claims::Found::of_user_info(&info));
            }
        }
        let subject = found.user(user_claim).ok_or_else(|| {
            OidcError::Token(match user_claim {
                super::settings::UserClaim::Email if found.email.is_some() => format!(
                    "auth.oidc.user_claim is `email`, but the provider did not mark {}'s e-mail verified",
                    found.sub
                ),
                _ => format!(
                    "auth.oidc.user_claim is `{}`, but the provider sent no such claim",
                    user_claim.name()
                ),
            })
        })?;
        let name = found.display_name().unwrap_or_else(|| subject.clone());
        let (groups, groups_missing, groups_unusable) = groups.into_parts();
        Ok(SignedIn {
            identity: Identity {
                subject,
                name,
                email: found.email.clone(),
                email_verified: found.email_verified,
                groups,
                provider: "oidc".into(),
                source: oidc_source(&self.config.issuer),
            },
            groups_missing,
            groups_unusable,
        })
    }

    /// The ID-token verifier of `client` with the configured clock skew.
    fn verifier<'a>(&self, client: &'a OidcClient) -> IdTokenVerifier<'a, CoreJsonWebKey> {
        with_clock(client.id_token_verifier(), self.config.clock_skew_secs)
    }

    /// Userinfo for the ID token's subject. Its `sub` must be the ID token's (OpenID Connect
    /// Core 5.3.2): another subject refuses the sign-in. A provider without userinfo, or one
    /// that fails to answer, gives `None` (logged).
    async fn user_info(
        &self,
        client: &OidcClient,
        tokens: &Tokens,
        claims: &claims::IdClaims,
    ) -> Result<Option<claims::InfoClaims>, OidcError> {
        let Ok(request) = client.user_info(
            tokens.access_token().clone(),
            Some(claims.subject().clone()),
        ) else {
            return Ok(None);
        };
        match request
            .request_async::<ExtraClaims, _, CoreGenderClaim>(self.provider.http())
            .await
        {
            Ok(info) => Ok(Some(info)),
            Err(openidconnect::UserInfoError::ClaimsVerification(
                openidconnect::ClaimsVerificationError::InvalidSubject(_),
            )) => Err(OidcError::Token(
                "the userinfo answer is about another subject than the ID token \
                 (OpenID Connect Core 5.3.2)"
                    .into(),
            )),
            Err(e) => {
                tracing::warn!("userinfo request failed: {}", error_chain(&e));
                Ok(None)
            }
        }
    }
}

/// `verifier` with `skew_secs` of clock difference allowed: a token is accepted until
/// `exp + skew`, and refused when its `iat` is more than `skew` in the future.
pub(crate) fn with_clock(
    verifier: IdTokenVerifier<'_, CoreJsonWebKey>,
    skew_secs: u64,
) -> IdTokenVerifier<'_, CoreJsonWebKey> {
    let skew = chrono::Duration::seconds(skew_secs as i64);
    verifier
        .set_time_fn(move || chrono::Utc::now() - skew)
        .set_issue_time_verifier_fn(move |issued| {
            let now = chrono::Utc::now();
            if issued > now + skew {
                Err(format!(
                    "the token was issued at {issued}, more than {skew_secs} s after now ({now}); \
                     check the clocks or auth.oidc.clock_skew_secs"
                ))
            } else {
                Ok(())
            }
        })
}

#[cfg(test)]
mod tests;

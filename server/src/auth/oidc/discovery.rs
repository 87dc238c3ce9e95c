//! The provider as discovered: its discovery document and signing keys, kept and read again
//! when they may have changed, and the client built from them (with the token endpoint
//! authentication chosen by `auth.oidc.token_endpoint_auth` or by what discovery advertises).
//!
//! Failures are sorted for the sign-in page: no answer is [`OidcError::Unreachable`] ("could
//! not reach the identity provider", retry later); an answer that does not fit the
//! configuration (another issuer, no discovery document at that URL) is
//! [`OidcError::Misconfigured`], whose text names the setting to fix.

use std::time::{Duration, Instant};

use openidconnect::core::{CoreClientAuthMethod, CoreJsonWebKeySet, CoreProviderMetadata};
use openidconnect::{AuthType, ClientId, ClientSecret, RedirectUrl};
use tokio::sync::Mutex;

use super::{OidcClient, OidcError};
use crate::auth::settings::{OidcConfig, TokenEndpointAuth};
use crate::util::error_chain;

/// A token that does not verify with the cached keys makes Atrium read them again at most
/// this often (a provider rotating keys needs one read; a flood of bad tokens gets few).
pub const KEY_REFETCH_SECS: u64 = 30;

type HttpError = openidconnect::HttpClientError<openidconnect::reqwest::Error>;

#[derive(Clone)]
struct Discovered {
    metadata: CoreProviderMetadata,
    client: OidcClient,
    /// When the discovery document was read.
    read_at: Instant,
    /// When the signing keys were read.
    keys_at: Instant,
}

pub struct Provider {
    config: OidcConfig,
    http: openidconnect::reqwest::Client,
    refresh: Duration,
    cached: Mutex<Option<Discovered>>,
    /// When keys were last read again because a token did not verify.
    key_refetch: std::sync::Mutex<Option<Instant>>,
}

impl Provider {
    pub fn new(config: &OidcConfig) -> Result<Self, OidcError> {
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects would let a provider point us anywhere (SSRF).
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            // No idle connections kept: sign-ins are rare, and a connection kept across a
            // provider restart fails the next sign-in ("connection closed before message
            // completed") although the provider is back.
            .pool_max_idle_per_host(0)
            .build()
            .map_err(|e| OidcError::Config(e.to_string()))?;
        Ok(Self {
            config: config.clone(),
            http,
            refresh: Duration::from_secs(config.discovery_refresh_secs),
            cached: Mutex::new(None),
            key_refetch: std::sync::Mutex::new(None),
        })
    }

    pub fn http(&self) -> &openidconnect::reqwest::Client {
        &self.http
    }

    fn unreachable(&self, message: String) -> OidcError {
        OidcError::Unreachable {
            issuer: self.config.issuer.clone(),
            message,
        }
    }

    fn misconfigured(&self, message: String) -> OidcError {
        OidcError::Misconfigured {
            issuer: self.config.issuer.clone(),
            message,
        }
    }

    /// The client for the provider as discovered. `reread` reads the discovery document again
    /// (a sign-in start does, so a provider that went down is noticed before a browser is
    /// sent there); otherwise it is read again only when older than
    /// `auth.oidc.discovery_refresh_secs`. Keys are read again when older than that too, or
    /// when the document names another key set.
    pub async fn current(&self, reread: bool) -> Result<OidcClient, OidcError> {
        let mut cached = self.cached.lock().await;
        if let Some(found) = cached.as_ref() {
            if !reread && found.read_at.elapsed() < self.refresh {
                return Ok(found.client.clone());
            }
        }
        let metadata = self.read_document().await?;
        let keys = match cached.as_ref() {
            Some(old)
                if old.keys_at.elapsed() < self.refresh
                    && old.metadata.jwks_uri() == metadata.jwks_uri() =>
            {
                Some((old.metadata.jwks().clone(), old.keys_at))
            }
            _ => None,
        };
        let (keys, keys_at) = match keys {
            Some(keys) => keys,
            None => (self.read_keys(&metadata).await?, Instant::now()),
        };
        let metadata = metadata.set_jwks(keys);
        let client = self.client(&metadata)?;
        *cached = Some(Discovered {
            metadata,
            client: client.clone(),
            read_at: Instant::now(),
            keys_at,
        });
        Ok(client)
    }

    /// Read the signing keys again after a token did not verify with the cached ones: the
    /// client with the fresh keys, or `None` when keys were read for this reason less than
    /// [`KEY_REFETCH_SECS`] ago.
    pub async fn refetch_keys(&self) -> Result<Option<OidcClient>, OidcError> {
        {
            let mut last = self.key_refetch.lock().unwrap_or_else(|e| e.into_inner());
            if last.is_some_and(|at| at.elapsed() < Duration::from_secs(KEY_REFETCH_SECS)) {
                return Ok(None);
            }
            *last = Some(Instant::now());
        }
        let mut cached = self.cached.lock().await;
        let Some(found) = cached.as_mut() else {
            return Ok(None);
        };
        let keys = self.read_keys(&found.metadata).await?;
        tracing::info!(
            issuer = %self.config.issuer,
            keys = keys.keys().len(),
            "a token did not verify with the cached keys: read the provider's keys again"
        );
        found.metadata = found.metadata.clone().set_jwks(keys);
        found.client = self.client(&found.metadata)?;
        found.keys_at = Instant::now();
        Ok(Some(found.client.clone()))
    }

    /// `<issuer>/.well-known/openid-configuration`, checked against `auth.oidc.issuer`. An
    /// issuer that differs only by a trailing `/` is accepted, and the one the document names
    /// is what ID tokens are checked against.
    async fn read_document(&self) -> Result<CoreProviderMetadata, OidcError> {
        let configured = &self.config.issuer;
        let url = format!(
            "{}/.well-known/openid-configuration",
            configured.trim_end_matches('/')
        );
        let response = self
            .http
            .get(&url)
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| self.unreachable(error_chain(&e)))?;
        let status = response.status();
        if status.is_server_error() {
            return Err(self.unreachable(format!("{url} answered HTTP {status}")));
        }
        if !status.is_success() {
            return Err(self.misconfigured(format!(
                "{url} answered HTTP {status}, not a discovery document; check auth.oidc.issuer"
            )));
        }
        let body = response
            .bytes()
            .await
            .map_err(|e| self.unreachable(error_chain(&e)))?;
        let metadata: CoreProviderMetadata = serde_json::from_slice(&body).map_err(|e| {
            self.misconfigured(format!(
                "{url} is not a valid discovery document ({e}); check auth.oidc.issuer"
            ))
        })?;
        let named = metadata.issuer().as_str();
        if named != configured {
            if named.trim_end_matches('/') != configured.trim_end_matches('/') {
                return Err(self.misconfigured(format!(
                    "the provider's discovery document names the issuer `{named}`, but \
                     auth.oidc.issuer is `{configured}`; set auth.oidc.issuer to the issuer \
                     the provider names"
                )));
            }
            tracing::debug!(
                configured = %configured,
                named = %named,
                "auth.oidc.issuer differs from the provider's only by a trailing slash; using the provider's"
            );
        }
        Ok(metadata)
    }

    async fn read_keys(
        &self,
        metadata: &CoreProviderMetadata,
    ) -> Result<CoreJsonWebKeySet, OidcError> {
        CoreJsonWebKeySet::fetch_async(metadata.jwks_uri(), &self.http)
            .await
            .map_err(|e| match e {
                openidconnect::DiscoveryError::Request(_) => self.unreachable(error_chain(&e)),
                openidconnect::DiscoveryError::Response(status, ..) if status.is_server_error() => {
                    self.unreachable(error_chain(&e))
                }
                _ => self.misconfigured(format!(
                    "the signing keys at {} could not be read: {}",
                    metadata.jwks_uri().as_str(),
                    error_chain(&e)
                )),
            })
    }

    fn client(&self, metadata: &CoreProviderMetadata) -> Result<OidcClient, OidcError> {
        let auth = self
            .config
            .token_endpoint_auth
            .unwrap_or_else(|| default_auth(metadata.token_endpoint_auth_methods_supported()));
        Ok(OidcClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            self.config.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(
            RedirectUrl::new(self.config.redirect_url.clone())
                .map_err(|e| OidcError::Config(format!("auth.oidc.redirect_url: {e}")))?,
        )
        .set_auth_type(match auth {
            TokenEndpointAuth::ClientSecretBasic => AuthType::BasicAuth,
            TokenEndpointAuth::ClientSecretPost => AuthType::RequestBody,
        }))
    }

    /// Sort a failed token exchange: no answer is [`OidcError::Unreachable`]; refused client
    /// credentials are [`OidcError::Misconfigured`]; another error answer (an expired code) is
    /// [`OidcError::Provider`].
    pub fn token_error(
        &self,
        error: openidconnect::RequestTokenError<
            HttpError,
            openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
        >,
    ) -> OidcError {
        use openidconnect::RequestTokenError;
        match &error {
            RequestTokenError::Request(_) => self.unreachable(error_chain(&error)),
            RequestTokenError::ServerResponse(answer) => {
                let mut text = answer.error().to_string();
                if let Some(description) = answer.error_description() {
                    text.push_str(": ");
                    text.push_str(description);
                }
                if matches!(
                    answer.error(),
                    openidconnect::core::CoreErrorResponseType::InvalidClient
                ) {
                    return self.misconfigured(format!(
                        "the token endpoint refused Atrium's client credentials ({text}); check \
                         auth.oidc.client_id, the client secret and auth.oidc.token_endpoint_auth"
                    ));
                }
                OidcError::Provider(text)
            }
            _ => OidcError::Provider(error_chain(&error)),
        }
    }
}

/// `client_secret_basic` when discovery lists it or lists nothing (the OpenID default), else
/// `client_secret_post` when listed.
pub fn default_auth(advertised: Option<&Vec<CoreClientAuthMethod>>) -> TokenEndpointAuth {
    match advertised {
        Some(methods)
            if !methods.contains(&CoreClientAuthMethod::ClientSecretBasic)
                && methods.contains(&CoreClientAuthMethod::ClientSecretPost) =>
        {
            TokenEndpointAuth::ClientSecretPost
        }
        _ => TokenEndpointAuth::ClientSecretBasic,
    }
}

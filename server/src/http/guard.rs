//! The request middleware in front of everything: refuses requests for other host names (DNS
//! rebinding) and cross-site writes, resolves the
//! caller from the session cookie (the one "extractor" every server function and route reads),
//! sends anonymous page views to sign-in, and sets the security headers.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use atrium_app::service::Caller;

use super::cookies::{clear_cookie, cookie_value};
use super::state::AppState;
use crate::auth::network::Network;
use crate::auth::origin::RequestOrigin;
use crate::auth::session::COOKIE;
use crate::util::{clean_text, new_token, MAX_NAME_CHARS};

/// The CSP nonce of this response, for Leptos' inline hydration script.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Paths anyone may load: sign-in itself, assets, probes. Server functions under `/api/`
/// answer 401 themselves (through the enforcement point), so they are not redirected.
fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/healthz"
        || path == "/readyz"
        || path == "/metrics"
        || path == "/favicon.ico"
        || ["/auth/", "/api/", "/pkg/"]
            .iter()
            .any(|prefix| path.starts_with(prefix))
}

pub async fn guard(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let auth = state.auth.clone();
    // DNS rebinding: a page on another name that resolves to this server. HTTP/2 carries the
    // host in the URI's authority instead of a `Host` header.
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().authority().map(|a| a.as_str().to_string()));
    if !host.as_deref().is_some_and(|h| auth.hosts.allows(h)) {
        tracing::warn!(host = ?host.as_deref().map(|h| clean_text(h, MAX_NAME_CHARS)), "request for a host this Atrium does not answer to refused");
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "this Atrium does not answer to that host name: use its public URL \
             (auth.public_url), or list the name in auth.allowed_hosts\n",
        )
            .into_response();
    }
    // A Git host's push webhook: its signature, checked by the handler, is its only
    // credential (no cookie or token is read, so no Origin check either).
    if req.uri().path() == super::webhooks::PATH {
        let (client_ip, request_id) = request_context(&req, &state.network);
        if let Some(refused) = over_budget(&state.network, None, client_ip.as_deref()) {
            return refused;
        }
        req.extensions_mut().insert(Caller {
            user: None,
            request_id,
            client_request_id: None,
            client_ip,
            via_token: false,
        });
        let nonce = new_token();
        let mut response = next.run(req).await;
        security_headers(response.headers_mut(), &nonce, auth.hsts);
        return response;
    }
    // Automation: a personal API token on the JSON API and server functions. It carries no
    // ambient credential (no cookie is read with it), so the same-origin rule does not apply.
    if let Some(secret) = bearer(req.headers()) {
        if !req.uri().path().starts_with("/api/") {
            return (
                StatusCode::UNAUTHORIZED,
                "API tokens are accepted on /api/ only\n",
            )
                .into_response();
        }
        let user = match auth.token_user(&secret).await {
            Ok(Some(user)) => user,
            Ok(None) => {
                return (
                    StatusCode::UNAUTHORIZED,
                    "the API token is unknown, revoked or expired\n",
                )
                    .into_response()
            }
            Err(error) => {
                tracing::error!("token lookup failed: {error}");
                return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response();
            }
        };
        let (client_ip, request_id) = request_context(&req, &state.network);
        let client_request_id = client_request_id(&req);
        if let Some(refused) = over_budget(&state.network, Some(&user.subject), None) {
            return refused;
        }
        req.extensions_mut().insert(Caller {
            user: Some(user),
            request_id,
            client_request_id,
            client_ip,
            via_token: true,
        });
        let nonce = new_token();
        req.extensions_mut().insert(CspNonce(nonce.clone()));
        let mut response = next.run(req).await;
        security_headers(response.headers_mut(), &nonce, auth.hsts);
        return response;
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && !request_origin(req.headers())
            .is_same_origin(auth.public_origin.as_deref(), auth.secure_cookies)
    {
        tracing::warn!(path = %clean_text(req.uri().path(), MAX_NAME_CHARS), "cross-site request refused");
        return (
            StatusCode::FORBIDDEN,
            "cross-site request refused: this action must come from an Atrium page\n",
        )
            .into_response();
    }

    let (client_ip, request_id) = request_context(&req, &state.network);
    let token = cookie_value(req.headers(), COOKIE);
    let user = match &token {
        None => None,
        Some(token) => match auth.session_user(token).await {
            Ok(user) => user,
            Err(error) => {
                tracing::error!("session lookup failed: {error}");
                return (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response();
            }
        },
    };
    // A cookie that names no live session: tampered, expired, or signed out elsewhere.
    let stale_cookie = token.is_some() && user.is_none();

    let path = req.uri().path().to_string();
    if user.is_none() && matches!(*req.method(), Method::GET | Method::HEAD) && !is_public(&path) {
        let next = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let reason = if stale_cookie { "&error=expired" } else { "" };
        let target = format!("/login?next={}{reason}", encode(&next));
        let mut response = Redirect::to(&target).into_response();
        if stale_cookie {
            clear_cookie(&mut response, auth.secure_cookies);
        }
        return response;
    }

    if path.starts_with("/api/") {
        let subject = user.as_ref().map(|u| u.subject.as_str());
        if let Some(refused) = over_budget(&state.network, subject, client_ip.as_deref()) {
            return refused;
        }
    }
    let nonce = new_token();
    let client_request_id = client_request_id(&req);
    req.extensions_mut().insert(Caller {
        user,
        request_id,
        client_request_id,
        client_ip,
        via_token: false,
    });
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(req).await;
    if stale_cookie {
        clear_cookie(&mut response, auth.secure_cookies);
    }
    security_headers(response.headers_mut(), &nonce, auth.hsts);
    response
}

/// The client's address (through trusted proxies only) and the request's id, for the audit
/// trail.
fn request_context(req: &Request, network: &Network) -> (Option<String>, Option<String>) {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let client_ip = network
        .proxies
        .client_ip(peer, req.headers())
        .map(|ip| ip.to_string());
    // Set by Atrium's id layer (a client's header was set aside before it ran).
    let request_id = req
        .headers()
        .get(super::request_id::HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (client_ip, request_id)
}

/// `Some(429)` when the caller has spent their `/api/` budget (`http.requests_per_minute`): a
/// signed-in caller by subject, anyone else by client address.
fn over_budget(network: &Network, subject: Option<&str>, ip: Option<&str>) -> Option<Response> {
    let key = match subject {
        Some(subject) => format!("user:{subject}"),
        None => format!("ip:{}", ip.unwrap_or("unknown")),
    };
    if network.limiter.check(&key) {
        return None;
    }
    metrics::counter!("atrium_http_rate_limited_total").increment(1);
    Some(
        (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "60")],
            "too many requests: wait a minute and try again (http.requests_per_minute)\n",
        )
            .into_response(),
    )
}

/// The client's own `x-request-id`, if it sent a valid one.
fn client_request_id(req: &Request) -> Option<String> {
    req.extensions()
        .get::<super::request_id::ClientRequestId>()
        .and_then(|id| id.0.clone())
}

/// The secret of `Authorization: Bearer <token>`, if the request carries one.
pub(super) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
        .filter(|t| !t.is_empty())
}

/// The `Origin`, `Referer` and `Host` a request carries, for the same-origin rule.
fn request_origin(headers: &HeaderMap) -> RequestOrigin<'_> {
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    RequestOrigin {
        origin: get(header::ORIGIN),
        referer: get(header::REFERER),
        host: get(header::HOST),
    }
}

fn security_headers(headers: &mut HeaderMap, nonce: &str, hsts: bool) {
    if hsts {
        // People reach this Atrium over https: browsers keep to https for a year.
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    let pairs = [
        (header::CONTENT_SECURITY_POLICY, csp),
        (header::X_FRAME_OPTIONS, "DENY".into()),
        (header::REFERRER_POLICY, "same-origin".into()),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".into()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}

/// Percent-encoding for a query value (the sign-in page's `next`).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

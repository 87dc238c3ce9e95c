//! The request middleware in front of everything: refuses cross-site writes, resolves the
//! caller from the session cookie (the one "extractor" every server function and route reads),
//! sends anonymous page views to sign-in, and sets the security headers.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use atrium_app::service::Caller;

use super::session::COOKIE;
use crate::web::AppState;

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
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && !same_origin(req.headers(), auth.public_origin.as_deref())
    {
        tracing::warn!(path = %req.uri().path(), "cross-site request refused");
        return (
            StatusCode::FORBIDDEN,
            "cross-site request refused: this action must come from an Atrium page\n",
        )
            .into_response();
    }

    let client_ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string());
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let token = cookie_value(req.headers(), COOKIE);
    let user = match &token {
        None => None,
        Some(token) => match state.store.find_session(token, auth.lifetimes).await {
            Ok(identity) => identity.map(|identity| auth.access.user_view(&identity)),
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

    let nonce = crate::util::new_token();
    req.extensions_mut().insert(Caller {
        user,
        request_id,
        client_ip,
    });
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut response = next.run(req).await;
    if stale_cookie {
        clear_cookie(&mut response, auth.secure_cookies);
    }
    security_headers(response.headers_mut(), &nonce);
    response
}

fn security_headers(headers: &mut HeaderMap, nonce: &str) {
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

/// Same-origin check for writes: `Origin` (or, without it, `Referer`) must be the configured
/// public URL, or this request's own host when none is configured.
fn same_origin(headers: &HeaderMap, public_origin: Option<&str>) -> bool {
    let get = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let claimed = match (get(header::ORIGIN), get(header::REFERER)) {
        (Some(origin), _) if origin != "null" => origin.trim_end_matches('/').to_string(),
        (_, Some(referer)) => origin_of(referer),
        _ => return false,
    };
    match public_origin {
        Some(expected) => claimed == expected,
        None => match get(header::HOST) {
            Some(host) => {
                claimed == format!("http://{host}") || claimed == format!("https://{host}")
            }
            None => false,
        },
    }
}

/// `scheme://host[:port]` of a URL.
pub fn origin_of(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return String::new();
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    format!("{scheme}://{host}")
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

pub fn session_cookie(token: &str, secure: bool, max_age: time::Duration) -> String {
    cookie::Cookie::build((COOKIE, token.to_string()))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .max_age(max_age)
        .build()
        .to_string()
}

pub fn clear_cookie(response: &mut Response, secure: bool) {
    let value = cookie::Cookie::build((COOKIE, ""))
        .path("/")
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .max_age(time::Duration::ZERO)
        .build()
        .to_string();
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Percent-encoding for a query value.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn writes_must_come_from_our_origin() {
        let ok = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "http://127.0.0.1:3000"),
        ]);
        assert!(same_origin(&ok, None));
        let evil = headers(&[
            ("host", "127.0.0.1:3000"),
            ("origin", "https://evil.example"),
        ]);
        assert!(!same_origin(&evil, None));
        let referer = headers(&[("host", "a:1"), ("referer", "http://a:1/catalog?q=x")]);
        assert!(same_origin(&referer, None));
        let none = headers(&[("host", "a:1")]);
        assert!(!same_origin(&none, None));
        let public = headers(&[
            ("host", "internal:8080"),
            ("origin", "https://atrium.example"),
        ]);
        assert!(same_origin(&public, Some("https://atrium.example")));
        assert!(!same_origin(&ok, Some("https://atrium.example")));
    }

    #[test]
    fn cookies_are_found_among_others() {
        let h = headers(&[("cookie", "theme=dark; atrium_session=abc; x=y")]);
        assert_eq!(cookie_value(&h, COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie_value(&headers(&[]), COOKIE), None);
    }

    #[test]
    fn session_cookie_flags() {
        let c = session_cookie("t", true, time::Duration::hours(1));
        for flag in [
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
            "Path=/",
            "Max-Age=3600",
        ] {
            assert!(c.contains(flag), "{c}");
        }
        assert!(!session_cookie("t", false, time::Duration::hours(1)).contains("Secure"));
    }
}

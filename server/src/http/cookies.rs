//! Atrium's cookies on the wire: read from a request, set and cleared on a response. The
//! session cookie ([`COOKIE`]) and the sign-in binding cookie ([`LOGIN_COOKIE`]); their flags
//! (HttpOnly, SameSite=Lax, Secure when configured) are set here, in one place.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;

use crate::auth::session::{COOKIE, LOGIN_COOKIE};

/// How long a sign-in may take at the provider: the binding cookie's lifetime, the same as a
/// stored attempt's.
const LOGIN_COOKIE_AGE: time::Duration = time::Duration::minutes(10);

/// The binding cookie is sent only to the sign-in routes.
const LOGIN_COOKIE_PATH: &str = "/auth/";

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

/// Every cookie of ours: HttpOnly, SameSite=Lax (sent on the provider's redirect back, a
/// top-level GET; never on cross-site POSTs), Secure behind https.
fn build(name: &str, value: &str, path: &str, secure: bool, max_age: time::Duration) -> String {
    cookie::Cookie::build((name.to_string(), value.to_string()))
        .path(path.to_string())
        .http_only(true)
        .same_site(cookie::SameSite::Lax)
        .secure(secure)
        .max_age(max_age)
        .build()
        .to_string()
}

fn append(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

pub fn session_cookie(token: &str, secure: bool, max_age: time::Duration) -> String {
    build(COOKIE, token, "/", secure, max_age)
}

pub fn clear_cookie(response: &mut Response, secure: bool) {
    append(
        response,
        &build(COOKIE, "", "/", secure, time::Duration::ZERO),
    );
}

/// Set the sign-in binding cookie (see [`LOGIN_COOKIE`]).
pub fn set_login_cookie(response: &mut Response, value: &str, secure: bool) {
    append(
        response,
        &build(
            LOGIN_COOKIE,
            value,
            LOGIN_COOKIE_PATH,
            secure,
            LOGIN_COOKIE_AGE,
        ),
    );
}

/// Drop the sign-in binding cookie once the callback has used it (whatever the outcome).
pub fn clear_login_cookie(response: &mut Response, secure: bool) {
    append(
        response,
        &build(
            LOGIN_COOKIE,
            "",
            LOGIN_COOKIE_PATH,
            secure,
            time::Duration::ZERO,
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        let cookies = HeaderValue::from_static("theme=dark; atrium_session=abc; x=y");
        h.insert(header::COOKIE, cookies);
        assert_eq!(cookie_value(&h, COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie_value(&HeaderMap::new(), COOKIE), None);
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

    #[test]
    fn login_cookie_flags() {
        let mut response = Response::new(axum::body::Body::empty());
        set_login_cookie(&mut response, "b", true);
        let c = response.headers()[header::SET_COOKIE].to_str().unwrap();
        for flag in [
            "atrium_login=b",
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
            "Path=/auth/",
            "Max-Age=600",
        ] {
            assert!(c.contains(flag), "{c}");
        }
    }
}

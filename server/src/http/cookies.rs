//! The session cookie on the wire: read from a request, set and cleared on a response. Its
//! name is the session module's [`COOKIE`]; its flags (HttpOnly, SameSite=Lax, Secure when
//! configured) are set here, in one place.

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;

use crate::auth::session::COOKIE;

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
}

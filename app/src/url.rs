//! URL text shared by every page, component and DTO that builds a link: one encoder, so the
//! server and the browser produce the same hrefs (hydration keeps the server's attributes),
//! and one rule for where sign-in may send people back to ([`safe_next`]).

/// `next` if it is a same-origin path, else `/`: what sign-in returns to, on the server (the
/// redirect after sign-in) and on the sign-in page (its "Continue" link and forms) alike, so
/// neither is an open redirect. A path starts with one `/` (not `//` or `/\`, which browsers
/// read as another host), holds no whitespace or control character (browsers drop tabs and
/// newlines, so `/\t/evil.example` would become `//evil.example`), and is not a sign-in route.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(|c| c.is_control() || c.is_whitespace())
                && !path.starts_with("/auth/") =>
        {
            path.to_string()
        }
        _ => "/".into(),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_same_origin_paths_are_returned_to() {
        use super::safe_next;
        assert_eq!(safe_next(Some("/catalog?q=pay")), "/catalog?q=pay");
        for bad in [
            "https://evil.example",
            "//evil.example/x",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "/\u{a0}/evil.example",
            "javascript:alert(1)",
            "/auth/logout",
            "/x\r\nSet-Cookie: a=b",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn keeps_only_unreserved_characters() {
        assert_eq!(super::encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(
            super::encode("checkout api/é?"),
            "checkout%20api%2F%C3%A9%3F"
        );
    }
}

//! URL text shared by every page, component and DTO that builds a link: one encoder, so the
//! server and the browser produce the same hrefs (hydration keeps the server's attributes).

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
    fn keeps_only_unreserved_characters() {
        assert_eq!(super::encode("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(
            super::encode("checkout api/é?"),
            "checkout%20api%2F%C3%A9%3F"
        );
    }
}

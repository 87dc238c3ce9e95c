//! Small helpers shared by several modules.

use base64::Engine as _;
use rand::RngCore as _;

/// Now, as RFC 3339 UTC text (portable across SQLite and PostgreSQL columns).
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// An error and its causes on one line (`outer: inner: root`), for messages people read.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A fresh random 256-bit token, URL-safe base64 (43 characters): session cookies, CSP nonces,
/// API token secrets, row ids.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_random() {
        let (a, b) = (super::new_token(), super::new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }
}

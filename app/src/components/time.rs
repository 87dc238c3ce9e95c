//! Timestamps as pages show them.

/// Shortens an RFC 3339 timestamp to `2024-05-01 12:34:56 UTC`-ish text (show the full value in
/// a tooltip); no relative times, so server and browser render the same text.
pub fn short_time(rfc3339: &str) -> String {
    let t = rfc3339.replacen('T', " ", 1);
    let t = t.split('.').next().unwrap_or(&t).to_string();
    t.trim_end_matches('Z')
        .trim_end_matches("+00:00")
        .to_string()
        + " UTC"
}

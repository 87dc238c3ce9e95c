//! Small helpers shared by several modules.

/// Now, as RFC 3339 UTC text (portable across SQLite and PostgreSQL columns).
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

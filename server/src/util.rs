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

/// Longest name or id kept from a client (user names, ids, paths, header values) in the audit
/// trail and the logs, in characters.
pub const MAX_NAME_CHARS: usize = 256;
/// Longest free text kept from a client (a deploy's reason or comment, an error a provider
/// sent back), in characters.
pub const MAX_FREE_TEXT_CHARS: usize = 4096;

/// Client-supplied text made safe to record: control characters (line breaks, escape sequences,
/// NUL, C1 controls) and the Unicode controls that reorder or hide text (bidi overrides,
/// isolates, zero-width marks) become visible escapes such as `\n` or `\u{202e}`, so a value
/// cannot forge a log line or disguise itself in the audit page; then anything past
/// `max_chars` (counted after escaping) is cut, with `…` saying so. Text that needs neither
/// is returned unchanged.
pub fn clean_text(text: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(text.len().min(max_chars * 4));
    // Counted in characters written, escapes included, so the cap holds for the output.
    let mut written = 0;
    for c in text.chars() {
        let escaped = is_hidden_control(c).then(|| c.escape_default().to_string());
        let width = escaped.as_ref().map_or(1, |e| e.chars().count());
        if written + width > max_chars {
            out.push('…');
            return out;
        }
        match escaped {
            Some(e) => out.push_str(&e),
            None => out.push(c),
        }
        written += width;
    }
    out
}

fn is_hidden_control(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// The crash tests' pause points: with `ATRIUM_TEST_PAUSE_AT=<point>` the process (the deploy
/// executor, the engine's auto-sync) stops for good at that point, after touching `ATRIUM_TEST_PAUSE_FILE`, so a test can kill -9 the
/// process exactly there. Unset (always, outside those tests), it does nothing.
pub fn pause_point(point: &str) {
    if std::env::var("ATRIUM_TEST_PAUSE_AT").ok().as_deref() != Some(point) {
        return;
    }
    if let Ok(file) = std::env::var("ATRIUM_TEST_PAUSE_FILE") {
        let _ = std::fs::write(file, point);
    }
    tracing::warn!("paused at {point} (ATRIUM_TEST_PAUSE_AT)");
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}

/// [`pause_point`] for async code: only the calling task stops, the process's other tasks
/// (the lease renewal among them) go on, as when one task of a real process hangs.
pub async fn pause_point_async(point: &str) {
    if std::env::var("ATRIUM_TEST_PAUSE_AT").ok().as_deref() != Some(point) {
        return;
    }
    if let Ok(file) = std::env::var("ATRIUM_TEST_PAUSE_FILE") {
        let _ = std::fs::write(file, point);
    }
    tracing::warn!("paused at {point} (ATRIUM_TEST_PAUSE_AT)");
    std::future::pending::<()>().await;
}

/// After a large rebuild (the catalog's index and entities), hands the memory the old one held
/// back to the OS now. mimalloc otherwise keeps a thread's freed pages until that thread
/// allocates again, and the blocking threads that do rebuilds go idle: at 100,000 entities
/// that was 35–65 MB of resident memory nobody used. Harmless when mimalloc is not the global
/// allocator (tests, the `system-alloc` build): its own heap is then empty.
///
/// Files are parsed on rayon's pool, and what its threads allocated (a refresh's parse, then
/// the entities a comparison finds unchanged and drops) is theirs to give back: each collects
/// its own heap too.
pub fn release_freed_memory() {
    release_this_threads_memory();
    rayon::broadcast(|_| release_this_threads_memory());
}

/// mimalloc's `mi_option_purge_delay`: its place in `mi_option_t`, the same in mimalloc 2 and
/// 3 (the Rust bindings do not name it). `tests/allocator.rs` checks it reads the documented
/// default.
pub const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How many [`PromptRelease`]s live, and the delay to put back when the last one goes.
static PROMPT: std::sync::Mutex<(usize, std::ffi::c_long)> = std::sync::Mutex::new((0, 0));

/// While one lives, memory freed goes back to the OS at once instead of after mimalloc's
/// delay (a second, ten for whole arenas). For the first catalog load, which frees several
/// times what it keeps: with the delay, 8 MB of the pages it freed stayed resident at 100,000
/// entities, and a forced collection afterwards did not return them. Kept short, because
/// purging at once makes steady work slower (the engine's pass after one app changed took
/// 11.6 ms instead of 6.8 with it set for the whole process).
pub struct PromptRelease(());

impl PromptRelease {
    pub fn start() -> Self {
        let mut prompt = PROMPT.lock().unwrap_or_else(|e| e.into_inner());
        if prompt.0 == 0 {
            // SAFETY: the option calls take no pointers; a delay of 0 is a documented value.
            unsafe {
                prompt.1 = libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY);
                libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
            }
        }
        prompt.0 += 1;
        PromptRelease(())
    }
}

impl Drop for PromptRelease {
    fn drop(&mut self) {
        let mut prompt = PROMPT.lock().unwrap_or_else(|e| e.into_inner());
        prompt.0 -= 1;
        if prompt.0 == 0 {
            // SAFETY: as in `start`, putting back the value read there.
            unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, prompt.1) }
        }
    }
}

/// [`release_freed_memory`] for the calling thread's heap only: what an async thread may call
/// (it never waits for rayon's threads).
pub fn release_this_threads_memory() {
    // SAFETY: mi_collect takes no pointers; `force` also purges other threads' abandoned pages.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

#[cfg(test)]
mod tests {
    use super::clean_text;

    #[test]
    fn clean_text_escapes_controls_and_caps_length() {
        assert_eq!(clean_text("amara.okafor", 256), "amara.okafor");
        assert_eq!(clean_text("Zoë Åberg", 256), "Zoë Åberg");
        assert_eq!(
            clean_text("a\nINFO forged line", 256),
            "a\\nINFO forged line"
        );
        assert_eq!(clean_text("\u{1b}[31mred\0", 256), "\\u{1b}[31mred\\u{0}");
        assert_eq!(
            clean_text("evil\u{202e}txt.exe", 256),
            "evil\\u{202e}txt.exe"
        );
        assert_eq!(
            clean_text(&"x".repeat(2_000_000), 256),
            "x".repeat(256) + "…"
        );
        assert_eq!(clean_text(&"é".repeat(300), 256).chars().count(), 257);
        assert_eq!(clean_text(&"x".repeat(256), 256), "x".repeat(256));
        // Escapes count against the cap: control characters cannot inflate the output.
        assert_eq!(clean_text(&"\0".repeat(1000), 256).chars().count(), 255 + 1);
    }

    #[test]
    fn tokens_are_random() {
        let (a, b) = (super::new_token(), super::new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
    }
}

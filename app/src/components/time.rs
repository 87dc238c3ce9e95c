//! Timestamps as pages show them: absolute (`short_time`, the same text on the server and in the
//! browser) and, once the page runs in the browser, relative ("5 min ago", [`age`] with
//! [`use_now`]).

use leptos::prelude::*;

/// Shortens an RFC 3339 timestamp to `2024-05-01 12:34:56 UTC`-ish text (show the full value in
/// a tooltip).
pub fn short_time(rfc3339: &str) -> String {
    let t = rfc3339.replacen('T', " ", 1);
    let t = t.split('.').next().unwrap_or(&t).to_string();
    t.trim_end_matches('Z')
        .trim_end_matches("+00:00")
        .to_string()
        + " UTC"
}

/// Seconds since the Unix epoch of a UTC RFC 3339 timestamp (`2024-05-01T12:34:56.123456Z`;
/// fractions and the zone are ignored: Atrium writes UTC). `None` when it is not one.
pub fn epoch_secs(rfc3339: &str) -> Option<i64> {
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = rfc3339.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3_600 + mm * 60 + ss)
}

/// How long ago `then` was at `now` (both in epoch seconds), in a few characters.
pub fn age(then: i64, now: i64) -> String {
    let secs = (now - then).max(0);
    match secs {
        0..=9 => "just now".into(),
        10..=59 => format!("{secs} s ago"),
        60..=3_599 => format!("{} min ago", secs / 60),
        3_600..=86_399 => format!("{} h ago", secs / 3_600),
        _ => format!("{} d ago", secs / 86_400),
    }
}

/// `rfc3339` relative to `now` when the browser's clock is known, else as [`short_time`].
pub fn age_or_time(rfc3339: &str, now: Option<i64>) -> String {
    match (now, epoch_secs(rfc3339)) {
        (Some(now), Some(then)) => age(then, now),
        _ => short_time(rfc3339),
    }
}

/// The browser's clock in epoch seconds, refreshed every 30 s. `None` on the server and until
/// the page hydrates, so both render the same text first.
pub fn use_now() -> ReadSignal<Option<i64>> {
    let (now, set_now) = signal(None::<i64>);
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let tick = move || set_now.set(Some((browser::date_now() / 1000.0) as i64));
        tick();
        if let Ok(handle) = set_interval_with_handle(tick, std::time::Duration::from_secs(30)) {
            on_cleanup(move || handle.clear());
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = set_now;
    now
}

#[cfg(feature = "hydrate")]
mod browser {
    use wasm_bindgen::prelude::wasm_bindgen;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = Date, js_name = now)]
        pub fn date_now() -> f64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_become_epoch_seconds() {
        assert_eq!(epoch_secs("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            epoch_secs("2024-03-01T12:34:56.123456Z"),
            Some(1_709_296_496)
        );
        assert_eq!(epoch_secs("2000-02-29T00:00:00+00:00"), Some(951_782_400));
        assert_eq!(epoch_secs("yesterday"), None);
        assert_eq!(epoch_secs("2024-13-01T00:00:00Z"), None);
    }

    #[test]
    fn ages_read_short() {
        assert_eq!(age(100, 103), "just now");
        assert_eq!(age(100, 142), "42 s ago");
        assert_eq!(age(0, 5 * 60 + 7), "5 min ago");
        assert_eq!(age(0, 3 * 3_600), "3 h ago");
        assert_eq!(age(0, 2 * 86_400 + 5), "2 d ago");
        assert_eq!(age(50, 10), "just now");
        assert_eq!(
            age_or_time("2024-03-01T12:34:56Z", None),
            "2024-03-01 12:34:56 UTC"
        );
    }
}

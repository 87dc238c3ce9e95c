//! Highlights: a shown string cut into `(text, matched)` spans, where a word is matched when it
//! satisfies the index's own match rule ([`text::word_matches`]) for some query term. The spans
//! concatenate back to the original string exactly, so the UI renders them without escaping
//! games.

use super::text;

/// Spans of `shown`; adjacent spans of equal flag are merged. Empty input gives no spans.
pub(crate) fn highlight(shown: &str, terms: &[String]) -> Vec<(String, bool)> {
    let mut spans: Vec<(String, bool)> = Vec::new();
    let mut push = |piece: &str, matched: bool| {
        if piece.is_empty() {
            return;
        }
        match spans.last_mut() {
            Some((last, flag)) if *flag == matched => last.push_str(piece),
            _ => spans.push((piece.to_string(), matched)),
        }
    };
    let mut done = 0;
    for (start, end) in text::word_spans(shown) {
        let word = &shown[start..end];
        let matched = !terms.is_empty()
            && text::normalize(word)
                .is_some_and(|w| terms.iter().any(|t| text::word_matches(&w, t)));
        push(&shown[done..start], false);
        push(word, matched);
        done = end;
    }
    push(&shown[done..], false);
    spans
}

#[cfg(test)]
mod tests {
    use super::highlight;

    fn terms(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn marks_prefix_and_typo_words_and_keeps_the_text() {
        let spans = highlight("Payments API, payment-gateway", &terms(&["paymnt", "gate"]));
        assert_eq!(
            spans,
            vec![
                ("Payments".to_string(), true),
                (" API, ".to_string(), false),
                ("payment".to_string(), true),
                ("-".to_string(), false),
                ("gateway".to_string(), true),
            ]
        );
        let joined: String = spans.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(joined, "Payments API, payment-gateway");
    }

    #[test]
    fn nothing_matched_is_one_plain_span() {
        assert_eq!(
            highlight("Storefront", &terms(&["zzz"])),
            vec![("Storefront".to_string(), false)]
        );
        assert_eq!(highlight("", &terms(&["a"])), Vec::<(String, bool)>::new());
    }
}

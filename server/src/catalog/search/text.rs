//! Words and terms: the one tokenizer used for indexing, for the user's query and for
//! highlighting, plus the match rule (prefix, or prefix within one edit) the highlighter shares
//! with the index. Keeping all three on the same function is what makes a highlighted word
//! always be a word that matched.

/// Longest word indexed or searched, in bytes. Longer "words" (hashes, base64, a pasted blob)
/// are skipped: nobody types them, and they would bloat the term dictionary. It also bounds the
/// size of the Levenshtein automaton built per query term.
pub(crate) const MAX_TERM_BYTES: usize = 64;

/// Query terms beyond this many are ignored: an AND of 16 words already narrows to nothing, and
/// the cap keeps a pasted 10 KB string from building thousands of automata.
pub(crate) const MAX_QUERY_TERMS: usize = 16;

/// Terms this long (in characters) or longer tolerate one typo.
pub(crate) const FUZZY_MIN_CHARS: usize = 4;

/// Byte spans of the words of `text`: maximal runs of alphanumeric characters (any script).
/// Everything else — punctuation, quotes, colons, emoji, whitespace — separates words.
pub(crate) fn word_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        // Skip separators.
        let start = loop {
            let (i, c) = chars.next()?;
            if c.is_alphanumeric() {
                break i;
            }
        };
        let mut end = text.len();
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                end = i;
                break;
            }
            chars.next();
        }
        Some((start, end))
    })
}

/// The indexed form of a word: lower-cased. Returns `None` for words too long to index.
pub(crate) fn normalize(word: &str) -> Option<String> {
    let lower = word.to_lowercase();
    (lower.len() <= MAX_TERM_BYTES).then_some(lower)
}

/// The normalized words of `text`, in order, duplicates kept.
pub(crate) fn terms(text: &str) -> impl Iterator<Item = String> + '_ {
    word_spans(text).filter_map(|(s, e)| normalize(&text[s..e]))
}

/// The terms of a user query: normalized, de-duplicated (order kept), capped at
/// [`MAX_QUERY_TERMS`]. `None` when some word is too long to ever match: the terms are AND-ed,
/// so such a query matches nothing.
pub(crate) fn query_terms(text: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for (s, e) in word_spans(text) {
        let term = normalize(&text[s..e])?;
        if !out.contains(&term) {
            out.push(term);
            if out.len() == MAX_QUERY_TERMS {
                break;
            }
        }
    }
    Some(out)
}

/// Whether a query term tolerates a typo.
pub(crate) fn is_fuzzy(term: &str) -> bool {
    term.chars().count() >= FUZZY_MIN_CHARS
}

/// The index's match rule, for one normalized word and one query term: the word starts with
/// the term, or (for terms of [`FUZZY_MIN_CHARS`]+ chars) some prefix of the word is within one
/// edit of the term, a transposition counting as one edit. This is what
/// `FuzzyTermQuery::new_prefix(term, 1, true)` accepts.
pub(crate) fn word_matches(word: &str, term: &str) -> bool {
    if word.starts_with(term) {
        return true;
    }
    is_fuzzy(term) && prefix_within_one_edit(word, term)
}

/// Optimal-string-alignment distance between `term` and the closest prefix of `word`, ≤ 1.
/// Runs once per shown word per term when highlighting, so it works on the stack: terms are at
/// most [`MAX_TERM_BYTES`] bytes, hence chars.
fn prefix_within_one_edit(word: &str, term: &str) -> bool {
    const CAP: usize = MAX_TERM_BYTES + 2;
    let mut t = ['\0'; CAP];
    let mut tn = 0;
    for c in term.chars() {
        if tn == CAP - 1 {
            return false;
        }
        t[tn] = c;
        tn += 1;
    }
    // A prefix within one edit is at most one char longer than the term.
    let mut w = ['\0'; CAP];
    let mut wn = 0;
    for c in word.chars().take(tn + 1) {
        w[wn] = c;
        wn += 1;
    }
    // Rows over the term, columns over the word; three rows suffice for OSA.
    let cols = wn + 1;
    let mut prev2 = [0usize; CAP + 1];
    let mut prev = [0usize; CAP + 1];
    let mut cur = [0usize; CAP + 1];
    for (j, slot) in prev.iter_mut().enumerate().take(cols) {
        *slot = j;
    }
    for i in 1..=tn {
        cur[0] = i;
        for j in 1..cols {
            let cost = usize::from(t[i - 1] != w[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && t[i - 1] == w[j - 2] && t[i - 2] == w[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    // `prev` is now the last row: distance from the whole term to each prefix of the word.
    prev[..cols].iter().any(|&d| d <= 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_anything_not_alphanumeric() {
        let words: Vec<_> = terms("Payments-API: \"v2\" (prod) 🚀 Über_cool").collect();
        assert_eq!(words, ["payments", "api", "v2", "prod", "über", "cool"]);
    }

    #[test]
    fn query_terms_dedupe_cap_and_reject_giants() {
        assert_eq!(query_terms("a A b").unwrap(), ["a", "b"]);
        let many = (0..100)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(query_terms(&many).unwrap().len(), MAX_QUERY_TERMS);
        assert!(query_terms(&"x".repeat(100)).is_none());
        assert_eq!(query_terms("  ::  ").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn match_rule() {
        assert!(word_matches("payments", "pay"));
        assert!(word_matches("payments", "paymnets")); // transposition
        assert!(word_matches("payments", "pyment")); // deletion, prefix
        assert!(word_matches("payments", "paxments")); // substitution
        assert!(!word_matches("payments", "pax")); // too short for a typo
        assert!(!word_matches("payments", "pxymxnts")); // two edits
        assert!(word_matches("cart", "carts")); // one insertion past the word's end
    }
}

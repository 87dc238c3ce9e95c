//! The glob dialect of policy lines: `*` matches any run of characters (including `/`, as in
//! Argo CD, so `prod/*` covers every app in `prod`), `?` exactly one character; everything else
//! is literal. Kept this small on purpose: no classes or braces means no pattern can fail to
//! compile and `[` in a name is just a character.

/// A compiled glob: the pattern split into characters once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    pattern: Vec<char>,
    literal: bool,
}

impl Glob {
    pub fn new(pattern: &str) -> Self {
        Self {
            pattern: pattern.chars().collect(),
            literal: !pattern.contains(['*', '?']),
        }
    }

    /// True when the pattern has no wildcard, so it matches exactly one string.
    pub fn is_literal(&self) -> bool {
        self.literal
    }

    /// Whole-string match. Greedy with one backtrack point: linear in practice, never
    /// exponential, whatever the number of stars.
    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let pat = &self.pattern;
        let (mut p, mut t) = (0, 0);
        // Where the last `*` was, and the text position it is currently absorbing up to.
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            if p < pat.len() && (pat[p] == '?' || (pat[p] != '*' && pat[p] == text[t])) {
                p += 1;
                t += 1;
            } else if p < pat.len() && pat[p] == '*' {
                star = Some((p, t));
                p += 1;
            } else if let Some((sp, st)) = star {
                // Let the last star absorb one more character and retry.
                p = sp + 1;
                t = st + 1;
                star = Some((sp, st + 1));
            } else {
                return false;
            }
        }
        pat[p..].iter().all(|c| *c == '*')
    }
}

#[cfg(test)]
mod tests {
    use super::Glob;

    fn m(pattern: &str, text: &str) -> bool {
        Glob::new(pattern).matches(text)
    }

    #[test]
    fn literals_match_exactly() {
        assert!(m("prod/billing", "prod/billing"));
        assert!(!m("prod/billing", "prod/billing2"));
        assert!(!m("prod/billing", "Prod/billing"));
        assert!(m("", ""));
        assert!(!m("", "x"));
        assert!(Glob::new("prod/billing").is_literal());
        assert!(!Glob::new("prod/*").is_literal());
    }

    #[test]
    fn star_crosses_slashes_like_argo_cd() {
        assert!(m("*", ""));
        assert!(m("*", "prod/billing"));
        assert!(m("prod/*", "prod/billing"));
        assert!(m("prod/*", "prod/"));
        assert!(!m("prod/*", "staging/billing"));
        assert!(m("*/billing", "dev/billing"));
        assert!(m("*/bill*", "dev/billing-api"));
        assert!(m("*-api", "dev/billing-api"));
        assert!(!m("*-api", "dev/billing-api2"));
        assert!(m("a*b*c", "aXXbYYbZc"));
        assert!(!m("a*b*c", "aXXbYYbZ"));
    }

    #[test]
    fn question_mark_is_one_character() {
        assert!(m("dev?/app", "dev1/app"));
        assert!(!m("dev?/app", "dev/app"));
        assert!(!m("dev?/app", "dev12/app"));
        assert!(m("??", "éa"));
    }

    #[test]
    fn many_stars_stay_fast() {
        let pattern = "*a".repeat(30) + "b";
        let text = "a".repeat(200);
        assert!(!m(&pattern, &text));
    }
}

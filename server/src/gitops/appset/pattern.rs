//! Path patterns as Argo CD's Git generator matches them: Go's `path.Match` for `directories`
//! (`*` and `?` stop at `/`, `[a-z]`, `[^x]`, `\` escapes), and the same syntax with `*`
//! crossing `/` for `files` (Git's pathspec wildcards, which Argo CD's file generator uses by
//! default). Matching is linear in practice: one backtracking point, no recursion, so a
//! hostile pattern costs at most pattern × path steps.

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Literal(char),
    /// `?`: one character (not `/` unless it may cross).
    One,
    Star,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// A parsed pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    tokens: Vec<Token>,
    /// Whether `*` and `?` match `/` too.
    crosses_slash: bool,
}

impl Pattern {
    /// Go `path.Match` syntax. `crosses_slash`: Git pathspec wildcards (`*` matches `/`).
    pub fn parse(text: &str, crosses_slash: bool) -> Result<Pattern, String> {
        let bad = || format!("{text:?} is not a valid path pattern");
        let mut tokens = Vec::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            tokens.push(match c {
                '*' => Token::Star,
                '?' => Token::One,
                '\\' => Token::Literal(chars.next().ok_or_else(bad)?),
                '[' => {
                    let negated = chars.next_if_eq(&'^').is_some();
                    let mut ranges = Vec::new();
                    loop {
                        let mut lo = chars.next().ok_or_else(bad)?;
                        if lo == ']' && !ranges.is_empty() {
                            break;
                        }
                        if lo == '\\' {
                            lo = chars.next().ok_or_else(bad)?;
                        } else if lo == ']' || lo == '-' {
                            return Err(bad());
                        }
                        let mut hi = lo;
                        if chars.next_if_eq(&'-').is_some() {
                            hi = chars.next().ok_or_else(bad)?;
                            if hi == '\\' {
                                hi = chars.next().ok_or_else(bad)?;
                            } else if hi == ']' || hi == '-' {
                                return Err(bad());
                            }
                        }
                        ranges.push((lo, hi));
                    }
                    Token::Class { negated, ranges }
                }
                other => Token::Literal(other),
            });
        }
        Ok(Pattern {
            tokens,
            crosses_slash,
        })
    }

    /// Whether `path` matches the whole pattern.
    pub fn matches(&self, path: &str) -> bool {
        let text: Vec<char> = path.chars().collect();
        let (mut p, mut t) = (0usize, 0usize);
        // The last `*` seen (pattern index) and where in the text it started matching.
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            let step = match self.tokens.get(p) {
                Some(Token::Star) => {
                    star = Some((p, t));
                    p += 1;
                    continue;
                }
                Some(token) => self.single(token, text[t]),
                None => false,
            };
            if step {
                p += 1;
                t += 1;
                continue;
            }
            // Let the last `*` take one more character, if it may.
            match star {
                Some((sp, st)) if self.crosses_slash || text[st] != '/' => {
                    star = Some((sp, st + 1));
                    p = sp + 1;
                    t = st + 1;
                }
                _ => return false,
            }
        }
        self.tokens[p..].iter().all(|tok| *tok == Token::Star)
    }

    fn single(&self, token: &Token, c: char) -> bool {
        if c == '/' && !self.crosses_slash && *token != Token::Literal('/') {
            return false;
        }
        match token {
            Token::Literal(l) => *l == c,
            Token::One => true,
            Token::Star => false,
            Token::Class { negated, ranges } => {
                ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi) != *negated
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, path: &str) -> bool {
        Pattern::parse(pattern, false).unwrap().matches(path)
    }

    #[test]
    fn go_path_match_semantics() {
        assert!(m("apps/*", "apps/web"));
        assert!(!m("apps/*", "apps/web/base"));
        assert!(!m("apps/*", "apps"));
        assert!(m("apps/*/overlays/*", "apps/web/overlays/dev"));
        assert!(m("apps/w?b", "apps/web"));
        assert!(!m("a?b", "a/b"));
        assert!(m("apps/[a-c]*", "apps/cart"));
        assert!(!m("apps/[^a-c]*", "apps/cart"));
        assert!(m("apps/\\*", "apps/*"));
        assert!(!m("apps/\\*", "apps/x"));
        // `**` is two stars to Go: still one path segment.
        assert!(m("apps/**", "apps/web"));
        assert!(!m("apps/**", "apps/web/base"));
        assert!(m("*", "top"));
        assert!(!m("*", "a/b"));
        assert!(Pattern::parse("apps/[a-", false).is_err());
        assert!(Pattern::parse("apps/\\", false).is_err());
    }

    #[test]
    fn file_patterns_cross_slashes_and_hostile_ones_stay_cheap() {
        let files = Pattern::parse("clusters/*/config.json", true).unwrap();
        assert!(files.matches("clusters/eu/config.json"));
        assert!(files.matches("clusters/eu/west/config.json"));
        assert!(!files.matches("clusters/eu/config.yaml"));
        let hostile = Pattern::parse(&"*a".repeat(200), true).unwrap();
        assert!(!hostile.matches(&format!("{}b", "a".repeat(5_000))));
        assert!(hostile.matches(&"a".repeat(5_000)));
    }
}

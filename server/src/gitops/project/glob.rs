//! The two glob dialects an `AppProject` is matched with, as Argo CD matches them:
//! `sourceRepos` and `destinations` go through gobwas/glob (`*`, `**` across separators, `?`,
//! `[a-z]`/`[!a]`, `{a,b}`), the resource lists through Go's `filepath.Match` (`*`, `?`,
//! `[a-z]`/`[^a]`, no alternatives). Each pattern becomes an anchored regex once, when the
//! project is read; a pattern that does not compile matches nothing (Argo CD logs it and says
//! no).

use regex::{Regex, RegexBuilder};

/// Longer patterns are refused (they match nothing): a project is hostile input too.
const MAX_PATTERN: usize = 1024;

/// Which matcher a pattern follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// gobwas/glob, with `separator` (if any) not matched by `*` or `?` (`**` matches it).
    Gobwas { separator: Option<char> },
    /// Go's `path/filepath.Match`: `*` and `?` never match `/`.
    FilePath,
}

/// One compiled pattern.
#[derive(Clone, Debug)]
pub struct Glob {
    regex: Option<Regex>,
}

impl Glob {
    pub fn new(pattern: &str, dialect: Dialect) -> Self {
        let regex = translate(pattern, dialect)
            .and_then(|source| RegexBuilder::new(&source).size_limit(1 << 20).build().ok());
        Self { regex }
    }

    pub fn matches(&self, text: &str) -> bool {
        self.regex.as_ref().is_some_and(|r| r.is_match(text))
    }
}

/// The anchored regex a glob means, or `None` when the glob is malformed.
fn translate(pattern: &str, dialect: Dialect) -> Option<String> {
    if pattern.len() > MAX_PATTERN {
        return None;
    }
    let separator = match dialect {
        Dialect::Gobwas { separator } => separator,
        Dialect::FilePath => Some('/'),
    };
    let any_one = match separator {
        Some(s) => format!("[^{}]", regex::escape(&s.to_string())),
        None => "(?s:.)".to_string(),
    };
    let gobwas = matches!(dialect, Dialect::Gobwas { .. });
    let mut out = String::from("^(?:");
    let mut chars = pattern.chars().peekable();
    let mut depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '*' => {
                let mut double = false;
                while chars.peek() == Some(&'*') {
                    chars.next();
                    double = true;
                }
                if double && gobwas {
                    out.push_str("(?s:.*)");
                } else {
                    out.push_str(&any_one);
                    out.push('*');
                }
            }
            '?' => out.push_str(&any_one),
            '\\' => {
                let escaped = chars.next()?;
                out.push_str(&regex::escape(&escaped.to_string()));
            }
            '[' => out.push_str(&class(&mut chars, gobwas)?),
            '{' if gobwas => {
                depth += 1;
                out.push_str("(?:");
            }
            ',' if gobwas && depth > 0 => out.push('|'),
            '}' if gobwas && depth > 0 => {
                depth -= 1;
                out.push(')');
            }
            other => out.push_str(&regex::escape(&other.to_string())),
        }
    }
    if depth > 0 {
        return None;
    }
    out.push_str(")$");
    Some(out)
}

/// A `[...]` class (the `[` already read): `!` (gobwas) or `^` (filepath) negates.
fn class(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, gobwas: bool) -> Option<String> {
    let mut out = String::from("[");
    let negation = if gobwas { '!' } else { '^' };
    if chars.peek() == Some(&negation) {
        chars.next();
        out.push('^');
    }
    let mut empty = true;
    loop {
        let c = chars.next()?;
        match c {
            ']' if !empty => break,
            '\\' if !gobwas => {
                let escaped = chars.next()?;
                push_class_char(&mut out, escaped);
            }
            '-' if !empty && chars.peek().is_some_and(|n| *n != ']') => out.push('-'),
            other => push_class_char(&mut out, other),
        }
        empty = false;
    }
    out.push(']');
    Some(out)
}

fn push_class_char(out: &mut String, c: char) {
    if matches!(c, '\\' | '[' | ']' | '^' | '-' | '&' | '~') {
        out.push('\\');
    }
    out.push(c);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(pattern: &str, text: &str) -> bool {
        Glob::new(
            pattern,
            Dialect::Gobwas {
                separator: Some('/'),
            },
        )
        .matches(text)
    }

    fn plain(pattern: &str, text: &str) -> bool {
        Glob::new(pattern, Dialect::Gobwas { separator: None }).matches(text)
    }

    fn kind(pattern: &str, text: &str) -> bool {
        Glob::new(pattern, Dialect::FilePath).matches(text)
    }

    #[test]
    fn repo_globs_stop_a_star_at_slashes_and_let_two_cross_them() {
        // A lone `*` is Argo CD's shortcut, above the glob (see `Pattern`); the glob stops.
        assert!(!repo("*", "https://github.com/org/app"));
        assert!(repo("*", "app"));
        assert!(repo(
            "https://github.com/org/*",
            "https://github.com/org/app"
        ));
        assert!(!repo(
            "https://github.com/org/*",
            "https://github.com/org/team/app"
        ));
        assert!(repo(
            "https://github.com/org/**",
            "https://github.com/org/team/app"
        ));
        assert!(repo(
            "https://github.com/{org,other}/app-?",
            "https://github.com/other/app-1"
        ));
        assert!(!repo(
            "https://github.com/org/app",
            "https://github.com/org/app-1"
        ));
        assert!(repo("https://git.example/[a-c]x", "https://git.example/bx"));
        assert!(!repo(
            "https://git.example/[!a-c]x",
            "https://git.example/bx"
        ));
        // Regex characters in a URL are literal.
        assert!(!repo("https://git.example/a.b", "https://git.example/axb"));
    }

    #[test]
    fn destination_globs_have_no_separator() {
        assert!(plain("team-*", "team-a"));
        assert!(plain("*", ""));
        assert!(plain(
            "https://*.example.com:6443",
            "https://a.b.example.com:6443"
        ));
        assert!(!plain("team-*", "shop"));
    }

    #[test]
    fn kind_globs_follow_filepath_match() {
        assert!(kind("*", "Deployment"));
        assert!(kind("", ""));
        assert!(!kind("", "apps"));
        assert!(kind("Cluster*", "ClusterRole"));
        assert!(kind("[^D]*", "Service"));
        assert!(!kind("[^D]*", "Deployment"));
        assert!(kind("*.k8s.io", "rbac.authorization.k8s.io"));
        // No alternatives in filepath.Match: braces are literal.
        assert!(!kind("{Role,ClusterRole}", "Role"));
    }

    #[test]
    fn malformed_patterns_match_nothing() {
        assert!(!repo("https://x/{a,b", "https://x/a"));
        assert!(!kind("[abc", "a"));
        assert!(!kind("abc\\", "abc"));
        assert!(!plain(
            &"a".repeat(MAX_PATTERN + 1),
            &"a".repeat(MAX_PATTERN + 1)
        ));
    }
}

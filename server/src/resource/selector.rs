//! Label selectors as `kubectl -l` and kube's `ListParams::labels` write them: equality
//! (`a=b`, `a==b`, `a!=b`) and set-based (`a in (x,y)`, `a notin (x)`, `a`, `!a`), ANDed. The
//! emulator filters lists and watches with them; a catalog Component's
//! `argocd/app-selector` picks its apps with them.

use std::collections::BTreeMap;

/// One requirement of a selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A parsed selector; the empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selector(pub Vec<Requirement>);

impl Selector {
    /// Parses `app=web,tier in (a,b),!legacy`. The error text is the server's message.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let mut reqs = Vec::new();
        for part in split_top_level(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            reqs.push(parse_requirement(part)?);
        }
        Ok(Selector(reqs))
    }

    /// Whether labels satisfy every requirement. `!=` and `notin` match absent keys, as in
    /// Kubernetes.
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.matches_with(|k| labels.get(k).map(String::as_str))
    }

    /// [`Selector::matches`] on an object's labels, read in place: a list tests every object
    /// of its kind, and copying each one's labels out was most of an apply at 20,000 objects.
    /// A label whose value is not a string counts as absent.
    pub fn matches_object(&self, obj: &serde_json::Value) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let labels = obj
            .get("metadata")
            .and_then(|m| m.get("labels"))
            .and_then(serde_json::Value::as_object);
        self.matches_with(|k| labels.and_then(|l| l.get(k)).and_then(|v| v.as_str()))
    }

    fn matches_with<'a>(&self, label: impl Fn(&str) -> Option<&'a str>) -> bool {
        let one_of = |vs: &[String], l: &str| vs.iter().any(|v| v == l);
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => label(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => label(k) != Some(v.as_str()),
            Requirement::In(k, vs) => label(k).is_some_and(|l| one_of(vs, l)),
            Requirement::NotIn(k, vs) => label(k).is_none_or(|l| !one_of(vs, l)),
            Requirement::Exists(k) => label(k).is_some(),
            Requirement::NotExists(k) => label(k).is_none(),
        })
    }
}

/// Splits on commas outside parentheses (`a in (x,y),b` is two requirements).
fn split_top_level(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

fn parse_requirement(part: &str) -> Result<Requirement, String> {
    let bad = || format!("unable to parse requirement: {part:?}");
    if let Some(key) = part.strip_prefix('!') {
        return Ok(Requirement::NotExists(
            checked_key(key.trim()).ok_or_else(bad)?,
        ));
    }
    for (op, neg) in [(" notin ", true), (" in ", false)] {
        if let Some((key, rest)) = part.split_once(op) {
            let key = checked_key(key.trim()).ok_or_else(bad)?;
            let inner = rest
                .trim()
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .ok_or_else(bad)?;
            let values: Vec<String> = inner
                .split(',')
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            if values.is_empty() {
                return Err(format!(
                    "{part:?}: for 'in', 'notin' operators, values set can't be empty"
                ));
            }
            return Ok(if neg {
                Requirement::NotIn(key, values)
            } else {
                Requirement::In(key, values)
            });
        }
    }
    for (op, neg) in [("!=", true), ("==", false), ("=", false)] {
        if let Some((key, value)) = part.split_once(op) {
            let key = checked_key(key.trim()).ok_or_else(bad)?;
            let value = value.trim().to_string();
            if value.contains(['=', '!', '(', ')', ' ']) {
                return Err(bad());
            }
            return Ok(if neg {
                Requirement::NotEquals(key, value)
            } else {
                Requirement::Equals(key, value)
            });
        }
    }
    Ok(Requirement::Exists(checked_key(part).ok_or_else(bad)?))
}

/// A label key: `[prefix/]name` of letters, digits, `-`, `_`, `.`.
fn checked_key(key: &str) -> Option<String> {
    let ok = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    ok.then(|| key.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A label map from pairs (shared with the tests of selectors' users).
    pub(crate) fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn equality_forms() {
        let l = labels(&[("app", "web"), ("tier", "front")]);
        assert!(Selector::parse("app=web").unwrap().matches(&l));
        assert!(Selector::parse("app==web,tier=front").unwrap().matches(&l));
        assert!(!Selector::parse("app!=web").unwrap().matches(&l));
        assert!(Selector::parse("missing!=x").unwrap().matches(&l));
    }

    #[test]
    fn objects_match_as_their_labels_do() {
        let obj = serde_json::json!({"metadata": {"labels": {"env": "prod", "n": 3}}});
        let l = labels(&[("env", "prod")]);
        for text in [
            "",
            "env=prod",
            "env!=prod",
            "env in (dev,prod)",
            "env notin (prod)",
            "env",
            "!env",
            "n",
            "!n",
            "n=3",
            "missing!=x",
        ] {
            let s = Selector::parse(text).unwrap();
            assert_eq!(s.matches_object(&obj), s.matches(&l), "{text}");
        }
        let bare = serde_json::json!({"metadata": {}});
        assert!(Selector::parse("!env").unwrap().matches_object(&bare));
        assert!(!Selector::parse("env").unwrap().matches_object(&bare));
    }

    #[test]
    fn set_forms() {
        let l = labels(&[("env", "prod")]);
        assert!(Selector::parse("env in (dev, prod)").unwrap().matches(&l));
        assert!(!Selector::parse("env notin (prod)").unwrap().matches(&l));
        assert!(Selector::parse("other notin (prod)").unwrap().matches(&l));
        assert!(Selector::parse("env").unwrap().matches(&l));
        assert!(Selector::parse("!legacy,env in (prod),env!=dev")
            .unwrap()
            .matches(&l));
        assert!(!Selector::parse("!env").unwrap().matches(&l));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(Selector::parse("env in prod").is_err());
        assert!(Selector::parse("a=b=c").is_err());
        assert!(Selector::parse("env in ()").is_err());
        assert_eq!(Selector::parse("").unwrap(), Selector::default());
    }
}

//! `metadata` validation: Backstage's name, namespace, tag, label/annotation key rules.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::{optional_str, type_name};
use crate::catalog::model::{Link, Metadata, SharedStr};

const MAX_NAME: usize = 63;
const MAX_PREFIX: usize = 253;

static NAME_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-zA-Z0-9]+([-_.][a-zA-Z0-9]+)*$"));
static DNS_LABEL_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z0-9]+(-+[a-z0-9]+)*$"));
static DNS_SUBDOMAIN_RE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^[a-z0-9]+(-+[a-z0-9]+)*(\.[a-z0-9]+(-+[a-z0-9]+)*)*$"));
static TAG_RE: LazyLock<Regex> = LazyLock::new(|| re(r"^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$"));

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

/// `[a-zA-Z0-9]` runs separated by one of `-_.`, 1–63 characters.
pub fn is_valid_name(name: &str) -> bool {
    (1..=MAX_NAME).contains(&name.len()) && NAME_RE.is_match(name)
}

/// A DNS label: lower-case alphanumerics and dashes, 1–63 characters.
pub fn is_valid_namespace(namespace: &str) -> bool {
    (1..=MAX_NAME).contains(&namespace.len()) && DNS_LABEL_RE.is_match(namespace)
}

/// Lower-case `[a-z0-9:+#]` runs separated by `-`, 1–63 characters.
pub fn is_valid_tag(tag: &str) -> bool {
    (1..=MAX_NAME).contains(&tag.len()) && TAG_RE.is_match(tag)
}

/// The group part of an apiVersion: a DNS subdomain, at most 253 characters.
pub(super) fn is_valid_api_group(group: &str) -> bool {
    (1..=MAX_PREFIX).contains(&group.len()) && DNS_SUBDOMAIN_RE.is_match(group)
}

/// `[prefix/]name`: prefix a DNS subdomain (≤ 253), name like an entity name (≤ 63).
fn is_valid_key(key: &str) -> bool {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let prefix_ok = prefix.is_none_or(|p| p.len() <= MAX_PREFIX && DNS_SUBDOMAIN_RE.is_match(p));
    prefix_ok && is_valid_name(name)
}

/// Reads `metadata`, pushing one problem per invalid field; invalid values are left out.
pub(super) fn read(m: &Map<String, Value>, problems: &mut Vec<String>) -> Metadata {
    let mut out = Metadata {
        namespace: SharedStr::interned("default"),
        ..Metadata::default()
    };
    match m.get("name") {
        None | Some(Value::Null) => problems.push("metadata.name is required".into()),
        Some(Value::String(name)) => {
            if !is_valid_name(name) {
                problems.push(format!(
                    "metadata.name \"{name}\" is not valid: expected 1-63 characters of \
                     [a-zA-Z0-9] separated by [-_.]"
                ));
            }
            out.name = name.as_str().into();
        }
        Some(other) => problems.push(format!(
            "metadata.name: expected a string, found {}",
            type_name(other)
        )),
    }
    match m.get("namespace") {
        None | Some(Value::Null) => {}
        Some(Value::String(ns)) => {
            if is_valid_namespace(ns) {
                out.namespace = SharedStr::interned(ns);
            } else {
                problems.push(format!(
                    "metadata.namespace \"{ns}\" is not valid: expected a DNS label \
                     (1-63 characters of [a-z0-9] separated by -)"
                ));
            }
        }
        Some(other) => problems.push(format!(
            "metadata.namespace: expected a string, found {}",
            type_name(other)
        )),
    }
    out.title = optional_str(m, "title", "metadata.title", problems).map(Into::into);
    out.description =
        optional_str(m, "description", "metadata.description", problems).map(Into::into);
    out.labels = Metadata::string_map(string_map(m, "labels", problems));
    out.annotations = Metadata::string_map(string_map(m, "annotations", problems));
    out.tags = tags(m, problems).into();
    out.links = links(m, problems).into();
    out
}

fn tags(m: &Map<String, Value>, problems: &mut Vec<String>) -> Vec<SharedStr> {
    let mut out = Vec::new();
    match m.get("tags") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(tag) if is_valid_tag(tag) => out.push(SharedStr::interned(tag)),
                    Value::String(tag) => problems.push(format!(
                        "metadata.tags[{i}] \"{tag}\" is not valid: expected 1-63 characters \
                         of [a-z0-9:+#] separated by -"
                    )),
                    other => problems.push(format!(
                        "metadata.tags[{i}]: expected a string, found {}",
                        type_name(other)
                    )),
                }
            }
        }
        Some(other) => problems.push(format!(
            "metadata.tags: expected a list of strings, found {}",
            type_name(other)
        )),
    }
    out
}

/// A link the entity page may make clickable: `http:`, `https:` or `mailto:` (never
/// `javascript:`, `data:` or `file:`), with no control character or whitespace a browser
/// would drop or read differently.
fn is_safe_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
        && !url.chars().any(|c| c.is_control() || c.is_whitespace())
}

fn links(m: &Map<String, Value>, problems: &mut Vec<String>) -> Vec<Link> {
    let mut out = Vec::new();
    let items = match m.get("links") {
        None | Some(Value::Null) => return out,
        Some(Value::Array(items)) => items,
        Some(other) => {
            problems.push(format!(
                "metadata.links: expected a list, found {}",
                type_name(other)
            ));
            return out;
        }
    };
    for (i, item) in items.iter().enumerate() {
        let path = format!("metadata.links[{i}]");
        let Some(link) = item.as_object() else {
            problems.push(format!(
                "{path}: expected a mapping, found {}",
                type_name(item)
            ));
            continue;
        };
        let url = match link.get("url") {
            Some(Value::String(u)) if !u.trim().is_empty() && !is_safe_link(u) => {
                problems.push(format!(
                    "{path}.url {:?}: only http, https and mailto links are allowed",
                    u.chars().take(80).collect::<String>()
                ));
                None
            }
            Some(Value::String(u)) if !u.trim().is_empty() => Some(u.clone()),
            None | Some(Value::Null) | Some(Value::String(_)) => {
                problems.push(format!("{path}.url is required"));
                None
            }
            Some(other) => {
                problems.push(format!(
                    "{path}.url: expected a string, found {}",
                    type_name(other)
                ));
                None
            }
        };
        let title = optional_str(link, "title", &format!("{path}.title"), problems);
        let icon = optional_str(link, "icon", &format!("{path}.icon"), problems);
        let link_type = optional_str(link, "type", &format!("{path}.type"), problems);
        if let Some(url) = url {
            out.push(Link {
                url,
                title,
                icon,
                link_type,
            });
        }
    }
    out
}

/// `labels` / `annotations`: valid keys, string values.
fn string_map(
    m: &Map<String, Value>,
    key: &str,
    problems: &mut Vec<String>,
) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let entries = match m.get(key) {
        None | Some(Value::Null) => return out,
        Some(Value::Object(entries)) => entries,
        Some(other) => {
            problems.push(format!(
                "metadata.{key}: expected a mapping, found {}",
                type_name(other)
            ));
            return out;
        }
    };
    for (k, v) in entries {
        if !is_valid_key(k) {
            problems.push(format!(
                "metadata.{key} key \"{k}\" is not valid: expected [prefix/]name, prefix a DNS \
                 subdomain, name 1-63 characters of [a-zA-Z0-9] separated by [-_.]"
            ));
            continue;
        }
        match v {
            Value::String(s) => {
                out.insert(k.clone(), s.clone());
            }
            other => problems.push(format!(
                "metadata.{key}.{k}: expected a string, found {}",
                type_name(other)
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["a", "petstore", "My_Service.v2", "a-b-c", &"x".repeat(63)] {
            assert!(is_valid_name(ok), "{ok}");
        }
        for bad in [
            "",
            "invalid component",
            "-a",
            "a-",
            "a--b",
            "a/b",
            &"x".repeat(64),
        ] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn namespaces_tags_keys() {
        assert!(is_valid_namespace("default") && is_valid_namespace("team--x"));
        assert!(!is_valid_namespace("Default") && !is_valid_namespace("a_b"));
        assert!(is_valid_tag("c++") && is_valid_tag("go:1-15") && is_valid_tag("c#"));
        assert!(!is_valid_tag("go 1.15.3") && !is_valid_tag("Java") && !is_valid_tag(""));
        assert!(is_valid_key("backstage.io/techdocs-ref") && is_valid_key("goVersion"));
        assert!(!is_valid_key("Backstage.io/x") && !is_valid_key("a/b/c") && !is_valid_key("/x"));
    }
}

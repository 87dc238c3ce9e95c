//! Entity refs as written in descriptors: `[kind:][namespace/]name`, compared
//! case-insensitively, with defaults taken from the field and the referencing entity
//! (Backstage's `parseEntityRef`).

use std::str::FromStr;

use super::model::EntityRef;

/// Why a ref string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefError {
    #[error("entity ref is empty")]
    Empty,
    /// The field has no default kind (e.g. `dependsOn`), so the ref must say it.
    #[error("\"{0}\" needs an explicit kind, e.g. \"component:{0}\"")]
    MissingKind(String),
    #[error("\"{0}\" has an empty kind, namespace or name")]
    EmptyPart(String),
}

/// Parses `[kind:][namespace/]name`. `default_kind` fills a missing kind (None = the kind is
/// required); `default_namespace` is normally the referencing entity's namespace.
pub fn parse_ref(
    text: &str,
    default_kind: Option<&str>,
    default_namespace: &str,
) -> Result<EntityRef, RefError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(RefError::Empty);
    }
    // A colon after the first slash belongs to the name (Backstage does the same), so only a
    // colon before any slash separates the kind.
    let slash = text.find('/');
    let (kind, rest) = match text.find(':') {
        Some(colon) if slash.is_none_or(|s| colon < s) => {
            (Some(&text[..colon]), &text[colon + 1..])
        }
        _ => (None, text),
    };
    let (namespace, name) = match rest.find('/') {
        Some(i) => (Some(&rest[..i]), &rest[i + 1..]),
        None => (None, rest),
    };
    let kind = match kind.or(default_kind) {
        Some(kind) => kind,
        None => return Err(RefError::MissingKind(text.to_string())),
    };
    let namespace = namespace.unwrap_or(default_namespace);
    if kind.is_empty() || namespace.is_empty() || name.is_empty() {
        return Err(RefError::EmptyPart(text.to_string()));
    }
    Ok(EntityRef::new(kind, namespace, name))
}

/// A full ref (`kind:namespace/name`, namespace optional and defaulting to `default`).
impl FromStr for EntityRef {
    type Err = RefError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_ref(s, None, "default")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(kind: &str, ns: &str, name: &str) -> EntityRef {
        EntityRef::new(kind, ns, name)
    }

    #[test]
    fn applies_defaults() {
        assert_eq!(
            parse_ref("team-a", Some("Group"), "default"),
            Ok(r("group", "default", "team-a"))
        );
        assert_eq!(
            parse_ref("ops/team-a", Some("group"), "default"),
            Ok(r("group", "ops", "team-a"))
        );
        assert_eq!(
            parse_ref("user:guest", Some("group"), "alternative"),
            Ok(r("user", "alternative", "guest"))
        );
        assert_eq!(
            parse_ref("Group:Default/Team-A", None, "x"),
            Ok(r("group", "default", "team-a"))
        );
    }

    #[test]
    fn is_case_insensitive() {
        assert_eq!(
            parse_ref("API:Petstore", None, "default").unwrap(),
            parse_ref("api:default/petstore", None, "x").unwrap()
        );
    }

    #[test]
    fn colon_after_slash_is_part_of_the_name() {
        assert_eq!(
            parse_ref("default/a:b", Some("component"), "default"),
            Ok(r("component", "default", "a:b"))
        );
    }

    #[test]
    fn a_field_without_default_kind_needs_one() {
        assert_eq!(
            parse_ref("artists-db", None, "default"),
            Err(RefError::MissingKind("artists-db".into()))
        );
        assert!(parse_ref("resource:artists-db", None, "default").is_ok());
    }

    #[test]
    fn rejects_empty_parts() {
        assert_eq!(
            parse_ref("", Some("group"), "default"),
            Err(RefError::Empty)
        );
        assert!(matches!(
            parse_ref("group:", None, "default"),
            Err(RefError::EmptyPart(_))
        ));
        assert!(matches!(
            parse_ref(":x", None, "default"),
            Err(RefError::EmptyPart(_))
        ));
        assert!(matches!(
            parse_ref("group:/x", None, "default"),
            Err(RefError::EmptyPart(_))
        ));
    }

    #[test]
    fn from_str_defaults_namespace() {
        assert_eq!(
            "component:x".parse::<EntityRef>(),
            Ok(r("component", "default", "x"))
        );
        assert!("x".parse::<EntityRef>().is_err());
    }
}

//! `[[catalog.rules]]`: which kinds a source may bring into the catalog, as Backstage's
//! `catalog.rules` allow lists. A kind outside Atrium's built-in list (an adopter's own, such
//! as `AiResource`) enters only when a rule allows it; with no rules at all, the built-in kinds
//! enter and nothing else.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// The kinds Atrium reads, as Backstage spells them.
pub const KINDS: &[&str] = &[
    "Component",
    "API",
    "Resource",
    "System",
    "Domain",
    "Group",
    "User",
    "Location",
    "Template",
];

/// One `[[catalog.rules]]` table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindRule {
    /// Kinds this rule admits, any spelling (`["Component", "API", "AiResource"]`).
    pub allow: Vec<String>,
    /// Names of the `[[catalog.sources]]` the rule applies to; absent = every source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<String>>,
}

/// Every configured rule; empty = the built-in kinds only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CatalogRules {
    rules: Vec<KindRule>,
}

/// The kinds one source may bring in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum AllowedKinds {
    /// No `[[catalog.rules]]`: Atrium's built-in kinds. Backstage's own default is narrower
    /// (Component, API, Location), but Atrium's sources are the operator's configuration and
    /// have always brought Groups and Users (RBAC reads them), so that stays.
    #[default]
    BuiltIn,
    /// Lower-cased kinds named by the rules that apply to the source.
    List(BTreeSet<String>),
}

impl CatalogRules {
    pub fn new(rules: Vec<KindRule>) -> Self {
        Self { rules }
    }

    /// The kinds `source` may bring in: the union of the rules that apply to it.
    pub fn for_source(&self, source: &str) -> AllowedKinds {
        self.for_sources(&[source])
    }

    /// Like [`Self::for_source`] for something known by several names (`catalog validate`
    /// checks a target that may be a configured source's path).
    pub fn for_sources(&self, names: &[&str]) -> AllowedKinds {
        if self.rules.is_empty() {
            return AllowedKinds::BuiltIn;
        }
        let kinds = self
            .rules
            .iter()
            .filter(|r| match &r.sources {
                None => true,
                Some(list) => list.iter().any(|s| names.contains(&s.as_str())),
            })
            .flat_map(|r| r.allow.iter().map(|k| k.trim().to_ascii_lowercase()))
            .collect();
        AllowedKinds::List(kinds)
    }

    /// Problems with the rules themselves, each naming `catalog.rules[i]`.
    pub fn check(&self, source_names: &[&str]) -> Result<(), String> {
        for (i, rule) in self.rules.iter().enumerate() {
            if rule.allow.is_empty() {
                return Err(format!(
                    "catalog.rules[{i}]: `allow` must list at least one kind"
                ));
            }
            if let Some(bad) = rule.allow.iter().find(|k| !is_valid_kind(k.trim())) {
                return Err(format!(
                    "catalog.rules[{i}]: `allow` has {bad:?}, not a kind (letters and digits, starting with a letter)"
                ));
            }
            let unknown = rule
                .sources
                .iter()
                .flatten()
                .find(|s| !source_names.is_empty() && !source_names.contains(&s.as_str()));
            if let Some(name) = unknown {
                return Err(format!(
                    "catalog.rules[{i}]: `sources` names {name:?}, which is not a [[catalog.sources]] name"
                ));
            }
        }
        Ok(())
    }
}

impl AllowedKinds {
    pub fn allows(&self, kind: &str) -> bool {
        match self {
            AllowedKinds::BuiltIn => is_builtin(kind),
            AllowedKinds::List(kinds) => kinds.contains(&kind.to_ascii_lowercase()),
        }
    }

    /// Stored with a source's snapshot: a snapshot read under other rules is read again whole,
    /// since an unchanged file may now be admitted or refused.
    pub fn fingerprint(&self) -> String {
        match self {
            AllowedKinds::BuiltIn => String::new(),
            AllowedKinds::List(kinds) => {
                format!(
                    "allow:{}",
                    kinds.iter().cloned().collect::<Vec<_>>().join(",")
                )
            }
        }
    }
}

/// One of Atrium's built-in kinds (any spelling).
pub fn is_builtin(kind: &str) -> bool {
    KINDS.iter().any(|k| k.eq_ignore_ascii_case(kind))
}

/// Backstage's kind syntax: a letter, then letters and digits, at most 63 characters.
pub fn is_valid_kind(kind: &str) -> bool {
    let mut chars = kind.chars();
    kind.len() <= 63
        && chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(allow: &[&str], sources: Option<&[&str]>) -> KindRule {
        KindRule {
            allow: allow.iter().map(|s| s.to_string()).collect(),
            sources: sources.map(|s| s.iter().map(|s| s.to_string()).collect()),
        }
    }

    #[test]
    fn no_rules_admit_the_built_in_kinds_only() {
        let allowed = CatalogRules::default().for_source("any");
        assert!(allowed.allows("Group") && allowed.allows("api"));
        assert!(!allowed.allows("AiResource"));
    }

    #[test]
    fn rules_apply_globally_or_per_source() {
        let rules = CatalogRules::new(vec![
            rule(&["Component", "API"], None),
            rule(&["AiResource"], Some(&["demo"])),
        ]);
        let demo = rules.for_source("demo");
        assert!(demo.allows("airesource") && demo.allows("Component"));
        let other = rules.for_source("other");
        assert!(!other.allows("AiResource"));
        // Explicit rules replace the built-in list, as in Backstage.
        assert!(!other.allows("Group"));
        assert_ne!(demo.fingerprint(), other.fingerprint());
    }

    #[test]
    fn bad_rules_are_named() {
        let rules = CatalogRules::new(vec![rule(&["Component"], None), rule(&["Ai Thing"], None)]);
        assert!(rules
            .check(&[])
            .unwrap_err()
            .starts_with("catalog.rules[1]"));
        let rules = CatalogRules::new(vec![rule(&["X"], Some(&["nope"]))]);
        assert!(rules.check(&["demo"]).unwrap_err().contains("\"nope\""));
        assert!(CatalogRules::new(vec![rule(&[], None)]).check(&[]).is_err());
    }
}

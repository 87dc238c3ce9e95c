//! RBAC in Argo CD's `policy.csv` syntax: parsing, and the one decision every server function
//! and route asks for.
//!
//! ```text
//! # team A runs its apps outside production
//! p, role:team-a, applications, *,    dev/*,  allow
//! p, role:team-a, deploys,      deploy, staging/billing, allow
//! p, role:team-a, applications, sync, prod/*, deny
//! g, team-a,      role:team-a        # a group is a member of a role
//! g, role:team-a, role:readonly      # roles inherit roles
//! ```
//!
//! Subjects are user ids, group names or roles; `g` lines make users and groups members of
//! roles, transitively. Resource, action and object are [`glob`]s. Deny wins over allow; no
//! matching rule means deny. A default role (e.g. `role:readonly`) is given to every
//! authenticated subject.

pub mod glob;
pub mod holder;

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::fmt;

use glob::Glob;
pub use holder::{PolicyHolder, PolicyLoadError, ReloadOutcome};

/// The resources a policy line can name.
pub const RESOURCES: &[&str] = &[
    "catalog",
    "applications",
    "deploys",
    "approvals",
    "audit",
    "settings",
];

/// The actions a policy line can name. A typo in a `deny` line would silently widen access, so
/// unknown names are errors; extend this list when a new action appears.
pub const ACTIONS: &[&str] = &[
    "get", "create", "update", "delete", "sync", "deploy", "rollback", "promote", "approve",
    "reject", "export", "reload",
];

/// A malformed line; `line` is 1-based.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct PolicyError {
    pub line: usize,
    pub message: String,
}

/// The caller, as far as the policy cares: their user id and every group they belong to
/// (OIDC claim ∪ catalog membership, resolved by the caller).
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub user: &'a str,
    pub groups: &'a [String],
}

/// The answer, with the reason a person (or the audit log) can read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// Which line allowed or denied, or "no matching rule".
    pub reason: String,
    /// The deciding line, if any.
    pub line: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

#[derive(Clone, Debug)]
struct Rule {
    line: usize,
    text: String,
    subject: String,
    resource: Glob,
    action: Glob,
    object: Glob,
    effect: Effect,
}

/// A parsed, valid policy. Immutable; [`PolicyHolder`] swaps whole policies on reload.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    rules: Vec<Rule>,
    /// member (user, group or role) -> roles it is given by `g` lines.
    grants: HashMap<String, Vec<String>>,
    default_role: Option<String>,
}

impl Policy {
    /// Parse `policy.csv` text. Every malformed line is reported, not just the first, so an
    /// operator fixes the file in one pass; nothing partial is returned.
    pub fn parse(text: &str, default_role: Option<&str>) -> Result<Policy, Vec<PolicyError>> {
        let mut policy = Policy {
            default_role: default_role
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_string),
            ..Policy::default()
        };
        let mut errors = Vec::new();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            // `#` starts a comment, on its own line or after a rule.
            let trimmed = raw.split('#').next().unwrap_or_default().trim();
            if trimmed.is_empty() {
                continue;
            }
            match parse_line(line, trimmed) {
                Ok(Line::Rule(rule)) => policy.rules.push(rule),
                Ok(Line::Grant { member, role }) => {
                    policy.grants.entry(member).or_default().push(role)
                }
                Err(message) => errors.push(PolicyError { line, message }),
            }
        }
        if errors.is_empty() {
            Ok(policy)
        } else {
            Err(errors)
        }
    }

    /// Number of `p` lines.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    pub fn default_role(&self) -> Option<&str> {
        self.default_role.as_deref()
    }

    /// Every subject name the caller acts as: the user, their groups, the default role, and
    /// every role reachable from those through `g` lines (cycle-safe). Sorted, for display.
    pub fn roles_of(&self, subject: &Subject<'_>) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<&str> = VecDeque::new();
        queue.push_back(subject.user);
        queue.extend(subject.groups.iter().map(String::as_str));
        queue.extend(self.default_role.as_deref());
        while let Some(name) = queue.pop_front() {
            if !seen.insert(name.to_string()) {
                continue;
            }
            if let Some(roles) = self.grants.get(name) {
                queue.extend(roles.iter().map(String::as_str));
            }
        }
        seen
    }

    /// May `subject` perform `action` on `resource` `object` (`<environment>/<app>`)? Only for
    /// authenticated callers: anonymous requests are refused before they get here.
    pub fn decide(
        &self,
        subject: &Subject<'_>,
        resource: &str,
        action: &str,
        object: &str,
    ) -> Decision {
        let names = self.roles_of(subject);
        let mut allowed_by: Option<&Rule> = None;
        for rule in &self.rules {
            if !names.contains(&rule.subject)
                || !rule.resource.matches(resource)
                || !rule.action.matches(action)
                || !rule.object.matches(object)
            {
                continue;
            }
            match rule.effect {
                // Deny wins: no need to look further.
                Effect::Deny => return rule.decision(false),
                Effect::Allow => {
                    allowed_by.get_or_insert(rule);
                }
            }
        }
        match allowed_by {
            Some(rule) => rule.decision(true),
            None => Decision {
                allowed: false,
                reason: "no matching rule".into(),
                line: None,
            },
        }
    }
}

impl Rule {
    fn decision(&self, allowed: bool) -> Decision {
        let verb = if allowed { "allowed" } else { "denied" };
        Decision {
            allowed,
            reason: format!("{verb} by policy line {} ({})", self.line, self.text),
            line: Some(self.line),
        }
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

enum Line {
    Rule(Rule),
    Grant { member: String, role: String },
}

fn parse_line(line: usize, text: &str) -> Result<Line, String> {
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    let expected = match fields[0] {
        "p" => 6,
        "g" => 3,
        other => {
            return Err(format!(
                "unknown line type `{other}`: expected `p` (permission) or `g` (role membership)"
            ))
        }
    };
    if fields.len() != expected {
        let shape = if expected == 6 {
            "p, <subject>, <resource>, <action>, <object>, allow|deny"
        } else {
            "g, <user-or-group>, <role>"
        };
        return Err(format!(
            "expected {expected} fields (`{shape}`), found {}",
            fields.len()
        ));
    }
    const NAMES: [&str; 6] = ["type", "subject", "resource", "action", "object", "effect"];
    const GRANT_NAMES: [&str; 3] = ["type", "user-or-group", "role"];
    for (i, field) in fields.iter().enumerate() {
        if field.is_empty() {
            let name = if expected == 6 {
                NAMES[i]
            } else {
                GRANT_NAMES[i]
            };
            return Err(format!("field {} ({name}) is empty", i + 1));
        }
    }
    if expected == 3 {
        return Ok(Line::Grant {
            member: fields[1].to_string(),
            role: fields[2].to_string(),
        });
    }
    let effect = match fields[5] {
        "allow" => Effect::Allow,
        "deny" => Effect::Deny,
        other => {
            return Err(format!(
                "unknown effect `{other}`: expected `allow` or `deny`"
            ))
        }
    };
    let resource = known_glob("resource", fields[2], RESOURCES)?;
    let action = known_glob("action", fields[3], ACTIONS)?;
    Ok(Line::Rule(Rule {
        line,
        text: fields.join(", "),
        subject: fields[1].to_string(),
        resource,
        action,
        object: Glob::new(fields[4]),
        effect,
    }))
}

/// A resource or action pattern must name (or, with wildcards, match) at least one known name:
/// a misspelt `deny` must not pass silently.
fn known_glob(what: &str, pattern: &str, known: &[&str]) -> Result<Glob, String> {
    let glob = Glob::new(pattern);
    if known.iter().any(|k| glob.matches(k)) {
        Ok(glob)
    } else {
        Err(format!(
            "unknown {what} `{pattern}`: expected one of {}",
            known.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests;

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
//! Subjects name one kind of thing each, so names from different sources never meet:
//!
//! | written          | matches                                                       |
//! |------------------|---------------------------------------------------------------|
//! | `role:<name>`    | a role (granted by `g` lines and the default role)            |
//! | `user:<id>`      | the signed-in user's id                                       |
//! | `group:<name>`   | a group from the identity provider's groups claim             |
//! | `catalog:<name>` | a catalog Group the user belongs to (`ns/name` outside `default`) |
//! | `<name>`         | the user *or* identity-provider group of that name (Argo CD's meaning) |
//!
//! A catalog Group named `jonas.becker` or `atrium-admins` is therefore never the user or the
//! IdP group of that name, and catalog groups get only what lines naming `catalog:…` give them.
//! Catalog data never grants admin rights: a policy that would let a `catalog:` subject reach a
//! rule allowing the `settings` resource is refused at load, naming the line.
//!
//! `g` lines make members of roles, transitively. Resource, action and object are [`glob`]s.
//! Deny wins over allow; no matching rule means deny. A default role (e.g. `role:readonly`) is
//! given to every authenticated subject.

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
    "reject", "export", "reload", "refresh",
];

/// A malformed line; `line` is 1-based.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct PolicyError {
    pub line: usize,
    pub message: String,
}

/// The caller, as far as the policy cares: their user id, their identity-provider groups and
/// their catalog groups, kept apart (see the module docs).
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub user: &'a str,
    /// From the identity provider's groups claim: `group:<name>` in the policy.
    pub groups: &'a [String],
    /// From catalog membership (with parent groups): `catalog:<name>` in the policy.
    pub catalog: &'a [String],
}

/// The resource only administrators reach; catalog data must never lead to it.
const ADMIN_RESOURCE: &str = "settings";

/// The policy names a subject written in a line stands for: a prefixed name is itself, a bare
/// name is the user or the identity-provider group of that name.
fn canonical(name: &str) -> Result<Vec<String>, String> {
    for prefix in ["role:", "user:", "group:", "catalog:"] {
        if let Some(rest) = name.strip_prefix(prefix) {
            if rest.trim().is_empty() {
                return Err(format!("`{name}` names no {}", &prefix[..prefix.len() - 1]));
            }
            return Ok(vec![name.to_string()]);
        }
    }
    Ok(vec![format!("user:{name}"), format!("group:{name}")])
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
    /// Canonical names ([`canonical`]) the subject field stands for.
    subject: Vec<String>,
    resource: Glob,
    action: Glob,
    object: Glob,
    effect: Effect,
}

/// A parsed, valid policy. Immutable; [`PolicyHolder`] swaps whole policies on reload.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    rules: Vec<Rule>,
    /// canonical member -> canonical names it is given by `g` lines.
    grants: HashMap<String, Vec<String>>,
    /// canonical member -> the first `g` line naming it, for error messages.
    grant_lines: HashMap<String, usize>,
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
                Ok(Line::Grant { members, roles }) => {
                    for member in members {
                        policy.grant_lines.entry(member.clone()).or_insert(line);
                        policy
                            .grants
                            .entry(member)
                            .or_default()
                            .extend(roles.iter().cloned());
                    }
                }
                Err(message) => errors.push(PolicyError { line, message }),
            }
        }
        if errors.is_empty() {
            errors.extend(policy.catalog_admin_paths());
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

    /// Every canonical name the caller acts as: `user:<id>`, `group:<g>` per IdP group,
    /// `catalog:<g>` per catalog group, the default role, and every name reachable from those
    /// through `g` lines (cycle-safe). Sorted, for display.
    pub fn roles_of(&self, subject: &Subject<'_>) -> BTreeSet<String> {
        let mut seeds = vec![format!("user:{}", subject.user)];
        seeds.extend(subject.groups.iter().map(|g| format!("group:{g}")));
        seeds.extend(subject.catalog.iter().map(|g| format!("catalog:{g}")));
        if let Some(role) = &self.default_role {
            seeds.extend(canonical(role).unwrap_or_default());
        }
        self.closure(seeds)
    }

    fn closure(&self, seeds: Vec<String>) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut queue: VecDeque<String> = seeds.into();
        while let Some(name) = queue.pop_front() {
            if seen.contains(&name) {
                continue;
            }
            if let Some(roles) = self.grants.get(&name) {
                queue.extend(roles.iter().filter(|r| !seen.contains(*r)).cloned());
            }
            seen.insert(name);
        }
        seen
    }

    /// One error per `catalog:` subject that would reach a rule allowing the admin resource:
    /// whoever can write a catalog source must not be able to make themselves an admin. Walks
    /// the `g` edges backwards from the admin rules' subjects once, so a hostile policy of
    /// long chains costs linear time.
    fn catalog_admin_paths(&self) -> Vec<PolicyError> {
        let mut members_of: HashMap<&str, Vec<&str>> = HashMap::new();
        for (member, roles) in &self.grants {
            for role in roles {
                members_of.entry(role).or_default().push(member);
            }
        }
        // name -> the admin rule's line it reaches.
        let mut reaches: HashMap<&str, usize> = HashMap::new();
        let mut queue: VecDeque<(&str, usize)> = VecDeque::new();
        for rule in &self.rules {
            if rule.effect == Effect::Allow && rule.resource.matches(ADMIN_RESOURCE) {
                queue.extend(rule.subject.iter().map(|s| (s.as_str(), rule.line)));
            }
        }
        while let Some((name, line)) = queue.pop_front() {
            if reaches.contains_key(name) {
                continue;
            }
            reaches.insert(name, line);
            for member in members_of.get(name).into_iter().flatten() {
                if !reaches.contains_key(member) {
                    queue.push_back((member, line));
                }
            }
        }
        let mut first_rule: HashMap<&str, usize> = HashMap::new();
        for rule in &self.rules {
            for subject in &rule.subject {
                first_rule.entry(subject).or_insert(rule.line);
            }
        }
        let mut errors: Vec<PolicyError> = reaches
            .iter()
            .filter(|(name, _)| name.starts_with("catalog:"))
            .map(|(name, admin)| {
                let line = self
                    .grant_lines
                    .get(*name)
                    .or_else(|| first_rule.get(*name))
                    .copied()
                    .unwrap_or(*admin);
                PolicyError {
                    line,
                    message: format!(
                        "`{name}` would get admin rights (line {admin} allows \
                         `{ADMIN_RESOURCE}`): catalog data never grants admin; give them to a \
                         `user:` or an identity-provider `group:` instead"
                    ),
                }
            })
            .collect();
        errors.sort_by(|a, b| (a.line, &a.message).cmp(&(b.line, &b.message)));
        errors
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
            if !rule.subject.iter().any(|s| names.contains(s))
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
    Grant {
        members: Vec<String>,
        roles: Vec<String>,
    },
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
            members: canonical(fields[1])?,
            roles: canonical(fields[2])?,
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
        subject: canonical(fields[1])?,
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

//! The demo catalog's tables as Backstage descriptor YAML, one function per file kind.

use std::fmt::Write as _;

use super::apis::APIS;
use super::components::{Component, COMPONENTS, RESOURCES};
use super::org::{DOMAINS, GITHUB_ORG, MAIL_DOMAIN, ORG, SYSTEMS, TEAMS};
use super::{definitions, system_owner};

pub(super) fn root_yaml(targets: &[String]) -> String {
    let mut y = head(
        "Location",
        "brightcart-catalog",
        Some("Brightcart catalog"),
        "Every entity of the Brightcart catalog, by team.",
    );
    y += "spec:\n  targets:\n";
    for t in targets {
        let _ = writeln!(y, "    - {t}");
    }
    y
}

pub(super) fn groups_yaml() -> String {
    let mut docs = Vec::new();
    let mut org = head(
        "Group",
        ORG,
        Some("Brightcart"),
        "Brightcart, an online retailer of outdoor gear (fictional).",
    );
    org += "spec:\n  type: organization\n  profile:\n";
    let _ = writeln!(
        org,
        "    displayName: Brightcart\n    email: engineering@{MAIL_DOMAIN}"
    );
    org += "  children:\n";
    for team in TEAMS {
        let _ = writeln!(org, "    - team-{}", team.short);
    }
    docs.push(org);
    for team in TEAMS {
        let mut g = head(
            "Group",
            &format!("team-{}", team.short),
            Some(&format!("Team {}", team.display)),
            team.description,
        );
        let _ = write!(
            g,
            "spec:\n  type: team\n  profile:\n    displayName: {}\n    email: team-{}@{MAIL_DOMAIN}\n  parent: {ORG}\n  children: []\n",
            quote(team.display),
            team.short
        );
        docs.push(g);
    }
    docs.join("---\n")
}

pub(super) fn users_yaml() -> String {
    let mut docs = Vec::new();
    for team in TEAMS {
        for (name, display) in team.members {
            let mut u = format!(
                "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: {name}\n"
            );
            let _ = write!(
                u,
                "spec:\n  profile:\n    displayName: {}\n    email: {name}@{MAIL_DOMAIN}\n  memberOf:\n    - team-{}\n",
                quote(display),
                team.short
            );
            docs.push(u);
        }
    }
    docs.join("---\n")
}

pub(super) fn domains_yaml() -> String {
    DOMAINS
        .iter()
        .map(|(name, title, owner, description)| {
            head("Domain", name, Some(title), description)
                + &format!("spec:\n  owner: team-{owner}\n")
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

pub(super) fn systems_yaml() -> String {
    SYSTEMS
        .iter()
        .map(|(name, title, domain, owner, description)| {
            head("System", name, Some(title), description)
                + &format!("spec:\n  owner: team-{owner}\n  domain: {domain}\n")
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

pub(super) fn components_yaml(team: &str) -> String {
    COMPONENTS
        .iter()
        .filter(|c| system_owner(c.system) == team)
        .map(component_yaml)
        .collect::<Vec<_>>()
        .join("---\n")
}

fn component_yaml(c: &Component) -> String {
    let mut y = head("Component", c.name, Some(c.title), c.description);
    tags(&mut y, c.tags);
    y += "  annotations:\n";
    let _ = writeln!(y, "    github.com/project-slug: {GITHUB_ORG}/{}", c.name);
    y += "    backstage.io/techdocs-ref: dir:.\n";
    if c.deployable() {
        // How the portal finds the component's Argo CD application (the Argo CD plugins'
        // annotation); the demo environment repos use these names.
        let _ = writeln!(y, "    argocd/app-name: {}", c.name);
    }
    y += "  links:\n";
    let _ = writeln!(
        y,
        "    - url: https://github.com/{GITHUB_ORG}/{}\n      title: Repository\n      icon: github",
        c.name
    );
    if c.deployable() {
        let _ = writeln!(
            y,
            "    - url: https://grafana.{MAIL_DOMAIN}/d/{0}\n      title: Dashboard\n      icon: dashboard\n    - url: https://runbooks.{MAIL_DOMAIN}/{0}\n      title: Runbook\n      icon: docs",
            c.name
        );
    }
    let _ = write!(
        y,
        "spec:\n  type: {}\n  lifecycle: {}\n  owner: team-{}\n  system: {}\n",
        c.ty,
        c.lifecycle,
        system_owner(c.system),
        c.system
    );
    list(&mut y, "providesApis", c.provides);
    list(&mut y, "consumesApis", c.consumes);
    list(&mut y, "dependsOn", c.depends);
    y
}

pub(super) fn apis_yaml(team: &str) -> String {
    APIS.iter()
        .filter(|a| system_owner(a.4) == team)
        .map(|&(name, title, ty, lifecycle, system, description, tag_list)| {
            let mut y = head("API", name, Some(title), description);
            tags(&mut y, tag_list);
            let _ = write!(
                y,
                "spec:\n  type: {ty}\n  lifecycle: {lifecycle}\n  owner: team-{}\n  system: {system}\n  definition: |\n",
                system_owner(system)
            );
            for line in definitions::definition(name).lines() {
                if line.is_empty() {
                    y.push('\n');
                } else {
                    let _ = writeln!(y, "    {line}");
                }
            }
            y
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

pub(super) fn resources_yaml(team: &str) -> String {
    RESOURCES
        .iter()
        .filter(|r| system_owner(r.2) == team)
        .map(|&(name, ty, system, description, tag_list)| {
            let mut y = head("Resource", name, None, description);
            tags(&mut y, tag_list);
            let _ = write!(
                y,
                "spec:\n  type: {ty}\n  owner: team-{}\n  system: {system}\n",
                system_owner(system)
            );
            y
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

/// `apiVersion`, `kind` and the start of `metadata` (name, title, description).
fn head(kind: &str, name: &str, title: Option<&str>, description: &str) -> String {
    let mut y =
        format!("apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\n");
    if let Some(title) = title {
        let _ = writeln!(y, "  title: {}", quote(title));
    }
    let _ = writeln!(y, "  description: {}", quote(description));
    y
}

fn tags(y: &mut String, tags: &[&str]) {
    if !tags.is_empty() {
        *y += "  tags:\n";
        for t in tags {
            let _ = writeln!(y, "    - {t}");
        }
    }
}

fn list(y: &mut String, key: &str, items: &[&str]) {
    if !items.is_empty() {
        let _ = writeln!(y, "  {key}:");
        for item in items {
            let _ = writeln!(y, "    - {item}");
        }
    }
}

/// A YAML double-quoted scalar (JSON string syntax is valid YAML): titles and descriptions
/// contain colons, quotes and accents.
pub(super) fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

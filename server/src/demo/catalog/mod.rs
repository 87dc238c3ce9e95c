//! The demo catalog: Brightcart, a fictional online retailer of outdoor gear, as a Backstage
//! catalog repository — an organisation with four teams and their people, three domains, eight
//! systems, forty components, fourteen APIs (with real OpenAPI/gRPC/AsyncAPI definitions) and
//! nine resources, wired with owner/system/API/dependency relations that make sense together.
//!
//! The catalog is data tables turned into YAML here rather than YAML files checked in, so that
//! names used in relations are checked by the tests below against the entities that exist, and
//! so that everything is deterministic. The files are grouped the way a company would keep them:
//! `org/`, `architecture/`, and one folder per team, all listed by the root `catalog-info.yaml`.

mod apis;
mod components;
mod definitions;
mod org;
mod yaml;

use components::COMPONENTS;
use org::{SYSTEMS, TEAMS};
use yaml::{
    apis_yaml, components_yaml, domains_yaml, groups_yaml, resources_yaml, root_yaml, systems_yaml,
    users_yaml,
};

/// A custom kind, as Backstage's own demo catalog declares: admitted by [`demo_rules`].
const AI_YAML: &str = "apiVersion: backstage.io/v1alpha1
kind: AiResource
metadata:
  name: fraud-scoring-model
  title: Fraud scoring model
  description: Scores each payment for fraud before the gateway charges it.
  tags: [ml]
spec:
  type: model
  lifecycle: experimental
  owner: team-payments
  system: checkout
  dependencyOf: [component:payment-gateway]
";

/// The demo's `[[catalog.rules]]`: the built-in kinds and `AiResource`.
pub fn demo_rules() -> crate::catalog::rules::CatalogRules {
    let mut allow: Vec<String> = crate::catalog::rules::KINDS
        .iter()
        .map(|k| k.to_string())
        .collect();
    allow.push("AiResource".into());
    crate::catalog::rules::CatalogRules::new(vec![crate::catalog::rules::KindRule {
        allow,
        sources: None,
    }])
}

/// `(relative path, YAML)` of every file of the demo catalog repository, root
/// `catalog-info.yaml` first.
pub fn demo_catalog_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = vec![
        ("org/groups.yaml".into(), groups_yaml()),
        ("org/users.yaml".into(), users_yaml()),
        ("architecture/domains.yaml".into(), domains_yaml()),
        ("architecture/systems.yaml".into(), systems_yaml()),
        ("architecture/ai.yaml".into(), AI_YAML.into()),
    ];
    for team in TEAMS {
        let dir = format!("teams/{}", team.short);
        for (file, yaml) in [
            ("components.yaml", components_yaml(team.short)),
            ("apis.yaml", apis_yaml(team.short)),
            ("resources.yaml", resources_yaml(team.short)),
        ] {
            if !yaml.is_empty() {
                files.push((format!("{dir}/{file}"), yaml));
            }
        }
    }
    let targets: Vec<String> = files.iter().map(|(path, _)| format!("./{path}")).collect();
    files.insert(0, ("catalog-info.yaml".into(), root_yaml(&targets)));
    files
}

/// Argo CD application names of the deployable demo components (services and websites), as
/// their `argocd/app-name` annotations say, with the owning team's group name.
pub fn demo_app_names() -> Vec<(&'static str, String)> {
    COMPONENTS
        .iter()
        .filter(|c| c.deployable())
        .map(|c| (c.name, format!("team-{}", system_owner(c.system))))
        .collect()
}

/// Owner team (short name) of a system: components, APIs and resources are owned by the team
/// owning their system, as in most real catalogs.
fn system_owner(system: &str) -> &'static str {
    SYSTEMS
        .iter()
        .find(|s| s.0 == system)
        .map(|s| s.3)
        .unwrap_or_else(|| panic!("demo catalog: unknown system {system}"))
}

#[cfg(test)]
mod tests;

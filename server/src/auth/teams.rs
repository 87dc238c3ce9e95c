//! Teams from the catalog: which groups a person belongs to (User `memberOf`, Group `members`,
//! transitively through `parent`/`children`), and which team owns each app (the Component
//! whose `argocd/app-name` annotation names it, else the Component of the same name; see
//! [`AppLink`]).
//!
//! Identity-provider groups and catalog groups stay apart ([`Membership`]): the policy sees
//! them as `group:` and `catalog:` names. An app claimed by Components of two different teams
//! has no owner until one claim goes: the conflict is reported, never resolved by guessing.
//!
//! Built from the catalog's relations, which already hold both directions of every edge, and
//! rebuilt only when the catalog's generation changes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use crate::catalog::model::{EntityRef, Located};
use crate::catalog::refs::parse_ref;
use crate::catalog::service::Catalog;
use crate::gitops::app_link::AppLink;

/// Group display name for policies and the UI: `team-a`, or `ns/team-a` outside `default`.
fn group_name(group: &EntityRef) -> String {
    if group.namespace == "default" {
        group.name.clone()
    } else {
        format!("{}/{}", group.namespace, group.name)
    }
}

/// A person's groups by where they come from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Membership {
    /// From the identity provider's groups claim, as given.
    pub idp: Vec<String>,
    /// Catalog groups: direct membership found by user name or verified e-mail, and every
    /// catalog ancestor of those and of the identity-provider groups.
    pub catalog: Vec<String>,
}

impl Membership {
    /// Every team name, for display and the owner convention.
    pub fn all(&self) -> Vec<String> {
        let all: BTreeSet<&String> = self.idp.iter().chain(&self.catalog).collect();
        all.into_iter().cloned().collect()
    }
}

/// Who claims an app: owner group -> the Components (refs) claiming it for that group.
pub type Claims = BTreeMap<String, BTreeSet<String>>;

#[derive(Debug, Default)]
pub struct TeamIndex {
    /// User name and profile e-mail (lower case) -> the groups they are directly in.
    direct: HashMap<String, BTreeSet<String>>,
    /// Group name -> its parent groups.
    parents: HashMap<String, BTreeSet<String>>,
    /// App name -> the teams claiming it, and through which Components.
    app_claims: HashMap<String, Claims>,
}

impl TeamIndex {
    pub fn build<'a>(entities: impl Iterator<Item = &'a Located>) -> Self {
        let mut index = TeamIndex::default();
        for located in entities {
            let entity = &located.entity;
            let me = entity.entity_ref();
            match me.kind.as_str() {
                "user" => {
                    let groups: BTreeSet<String> = entity
                        .relations
                        .iter()
                        .filter(|r| r.relation_type == "memberOf" && r.target.kind == "group")
                        .map(|r| group_name(&r.target))
                        .collect();
                    let mut keys = vec![me.name.clone()];
                    if me.namespace != "default" {
                        keys.push(format!("{}/{}", me.namespace, me.name));
                    }
                    if let Some(email) = entity
                        .spec
                        .pointer("/profile/email")
                        .and_then(|v| v.as_str())
                    {
                        keys.push(email.to_ascii_lowercase());
                    }
                    for key in keys {
                        index.direct.entry(key).or_default().extend(groups.clone());
                    }
                }
                "group" => {
                    let parents = entity
                        .relations
                        .iter()
                        .filter(|r| r.relation_type == "childOf" && r.target.kind == "group")
                        .map(|r| group_name(&r.target))
                        .collect();
                    index.parents.insert(group_name(&me), parents);
                }
                "component" => {
                    let Some(owner) = entity.spec_str("owner") else {
                        continue;
                    };
                    let Ok(owner) = parse_ref(owner, Some("group"), &me.namespace) else {
                        continue;
                    };
                    if owner.kind != "group" {
                        continue;
                    }
                    // A selector needs the apps' labels, which the catalog does not know:
                    // such components own apps only through policy lines.
                    let link = AppLink::of_component(&me.name, |key| {
                        entity.metadata.annotations.get(key).cloned()
                    });
                    let apps = match &link {
                        Ok(link) => link.names().unwrap_or_default().to_vec(),
                        Err(_) => Vec::new(),
                    };
                    for app in apps {
                        index
                            .app_claims
                            .entry(app)
                            .or_default()
                            .entry(group_name(&owner))
                            .or_default()
                            .insert(me.to_string());
                    }
                }
                _ => {}
            }
        }
        for (app, claims) in &index.app_claims {
            if claims.len() > 1 {
                tracing::warn!(app = %app, claims = ?claims, "app claimed by more than one team in the catalog: no team owns it until one claim is removed");
            }
        }
        index
    }

    /// A person's groups: `idp_groups` as given, and catalog membership found by user name or
    /// e-mail (pass only a verified one), each with all its catalog ancestors (cycle-safe).
    pub fn teams_of(&self, user: &str, email: Option<&str>, idp_groups: &[String]) -> Membership {
        let idp: BTreeSet<String> = idp_groups.iter().cloned().collect();
        let mut catalog: BTreeSet<String> = BTreeSet::new();
        for key in [
            Some(user.to_ascii_lowercase()),
            email.map(str::to_ascii_lowercase),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(groups) = self.direct.get(&key) {
                catalog.extend(groups.iter().cloned());
            }
        }
        let mut queue: Vec<String> = catalog.iter().chain(&idp).cloned().collect();
        while let Some(group) = queue.pop() {
            for parent in self.parents.get(&group).into_iter().flatten() {
                if catalog.insert(parent.clone()) {
                    queue.push(parent.clone());
                }
            }
        }
        Membership {
            idp: idp.into_iter().collect(),
            catalog: catalog.into_iter().collect(),
        }
    }

    /// Every team claiming `app`, with the Components that claim it (usually one team).
    pub fn claims_on(&self, app: &str) -> Option<&Claims> {
        self.app_claims.get(app)
    }

    /// The team owning `app`: the one team claiming it. None when nobody does, or when several
    /// do (see [`TeamIndex::conflict`]).
    pub fn owner_of(&self, app: &str) -> Option<&str> {
        match self.app_claims.get(app) {
            Some(claims) if claims.len() == 1 => claims.keys().next().map(String::as_str),
            _ => None,
        }
    }

    /// Why `app` has no owner although it is claimed: every team and Component claiming it.
    pub fn conflict(&self, app: &str) -> Option<String> {
        let claims = self.app_claims.get(app).filter(|c| c.len() > 1)?;
        let who: Vec<String> = claims
            .iter()
            .map(|(team, components)| {
                let components: Vec<&str> = components.iter().map(String::as_str).collect();
                format!("{team} ({})", components.join(", "))
            })
            .collect();
        Some(format!(
            "app {app} is claimed by more than one team: {}; no team owns it until one claim is removed",
            who.join(" and ")
        ))
    }

    /// The conflicts Component `component` (an entity ref) is part of, one message per app.
    pub fn conflicts_of(&self, component: &str) -> Vec<String> {
        let mut apps: Vec<&String> = self
            .app_claims
            .iter()
            .filter(|(_, c)| c.len() > 1 && c.values().any(|refs| refs.contains(component)))
            .map(|(app, _)| app)
            .collect();
        apps.sort();
        apps.into_iter()
            .filter_map(|app| self.conflict(app))
            .collect()
    }

    /// Every app claimed by more than one team, with [`TeamIndex::conflict`]'s message.
    pub fn conflicts(&self) -> Vec<(String, String)> {
        let mut apps: Vec<&String> = self
            .app_claims
            .iter()
            .filter(|(_, c)| c.len() > 1)
            .map(|(app, _)| app)
            .collect();
        apps.sort();
        apps.into_iter()
            .filter_map(|app| Some((app.clone(), self.conflict(app)?)))
            .collect()
    }
}

/// The index for the catalog's current generation.
pub struct Teams {
    catalog: Arc<Catalog>,
    cached: Mutex<(u64, Arc<TeamIndex>)>,
}

impl Teams {
    pub fn new(catalog: Arc<Catalog>) -> Self {
        Self {
            catalog,
            cached: Mutex::new((u64::MAX, Arc::new(TeamIndex::default()))),
        }
    }

    pub fn index(&self) -> Arc<TeamIndex> {
        let generation = self.catalog.generation();
        let mut cached = self.cached.lock().unwrap_or_else(|e| e.into_inner());
        if cached.0 != generation {
            let state = self.catalog.state();
            *cached = (
                generation,
                Arc::new(TeamIndex::build(state.assembled.entities.values())),
            );
        }
        cached.1.clone()
    }
}

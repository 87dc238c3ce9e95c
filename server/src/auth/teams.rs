//! Teams from the catalog: which groups a person belongs to (User `memberOf`, Group `members`,
//! transitively through `parent`/`children`), and which team owns each app (the Component
//! whose `argocd/app-name` annotation names it, else the Component of the same name; see
//! [`AppLink`]).
//!
//! Built from the catalog's relations, which already hold both directions of every edge, and
//! rebuilt only when the catalog's generation changes.

use std::collections::{BTreeSet, HashMap};
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

#[derive(Debug, Default)]
pub struct TeamIndex {
    /// User name and profile e-mail (lower case) -> the groups they are directly in.
    direct: HashMap<String, BTreeSet<String>>,
    /// Group name -> its parent groups.
    parents: HashMap<String, BTreeSet<String>>,
    /// App name -> owning group names.
    app_owners: HashMap<String, BTreeSet<String>>,
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
                            .app_owners
                            .entry(app)
                            .or_default()
                            .insert(group_name(&owner));
                    }
                }
                _ => {}
            }
        }
        index
    }

    /// Every team of a person: the given groups (from the identity provider) plus catalog
    /// membership found by user name or e-mail, each with all its ancestors (cycle-safe).
    pub fn teams_of(&self, user: &str, email: Option<&str>, idp_groups: &[String]) -> Vec<String> {
        let mut teams: BTreeSet<String> = idp_groups.iter().cloned().collect();
        for key in [
            Some(user.to_ascii_lowercase()),
            email.map(str::to_ascii_lowercase),
        ]
        .into_iter()
        .flatten()
        {
            if let Some(groups) = self.direct.get(&key) {
                teams.extend(groups.iter().cloned());
            }
        }
        let mut queue: Vec<String> = teams.iter().cloned().collect();
        while let Some(group) = queue.pop() {
            for parent in self.parents.get(&group).into_iter().flatten() {
                if teams.insert(parent.clone()) {
                    queue.push(parent.clone());
                }
            }
        }
        teams.into_iter().collect()
    }

    /// Teams owning `app` (usually one).
    pub fn owners_of(&self, app: &str) -> Option<&BTreeSet<String>> {
        self.app_owners.get(app)
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

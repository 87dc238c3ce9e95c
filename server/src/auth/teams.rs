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

use crate::catalog::assemble::Cataloged;
use crate::catalog::model::{EntityRef, Relation, SharedStr};
use crate::catalog::refs::parse_ref;
use crate::catalog::service::Catalog;
use crate::gitops::app_link::AppLink;
use crate::sorted_keys::SortedKeys;

/// Group display name for policies and the UI: `team-a`, or `ns/team-a` outside `default`.
fn group_name(group: &EntityRef) -> String {
    if group.namespace == "default" {
        group.name.to_string()
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

/// The claims on one app. Almost every app has one team, and then which Components claim it
/// is never shown: only the team is kept. The Components are kept for a conflict, which names
/// them. (At 100,000 entities, a map of maps per app was 40 MB.)
#[derive(Clone, Copy, Debug)]
enum AppClaims<'a> {
    One(&'a SharedStr),
    Conflict(&'a Claims),
}

/// An [`AppClaims`] as the table stores it, in four bytes: an index into the index's `teams`,
/// or, with the top bit set, into its `conflicts` (a tagged enum with a pointer was 16).
#[derive(Clone, Copy, Debug)]
struct Claim(u32);

const CONFLICT: u32 = 1 << 31;

#[derive(Debug, Default)]
pub struct TeamIndex {
    /// User name and profile e-mail (lower case) -> the groups they are directly in (an index
    /// into `group_sets`), in key order (a sorted table, keys in one buffer: a hash table of
    /// 60,000 keys is twice the size).
    direct: SortedKeys<u32>,
    /// Each distinct set of groups someone is directly in, once: a user's name and e-mail, and
    /// the people of one team, share theirs.
    group_sets: Box<[Groups]>,
    /// Group name -> its parent groups.
    parents: HashMap<SharedStr, Groups>,
    /// App name -> the teams claiming it (and through which Components, on a conflict).
    app_claims: SortedKeys<Claim>,
    /// The teams owning an app, once each.
    teams: Box<[SharedStr]>,
    /// The claims on each app more than one team claims.
    conflicts: Box<[Claims]>,
}

/// Group names, sorted; each one shared string ([`SharedStr::interned`]) for every user, group
/// and app that names it.
type Groups = Box<[SharedStr]>;

/// The groups an entity's `relation` (`memberOf`, `childOf`) points at.
fn related_groups(relations: &[Relation], relation: &str) -> Groups {
    let mut out: Vec<SharedStr> = relations
        .iter()
        .filter(|r| r.relation_type == relation && r.target.kind == "group")
        .map(|r| SharedStr::interned(&group_name(&r.target)))
        .collect();
    out.sort_unstable();
    out.dedup();
    out.into_boxed_slice()
}

impl TeamIndex {
    /// From the catalog's entities with their refs (the assembled map's keys).
    pub fn build<'a>(entities: impl Iterator<Item = (&'a Arc<EntityRef>, Cataloged<'a>)>) -> Self {
        let mut index = TeamIndex::default();
        let mut direct: HashMap<Box<str>, Vec<SharedStr>> = HashMap::new();
        // (app, team, component ref), grouped below.
        let mut claims: Vec<(String, SharedStr, String)> = Vec::new();
        for (me, located) in entities {
            let entity = &located.located.entity;
            match me.kind.as_str() {
                "user" => {
                    let groups = related_groups(located.relations, "memberOf");
                    let mut keys: Vec<Box<str>> = vec![me.name.as_str().into()];
                    if me.namespace != "default" {
                        keys.push(format!("{}/{}", me.namespace, me.name).into());
                    }
                    if let Some(email) = entity
                        .spec
                        .pointer("/profile/email")
                        .and_then(|v| v.as_str())
                    {
                        keys.push(email.to_ascii_lowercase().into());
                    }
                    for key in keys {
                        direct
                            .entry(key)
                            .or_default()
                            .extend(groups.iter().cloned());
                    }
                }
                "group" => {
                    let parents = related_groups(located.relations, "childOf");
                    index
                        .parents
                        .insert(SharedStr::interned(&group_name(me)), parents);
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
                        entity.metadata.annotations.get(key).map(|v| v.to_string())
                    });
                    let apps = match &link {
                        Ok(link) => link.names().unwrap_or_default().to_vec(),
                        Err(_) => Vec::new(),
                    };
                    let team = SharedStr::interned(&group_name(&owner));
                    for app in apps {
                        claims.push((app, team.clone(), me.to_string()));
                    }
                }
                _ => {}
            }
        }
        let mut sets: HashMap<Groups, u32> = HashMap::new();
        let direct: Vec<(Box<str>, u32)> = direct
            .into_iter()
            .map(|(key, mut groups)| {
                groups.sort_unstable();
                groups.dedup();
                let next = sets.len() as u32;
                let set = *sets.entry(groups.into_boxed_slice()).or_insert(next);
                (key, set)
            })
            .collect();
        let mut group_sets = vec![Groups::default(); sets.len()];
        for (groups, at) in sets {
            group_sets[at as usize] = groups;
        }
        index.group_sets = group_sets.into_boxed_slice();
        index.direct = SortedKeys::new(direct);
        claims.sort_unstable();
        claims.dedup();
        let mut app_claims = Vec::new();
        let mut teams: HashMap<SharedStr, u32> = HashMap::new();
        let mut conflicts = Vec::new();
        for same_app in claims.chunk_by(|a, b| a.0 == b.0) {
            let app = &same_app[0].0;
            let claim = if same_app.iter().all(|c| c.1 == same_app[0].1) {
                let next = teams.len() as u32;
                Claim(*teams.entry(same_app[0].1.clone()).or_insert(next))
            } else {
                let mut by_team = Claims::new();
                for (_, team, component) in same_app {
                    by_team
                        .entry(team.to_string())
                        .or_default()
                        .insert(component.clone());
                }
                tracing::warn!(app = %app, claims = ?by_team, "app claimed by more than one team in the catalog: no team owns it until one claim is removed");
                conflicts.push(by_team);
                Claim(CONFLICT | (conflicts.len() as u32 - 1))
            };
            app_claims.push((app.as_str().into(), claim));
        }
        index.app_claims = SortedKeys::new(app_claims);
        let mut by_index = vec![SharedStr::default(); teams.len()];
        for (team, at) in teams {
            by_index[at as usize] = team;
        }
        index.teams = by_index.into_boxed_slice();
        index.conflicts = conflicts.into_boxed_slice();
        index.parents.shrink_to_fit();
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
            if let Some(&set) = self.direct.get(&key) {
                let groups = &self.group_sets[set as usize];
                catalog.extend(groups.iter().map(|g| g.to_string()));
            }
        }
        let mut queue: Vec<String> = catalog.iter().chain(&idp).cloned().collect();
        while let Some(group) = queue.pop() {
            for parent in self.parents.get(group.as_str()).into_iter().flatten() {
                if catalog.insert(parent.to_string()) {
                    queue.push(parent.to_string());
                }
            }
        }
        Membership {
            idp: idp.into_iter().collect(),
            catalog: catalog.into_iter().collect(),
        }
    }

    fn claims(&self, claim: Claim) -> AppClaims<'_> {
        if claim.0 & CONFLICT == 0 {
            AppClaims::One(&self.teams[claim.0 as usize])
        } else {
            AppClaims::Conflict(&self.conflicts[(claim.0 & !CONFLICT) as usize])
        }
    }

    fn claims_on(&self, app: &str) -> Option<AppClaims<'_>> {
        self.app_claims.get(app).map(|&claim| self.claims(claim))
    }

    /// Every team claiming `app`, in name order (usually one).
    pub fn teams_claiming(&self, app: &str) -> Vec<String> {
        match self.claims_on(app) {
            None => Vec::new(),
            Some(AppClaims::One(team)) => vec![team.to_string()],
            Some(AppClaims::Conflict(claims)) => claims.keys().cloned().collect(),
        }
    }

    /// The team owning `app`: the one team claiming it. None when nobody does, or when several
    /// do (see [`TeamIndex::conflict`]).
    pub fn owner_of(&self, app: &str) -> Option<&str> {
        match self.claims_on(app) {
            Some(AppClaims::One(team)) => Some(team),
            _ => None,
        }
    }

    /// The claims on `app` when more than one team makes them.
    fn conflicting(&self, app: &str) -> Option<&Claims> {
        match self.claims_on(app) {
            Some(AppClaims::Conflict(claims)) => Some(claims),
            _ => None,
        }
    }

    /// Why `app` has no owner although it is claimed: every team and Component claiming it.
    pub fn conflict(&self, app: &str) -> Option<String> {
        let claims = self.conflicting(app)?;
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
        let apps: Vec<&str> = self
            .app_claims
            .iter()
            .filter(|(_, &c)| {
                matches!(self.claims(c), AppClaims::Conflict(c) if c.values().any(|refs| refs.contains(component)))
            })
            .map(|(app, _)| app)
            .collect();
        apps.into_iter()
            .filter_map(|app| self.conflict(app))
            .collect()
    }

    /// Every app claimed by more than one team, with [`TeamIndex::conflict`]'s message.
    pub fn conflicts(&self) -> Vec<(String, String)> {
        let apps: Vec<&str> = self
            .app_claims
            .iter()
            .filter(|(_, &c)| matches!(self.claims(c), AppClaims::Conflict(_)))
            .map(|(app, _)| app)
            .collect();
        apps.into_iter()
            .filter_map(|app| Some((app.to_string(), self.conflict(app)?)))
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
            // The build's working tables are several times the index: handed back at once.
            let _prompt = crate::util::PromptRelease::start();
            let state = self.catalog.state();
            *cached = (
                generation,
                Arc::new(TeamIndex::build(state.assembled.iter())),
            );
            // Built on a request's thread, once per catalog generation: what the build used
            // in passing (a hundred thousand entities' worth) is handed back, not kept there.
            crate::util::release_this_threads_memory();
        }
        cached.1.clone()
    }
}

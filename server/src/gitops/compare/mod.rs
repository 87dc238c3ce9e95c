//! Two environments' desired states side by side, from their renders (never from live
//! objects): apps aligned by name, resources by group, kind, namespace and name, each classed
//! `same`, `differs`, `only_from` or `only_to`. What the driver ignores when it decides sync
//! (status, server-owned metadata, its tracking marks, nulls) is ignored here too, and so is
//! the order of lists whose items are named (containers, env, ports: Kubernetes merges them
//! by name). An app differs when any of its resources does, or when it rendered on one side
//! only. Pure: the engine hands it two snapshots.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use atrium_app::dto::compare::{CompareStatus, ResourceCompare};
use atrium_app::dto::env::DiffLineView;

use crate::cluster::driver::diff::{normalize, to_yaml};
use crate::gitops::tree::{RenderStatus, RenderedApp, RenderedTree};
use crate::resource::{mask_secrets, DesiredResource};

/// One app of the comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppComparison {
    pub name: String,
    pub status: CompareStatus,
    pub resources: Vec<ResourceCompare>,
}

/// The apps of both trees: `from`'s in its order, then those only `to` has, in its order.
pub fn compare_trees(from: &RenderedTree, to: &RenderedTree) -> Vec<AppComparison> {
    let from_apps = by_name(from);
    let to_apps = by_name(to);
    let mut seen = HashSet::new();
    from.apps
        .iter()
        .chain(&to.apps)
        .filter(|a| seen.insert(a.name.as_str()))
        .map(|a| {
            let name = a.name.as_str();
            let (status, resources) =
                compare_apps(from_apps.get(name).copied(), to_apps.get(name).copied());
            AppComparison {
                name: name.to_string(),
                status,
                resources,
            }
        })
        .collect()
}

/// Each name's app as [`RenderedTree::get`] picks it (the first that rendered, else the
/// first), indexed once rather than searched per app.
pub fn by_name(tree: &RenderedTree) -> HashMap<&str, &RenderedApp> {
    let mut index: HashMap<&str, &RenderedApp> = HashMap::new();
    for app in &tree.apps {
        let slot = index.entry(app.name.as_str()).or_insert(app);
        if slot.status != RenderStatus::Ok && app.status == RenderStatus::Ok {
            *slot = app;
        }
    }
    index
}

/// One app in both environments: its class and its resources'.
pub fn compare_apps(
    from: Option<&RenderedApp>,
    to: Option<&RenderedApp>,
) -> (CompareStatus, Vec<ResourceCompare>) {
    let none: &[DesiredResource] = &[];
    let from_resources = from.map_or(none, |a| &a.resources);
    let to_resources = to.map_or(none, |a| &a.resources);
    let resources = compare_resources(from_resources, to_resources);
    let status = match (from, to) {
        (None, None) => CompareStatus::Same,
        (Some(_), None) => CompareStatus::OnlyFrom,
        (None, Some(_)) => CompareStatus::OnlyTo,
        (Some(f), Some(t)) => {
            let rendered_alike = f.status == t.status && f.message == t.message;
            if rendered_alike && resources.iter().all(|r| r.status == CompareStatus::Same) {
                CompareStatus::Same
            } else {
                CompareStatus::Differs
            }
        }
    };
    (status, resources)
}

fn compare_resources(from: &[DesiredResource], to: &[DesiredResource]) -> Vec<ResourceCompare> {
    let mut out = Vec::with_capacity(from.len().max(to.len()));
    // Most apps list the same resources in the same order on both sides: pair them up
    // directly; otherwise by key.
    if from.len() == to.len() && from.iter().zip(to).all(|(f, t)| key(f) == key(t)) {
        for (f, t) in from.iter().zip(to) {
            out.push(row(f, class(f, t)));
        }
        return out;
    }
    let to_by_key: HashMap<Key, &DesiredResource> = to.iter().map(|r| (key(r), r)).collect();
    let mut matched = HashSet::new();
    for f in from {
        let k = key(f);
        let status = match to_by_key.get(&k) {
            Some(t) => {
                matched.insert(k);
                class(f, t)
            }
            None => CompareStatus::OnlyFrom,
        };
        out.push(row(f, status));
    }
    for t in to {
        if !matched.contains(&key(t)) {
            out.push(row(t, CompareStatus::OnlyTo));
        }
    }
    out
}

/// A resource's identity within an app, borrowed: group, kind, namespace, name (the parts of
/// [`DesiredResource::key`]).
type Key<'a> = (&'a str, &'a str, &'a str, &'a str);

fn key(r: &DesiredResource) -> Key<'_> {
    let group = r.api_version.rsplit_once('/').map_or("", |(g, _)| g);
    (group, &r.kind, &r.namespace, &r.name)
}

/// One resource's class, given its two sides (at least one present).
pub fn resource_class(
    from: Option<&DesiredResource>,
    to: Option<&DesiredResource>,
) -> CompareStatus {
    match (from, to) {
        (Some(f), Some(t)) => class(f, t),
        (Some(_), None) => CompareStatus::OnlyFrom,
        (None, _) => CompareStatus::OnlyTo,
    }
}

fn class(from: &DesiredResource, to: &DesiredResource) -> CompareStatus {
    if same_resource(from, to) {
        CompareStatus::Same
    } else {
        CompareStatus::Differs
    }
}

/// Whether two desired resources ask for the same thing. The render's facts are exactly what
/// a sync compares (named list items keyed by name): equal facts, equal asks, found by
/// comparing two sorted `u64` lists instead of walking two JSON trees.
fn same_resource(a: &DesiredResource, b: &DesiredResource) -> bool {
    match (a.facts.as_deref(), b.facts.as_deref()) {
        (Some(x), Some(y)) => x == y,
        // Equal text is an equal `Value` (keys sorted, numbers as parsed).
        _ if a.manifest == b.manifest => true,
        _ => equivalent(&a.manifest.value(), &b.manifest.value()),
    }
}

fn row(r: &DesiredResource, status: CompareStatus) -> ResourceCompare {
    ResourceCompare {
        api_version: r.api_version.to_string(),
        kind: r.kind.to_string(),
        namespace: r.namespace.to_string(),
        name: r.name.to_string(),
        status,
    }
}

/// Whether two manifests ask for the same thing.
pub fn equivalent(a: &Value, b: &Value) -> bool {
    // Most resources are identical between environments: no copies for those.
    a == b || canonical(a) == canonical(b)
}

/// What is compared: the manifest as the driver normalises it, lists of named items sorted
/// by name.
fn canonical(manifest: &Value) -> Value {
    sort_named(normalize(manifest))
}

fn sort_named(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.into_iter().map(|(k, v)| (k, sort_named(v))).collect()),
        Value::Array(items) => {
            let mut items: Vec<Value> = items.into_iter().map(sort_named).collect();
            if !items.is_empty() && items.iter().all(|i| item_name(i).is_some()) {
                items.sort_by(|x, y| item_name(x).cmp(&item_name(y)));
            }
            Value::Array(items)
        }
        other => other,
    }
}

fn item_name(v: &Value) -> Option<&str> {
    v.get("name").and_then(Value::as_str)
}

/// One resource's desired state in each environment as YAML (what is compared, Secret
/// values masked) and the line diff from `from` to `to`.
pub fn resource_yaml_diff(
    from: Option<&DesiredResource>,
    to: Option<&DesiredResource>,
) -> (Option<String>, Option<String>, Vec<DiffLineView>) {
    let mut from_value = from.map(|r| canonical(&r.manifest.value()));
    let mut to_value = to.map(|r| canonical(&r.manifest.value()));
    mask_secrets([from_value.as_mut(), to_value.as_mut()]);
    let from_yaml = from_value.as_ref().map(to_yaml);
    let to_yaml = to_value.as_ref().map(to_yaml);
    let lines = TextDiff::from_lines(
        from_yaml.as_deref().unwrap_or(""),
        to_yaml.as_deref().unwrap_or(""),
    )
    .iter_all_changes()
    .map(|c| DiffLineView {
        tag: match c.tag() {
            ChangeTag::Equal => ' ',
            ChangeTag::Insert => '+',
            ChangeTag::Delete => '-',
        },
        text: c.value().trim_end_matches('\n').to_string(),
    })
    .collect();
    (from_yaml, to_yaml, lines)
}

#[cfg(test)]
mod tests;

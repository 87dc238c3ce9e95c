//! Argo CD's `spec.ignoreDifferences`: fields of chosen resources that neither make an app
//! OutOfSync nor, with the sync option `RespectIgnoreDifferences=true`, get overwritten by a
//! sync. A rule picks resources by group and kind (and optionally name and namespace) and names
//! fields by `jsonPointers` or by `managedFieldsManagers` (every field those field managers
//! own in the live object). `jqPathExpressions` need a jq engine Atrium does not have: an app
//! that uses them is refused at render, naming the field, rather than compared wrongly.
//! Pure: JSON in, JSON out.

use serde_json::{Map, Value};

use super::application::{Application, IgnoreDifferences};
use crate::cluster::driver::in_sync;
use crate::resource::DesiredResource;

/// The sync option that makes a sync leave ignored fields as they are live.
pub const RESPECT: &str = "RespectIgnoreDifferences=true";

/// One step of a field path.
#[derive(Clone, Debug, PartialEq)]
enum Seg {
    /// An object key (or, on a list, a position written as a number: JSON Pointer's rule).
    Key(String),
    /// The list item whose fields have these values (managedFields `k:{…}`).
    Item(Map<String, Value>),
    /// The list item equal to this value (managedFields `v:…`).
    Equal(Value),
}

type Path = Vec<Seg>;

/// Refuses what Atrium cannot honour: jq expressions, and pointers that are not JSON Pointers.
pub fn check(app: &Application) -> Result<(), String> {
    for (i, rule) in app.spec.ignore_differences.iter().enumerate() {
        if !rule.jq_path_expressions.is_empty() {
            return Err(format!(
                "spec.ignoreDifferences[{i}].jqPathExpressions: jq expressions are not supported \
                 (app {}); use jsonPointers or managedFieldsManagers",
                app.metadata.name
            ));
        }
        if let Some(bad) = rule.json_pointers.iter().find(|p| !p.starts_with('/')) {
            return Err(format!(
                "spec.ignoreDifferences[{i}].jsonPointers: {bad:?} is not a JSON Pointer (it \
                 starts with /) (app {})",
                app.metadata.name
            ));
        }
    }
    Ok(())
}

/// Whether `rule` picks `desired`: same API group and kind; name and namespace when given.
fn picks(rule: &IgnoreDifferences, desired: &DesiredResource) -> bool {
    let group = desired.api_version.rsplit_once('/').map_or("", |(g, _)| g);
    rule.group == group
        && rule.kind == desired.kind
        && (rule.name.is_empty() || *rule.name == *desired.name)
        && (rule.namespace.is_empty() || rule.namespace == desired.namespace)
}

/// The ignored fields of `desired`, given its live object (for `managedFieldsManagers`).
/// Empty when no rule picks it.
fn ignored(rules: &[IgnoreDifferences], desired: &DesiredResource, live: &Value) -> Vec<Path> {
    let mut out = Vec::new();
    for rule in rules.iter().filter(|r| picks(r, desired)) {
        out.extend(rule.json_pointers.iter().map(|p| pointer(p)));
        if rule.managed_fields_managers.is_empty() {
            continue;
        }
        for entry in live["metadata"]["managedFields"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let manager = entry["manager"].as_str().unwrap_or_default();
            if rule.managed_fields_managers.iter().any(|m| m == manager) {
                if let Some(fields) = entry["fieldsV1"].as_object() {
                    owned(fields, &mut Vec::new(), &mut out);
                }
            }
        }
    }
    out
}

/// Whether any rule picks `desired` (so its verdict needs [`in_sync_ignoring`]).
pub fn any_picks(rules: &[IgnoreDifferences], desired: &DesiredResource) -> bool {
    rules.iter().any(|r| picks(r, desired))
}

/// The sync verdict with the ignored fields left out of both sides.
pub fn in_sync_ignoring(
    rules: &[IgnoreDifferences],
    desired: &DesiredResource,
    live: &Value,
) -> bool {
    let paths = ignored(rules, desired, live);
    let (mut want, mut got) = (desired.manifest.value(), live.clone());
    for path in &paths {
        remove(&mut want, path);
        remove(&mut got, path);
    }
    in_sync(&want, &got)
}

/// Both sides without the ignored fields, and those fields (as JSON Pointer-like paths) that
/// either side had: what the diff panel shows, as Argo CD's diff leaves them out too.
pub fn without_ignored(
    rules: &[IgnoreDifferences],
    desired: &DesiredResource,
    live: &Value,
) -> (Value, Value, Vec<String>) {
    let (mut want, mut got) = (desired.manifest.value(), live.clone());
    let mut shown = Vec::new();
    for path in ignored(rules, desired, live) {
        if get(&want, &path).is_none() && get(&got, &path).is_none() {
            continue;
        }
        remove(&mut want, &path);
        remove(&mut got, &path);
        let text: String = path.iter().map(|seg| format!("/{}", show(seg))).collect();
        if !shown.contains(&text) {
            shown.push(text);
        }
    }
    (want, got, shown)
}

fn show(seg: &Seg) -> String {
    match seg {
        Seg::Key(k) => k.replace('~', "~0").replace('/', "~1"),
        Seg::Item(fields) => format!("[{}]", Value::Object(fields.clone())),
        Seg::Equal(v) => format!("[={v}]"),
    }
}

/// `RespectIgnoreDifferences=true`: the manifest a sync applies keeps the live value of every
/// ignored field (and leaves out one the live object lacks), so the sync does not undo it.
pub fn respect(rules: &[IgnoreDifferences], desired: &mut DesiredResource, live: &Value) {
    let paths = ignored(rules, desired, live);
    if paths.is_empty() {
        return;
    }
    let mut manifest = desired.manifest.value();
    for path in &paths {
        match get(live, path).cloned() {
            Some(value) => set(&mut manifest, path, value),
            None => remove(&mut manifest, path),
        }
    }
    desired.facts = Some(crate::resource::facts::desired_facts(&manifest));
    desired.manifest = manifest.into();
}

/// The sources' resources as a sync of `app` applies them: with `RespectIgnoreDifferences=true`
/// and rules, each picked resource keeps its ignored fields' live values.
pub fn for_sync(
    app: Option<&Application>,
    sync_options: &[String],
    resources: &[DesiredResource],
    live: impl Fn(&str) -> Option<Value>,
) -> Option<Vec<DesiredResource>> {
    let rules = &app?.spec.ignore_differences;
    if rules.is_empty() || !sync_options.iter().any(|o| o == RESPECT) {
        return None;
    }
    Some(
        resources
            .iter()
            .map(|r| {
                let mut r = r.clone();
                if any_picks(rules, &r) {
                    if let Some(object) = live(&r.key()) {
                        respect(rules, &mut r, &object);
                    }
                }
                r
            })
            .collect(),
    )
}

/// A JSON Pointer (RFC 6901) as a path.
fn pointer(text: &str) -> Path {
    text.split('/')
        .skip(1)
        .map(|s| Seg::Key(s.replace("~1", "/").replace("~0", "~")))
        .collect()
}

/// The leaf fields of a managedFields `fieldsV1` set (`f:spec` → `f:replicas` …).
fn owned(fields: &Map<String, Value>, prefix: &mut Path, out: &mut Vec<Path>) {
    for (k, v) in fields {
        let seg = if let Some(name) = k.strip_prefix("f:") {
            Seg::Key(name.to_string())
        } else if let Some(keys) = k.strip_prefix("k:") {
            match serde_json::from_str(keys) {
                Ok(Value::Object(m)) => Seg::Item(m),
                _ => continue,
            }
        } else if let Some(value) = k.strip_prefix("v:") {
            match serde_json::from_str(value) {
                Ok(v) => Seg::Equal(v),
                Err(_) => continue,
            }
        } else if let Some(index) = k.strip_prefix("i:") {
            Seg::Key(index.to_string())
        } else {
            continue;
        };
        prefix.push(seg);
        match v.as_object() {
            Some(children) if children.keys().any(|c| c != ".") => owned(children, prefix, out),
            _ => out.push(prefix.clone()),
        }
        prefix.pop();
    }
}

/// Where `seg` is in a list: an index, or the item it picks.
fn position(items: &[Value], seg: &Seg) -> Option<usize> {
    match seg {
        Seg::Key(k) => k.parse().ok().filter(|i| *i < items.len()),
        Seg::Item(keys) => items
            .iter()
            .position(|item| keys.iter().all(|(k, v)| item.get(k) == Some(v))),
        Seg::Equal(value) => items.iter().position(|item| item == value),
    }
}

fn child<'a>(v: &'a Value, seg: &Seg) -> Option<&'a Value> {
    match (v, seg) {
        (Value::Object(m), Seg::Key(k)) => m.get(k),
        (Value::Array(items), _) => items.get(position(items, seg)?),
        _ => None,
    }
}

fn child_mut<'a>(v: &'a mut Value, seg: &Seg) -> Option<&'a mut Value> {
    match (v, seg) {
        (Value::Object(m), Seg::Key(k)) => m.get_mut(k),
        (Value::Array(items), _) => {
            let i = position(items, seg)?;
            items.get_mut(i)
        }
        _ => None,
    }
}

fn get<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    path.iter().try_fold(v, |at, seg| child(at, seg))
}

fn remove(v: &mut Value, path: &[Seg]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let Some(parent) = parents.iter().try_fold(v, |at, seg| child_mut(at, seg)) else {
        return;
    };
    match (parent, last) {
        (Value::Object(m), Seg::Key(k)) => {
            m.remove(k);
        }
        (Value::Array(items), seg) => {
            if let Some(i) = position(items, seg) {
                items.remove(i);
            }
        }
        _ => {}
    }
}

/// Sets the field at `path`, making the objects on the way; a list item that is not there is
/// not made up (the field is left as it is).
fn set(v: &mut Value, path: &[Seg], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut at = v;
    for seg in parents {
        if let (Value::Object(m), Seg::Key(k)) = (&mut *at, seg) {
            if !m.contains_key(k) {
                m.insert(k.clone(), Value::Object(Map::new()));
            }
        }
        let Some(next) = child_mut(at, seg) else {
            return;
        };
        at = next;
    }
    match (at, last) {
        (Value::Object(m), Seg::Key(k)) => {
            m.insert(k.clone(), value);
        }
        (Value::Array(items), seg) => {
            if let Some(i) = position(items, seg) {
                items[i] = value;
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[path = "ignore_tests.rs"]
mod tests;

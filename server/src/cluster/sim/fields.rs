//! Field paths for server-side apply ownership. A path is a list of object keys and list-item
//! keys; lists whose items all carry a `name` (containers, env, volumes, ports…) are treated as
//! associative lists keyed by it, other lists are atomic — the emulator's stand-in for the
//! OpenAPI `x-kubernetes-list-map-keys` a real server reads from its schemas.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

/// One step into an object.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Seg {
    /// An object key.
    Field(String),
    /// The item of an associative list whose `name` is this.
    Item(String),
}

pub type Path = Vec<Seg>;
pub type FieldSet = BTreeSet<Path>;

/// Whether a list merges by item `name` rather than being replaced whole.
pub fn is_assoc(list: &[Value]) -> bool {
    !list.is_empty()
        && list
            .iter()
            .all(|v| v.get("name").and_then(Value::as_str).is_some())
}

fn item_name(v: &Value) -> Option<&str> {
    v.get("name").and_then(Value::as_str)
}

/// The leaf paths an object sets. Empty objects count as leaves, so `data: {}` is owned too,
/// but not an empty root: it sets nothing. Its path would be the empty one, a prefix of every
/// path, so a write that "removed" it (an object's first status) took every field from every
/// other manager.
pub fn field_set(v: &Value) -> FieldSet {
    let mut out = FieldSet::new();
    collect(v, &mut Vec::new(), &mut out);
    out.remove(&Path::new());
    out
}

fn collect(v: &Value, prefix: &mut Path, out: &mut FieldSet) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            for (k, child) in m {
                prefix.push(Seg::Field(k.clone()));
                collect(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) if is_assoc(items) => {
            for item in items {
                prefix.push(Seg::Item(item_name(item).unwrap_or_default().to_string()));
                collect(item, prefix, out);
                prefix.pop();
            }
        }
        _ => {
            out.insert(prefix.clone());
        }
    }
}

/// The value at a path, if present.
pub fn get_at<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
    let mut cur = v;
    for seg in path {
        cur = match seg {
            Seg::Field(k) => cur.as_object()?.get(k)?,
            Seg::Item(n) => cur.as_array()?.iter().find(|i| item_name(i) == Some(n))?,
        };
    }
    Some(cur)
}

/// Removes the value at a path and any object or list item the removal left empty.
pub fn remove_at(v: &mut Value, path: &[Seg]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    match (first, v) {
        (Seg::Field(k), Value::Object(m)) => {
            if rest.is_empty() {
                m.remove(k);
            } else if let Some(child) = m.get_mut(k) {
                remove_at(child, rest);
                if is_empty_container(child) {
                    m.remove(k);
                }
            }
        }
        (Seg::Item(n), Value::Array(items)) => {
            if let Some(i) = items.iter().position(|it| item_name(it) == Some(n)) {
                if rest.is_empty() {
                    items.remove(i);
                } else {
                    remove_at(&mut items[i], rest);
                    // An item that lost everything but its key is gone too.
                    let only_key = items[i]
                        .as_object()
                        .is_some_and(|o| o.keys().all(|k| k == "name"));
                    if only_key || is_empty_container(&items[i]) {
                        items.remove(i);
                    }
                }
            }
        }
        _ => {}
    }
}

fn is_empty_container(v: &Value) -> bool {
    matches!(v, Value::Object(m) if m.is_empty()) || matches!(v, Value::Array(a) if a.is_empty())
}

/// Whether one path is a prefix of the other (owning `spec` relates to owning `spec.replicas`).
pub fn related(a: &[Seg], b: &[Seg]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

/// Server-side-apply merge: objects merge by key, associative lists by item name, anything
/// else is replaced by the applied value.
pub fn merge(live: &mut Value, applied: &Value) {
    match (live, applied) {
        (Value::Object(l), Value::Object(a)) => {
            for (k, av) in a {
                match l.get_mut(k) {
                    Some(lv) => merge(lv, av),
                    None => {
                        l.insert(k.clone(), av.clone());
                    }
                }
            }
        }
        (Value::Array(l), Value::Array(a)) if is_assoc(a) && (l.is_empty() || is_assoc(l)) => {
            let mut out: Vec<Value> = Vec::with_capacity(a.len().max(l.len()));
            for ai in a {
                match l.iter().find(|li| item_name(li) == item_name(ai)) {
                    Some(li) => {
                        let mut merged = li.clone();
                        merge(&mut merged, ai);
                        out.push(merged);
                    }
                    None => out.push(ai.clone()),
                }
            }
            // Items other managers own stay, after the applied ones.
            for li in l.iter() {
                if !a.iter().any(|ai| item_name(ai) == item_name(li)) {
                    out.push(li.clone());
                }
            }
            *l = out;
        }
        (l, a) => *l = a.clone(),
    }
}

/// RFC 7386 JSON merge patch; with `strategic`, associative lists merge by name instead of
/// being replaced (the part of strategic merge patch that matters for containers and env).
pub fn merge_patch(target: &mut Value, patch: &Value, strategic: bool) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            let t = target.as_object_mut().expect("made an object above");
            for (k, pv) in p {
                if pv.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), pv, strategic);
                }
            }
        }
        Value::Array(pa)
            if strategic && is_assoc(pa) && target.as_array().is_some_and(|t| is_assoc(t)) =>
        {
            let t = target.as_array_mut().expect("checked above");
            for pi in pa {
                match t.iter_mut().find(|ti| item_name(ti) == item_name(pi)) {
                    Some(ti) => merge_patch(ti, pi, strategic),
                    None => t.push(pi.clone()),
                }
            }
        }
        other => *target = other.clone(),
    }
}

/// The `fieldsV1` form of a set, as `metadata.managedFields` shows it.
pub fn to_fields_v1(set: &FieldSet) -> Value {
    let mut root = Value::Object(Map::new());
    for path in set {
        let mut cur = &mut root;
        for seg in path {
            let key = match seg {
                Seg::Field(k) => format!("f:{k}"),
                Seg::Item(n) => format!("k:{}", serde_json::json!({ "name": n })),
            };
            cur = cur
                .as_object_mut()
                .expect("every node is an object")
                .entry(key)
                .or_insert_with(|| Value::Object(Map::new()));
        }
    }
    root
}

/// `.spec.replicas`, `.spec.template.spec.containers[name="web"].image`: how conflicts are named.
pub fn display(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Field(k) => {
                s.push('.');
                s.push_str(k);
            }
            Seg::Item(n) => s.push_str(&format!("[name=\"{n}\"]")),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(k: &str) -> Seg {
        Seg::Field(k.into())
    }

    #[test]
    fn named_lists_are_associative() {
        let v =
            json!({"spec": {"containers": [{"name": "web", "image": "a"}], "args": ["x", "y"]}});
        let set = field_set(&v);
        assert!(set.contains(&vec![
            f("spec"),
            f("containers"),
            Seg::Item("web".into()),
            f("image")
        ]));
        assert!(set.contains(&vec![f("spec"), f("args")]));
    }

    #[test]
    fn removal_cleans_up_empty_parents() {
        let mut v =
            json!({"data": {"a": "1"}, "spec": {"containers": [{"name": "web", "image": "a"}]}});
        remove_at(&mut v, &[f("data"), f("a")]);
        remove_at(
            &mut v,
            &[
                f("spec"),
                f("containers"),
                Seg::Item("web".into()),
                f("image"),
            ],
        );
        assert_eq!(v, json!({}));
    }

    #[test]
    fn merge_keeps_other_items_and_replaces_scalars() {
        let mut live = json!({"c": [{"name": "a", "x": 1}, {"name": "side", "x": 9}], "n": 1});
        merge(&mut live, &json!({"c": [{"name": "a", "x": 2}], "n": 2}));
        assert_eq!(
            live,
            json!({"c": [{"name": "a", "x": 2}, {"name": "side", "x": 9}], "n": 2})
        );
    }

    #[test]
    fn merge_patch_nulls_delete() {
        let mut t = json!({"a": 1, "b": {"c": 2}});
        merge_patch(&mut t, &json!({"a": null, "b": {"d": 3}}), false);
        assert_eq!(t, json!({"b": {"c": 2, "d": 3}}));
    }

    #[test]
    fn an_empty_object_sets_no_fields() {
        assert!(field_set(&json!({})).is_empty());
        assert_eq!(field_set(&json!({"data": {}})).len(), 1);
    }

    #[test]
    fn fields_v1_shape() {
        let set = field_set(&json!({"spec": {"replicas": 2}}));
        assert_eq!(to_fields_v1(&set), json!({"f:spec": {"f:replicas": {}}}));
        assert_eq!(display(&[f("spec"), f("replicas")]), ".spec.replicas");
    }
}

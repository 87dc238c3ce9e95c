//! The write verbs and their field ownership: server-side apply (conflicts unless forced;
//! fields a manager stops applying are removed unless someone else owns them), create, and
//! "update" writes (PUT, merge patches, status) that take ownership of what they change.

use serde_json::{json, Map, Value};

use super::fields::{display, field_set, get_at, merge, related, remove_at, FieldSet, Path};
use super::kinds::KindInfo;
use super::status::{ApiError, ApiResult};
use super::store::{ObjKey, ObjectStore, Op, Owned};
use super::validate;

/// Which part of an object a write may touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// Everything but `status` (for kinds with a status subresource).
    Main,
    /// Only `status`.
    Status,
}

/// Metadata the server sets; clients' values for these are ignored.
const SERVER_METADATA: &[&str] = &[
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "generation",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
];

impl ObjectStore {
    /// Server-side apply of `body` by `manager`. Returns the stored object and whether it
    /// was created.
    #[expect(
        clippy::too_many_arguments,
        reason = "mirrors the apply request's parameters"
    )]
    pub fn apply(
        &mut self,
        kind: &KindInfo,
        namespace: &str,
        name: &str,
        manager: &str,
        body: Value,
        force: bool,
        dry_run: bool,
    ) -> ApiResult<(Value, bool)> {
        check_identity(kind, namespace, name, &body)?;
        let applied = scope(kind, &body, Part::Main);
        let new_set = field_set(&applied);
        let key = ObjKey::new(kind, namespace, name);
        let me = (manager.to_string(), Op::Apply);
        let Some(stored) = self.objects.get(&key) else {
            self.check_namespace(kind, namespace)?;
            let mut obj = applied;
            stamp_new(kind, &key, &mut obj);
            validate::check(kind, name, &obj)?;
            let managers = [(me, owned(new_set, None))].into_iter().collect();
            return Ok((self.commit(key, obj, managers, dry_run), true));
        };
        let live = &stored.obj;
        let mut managers = stored.managers.clone();
        let mut conflicts = Vec::new();
        for p in new_set
            .iter()
            .filter(|p| get_at(live, p) != get_at(&applied, p))
        {
            for ((other, op), theirs) in managers.iter_mut().filter(|((m, _), _)| m != manager) {
                let overlapping: Vec<Path> = theirs
                    .fields
                    .iter()
                    .filter(|q| related(q, p))
                    .cloned()
                    .collect();
                if overlapping.is_empty() {
                    continue;
                }
                if force {
                    for q in overlapping {
                        theirs.fields.remove(&q);
                    }
                } else {
                    let how = if *op == Op::Update {
                        " using an update"
                    } else {
                        ""
                    };
                    conflicts.push(format!("conflict with \"{other}\"{how}: {}", display(p)));
                }
            }
        }
        if !conflicts.is_empty() {
            return Err(ApiError::apply_conflict(kind, name, &conflicts));
        }
        let old_set = managers
            .get(&me)
            .map(|o| o.fields.clone())
            .unwrap_or_default();
        let mut obj = live.clone();
        for p in old_set.difference(&new_set) {
            let kept_by_other = managers
                .iter()
                .any(|((m, _), o)| m != manager && o.fields.iter().any(|q| related(q, p)));
            if !kept_by_other {
                remove_at(&mut obj, p);
            }
        }
        merge(&mut obj, &applied);
        managers.insert(me, owned(new_set, None));
        managers.retain(|_, o| !o.fields.is_empty());
        validate::check(kind, name, &obj)?;
        Ok((self.commit(key, obj, managers, dry_run), false))
    }

    /// POST: creates `body`, 409 when the name is taken.
    pub fn create(
        &mut self,
        kind: &KindInfo,
        namespace: &str,
        manager: &str,
        body: Value,
        dry_run: bool,
    ) -> ApiResult<Value> {
        let name = body["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if name.is_empty() {
            return Err(ApiError::invalid(
                kind,
                "",
                "metadata.name",
                "Required value: name or generateName is required",
            ));
        }
        if self
            .objects
            .contains_key(&ObjKey::new(kind, namespace, &name))
        {
            return Err(ApiError::already_exists(kind, &name));
        }
        check_identity(kind, namespace, &name, &body)?;
        self.check_namespace(kind, namespace)?;
        let key = ObjKey::new(kind, namespace, &name);
        let mut obj = scope(kind, &body, Part::Main);
        stamp_new(kind, &key, &mut obj);
        validate::check(kind, &name, &obj)?;
        let set = field_set(&scope(kind, &obj, Part::Main));
        let managers = [((manager.to_string(), Op::Update), owned(set, None))]
            .into_iter()
            .collect();
        Ok(self.commit(key, obj, managers, dry_run))
    }

    /// An update-style write (PUT, merge patch, status): `edit` turns the live object into
    /// the new one; only `part` of the result is kept. `manager` takes ownership of every
    /// field it changed, away from whoever owned it. `expected_rv` is the optimistic lock.
    #[expect(
        clippy::too_many_arguments,
        reason = "mirrors the update request's parameters"
    )]
    pub fn update(
        &mut self,
        kind: &KindInfo,
        namespace: &str,
        name: &str,
        manager: &str,
        part: Part,
        expected_rv: Option<&str>,
        dry_run: bool,
        edit: impl FnOnce(Value) -> ApiResult<Value>,
    ) -> ApiResult<Value> {
        let key = ObjKey::new(kind, namespace, name);
        let stored = self
            .objects
            .get(&key)
            .ok_or_else(|| ApiError::not_found(kind, name))?;
        let old = stored.obj.clone();
        let current_rv = old["metadata"]["resourceVersion"].as_str().unwrap_or("");
        if let Some(rv) = expected_rv.filter(|rv| !rv.is_empty() && *rv != current_rv) {
            let why = format!("the object has been modified; please apply your changes to the latest version and try again (resourceVersion {rv} is not {current_rv})");
            return Err(ApiError::conflict(kind, name, why));
        }
        let edited = edit(old.clone())?;
        check_identity(kind, namespace, name, &edited)?;
        let mut new = old.clone();
        if part == Part::Status || !kind.has_status {
            if part == Part::Status {
                replace_key(&mut new, "status", edited.get("status").cloned());
            } else {
                new = keep_server_fields(&old, edited);
            }
        } else {
            let status = old.get("status").cloned();
            new = keep_server_fields(&old, edited);
            replace_key(&mut new, "status", status);
        }
        let (before, after) = (scope(kind, &old, part), scope(kind, &new, part));
        let (old_set, new_set) = (field_set(&before), field_set(&after));
        let changed: FieldSet = new_set
            .iter()
            .filter(|p| get_at(&before, p) != get_at(&after, p))
            .cloned()
            .collect();
        let removed: FieldSet = old_set.difference(&new_set).cloned().collect();
        let mut managers = stored.managers.clone();
        for owned in managers.values_mut() {
            owned
                .fields
                .retain(|q| !changed.iter().chain(&removed).any(|p| related(p, q)));
        }
        let me = managers
            .entry((manager.to_string(), Op::Update))
            .or_insert_with(|| owned(FieldSet::new(), None));
        me.fields.extend(changed);
        me.time = now();
        me.subresource = (part == Part::Status).then_some("status");
        managers.retain(|_, o| !o.fields.is_empty());
        if part == Part::Main {
            validate::check(kind, name, &new)?;
        }
        Ok(self.commit(key, new, managers, dry_run))
    }

    fn check_namespace(&self, kind: &KindInfo, namespace: &str) -> ApiResult<()> {
        if kind.namespaced && !self.namespace_exists(namespace) {
            let ns =
                super::kinds::by_plural("", "v1", "namespaces").expect("namespaces are served");
            return Err(ApiError::not_found(ns, namespace));
        }
        Ok(())
    }
}

/// The body must be the object the URL names.
fn check_identity(kind: &KindInfo, namespace: &str, name: &str, body: &Value) -> ApiResult<()> {
    if !body.is_object() {
        return Err(ApiError::bad_request("the request body must be an object"));
    }
    let api_version = body["apiVersion"].as_str().unwrap_or("");
    if api_version != kind.api_version() {
        return Err(ApiError::invalid(
            kind,
            name,
            "apiVersion",
            format!(
                "Invalid value: {api_version:?}: must be {:?}",
                kind.api_version()
            ),
        ));
    }
    let body_kind = body["kind"].as_str().unwrap_or("");
    if body_kind != kind.kind {
        return Err(ApiError::invalid(
            kind,
            name,
            "kind",
            format!("Invalid value: {body_kind:?}: must be {:?}", kind.kind),
        ));
    }
    match body["metadata"]["name"].as_str() {
        None | Some("") => {
            return Err(ApiError::invalid(
                kind,
                name,
                "metadata.name",
                "Required value: name is required",
            ))
        }
        Some(n) if n != name => {
            return Err(ApiError::bad_request(format!(
                "the name of the object ({n}) does not match the name on the URL ({name})"
            )))
        }
        _ => {}
    }
    if let Some(ns) = body["metadata"]["namespace"].as_str() {
        if kind.namespaced && !ns.is_empty() && ns != namespace {
            return Err(ApiError::bad_request("the namespace of the provided object does not match the namespace sent on the request"));
        }
    }
    Ok(())
}

/// The part of an object that field ownership is about: no identity, no server metadata,
/// and either no status or only status.
fn scope(kind: &KindInfo, obj: &Value, part: Part) -> Value {
    if part == Part::Status {
        return obj
            .get("status")
            .map(|s| json!({ "status": s }))
            .unwrap_or_else(|| json!({}));
    }
    let mut v = obj.clone();
    let m = v.as_object_mut().expect("checked to be an object");
    m.remove("apiVersion");
    m.remove("kind");
    if kind.has_status {
        m.remove("status");
    }
    if let Some(meta) = m.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("name");
        meta.remove("namespace");
        for k in SERVER_METADATA {
            meta.remove(*k);
        }
        if meta.is_empty() {
            m.remove("metadata");
        }
    }
    v
}

/// Identity and server metadata for a new object.
fn stamp_new(kind: &KindInfo, key: &ObjKey, obj: &mut Value) {
    let m = obj.as_object_mut().expect("checked to be an object");
    let mut out = Map::new();
    out.insert("apiVersion".into(), json!(kind.api_version()));
    out.insert("kind".into(), json!(kind.kind));
    let mut meta = m
        .remove("metadata")
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    meta.insert("name".into(), json!(key.name));
    if kind.namespaced {
        meta.insert("namespace".into(), json!(key.namespace));
    }
    meta.insert("uid".into(), json!(uid()));
    meta.insert("creationTimestamp".into(), json!(now()));
    out.insert("metadata".into(), Value::Object(meta));
    out.extend(std::mem::take(m));
    if kind.kind == "Namespace" {
        out.insert("status".into(), json!({"phase": "Active"}));
    }
    *obj = Value::Object(out);
}

/// A client's full object with the server's metadata put back.
fn keep_server_fields(old: &Value, mut new: Value) -> Value {
    for k in SERVER_METADATA.iter().chain(&["name", "namespace"]) {
        replace_key(&mut new["metadata"], k, old["metadata"].get(*k).cloned());
    }
    new["apiVersion"] = old["apiVersion"].clone();
    new["kind"] = old["kind"].clone();
    new
}

fn replace_key(obj: &mut Value, key: &str, value: Option<Value>) {
    if let Some(m) = obj.as_object_mut() {
        match value {
            Some(v) => {
                m.insert(key.to_string(), v);
            }
            None => {
                m.remove(key);
            }
        }
    }
}

fn owned(fields: FieldSet, subresource: Option<&'static str>) -> Owned {
    Owned {
        fields,
        time: now(),
        subresource,
    }
}

/// Now, as Kubernetes writes timestamps (second precision, UTC).
pub fn now() -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default()
}

fn uid() -> String {
    let n: u128 = rand::random();
    let h = format!("{n:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
#[path = "write_tests.rs"]
mod tests;

//! The emulator's memory: every object as JSON plus the fields each manager owns, one global
//! resourceVersion counter, and a short event history that watches replay from. Reads and
//! the bookkeeping every write shares live here; the write verbs are in [`super::write`].

use std::collections::{BTreeMap, VecDeque};

use serde_json::{json, Value};
use tokio::sync::broadcast;

use super::fields::{to_fields_v1, FieldSet};
use super::kinds::{by_plural, KindInfo};
use super::status::{ApiError, ApiResult};
use crate::resource::selector::Selector;

/// Where an object lives: `(group, plural, namespace, name)`; namespace is empty for
/// cluster-scoped kinds.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjKey {
    pub group: String,
    pub plural: String,
    pub namespace: String,
    pub name: String,
}

impl ObjKey {
    pub fn new(kind: &KindInfo, namespace: &str, name: &str) -> Self {
        let namespace = if kind.namespaced { namespace } else { "" };
        ObjKey {
            group: kind.group.into(),
            plural: kind.plural.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }
}

/// How a manager last wrote its fields, as managedFields reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    Apply,
    Update,
}

/// The fields one manager owns on one object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Owned {
    pub fields: FieldSet,
    pub time: String,
    /// `Some("status")` when written through the status subresource.
    pub subresource: Option<&'static str>,
}

pub type Managers = BTreeMap<(String, Op), Owned>;

#[derive(Clone, Debug)]
pub(super) struct Stored {
    pub obj: Value,
    pub managers: Managers,
    /// The store revision that wrote it (its resourceVersion, as a number): what changed
    /// since a revision is found without parsing objects.
    pub rv: u64,
    /// Its labels, kept beside the object: a list tests every object of its kind against its
    /// selector, and digging them out of the JSON each time made an initial sync of 20,000
    /// objects quadratic in effect (most of its time).
    pub labels: BTreeMap<String, String>,
}

/// A change, as a watch reports it.
#[derive(Clone, Debug)]
pub struct Event {
    pub rv: u64,
    pub key: ObjKey,
    /// `ADDED`, `MODIFIED` or `DELETED`.
    pub kind: &'static str,
    pub object: Value,
}

/// How many past events a watch can resume from before it gets 410 Gone.
const HISTORY: usize = 2048;

/// All objects, behind the emulator's one lock.
pub struct ObjectStore {
    pub(super) rv: u64,
    /// How many objects were ever removed: a reader that keeps per-object state prunes it
    /// only when this moved.
    pub(super) removals: u64,
    pub(super) objects: BTreeMap<ObjKey, Stored>,
    history: VecDeque<Event>,
    events: broadcast::Sender<Event>,
}

impl Default for ObjectStore {
    fn default() -> Self {
        Self::new()
    }
}

impl ObjectStore {
    /// A store holding the namespaces every cluster starts with.
    pub fn new() -> Self {
        let (events, _) = broadcast::channel(HISTORY);
        let mut store = ObjectStore {
            rv: 0,
            removals: 0,
            objects: BTreeMap::new(),
            history: VecDeque::new(),
            events,
        };
        let ns = by_plural("", "v1", "namespaces").expect("namespaces are served");
        for name in ["default", "kube-system", "kube-public"] {
            let body = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
            store
                .apply(ns, "", name, "sim", body, true, false)
                .expect("a fresh store accepts its own namespaces");
        }
        store
    }

    /// The current resourceVersion (of the last write).
    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    /// A receiver for changes from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Events after `rv`, or `None` when history no longer reaches back that far.
    pub fn events_since(&self, rv: u64) -> Option<Vec<Event>> {
        let oldest = self.history.front().map(|e| e.rv).unwrap_or(self.rv + 1);
        if rv + 1 < oldest && rv < self.rv {
            return None;
        }
        Some(self.history.iter().filter(|e| e.rv > rv).cloned().collect())
    }

    /// One object.
    pub fn get(&self, kind: &KindInfo, namespace: &str, name: &str) -> ApiResult<Value> {
        self.objects
            .get(&ObjKey::new(kind, namespace, name))
            .map(|s| s.obj.clone())
            .ok_or_else(|| ApiError::not_found(kind, name))
    }

    /// Objects of a kind, in one namespace or (`None`) all, that match both selectors.
    pub fn list(
        &self,
        kind: &KindInfo,
        namespace: Option<&str>,
        labels: &Selector,
        fields: &FieldSelector,
    ) -> Vec<Value> {
        self.of_kind(kind, namespace)
            .filter(|(_, s)| labels.matches(&s.labels) && fields.matches(&s.obj))
            .map(|(_, s)| s.obj.clone())
            .collect()
    }

    /// Objects of a kind (in one namespace, or all): a range of the ordered map, so a list
    /// costs the kind's objects rather than the whole store's.
    fn of_kind<'a>(
        &'a self,
        kind: &KindInfo,
        namespace: Option<&str>,
    ) -> impl Iterator<Item = (&'a ObjKey, &'a Stored)> + 'a {
        let from = ObjKey {
            group: kind.group.into(),
            plural: kind.plural.into(),
            namespace: namespace.unwrap_or_default().into(),
            name: String::new(),
        };
        let (group, plural, ns) = (
            from.group.clone(),
            from.plural.clone(),
            namespace.map(String::from),
        );
        self.objects.range(from..).take_while(move |(k, _)| {
            k.group == group
                && k.plural == plural
                && ns.as_ref().is_none_or(|ns| &k.namespace == ns)
        })
    }

    /// Whether a namespace exists (namespaced writes need one).
    pub fn namespace_exists(&self, name: &str) -> bool {
        self.objects.contains_key(&ObjKey {
            group: String::new(),
            plural: "namespaces".into(),
            namespace: String::new(),
            name: name.into(),
        })
    }

    /// Deletes one object (and, for a Namespace, everything in it); returns it as it was.
    pub fn delete(
        &mut self,
        kind: &KindInfo,
        namespace: &str,
        name: &str,
        dry_run: bool,
    ) -> ApiResult<Value> {
        let key = ObjKey::new(kind, namespace, name);
        let Some(stored) = self.objects.get(&key) else {
            return Err(ApiError::not_found(kind, name));
        };
        let obj = stored.obj.clone();
        if dry_run {
            return Ok(obj);
        }
        if kind.kind == "Namespace" {
            // No finalizers here: the namespace's contents go at once.
            let inside: Vec<ObjKey> = self
                .objects
                .keys()
                .filter(|k| k.namespace == name)
                .cloned()
                .collect();
            for k in inside {
                self.remove(&k);
            }
        }
        Ok(self.remove(&key).unwrap_or(obj))
    }

    /// Deletes everything a list with these selectors would return.
    pub fn delete_collection(
        &mut self,
        kind: &KindInfo,
        namespace: Option<&str>,
        labels: &Selector,
        fields: &FieldSelector,
        dry_run: bool,
    ) -> Vec<Value> {
        let doomed = self.list(kind, namespace, labels, fields);
        if dry_run {
            return doomed;
        }
        doomed
            .iter()
            .filter_map(|o| {
                let ns = o["metadata"]["namespace"].as_str().unwrap_or("");
                let name = o["metadata"]["name"].as_str()?;
                self.delete(kind, ns, name, false).ok()
            })
            .collect()
    }

    fn remove(&mut self, key: &ObjKey) -> Option<Value> {
        let stored = self.objects.remove(key)?;
        self.rv += 1;
        self.removals += 1;
        let mut obj = stored.obj;
        obj["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        self.emit(key.clone(), "DELETED", obj.clone());
        Some(obj)
    }

    /// Stores a written object unless nothing changed: bumps resourceVersion, bumps generation
    /// when anything outside metadata and status changed, renders managedFields, emits the
    /// event. With `dry_run` it only returns what would have been stored.
    pub(super) fn commit(
        &mut self,
        key: ObjKey,
        mut obj: Value,
        managers: Managers,
        dry_run: bool,
    ) -> Value {
        managers_into(&mut obj, &managers);
        let old = self.objects.get(&key);
        if let Some(old) = old {
            let same_fields = old.managers.len() == managers.len()
                && old
                    .managers
                    .iter()
                    .zip(&managers)
                    .all(|(a, b)| a.0 == b.0 && a.1.fields == b.1.fields);
            if same_fields && without_bookkeeping(&old.obj) == without_bookkeeping(&obj) {
                return old.obj.clone();
            }
        }
        let generation = match old {
            None => 1,
            Some(old) => {
                let before = old.obj["metadata"]["generation"].as_i64().unwrap_or(1);
                if spec_of(&old.obj) == spec_of(&obj) {
                    before
                } else {
                    before + 1
                }
            }
        };
        obj["metadata"]["generation"] = json!(generation);
        if dry_run {
            return obj;
        }
        self.rv += 1;
        obj["metadata"]["resourceVersion"] = json!(self.rv.to_string());
        let event = if old.is_some() { "MODIFIED" } else { "ADDED" };
        self.objects.insert(
            key.clone(),
            Stored {
                obj: obj.clone(),
                managers,
                rv: self.rv,
                labels: labels_of(&obj),
            },
        );
        self.emit(key, event, obj.clone());
        obj
    }

    fn emit(&mut self, key: ObjKey, kind: &'static str, object: Value) {
        let event = Event {
            rv: self.rv,
            key,
            kind,
            object,
        };
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(event.clone());
        // No receivers is normal: nobody is watching.
        let _ = self.events.send(event);
    }
}

/// `metadata.name=x,metadata.namespace=y` (the two field selectors worth having here).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    pub fn parse(text: &str) -> Result<FieldSelector, String> {
        let mut out = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (field, neg, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, true, v)
            } else if let Some((f, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                (f, false, v)
            } else {
                return Err(format!(
                    "invalid selector: {part:?}; can't understand {part:?}"
                ));
            };
            if !matches!(field, "metadata.name" | "metadata.namespace") {
                return Err(format!("field label not supported: {field}"));
            }
            out.push((field.to_string(), neg, value.to_string()));
        }
        Ok(FieldSelector(out))
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|(field, neg, value)| {
            let key = field.trim_start_matches("metadata.");
            let actual = obj["metadata"][key].as_str().unwrap_or("");
            (actual == value) != *neg
        })
    }
}

/// An object's labels; a value that is not a string counts as absent.
fn labels_of(obj: &Value) -> BTreeMap<String, String> {
    let labels = obj.get("metadata").and_then(|m| m.get("labels"));
    labels
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default()
}

fn managers_into(obj: &mut Value, managers: &Managers) {
    let api_version = obj["apiVersion"].clone();
    let entries: Vec<Value> = managers
        .iter()
        .map(|((name, op), owned)| {
            let mut e = json!({
                "manager": name,
                "operation": if *op == Op::Apply { "Apply" } else { "Update" },
                "apiVersion": api_version,
                "time": owned.time,
                "fieldsType": "FieldsV1",
                "fieldsV1": to_fields_v1(&owned.fields),
            });
            if let Some(sub) = owned.subresource {
                e["subresource"] = json!(sub);
            }
            e
        })
        .collect();
    obj["metadata"]["managedFields"] = Value::Array(entries);
}

fn without_bookkeeping(obj: &Value) -> Value {
    let mut v = obj.clone();
    if let Some(m) = v["metadata"].as_object_mut() {
        for k in ["managedFields", "resourceVersion", "generation"] {
            m.remove(k);
        }
    }
    v
}

/// Everything a generation bump tracks: the object minus metadata and status.
fn spec_of(obj: &Value) -> Value {
    let mut v = obj.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("metadata");
        m.remove("status");
    }
    v
}

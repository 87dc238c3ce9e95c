//! Turns one YAML document (as a JSON value) into a validated [`Entity`], following
//! Backstage's rules: envelope (apiVersion, kind), metadata (name, namespace, labels,
//! annotations, tags, links) and the required spec fields of each built-in kind. Every
//! problem found is reported, each naming its field, so one run shows everything to fix.

use serde_json::{Map, Value};

use super::model::{Entity, EntityRef, SharedStr};
use super::refs::parse_ref;
use super::relations::fields_for;
pub use super::rules::KINDS;
use super::rules::{is_valid_kind, AllowedKinds};

mod metadata;

pub use metadata::{is_valid_name, is_valid_namespace, is_valid_tag};

const CORE_API_VERSIONS: &[&str] = &["backstage.io/v1alpha1", "backstage.io/v1beta1"];
const TEMPLATE_API_VERSION: &str = "scaffolder.backstage.io/v1beta3";

/// Why a document is not a valid entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The ref the document names, when kind and name could be read (even if invalid).
    pub entity_ref: Option<EntityRef>,
    /// `component "name"`, or just the kind, when readable; prefixes every message.
    pub label: Option<String>,
    /// One line per problem, each naming its field.
    pub problems: Vec<String>,
    /// False when the document has neither `apiVersion` nor `kind`: some other YAML (e.g. an
    /// OpenAPI file) that a broad file scan may skip.
    pub is_descriptor: bool,
}

impl Invalid {
    /// The problems as user-facing messages, prefixed with the entity when known.
    pub fn messages(&self) -> Vec<String> {
        self.problems
            .iter()
            .map(|p| match &self.label {
                Some(label) => format!("{label}: {p}"),
                None => p.clone(),
            })
            .collect()
    }
}

/// Validates one document. Ok only when there is no problem at all.
pub fn validate(doc: &Value) -> Result<Entity, Invalid> {
    validate_with(doc, &AllowedKinds::BuiltIn)
}

/// [`validate`] under a source's `[[catalog.rules]]`: a kind they do not allow is a problem,
/// and a custom kind they allow is held to Backstage's generic envelope rules only.
pub fn validate_with(doc: &Value, allowed: &AllowedKinds) -> Result<Entity, Invalid> {
    check(doc, allowed, true)
}

/// [`validate_with`] taking the document, whose `spec` mapping is moved into the entity
/// instead of copied (the reader's case: every document of every file).
pub fn validate_owned(mut doc: Value, allowed: &AllowedKinds) -> Result<Entity, Invalid> {
    let mut entity = check(&doc, allowed, false)?;
    if let Some(spec @ Value::Object(_)) = doc.get_mut("spec") {
        entity.spec = std::sync::Arc::new(spec.take().into());
    }
    Ok(entity)
}

/// The checks of [`validate_with`]. Without `copy_spec`, a `spec` mapping is left out of the
/// entity (Null) for the caller to move in.
fn check(doc: &Value, allowed: &AllowedKinds, copy_spec: bool) -> Result<Entity, Invalid> {
    let mut problems = Vec::new();
    let Some(obj) = doc.as_object() else {
        return Err(Invalid {
            entity_ref: None,
            label: None,
            problems: vec![format!(
                "document is {}, expected a mapping with apiVersion, kind, metadata and spec",
                type_name(doc)
            )],
            is_descriptor: false,
        });
    };
    let is_descriptor = obj.contains_key("apiVersion") || obj.contains_key("kind");
    let api_version = required_str(obj, "apiVersion", "apiVersion", &mut problems);
    let kind = required_str(obj, "kind", "kind", &mut problems);

    let known_kind = kind.as_deref().and_then(|k| {
        KINDS
            .iter()
            .find(|known| known.eq_ignore_ascii_case(k))
            .copied()
    });
    match (&kind, known_kind) {
        (Some(k), None) if !allowed.allows(k) => problems.push(match allowed {
            AllowedKinds::BuiltIn => format!(
                "unknown kind \"{k}\", expected one of {} (a [[catalog.rules]] allow list admits other kinds)",
                KINDS.join(", ")
            ),
            AllowedKinds::List(_) => not_allowed(k),
        }),
        (Some(k), None) => check_custom_envelope(k, api_version.as_deref(), &mut problems),
        (_, Some(known)) => {
            if !allowed.allows(known) {
                problems.push(not_allowed(known));
            }
            if let Some(v) = &api_version {
                let allowed: &[&str] = if known == "Template" {
                    &[TEMPLATE_API_VERSION]
                } else {
                    CORE_API_VERSIONS
                };
                if !allowed.contains(&v.as_str()) {
                    problems.push(format!(
                        "apiVersion \"{v}\" is not supported for kind {known}, expected {}",
                        allowed.join(" or ")
                    ));
                }
            }
        }
        _ => {}
    }

    let metadata = match obj.get("metadata") {
        Some(Value::Object(m)) => Some(metadata::read(m, &mut problems)),
        None | Some(Value::Null) => {
            problems.push("metadata is required".into());
            None
        }
        Some(other) => {
            problems.push(format!(
                "metadata: expected a mapping, found {}",
                type_name(other)
            ));
            None
        }
    };

    let namespace = metadata
        .as_ref()
        .map_or("default", |m| m.namespace.as_str())
        .to_string();
    let spec = match obj.get("spec") {
        Some(Value::Object(s)) => {
            match (known_kind, &kind) {
                (Some(k), _) => check_spec(k, s, &namespace, &mut problems),
                (None, Some(k)) => check_ref_fields(k, s, &namespace, &mut problems),
                _ => {}
            }
            match copy_spec {
                true => Value::Object(s.clone()),
                false => Value::Null,
            }
        }
        // Backstage's envelope makes `spec` optional; only the built-in kinds require it.
        None | Some(Value::Null) if known_kind.is_none() && kind.is_some() => {
            Value::Object(Map::new())
        }
        None | Some(Value::Null) => {
            problems.push("spec is required".into());
            Value::Null
        }
        Some(other) => {
            problems.push(format!(
                "spec: expected a mapping, found {}",
                type_name(other)
            ));
            Value::Null
        }
    };

    let raw_name = obj
        .get("metadata")
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str);
    if problems.is_empty() {
        if let (Some(api_version), Some(kind), Some(metadata)) = (api_version, kind, metadata) {
            return Ok(Entity {
                api_version: SharedStr::interned(&api_version),
                kind: SharedStr::interned(&kind),
                metadata: metadata.into(),
                spec: std::sync::Arc::new(spec.into()),
            });
        }
    }
    let kind_lc = obj
        .get("kind")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    let label = match (&kind_lc, raw_name) {
        (Some(k), Some(n)) => Some(format!("{k} \"{n}\"")),
        (Some(k), None) => Some(k.clone()),
        _ => None,
    };
    let entity_ref = match (&kind_lc, raw_name) {
        (Some(k), Some(n)) if !k.is_empty() && !n.is_empty() => {
            Some(EntityRef::new(k, &namespace, n))
        }
        _ => None,
    };
    Err(Invalid {
        entity_ref,
        label,
        problems,
        is_descriptor,
    })
}

fn not_allowed(kind: &str) -> String {
    format!("kind \"{kind}\" is not allowed for this source by [[catalog.rules]] (add it to an `allow` list)")
}

/// A custom kind: Backstage's generic envelope only — the kind's syntax and an apiVersion of
/// the form `group/version` (both parts DNS-like).
fn check_custom_envelope(kind: &str, api_version: Option<&str>, problems: &mut Vec<String>) {
    if !is_valid_kind(kind) {
        problems.push(format!(
            "kind \"{kind}\" is not a valid kind (a letter, then letters and digits, at most 63)"
        ));
    }
    let Some(v) = api_version else { return };
    let valid = v.split_once('/').is_some_and(|(group, version)| {
        metadata::is_valid_api_group(group) && is_valid_namespace(version)
    });
    if !valid {
        problems.push(format!(
            "apiVersion \"{v}\" is not of the form group/version (e.g. backstage.io/v1alpha1)"
        ));
    }
}

/// Required spec fields and ref fields of each kind.
fn check_spec(kind: &str, spec: &Map<String, Value>, namespace: &str, problems: &mut Vec<String>) {
    let required: &[&str] = match kind {
        "Component" => &["type", "lifecycle", "owner"],
        "API" => &["type", "lifecycle", "owner"],
        "Resource" => &["type", "owner"],
        "System" | "Domain" => &["owner"],
        "Group" => &["type"],
        "Template" => &["type"],
        _ => &[],
    };
    for field in required {
        let path = format!("spec.{field}");
        if let Some(s) = required_str(spec, field, &path, problems) {
            if s.trim().is_empty() {
                problems.push(format!("{path} must not be empty"));
            }
        }
    }
    match kind {
        "API" => check_definition(spec, problems),
        "Group" => required_list(spec, "children", problems),
        "User" => required_list(spec, "memberOf", problems),
        "Location" => check_location(spec, problems),
        _ => {}
    }
    check_ref_fields(kind, spec, namespace, problems);
}

/// API types whose spec is structured instead of a `definition` text (Backstage's
/// `catalog-backend-module-ai-model`: `mcp-server` lists `remotes`).
const STRUCTURED_API_TYPES: &[&str] = &["mcp-server", "ai-model-server"];

/// `definition` is the API's text; a `$text`/`$json`/`$yaml` placeholder left in it (validation
/// without a source, e.g. a bare document) is accepted: reading a source resolves it first.
fn check_definition(spec: &Map<String, Value>, problems: &mut Vec<String>) {
    let api_type = spec.get("type").and_then(Value::as_str).unwrap_or_default();
    if STRUCTURED_API_TYPES.contains(&api_type) {
        if api_type == "mcp-server" {
            check_remotes(spec, problems);
        }
        return;
    }
    match spec.get("definition") {
        None | Some(Value::Null) => problems.push("spec.definition is required".into()),
        Some(Value::String(_)) => {}
        Some(Value::Object(o))
            if o.len() == 1
                && o.keys()
                    .all(|k| matches!(k.as_str(), "$text" | "$json" | "$yaml")) => {}
        Some(other) => problems.push(format!(
            "spec.definition: expected a string, found {}",
            type_name(other)
        )),
    }
}

/// `remotes: [{type, url}]` of an MCP server API.
fn check_remotes(spec: &Map<String, Value>, problems: &mut Vec<String>) {
    let remotes = match spec.get("remotes") {
        None | Some(Value::Null) => {
            problems.push("spec.remotes is required for an mcp-server API".into());
            return;
        }
        Some(Value::Array(remotes)) => remotes,
        Some(other) => {
            problems.push(format!(
                "spec.remotes: expected a list, found {}",
                type_name(other)
            ));
            return;
        }
    };
    for (i, remote) in remotes.iter().enumerate() {
        match remote.get("url") {
            Some(Value::String(_)) => {}
            None | Some(Value::Null) => problems.push(format!("spec.remotes[{i}].url is required")),
            Some(other) => problems.push(format!(
                "spec.remotes[{i}].url: expected a string, found {}",
                type_name(other)
            )),
        }
    }
}

fn check_location(spec: &Map<String, Value>, problems: &mut Vec<String>) {
    let mut any = false;
    match spec.get("target") {
        None | Some(Value::Null) => {}
        Some(Value::String(_)) => any = true,
        Some(other) => problems.push(format!(
            "spec.target: expected a string, found {}",
            type_name(other)
        )),
    }
    if let Some(items) = string_list(spec, "targets", problems) {
        any |= !items.is_empty();
    }
    if let Some(t) = spec.get("type") {
        if !t.is_string() && !t.is_null() {
            problems.push(format!(
                "spec.type: expected a string, found {}",
                type_name(t)
            ));
        }
    }
    if !any && !problems.iter().any(|p| p.starts_with("spec.target")) {
        problems.push("spec.target or spec.targets is required".into());
    }
}

/// Type checks and ref syntax of the fields relations are built from.
fn check_ref_fields(
    kind: &str,
    spec: &Map<String, Value>,
    namespace: &str,
    problems: &mut Vec<String>,
) {
    for field in fields_for(kind) {
        let items: Vec<(String, &str)> = if field.many {
            match string_list(spec, field.field, problems) {
                Some(items) => items
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| (format!("spec.{}[{i}]", field.field), s))
                    .collect(),
                None => continue,
            }
        } else {
            match spec.get(field.field) {
                None | Some(Value::Null) => continue,
                Some(Value::String(s)) => vec![(format!("spec.{}", field.field), s.as_str())],
                Some(other) => {
                    // Required fields (owner) were already type-checked: say it once.
                    let message = format!(
                        "spec.{}: expected a string, found {}",
                        field.field,
                        type_name(other)
                    );
                    if !problems.contains(&message) {
                        problems.push(message);
                    }
                    continue;
                }
            }
        };
        for (path, text) in items {
            if let Err(e) = parse_ref(text, field.default_kind, namespace) {
                problems.push(format!("{path}: {e}"));
            }
        }
    }
}

fn required_list(spec: &Map<String, Value>, key: &str, problems: &mut Vec<String>) {
    if matches!(spec.get(key), None | Some(Value::Null)) {
        problems.push(format!("spec.{key} is required (may be an empty list)"));
    }
}

/// A list of strings at `key` (absent = None); each wrong item is reported by index.
fn string_list<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
    problems: &mut Vec<String>,
) -> Option<Vec<&'a str>> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => out.push(s.as_str()),
                    other => problems.push(format!(
                        "spec.{key}[{i}]: expected a string, found {}",
                        type_name(other)
                    )),
                }
            }
            Some(out)
        }
        Some(other) => {
            problems.push(format!(
                "spec.{key}: expected a list of strings, found {}",
                type_name(other)
            ));
            None
        }
    }
}

/// `obj[key]` when it is a string; anything but a string or null is a problem.
fn optional_str(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    problems: &mut Vec<String>,
) -> Option<String> {
    match obj.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            problems.push(format!(
                "{path}: expected a string, found {}",
                type_name(other)
            ));
            None
        }
    }
}

/// Like [`optional_str`], and a missing value is a problem too.
fn required_str(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
    problems: &mut Vec<String>,
) -> Option<String> {
    if matches!(obj.get(key), None | Some(Value::Null)) {
        problems.push(format!("{path} is required"));
        return None;
    }
    optional_str(obj, key, path, problems)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests;

//! Argo CD's `ApplicationSet` (argoproj.io/v1alpha1): its generators (`list`, `git`
//! directories and files, `clusters`) produce parameter sets, and each renders the set's
//! template into one Application. The tree shows a set as a node whose children are the
//! Applications it generates. A set is hostile input like any manifest from Git: the count it
//! generates is bounded, the paths it reads stay in their checkout, and a generated name that
//! is not a valid Kubernetes name fails the set; every failure names the field.
//! Generators Atrium does not implement (`matrix`, `merge`, SCM, pull requests…) and
//! `templatePatch` are refused by name, never skipped.

mod cluster;
mod git;
mod list;
mod pattern;
pub mod template;

use std::collections::HashSet;
use std::rc::Rc;

use serde_json::Value;

use super::checkout::Checkout;
use super::destination::DestinationCluster;
use crate::resource::selector::{Requirement, Selector};
use template::Templating;

pub const KIND: &str = "ApplicationSet";

/// Applications one set may generate, whatever is left of the tree's `max_apps`: a template
/// over a large repository must not become tens of thousands of nodes.
pub const MAX_GENERATED: usize = 2_000;

/// One parameter set: flat dotted keys of strings (fasttemplate) or nested values (goTemplate).
pub type Params = serde_json::Map<String, Value>;

/// Opens a repository (`repoURL`) at a revision, or says why not.
pub type OpenRepo<'a> = dyn FnMut(&str, &str) -> Result<Rc<Checkout>, String> + 'a;

/// What generators read besides the set itself.
pub struct Inputs<'a> {
    /// The environment's clusters, for the `clusters` generator.
    pub clusters: &'a [DestinationCluster],
    /// A repository (`repoURL`) at a revision, for the `git` generator.
    pub checkout: &'a mut OpenRepo<'a>,
    /// Most Applications this set may generate.
    pub limit: usize,
}

/// Generators Argo CD has that Atrium does not render.
const UNSUPPORTED: &[&str] = &[
    "matrix",
    "merge",
    "scmProvider",
    "pullRequest",
    "clusterDecisionResource",
    "plugin",
];

/// Whether a rendered object's kind is one Atrium acts on itself rather than applies: an
/// Application or an ApplicationSet (both become nodes of the tree; neither goes to the cluster
/// unless the environment sets `apply_applications`).
pub fn is_app_kind(kind: &str) -> bool {
    kind == super::application::KIND || kind == KIND
}

/// Whether a rendered object is an Argo CD ApplicationSet.
pub fn is_application_set_value(manifest: &Value) -> bool {
    manifest["kind"] == KIND
        && manifest["apiVersion"]
            .as_str()
            .is_some_and(|v| v.starts_with("argoproj.io/"))
}

/// The Application manifests `set` generates, in generator order, or why it generates none.
pub fn generate(set: &Value, inputs: &mut Inputs<'_>) -> Result<Vec<Value>, String> {
    let spec = match &set["spec"] {
        Value::Object(spec) => spec,
        _ => return Err("spec is required".into()),
    };
    let t = templating(spec)?;
    if spec.get("templatePatch").is_some_and(|p| !p.is_null()) {
        return Err("spec.templatePatch is not supported (Atrium renders spec.template)".into());
    }
    let template = match spec.get("template") {
        Some(Value::Object(_)) => &spec["template"],
        _ => return Err("spec.template is required".into()),
    };
    let generators = match spec.get("generators") {
        Some(Value::Array(g)) if !g.is_empty() => g,
        _ => return Err("spec.generators: at least one generator is required".into()),
    };
    let limit = inputs.limit.min(MAX_GENERATED);
    let namespace = set["metadata"]["namespace"].clone();
    let mut apps = Vec::new();
    let mut names = HashSet::new();
    for (i, generator) in generators.iter().enumerate() {
        let at = format!("spec.generators[{i}]");
        let Value::Object(entry) = generator else {
            return Err(format!("{at}: expected a map"));
        };
        let kinds: Vec<&String> = entry.keys().filter(|k| *k != "selector").collect();
        let [kind] = kinds[..] else {
            return Err(format!(
                "{at}: expected exactly one generator, found {}",
                if kinds.is_empty() {
                    "none".to_string()
                } else {
                    kinds
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ));
        };
        let body = &entry[kind];
        let at = format!("{at}.{kind}");
        let mut params = match kind.as_str() {
            "list" => list::params(body, t, &at)?,
            "git" => git::params(body, t, &at, inputs, limit)?,
            "clusters" => cluster::params(body, t, &at, inputs.clusters)?,
            other if UNSUPPORTED.contains(&other) => {
                return Err(format!(
                    "{at}: unsupported generator {other} (Atrium renders the list, git and \
                     clusters generators)"
                ))
            }
            other => return Err(format!("{at}: unknown generator {other}")),
        };
        if let Some(selector) = entry.get("selector").filter(|s| !s.is_null()) {
            let selector = label_selector(selector, &format!("spec.generators[{i}].selector"))?;
            params.retain(|p| selector.matches(&string_params(p)));
        }
        if apps.len() + params.len() > limit {
            return Err(format!(
                "{at}: generates more than {limit} Applications (the limit of one set)"
            ));
        }
        let template = match body.get("template") {
            Some(own @ Value::Object(_)) => merged(own, template),
            _ => template.clone(),
        };
        for p in &params {
            let app = application(&template, p, t, &namespace).map_err(|e| format!("{at}: {e}"))?;
            let name = app["metadata"]["name"].as_str().unwrap_or_default();
            if !names.insert(name.to_string()) {
                return Err(format!(
                    "{at}: generates Application {name} twice (names must be unique in a set)"
                ));
            }
            apps.push(app);
        }
    }
    Ok(apps)
}

/// `spec.goTemplate` and `spec.goTemplateOptions`.
fn templating(spec: &serde_json::Map<String, Value>) -> Result<Templating, String> {
    let go = match spec.get("goTemplate") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("spec.goTemplate: expected true or false".into()),
    };
    let options = match spec.get("goTemplateOptions") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(_) => return Err("spec.goTemplateOptions: expected a list of strings".into()),
    };
    Ok(Templating {
        go,
        missing_key_error: options.iter().any(|o| o.trim() == "missingkey=error"),
    })
}

/// One Application from the template and one parameter set.
fn application(
    template: &Value,
    params: &Params,
    t: Templating,
    namespace: &Value,
) -> Result<Value, String> {
    let rendered = template::render_value(template, params, t)?;
    let mut metadata = match &rendered["metadata"] {
        Value::Object(m) => m.clone(),
        Value::Null => serde_json::Map::new(),
        _ => return Err("template.metadata: expected a map".into()),
    };
    let name = metadata.get("name").and_then(Value::as_str).unwrap_or("");
    check_name(name)?;
    if !metadata.contains_key("namespace") && !namespace.is_null() {
        metadata.insert("namespace".into(), namespace.clone());
    }
    Ok(serde_json::json!({
        "apiVersion": super::application::API_VERSION,
        "kind": super::application::KIND,
        "metadata": metadata,
        "spec": rendered["spec"].clone(),
    }))
}

/// A Kubernetes object name (RFC 1123 subdomain), as Argo CD requires of an Application.
fn check_name(name: &str) -> Result<(), String> {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let valid = !name.is_empty()
        && name.len() <= 253
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && edge(name.chars().next())
        && edge(name.chars().last());
    if valid {
        return Ok(());
    }
    let shown: String = name.chars().take(80).collect();
    Err(format!(
        "generated Application name {shown:?} is not a valid name (lowercase letters, digits, \
         '-' and '.', starting and ending with a letter or digit, at most 253)"
    ))
}

/// `own` (a generator's template) over `base` (the set's): maps merge, `own`'s non-empty
/// values win, as Argo CD merges them.
fn merged(own: &Value, base: &Value) -> Value {
    match (own, base) {
        (Value::Object(o), Value::Object(b)) => {
            let mut out = b.clone();
            for (k, v) in o {
                let value = match b.get(k) {
                    Some(bv) => merged(v, bv),
                    None => v.clone(),
                };
                out.insert(k.clone(), value);
            }
            Value::Object(out)
        }
        (Value::Null, b) => b.clone(),
        (Value::String(s), b) if s.is_empty() => b.clone(),
        (o, _) => o.clone(),
    }
}

/// The string-valued parameters, for a generator's `selector`.
fn string_params(params: &Params) -> std::collections::BTreeMap<String, String> {
    params
        .iter()
        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
        .collect()
}

/// A Kubernetes `LabelSelector` (`matchLabels`, `matchExpressions`).
fn label_selector(value: &Value, at: &str) -> Result<Selector, String> {
    let mut reqs = Vec::new();
    match &value["matchLabels"] {
        Value::Null => {}
        Value::Object(labels) => {
            for (k, v) in labels {
                let v = v
                    .as_str()
                    .ok_or_else(|| format!("{at}.matchLabels.{k}: expected a string"))?;
                reqs.push(Requirement::Equals(k.clone(), v.to_string()));
            }
        }
        _ => return Err(format!("{at}.matchLabels: expected a map")),
    }
    match &value["matchExpressions"] {
        Value::Null => {}
        Value::Array(exprs) => {
            for (i, e) in exprs.iter().enumerate() {
                let at = format!("{at}.matchExpressions[{i}]");
                let key = e["key"]
                    .as_str()
                    .ok_or_else(|| format!("{at}.key: expected a string"))?
                    .to_string();
                let values: Vec<String> = match &e["values"] {
                    Value::Null => Vec::new(),
                    Value::Array(vs) => vs
                        .iter()
                        .map(|v| v.as_str().map(str::to_string))
                        .collect::<Option<_>>()
                        .ok_or_else(|| format!("{at}.values: expected strings"))?,
                    _ => return Err(format!("{at}.values: expected a list")),
                };
                reqs.push(match e["operator"].as_str() {
                    Some("In") => Requirement::In(key, values),
                    Some("NotIn") => Requirement::NotIn(key, values),
                    Some("Exists") => Requirement::Exists(key),
                    Some("DoesNotExist") => Requirement::NotExists(key),
                    other => {
                        return Err(format!(
                            "{at}.operator: expected In, NotIn, Exists or DoesNotExist, got {}",
                            other.unwrap_or("nothing")
                        ))
                    }
                });
            }
        }
        _ => return Err(format!("{at}.matchExpressions: expected a list")),
    }
    Ok(Selector(reqs))
}

#[cfg(test)]
mod tests;

//! The `git` generator: a repository (`repoURL`, mapped like every repoURL) at `revision`.
//! `directories`: each directory matching a `path` pattern (Go `path.Match`), minus those
//! matching an `exclude: true` one, gives `path`, `path.basename`, `path.basenameNormalized`
//! and `path[N]`. `files`: each matching JSON or YAML file gives its content's keys (flattened
//! with dots without goTemplate; an array gives one parameter set per element) plus `path`
//! (the file's directory), `path.basename`, `path.filename`, their normalized forms and
//! `path[N]`. Every path read comes from the checkout's own listing.

use std::collections::BTreeSet;

use serde_json::Value;

use super::pattern::Pattern;
use super::template::{append_values, flatten_into, sanitize_name, Templating};
use super::{Inputs, Params};

pub(super) fn params(
    body: &Value,
    t: Templating,
    at: &str,
    inputs: &mut Inputs<'_>,
    limit: usize,
) -> Result<Vec<Params>, String> {
    let repo_url = body["repoURL"]
        .as_str()
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| format!("{at}.repoURL is required"))?;
    let revision = match &body["revision"] {
        Value::Null => "HEAD",
        Value::String(r) if r.trim().is_empty() => "HEAD",
        Value::String(r) => r.as_str(),
        _ => return Err(format!("{at}.revision: expected a string")),
    };
    let prefix = match &body["pathParamPrefix"] {
        Value::Null => "",
        Value::String(p) => p.as_str(),
        _ => return Err(format!("{at}.pathParamPrefix: expected a string")),
    };
    let (items, files) = match (&body["directories"], &body["files"]) {
        (Value::Array(d), _) if !d.is_empty() => (d, false),
        (_, Value::Array(f)) if !f.is_empty() => (f, true),
        _ => return Err(format!("{at}: `directories` or `files` is required")),
    };
    let field = if files { "files" } else { "directories" };
    let mut include = Vec::new();
    let mut exclude = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("{at}.{field}[{i}]");
        let path = item["path"]
            .as_str()
            .ok_or_else(|| format!("{at}.path is required"))?;
        let pattern = Pattern::parse(path, files).map_err(|e| format!("{at}.path: {e}"))?;
        match &item["exclude"] {
            Value::Bool(true) => exclude.push(pattern),
            Value::Bool(false) | Value::Null => include.push(pattern),
            _ => return Err(format!("{at}.exclude: expected true or false")),
        }
    }
    let checkout = (inputs.checkout)(repo_url, revision).map_err(|e| format!("{at}: {e}"))?;
    let all_files = checkout.files_under("").map_err(|e| format!("{at}: {e}"))?;
    let wanted =
        |p: &str| include.iter().any(|i| i.matches(p)) && !exclude.iter().any(|e| e.matches(p));
    let too_many = || format!("{at}: matches more than {limit} paths (the limit of one set)");
    let mut out = Vec::new();
    if !files {
        let dirs: BTreeSet<&str> = all_files.iter().flat_map(|f| ancestors(f)).collect();
        for dir in dirs.into_iter().filter(|d| wanted(d)) {
            if out.len() >= limit {
                return Err(too_many());
            }
            let mut params = path_params(dir, None, t, prefix);
            append_values(&body["values"], &mut params, t, at)?;
            out.push(params);
        }
        return Ok(out);
    }
    for file in all_files.iter().filter(|f| wanted(f)) {
        let bytes = checkout.read(file).map_err(|e| format!("{at}: {e}"))?;
        for object in objects(file, &bytes)? {
            if out.len() >= limit {
                return Err(too_many());
            }
            let dir = parent(file);
            let mut params = if t.go {
                object
            } else {
                let mut flat = Params::new();
                flatten_into(&Value::Object(object), "", &mut flat);
                flat
            };
            for (k, v) in path_params(dir, Some(file), t, prefix) {
                params.insert(k, v);
            }
            append_values(&body["values"], &mut params, t, at)?;
            out.push(params);
        }
    }
    Ok(out)
}

/// Every directory a file sits in, outermost first (the root excluded).
fn ancestors(file: &str) -> impl Iterator<Item = &str> {
    file.match_indices('/').map(move |(i, _)| &file[..i])
}

/// Go's `path.Dir` of a repository path: `.` for a top-level file.
fn parent(file: &str) -> &str {
    file.rfind('/').map_or(".", |i| &file[..i])
}

fn basename(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// `path`, `path.basename`, … for a directory (and the file in it).
fn path_params(dir: &str, file: Option<&str>, t: Templating, prefix: &str) -> Params {
    let s = |v: &str| Value::String(v.to_string());
    let segments: Vec<&str> = dir.split('/').collect();
    let mut out = Params::new();
    if t.go {
        let mut path = Params::new();
        path.insert("path".into(), s(dir));
        path.insert("basename".into(), s(basename(dir)));
        path.insert(
            "basenameNormalized".into(),
            s(&sanitize_name(basename(dir))),
        );
        if let Some(file) = file {
            path.insert("filename".into(), s(basename(file)));
            path.insert(
                "filenameNormalized".into(),
                s(&sanitize_name(basename(file))),
            );
        }
        path.insert(
            "segments".into(),
            Value::Array(segments.iter().map(|v| s(v)).collect()),
        );
        let path = Value::Object(path);
        if prefix.is_empty() {
            out.insert("path".into(), path);
        } else {
            let mut wrapped = Params::new();
            wrapped.insert("path".into(), path);
            out.insert(prefix.into(), Value::Object(wrapped));
        }
        return out;
    }
    let name = if prefix.is_empty() {
        "path".to_string()
    } else {
        format!("{prefix}.path")
    };
    out.insert(name.clone(), s(dir));
    out.insert(format!("{name}.basename"), s(basename(dir)));
    out.insert(
        format!("{name}.basenameNormalized"),
        s(&sanitize_name(basename(dir))),
    );
    if let Some(file) = file {
        out.insert(format!("{name}.filename"), s(basename(file)));
        out.insert(
            format!("{name}.filenameNormalized"),
            s(&sanitize_name(basename(file))),
        );
    }
    for (i, segment) in segments.iter().enumerate() {
        if !segment.is_empty() {
            out.insert(format!("{name}[{i}]"), s(segment));
        }
    }
    out
}

/// A parameter file's objects: one map, or a list of maps (an empty file is one empty map).
fn objects(file: &str, bytes: &[u8]) -> Result<Vec<Params>, String> {
    use crate::gitops::render::objects::{parse_json, parse_yaml};
    let docs = if file.ends_with(".json") {
        parse_json(file, bytes)?
    } else {
        parse_yaml(file, bytes)?
    };
    let items: Vec<Value> = match docs.len() {
        0 => vec![Value::Object(Params::new())],
        1 => match docs.into_iter().next() {
            Some(Value::Array(items)) => items,
            Some(other) => vec![other],
            None => Vec::new(),
        },
        // `parse_json` spreads a top-level array; YAML's second document is an error.
        _ if file.ends_with(".json") => docs,
        _ => return Err(format!("{file}: more than one YAML document")),
    };
    items
        .into_iter()
        .map(|item| match item {
            Value::Object(map) => Ok(map),
            _ => Err(format!("{file}: expected a map, or a list of maps")),
        })
        .collect()
}

#[cfg(test)]
#[path = "git_tests.rs"]
mod tests;

//! Rendering an ApplicationSet's template with one set of generator parameters, as Argo CD
//! does: every string of the template (map keys excepted) is rendered on its own. Two modes:
//! the default fasttemplate one (`{{param}}`, flat dotted keys; an unknown tag stays as it is)
//! and `goTemplate: true`, of which Atrium renders plain field references (`{{.path.basename}}`,
//! `{{- .a -}}`) and refuses functions and pipelines rather than render them wrong.

use serde_json::Value;

use super::Params;

/// How a set's templates are rendered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Templating {
    /// `spec.goTemplate`.
    pub go: bool,
    /// `spec.goTemplateOptions: ["missingkey=error"]`: a missing key fails the set instead of
    /// rendering Go's `<no value>`.
    pub missing_key_error: bool,
}

/// `template` with every string rendered against `params`.
pub fn render_value(template: &Value, params: &Params, t: Templating) -> Result<Value, String> {
    Ok(match template {
        Value::String(s) => Value::String(render_str(s, params, t)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render_value(v, params, t))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), render_value(v, params, t)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// One string rendered against `params`.
pub fn render_str(text: &str, params: &Params, t: Templating) -> Result<String, String> {
    if !text.contains("{{") {
        return Ok(text.to_string());
    }
    if t.go {
        go_template(text, params, t.missing_key_error)
    } else {
        fast_template(text, params)
    }
}

/// Argo CD's default: `{{ key }}` (spaces trimmed) is the parameter's string value; a tag with
/// no string parameter of that name is left as written.
fn fast_template(text: &str, params: &Params) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            return Err(format!("{}: `{{{{` without a closing `}}}}`", shown(text)));
        };
        let tag = &after[..end];
        match params.get(tag.trim()).and_then(Value::as_str) {
            Some(value) if !tag.trim().is_empty() => out.push_str(value),
            _ => {
                out.push_str("{{");
                out.push_str(tag);
                out.push_str("}}");
            }
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Go's text/template, for field references only.
fn go_template(text: &str, params: &Params, missing_key_error: bool) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let mut literal = &rest[..start];
        let mut action = &rest[start + 2..];
        // `{{- ` trims the space before the action, ` -}}` the space after it.
        if let Some(trimmed) = action.strip_prefix("- ") {
            literal = literal.trim_end();
            action = trimmed;
        }
        out.push_str(literal);
        let Some(end) = action.find("}}") else {
            return Err(format!("{}: `{{{{` without a closing `}}}}`", shown(text)));
        };
        let (mut body, mut after) = (&action[..end], &action[end + 2..]);
        if let Some(trimmed) = body.strip_suffix(" -") {
            body = trimmed;
            after = after.trim_start();
        }
        let body = body.trim();
        if !(body.starts_with("/*") && body.ends_with("*/")) {
            out.push_str(&field(body, params, missing_key_error)?);
        }
        rest = after;
    }
    out.push_str(rest);
    Ok(out)
}

/// The value of `.a.b.c`.
fn field(action: &str, params: &Params, missing_key_error: bool) -> Result<String, String> {
    let names: Option<Vec<&str>> = action
        .strip_prefix('.')
        .map(|path| path.split('.').collect());
    let valid = |name: &&str| {
        let mut chars = name.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && chars.all(|c| c.is_alphanumeric() || c == '_')
    };
    let Some(names) = names.filter(|n| n.iter().all(valid)) else {
        return Err(format!(
            "goTemplate `{{{{{}}}}}` is not supported: Atrium renders field references such as \
             {{{{.path.basename}}}}, not Go template functions, pipelines or control structures",
            shown(action)
        ));
    };
    let mut at: Option<&Value> = None;
    for (i, name) in names.iter().enumerate() {
        let map = match at {
            None => Some(params),
            Some(Value::Object(map)) => Some(map),
            Some(Value::Null) => None,
            Some(_) => {
                return Err(format!(
                    "goTemplate {{{{{action}}}}}: .{} is not a map",
                    names[..i].join(".")
                ))
            }
        };
        match map.and_then(|m| m.get(*name)) {
            Some(value) => at = Some(value),
            None if missing_key_error => {
                return Err(format!(
                    "goTemplate {{{{{action}}}}}: map has no entry for key {name:?} \
                     (missingkey=error)"
                ))
            }
            None => return Ok("<no value>".into()),
        }
    }
    match at {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(Value::Bool(b)) => Ok(b.to_string()),
        Some(Value::Null) | None => Ok("<no value>".into()),
        Some(_) => Err(format!(
            "goTemplate {{{{{action}}}}} is a list or a map, not a value (functions such as \
             index or toJson are not supported)"
        )),
    }
}

/// At most 100 characters of a template, for a message.
fn shown(text: &str) -> String {
    let cut: String = text.chars().take(100).collect();
    if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// Argo CD's `SanitizeName`: lowercase, every character but `a-z0-9-.` becomes `-`, at most
/// 253 characters, no leading or trailing `-` or `.`.
pub fn sanitize_name(name: &str) -> String {
    let mapped: String = name
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .take(253)
        .collect();
    mapped.trim_matches(|c| c == '-' || c == '.').to_string()
}

/// Nested maps and lists as flat `a.b.0` keys with string values (Argo CD's flattening of a
/// Git file's parameters for fasttemplate).
pub fn flatten_into(value: &Value, prefix: &str, out: &mut Params) {
    let key = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                flatten_into(v, &key(k), out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                flatten_into(v, &key(&i.to_string()), out);
            }
        }
        _ if prefix.is_empty() => {}
        other => {
            out.insert(prefix.to_string(), Value::String(plain(other)));
        }
    }
}

/// A scalar as Go's `%v` prints it.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        Value::Object(_) => "map[]".into(),
        Value::Array(_) => "[]".into(),
        other => other.to_string(),
    }
}

/// A generator's `values` (strings, themselves templates) rendered against `params` and added
/// to them: `values.<k>` in fasttemplate mode, a `values` map in goTemplate mode.
pub fn append_values(
    values: &Value,
    params: &mut Params,
    t: Templating,
    at: &str,
) -> Result<(), String> {
    let map = match values {
        Value::Null => return Ok(()),
        Value::Object(map) => map,
        _ => return Err(format!("{at}.values: expected a map of strings")),
    };
    let mut rendered = Params::new();
    for (k, v) in map {
        let Some(text) = v.as_str() else {
            return Err(format!("{at}.values.{k}: expected a string"));
        };
        rendered.insert(k.clone(), Value::String(render_str(text, params, t)?));
    }
    if t.go {
        params.insert("values".into(), Value::Object(rendered));
    } else {
        for (k, v) in rendered {
            params.insert(format!("values.{k}"), v);
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;

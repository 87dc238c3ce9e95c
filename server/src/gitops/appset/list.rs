//! The `list` generator: each element of `elements` (and of the YAML list `elementsYaml`) is
//! one parameter set. In fasttemplate mode an element's values must be strings, except
//! `values`, a map of strings given as `values.<k>` (Argo CD's rule).

use serde_json::Value;

use super::template::Templating;
use super::Params;

/// Longer `elementsYaml` texts are refused unread.
const MAX_ELEMENTS_YAML: usize = 1024 * 1024;

pub(super) fn params(body: &Value, t: Templating, at: &str) -> Result<Vec<Params>, String> {
    let mut out = Vec::new();
    match &body["elements"] {
        Value::Null => {}
        Value::Array(elements) => {
            for (i, element) in elements.iter().enumerate() {
                let at = format!("{at}.elements[{i}]");
                let Value::Object(element) = element else {
                    return Err(format!("{at}: expected a map"));
                };
                out.push(if t.go {
                    element.clone()
                } else {
                    flat_strings(element, &at)?
                });
            }
        }
        _ => return Err(format!("{at}.elements: expected a list")),
    }
    match &body["elementsYaml"] {
        Value::Null => {}
        Value::String(text) if text.trim().is_empty() => {}
        Value::String(text) => {
            if text.len() > MAX_ELEMENTS_YAML {
                return Err(format!("{at}.elementsYaml: larger than 1 MB"));
            }
            let docs = crate::gitops::render::objects::parse_yaml(
                &format!("{at}.elementsYaml"),
                text.as_bytes(),
            )?;
            let items = match docs.as_slice() {
                [Value::Array(items)] => items,
                _ => return Err(format!("{at}.elementsYaml: expected a YAML list of maps")),
            };
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::Object(map) => out.push(map.clone()),
                    _ => return Err(format!("{at}.elementsYaml[{i}]: expected a map")),
                }
            }
        }
        _ => return Err(format!("{at}.elementsYaml: expected a string")),
    }
    Ok(out)
}

/// An element's values as strings, `values` spread into `values.<k>`.
fn flat_strings(element: &Params, at: &str) -> Result<Params, String> {
    let mut params = Params::new();
    for (key, value) in element {
        match (key.as_str(), value) {
            ("values", Value::Object(values)) => {
                for (k, v) in values {
                    let v = v
                        .as_str()
                        .ok_or_else(|| format!("{at}.values.{k}: expected a string"))?;
                    params.insert(format!("values.{k}"), Value::String(v.into()));
                }
            }
            ("values", _) => return Err(format!("{at}.values: expected a map of strings")),
            (_, Value::String(s)) => {
                params.insert(key.clone(), Value::String(s.clone()));
            }
            _ => {
                return Err(format!(
                    "{at}.{key}: expected a string (without goTemplate, list elements are \
                     strings)"
                ))
            }
        }
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn elements_and_elements_yaml_give_one_parameter_set_each() {
        let body = json!({
            "elements": [
                {"cluster": "dev", "url": "https://dev", "values": {"replicas": "1"}},
                {"cluster": "prod", "url": "https://prod"},
            ],
            "elementsYaml": "- cluster: edge\n  url: https://edge\n",
        });
        let params = params(&body, Templating::default(), "g").unwrap();
        assert_eq!(params.len(), 3);
        assert_eq!(params[0]["cluster"], "dev");
        assert_eq!(params[0]["values.replicas"], "1");
        assert_eq!(params[1]["url"], "https://prod");
        assert_eq!(params[2]["cluster"], "edge");
    }

    #[test]
    fn non_string_values_need_go_template_and_bad_shapes_name_the_field() {
        let body = json!({"elements": [{"cluster": "dev", "replicas": 2}]});
        let err = params(&body, Templating::default(), "g").unwrap_err();
        assert!(
            err.contains("g.elements[0].replicas: expected a string"),
            "{err}"
        );
        let go = Templating {
            go: true,
            ..Default::default()
        };
        assert_eq!(params(&body, go, "g").unwrap()[0]["replicas"], 2);

        let err = params(&json!({"elements": "x"}), go, "g").unwrap_err();
        assert!(err.contains("g.elements: expected a list"), "{err}");
        let err = params(&json!({"elementsYaml": "a: b"}), go, "g").unwrap_err();
        assert!(err.contains("expected a YAML list of maps"), "{err}");
    }
}

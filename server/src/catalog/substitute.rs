//! Backstage's placeholders in descriptors: a mapping with one key `$text`, `$json` or `$yaml`
//! and a string value is replaced by the named file's text, or its parsed JSON or YAML (as
//! Backstage's `PlaceholderProcessor` does). Any other `$key` is left as written. Reading is
//! the caller's: it resolves the target inside the source or through an allowed URL, refuses
//! anything else, and may leave a target as written (a URL Atrium does not read).

use std::fmt::Write as _;

use serde_json::Value;

use super::reader::{parse_documents, MAX_FILE_BYTES};

/// Placeholders one document may use: each reads a file, and a descriptor that names
/// thousands is a mistake or an attack on the refresh.
pub const MAX_PLACEHOLDERS: usize = 64;

/// Reads a placeholder's target (the string as written) or says why it cannot; `Ok(None)`
/// leaves the placeholder as written.
pub type ReadTarget<'a> = dyn FnMut(&str) -> Result<Option<Vec<u8>>, String> + 'a;

/// Replaces every placeholder in `doc`; one problem per placeholder that could not be
/// resolved, naming its field and target. Returns the problems and how many placeholders
/// were read or failed (those left as written do not count).
pub fn substitute(doc: &mut Value, read: &mut ReadTarget<'_>) -> (Vec<String>, usize) {
    let mut walk = Walk {
        read,
        problems: Vec::new(),
        found: 0,
        seen: 0,
    };
    walk.value(doc, &mut String::new());
    (walk.problems, walk.found)
}

struct Walk<'r, 'a> {
    read: &'r mut ReadTarget<'a>,
    problems: Vec<String>,
    found: usize,
    /// Every placeholder met, for the limit.
    seen: usize,
}

impl Walk<'_, '_> {
    /// `path` is the field's path, grown and cut back in place: every document is walked, and
    /// a string per field would cost more than the walk.
    fn value(&mut self, value: &mut Value, path: &mut String) {
        if let Some((kind, target)) = placeholder(value) {
            self.seen += 1;
            if self.seen > MAX_PLACEHOLDERS {
                if self.seen == MAX_PLACEHOLDERS + 1 {
                    self.problems.push(format!(
                        "more than {MAX_PLACEHOLDERS} $text/$json/$yaml placeholders in one document"
                    ));
                }
                return;
            }
            match self.resolve(kind, &target) {
                Ok(None) => {}
                Ok(Some(resolved)) => {
                    self.found += 1;
                    *value = resolved;
                }
                Err(e) => {
                    self.found += 1;
                    self.problems
                        .push(format!("{path}: ${kind} \"{target}\": {e}"));
                }
            }
            return;
        }
        match value {
            Value::Object(map) => {
                let len = path.len();
                for (key, item) in map.iter_mut() {
                    if len > 0 {
                        path.push('.');
                    }
                    path.push_str(key);
                    self.value(item, path);
                    path.truncate(len);
                }
            }
            Value::Array(items) => {
                let len = path.len();
                for (i, item) in items.iter_mut().enumerate() {
                    let _ = write!(path, "[{i}]");
                    self.value(item, path);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }

    fn resolve(&mut self, kind: &str, target: &str) -> Result<Option<Value>, String> {
        let Some(bytes) = (self.read)(target)? else {
            return Ok(None);
        };
        if bytes.len() > MAX_FILE_BYTES {
            return Err(format!(
                "file is larger than the {} MB limit",
                MAX_FILE_BYTES / (1024 * 1024)
            ));
        }
        let text = String::from_utf8(bytes).map_err(|_| "file is not UTF-8 text".to_string())?;
        let value = match kind {
            "text" => Value::String(text),
            "json" => serde_json::from_str(&text).map_err(|e| format!("not valid JSON: {e}"))?,
            _ => {
                let mut docs = parse_documents(&text).map_err(|e| e.to_string())?;
                match docs.len() {
                    0 => Value::Null,
                    1 => docs.remove(0).1,
                    n => return Err(format!("expected one YAML document, found {n}")),
                }
            }
        };
        Ok(Some(value))
    }
}

/// `{"$text": "./x"}` and its kin; the resolved value is never searched again.
fn placeholder(value: &Value) -> Option<(&'static str, String)> {
    let map = value.as_object().filter(|m| m.len() == 1)?;
    let (key, target) = map.iter().next()?;
    let kind = match key.as_str() {
        "$text" => "text",
        "$json" => "json",
        "$yaml" => "yaml",
        _ => return None,
    };
    Some((kind, target.as_str()?.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn files(path: &str) -> Result<Option<Vec<u8>>, String> {
        if path.contains("://") {
            return Ok(None);
        }
        files_in(path).map(Some)
    }

    fn files_in(path: &str) -> Result<Vec<u8>, String> {
        match path {
            "./api.yaml" => Ok(b"openapi: 3.0.0\ninfo: {title: t}\n".to_vec()),
            "api.json" => Ok(br#"{"openapi": "3.0.0"}"#.to_vec()),
            "README.md" => Ok(b"# hello\n".to_vec()),
            "two.yaml" => Ok(b"a: 1\n---\nb: 2\n".to_vec()),
            _ => Err("not found".into()),
        }
    }

    #[test]
    fn replaces_text_json_and_yaml() {
        let mut doc = json!({"spec": {
            "definition": {"$text": "README.md"},
            "parsed": [{"$json": "api.json"}, {"$yaml": "./api.yaml"}],
            "other": {"$ref": "x"},
            "two_keys": {"$text": "README.md", "b": 1},
            "remote": {"$text": "https://example.com/api.yaml"},
        }});
        let (problems, found) = substitute(&mut doc, &mut files);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(found, 3);
        assert_eq!(doc["spec"]["definition"], "# hello\n");
        assert_eq!(doc["spec"]["parsed"][0]["openapi"], "3.0.0");
        assert_eq!(doc["spec"]["parsed"][1]["info"]["title"], "t");
        assert_eq!(doc["spec"]["other"], json!({"$ref": "x"}));
        assert_eq!(doc["spec"]["two_keys"]["b"], 1);
        assert_eq!(
            doc["spec"]["remote"]["$text"],
            "https://example.com/api.yaml"
        );
    }

    #[test]
    fn problems_name_field_and_target() {
        let mut doc = json!({"spec": {"definition": {"$json": "missing.json"},
            "x": [{"$yaml": "two.yaml"}, {"$json": "README.md"}]}});
        let (problems, _) = substitute(&mut doc, &mut files);
        assert_eq!(
            problems[0],
            "spec.definition: $json \"missing.json\": not found"
        );
        assert!(problems[1].starts_with("spec.x[0]: $yaml \"two.yaml\": expected one YAML"));
        assert!(problems[2].starts_with("spec.x[1]: $json \"README.md\": not valid JSON"));
    }

    #[test]
    fn too_many_placeholders_stop() {
        let items: Vec<Value> = (0..200).map(|_| json!({"$text": "README.md"})).collect();
        let mut doc = json!({ "spec": { "items": items } });
        let mut reads = 0;
        let (problems, _) = substitute(&mut doc, &mut |p| {
            reads += 1;
            files(p)
        });
        assert_eq!(reads, MAX_PLACEHOLDERS);
        assert_eq!(problems.len(), 1);
    }
}

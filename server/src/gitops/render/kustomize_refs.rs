//! What a kustomization may name. Kustomize itself keeps files inside each kustomization's
//! directory, but follows directories (`resources: [../../somewhere]`) anywhere on the disk
//! and fetches remote bases from the network. A repository is hostile input, so before the tool
//! runs, every path a kustomization names (and the kustomizations those lead to) must resolve
//! to a file or directory of the repository copy.

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;

use super::objects::parse_yaml;
use super::KUSTOMIZATION_FILES;
use crate::gitops::checkout::join_inside;

/// Fields whose entries are paths (a file or a directory).
const PATH_LISTS: &[&str] = &[
    "resources",
    "bases",
    "components",
    "crds",
    "patchesStrategicMerge",
    "configurations",
];
/// Fields whose entries are paths or inline YAML (a plugin configuration).
const PLUGIN_LISTS: &[&str] = &["transformers", "generators", "validators"];
/// Fields holding a list of objects with a `path`.
const PATH_OBJECTS: &[&str] = &["patches", "patchesJson6902", "replacements"];
/// Most kustomizations followed from one app, against a maze of bases.
const MAX_KUSTOMIZATIONS: usize = 1_000;

/// Checks the kustomization in `dir` (repository-relative, inside `root`, the copy) and every
/// kustomization it leads to. The error names the file, the field and the entry.
pub fn check_references(root: &Path, dir: &str) -> Result<(), String> {
    let mut seen = HashSet::new();
    let mut queue = vec![dir.to_string()];
    while let Some(dir) = queue.pop() {
        if !seen.insert(dir.clone()) {
            continue;
        }
        if seen.len() > MAX_KUSTOMIZATIONS {
            return Err(format!(
                "more than {MAX_KUSTOMIZATIONS} kustomizations reached from this app"
            ));
        }
        let Some((file, doc)) = read_kustomization(root, &dir)? else {
            continue;
        };
        for entry in entries(&doc) {
            let where_ = || format!("{file}: {} entry {:?}", entry.field, entry.value);
            let resolved = join_inside(&dir, entry.value).map_err(|_| {
                format!(
                    "{} leaves the repository (remote and absolute references are not followed)",
                    where_()
                )
            })?;
            let full = root.join(&resolved);
            if full.is_dir() {
                queue.push(resolved);
            } else if !full.is_file() {
                return Err(format!(
                    "{} is not in the repository (remote bases are not fetched)",
                    where_()
                ));
            }
        }
    }
    Ok(())
}

fn read_kustomization(root: &Path, dir: &str) -> Result<Option<(String, Value)>, String> {
    for name in KUSTOMIZATION_FILES {
        let file = if dir.is_empty() {
            name.to_string()
        } else {
            format!("{dir}/{name}")
        };
        let full = root.join(&file);
        if !full.is_file() {
            continue;
        }
        let bytes = std::fs::read(&full).map_err(|e| format!("{file}: {e}"))?;
        let doc = parse_yaml(&file, &bytes)?.into_iter().next();
        return Ok(doc.map(|doc| (file, doc)));
    }
    Ok(None)
}

struct Entry<'a> {
    field: String,
    value: &'a str,
}

/// Every path-like entry of one kustomization.
fn entries(doc: &Value) -> Vec<Entry<'_>> {
    let mut out = Vec::new();
    for field in PATH_LISTS {
        for value in strings(doc.get(*field)) {
            out.push(Entry {
                field: field.to_string(),
                value,
            });
        }
    }
    for field in PLUGIN_LISTS {
        // An inline plugin configuration is YAML text, not a path.
        for value in strings(doc.get(*field))
            .into_iter()
            .filter(|v| !v.contains('\n'))
        {
            out.push(Entry {
                field: field.to_string(),
                value,
            });
        }
    }
    for field in PATH_OBJECTS {
        for item in doc
            .get(*field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(value) = item.get("path").and_then(Value::as_str) {
                out.push(Entry {
                    field: format!("{field}[].path"),
                    value,
                });
            }
        }
    }
    if let Some(value) = doc.pointer("/openapi/path").and_then(Value::as_str) {
        out.push(Entry {
            field: "openapi.path".into(),
            value,
        });
    }
    for field in ["configMapGenerator", "secretGenerator"] {
        for item in doc
            .get(field)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            // `files` entries may be `key=path`.
            for value in strings(item.get("files")) {
                let value = value.split_once('=').map_or(value, |(_, path)| path);
                out.push(Entry {
                    field: format!("{field}[].files"),
                    value,
                });
            }
            for value in strings(item.get("envs"))
                .into_iter()
                .chain(item.get("env").and_then(Value::as_str))
            {
                out.push(Entry {
                    field: format!("{field}[].envs"),
                    value,
                });
            }
        }
    }
    out
}

/// The strings of a list field (absent or another shape: none).
fn strings(v: Option<&Value>) -> Vec<&str> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, file: &str, text: &str) {
        let path = root.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn bases_and_files_inside_the_repository_pass() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "base/kustomization.yaml",
            "resources: [deploy.yaml]\n",
        );
        write(root, "base/deploy.yaml", "kind: Deployment\n");
        write(
            root,
            "overlays/prod/kustomization.yaml",
            "resources: [../../base]\npatches:\n- path: patch.yaml\nconfigMapGenerator:\n- name: c\n  files: [app.properties, key=other.txt]\ntransformers:\n- |\n  apiVersion: builtin\n  kind: LabelTransformer\n",
        );
        write(root, "overlays/prod/patch.yaml", "kind: Deployment\n");
        write(root, "overlays/prod/app.properties", "a=1\n");
        write(root, "overlays/prod/other.txt", "x\n");
        check_references(root, "overlays/prod").unwrap();
    }

    #[test]
    fn references_out_of_the_repository_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        for (entry, why) in [
            ("resources: [../../../outside]", "leaves the repository"),
            ("resources: [/etc]", "leaves the repository"),
            (
                "resources: [https://github.com/org/repo//base?ref=v1]",
                "leaves the repository",
            ),
            (
                "resources: [github.com/org/repo//base?ref=v1]",
                "not in the repository",
            ),
            ("components: [../../../c]", "leaves the repository"),
            ("patches:\n- path: /etc/passwd", "leaves the repository"),
            (
                "secretGenerator:\n- name: s\n  files: [key=../../../../etc/shadow]",
                "leaves the repository",
            ),
        ] {
            write(&root, "apps/web/kustomization.yaml", entry);
            let error = check_references(&root, "apps/web").unwrap_err();
            assert!(
                error.starts_with("apps/web/kustomization.yaml: "),
                "{error}"
            );
            assert!(error.contains(why), "{entry}: {error}");
        }
    }

    #[test]
    fn a_base_leading_out_is_refused_too() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            "apps/web/kustomization.yaml",
            "resources: [../../base]\n",
        );
        write(root, "base/kustomization.yaml", "resources: [../../x]\n");
        let error = check_references(root, "apps/web").unwrap_err();
        assert!(
            error.starts_with("base/kustomization.yaml: resources"),
            "{error}"
        );
    }
}

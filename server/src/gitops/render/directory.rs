//! Argo CD's plain directory source: the YAML and JSON files of a path (its subdirectories too
//! with `recurse`), filtered by `include`/`exclude` globs matched against the path relative to
//! the source path, as Argo CD does (`*` crosses `/`, `{a,b}` alternates).

use globset::{GlobBuilder, GlobMatcher};

use super::objects::{parse_json, parse_yaml, to_resources};
use crate::gitops::application::DirectorySource;
use crate::gitops::checkout::{clean_path, Checkout};
use crate::resource::DesiredResource;

/// Renders the directory `path` of `checkout`.
pub fn render_directory(
    checkout: &Checkout,
    path: &str,
    options: Option<&DirectorySource>,
    namespace: &str,
) -> Result<Vec<DesiredResource>, String> {
    let default = DirectorySource::default();
    let options = options.unwrap_or(&default);
    let include = matcher(&options.include, "include")?;
    let exclude = matcher(&options.exclude, "exclude")?;
    let base = clean_path(path).map_err(|e| e.to_string())?;
    let files = checkout.files_under(&base).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for file in files {
        let relative = if base.is_empty() {
            file.as_str()
        } else {
            &file[base.len() + 1..]
        };
        if !options.recurse && relative.contains('/') {
            continue;
        }
        let lower = relative.to_ascii_lowercase();
        let is_yaml = lower.ends_with(".yaml") || lower.ends_with(".yml");
        let is_json = lower.ends_with(".json");
        if !(is_yaml || is_json) {
            continue;
        }
        if include.as_ref().is_some_and(|g| !g.is_match(relative))
            || exclude.as_ref().is_some_and(|g| g.is_match(relative))
        {
            continue;
        }
        let bytes = checkout.read(&file).map_err(|e| e.to_string())?;
        let docs = if is_json {
            parse_json(&file, &bytes)?
        } else {
            parse_yaml(&file, &bytes)?
        };
        to_resources(&file, docs, namespace, &mut out)?;
    }
    Ok(out)
}

fn matcher(pattern: &str, field: &str) -> Result<Option<GlobMatcher>, String> {
    let pattern = pattern.trim();
    if pattern.is_empty() {
        return Ok(None);
    }
    GlobBuilder::new(pattern)
        .literal_separator(false)
        .build()
        .map(|g| Some(g.compile_matcher()))
        .map_err(|e| format!("spec.source.directory.{field}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkout(files: &[(&str, &str)]) -> (tempfile::TempDir, Checkout) {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        let checkout = Checkout::open(dir.path(), "HEAD").unwrap();
        (dir, checkout)
    }

    fn cm(name: &str) -> String {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n")
    }

    fn names(resources: &[DesiredResource]) -> Vec<&str> {
        resources.iter().map(|r| r.name.as_str()).collect()
    }

    #[test]
    fn multi_document_yaml_json_and_non_manifests() {
        let (_dir, co) = checkout(&[
            ("app/all.yaml", &format!("{}---\n{}---\n", cm("a"), cm("b"))),
            (
                "app/c.json",
                r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"#,
            ),
            ("app/values.yaml", "replicaCount: 3\n"),
            ("app/README.md", "# not a manifest\n"),
        ]);
        let out = render_directory(&co, "app", None, "shop").unwrap();
        assert_eq!(names(&out), ["a", "b", "c"]);
        assert!(out.iter().all(|r| r.namespace == "shop"));
    }

    #[test]
    fn recurse_include_and_exclude() {
        let (_dir, co) = checkout(&[
            ("app/top.yaml", &cm("top")),
            ("app/sub/deep.yaml", &cm("deep")),
            ("app/sub/skip.yaml", &cm("skip")),
            ("app/other/x.yml", &cm("x")),
        ]);
        let flat = render_directory(&co, "app", None, "").unwrap();
        assert_eq!(names(&flat), ["top"]);

        let mut opts = DirectorySource {
            recurse: true,
            ..Default::default()
        };
        let all = render_directory(&co, "./app/", Some(&opts), "").unwrap();
        assert_eq!(names(&all), ["x", "deep", "skip", "top"]);

        opts.include = "{sub/*,top.yaml}".into();
        opts.exclude = "*skip*".into();
        let some = render_directory(&co, "app", Some(&opts), "").unwrap();
        assert_eq!(names(&some), ["deep", "top"]);
    }

    #[test]
    fn invalid_yaml_names_the_file() {
        let (_dir, co) = checkout(&[("app/bad.yaml", "a: [1, 2\n")]);
        let err = render_directory(&co, "app", None, "").unwrap_err();
        assert!(err.starts_with("app/bad.yaml: YAML error"), "{err}");
    }

    #[test]
    fn a_missing_path_is_an_error() {
        let (_dir, co) = checkout(&[("app/a.yaml", &cm("a"))]);
        let err = render_directory(&co, "nope", None, "").unwrap_err();
        assert!(err.contains("\"nope\" does not exist"), "{err}");
    }
}

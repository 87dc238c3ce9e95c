//! Argo CD's plain directory source: the YAML and JSON files of a path (its subdirectories too
//! with `recurse`), filtered by `include`/`exclude` globs matched against the path relative to
//! the source path, as Argo CD does (`*` crosses `/`, `{a,b}` alternates).

use globset::{GlobBuilder, GlobMatcher};

use super::objects::{parse_json, parse_yaml, to_resources};
use super::RenderFailure;
use crate::gitops::application::DirectorySource;
use crate::gitops::checkout::{clean_path, Checkout};
use crate::resource::DesiredResource;

/// Renders the directory `path` of `checkout`. Argo CD also evaluates the `.jsonnet` files of
/// a directory source; Atrium has no Jsonnet evaluator, so an app with any is refused, naming
/// them ([`RenderFailure::unavailable`]), rather than rendered without them.
pub fn render_directory(
    checkout: &Checkout,
    path: &str,
    options: Option<&DirectorySource>,
    namespace: &str,
) -> Result<Vec<DesiredResource>, RenderFailure> {
    let files = selected(
        checkout,
        path,
        options,
        &[".yaml", ".yml", ".json", ".jsonnet"],
    )
    .map_err(RenderFailure::error)?;
    let jsonnet: Vec<&String> = files
        .iter()
        .filter(|f| f.to_ascii_lowercase().ends_with(".jsonnet"))
        .collect();
    if let Some(first) = jsonnet.first() {
        let more = match jsonnet.len() {
            1 => String::new(),
            n => format!(" (and {} more .jsonnet files)", n - 1),
        };
        return Err(RenderFailure::unavailable(format!(
            "Jsonnet is not supported: Argo CD would evaluate {first}{more}; commit its output as \
             YAML instead"
        )));
    }
    let mut out = Vec::new();
    for file in files {
        let is_json = file.to_ascii_lowercase().ends_with(".json");
        let bytes = checkout
            .read(&file)
            .map_err(|e| RenderFailure::error(e.to_string()))?;
        let docs = if is_json {
            parse_json(&file, &bytes)
        } else {
            parse_yaml(&file, &bytes)
        }
        .map_err(RenderFailure::error)?;
        to_resources(&file, docs, namespace, &mut out).map_err(RenderFailure::error)?;
    }
    Ok(out)
}

/// The files of the source with one of `extensions` (lower case), after `recurse`, `include`
/// and `exclude`, as paths in the checkout.
fn selected(
    checkout: &Checkout,
    path: &str,
    options: Option<&DirectorySource>,
    extensions: &[&str],
) -> Result<Vec<String>, String> {
    let default = DirectorySource::default();
    let options = options.unwrap_or(&default);
    let include = matcher(&options.include, "include")?;
    let exclude = matcher(&options.exclude, "exclude")?;
    let base = clean_path(path).map_err(|e| e.to_string())?;
    let files = checkout.files_under(&base).map_err(|e| e.to_string())?;
    Ok(files
        .into_iter()
        .filter(|file| {
            let relative = if base.is_empty() {
                file.as_str()
            } else {
                &file[base.len() + 1..]
            };
            let lower = relative.to_ascii_lowercase();
            (options.recurse || !relative.contains('/'))
                && extensions.iter().any(|e| lower.ends_with(e))
                && include.as_ref().is_none_or(|g| g.is_match(relative))
                && !exclude.as_ref().is_some_and(|g| g.is_match(relative))
        })
        .collect())
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
        let err = render_directory(&co, "app", None, "").unwrap_err().message;
        assert!(err.starts_with("app/bad.yaml: YAML error"), "{err}");
    }

    #[test]
    fn jsonnet_is_refused_by_name_with_the_same_filters() {
        let (_dir, co) = checkout(&[
            ("app/guestbook.jsonnet", "{}"),
            ("app/lib/util.libsonnet", "{}"),
            ("app/sub/more.jsonnet", "{}"),
            ("app/cm.yaml", &cm("a")),
        ]);
        let err = render_directory(&co, "app", None, "").unwrap_err();
        assert!(err.unavailable);
        assert!(
            err.message.starts_with(
                "Jsonnet is not supported: Argo CD would evaluate app/guestbook.jsonnet;"
            ),
            "{}",
            err.message
        );
        let recurse = DirectorySource {
            recurse: true,
            ..Default::default()
        };
        let err = render_directory(&co, "app", Some(&recurse), "").unwrap_err();
        assert!(
            err.message.contains("(and 1 more .jsonnet files)"),
            "{}",
            err.message
        );
        let without = DirectorySource {
            recurse: true,
            exclude: "*.jsonnet".into(),
            ..Default::default()
        };
        assert_eq!(
            names(&render_directory(&co, "app", Some(&without), "").unwrap()),
            ["a"]
        );
    }

    #[test]
    fn a_missing_path_is_an_error() {
        let (_dir, co) = checkout(&[("app/a.yaml", &cm("a"))]);
        let err = render_directory(&co, "nope", None, "").unwrap_err().message;
        assert!(err.contains("\"nope\" does not exist"), "{err}");
    }
}

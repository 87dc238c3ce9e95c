//! Helm sources through `helm template`: a chart directory in Git, or a chart from a Helm
//! repository (`spec.source.chart`). Without helm on PATH the node is `renderer-unavailable`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::objects::{parse_yaml, to_resources};
use super::tools::run;
use super::RenderFailure;
use crate::gitops::application::HelmSource;
use crate::gitops::checkout::{clean_path, join_inside};
use crate::resource::DesiredResource;

/// Where the chart comes from.
pub enum Chart<'a> {
    /// `path` inside `root`, a copy of the Git repository at the revision.
    Dir { root: &'a Path, path: &'a str },
    /// `chart` at `version` from the Helm repository `repo_url`.
    Repo {
        repo_url: &'a str,
        chart: &'a str,
        version: &'a str,
    },
}

pub fn render_helm(
    helm: Option<&Path>,
    chart: Chart<'_>,
    options: Option<&HelmSource>,
    release: &str,
    namespace: &str,
    timeout: Duration,
) -> Result<Vec<DesiredResource>, RenderFailure> {
    let Some(helm) = helm else {
        return Err(RenderFailure::unavailable(
            "Helm app, but helm is not on PATH (helm template renders it)",
        ));
    };
    let default = HelmSource::default();
    let options = options.unwrap_or(&default);
    let release = options
        .release_name
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or(release);
    // Inline values go through files: the command line would mangle multi-line YAML.
    let scratch = tempfile::tempdir().map_err(|e| RenderFailure::error(e.to_string()))?;
    let mut args = vec!["template".to_string(), release.to_string()];
    let cwd = match &chart {
        Chart::Dir { root, path } => {
            let path = clean_path(path).map_err(|e| RenderFailure::error(e.to_string()))?;
            let dir = root.join(&path);
            if !dir.join("Chart.yaml").is_file() {
                return Err(RenderFailure::error(format!("no Chart.yaml in {path:?}")));
            }
            args.push(dir.display().to_string());
            dir
        }
        Chart::Repo {
            repo_url,
            chart,
            version,
        } => {
            args.extend([chart.to_string(), "--repo".into(), repo_url.to_string()]);
            if !version.is_empty() && *version != "HEAD" {
                args.extend(["--version".into(), version.to_string()]);
            }
            scratch.path().to_path_buf()
        }
    };
    if !namespace.is_empty() {
        args.extend(["--namespace".into(), namespace.to_string()]);
    }
    for file in value_files(&chart, &options.value_files)? {
        args.extend(["--values".into(), file.display().to_string()]);
    }
    let inline = [
        options.values.clone().filter(|v| !v.trim().is_empty()),
        options
            .values_object
            .as_ref()
            .map(|v| serde_json::to_string(v).expect("JSON")),
    ];
    for (i, text) in inline.into_iter().flatten().enumerate() {
        let file = scratch.path().join(format!("values-{i}.yaml"));
        std::fs::write(&file, text).map_err(|e| RenderFailure::error(e.to_string()))?;
        args.extend(["--values".into(), file.display().to_string()]);
    }
    for p in &options.parameters {
        let flag = if p.force_string {
            "--set-string"
        } else {
            "--set"
        };
        args.extend([flag.to_string(), format!("{}={}", p.name, p.value)]);
    }
    let output = run(helm, &args, &cwd, timeout).map_err(RenderFailure::error)?;
    let docs = parse_yaml("helm output", &output).map_err(RenderFailure::error)?;
    let mut out = Vec::new();
    to_resources("helm output", docs, namespace, &mut out).map_err(RenderFailure::error)?;
    Ok(out)
}

/// `spec.source.helm.valueFiles` as files of the repository copy. Relative names are read from
/// the chart's directory and absolute ones from the repository's root, as Argo CD reads them;
/// none may leave the repository (a URL, `../..` above the root: CVE-2022-24348), since a file
/// the server can read would otherwise end up in manifests every reader sees. The copy holds
/// regular files only, so no symlink leads out of it.
fn value_files(chart: &Chart<'_>, files: &[String]) -> Result<Vec<PathBuf>, RenderFailure> {
    let refused = |file: &str, why: &str| {
        RenderFailure::error(format!("spec.source.helm.valueFiles: {file:?} {why}"))
    };
    let mut out = Vec::new();
    for file in files {
        // `$ref/…` files of other sources are not supported (the message says which).
        if file.starts_with('$') {
            return Err(refused(
                file,
                "refers to another source, which is not supported",
            ));
        }
        let (root, chart_path) = match chart {
            Chart::Dir { root, path } => (root, *path),
            Chart::Repo { .. } => {
                return Err(refused(
                    file,
                    "is not supported for a chart from a Helm repository (inline values are)",
                ))
            }
        };
        let resolved = match file.trim().strip_prefix('/') {
            Some(from_root) => join_inside("", from_root),
            None => join_inside(chart_path, file),
        }
        .map_err(|_| {
            refused(
                file,
                "leaves the repository (URLs and paths outside it are refused)",
            )
        })?;
        let full = root.join(&resolved);
        if !full.is_file() {
            return Err(refused(
                file,
                &format!("is not a file of the repository ({resolved})"),
            ));
        }
        out.push(full);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("charts/web")).unwrap();
        std::fs::create_dir_all(dir.path().join("env")).unwrap();
        std::fs::write(dir.path().join("charts/web/values-prod.yaml"), "a: 1\n").unwrap();
        std::fs::write(dir.path().join("env/common.yaml"), "b: 2\n").unwrap();
        dir
    }

    #[test]
    fn value_files_resolve_inside_the_repository() {
        let dir = repo();
        let chart = Chart::Dir {
            root: dir.path(),
            path: "charts/web",
        };
        let files = |names: &[&str]| {
            value_files(
                &chart,
                &names.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            files(&[
                "values-prod.yaml",
                "../../env/common.yaml",
                "/env/common.yaml"
            ])
            .unwrap(),
            vec![
                dir.path().join("charts/web/values-prod.yaml"),
                dir.path().join("env/common.yaml"),
                dir.path().join("env/common.yaml"),
            ]
        );
    }

    #[test]
    fn value_files_outside_the_repository_are_refused() {
        let dir = repo();
        let secret = tempfile::NamedTempFile::new().unwrap();
        let chart = Chart::Dir {
            root: dir.path(),
            path: "charts/web",
        };
        let outside = secret.path().display().to_string();
        for hostile in [
            "../../../etc/passwd".to_string(),
            "../../../../../../../../../../etc/passwd".to_string(),
            format!("../../..{outside}"),
            "https://evil.example/values.yaml".into(),
            "file:///etc/passwd".into(),
            "missing.yaml".into(),
            "$other/values.yaml".into(),
        ] {
            let error = value_files(&chart, std::slice::from_ref(&hostile)).unwrap_err();
            assert!(!error.unavailable, "{hostile}");
            assert!(
                error.message.starts_with("spec.source.helm.valueFiles: "),
                "{hostile}: {}",
                error.message
            );
        }
        // An absolute path is read from the repository's root, never from the server's.
        let error = value_files(&chart, std::slice::from_ref(&outside)).unwrap_err();
        assert!(
            error.message.contains("is not a file of the repository"),
            "{}",
            error.message
        );
        let repo_chart = Chart::Repo {
            repo_url: "https://charts.example",
            chart: "web",
            version: "1",
        };
        assert!(value_files(&repo_chart, &["values.yaml".into()]).is_err());
    }
}

//! Helm sources through `helm template`: a chart directory in Git, or a chart from a Helm
//! repository (`spec.source.chart`). Without helm on PATH the node is `renderer-unavailable`.

use std::path::Path;
use std::time::Duration;

use super::objects::{parse_yaml, to_resources};
use super::tools::run;
use super::RenderFailure;
use crate::gitops::application::HelmSource;
use crate::gitops::checkout::clean_path;
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
    for file in &options.value_files {
        // Relative to the chart, as Argo CD reads them; `$ref/…` files of other sources are not
        // supported (the message says which).
        if file.starts_with('$') {
            return Err(RenderFailure::error(format!(
                "value file {file:?} refers to another source, which is not supported"
            )));
        }
        args.extend(["--values".into(), file.clone()]);
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

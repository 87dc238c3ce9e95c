//! Kustomize sources through `kustomize build` or `kubectl kustomize`. The Application's own
//! `spec.source.kustomize` overrides (images, name prefix/suffix, common labels/annotations)
//! become a generated overlay over the app's path, which is what `kustomize edit` would write.

use std::path::Path;
use std::time::Duration;

use serde_json::{json, Map, Value};

use super::objects::{parse_yaml, to_resources};
use super::tools::{run, KustomizeTool};
use super::RenderFailure;
use crate::gitops::application::KustomizeSource;
use crate::resource::DesiredResource;

pub use super::KUSTOMIZATION_FILES;

/// Renders `path` inside `root` (a copy of the repository at the revision).
pub fn render_kustomize(
    tool: Option<&KustomizeTool>,
    root: &Path,
    path: &str,
    overrides: Option<&KustomizeSource>,
    namespace: &str,
    timeout: Duration,
) -> Result<Vec<DesiredResource>, RenderFailure> {
    let Some(tool) = tool else {
        return Err(RenderFailure::unavailable(
            "Kustomize app, but neither kustomize nor kubectl is on PATH",
        ));
    };
    let app_dir = if path.is_empty() {
        root.to_path_buf()
    } else {
        root.join(path)
    };
    if !app_dir.is_dir() {
        return Err(RenderFailure::error(format!(
            "path {path:?} does not exist at this revision"
        )));
    }
    // Hostile input: nothing the kustomizations name may lead out of the repository copy.
    super::kustomize_refs::check_references(root, path).map_err(RenderFailure::error)?;
    // Kept alive until the tool has run; removed when dropped.
    let overlay = match overrides.map(overlay_kustomization).transpose()? {
        Some(Some(kustomization)) => {
            let dir = tempfile::Builder::new()
                .prefix(".atrium-overlay-")
                .tempdir_in(root)
                .map_err(|e| RenderFailure::error(format!("overlay: {e}")))?;
            let mut k = kustomization;
            // Relative: the overlay sits in the copy's root, beside the app's path.
            let base = if path.is_empty() {
                "..".to_string()
            } else {
                format!("../{path}")
            };
            k["resources"] = json!([base]);
            std::fs::write(
                dir.path().join("kustomization.yaml"),
                serde_json::to_string_pretty(&k).expect("JSON"),
            )
            .map_err(|e| RenderFailure::error(format!("overlay: {e}")))?;
            Some(dir)
        }
        _ => None,
    };
    let target = overlay.as_ref().map(|d| d.path()).unwrap_or(&app_dir);
    let (program, args) = match tool {
        KustomizeTool::Kustomize(p) => (p, vec!["build".to_string()]),
        KustomizeTool::Kubectl(p) => (p, vec!["kustomize".to_string()]),
    };
    // The default, said out loud: files stay inside their kustomization's directory.
    let mut args = args;
    args.extend([
        "--load-restrictor".to_string(),
        "LoadRestrictionsRootOnly".to_string(),
        target.display().to_string(),
    ]);
    let output = run(program, &args, root, timeout).map_err(RenderFailure::error)?;
    let docs = parse_yaml("kustomize output", &output).map_err(RenderFailure::error)?;
    let mut out = Vec::new();
    to_resources("kustomize output", docs, namespace, &mut out).map_err(RenderFailure::error)?;
    Ok(out)
}

/// The overlay's kustomization (JSON is YAML), or `None` when nothing is overridden.
fn overlay_kustomization(k: &KustomizeSource) -> Result<Option<Value>, RenderFailure> {
    let mut doc = Map::new();
    doc.insert(
        "apiVersion".into(),
        json!("kustomize.config.k8s.io/v1beta1"),
    );
    doc.insert("kind".into(), json!("Kustomization"));
    let mut any = false;
    if let Some(prefix) = k.name_prefix.as_deref().filter(|s| !s.is_empty()) {
        doc.insert("namePrefix".into(), json!(prefix));
        any = true;
    }
    if let Some(suffix) = k.name_suffix.as_deref().filter(|s| !s.is_empty()) {
        doc.insert("nameSuffix".into(), json!(suffix));
        any = true;
    }
    if !k.images.is_empty() {
        let images: Result<Vec<Value>, _> = k.images.iter().map(|i| image_override(i)).collect();
        doc.insert("images".into(), Value::Array(images?));
        any = true;
    }
    if !k.common_labels.is_empty() {
        doc.insert("commonLabels".into(), json!(k.common_labels));
        any = true;
    }
    if !k.common_annotations.is_empty() {
        doc.insert("commonAnnotations".into(), json!(k.common_annotations));
        any = true;
    }
    Ok(any.then_some(Value::Object(doc)))
}

/// Argo CD's `[old=]name[:tag|@digest]` as a kustomize `images` entry.
pub fn image_override(text: &str) -> Result<Value, RenderFailure> {
    let bad = || {
        RenderFailure::error(format!(
            "spec.source.kustomize.images: cannot read {text:?}"
        ))
    };
    let (old, new) = match text.split_once('=') {
        Some((old, new)) => (Some(old.trim()), new.trim()),
        None => (None, text.trim()),
    };
    if new.is_empty() || old == Some("") {
        return Err(bad());
    }
    let (name, tag, digest) = if let Some((name, digest)) = new.split_once('@') {
        (name, None, Some(digest))
    } else {
        // A `:` after the last `/` is a tag; before it, a registry port.
        let last_slash = new.rfind('/').map_or(0, |i| i + 1);
        match new[last_slash..].rfind(':') {
            Some(i) => (
                &new[..last_slash + i],
                Some(&new[last_slash + i + 1..]),
                None,
            ),
            None => (new, None, None),
        }
    };
    let mut entry = Map::new();
    entry.insert("name".into(), json!(old.unwrap_or(name)));
    if old.is_some_and(|o| o != name) {
        entry.insert("newName".into(), json!(name));
    }
    if let Some(tag) = tag {
        entry.insert("newTag".into(), json!(tag));
    }
    if let Some(digest) = digest {
        entry.insert("digest".into(), json!(digest));
    }
    Ok(Value::Object(entry))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_overrides_follow_argo_cd_syntax() {
        assert_eq!(
            image_override("nginx:1.25").unwrap(),
            json!({"name": "nginx", "newTag": "1.25"})
        );
        assert_eq!(
            image_override("nginx=registry.local:5000/web/nginx:2").unwrap(),
            json!({"name": "nginx", "newName": "registry.local:5000/web/nginx", "newTag": "2"})
        );
        assert_eq!(
            image_override("registry.local:5000/web@sha256:abc").unwrap(),
            json!({"name": "registry.local:5000/web", "digest": "sha256:abc"})
        );
        assert!(image_override("=x").is_err());
    }
}

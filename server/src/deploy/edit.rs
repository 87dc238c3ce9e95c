//! What a deploy changes in the environment repository: the files to write for a new image
//! tag, a new `targetRevision`, or the app's files as of an earlier commit. Pure planning over a
//! checkout of the branch head: nothing is written here (see [`super::git_write`]). Every edit
//! keeps the file's comments and layout ([`super::yaml_edit`]).

use std::collections::BTreeMap;

use super::image;
use super::yaml_edit::{self, apply, insert_after, parse, replace_scalar, EditError, Node};
use crate::gitops::checkout::{clean_path, Checkout};
use crate::gitops::render::kustomize::KUSTOMIZATION_FILES;
use crate::gitops::render::RendererKind;

/// Where one app lives in its environment's repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppFiles {
    pub app: String,
    /// The file holding the app's Application manifest.
    pub application_file: String,
    /// The app's source path when its source is this repository; `None` when it is another.
    pub source_path: Option<String>,
    pub renderer: RendererKind,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Yaml(#[from] EditError),
    #[error("{0}")]
    Repo(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unsupported(String),
}

/// One file to write (`None`: delete it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEdit {
    pub path: String,
    pub content: Option<Vec<u8>>,
}

/// The checkout with the edits planned so far laid over it, so several edits (a promotion's
/// images and revision) compose.
pub struct Overlay<'a> {
    base: &'a Checkout,
    changed: BTreeMap<String, Option<Vec<u8>>>,
}

impl<'a> Overlay<'a> {
    pub fn new(base: &'a Checkout) -> Self {
        Self {
            base,
            changed: BTreeMap::new(),
        }
    }

    pub fn read(&self, path: &str) -> Option<Vec<u8>> {
        match self.changed.get(path) {
            Some(content) => content.clone(),
            None => self.base.read(path).ok(),
        }
    }

    fn text(&self, path: &str) -> Result<Option<String>, PlanError> {
        self.read(path)
            .map(|bytes| {
                String::from_utf8(bytes)
                    .map_err(|_| PlanError::Repo(format!("{path}: not UTF-8 text")))
            })
            .transpose()
    }

    pub fn write(&mut self, path: &str, content: Option<Vec<u8>>) {
        self.changed.insert(path.to_string(), content);
    }

    /// Files below `dir` as the overlay has them.
    pub fn files_under(&self, dir: &str) -> Vec<String> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut files: Vec<String> = self.base.files_under(dir).unwrap_or_default();
        files.retain(|f| !matches!(self.changed.get(f), Some(None)));
        for (path, content) in &self.changed {
            if content.is_some() && path.starts_with(&prefix) && !files.contains(path) {
                files.push(path.clone());
            }
        }
        files.sort();
        files
    }

    /// The planned edits that change something, in path order.
    pub fn edits(&self) -> Vec<FileEdit> {
        self.changed
            .iter()
            .filter(|(path, content)| self.base.read(path).ok() != **content)
            .map(|(path, content)| FileEdit {
                path: path.clone(),
                content: content.clone(),
            })
            .collect()
    }
}

/// Point the app's containers running `repository` (or the container named `container`) at
/// `tag`: in the kustomization's `images:` for a Kustomize app, else in the workload manifests.
pub fn set_image(
    overlay: &mut Overlay<'_>,
    app: &AppFiles,
    repository: &str,
    container: Option<&str>,
    tag: &str,
) -> Result<(), PlanError> {
    if !image::valid_tag(tag) {
        return Err(PlanError::Unsupported(format!(
            "`{tag}` is not a valid image tag"
        )));
    }
    let Some(path) = &app.source_path else {
        return Err(PlanError::Unsupported(format!(
            "{}'s source is another repository: Atrium edits only the environment's repository",
            app.app
        )));
    };
    match app.renderer {
        RendererKind::Helm => Err(PlanError::Unsupported(format!(
            "{} is a Helm app: set its image in the chart's values (not supported yet)",
            app.app
        ))),
        RendererKind::Kustomize => {
            let kustomization = KUSTOMIZATION_FILES
                .iter()
                .map(|f| join(path, f))
                .find(|f| overlay.read(f).is_some())
                .ok_or_else(|| PlanError::NotFound(format!("no kustomization in {path}")))?;
            if set_kustomize_image(overlay, &kustomization, repository, tag, false)? {
                return Ok(());
            }
            // Not overridden by the kustomization: the app's own manifests, else a new entry.
            if set_workload_images(
                overlay,
                &own_files(overlay, path),
                repository,
                container,
                tag,
            )? {
                return Ok(());
            }
            set_kustomize_image(overlay, &kustomization, repository, tag, true)?;
            Ok(())
        }
        RendererKind::Directory => {
            let files = overlay.files_under(path);
            if set_workload_images(overlay, &files, repository, container, tag)? {
                Ok(())
            } else {
                Err(PlanError::NotFound(format!(
                    "no container running {repository} in the manifests under {path}"
                )))
            }
        }
    }
}

/// `spec.source.targetRevision` of the app's Application manifest.
pub fn set_revision(
    overlay: &mut Overlay<'_>,
    app: &AppFiles,
    revision: &str,
) -> Result<(), PlanError> {
    let revision = revision.trim();
    if revision.is_empty()
        || revision
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(PlanError::Unsupported(format!(
            "`{revision}` is not a Git revision"
        )));
    }
    let file = &app.application_file;
    let text = overlay
        .text(file)?
        .ok_or_else(|| PlanError::NotFound(format!("{file} is not in the repository")))?;
    let docs = parse(file, &text)?;
    let doc = docs
        .iter()
        .find(|d| {
            d.get("kind").and_then(Node::as_str) == Some("Application")
                && d.get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(Node::as_str)
                    == Some(app.app.as_str())
        })
        .ok_or_else(|| PlanError::NotFound(format!("no Application `{}` in {file}", app.app)))?;
    let spec = doc.get("spec");
    if spec.and_then(|s| s.get("sources")).is_some() {
        return Err(PlanError::Unsupported(format!(
            "{} has several sources: set their revisions in Git",
            app.app
        )));
    }
    let source = spec
        .and_then(|s| s.get("source"))
        .ok_or_else(|| PlanError::NotFound(format!("{file}: {} has no spec.source", app.app)))?;
    let splice = match source.get("targetRevision") {
        Some(node) => replace_scalar(file, node, revision)?,
        None => insert_after(file, &text, source, "repoURL", "targetRevision", revision)?,
    };
    overlay.write(file, Some(apply(&text, vec![splice]).into_bytes()));
    Ok(())
}

/// The app's files as they were at `then`: its Application manifest and, when its source is
/// this repository, every file under its source path (added, changed back, or deleted).
pub fn restore(
    overlay: &mut Overlay<'_>,
    then: &Checkout,
    app: &AppFiles,
) -> Result<(), PlanError> {
    let file = &app.application_file;
    let old = then.read(file).map_err(|_| {
        PlanError::NotFound(format!(
            "{} did not exist at that commit ({file} is absent)",
            app.app
        ))
    })?;
    overlay.write(file, Some(old));
    if let Some(path) = &app.source_path {
        let old_files = then.files_under(path).unwrap_or_default();
        for current in overlay.files_under(path) {
            if !old_files.contains(&current) {
                overlay.write(&current, None);
            }
        }
        for old_file in old_files {
            let bytes = then
                .read(&old_file)
                .map_err(|e| PlanError::Repo(e.to_string()))?;
            overlay.write(&old_file, Some(bytes));
        }
    }
    Ok(())
}

fn join(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

/// The YAML files of the app's own directory (not its bases).
fn own_files(overlay: &Overlay<'_>, dir: &str) -> Vec<String> {
    overlay
        .files_under(dir)
        .into_iter()
        .filter(|f| !f[dir.len()..].trim_start_matches('/').contains('/'))
        .collect()
}

/// The kustomization's `images:` entry for `repository` gets `newTag: tag`. With `add`, an
/// entry is added when there is none; without, `false` says there was none.
fn set_kustomize_image(
    overlay: &mut Overlay<'_>,
    file: &str,
    repository: &str,
    tag: &str,
    add: bool,
) -> Result<bool, PlanError> {
    let text = overlay.text(file)?.unwrap_or_default();
    let docs = parse(file, &text)?;
    let doc = docs.first();
    let images = doc.and_then(|d| d.get("images"));
    for entry in images.map(Node::items).unwrap_or_default() {
        let shown = entry
            .get("newName")
            .or_else(|| entry.get("name"))
            .and_then(Node::as_str);
        if shown != Some(repository) {
            continue;
        }
        if entry.get("digest").is_some() {
            return Err(PlanError::Unsupported(format!(
                "{file}: {repository} is pinned by digest; change the pin in Git"
            )));
        }
        let splice = match entry.get("newTag") {
            Some(node) => replace_scalar(file, node, tag)?,
            None => insert_after(file, &text, entry, "name", "newTag", tag)?,
        };
        overlay.write(file, Some(apply(&text, vec![splice]).into_bytes()));
        return Ok(true);
    }
    if !add {
        return Ok(false);
    }
    let value = |v: &str| yaml_edit::plain_or_quoted(v);
    let new_text = match images.map(Node::items).and_then(|items| items.first()) {
        // Before the first entry, written the way it is written.
        Some(first) => {
            let key = first.key_node("name").and_then(Node::span).ok_or_else(|| {
                PlanError::Unsupported(format!("{file}: an images entry without a name"))
            })?;
            let line = text[..key.start].rfind('\n').map_or(0, |i| i + 1);
            let lead = &text[line..key.start];
            let pad = " ".repeat(lead.chars().count());
            let entry = format!(
                "{lead}name: {}\n{pad}newTag: {}\n",
                value(repository),
                value(tag)
            );
            format!("{}{entry}{}", &text[..line], &text[line..])
        }
        None if images.is_some() => {
            return Err(PlanError::Unsupported(format!(
                "{file}: `images` is not a list of entries"
            )))
        }
        None => {
            let sep = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            format!(
                "{text}{sep}images:\n  - name: {}\n    newTag: {}\n",
                value(repository),
                value(tag)
            )
        }
    };
    overlay.write(file, Some(new_text.into_bytes()));
    Ok(true)
}

/// Kinds whose pod template holds the containers a deploy changes.
const WORKLOADS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "CronJob",
    "Job",
];

/// Every matching container image in `files`: by `container` name when given, else every
/// container running `repository`. `false` when none matched.
fn set_workload_images(
    overlay: &mut Overlay<'_>,
    files: &[String],
    repository: &str,
    container: Option<&str>,
    tag: &str,
) -> Result<bool, PlanError> {
    let mut any = false;
    for file in files {
        let lower = file.to_ascii_lowercase();
        if !(lower.ends_with(".yaml") || lower.ends_with(".yml")) {
            continue;
        }
        let Some(text) = overlay.text(file)? else {
            continue;
        };
        let docs = parse(file, &text)?;
        let mut splices = Vec::new();
        for doc in &docs {
            let kind = doc.get("kind").and_then(Node::as_str).unwrap_or_default();
            if !WORKLOADS.contains(&kind) {
                continue;
            }
            let spec = doc.get("spec");
            let pod = spec
                .and_then(|s| s.get("jobTemplate"))
                .and_then(|j| j.get("spec"))
                .or(spec)
                .and_then(|s| s.get("template"))
                .and_then(|t| t.get("spec"));
            for c in pod
                .and_then(|p| p.get("containers"))
                .map(Node::items)
                .unwrap_or_default()
            {
                let Some(image_node) = c.get("image") else {
                    continue;
                };
                let current = image_node.as_str().unwrap_or_default();
                let matches = match container {
                    Some(name) => c.get("name").and_then(Node::as_str) == Some(name),
                    None => image::parse(current).repository == repository,
                };
                if matches {
                    splices.push(replace_scalar(
                        file,
                        image_node,
                        &image::with_tag(current, tag),
                    )?);
                }
            }
        }
        if !splices.is_empty() {
            any = true;
            overlay.write(file, Some(apply(&text, splices).into_bytes()));
        }
    }
    Ok(any)
}

/// The file under `dir` holding the Application manifest named `app` (the parent's source
/// path, where an App of Apps keeps its children).
pub fn find_application_file(
    checkout: &Checkout,
    dir: &str,
    app: &str,
) -> Result<String, PlanError> {
    let dir = clean_path(dir).map_err(|e| PlanError::Repo(e.to_string()))?;
    for file in checkout
        .files_under(&dir)
        .map_err(|e| PlanError::Repo(e.to_string()))?
    {
        let lower = file.to_ascii_lowercase();
        if !(lower.ends_with(".yaml") || lower.ends_with(".yml")) {
            continue;
        }
        let Ok(bytes) = checkout.read(&file) else {
            continue;
        };
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let Ok(docs) = parse(&file, &text) else {
            continue;
        };
        let found = docs.iter().any(|d| {
            d.get("kind").and_then(Node::as_str) == Some("Application")
                && d.get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(Node::as_str)
                    == Some(app)
        });
        if found {
            return Ok(file);
        }
    }
    Err(PlanError::NotFound(format!(
        "no Application manifest for `{app}` under {dir}"
    )))
}

#[cfg(test)]
#[path = "edit_tests.rs"]
mod tests;

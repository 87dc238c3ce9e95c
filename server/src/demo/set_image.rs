//! `atrium demo set-image`: commit a new image tag for one app to a demo environment repo, as
//! a developer's change would. Used by the browser tests (a `bad` tag turns the app Degraded on
//! the simulated cluster) and handy when showing Atrium.

use std::path::Path;

use anyhow::{anyhow, Context};

use super::git::commit_files;

/// Sets `app`'s image tag in the `env` demo repo under `data_dir`; returns the new commit.
pub fn set_image(data_dir: &Path, env: &str, app: &str, tag: &str) -> anyhow::Result<String> {
    if tag.is_empty() || tag.contains(char::is_whitespace) {
        return Err(anyhow!("tag: `{tag}` is not an image tag"));
    }
    let path = data_dir.join("repos").join(format!("env-{env}.git"));
    let repo = git2::Repository::open(&path).with_context(|| {
        format!(
            "no demo repository for environment `{env}` at {}",
            path.display()
        )
    })?;
    let tree = repo.find_reference("refs/heads/main")?.peel_to_tree()?;
    let read = |file: &str| -> Option<String> {
        let entry = tree.get_path(Path::new(file)).ok()?;
        let blob = entry.to_object(&repo).ok()?.peel_to_blob().ok()?;
        String::from_utf8(blob.content().to_vec()).ok()
    };
    let kustomization = format!("services/{app}/overlays/{env}/kustomization.yaml");
    let deployment = format!("services/{app}/deployment.yaml");
    let (file, text) = if let Some(text) = read(&kustomization) {
        let re = regex::Regex::new(r"(?m)^(\s*newTag:\s*).*$")?;
        (
            kustomization,
            re.replace(&text, format!("${{1}}{tag}")).into_owned(),
        )
    } else if let Some(text) = read(&deployment) {
        let re = regex::Regex::new(&format!(r"(image:\s*\S*/{}:)\S+", regex::escape(app)))?;
        (
            deployment,
            re.replace_all(&text, format!("${{1}}{tag}")).into_owned(),
        )
    } else {
        return Err(anyhow!(
            "app `{app}` has no deployment in the {env} demo repository"
        ));
    };
    let oid = commit_files(
        &repo,
        "main",
        &[(file.as_str(), Some(text.as_bytes()))],
        &format!("{app}: image tag {tag}"),
        ("Atrium demo", "demo@atrium.invalid"),
    )?;
    Ok(oid.to_string())
}

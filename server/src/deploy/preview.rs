//! "What will change": a change planned on the environment branch's head and shown as the
//! unified diff of the files it would write, without writing or storing anything.

use atrium_app::dto::deploy::{Change, ChangePreview};

use super::error::{DeployError, Result};
use super::requests::check_change;
use super::Deploys;
use crate::gitops::checkout::Checkout;

impl Deploys {
    /// The diff `change` would commit for `app` in `env` now. Permission to read the app was
    /// checked by the caller.
    pub async fn preview(&self, env: &str, app: &str, change: &Change) -> Result<ChangePreview> {
        check_change(change)?;
        let (repo, snapshot) = self.target(env, app)?;
        let this = self.clone();
        let change = change.clone();
        tokio::task::spawn_blocking(move || {
            // One commit for the plan and the "before" side, whatever lands meanwhile.
            let head = Checkout::open(&repo.local, &repo.branch)
                .map_err(|e| DeployError::Repo(e.to_string()))?;
            let base = head.sha().unwrap_or_default();
            let at = (!base.is_empty()).then_some(base.as_str());
            let planned = this.plan(&repo, &snapshot, &change, at)?;
            let mut diff = String::new();
            let mut files = Vec::new();
            for edit in &planned.edits {
                let text = |bytes: Option<Vec<u8>>| {
                    bytes
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default()
                };
                let old = text(head.read(&edit.path).ok());
                let new = text(edit.content.clone());
                diff.push_str(&super::file_diff::file_diff(&edit.path, &old, &new));
                files.push(edit.path.clone());
            }
            Ok(ChangePreview {
                base,
                summary: planned.summary,
                to_version: planned.to_version,
                files,
                diff,
            })
        })
        .await
        .map_err(|e| DeployError::Repo(e.to_string()))?
    }
}

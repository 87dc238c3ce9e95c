//! Asking for a deploy: a request is validated against the environment as it is now (the app
//! exists, the change applies to its files and changes something, the commit is in the
//! history, the source environment runs the app), then stored pending, or approved at once
//! when the environment needs no approvals. The executor plans the edit again on the head it
//! commits to, so later commits are never overwritten.

use atrium_app::dto::deploy::{Change, NewRequest, RequestState};

use super::edit::{self, AppFiles, Overlay};
use super::error::{DeployError, Result};
use super::ports::{AppSnapshot, EnvRepo};
use super::{image, Deploys, Who};
use crate::audit::{outcome, AuditRecord};
use crate::gitops::checkout::Checkout;
use crate::gitops::render::RendererKind;
use crate::store::deploys::RequestRow;

/// Longest reason kept (a commit message body, not an essay).
const MAX_REASON: usize = 4_000;

/// A request's change worked out against one checkout: the files to write, and the version
/// it moves to.
pub struct Planned {
    pub edits: Vec<edit::FileEdit>,
    pub summary: String,
    pub to_version: Option<String>,
}

impl Deploys {
    /// Validate and store a new request by `who`. Permission to ask was checked by the caller
    /// (`deploys, <action>, <env>/<app>`).
    pub async fn create(
        &self,
        who: &Who,
        new: &NewRequest,
    ) -> Result<atrium_app::dto::deploy::RequestView> {
        let reason = new.reason.trim();
        if reason.is_empty() {
            return Err(DeployError::invalid(
                "reason",
                "say why (it goes into the commit message)",
            ));
        }
        if reason.len() > MAX_REASON {
            return Err(DeployError::invalid(
                "reason",
                format!("at most {MAX_REASON} characters"),
            ));
        }
        check_change(&new.change)?;
        let (repo, app) = self.target(&new.environment, &new.app)?;
        let policy =
            self.settings.policy(&repo.env).cloned().unwrap_or_else(|| {
                super::policy::EnvPolicy::default_for(&repo.env, repo.production)
            });
        let planned = {
            let (this, repo, app, change) =
                (self.clone(), repo.clone(), app.clone(), new.change.clone());
            tokio::task::spawn_blocking(move || this.plan(&repo, &app, &change, None))
                .await
                .map_err(|e| DeployError::Repo(e.to_string()))??
        };
        if planned.edits.is_empty() {
            return Err(DeployError::invalid(
                "change",
                format!(
                    "nothing to change: {} in {} already is as asked ({})",
                    app.name, repo.env, planned.summary
                ),
            ));
        }
        let now = crate::audit::now();
        let id = new_request_id();
        let state = if policy.approvals == 0 {
            RequestState::Approved
        } else {
            RequestState::Pending
        };
        let row = RequestRow {
            id: id.clone(),
            env: repo.env.clone(),
            app: app.name.clone(),
            change: serde_json::to_string(&new.change).expect("a change serialises"),
            reason: reason.to_string(),
            requester_subject: who.subject.clone(),
            requester_name: who.name.clone(),
            requester_email: who.email.clone(),
            via_token: who.via_token,
            state,
            required_approvals: policy.approvals,
            from_version: app.version.clone(),
            to_version: planned.to_version.clone(),
            base_sha: None,
            commit_sha: None,
            commit_info: None,
            sync_info: None,
            health: None,
            waiting: None,
            message: None,
            window_override: false,
            created_at: now.clone(),
            updated_at: now.clone(),
        };
        let object = format!("{}/{}", row.env, row.app);
        let audit = AuditRecord::new(who.actor(), "deploys.request", &object, outcome::SUCCESS)
            .with_details(serde_json::json!({
                "request": id, "change": new.change, "reason": reason,
                "required_approvals": policy.approvals, "via_token": who.via_token,
                "from_version": app.version, "to_version": planned.to_version,
            }))
            .with_request(who.request_id.clone(), who.client_ip.clone())
            .with_client_request_id(who.client_request_id.clone());
        let superseded = if new.supersede {
            let open = self.open_request(&row.env, &row.app).await?;
            match open {
                Some(old) if old.requester_subject == who.subject => Some(old.id),
                Some(old) => {
                    return Err(DeployError::Conflict(format!(
                    "{object} has an open request by {} ({}): only its requester may supersede it",
                    old.requester_name, old.id
                )))
                }
                None => None,
            }
        } else {
            None
        };
        let supersede = superseded.as_deref().map(|old| {
            let record =
                AuditRecord::new(who.actor(), "deploys.supersede", &object, outcome::SUCCESS)
                    .with_details(serde_json::json!({ "request": old, "by": id }))
                    .with_request(who.request_id.clone(), who.client_ip.clone())
                    .with_client_request_id(who.client_request_id.clone());
            (old, record)
        });
        self.store
            .insert_request(&row, &who.actor(), &audit, supersede)
            .await?;
        self.changed(&row.env);
        self.view(&id, None).await
    }

    /// The environment's repository and the app as it stands there, or the field at fault.
    pub(super) fn target(&self, env: &str, app: &str) -> Result<(EnvRepo, AppSnapshot)> {
        let repo = self.repo(env).map_err(|_| {
            DeployError::invalid(
                "environment",
                format!("no environment `{env}` is configured"),
            )
        })?;
        match self.engine.app(&repo.env, app) {
            Some(snapshot) => Ok((repo, snapshot)),
            None if repo.head.is_none() => Err(DeployError::Conflict(format!(
                "{} has not been read yet (Atrium is starting); try again in a few seconds",
                repo.env
            ))),
            None => Err(DeployError::invalid(
                "app",
                format!("no app `{app}` in {}", repo.env),
            )),
        }
    }

    /// Plans `change` for `app` on the branch head of `repo` (or on `at`, a commit), without
    /// writing anything. Blocking: run it off the async runtime.
    pub fn plan(
        &self,
        repo: &EnvRepo,
        app: &AppSnapshot,
        change: &Change,
        at: Option<&str>,
    ) -> Result<Planned> {
        let revision = at.unwrap_or(&repo.branch);
        let head =
            Checkout::open(&repo.local, revision).map_err(|e| DeployError::Repo(e.to_string()))?;
        let files = app_files(repo, app, &head)?;
        let mut overlay = Overlay::new(&head);
        let plan_err = |field: &'static str| {
            move |e: edit::PlanError| DeployError::invalid(field, e.to_string())
        };
        let (summary, to_version) = match change {
            Change::SetImage { tag, container } => {
                let main = main_container(app, container.as_deref())?;
                edit::set_image(
                    &mut overlay,
                    &files,
                    image::parse(&main.1).repository,
                    container.as_deref(),
                    tag,
                )
                .map_err(plan_err("change.set_image"))?;
                (format!("{}: image {tag}", app.name), Some(tag.clone()))
            }
            Change::SetRevision(revision) => {
                edit::set_revision(&mut overlay, &files, revision)
                    .map_err(plan_err("change.set_revision"))?;
                (
                    format!("{}: targetRevision {revision}", app.name),
                    app.version.clone(),
                )
            }
            Change::PromoteFrom(source_env) => {
                if *source_env == repo.env {
                    return Err(DeployError::invalid(
                        "change.promote_from",
                        "promote from another environment",
                    ));
                }
                self.repo(source_env).map_err(|_| {
                    DeployError::invalid(
                        "change.promote_from",
                        format!("no environment `{source_env}` is configured"),
                    )
                })?;
                let source = self.engine.app(source_env, &app.name).ok_or_else(|| {
                    DeployError::invalid(
                        "change.promote_from",
                        format!("{source_env} has no app `{}`", app.name),
                    )
                })?;
                for (container, image_ref) in &source.containers {
                    let Some(tag) = image::parse(image_ref).tag else {
                        continue;
                    };
                    let mine = app.containers.iter().find(|(c, _)| c == container);
                    if let Some((_, current)) = mine {
                        if image::parse(current).tag != Some(tag) {
                            edit::set_image(
                                &mut overlay,
                                &files,
                                image::parse(current).repository,
                                Some(container),
                                tag,
                            )
                            .map_err(plan_err("change.promote_from"))?;
                        }
                    }
                }
                // A revision means the same thing only in the same repository.
                if source.target_revision != app.target_revision && source.repo_url == app.repo_url
                {
                    edit::set_revision(&mut overlay, &files, &source.target_revision)
                        .map_err(plan_err("change.promote_from"))?;
                }
                (
                    format!(
                        "{}: promote {} from {source_env}",
                        app.name,
                        source.version.clone().unwrap_or_default()
                    ),
                    source.version.clone(),
                )
            }
            Change::RollbackTo(sha) => {
                let repository = git2::Repository::open(&repo.local)
                    .map_err(|e| DeployError::Repo(e.message().to_string()))?;
                let commit = super::git_write::commit_in_history(&repository, &repo.branch, sha)
                    .map_err(|e| DeployError::Repo(e.to_string()))?
                    .ok_or_else(|| {
                        DeployError::invalid(
                            "change.rollback_to",
                            format!(
                                "`{sha}` is not a commit in the history of {}'s branch {}",
                                repo.env, repo.branch
                            ),
                        )
                    })?;
                let then = Checkout::open(&repo.local, &commit.to_string())
                    .map_err(|e| DeployError::Repo(e.to_string()))?;
                edit::restore(&mut overlay, &then, &files)
                    .map_err(plan_err("change.rollback_to"))?;
                let short = &commit.to_string()[..7];
                (format!("{}: roll back to {short}", app.name), None)
            }
        };
        Ok(Planned {
            edits: overlay.edits(),
            summary,
            to_version,
        })
    }
}

/// What can be checked of a change without the environment: its words.
pub(super) fn check_change(change: &Change) -> Result<()> {
    let bad_revision =
        |r: &str| r.trim().is_empty() || r.chars().any(|c| c.is_whitespace() || c.is_control());
    match change {
        Change::SetImage { tag, .. } if !image::valid_tag(tag) => Err(DeployError::invalid(
            "change.set_image.tag",
            format!("`{tag}` is not an image tag (letters, digits, `_`, `.` and `-`, at most 128)"),
        )),
        Change::SetRevision(r) if bad_revision(r) => Err(DeployError::invalid(
            "change.set_revision",
            format!("`{r}` is not a Git revision"),
        )),
        Change::RollbackTo(sha)
            if !(4..=40).contains(&sha.trim().len())
                || !sha.trim().chars().all(|c| c.is_ascii_hexdigit()) =>
        {
            Err(DeployError::invalid(
                "change.rollback_to",
                format!("`{sha}` is not a commit SHA"),
            ))
        }
        _ => Ok(()),
    }
}

/// The app's main container, or the one named; the error lists what there is.
fn main_container<'a>(app: &'a AppSnapshot, name: Option<&str>) -> Result<&'a (String, String)> {
    match name {
        None => app.containers.first().ok_or_else(|| {
            DeployError::invalid(
                "change.set_image",
                format!("{} runs no container image", app.name),
            )
        }),
        Some(name) => app
            .containers
            .iter()
            .find(|(c, _)| c == name)
            .ok_or_else(|| {
                let names: Vec<&str> = app.containers.iter().map(|(c, _)| c.as_str()).collect();
                DeployError::invalid(
                    "change.set_image.container",
                    format!(
                        "{} has no container `{name}` (it has: {})",
                        app.name,
                        names.join(", ")
                    ),
                )
            }),
    }
}

/// Where the app's files are in the environment repository.
pub fn app_files(repo: &EnvRepo, app: &AppSnapshot, head: &Checkout) -> Result<AppFiles> {
    let application_file = match (&app.parent, &app.parent_source_path) {
        (None, _) => repo.root_file.clone(),
        (Some(_), Some(dir)) => edit::find_application_file(head, dir, &app.name)
            .map_err(|e| DeployError::invalid("app", e.to_string()))?,
        (Some(parent), None) => {
            return Err(DeployError::invalid(
                "app",
                format!("{}'s Application manifest comes from {parent}'s source, another repository: Atrium edits only the environment's", app.name),
            ))
        }
    };
    let renderer = match app.renderer.as_str() {
        "kustomize" => RendererKind::Kustomize,
        "helm" => RendererKind::Helm,
        _ => RendererKind::Directory,
    };
    Ok(AppFiles {
        app: app.name.clone(),
        application_file,
        source_path: app.source_path.clone(),
        renderer,
    })
}

/// A request id: sortable by creation, unguessable enough (the API checks permission anyway).
pub fn new_request_id() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 5];
    rand::rng().fill_bytes(&mut bytes);
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!("dr-{millis:x}-{}", hex::encode(bytes))
}

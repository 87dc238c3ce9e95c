//! The UI's and the JSON API's `DeployService`: who the caller is, what the policy says
//! (through the one enforcement point, [`AccessService`]), then the workflow. Reading a
//! request needs `applications, get` on its `<env>/<app>`; asking needs `deploys, deploy |
//! promote | rollback`; deciding needs `approvals, approve | reject` and four-eyes; cancelling
//! someone else's request needs `deploys, delete`; freezes and window overrides need
//! `settings, update` on `<env>/*`.

use std::sync::Arc;

use atrium_app::dto::deploy::{
    ApiApp, ApiEnvironment, Change, ChangePreview, DeployOptions, FreezeView, Lineage, NewRequest,
    NewToken, RequestQuery, RequestState, RequestView, TokenView,
};
use atrium_app::dto::matrix::MatrixView;
use atrium_app::error::AppError;
use atrium_app::service::{AccessService, Caller, DeployService};

use super::windows::Verdict;
use super::{Deploys, Who};
use crate::auth::access::Access;
use crate::auth::tokens::{self, TokenOwner};
use crate::store::deploys::RequestRow;

pub struct DeployApi {
    pub deploys: Deploys,
    pub access: Arc<Access>,
}

fn who(caller: &Caller) -> Result<Who, AppError> {
    let user = caller.user.as_ref().ok_or(AppError::Unauthorized)?;
    Ok(Who {
        subject: user.subject.clone(),
        name: user.name.clone(),
        email: user.email.clone(),
        groups: user.teams.clone(),
        via_token: caller.via_token,
        request_id: caller.request_id.clone(),
        client_request_id: caller.client_request_id.clone(),
        client_ip: caller.client_ip.clone(),
    })
}

fn object(row: &RequestRow) -> String {
    format!("{}/{}", row.env, row.app)
}

impl DeployApi {
    fn allows(&self, caller: &Caller, resource: &str, action: &str, object: &str) -> bool {
        self.access.allows(caller, resource, action, object)
    }

    /// The policy's own answer to approving or rejecting, as text for four-eyes' verdict.
    fn policy(&self, caller: &Caller, action: &str, object: &str) -> Result<(), String> {
        if self.allows(caller, "approvals", action, object) {
            Ok(())
        } else {
            Err(format!(
                "no policy line lets you {action} deploys of {object}"
            ))
        }
    }

    async fn readable(&self, caller: &Caller, id: &str) -> Result<RequestRow, AppError> {
        // Signed in before anything is looked up: nobody learns which requests exist.
        who(caller)?;
        let row = self.deploys.row(id).await?;
        self.access
            .authorize(caller, "applications", "get", &object(&row))
            .await?;
        Ok(row)
    }

    async fn with_rights(
        &self,
        caller: &Caller,
        row: &RequestRow,
    ) -> Result<RequestView, AppError> {
        let who = who(caller)?;
        let object = object(row);
        let admin = self.allows(caller, "deploys", "delete", &object);
        let rights = self
            .deploys
            .rights(
                row,
                &who,
                self.policy(caller, "approve", &object),
                self.allows(caller, "settings", "update", &format!("{}/*", row.env)),
            )
            .await?;
        let rights = atrium_app::dto::deploy::ViewerRights {
            can_cancel: rights.can_cancel
                || (admin && matches!(row.state, RequestState::Pending | RequestState::Approved)),
            ..rights
        };
        Ok(self.deploys.view(&row.id, Some(rights)).await?)
    }
}

#[async_trait::async_trait]
impl DeployService for DeployApi {
    async fn create(&self, caller: &Caller, new: NewRequest) -> Result<RequestView, AppError> {
        let who = who(caller)?;
        let object = format!("{}/{}", new.environment, new.app);
        self.access
            .authorize(caller, "deploys", new.change.action(), &object)
            .await?;
        let view = self.deploys.create(&who, &new).await?;
        let row = self.deploys.row(&view.id).await?;
        self.with_rights(caller, &row).await
    }

    async fn get(&self, caller: &Caller, id: &str) -> Result<RequestView, AppError> {
        let row = self.readable(caller, id).await?;
        self.with_rights(caller, &row).await
    }

    async fn list(
        &self,
        caller: &Caller,
        query: RequestQuery,
    ) -> Result<Vec<RequestView>, AppError> {
        let who = who(caller)?;
        let awaiting = query.scope.as_deref() == Some("awaiting");
        let mut views = self.deploys.list(&query, &who.subject).await?;
        views.retain(|v| {
            self.allows(
                caller,
                "applications",
                "get",
                &format!("{}/{}", v.environment, v.app),
            )
        });
        if awaiting {
            views.retain(|v| {
                v.requester_id != who.subject
                    && self.allows(
                        caller,
                        "approvals",
                        "approve",
                        &format!("{}/{}", v.environment, v.app),
                    )
            });
        }
        Ok(views)
    }

    async fn decide(
        &self,
        caller: &Caller,
        id: &str,
        approve: bool,
        comment: &str,
    ) -> Result<RequestView, AppError> {
        let who = who(caller)?;
        let row = self.readable(caller, id).await?;
        let action = if approve { "approve" } else { "reject" };
        // The enforcement point first (a refusal is audited there), then four-eyes.
        self.access
            .authorize(caller, "approvals", action, &object(&row))
            .await?;
        self.deploys
            .decide(id, &who, approve, comment, Ok(()))
            .await?;
        self.get(caller, id).await
    }

    async fn cancel(&self, caller: &Caller, id: &str) -> Result<RequestView, AppError> {
        let who = who(caller)?;
        let row = self.readable(caller, id).await?;
        let others = row.requester_subject != who.subject;
        if others {
            self.access
                .authorize(caller, "deploys", "delete", &object(&row))
                .await?;
        }
        self.deploys.cancel(id, &who, others).await?;
        self.get(caller, id).await
    }

    async fn override_window(&self, caller: &Caller, id: &str) -> Result<RequestView, AppError> {
        let who = who(caller)?;
        let row = self.readable(caller, id).await?;
        self.access
            .authorize(caller, "settings", "update", &format!("{}/*", row.env))
            .await?;
        self.deploys.override_window(id, &who).await?;
        self.get(caller, id).await
    }

    async fn awaiting(&self, caller: &Caller) -> Result<usize, AppError> {
        let query = RequestQuery {
            scope: Some("awaiting".into()),
            ..RequestQuery::default()
        };
        Ok(self.list(caller, query).await?.len())
    }

    async fn options(
        &self,
        caller: &Caller,
        env: &str,
        app: &str,
    ) -> Result<DeployOptions, AppError> {
        let object = format!("{env}/{app}");
        self.access
            .authorize(caller, "applications", "get", &object)
            .await?;
        let snapshot = self
            .deploys
            .engine
            .app(env, app)
            .ok_or_else(|| AppError::NotFound(format!("no app `{app}` in {env}")))?;
        let policy = self.deploys.settings.policy(env).cloned();
        let repos = self.deploys.engine.repos();
        let production = repos
            .iter()
            .find(|r| r.env == env)
            .is_some_and(|r| r.production);
        let policy =
            policy.unwrap_or_else(|| super::policy::EnvPolicy::default_for(env, production));
        let frozen = self
            .deploys
            .freezes()
            .await?
            .into_iter()
            .find(|f| f.env == env);
        let waiting = match frozen {
            Some(f) => Some(format!("{env} is frozen by {}: {}", f.by, f.reason)),
            None => match policy.window(app, chrono::Utc::now()) {
                Verdict::Open => None,
                Verdict::Closed { why, .. } => Some(why),
            },
        };
        let can_request = self.allows(caller, "deploys", "deploy", &object);
        let position = repos.iter().position(|r| r.env == env).unwrap_or(0);
        let promote_from = repos[..position]
            .iter()
            .filter(|r| self.deploys.engine.app(&r.env, app).is_some())
            .map(|r| r.env.clone())
            .collect();
        let open_request = self
            .deploys
            .list(
                &RequestQuery {
                    state: Some("open".into()),
                    environment: Some(env.into()),
                    app: Some(app.into()),
                    scope: None,
                },
                "",
            )
            .await?
            .into_iter()
            .next()
            .map(|v| v.id);
        Ok(DeployOptions {
            environment: env.to_string(),
            app: app.to_string(),
            current_version: snapshot.version.clone(),
            target_revision: snapshot.target_revision.clone(),
            containers: snapshot.containers.iter().map(|(c, _)| c.clone()).collect(),
            versions: self.deploys.versions_elsewhere(env, app),
            promote_from,
            required_approvals: policy.approvals,
            waiting,
            can_request,
            why_not: (!can_request).then(|| format!("no policy line lets you deploy {object}")),
            open_request,
        })
    }

    async fn preview(
        &self,
        caller: &Caller,
        env: &str,
        app: &str,
        change: &Change,
    ) -> Result<ChangePreview, AppError> {
        self.access
            .authorize(caller, "applications", "get", &format!("{env}/{app}"))
            .await?;
        Ok(self.deploys.preview(env, app, change).await?)
    }

    async fn history(
        &self,
        caller: &Caller,
        env: &str,
        app: &str,
    ) -> Result<Vec<RequestView>, AppError> {
        self.access
            .authorize(caller, "applications", "get", &format!("{env}/{app}"))
            .await?;
        Ok(self.deploys.history(env, app).await?)
    }

    async fn lineage(&self, caller: &Caller, env: &str, app: &str) -> Result<Lineage, AppError> {
        self.access
            .authorize(caller, "applications", "get", &format!("{env}/{app}"))
            .await?;
        Ok(self.deploys.lineage(env, app).await?)
    }

    async fn set_freeze(
        &self,
        caller: &Caller,
        env: &str,
        frozen: bool,
        reason: &str,
    ) -> Result<(), AppError> {
        let who = who(caller)?;
        self.access
            .authorize(caller, "settings", "update", &format!("{env}/*"))
            .await?;
        if frozen && reason.trim().is_empty() {
            return Err(AppError::BadRequest(
                "reason: say why the environment is frozen".into(),
            ));
        }
        Ok(self.deploys.set_freeze(env, frozen, reason, &who).await?)
    }

    async fn freezes(&self, caller: &Caller) -> Result<Vec<FreezeView>, AppError> {
        self.access
            .authorize(caller, "applications", "get", "*")
            .await?;
        Ok(self
            .deploys
            .freezes()
            .await?
            .into_iter()
            .map(|f| FreezeView {
                environment: f.env,
                by: f.by,
                reason: f.reason,
                at: f.at,
            })
            .collect())
    }

    async fn matrix(&self, caller: &Caller) -> Result<MatrixView, AppError> {
        self.matrix_for(caller)
    }

    async fn api_environments(&self, caller: &Caller) -> Result<Vec<ApiEnvironment>, AppError> {
        self.access
            .authorize(caller, "applications", "get", "*")
            .await?;
        Ok(self
            .deploys
            .engine
            .repos()
            .into_iter()
            .map(|r| ApiEnvironment {
                name: r.env,
                production: r.production,
                repo: r.configured,
                branch: r.branch,
                head: r.head,
            })
            .collect())
    }

    async fn api_apps(&self, caller: &Caller, env: &str) -> Result<Vec<ApiApp>, AppError> {
        self.access
            .authorize(caller, "applications", "get", &format!("{env}/*"))
            .await?;
        if !self.deploys.engine.repos().iter().any(|r| r.env == env) {
            return Err(AppError::NotFound(format!(
                "no environment `{env}` is configured"
            )));
        }
        Ok(self
            .deploys
            .engine
            .apps(env)
            .into_iter()
            .filter(|a| self.allows(caller, "applications", "get", &format!("{env}/{}", a.name)))
            .map(|a| ApiApp {
                name: a.name,
                version: a.version,
                revision: a.target_revision,
                sync: a.sync.as_str().to_string(),
                health: a.health.as_str().to_string(),
            })
            .collect())
    }

    async fn create_token(
        &self,
        caller: &Caller,
        name: &str,
        expires_days: Option<u32>,
    ) -> Result<NewToken, AppError> {
        let who = who(caller)?;
        if caller.via_token {
            return Err(AppError::Forbidden(
                "tokens are created from a signed-in session, not by another token".into(),
            ));
        }
        let owner = TokenOwner {
            subject: who.subject.clone(),
            name: who.name.clone(),
            email: who.email.clone(),
            groups: Vec::new(),
        };
        Ok(tokens::create(
            &self.deploys.store,
            &owner,
            name,
            expires_days,
            &who.actor(),
        )
        .await?)
    }

    async fn tokens(&self, caller: &Caller) -> Result<Vec<TokenView>, AppError> {
        let who = who(caller)?;
        Ok(tokens::list(&self.deploys.store, &who.subject).await?)
    }

    async fn revoke_token(&self, caller: &Caller, id: &str) -> Result<(), AppError> {
        let who = who(caller)?;
        Ok(tokens::revoke(&self.deploys.store, id, &who.actor()).await?)
    }
}

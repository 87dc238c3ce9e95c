//! Applying one app to its cluster and recording it, whoever asked (the pass's auto-sync or a
//! person): before anything is applied, a `running` row in the sync history and an
//! `applications.sync.start` audit record (who, app, revision, the plan); after, the outcome
//! and an `applications.sync` record. Each pair is one transaction. A sync whose start cannot
//! be recorded is not run; one cut off by the process ending is marked `interrupted` at the
//! next start ([`crate::store::Store::interrupt_unfinished_syncs`]).

use atrium_app::service::Caller;

use super::runtime::EnvRuntime;
use super::{Engine, EngineError};
use crate::audit::{outcome, Actor, AuditRecord};
use crate::cluster::driver::{AppSync, ClusterDriver, ResourceAction, SyncOptions};
use crate::gitops::application::is_application;
use crate::gitops::appset::is_app_kind;
use crate::gitops::project::is_app_project;
use crate::gitops::tree::RenderedApp;
use crate::store::syncs::SyncRow;

/// One sync to run: which app, how, and who asked.
pub(super) struct SyncRequest<'a> {
    app: &'a RenderedApp,
    /// Delete what the app no longer renders.
    prune: bool,
    actor: Actor,
    /// `auto` (the pass) or `manual` (a person), as recorded.
    trigger: &'static str,
    /// The person's request (its id and client address go into the audit record).
    caller: Option<&'a Caller>,
    /// The deploy request this sync carries out.
    deploy: Option<&'a str>,
}

impl<'a> SyncRequest<'a> {
    /// The pass syncing an automated app.
    pub(super) fn auto(app: &'a RenderedApp, prune: bool) -> Self {
        Self {
            app,
            prune,
            actor: Actor {
                subject: "auto-sync".into(),
                name: "auto-sync".into(),
                groups: Vec::new(),
            },
            trigger: "auto",
            caller: None,
            deploy: None,
        }
    }

    /// A person's "Sync now".
    pub(super) fn manual(app: &'a RenderedApp, prune: bool, caller: &'a Caller) -> Self {
        Self {
            app,
            prune,
            actor: crate::auth::access::actor_of(caller),
            trigger: "manual",
            caller: Some(caller),
            deploy: None,
        }
    }

    /// The deploy executor syncing the commit of request `deploy`.
    pub(super) fn deploy(app: &'a RenderedApp, prune: bool, actor: Actor, deploy: &'a str) -> Self {
        Self {
            app,
            prune,
            actor,
            trigger: "deploy",
            caller: None,
            deploy: Some(deploy),
        }
    }
}

impl Engine {
    /// Apply one app and record it (sync history + audit, together). Nothing is applied from
    /// an app that did not render completely.
    pub(super) async fn run_sync(
        &self,
        env: &EnvRuntime,
        driver: &ClusterDriver,
        request: SyncRequest<'_>,
    ) -> SyncRow {
        let SyncRequest {
            app,
            prune,
            actor,
            trigger,
            caller,
            deploy,
        } = request;
        let object = format!("{}/{}", env.config.name, app.name);
        let mut row = SyncRow {
            env: env.config.name.clone(),
            app: app.name.clone(),
            at: crate::audit::now(),
            actor_subject: actor.subject.clone(),
            actor_name: actor.name.clone(),
            trigger: trigger.into(),
            revision: app.source.revision.clone(),
            result: "running".into(),
            message: format!("applying {} resources", app.resources.len()),
            details: serde_json::Value::Null,
            request: deploy.map(str::to_string),
        };
        let with_request = |record: AuditRecord| match caller {
            Some(caller) => record
                .with_request(caller.request_id.clone(), caller.client_ip.clone())
                .with_client_request_id(caller.client_request_id.clone()),
            None => record,
        };
        // The plan as far as the record needs it: what will be applied (capped, counted).
        const PLAN_SHOWN: usize = 200;
        let plan: Vec<String> = app
            .resources
            .iter()
            .take(PLAN_SHOWN)
            .map(|r| r.key())
            .collect();
        let mut start = AuditRecord::new(
            actor.clone(),
            "applications.sync.start",
            object.clone(),
            outcome::SUCCESS,
        )
        .with_details(serde_json::json!({
            "trigger": trigger, "revision": app.source.revision, "prune": prune,
            "resources": app.resources.len(), "plan": plan,
        }));
        if let (Some(request), Some(details)) = (deploy, start.details.as_object_mut()) {
            details.insert("request".into(), request.into());
        }
        // Auto-syncs and deploy syncs are the leader's, fenced by its lease; "Sync now" runs
        // where a person asked for it.
        let store = match trigger {
            "manual" => Some(self.store.clone()),
            _ => self.leadership.acting_store(&self.store),
        };
        let started = match &store {
            Some(store) => store.start_sync(&row, &with_request(start)).await,
            None => Err(crate::store::StoreError::Conflict(
                "this replica does not lead".into(),
            )),
        };
        let id = match started {
            Ok(id) => id,
            Err(
                e @ (crate::store::StoreError::Fenced(_) | crate::store::StoreError::Conflict(_)),
            ) => {
                tracing::warn!(env = %env.config.name, app = %app.name, trigger, "not syncing: {e}");
                row.result = "failed".into();
                row.message = "not applied: this replica no longer leads".into();
                return row;
            }
            Err(e) => {
                // Fail closed: nothing is applied that the record does not know about.
                tracing::error!(env = %env.config.name, app = %app.name, "recording a sync's start failed, not syncing: {e}");
                row.result = "failed".into();
                row.message =
                    "not applied: the sync could not be recorded in the audit trail".into();
                return row;
            }
        };
        // The replica tests stop a leader here, its sync recorded as started: `auto-syncing`,
        // `deploy-syncing`.
        crate::util::pause_point_async(&format!("{trigger}-syncing")).await;
        let options = SyncOptions {
            prune,
            create_namespace: app.sync_options.iter().any(|o| o == "CreateNamespace=true"),
            dry_run: false,
            wait_for_health: Some(self.wave_timeout),
        };
        // RespectIgnoreDifferences=true: ignored fields keep their live values.
        let snapshot = env.snapshot();
        let live = snapshot.live.get(&app.name);
        let respected = crate::gitops::ignore::for_sync(
            app.application.as_ref(),
            &app.sync_options,
            &app.resources,
            |key| {
                live.and_then(|l| l.iter().find(|o| *o.key == *key))
                    .map(|o| o.object.value())
            },
        );
        // Child Applications, ApplicationSets and AppProjects are Atrium's own to act on, not
        // the cluster's, unless configured.
        let resources: Vec<_> = respected
            .as_deref()
            .unwrap_or(&app.resources)
            .iter()
            .filter(|r| env.config.apply_applications || !is_argo_object(r))
            .cloned()
            .collect();
        let (result, message, details) = match refusal(app) {
            // As Argo CD: a resource the project does not permit fails the whole sync.
            Some(message) => ("failed", message, serde_json::Value::Null),
            None => match driver
                .apply_app(
                    &app.name,
                    &resources,
                    options,
                    AppSync {
                        revision: app.source.revision.as_deref().unwrap_or_default(),
                        sync_options: &app.sync_options,
                    },
                )
                .await
            {
                Ok(report) => {
                    env.settle(app.cluster.as_deref(), &report).await;
                    let count = |a: ResourceAction| report.with_action(a).count();
                    let message = format!(
                        "{} created, {} configured, {} unchanged, {} pruned, {} failed",
                        count(ResourceAction::Created),
                        count(ResourceAction::Configured),
                        count(ResourceAction::Unchanged),
                        count(ResourceAction::Pruned),
                        count(ResourceAction::Failed),
                    );
                    let failures: Vec<String> = report
                        .with_action(ResourceAction::Failed)
                        .map(|r| format!("{}: {}", r.key, r.message))
                        .collect();
                    let result = if report.succeeded() {
                        "succeeded"
                    } else {
                        "failed"
                    };
                    let message = if failures.is_empty() {
                        message
                    } else {
                        format!("{message}: {}", failures.join("; "))
                    };
                    (
                        result,
                        message,
                        serde_json::to_value(&report.results).unwrap_or_default(),
                    )
                }
                Err(e) => (
                    "failed",
                    EngineError::ClusterUnreachable(e).to_string(),
                    serde_json::Value::Null,
                ),
            },
        };
        row.at = crate::audit::now();
        row.result = result.into();
        row.message = message.clone();
        row.details = details;
        let mut record = AuditRecord::new(
            actor,
            "applications.sync",
            object,
            if result == "succeeded" {
                outcome::SUCCESS
            } else {
                outcome::FAILURE
            },
        )
        .with_details(serde_json::json!({
            "trigger": trigger, "revision": app.source.revision, "prune": prune, "message": message,
        }));
        if let (Some(request), Some(details)) = (deploy, record.details.as_object_mut()) {
            details.insert("request".into(), request.into());
        }
        if let Err(e) = self
            .store
            .finish_sync(&id, &row, &with_request(record))
            .await
        {
            // Applied already: the start record stands, and the row stays `running` until the
            // next start marks it interrupted.
            tracing::error!("recording a sync's outcome failed: {e}");
        }
        tracing::info!(env = %env.config.name, app = %app.name, trigger, result, "{message}");
        self.changed(&env.config.name);
        row
    }
}

/// Argo CD's own objects: Atrium reads them itself.
fn is_argo_object(r: &crate::resource::DesiredResource) -> bool {
    is_app_kind(&r.kind) || is_application(r) || is_app_project(r)
}

/// Why nothing of `app` may be applied: the resources its AppProject does not permit.
fn refusal(app: &RenderedApp) -> Option<String> {
    const SHOWN: usize = 5;
    let reasons: Vec<String> = app
        .refused
        .iter()
        .take(SHOWN)
        .map(|(key, why)| format!("{key}: {why}"))
        .collect();
    if reasons.is_empty() {
        return None;
    }
    let more = app.refused.len().saturating_sub(SHOWN);
    Some(format!(
        "not applied: {} resource(s) not permitted by the app's project: {}{}",
        app.refused.len(),
        reasons.join("; "),
        if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        }
    ))
}

//! Applying one app to its cluster and recording it: a row in the sync history and a record
//! in the audit trail, written in one transaction, whoever asked (the pass's auto-sync or a
//! person).

use atrium_app::service::Caller;

use super::runtime::EnvRuntime;
use super::{Engine, EngineError};
use crate::audit::{outcome, Actor, AuditRecord};
use crate::cluster::driver::{ClusterDriver, ResourceAction, SyncOptions};
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
        let options = SyncOptions {
            prune,
            create_namespace: app.sync_options.iter().any(|o| o == "CreateNamespace=true"),
            dry_run: false,
            wait_for_health: Some(self.wave_timeout),
        };
        let (result, message, details) =
            match driver.apply(&app.name, &app.resources, options).await {
                Ok(report) => {
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
            };
        let row = SyncRow {
            env: env.config.name.clone(),
            app: app.name.clone(),
            at: crate::audit::now(),
            actor_subject: actor.subject.clone(),
            actor_name: actor.name.clone(),
            trigger: trigger.into(),
            revision: app.source.revision.clone(),
            result: result.into(),
            message: message.clone(),
            details,
            request: deploy.map(str::to_string),
        };
        let mut record = AuditRecord::new(
            actor,
            "applications.sync",
            format!("{}/{}", env.config.name, app.name),
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
        if let Some(caller) = caller {
            record = record
                .with_request(caller.request_id.clone(), caller.client_ip.clone())
                .with_client_request_id(caller.client_request_id.clone());
        }
        if let Err(e) = self.store.record_sync(&row, &record).await {
            tracing::error!("recording a sync failed: {e}");
        }
        tracing::info!(env = %env.config.name, app = %app.name, trigger, result, "{message}");
        row
    }
}

//! Applying one app to its cluster and recording it: a row in the sync history and a record
//! in the audit trail, whoever asked (the pass's auto-sync or a person).

use super::runtime::EnvRuntime;
use super::{Engine, EngineError};
use crate::audit::{outcome, Actor, AuditRecord};
use crate::cluster::driver::{ClusterDriver, ResourceAction, SyncOptions};
use crate::store::syncs::SyncRow;
use atrium_app::service::Caller;

impl Engine {
    /// Apply one app and record it (sync history + audit). Nothing is applied from an app that
    /// did not render completely.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn run_sync(
        &self,
        env: &EnvRuntime,
        driver: &ClusterDriver,
        app: &crate::gitops::tree::RenderedApp,
        prune: bool,
        actor: Actor,
        trigger: &str,
        caller: Option<&Caller>,
    ) -> SyncRow {
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
        };
        if let Err(e) = self.store.record_sync(&row).await {
            tracing::error!("recording a sync failed: {e}");
        }
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
        if let Some(caller) = caller {
            record = record.with_request(caller.request_id.clone(), caller.client_ip.clone());
        }
        if let Err(e) = self.store.append_audit(&record).await {
            tracing::error!("audit append failed: {e}");
        }
        tracing::info!(env = %env.config.name, app = %app.name, trigger, result, "{message}");
        row
    }
}

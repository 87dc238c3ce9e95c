//! Hook delete policies during a sync (gitops-engine `sync_context.go`): `BeforeHookCreation`
//! deletes the hook an earlier sync left before creating it again (in `apply_one`), and once
//! the sync is over, `HookSucceeded` hooks go if it succeeded and `HookFailed` ones if it
//! failed. Only hooks this sync applied and waited for are deleted: a hook nobody saw finish
//! is left alone.

use std::time::Duration;

use kube::api::DeleteParams;
use kube::core::DynamicObject;
use kube::Api;

use super::apply::Step;
use super::report::{SyncOptions, SyncReport};
use super::{api_message, ClusterDriver};
use crate::resource::hooks::{delete_policies, DeletePolicy};

/// How long a deleted hook may take to be gone before its recreation fails.
const GONE_WITHIN: Duration = Duration::from_secs(30);

impl ClusterDriver {
    /// Deletes `name` and waits until the server no longer has it (a Job with finalizers may
    /// linger); `Err` is the reason, for the hook's result.
    pub(super) async fn delete_and_wait(
        &self,
        api: &Api<DynamicObject>,
        name: &str,
    ) -> Result<(), String> {
        match api.delete(name, &DeleteParams::background()).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.code == 404 => return Ok(()),
            Err(e) => return Err(format!("deleting the previous hook: {}", api_message(&e))),
        }
        let deadline = tokio::time::Instant::now() + GONE_WITHIN;
        loop {
            match api.get_opt(name).await {
                Ok(None) => return Ok(()),
                Ok(Some(_)) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Ok(Some(_)) => {
                    return Err(format!(
                        "the previous hook {name} was still being deleted after {} s",
                        GONE_WITHIN.as_secs()
                    ))
                }
                Err(e) => return Err(api_message(&e)),
            }
        }
    }

    /// Applies `HookSucceeded` / `HookFailed` once the sync's outcome is known.
    pub(super) async fn delete_finished_hooks(
        &self,
        steps: &[Step<'_>],
        opts: &SyncOptions,
        report: &mut SyncReport,
    ) {
        if opts.dry_run || opts.wait_for_health.is_none() {
            return;
        }
        let (policy, why) = if report.succeeded() {
            (DeletePolicy::HookSucceeded, "the sync succeeded")
        } else {
            (DeletePolicy::HookFailed, "the sync failed")
        };
        for step in steps.iter().filter(|s| s.res.hook.is_some()) {
            let Ok(resolved) = &step.resolved else {
                continue;
            };
            if !delete_policies(&step.res.manifest.value()).contains(&policy) {
                continue;
            }
            // Applied by this sync (a skipped or refused one has no version).
            let Some(result) = report
                .results
                .iter_mut()
                .rev()
                .find(|r| r.key == step.key && r.resource_version.is_some())
            else {
                continue;
            };
            let api = self.api(resolved, &step.namespace);
            let note = match api.delete(&step.name, &DeleteParams::background()).await {
                Ok(_) => format!("; deleted: {why} ({policy:?})"),
                Err(kube::Error::Api(s)) if s.code == 404 => String::new(),
                Err(e) => format!("; not deleted ({policy:?}): {}", api_message(&e)),
            };
            result.message.push_str(&note);
        }
    }
}

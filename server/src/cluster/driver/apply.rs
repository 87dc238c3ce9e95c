//! `ClusterDriver::apply`: one sync. Resources go in Argo CD's order (hook phase, wave,
//! kind, name) by server-side apply under field manager `atrium` with force; a wave with a
//! failure stops the sync there (later waves are reported Skipped, SyncFail hooks run, nothing
//! is pruned); with `wait_for_health`, a wave starts only once the one before is healthy; after
//! the last wave, objects carrying the app's tracking label that are no
//! longer desired are pruned (or reported as needing it).

use std::collections::BTreeSet;

use kube::api::{DeleteParams, Patch, PatchParams};
use kube::core::DynamicObject;
use serde_json::{json, Value};

use super::diff::in_sync;
use super::health::health_of;
use super::options;
use super::plan::{self, phase_rank, FIELD_MANAGER};
use super::report::{AppSync, ResourceAction, ResourceResult, SyncOptions, SyncReport};
use super::{api_message, ClusterDriver, Error, Resolved, Result};
use crate::resource::hooks::{delete_policies, generate_name, hook_name, is_hook, DeletePolicy};
use crate::resource::{resource_key, DesiredResource, Health};
use crate::shared_str::SharedStr;

/// One resource, resolved, ready to apply.
pub(super) struct Step<'a> {
    pub(super) res: &'a DesiredResource,
    pub(super) resolved: std::result::Result<Resolved, String>,
    /// Effective namespace: defaulted for namespaced kinds, empty for cluster-scoped ones.
    pub(super) namespace: String,
    /// The object's name: the manifest's, or the one this sync gives a `generateName` hook.
    pub(super) name: String,
    pub(super) key: String,
}

impl Step<'_> {
    fn result(&self, action: ResourceAction, message: impl Into<String>) -> ResourceResult {
        ResourceResult {
            key: self.key.clone(),
            api_version: self.res.api_version.to_string(),
            kind: self.res.kind.to_string(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            wave: self.res.sync_wave,
            hook: self.res.hook.clone(),
            action,
            message: message.into(),
            resource_version: None,
        }
    }

    fn namespaced(&self) -> bool {
        self.resolved.as_ref().is_ok_and(|r| r.namespaced)
    }
}

/// What names the `generateName` hooks of one sync.
struct Run<'a> {
    revision: &'a str,
    started_unix: i64,
    /// The app's sync options.
    options: &'a [String],
}

impl<'a> Run<'a> {
    fn now(revision: &'a str, options: &'a [String]) -> Self {
        let started_unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Run {
            revision,
            started_unix,
            options,
        }
    }
}

impl ClusterDriver {
    /// Syncs `app` to `resources`. Per-resource failures are in the report; `Err` means the
    /// cluster could not be asked at all (discovery or the prune inventory failed).
    pub async fn apply(
        &self,
        app: &str,
        resources: &[DesiredResource],
        opts: SyncOptions,
    ) -> Result<SyncReport> {
        self.apply_app(app, resources, opts, AppSync::default())
            .await
    }

    /// [`apply`](Self::apply) of one revision of an Argo CD app, with its sync options.
    pub async fn apply_app(
        &self,
        app: &str,
        resources: &[DesiredResource],
        opts: SyncOptions,
        app_sync: AppSync<'_>,
    ) -> Result<SyncReport> {
        let mut report = SyncReport {
            app: app.into(),
            dry_run: opts.dry_run,
            ..Default::default()
        };
        let run = Run::now(app_sync.revision, app_sync.sync_options);
        let steps = self.steps(plan::ordered(resources), &run).await?;
        let mut pending_ns = BTreeSet::new();
        if opts.create_namespace {
            self.create_namespaces(
                &steps,
                resources,
                opts.dry_run,
                &mut pending_ns,
                &mut report,
            )
            .await;
        }
        if opts.dry_run {
            // Namespaces the sync itself would create do not exist yet for the dry run.
            pending_ns.extend(
                steps
                    .iter()
                    .filter(|s| s.res.kind == "Namespace" && s.res.api_version == "v1")
                    .map(|s| s.res.name.to_string()),
            );
        }
        // Collected: the grouping closure must not live across the awaits below.
        let waves: Vec<&[Step<'_>]> = steps
            .chunk_by(|a, b| {
                (phase_rank(a.res.hook.as_deref()), a.res.sync_wave)
                    == (phase_rank(b.res.hook.as_deref()), b.res.sync_wave)
            })
            .collect();
        for (index, wave) in waves.iter().copied().enumerate() {
            if report.failed_wave.is_some() {
                let why = format!(
                    "not applied: wave {} failed",
                    report.failed_wave.unwrap_or_default()
                );
                report.results.extend(
                    wave.iter()
                        .map(|s| s.result(ResourceAction::Skipped, why.clone())),
                );
                continue;
            }
            // The whole wave is attempted, as Argo CD does, before stopping.
            for step in wave {
                let r = self
                    .apply_one(app, step, opts.dry_run, &pending_ns, &run)
                    .await;
                if r.action == ResourceAction::Failed {
                    report.failed_wave = Some(step.res.sync_wave);
                }
                report.results.push(r);
            }
            // Hooks are waited for even in the last wave: the sync succeeds only if they do.
            let hooks = wave.iter().any(|s| s.res.hook.is_some());
            if let (None, Some(limit), false, true) = (
                report.failed_wave,
                opts.wait_for_health,
                opts.dry_run,
                index + 1 < waves.len() || hooks,
            ) {
                if let Err((key, why)) = self.wait_healthy(wave, limit).await {
                    report.failed_wave = Some(wave[0].res.sync_wave);
                    if let Some(r) = report.results.iter_mut().rev().find(|r| r.key == key) {
                        r.action = ResourceAction::Failed;
                        r.message = why;
                    }
                }
            }
        }
        if report.failed_wave.is_some() {
            let mut hooks: Vec<&DesiredResource> = resources
                .iter()
                .filter(|r| r.hook.as_deref() == Some("SyncFail"))
                .collect();
            hooks.sort_by(|a, b| plan::compare(a, b));
            let fail_steps = self.steps(hooks, &run).await?;
            for step in &fail_steps {
                report.results.push(
                    self.apply_one(app, step, opts.dry_run, &pending_ns, &run)
                        .await,
                );
            }
            // SyncFail hooks are waited for like the others (Argo CD's sync ends when they
            // finish), so a failing one says so and their delete policies apply.
            if let (Some(limit), false, false) =
                (opts.wait_for_health, opts.dry_run, fail_steps.is_empty())
            {
                if let Err((key, why)) = self.wait_healthy(&fail_steps, limit).await {
                    if let Some(r) = report.results.iter_mut().rev().find(|r| r.key == key) {
                        r.action = ResourceAction::Failed;
                        r.message = why;
                    }
                }
            }
            self.delete_finished_hooks(&steps, &opts, &mut report).await;
            self.delete_finished_hooks(&fail_steps, &opts, &mut report)
                .await;
            return Ok(report);
        }
        let desired: BTreeSet<&str> = steps.iter().map(|s| s.key.as_str()).collect();
        let kinds: Vec<(String, String)> = steps
            .iter()
            .map(|s| (s.res.api_version.to_string(), s.res.kind.to_string()))
            .collect();
        let mut doomed: Vec<_> = self
            .live_with(app, &kinds)
            .await?
            .into_iter()
            // Hooks go by their delete policy, never by prune (Argo CD's rule).
            .filter(|l| !desired.contains(&*l.key) && !is_hook(&l.object.value()))
            .collect();
        // Dependents before what they live in: workloads first, namespaces last.
        doomed.sort_by_key(|l| std::cmp::Reverse(plan::kind_rank(&l.kind)));
        for live in doomed {
            let mut r = ResourceResult {
                key: live.key.to_string(),
                api_version: live.api_version.to_string(),
                kind: live.kind.to_string(),
                namespace: live.namespace.to_string(),
                name: live.name.to_string(),
                wave: 0,
                hook: None,
                action: ResourceAction::PruneRequired,
                message: "ignored (requires pruning)".into(),
                resource_version: None,
            };
            if options::is(&live.object.value(), &[], "Prune", "false") {
                r.message = "not pruned: its sync options say Prune=false".into();
            } else if opts.prune {
                (r.action, r.message) = match self
                    .prune_one(
                        &live.api_version,
                        &live.kind,
                        &live.namespace,
                        &live.name,
                        opts.dry_run,
                    )
                    .await
                {
                    Ok(()) if opts.dry_run => (ResourceAction::Pruned, "pruned (dry run)".into()),
                    Ok(()) => (ResourceAction::Pruned, "pruned".into()),
                    Err(e) => (ResourceAction::Failed, format!("prune failed: {e}")),
                };
            }
            report.results.push(r);
        }
        self.delete_finished_hooks(&steps, &opts, &mut report).await;
        Ok(report)
    }

    async fn steps<'a>(
        &self,
        ordered: Vec<&'a DesiredResource>,
        run: &Run<'_>,
    ) -> Result<Vec<Step<'a>>> {
        let default_ns = self.client.default_namespace().to_string();
        let mut steps = Vec::with_capacity(ordered.len());
        for res in ordered {
            let resolved = match self.resolve(&res.api_version, &res.kind).await {
                Ok(r) => Ok(r),
                Err(e @ (Error::UnknownKind { .. } | Error::ApiVersion(_))) => Err(e.to_string()),
                Err(e) => return Err(e),
            };
            let namespace = match &resolved {
                Ok(r) if !r.namespaced => String::new(),
                _ if res.namespace.is_empty() => default_ns.clone(),
                _ => res.namespace.to_string(),
            };
            let manifest = res.manifest.value();
            let name = match (&res.hook, generate_name(&manifest)) {
                (Some(phase), Some(prefix)) => {
                    hook_name(prefix, run.revision, phase, run.started_unix)
                }
                _ => res.name.to_string(),
            };
            let key = resource_key(&res.api_version, &res.kind, &namespace, &name);
            steps.push(Step {
                res,
                resolved,
                namespace,
                name,
                key,
            });
        }
        Ok(steps)
    }

    async fn create_namespaces(
        &self,
        steps: &[Step<'_>],
        resources: &[DesiredResource],
        dry_run: bool,
        pending: &mut BTreeSet<String>,
        report: &mut SyncReport,
    ) {
        let desired: BTreeSet<&str> = resources
            .iter()
            .filter(|r| r.kind == "Namespace")
            .map(|r| &*r.name)
            .collect();
        let needed: BTreeSet<&str> = steps
            .iter()
            .filter(|s| s.namespaced() && !desired.contains(s.namespace.as_str()))
            .map(|s| s.namespace.as_str())
            .collect();
        for ns in needed {
            let res = DesiredResource {
                api_version: "v1".into(),
                kind: "Namespace".into(),
                namespace: SharedStr::default(),
                name: ns.into(),
                manifest:
                    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
                        .into(),
                sync_wave: i32::MIN,
                hook: None,
                facts: None,
            };
            let Ok(resolved) = self.resolve("v1", "Namespace").await else {
                continue;
            };
            let step = Step {
                res: &res,
                resolved: Ok(resolved.clone()),
                namespace: String::new(),
                name: ns.to_string(),
                key: resource_key("v1", "Namespace", "", ns),
            };
            let api = self.api(&resolved, "");
            match api.get_opt(ns).await {
                Ok(Some(_)) => continue,
                Ok(None) => {}
                Err(e) => {
                    report
                        .results
                        .push(step.result(ResourceAction::Failed, api_message(&e)));
                    continue;
                }
            }
            // Not tracked: like Argo CD's CreateNamespace, the namespace outlives the app.
            let mut pp = PatchParams::apply(FIELD_MANAGER).force();
            pp.dry_run = dry_run;
            // No resourceVersion in the result: the namespace carries no tracking label, so no
            // watch ever reports it, and a sync that waited for the watches to see it would
            // wait out the whole limit (5 s for each new namespace, seen at 2,000 apps).
            let mut r = match api.patch(ns, &pp, &Patch::Apply(&res.manifest)).await {
                Ok(_) => step.result(
                    ResourceAction::Created,
                    if dry_run {
                        "namespace created (dry run)"
                    } else {
                        "namespace created"
                    },
                ),
                Err(e) => step.result(ResourceAction::Failed, api_message(&e)),
            };
            r.wave = steps.first().map_or(0, |s| s.res.sync_wave);
            if dry_run && r.action == ResourceAction::Created {
                pending.insert(ns.to_string());
            }
            report.results.push(r);
        }
    }

    /// Polls the wave's objects until every one is healthy (or suspended). `Err` names the
    /// first that is Degraded, or still not healthy when `limit` runs out.
    async fn wait_healthy(
        &self,
        wave: &[Step<'_>],
        limit: std::time::Duration,
    ) -> std::result::Result<(), (String, String)> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            let mut waiting = None;
            for step in wave {
                let Ok(resolved) = &step.resolved else {
                    continue;
                };
                let api = self.api(resolved, &step.namespace);
                let live = match api.get_opt(&step.name).await {
                    Ok(live) => live.and_then(|o| serde_json::to_value(o).ok()),
                    Err(e) => return Err((step.key.clone(), api_message(&e))),
                };
                let (verdict, message) = health_of(live.as_ref());
                let what = format!("{}/{}", step.res.kind, step.name);
                match verdict {
                    Health::Healthy | Health::Suspended => {}
                    Health::Degraded => {
                        let why = message.map(|m| format!(": {m}")).unwrap_or_default();
                        return Err((
                            step.key.clone(),
                            format!("applied, but {what} is Degraded{why}"),
                        ));
                    }
                    other => {
                        waiting.get_or_insert((step.key.clone(), what, other, message));
                    }
                }
            }
            let Some((key, what, verdict, message)) = waiting else {
                return Ok(());
            };
            if tokio::time::Instant::now() >= deadline {
                let why = message.map(|m| format!(": {m}")).unwrap_or_default();
                return Err((
                    key,
                    format!(
                        "applied, but {what} was still {verdict:?} after {} s{why}",
                        limit.as_secs()
                    ),
                ));
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
    }

    async fn apply_one(
        &self,
        app: &str,
        step: &Step<'_>,
        dry_run: bool,
        pending_ns: &BTreeSet<String>,
        run: &Run<'_>,
    ) -> ResourceResult {
        let resolved = match &step.resolved {
            Ok(r) => r,
            Err(msg) => return step.result(ResourceAction::Failed, msg.clone()),
        };
        if step.name.is_empty() {
            return step.result(ResourceAction::Failed, "the manifest has no metadata.name");
        }
        self.remember_kind(app, &step.res.api_version, &step.res.kind);
        if dry_run && resolved.namespaced && pending_ns.contains(&step.namespace) {
            return step.result(
                ResourceAction::Created,
                "created (dry run; its namespace is created by this sync)",
            );
        }
        let api = self.api(resolved, &step.namespace);
        let namespace = resolved.namespaced.then_some(step.namespace.as_str());
        let own = &step.res.manifest.value();
        let mut manifest = plan::with_tracking(app, &step.key, own, namespace);
        if let Some(meta) = manifest["metadata"].as_object_mut() {
            meta.remove("generateName");
            meta.insert("name".into(), Value::String(step.name.clone()));
        }
        let mut prior = match api.get_opt(&step.name).await {
            Ok(p) => p,
            Err(e) => return step.result(ResourceAction::Failed, api_message(&e)),
        };
        let mut recreated = false;
        if prior.is_some()
            && step.res.hook.is_some()
            && delete_policies(own).contains(&DeletePolicy::BeforeHookCreation)
        {
            if dry_run {
                return step.result(
                    ResourceAction::Created,
                    "deleted and created again (dry run; BeforeHookCreation)",
                );
            }
            // A hook runs again on every sync: the one the last sync left goes first.
            if let Err(e) = self.delete_and_wait(&api, &step.name).await {
                return step.result(ResourceAction::Failed, e);
            }
            (prior, recreated) = (None, true);
        }
        let in_sync_live = |p: &DynamicObject| {
            let live = serde_json::to_value(p).unwrap_or_default();
            plan::owned_by(&live, app) && in_sync(&manifest, &live)
        };
        if step.res.hook.is_none()
            && options::is(own, run.options, "ApplyOutOfSyncOnly", "true")
            && prior.as_ref().is_some_and(in_sync_live)
        {
            return step.result(
                ResourceAction::Unchanged,
                "in sync, not applied (ApplyOutOfSyncOnly=true)",
            );
        }
        let validate = !options::is(own, run.options, "Validate", "false");
        let replace = options::is(own, run.options, "Replace", "true");
        let written = if replace {
            // PUT has no field validation to turn off: Validate=false does not apply here.
            self.replace(&api, &step.name, manifest, prior.as_ref(), dry_run)
                .await
        } else {
            let pp = options::apply_params(dry_run, validate);
            api.patch(&step.name, &pp, &Patch::Apply(&manifest)).await
        };
        let applied = match written {
            Ok(obj) => obj,
            Err(e) => return step.result(ResourceAction::Failed, api_message(&e)),
        };
        // Content, not resourceVersion: controllers write status between our read and our
        // apply all the time, and a dry run never bumps the version.
        let action = match &prior {
            None => ResourceAction::Created,
            Some(p) if same_content(p, &applied) => ResourceAction::Unchanged,
            Some(_) => ResourceAction::Configured,
        };
        let word = match action {
            ResourceAction::Created if recreated => {
                "created (the previous one deleted first: BeforeHookCreation)"
            }
            ResourceAction::Created => "created",
            ResourceAction::Configured if replace => "replaced (Replace=true)",
            ResourceAction::Unchanged => "unchanged",
            _ => "configured",
        };
        let mut r = step.result(
            action,
            if dry_run {
                format!("{word} (dry run)")
            } else {
                word.to_string()
            },
        );
        if !dry_run {
            r.resource_version = applied.metadata.resource_version;
        }
        r
    }

    async fn prune_one(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
        dry_run: bool,
    ) -> Result<()> {
        let resolved = self.resolve(api_version, kind).await?;
        let dp = DeleteParams {
            dry_run,
            ..DeleteParams::background()
        };
        match self.api(&resolved, namespace).delete(name, &dp).await {
            Ok(_) => Ok(()),
            // Already gone is what prune wanted.
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
            Err(source) => Err(Error::Api {
                action: format!("deleting {kind} {name}"),
                source,
            }),
        }
    }
}

/// Whether two versions of an object differ only in server bookkeeping and status.
fn same_content(a: &DynamicObject, b: &DynamicObject) -> bool {
    let strip = |o: &DynamicObject| -> Value {
        let mut v = serde_json::to_value(o).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("status");
        }
        if let Some(m) = v["metadata"].as_object_mut() {
            for k in ["resourceVersion", "managedFields", "generation"] {
                m.remove(k);
            }
        }
        v
    };
    strip(a) == strip(b)
}

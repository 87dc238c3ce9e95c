//! Sync and health badges and the kind icon of the environment views. Status colours mean the
//! same everywhere (Healthy green, Progressing blue, Degraded red, Suspended/Unknown grey,
//! Missing amber; Synced neutral, OutOfSync amber) and are never alone: an icon and the word
//! always come with them. Colours come from CSS (`data-health`, `data-sync`).

use leptos::prelude::*;

use super::icons::{
    AppIcon, ArrowUpCircleIcon, CheckCircleIcon, ConfigIcon, CrossCircleIcon, GhostIcon, HeartIcon,
    IngressIcon, JobIcon, NamespaceIcon, PauseIcon, ProgressIcon, QuestionIcon, ResourceIcon,
    ServiceIcon, WorkloadIcon,
};

/// The CSS key of a health value (`healthy`, `progressing`, … or `unknown`).
pub fn health_key(health: &str) -> &'static str {
    match health {
        "Healthy" => "healthy",
        "Progressing" => "progressing",
        "Degraded" => "degraded",
        "Suspended" => "suspended",
        "Missing" => "missing",
        _ => "unknown",
    }
}

/// The CSS key of a sync value (`synced`, `outofsync` or `unknown`).
pub fn sync_key(sync: &str) -> &'static str {
    match sync {
        "Synced" => "synced",
        "OutOfSync" => "outofsync",
        _ => "unknown",
    }
}

fn or_unknown(s: String) -> String {
    if s.is_empty() {
        "Unknown".into()
    } else {
        s
    }
}

#[component]
pub fn HealthBadge(#[prop(into)] health: String) -> impl IntoView {
    let key = health_key(&health);
    let icon = match key {
        "healthy" => view! { <HeartIcon/> }.into_any(),
        "progressing" => view! { <ProgressIcon/> }.into_any(),
        "degraded" => view! { <CrossCircleIcon/> }.into_any(),
        "suspended" => view! { <PauseIcon/> }.into_any(),
        "missing" => view! { <GhostIcon/> }.into_any(),
        _ => view! { <QuestionIcon/> }.into_any(),
    };
    view! {
        <span class="status-badge" data-health=key title="Health">
            {icon}
            <span>{or_unknown(health)}</span>
        </span>
    }
}

#[component]
pub fn SyncBadge(#[prop(into)] sync: String) -> impl IntoView {
    let key = sync_key(&sync);
    let icon = match key {
        "synced" => view! { <CheckCircleIcon/> }.into_any(),
        "outofsync" => view! { <ArrowUpCircleIcon/> }.into_any(),
        _ => view! { <QuestionIcon/> }.into_any(),
    };
    view! {
        <span class="status-badge" data-sync=key title="Sync status">
            {icon}
            <span>{or_unknown(sync)}</span>
        </span>
    }
}

/// An icon for a Kubernetes kind (the kind's name is shown or announced next to it).
#[component]
pub fn KindIcon(#[prop(into)] kind: String) -> impl IntoView {
    match kind.as_str() {
        "Application" | "ApplicationSet" => view! { <AppIcon/> }.into_any(),
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Pod" => {
            view! { <WorkloadIcon/> }.into_any()
        }
        "Service" => view! { <ServiceIcon/> }.into_any(),
        "ConfigMap" | "Secret" => view! { <ConfigIcon/> }.into_any(),
        "Ingress" => view! { <IngressIcon/> }.into_any(),
        "Namespace" => view! { <NamespaceIcon/> }.into_any(),
        "Job" | "CronJob" => view! { <JobIcon/> }.into_any(),
        _ => view! { <ResourceIcon/> }.into_any(),
    }
}

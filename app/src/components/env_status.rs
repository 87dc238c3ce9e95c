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
use crate::dto::status::{Health, SyncStatus};

#[component]
pub fn HealthBadge(health: Health) -> impl IntoView {
    let icon = match health {
        Health::Healthy => view! { <HeartIcon/> }.into_any(),
        Health::Progressing => view! { <ProgressIcon/> }.into_any(),
        Health::Degraded => view! { <CrossCircleIcon/> }.into_any(),
        Health::Suspended => view! { <PauseIcon/> }.into_any(),
        Health::Missing => view! { <GhostIcon/> }.into_any(),
        Health::Unknown => view! { <QuestionIcon/> }.into_any(),
    };
    view! {
        <span class="status-badge" data-health=health.css_class() title="Health">
            {icon}
            <span>{health.as_str()}</span>
        </span>
    }
}

#[component]
pub fn SyncBadge(sync: SyncStatus) -> impl IntoView {
    let icon = match sync {
        SyncStatus::Synced => view! { <CheckCircleIcon/> }.into_any(),
        SyncStatus::OutOfSync => view! { <ArrowUpCircleIcon/> }.into_any(),
        SyncStatus::Unknown => view! { <QuestionIcon/> }.into_any(),
    };
    view! {
        <span class="status-badge" data-sync=sync.css_class() title="Sync status">
            {icon}
            <span>{sync.as_str()}</span>
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

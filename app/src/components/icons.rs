//! Inline SVG icons bundled with the app (no CDN, no icon font). Each is decorative
//! (`aria-hidden`): the text next to it carries the meaning.

use leptos::prelude::*;

fn svg(class: &'static str, path: &'static str) -> impl IntoView {
    view! {
        <svg
            class=format!("icon {class}")
            viewBox="0 0 16 16"
            width="16"
            height="16"
            aria-hidden="true"
            focusable="false"
        >
            <path d=path fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"/>
        </svg>
    }
}

#[component]
pub fn SearchIcon() -> impl IntoView {
    svg(
        "icon-search",
        "M7 12.5a5.5 5.5 0 1 0 0-11 5.5 5.5 0 0 0 0 11ZM11 11l3.5 3.5",
    )
}

#[component]
pub fn SunIcon() -> impl IntoView {
    svg(
        "icon-sun",
        "M8 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6ZM8 1v1.5M8 13.5V15M1 8h1.5M13.5 8H15M3 3l1 1M12 12l1 1M3 13l1-1M12 4l1-1",
    )
}

#[component]
pub fn MoonIcon() -> impl IntoView {
    svg("icon-moon", "M13.5 9.5A6 6 0 0 1 6.5 2.5a6 6 0 1 0 7 7Z")
}

#[component]
pub fn AlertIcon() -> impl IntoView {
    svg("icon-alert", "M8 1.5 15 14H1L8 1.5ZM8 6v3.5M8 11.5v.5")
}

#[component]
pub fn CheckIcon() -> impl IntoView {
    svg("icon-check", "M3 8.5l3 3 7-7")
}

#[component]
pub fn ExternalIcon() -> impl IntoView {
    svg("icon-external", "M9 2h5v5M14 2 7.5 8.5M12 9.5V14H2V4h4.5")
}

#[component]
pub fn RefreshIcon() -> impl IntoView {
    svg("icon-refresh", "M13.5 8A5.5 5.5 0 1 1 12 4.2M13.5 1.5v3h-3")
}

#[component]
pub fn ChevronDownIcon() -> impl IntoView {
    svg("icon-chevron", "M4 6l4 4 4-4")
}

#[component]
pub fn DownloadIcon() -> impl IntoView {
    svg("icon-download", "M8 2v8.5M4.5 7 8 10.5 11.5 7M2.5 13.5h11")
}

#[component]
pub fn LockIcon() -> impl IntoView {
    svg(
        "icon-lock",
        "M4 7h8a1 1 0 0 1 1 1v5a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1ZM5.5 7V5a2.5 2.5 0 0 1 5 0v2",
    )
}

/// A circle with a bar: refused, not allowed.
#[component]
pub fn BlockedIcon() -> impl IntoView {
    svg(
        "icon-blocked",
        "M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM3.5 12.5l9-9",
    )
}

#[component]
pub fn ShieldIcon() -> impl IntoView {
    svg(
        "icon-shield",
        "M8 1.5 13.5 3.5V8c0 3-2.5 5.5-5.5 6.5C5 13.5 2.5 11 2.5 8V3.5L8 1.5Z",
    )
}

#[component]
pub fn ChevronRightIcon() -> impl IntoView {
    svg("icon-chevron-right", "M6 3.5 10.5 8 6 12.5")
}

#[component]
pub fn CloseIcon() -> impl IntoView {
    svg("icon-close", "M4 4l8 8M12 4l-8 8")
}

/// Two arrows chasing each other: synchronise.
#[component]
pub fn SyncIcon() -> impl IntoView {
    svg(
        "icon-sync",
        "M13.5 8a5.5 5.5 0 0 1-10.2 2.8M2.5 8a5.5 5.5 0 0 1 10.2-2.8M12.7 2.5v2.7H10M3.3 13.5v-2.7H6",
    )
}

// ----- Kubernetes kinds (the environment tree) -----

/// Stacked layers: an Argo CD Application.
#[component]
pub fn AppIcon() -> impl IntoView {
    svg(
        "icon-app",
        "M8 1.5 14.5 5 8 8.5 1.5 5 8 1.5ZM1.5 8 8 11.5 14.5 8M1.5 11 8 14.5 14.5 11",
    )
}

/// A cube: Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod.
#[component]
pub fn WorkloadIcon() -> impl IntoView {
    svg(
        "icon-workload",
        "M8 1.5 14 4.75v6.5L8 14.5 2 11.25v-6.5L8 1.5ZM2 4.75 8 8l6-3.25M8 8v6.5",
    )
}

/// A hub with three spokes: Service.
#[component]
pub fn ServiceIcon() -> impl IntoView {
    svg(
        "icon-service",
        "M8 10a2 2 0 1 0 0-4 2 2 0 0 0 0 4ZM8 6V2.5M6.3 9 3 11.5M9.7 9 13 11.5M8 2.5h.01M3 11.5h.01M13 11.5h.01",
    )
}

/// A page with lines: ConfigMap, Secret.
#[component]
pub fn ConfigIcon() -> impl IntoView {
    svg(
        "icon-config",
        "M4 1.5h5.5l3 3v10H4v-13ZM9.5 1.5v3h3M6 8h4.5M6 10.5h4.5",
    )
}

/// An arrow through a door: Ingress.
#[component]
pub fn IngressIcon() -> impl IntoView {
    svg("icon-ingress", "M9.5 2.5h4v11h-4M1.5 8h8M6.5 5l3 3-3 3")
}

/// Corner brackets: Namespace.
#[component]
pub fn NamespaceIcon() -> impl IntoView {
    svg("icon-namespace", "M2 5V2h3M11 2h3v3M14 11v3h-3M5 14H2v-3")
}

/// A clock: Job, CronJob.
#[component]
pub fn JobIcon() -> impl IntoView {
    svg(
        "icon-job",
        "M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM8 4.5V8l2.5 1.5",
    )
}

/// A plain square: any other kind.
#[component]
pub fn ResourceIcon() -> impl IntoView {
    svg(
        "icon-resource",
        "M3 2.5h10a.5.5 0 0 1 .5.5v10a.5.5 0 0 1-.5.5H3a.5.5 0 0 1-.5-.5V3a.5.5 0 0 1 .5-.5Z",
    )
}

// ----- Health and sync status -----

#[component]
pub fn HeartIcon() -> impl IntoView {
    svg(
        "icon-heart",
        "M8 13.5S2.5 10.3 2.5 6.5A3 3 0 0 1 8 4.6a3 3 0 0 1 5.5 1.9c0 3.8-5.5 7-5.5 7Z",
    )
}

/// Three quarters of a circle: in progress.
#[component]
pub fn ProgressIcon() -> impl IntoView {
    svg("icon-progress", "M8 1.5A6.5 6.5 0 1 1 1.5 8")
}

/// A circle with a cross: degraded.
#[component]
pub fn CrossCircleIcon() -> impl IntoView {
    svg(
        "icon-cross-circle",
        "M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM5.75 5.75l4.5 4.5M10.25 5.75l-4.5 4.5",
    )
}

#[component]
pub fn PauseIcon() -> impl IntoView {
    svg(
        "icon-pause",
        "M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM6.5 5.5v5M9.5 5.5v5",
    )
}

/// A ghost: expected but not there (missing).
#[component]
pub fn GhostIcon() -> impl IntoView {
    svg(
        "icon-ghost",
        "M3.5 14V7a4.5 4.5 0 0 1 9 0v7l-1.5-1-1.5 1-1.5-1-1.5 1-1.5-1-1.5 1ZM6.5 6.5h.01M9.5 6.5h.01",
    )
}

#[component]
pub fn QuestionIcon() -> impl IntoView {
    svg(
        "icon-question",
        "M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM6.2 6.2a1.9 1.9 0 1 1 2.6 1.8c-.5.2-.8.6-.8 1.1v.4M8 11.5h.01",
    )
}

/// A circle with a check: in sync.
#[component]
pub fn CheckCircleIcon() -> impl IntoView {
    svg(
        "icon-check-circle",
        "M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM5.25 8.25l1.9 1.9 3.6-3.9",
    )
}

/// A circle with an arrow up: out of sync (Git is ahead of the cluster).
#[component]
pub fn ArrowUpCircleIcon() -> impl IntoView {
    svg(
        "icon-arrow-up-circle",
        "M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM8 11V5M5.5 7.5 8 5l2.5 2.5",
    )
}

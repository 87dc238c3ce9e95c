//! SVG icons bundled with the app (no CDN, no icon font). Each is decorative (`aria-hidden`):
//! the text next to it carries the meaning. A page carries every drawing once, in
//! [`IconSprite`]; an icon is a `<use>` of it, about a third of the bytes of an inline drawing
//! (a compare of 200 apps has 800 status icons).

use leptos::prelude::*;

fn svg(class: &'static str) -> impl IntoView {
    view! {
        <svg
            class=format!("icon {class}")
            viewBox="0 0 16 16"
            width="16"
            height="16"
            aria-hidden="true"
            focusable="false"
        >
            <use href=format!("#{class}")/>
        </svg>
    }
}

/// Every icon's drawing, once per page (rendered by the app's root, hidden).
#[component]
pub fn IconSprite() -> impl IntoView {
    let symbols = DRAWINGS
        .iter()
        .map(|(id, path)| {
            view! {
                <symbol id=*id viewBox="0 0 16 16">
                    <path d=*path fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"/>
                </symbol>
            }
        })
        .collect_view();
    view! {
        <svg class="icon-sprite" width="0" height="0" aria-hidden="true" focusable="false">
            {symbols}
        </svg>
    }
}

/// One component per icon, and the table of drawings the sprite renders.
macro_rules! icons {
    ($($(#[$meta:meta])* $name:ident $class:literal $path:literal;)*) => {
        $(
            $(#[$meta])*
            #[component]
            pub fn $name() -> impl IntoView {
                svg($class)
            }
        )*
        const DRAWINGS: &[(&str, &str)] = &[$(($class, $path)),*];
    };
}

icons! {
    SearchIcon "icon-search" "M7 12.5a5.5 5.5 0 1 0 0-11 5.5 5.5 0 0 0 0 11ZM11 11l3.5 3.5";
    SunIcon "icon-sun" "M8 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6ZM8 1v1.5M8 13.5V15M1 8h1.5M13.5 8H15M3 3l1 1M12 12l1 1M3 13l1-1M12 4l1-1";
    MoonIcon "icon-moon" "M13.5 9.5A6 6 0 0 1 6.5 2.5a6 6 0 1 0 7 7Z";
    AlertIcon "icon-alert" "M8 1.5 15 14H1L8 1.5ZM8 6v3.5M8 11.5v.5";
    CheckIcon "icon-check" "M3 8.5l3 3 7-7";
    ExternalIcon "icon-external" "M9 2h5v5M14 2 7.5 8.5M12 9.5V14H2V4h4.5";
    RefreshIcon "icon-refresh" "M13.5 8A5.5 5.5 0 1 1 12 4.2M13.5 1.5v3h-3";
    ChevronDownIcon "icon-chevron" "M4 6l4 4 4-4";
    DownloadIcon "icon-download" "M8 2v8.5M4.5 7 8 10.5 11.5 7M2.5 13.5h11";
    LockIcon "icon-lock" "M4 7h8a1 1 0 0 1 1 1v5a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V8a1 1 0 0 1 1-1ZM5.5 7V5a2.5 2.5 0 0 1 5 0v2";
    /// A circle with a bar: refused, not allowed.
    BlockedIcon "icon-blocked" "M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM3.5 12.5l9-9";
    ShieldIcon "icon-shield" "M8 1.5 13.5 3.5V8c0 3-2.5 5.5-5.5 6.5C5 13.5 2.5 11 2.5 8V3.5L8 1.5Z";
    ChevronRightIcon "icon-chevron-right" "M6 3.5 10.5 8 6 12.5";
    CloseIcon "icon-close" "M4 4l8 8M12 4l-8 8";
    /// Two arrows chasing each other: synchronise.
    SyncIcon "icon-sync" "M13.5 8a5.5 5.5 0 0 1-10.2 2.8M2.5 8a5.5 5.5 0 0 1 10.2-2.8M12.7 2.5v2.7H10M3.3 13.5v-2.7H6";
    /// Stacked layers: an Argo CD Application.
    AppIcon "icon-app" "M8 1.5 14.5 5 8 8.5 1.5 5 8 1.5ZM1.5 8 8 11.5 14.5 8M1.5 11 8 14.5 14.5 11";
    /// A cube: Deployment, StatefulSet, DaemonSet, ReplicaSet, Pod.
    WorkloadIcon "icon-workload" "M8 1.5 14 4.75v6.5L8 14.5 2 11.25v-6.5L8 1.5ZM2 4.75 8 8l6-3.25M8 8v6.5";
    /// A hub with three spokes: Service.
    ServiceIcon "icon-service" "M8 10a2 2 0 1 0 0-4 2 2 0 0 0 0 4ZM8 6V2.5M6.3 9 3 11.5M9.7 9 13 11.5M8 2.5h.01M3 11.5h.01M13 11.5h.01";
    /// A page with lines: ConfigMap, Secret.
    ConfigIcon "icon-config" "M4 1.5h5.5l3 3v10H4v-13ZM9.5 1.5v3h3M6 8h4.5M6 10.5h4.5";
    /// An arrow through a door: Ingress.
    IngressIcon "icon-ingress" "M9.5 2.5h4v11h-4M1.5 8h8M6.5 5l3 3-3 3";
    /// Corner brackets: Namespace.
    NamespaceIcon "icon-namespace" "M2 5V2h3M11 2h3v3M14 11v3h-3M5 14H2v-3";
    /// A clock: Job, CronJob.
    JobIcon "icon-job" "M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM8 4.5V8l2.5 1.5";
    /// A plain square: any other kind.
    ResourceIcon "icon-resource" "M3 2.5h10a.5.5 0 0 1 .5.5v10a.5.5 0 0 1-.5.5H3a.5.5 0 0 1-.5-.5V3a.5.5 0 0 1 .5-.5Z";
    HeartIcon "icon-heart" "M8 13.5S2.5 10.3 2.5 6.5A3 3 0 0 1 8 4.6a3 3 0 0 1 5.5 1.9c0 3.8-5.5 7-5.5 7Z";
    /// Three quarters of a circle: in progress.
    ProgressIcon "icon-progress" "M8 1.5A6.5 6.5 0 1 1 1.5 8";
    /// A circle with a cross: degraded.
    CrossCircleIcon "icon-cross-circle" "M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM5.75 5.75l4.5 4.5M10.25 5.75l-4.5 4.5";
    PauseIcon "icon-pause" "M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM6.5 5.5v5M9.5 5.5v5";
    /// A ghost: expected but not there (missing).
    GhostIcon "icon-ghost" "M3.5 14V7a4.5 4.5 0 0 1 9 0v7l-1.5-1-1.5 1-1.5-1-1.5 1-1.5-1-1.5 1ZM6.5 6.5h.01M9.5 6.5h.01";
    QuestionIcon "icon-question" "M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM6.2 6.2a1.9 1.9 0 1 1 2.6 1.8c-.5.2-.8.6-.8 1.1v.4M8 11.5h.01";
    /// A circle with a check: in sync.
    CheckCircleIcon "icon-check-circle" "M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM5.25 8.25l1.9 1.9 3.6-3.9";
    /// A circle with an arrow up: out of sync (Git is ahead of the cluster).
    ArrowUpCircleIcon "icon-arrow-up-circle" "M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13ZM8 11V5M5.5 7.5 8 5l2.5 2.5";
}

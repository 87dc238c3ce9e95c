//! A resource in the side panel: tabs "Diff" (desired from Git against live in the cluster),
//! "Desired" and "Live" YAML. Tabs follow the WAI-ARIA tabs pattern (arrows move between them).

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::diff::Diff;
use crate::dto::env::NodeDetail;

/// The tab the user picked; kept by the panel across live refetches of the details.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Diff,
    Desired,
    Live,
}

const TABS: [(Tab, &str, &str); 3] = [
    (Tab::Diff, "diff", "Diff"),
    (Tab::Desired, "desired", "Desired"),
    (Tab::Live, "live", "Live"),
];

fn focus_tab(key: &str) {
    if let Some(el) = document()
        .get_element_by_id(&format!("node-tab-{key}"))
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
    {
        _ = el.focus();
    }
}

#[component]
pub fn ResourceDetail(detail: NodeDetail, choice: RwSignal<Option<Tab>>) -> impl IntoView {
    // Out of sync: the diff is what matters; otherwise the live object.
    let first = if detail.diff.iter().any(|l| l.tag != ' ') {
        Tab::Diff
    } else if detail.live_yaml.is_some() {
        Tab::Live
    } else {
        Tab::Desired
    };
    let tab = Signal::derive(move || choice.get().unwrap_or(first));
    let on_keydown = move |e: ev::KeyboardEvent| {
        let i = TABS
            .iter()
            .position(|(t, _, _)| *t == tab.get_untracked())
            .unwrap_or(0);
        let next = match e.key().as_str() {
            "ArrowRight" => (i + 1) % TABS.len(),
            "ArrowLeft" => (i + TABS.len() - 1) % TABS.len(),
            "Home" => 0,
            "End" => TABS.len() - 1,
            _ => return,
        };
        e.prevent_default();
        choice.set(Some(TABS[next].0));
        focus_tab(TABS[next].1);
    };
    let buttons = TABS
        .into_iter()
        .map(|(t, key, label)| {
            let selected = move || tab.get() == t;
            view! {
                <button
                    type="button"
                    role="tab"
                    id=format!("node-tab-{key}")
                    aria-controls="node-tabpanel"
                    aria-selected=move || selected().to_string()
                    tabindex=move || if selected() { "0" } else { "-1" }
                    class="tab"
                    on:click=move |_| choice.set(Some(t))
                >
                    {label}
                </button>
            }
        })
        .collect_view();
    let NodeDetail {
        diff,
        desired_yaml,
        live_yaml,
        ignored_fields,
        ..
    } = detail;
    let ignored = (!ignored_fields.is_empty()).then(|| ignored_fields.join(", "));
    let labelled_by = move || {
        let key = TABS
            .iter()
            .find(|(t, _, _)| *t == tab.get())
            .map_or("diff", |(_, k, _)| *k);
        format!("node-tab-{key}")
    };
    let content = move || match tab.get() {
        Tab::Diff => view! {
            {ignored.clone().map(|fields| view! {
                <p class="muted diff-ignored">
                    "Not compared (spec.ignoreDifferences): "<code>{fields}</code>
                </p>
            })}
            <Diff
                lines=diff.clone()
                added="+ desired (Git)"
                removed="− live (cluster)"
                none="No differences: the live object matches Git."
            />
        }
        .into_any(),
        Tab::Desired => yaml(
            desired_yaml.clone(),
            "Not in Git: this object exists only in the cluster (it would be pruned).",
        ),
        Tab::Live => yaml(
            live_yaml.clone(),
            "Not in the cluster: this object is missing until the application syncs.",
        ),
    };
    view! {
        <div class="tabs" role="tablist" aria-label="Resource views" on:keydown=on_keydown>
            {buttons}
        </div>
        <div class="tabpanel" role="tabpanel" id="node-tabpanel" aria-labelledby=labelled_by>
            {content}
        </div>
    }
    .into_any()
}

fn yaml(text: Option<String>, absent: &'static str) -> AnyView {
    match text {
        Some(t) => view! { <pre class="code yaml" tabindex="0">{t}</pre> }.into_any(),
        None => view! { <p class="muted panel-absent">{absent}</p> }.into_any(),
    }
}

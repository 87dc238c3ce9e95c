//! The environment page's tabs: every environment in promotion order, the current one marked.
//! A tab is a link; dragged onto another tab it opens the compare view of the two, and it is
//! where an app dragged out of the tree is dropped to ask for its promotion there.

use leptos::ev;
use leptos::prelude::*;

use super::query::env_href;
use crate::pages::drag::{DragState, Dragged};

/// Every environment in promotion order, for the parts of the page that offer the others.
#[derive(Clone, Debug, Default)]
pub struct PathEnvs(pub Vec<String>);

#[component]
pub fn EnvTabs(current: String, environments: Vec<String>) -> impl IntoView {
    if environments.len() < 2 {
        return ().into_any();
    }
    let drag = DragState::use_context();
    let tabs = environments
        .into_iter()
        .map(|env| {
            let dragged = Dragged::Env(env.clone());
            let on_pointerdown = {
                let dragged = dragged.clone();
                move |e: ev::PointerEvent| {
                    if let Some(drag) = drag {
                        // No native link drag and no text selection; a click still happens.
                        e.prevent_default();
                        drag.start(dragged.clone(), &e);
                    }
                }
            };
            let (a, b) = (env.clone(), env.clone());
            view! {
                <li>
                    <a
                        href=env_href(&env)
                        class="env-tab"
                        aria-current=(env == current).then_some("page")
                        data-drop-env=env.clone()
                        data-testid="env-tab"
                        class:drag-source=move || drag.is_some_and(|d| d.is_source(&dragged))
                        class:drop-target=move || drag.is_some_and(|d| d.accepts(&a))
                        class:drop-over=move || drag.is_some_and(|d| d.is_over(&b))
                        on:pointerdown=on_pointerdown
                        on:dragstart=|e| e.prevent_default()
                    >
                        {env.clone()}
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <nav class="env-tabs" aria-label="Environments">
            <ol>{tabs}</ol>
        </nav>
    }
    .into_any()
}

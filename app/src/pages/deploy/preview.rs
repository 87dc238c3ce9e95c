//! The deploy dialog's "What changes in Git": the change as chosen so far, planned on the
//! environment branch's head by the server (nothing is written) and shown as the diff it would
//! commit. Read again a moment after the form stops changing, so typing a version does not
//! plan every keystroke.

use std::time::Duration;

use leptos::prelude::*;

use crate::api::deploy::preview_change;
use crate::components::diff::UnifiedDiff;
use crate::dto::deploy::{short_sha, Change};

/// How long the form stays the same before the change is planned.
const SETTLE: Duration = Duration::from_millis(300);

#[component]
pub fn ChangeDiff(env: String, app: String, change: Signal<Option<Change>>) -> impl IntoView {
    let settled = RwSignal::new(change.get_untracked());
    Effect::new(move |_| {
        let now = change.get();
        if settled.get_untracked() == now {
            return;
        }
        // The dialog may be gone when the timer fires: then there is nothing to update.
        set_timeout(
            move || {
                if change.try_get_untracked() == Some(now.clone()) {
                    settled.try_set(now);
                }
            },
            SETTLE,
        );
    });
    let preview = LocalResource::new(move || {
        let (env, app, change) = (env.clone(), app.clone(), settled.get());
        async move {
            match change {
                Some(change) => Some(preview_change(env, app, change).await),
                None => None,
            }
        }
    });
    view! {
        <section class="change-preview" aria-labelledby="change-preview-h" data-testid="change-preview">
            <h3 id="change-preview-h">"What changes in Git"</h3>
            <Transition fallback=|| view! {
                <div class="skeleton-block" role="status" aria-busy="true">
                    <span class="sr-only">"Planning the change…"</span>
                </div>
            }>
                {move || Suspend::new(async move {
                    match preview.await {
                        None => view! {
                            <p class="muted">"Choose a change to see the diff it would commit."</p>
                        }
                        .into_any(),
                        Some(Ok(p)) if p.files.is_empty() => view! {
                            <p class="muted" data-testid="change-preview-none">
                                {format!("Nothing to change: {}.", p.summary)}
                            </p>
                        }
                        .into_any(),
                        Some(Ok(p)) => view! {
                            <p class="muted small change-preview-summary">
                                {p.summary.clone()}
                                " · planned on "
                                <code title=p.base.clone()>{short_sha(&p.base).to_string()}</code>
                            </p>
                            <UnifiedDiff diff=p.diff label="The diff this change would commit" testid="change-diff"/>
                        }
                        .into_any(),
                        Some(Err(e)) => view! {
                            <p class="field-error" role="status" data-testid="change-preview-error">
                                {e.to_string()}
                            </p>
                        }
                        .into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

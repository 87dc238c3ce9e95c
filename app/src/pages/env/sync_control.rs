//! "Sync now" for one application, with an optional prune. Says "Syncing…" at once, then shows
//! the server's answer: the sync record (succeeded or failed, with its message) or, when the
//! sync could not start, an [`ErrorPanel`].

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::env::sync_app;
use crate::components::icons::{AlertIcon, CheckIcon, SyncIcon};
use crate::components::problem::ErrorPanel;
use crate::components::time::short_time;
use crate::dto::env::SyncRecordView;
use crate::error::AppError;

/// Where a sync the user asked for stands.
#[derive(Clone, Debug, PartialEq)]
pub enum SyncOutcome {
    Idle,
    Syncing,
    Done(SyncRecordView),
    Failed(AppError),
}

#[component]
pub fn SyncControl(
    env: String,
    app: String,
    outcome: RwSignal<SyncOutcome>,
    /// Called once the server answered, to reload the details.
    refetch: Callback<()>,
) -> impl IntoView {
    let prune = RwSignal::new(false);
    let syncing = move || outcome.with(|o| *o == SyncOutcome::Syncing);
    let run = {
        let app = app.clone();
        move |_| {
            if syncing() {
                return;
            }
            outcome.set(SyncOutcome::Syncing);
            let (env, app, prune) = (env.clone(), app.clone(), prune.get_untracked());
            spawn_local(async move {
                let answer = sync_app(env, app, prune).await;
                outcome.set(match answer {
                    Ok(record) => SyncOutcome::Done(record),
                    Err(e) => SyncOutcome::Failed(e),
                });
                refetch.run(());
            });
        }
    };
    let result = move || match outcome.get() {
        SyncOutcome::Idle => ().into_any(),
        SyncOutcome::Syncing => view! {
            <p class="sync-progress muted">{format!("Syncing {app}…")}</p>
        }
        .into_any(),
        SyncOutcome::Done(r) => {
            let ok = r.result == "succeeded";
            let revision = r.revision.as_deref().map(super::query::short_sha);
            view! {
                <div
                    class="notice"
                    class:notice-ok=ok
                    class:notice-error=!ok
                    data-testid="sync-result"
                    data-result=r.result.clone()
                >
                    {if ok { view! { <CheckIcon/> }.into_any() } else { view! { <AlertIcon/> }.into_any() }}
                    <div>
                        <strong>{if ok { "Sync succeeded" } else { "Sync failed" }}</strong>
                        {revision.map(|s| view! { " at " <code>{s}</code> })}
                        <span class="muted">{format!(" · {}", short_time(&r.at))}</span>
                        <p class="sync-message">{r.message}</p>
                    </div>
                </div>
            }
            .into_any()
        }
        SyncOutcome::Failed(e) => view! {
            <ErrorPanel error=e action="sync this application" failed="The sync did not run"/>
        }
        .into_any(),
    };
    view! {
        <div class="sync-control">
            <button
                type="button"
                class="button button-primary"
                on:click=run
                disabled=syncing
                aria-busy=move || syncing().to_string()
            >
                <SyncIcon/>
                {move || if syncing() { "Syncing…" } else { "Sync now" }}
            </button>
            <label class="sync-prune">
                <input
                    type="checkbox"
                    prop:checked=prune
                    on:change=move |e| prune.set(event_target_checked(&e))
                />
                "Prune"
                <span class="muted">" (delete what Git no longer has)"</span>
            </label>
        </div>
        <div role="status" aria-live="polite">{result}</div>
    }
    .into_any()
}

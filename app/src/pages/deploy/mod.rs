//! Asking for deploys from the UI and seeing where versions came from: the deploy dialog,
//! lineage, an app's deploy history with rollback, the freeze switch, and the parts the
//! environment page's app panel and the entity page's "Running in" card embed. The requests
//! pages (`/requests/<id>`) are where a created request goes.

pub mod dialog;
pub mod form;
pub mod freeze;
pub mod history;
pub mod lineage;
pub mod preview;
pub mod running;

use leptos::prelude::*;

use crate::api::deploy::{app_lineage, deploy_history};
use crate::components::fetched::Fetched;
use crate::dto::deploy::{Lineage, RequestView};
use crate::error::AppError;
use form::DeployTarget;

/// How often a history with a request still under way is read again.
const POLL_MS: u64 = 2_000;

/// An answer about the selected app; `None` when the node is not an app.
type AboutApp<T> = Option<Result<T, AppError>>;

/// An app's lineage and history, read in the browser and again whenever `version` (the
/// environment's tree version) moves, plus the dialog they open. Created once per side panel,
/// so a live update keeps the last answer on screen while the next one loads.
#[derive(Clone, Copy)]
pub struct AppDeploys {
    pub lineage: Fetched<AboutApp<Lineage>>,
    pub history: Fetched<AboutApp<Vec<RequestView>>>,
    pub dialog: RwSignal<Option<DeployTarget>>,
}

impl AppDeploys {
    /// `app` is `None` while the selected node is not an app (then nothing is fetched).
    pub fn new(env: String, app: Signal<Option<String>>, version: Signal<u64>) -> Self {
        let key = move || (app.get(), version.get());
        let lineage = {
            let env = env.clone();
            Fetched::new(key, move |(app, _)| {
                let env = env.clone();
                async move {
                    match app {
                        Some(app) => Some(app_lineage(env, app).await),
                        None => None,
                    }
                }
            })
        };
        let history = Fetched::new(key, move |(app, _)| {
            let env = env.clone();
            async move {
                match app {
                    Some(app) => Some(deploy_history(env, app).await),
                    None => None,
                }
            }
        });
        // A request under way moves through states the tree does not always announce.
        Effect::new(move |_| {
            let running = history.with(|h| {
                h.and_then(|h| h.as_ref())
                    .and_then(|h| h.as_ref().ok())
                    .is_some_and(|list| list.iter().any(|r| r.state.is_open()))
            });
            if running {
                set_timeout(
                    move || history.refetch(),
                    std::time::Duration::from_millis(POLL_MS),
                );
            }
        });
        Self {
            lineage,
            history,
            dialog: RwSignal::new(None),
        }
    }

    pub fn lineage(self) -> Signal<Option<Result<Lineage, AppError>>> {
        Signal::derive(move || self.lineage.get().flatten())
    }

    pub fn history(self) -> Signal<Option<Result<Vec<RequestView>, AppError>>> {
        Signal::derive(move || self.history.get().flatten())
    }

    /// The commit the running version came from, once lineage is known.
    pub fn current_commit(self) -> Signal<Option<String>> {
        Signal::derive(move || {
            self.lineage.with(|l| {
                l.and_then(|l| l.as_ref())
                    .and_then(|l| l.as_ref().ok())
                    .and_then(|l| l.commit.as_ref())
                    .map(|c| c.sha.clone())
            })
        })
    }
}

/// The "Deploy…" button: opens the dialog for `env`/`app`.
#[component]
pub fn DeployButton(
    env: String,
    app: String,
    dialog: RwSignal<Option<DeployTarget>>,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional)] small: bool,
) -> impl IntoView {
    let (e, a) = (env.clone(), app.clone());
    view! {
        <button
            type="button"
            class="button deploy-button"
            class:button-small=small
            id=id
            aria-haspopup="dialog"
            data-testid="deploy-open"
            on:click=move |_| dialog.set(Some(DeployTarget::new(e.clone(), a.clone())))
        >
            // One inline run of text, so the button's flex gap does not split it.
            <span>"Deploy" <span class="sr-only">{format!(" {app} to {env}")}</span> "…"</span>
        </button>
    }
}

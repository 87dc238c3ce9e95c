//! Freezes: an admin stops every deploy to an environment ("Freeze deploys", with a required
//! reason) until it is unfrozen. The environment page shows a banner while frozen (who, why,
//! since when; "Unfreeze" for those allowed) and the switch; the environments list marks
//! frozen environments. Who may freeze is the session's `may_freeze` (the server's own
//! answer, `settings, update, <env>/*`); the server checks again on every call.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::deploy::{list_freezes, set_freeze};
use crate::components::fetched::Fetched;
use crate::components::icons::{AlertIcon, LockIcon};
use crate::components::modal::Modal;
use crate::components::problem::ErrorPanel;
use crate::components::session::use_session;
use crate::components::time::short_time;
use crate::dto::deploy::FreezeView;
use crate::error::AppError;

/// Every freeze, read in the browser (the page works without it).
#[derive(Clone, Copy)]
pub struct Freezes(pub Fetched<Result<Vec<FreezeView>, AppError>>);

impl Freezes {
    pub fn new() -> Self {
        Self(Fetched::new(|| (), |()| list_freezes()))
    }

    /// The freeze of `env`, if any (nothing while loading or when not allowed to read).
    pub fn of(self, env: &str) -> Option<FreezeView> {
        self.0.with(|f| {
            f.and_then(|r| r.as_ref().ok())
                .and_then(|list| list.iter().find(|f| f.environment == env).cloned())
        })
    }

    /// Provides the freezes to the page's parts (the environments list's cards).
    pub fn provide() -> Self {
        let freezes = Self::new();
        provide_context(freezes);
        freezes
    }
}

impl Default for Freezes {
    fn default() -> Self {
        Self::new()
    }
}

/// "Frozen" on an environment card, with who and why.
#[component]
pub fn FreezeNote(env: String) -> impl IntoView {
    let freezes = use_context::<Freezes>();
    move || {
        freezes.and_then(|f| f.of(&env)).map(|f| {
            view! {
                <p class="freeze-note" data-testid="freeze-note">
                    <LockIcon/>
                    <span>
                        <strong>"Deploys frozen"</strong>
                        {format!(" by {}: {}", f.by, f.reason)}
                    </span>
                </p>
            }
        })
    }
}

/// The environment page's freeze banner and switch. Drawn in the browser only, once the page
/// is hydrated: freezes are read there, and the server's page must not depend on them.
#[component]
pub fn FreezeBar(env: String) -> impl IntoView {
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let session = use_session();
    let env = StoredValue::new(env);
    move || {
        mounted.get().then(|| {
            let may = session
                .get()
                .and_then(Result::ok)
                .is_some_and(|s| env.with_value(|e| s.may_freeze.contains(e)));
            view! { <FreezeState env=env.get_value() may freezes=Freezes::new()/> }
        })
    }
}

#[component]
fn FreezeState(env: String, may: bool, freezes: Freezes) -> impl IntoView {
    let asking = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let env = StoredValue::new(env);
    let unfreeze = move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match set_freeze(env.get_value(), false, String::new()).await {
                Ok(()) => freezes.0.refetch(),
                Err(e) => _ = error.try_set(Some(e)),
            }
            busy.try_set(false);
        });
    };
    let banner = move || {
        env.with_value(|e| freezes.of(e)).map(|f| {
            view! {
                <div class="freeze-banner" role="status" data-testid="freeze-banner">
                    <LockIcon/>
                    <p>
                        <strong>{format!("Deploys to {} are frozen", f.environment)}</strong>
                        {format!(" by {}: {}", f.by, f.reason)}
                        <span class="muted">" · since "<time datetime=f.at.clone()>{short_time(&f.at)}</time></span>
                    </p>
                    {may.then(|| view! {
                        <button
                            type="button"
                            class="button"
                            on:click=unfreeze
                            disabled=busy
                            aria-busy=move || busy.get().to_string()
                        >
                            {move || if busy.get() { "Unfreezing…" } else { "Unfreeze" }}
                        </button>
                    })}
                </div>
            }
        })
    };
    let frozen = move || env.with_value(|e| freezes.of(e)).is_some();
    let switch = may.then(|| {
        view! {
            <Show when=move || !frozen()>
                <button
                    type="button"
                    class="button freeze-open"
                    id="freeze-open"
                    aria-haspopup="dialog"
                    on:click=move |_| asking.set(true)
                >
                    <LockIcon/>
                    "Freeze deploys…"
                </button>
            </Show>
            <FreezeDialog env=env.get_value() asking freezes/>
        }
    });
    view! {
        <div class="freeze-bar">
            {banner}
            {switch}
            {move || error.get().map(|e| view! {
                <ErrorPanel error=e action="unfreeze this environment" failed="The environment could not be unfrozen"/>
            })}
        </div>
    }
    .into_any()
}

#[component]
fn FreezeDialog(env: String, asking: RwSignal<bool>, freezes: Freezes) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let env = StoredValue::new(env);
    let close = Callback::new(move |()| {
        asking.set(false);
        error.set(None);
    });
    let empty = move || reason.with(|r| r.trim().is_empty());
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        if empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match set_freeze(
                env.get_value(),
                true,
                reason.get_untracked().trim().to_string(),
            )
            .await
            {
                Ok(()) => {
                    freezes.0.refetch();
                    reason.try_set(String::new());
                    asking.try_set(false);
                }
                Err(e) => _ = error.try_set(Some(e)),
            }
            busy.try_set(false);
        });
    };
    let field_error = move || match error.get() {
        Some(AppError::BadRequest(text)) => Some(
            text.strip_prefix("reason: ")
                .map(str::to_string)
                .unwrap_or(text),
        ),
        _ => None,
    };
    let other_error = move || match error.get() {
        Some(AppError::BadRequest(_)) | None => None,
        Some(e) => Some(
            view! { <ErrorPanel error=e action="freeze this environment" failed="The environment could not be frozen"/> },
        ),
    };
    view! {
        <Modal
            open=Signal::derive(move || asking.get())
            on_close=close
            title_id="freeze-title"
            class="freeze-dialog"
            return_to="freeze-open"
        >
            <header class="modal-head">
                <h2 id="freeze-title">{move || format!("Freeze deploys to {}", env.get_value())}</h2>
            </header>
            <form on:submit=submit novalidate>
                <div class="modal-content">
                    <p class="notice notice-warning">
                        <AlertIcon/>
                        <span>"While frozen, approved requests wait and nothing is deployed here until someone unfreezes it."</span>
                    </p>
                    <div class="field">
                        <label for="freeze-reason">"Reason " <span class="muted">"(required)"</span></label>
                        <textarea
                            id="freeze-reason"
                            class="input"
                            rows="3"
                            required
                            aria-required="true"
                            placeholder="e.g. Black Friday: no changes until Monday"
                            prop:value=move || reason.get()
                            on:input=move |e| reason.set(event_target_value(&e))
                            aria-invalid=move || field_error().is_some().to_string()
                            aria-describedby="freeze-reason-error"
                        ></textarea>
                        {move || field_error().map(|m| view! { <p class="field-error" id="freeze-reason-error">{m}</p> })}
                    </div>
                    {other_error}
                </div>
                <footer class="modal-foot">
                    <button type="button" class="button" on:click=move |_| close.run(())>"Cancel"</button>
                    <button
                        type="submit"
                        class="button button-danger"
                        data-testid="freeze-submit"
                        disabled=move || empty() || busy.get()
                        aria-busy=move || busy.get().to_string()
                    >
                        {move || if busy.get() { "Freezing…" } else { "Freeze deploys" }}
                    </button>
                </footer>
            </form>
        </Modal>
    }
    .into_any()
}

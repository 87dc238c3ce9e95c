//! "Deploy…": the dialog that asks for a deploy of one app in one environment. It loads the
//! app's deploy options (a skeleton meanwhile) and offers a new version (versions other
//! environments run first, marked by where; free text too), a promotion, a preset rollback or,
//! as an advanced option, a target revision; the reason; and what will happen (approvals, a
//! window or freeze, current → new version, an open request). The server decides: its field
//! errors show next to their fields, a conflict links to the open request, a refusal says
//! why. A created request opens its page.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use wasm_bindgen::JsCast;

use super::form::{
    approvals_text, refusal, request_href, DeployForm, DeployTarget, Field, FieldError, Kind,
    Preset, Refusal,
};
use super::preview::ChangeDiff;
use crate::api::deploy::{create_request, get_deploy_options};
use crate::components::icons::AlertIcon;
use crate::components::modal::{focus_first, Modal, ModalHead};
use crate::components::problem::ErrorPanel;
use crate::dto::deploy::{DeployOptions, VersionSeen};

const TITLE_ID: &str = "deploy-dialog-title";

/// The dialog, open while `target` holds an app. `return_to`: an element id that takes focus
/// back when the button that opened it was replaced meanwhile.
#[component]
pub fn DeployDialog(
    target: RwSignal<Option<DeployTarget>>,
    #[prop(default = None)] return_to: Option<&'static str>,
) -> impl IntoView {
    let open = Signal::derive(move || target.with(Option::is_some));
    let close = Callback::new(move |()| target.set(None));
    let body = move || target.get().map(|t| view! { <DeployBody target=t close/> });
    match return_to {
        Some(id) => view! {
            <Modal open on_close=close title_id=TITLE_ID class="deploy-dialog" return_to=id>{body}</Modal>
        }
        .into_any(),
        None => view! {
            <Modal open on_close=close title_id=TITLE_ID class="deploy-dialog">{body}</Modal>
        }
        .into_any(),
    }
}

#[component]
fn DeployBody(target: DeployTarget, close: Callback<()>) -> impl IntoView {
    let DeployTarget { env, app, preset } = target;
    let options = {
        let (env, app) = (env.clone(), app.clone());
        LocalResource::new(move || get_deploy_options(env.clone(), app.clone()))
    };
    let title = if preset.as_ref().is_some_and(|p| p.rollback_to.is_some()) {
        format!("Roll back {app} in {env}")
    } else if let Some(from) = preset.as_ref().and_then(|p| p.promote_from.as_ref()) {
        format!("Promote {app} from {from} to {env}")
    } else {
        format!("Deploy {app} to {env}")
    };
    view! {
        <ModalHead title_id=TITLE_ID title close/>
        <Suspense fallback=|| view! { <DialogSkeleton/> }>
            {move || {
                let preset = preset.clone();
                Suspend::new(async move {
                    match options.await {
                        Ok(o) if !o.can_request => view! { <CannotRequest options=o close/> }.into_any(),
                        Ok(o) => view! { <Form options=o preset close/> }.into_any(),
                        Err(e) => view! {
                            <div class="modal-content">
                                <ErrorPanel error=e action="deploy this app" failed="The deploy options could not be loaded"/>
                            </div>
                        }
                        .into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn DialogSkeleton() -> impl IntoView {
    view! {
        <div class="modal-content deploy-skeleton" aria-busy="true" role="status">
            <span class="sr-only">"Loading what can be deployed…"</span>
            <div class="skeleton-line" style="width: 40%"></div>
            <div class="skeleton-block"></div>
            <div class="skeleton-line" style="width: 60%"></div>
            <div class="skeleton-block"></div>
        </div>
    }
    .into_any()
}

/// When the policy does not let the caller ask: why, instead of the form.
#[component]
fn CannotRequest(options: DeployOptions, close: Callback<()>) -> impl IntoView {
    let why = options
        .why_not
        .unwrap_or_else(|| "the policy does not let you deploy this app".into());
    view! {
        <div class="modal-content" data-testid="deploy-not-allowed">
            <ErrorPanel error=crate::error::AppError::Forbidden(why) action="ask for deploys of this app"/>
        </div>
        <footer class="modal-foot">
            <button type="button" class="button" on:click=move |_| close.run(())>"Close"</button>
        </footer>
    }
    .into_any()
}

/// The versions other environments run, one entry per version with every place it runs.
fn version_choices(versions: &[VersionSeen]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for v in versions {
        match out.iter_mut().find(|(version, _)| *version == v.version) {
            Some((_, envs)) => envs.push(v.environment.clone()),
            None => out.push((v.version.clone(), vec![v.environment.clone()])),
        }
    }
    out
}

/// The form's state, handed to its parts.
#[derive(Clone, Copy)]
struct FormCtx {
    form: RwSignal<DeployForm>,
    refused: RwSignal<Option<Refusal>>,
    options: StoredValue<DeployOptions>,
}

impl FormCtx {
    /// The server's (or the form's own) complaint about `field`.
    fn error_for(self, field: Field) -> Option<String> {
        self.refused.with(|r| match r {
            Some(Refusal::Field(FieldError { field: f, message })) if *f == field => {
                Some(message.clone())
            }
            _ => None,
        })
    }

    /// The complaint next to its field (`id` is what the field's `aria-describedby` names).
    fn error_view(self, field: Field, id: &'static str) -> impl IntoView {
        move || {
            self.error_for(field)
                .map(|m| view! { <p class="field-error" id=id>{m}</p> })
        }
    }

    fn invalid(self, field: Field) -> impl Fn() -> String + Copy {
        move || self.error_for(field).is_some().to_string()
    }

    /// An input handler that writes the field's text with `set`.
    fn input(self, set: fn(&mut DeployForm, String)) -> impl Fn(leptos::ev::Event) + Copy {
        move |e| {
            let value = event_target_value(&e);
            self.form.update(|f| set(f, value));
        }
    }
}

#[component]
fn Form(mut options: DeployOptions, preset: Option<Preset>, close: Callback<()>) -> impl IntoView {
    // An app dropped from an environment later on the path may still be promoted from there.
    if let Some(from) = preset.as_ref().and_then(|p| p.promote_from.clone()) {
        if from != options.environment && !options.promote_from.contains(&from) {
            options.promote_from.push(from);
        }
    }
    let o = options.clone();
    let ctx = FormCtx {
        form: RwSignal::new(DeployForm::start(&options, preset.as_ref())),
        refused: RwSignal::new(None::<Refusal>),
        options: StoredValue::new(options),
    };
    let FormCtx {
        form,
        refused,
        options,
    } = ctx;
    let submitting = RwSignal::new(false);
    let navigate = use_navigate();
    // The options arrived after the dialog opened: focus moves from "Close" to the change.
    let form_ref = NodeRef::<leptos::html::Form>::new();
    Effect::new(move |_| {
        if let Some(el) = form_ref.get() {
            let checked = el
                .query_selector("input[name='deploy-kind']:checked")
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            match checked {
                Some(radio) => _ = radio.focus(),
                None => focus_first(&el),
            }
        }
    });
    let no_reason = move || form.with(|f| f.reason.trim().is_empty());

    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        if submitting.get_untracked() || no_reason() {
            return;
        }
        let new = match form.with_untracked(|f| options.with_value(|o| f.request(o))) {
            Ok(new) => new,
            Err(field) => {
                refused.set(Some(Refusal::Field(field)));
                return;
            }
        };
        refused.set(None);
        submitting.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match create_request(new).await {
                // The form is gone after this: nothing of it is touched again.
                Ok(view) => {
                    navigate(&request_href(&view.id), NavigateOptions::default());
                    close.run(());
                }
                Err(e) => {
                    refused.try_set(Some(refusal(e)));
                    submitting.try_set(false);
                }
            }
        });
    };

    // The kinds this app offers.
    let kind_radio = move |kind: Kind, label: String| {
        view! {
            <label class="choice">
                <input
                    type="radio"
                    name="deploy-kind"
                    value=kind.key()
                    prop:checked=move || form.with(|f| f.kind == kind)
                    on:change=move |_| {
                        form.update(|f| f.kind = kind);
                        refused.set(None);
                    }
                />
                <span>{label}</span>
            </label>
        }
    };
    // The nearest environment first; the picker offers the others.
    let promote_label = match o.promote_from.as_slice() {
        [] | [_] => format!("Promote from {}", o.promote_from.join("")),
        [.., nearest] => format!("Promote from {nearest} or earlier"),
    };
    let promote = (!o.promote_from.is_empty()).then(|| kind_radio(Kind::Promote, promote_label));
    let rollback = form
        .with_untracked(|f| !f.rollback_to.is_empty())
        .then(|| kind_radio(Kind::Rollback, "Roll back".into()));
    let target_revision = o.target_revision.clone();

    view! {
        <form class="deploy-form" on:submit=submit novalidate node_ref=form_ref>
            <div class="modal-content">
                <fieldset class="deploy-kinds">
                    <legend>"Change"</legend>
                    {kind_radio(Kind::NewVersion, "New version".into())}
                    {promote}
                    {rollback}
                    <details class="deploy-advanced">
                        <summary>"Advanced"</summary>
                        {kind_radio(Kind::Revision, "Target revision".into())}
                    </details>
                </fieldset>

                {move || match form.with(|f| f.kind) {
                    Kind::NewVersion => view! { <VersionPicker ctx/> }.into_any(),
                    Kind::Promote => view! { <PromotePicker ctx/> }.into_any(),
                    Kind::Rollback => view! { <RollbackTarget ctx/> }.into_any(),
                    Kind::Revision => view! {
                        <div class="field">
                            <label for="deploy-revision">"Target revision"</label>
                            <input
                                id="deploy-revision"
                                class="input mono"
                                type="text"
                                autocomplete="off"
                                spellcheck="false"
                                prop:value=move || form.with(|f| f.revision.clone())
                                on:input=ctx.input(|f, v| f.revision = v)
                                aria-invalid=ctx.invalid(Field::Revision)
                                aria-describedby="deploy-revision-help deploy-revision-error"
                            />
                            <p class="field-help muted" id="deploy-revision-help">
                                {format!("A branch, tag or commit of the app's source; now {target_revision}.")}
                            </p>
                            {ctx.error_view(Field::Revision, "deploy-revision-error")}
                        </div>
                    }
                    .into_any(),
                }}

                <div class="field">
                    <label for="deploy-reason">"Reason " <span class="muted">"(required)"</span></label>
                    <textarea
                        id="deploy-reason"
                        class="input"
                        rows="3"
                        required
                        aria-required="true"
                        placeholder="What this deploy is for; it goes into the commit message"
                        prop:value=move || form.with(|f| f.reason.clone())
                        on:input=ctx.input(|f, v| f.reason = v)
                        aria-invalid=ctx.invalid(Field::Reason)
                        aria-describedby="deploy-reason-error"
                    ></textarea>
                    {ctx.error_view(Field::Reason, "deploy-reason-error")}
                </div>

                <WhatHappens ctx/>
                <ChangeDiff
                    env=o.environment.clone()
                    app=o.app.clone()
                    change=Signal::derive(move || form.with(|f| options.with_value(|o| f.change(o).ok())))
                />
                <OpenRequest ctx/>
                <Problem refused/>
            </div>
            <footer class="modal-foot">
                <span class="muted small" id="deploy-submit-hint" hidden=move || !no_reason()>
                    "Give a reason to continue."
                </span>
                <button type="button" class="button" on:click=move |_| close.run(())>"Cancel"</button>
                <button
                    type="submit"
                    class="button button-primary"
                    data-testid="deploy-submit"
                    disabled=move || no_reason() || submitting.get()
                    aria-busy=move || submitting.get().to_string()
                    aria-describedby="deploy-submit-hint"
                >
                    {move || match (submitting.get(), form.with(|f| f.kind)) {
                        (true, _) => "Asking…",
                        (false, Kind::Rollback) => "Request rollback",
                        (false, _) => "Request deploy",
                    }}
                </button>
            </footer>
        </form>
    }
    .into_any()
}

/// Versions other environments run (first, marked by where), plus free text.
#[component]
fn VersionPicker(ctx: FormCtx) -> impl IntoView {
    let form = ctx.form;
    let o = ctx.options.get_value();
    let current = o.current_version.clone();
    let choices = version_choices(&o.versions)
        .into_iter()
        .map(|(version, envs)| {
            let here = current.as_deref() == Some(version.as_str());
            let where_ = format!(" — runs in {}", envs.join(", "));
            let (v, pick) = (version.clone(), version.clone());
            view! {
                <label class="choice version-choice">
                    <input
                        type="radio"
                        name="deploy-version"
                        value=version.clone()
                        prop:checked=move || form.with(|f| f.tag.trim() == v)
                        on:change=move |_| form.update(|f| f.tag = pick.clone())
                    />
                    <code>{version}</code>
                    <span class="muted">{where_}</span>
                    {here.then(|| view! { <span class="pill">"running here now"</span> })}
                </label>
            }
        })
        .collect_view();
    let has_choices = !o.versions.is_empty();
    let containers = (o.containers.len() > 1).then(|| {
        let list = o
            .containers
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let (value, label) = if i == 0 {
                    (String::new(), format!("{c} (main)"))
                } else {
                    (c.clone(), c.clone())
                };
                view! { <option value=value>{label}</option> }
            })
            .collect_view();
        view! {
            <div class="field">
                <label for="deploy-container">"Container"</label>
                <select
                    id="deploy-container"
                    class="input"
                    on:change=ctx.input(|f, v| f.container = v)
                    aria-describedby="deploy-container-error"
                >
                    {list}
                </select>
                {ctx.error_view(Field::Container, "deploy-container-error")}
            </div>
        }
    });
    view! {
        <fieldset class="field version-picker">
            <legend>"Version"</legend>
            {has_choices.then(|| view! {
                <div class="version-choices">{choices}</div>
            })}
            <label for="deploy-tag" class="version-free">
                {if has_choices { "Or type a version" } else { "Image tag" }}
            </label>
            <input
                id="deploy-tag"
                class="input mono"
                type="text"
                autocomplete="off"
                spellcheck="false"
                placeholder="e.g. 2.5.1"
                prop:value=move || form.with(|f| f.tag.clone())
                on:input=ctx.input(|f, v| f.tag = v)
                aria-invalid=ctx.invalid(Field::Version)
                aria-describedby="deploy-tag-help deploy-tag-error"
            />
            <p class="field-help muted" id="deploy-tag-help">
                {match o.current_version {
                    Some(v) => format!("Running here now: {v}."),
                    None => "No version is running here yet.".into(),
                }}
            </p>
            {ctx.error_view(Field::Version, "deploy-tag-error")}
        </fieldset>
        {containers}
    }
    .into_any()
}

#[component]
fn PromotePicker(ctx: FormCtx) -> impl IntoView {
    let o = ctx.options.get_value();
    let list = o
        .promote_from
        .iter()
        .map(|env| {
            let runs = o.versions.iter().find(|v| v.environment == *env);
            let label = match runs {
                Some(v) => format!("{env} (runs {})", v.version),
                None => env.clone(),
            };
            let selected = ctx.form.with_untracked(|f| f.promote_from == *env);
            view! { <option value=env.clone() selected=selected>{label}</option> }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for="deploy-promote">"Promote from"</label>
            <select
                id="deploy-promote"
                class="input"
                on:change=ctx.input(|f, v| f.promote_from = v)
                aria-describedby="deploy-promote-help deploy-promote-error"
            >
                {list}
            </select>
            <p class="field-help muted" id="deploy-promote-help">
                "Copies that environment's version (and revision) of this app."
            </p>
            {ctx.error_view(Field::Promote, "deploy-promote-error")}
        </div>
    }
    .into_any()
}

#[component]
fn RollbackTarget(ctx: FormCtx) -> impl IntoView {
    let (sha, version) = ctx
        .form
        .with_untracked(|f| (f.rollback_to.clone(), f.rollback_version.clone()));
    let short = crate::dto::deploy::short_sha(&sha).to_string();
    view! {
        <div class="field rollback-target">
            <p>
                "Restores the app's files as they were at commit "
                <code title=sha.clone()>{short}</code>
                {version.map(|v| view! { " (version " <code>{v}</code> ")" })}
                ". The rollback is a new commit: the history is kept."
            </p>
            {ctx.error_view(Field::Rollback, "deploy-rollback-error")}
        </div>
    }
    .into_any()
}

/// Current → new version, approvals, and why it would wait.
#[component]
fn WhatHappens(ctx: FormCtx) -> impl IntoView {
    let FormCtx { form, options, .. } = ctx;
    let o = options.get_value();
    let current = o
        .current_version
        .clone()
        .unwrap_or_else(|| "nothing".into());
    let next = move || {
        form.with(|f| options.with_value(|o| f.to_version(o)))
            .unwrap_or_else(|| "…".into())
    };
    let waiting = o.waiting.clone().map(|w| {
        view! {
            <li class="deploy-waiting" data-testid="deploy-waiting">
                <AlertIcon/>
                <span>"Will wait: " {w}</span>
            </li>
        }
    });
    view! {
        <section class="what-happens" aria-labelledby="what-happens-h" data-testid="what-happens">
            <h3 id="what-happens-h">"What will happen"</h3>
            <ul>
                <li>
                    {format!("{} in {}: ", o.app, o.environment)}
                    <code>{current}</code>
                    " → "
                    <code data-testid="deploy-next-version">{next}</code>
                </li>
                <li data-testid="deploy-approvals">{approvals_text(o.required_approvals)}</li>
                {waiting}
            </ul>
        </section>
    }
    .into_any()
}

/// An open request for the same app and environment: link it, offer to supersede it.
#[component]
fn OpenRequest(ctx: FormCtx) -> impl IntoView {
    let FormCtx { form, options, .. } = ctx;
    let Some(id) = options.with_value(|o| o.open_request.clone()) else {
        return ().into_any();
    };
    view! {
        <div class="notice notice-warning open-request" data-testid="deploy-open-request">
            <AlertIcon/>
            <div>
                <p>
                    "An open request already exists for this app here: "
                    <a href=request_href(&id)><code>{id.clone()}</code></a>
                    ". A new one is refused while it is open."
                </p>
                <label class="choice">
                    <input
                        type="checkbox"
                        prop:checked=move || form.with(|f| f.supersede)
                        on:change=move |e| form.update(|f| f.supersede = event_target_checked(&e))
                    />
                    "Supersede it (only its requester can, while it is not running yet)"
                </label>
            </div>
        </div>
    }
    .into_any()
}

/// A refusal that belongs to no single field.
#[component]
fn Problem(refused: RwSignal<Option<Refusal>>) -> impl IntoView {
    move || {
        match refused.get() {
        Some(Refusal::Field(FieldError {
            field: Field::Form,
            message,
        })) => view! {
            <div class="notice notice-error" role="alert" data-testid="deploy-error">
                <AlertIcon/>
                <span>{message}</span>
            </div>
        }
        .into_any(),
        Some(Refusal::Conflict { message, request }) => view! {
            <div class="notice notice-error" role="alert" data-testid="deploy-conflict">
                <AlertIcon/>
                <div>
                    <p>{message}</p>
                    {request.map(|id| view! {
                        <p><a href=request_href(&id)>{format!("Open request {id}")}</a></p>
                    })}
                </div>
            </div>
        }
        .into_any(),
        Some(Refusal::Other(e)) => view! {
            <ErrorPanel error=e action="ask for this deploy" failed="The request could not be created"/>
        }
        .into_any(),
        _ => ().into_any(),
    }
    .into_any()
    }
}

//! "API tokens…" from the user menu: personal tokens for scripts and CI that call `/api/v1`
//! as the user. Lists them (name, created, expires, last used), revokes one after a
//! confirmation, creates one (name, expiry) and shows its secret once, with a copy button and
//! an example call.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;

use super::fetched::Fetched;
use super::icons::{AlertIcon, CheckIcon};
use super::modal::{Modal, ModalHead};
use super::problem::ErrorPanel;
use super::time::short_time;
use crate::api::deploy::{create_token, list_tokens, revoke_token};
use crate::dto::deploy::{NewToken, TokenView};
use crate::error::AppError;

#[wasm_bindgen]
extern "C" {
    /// `navigator.clipboard.writeText` (a promise; throws where there is no clipboard).
    #[wasm_bindgen(js_namespace = ["navigator", "clipboard"], js_name = writeText, catch)]
    fn clipboard_write_text(text: &str) -> Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>;
}

const TITLE_ID: &str = "tokens-title";

/// Expiry choices, in days (`None`: never).
const EXPIRIES: [(&str, Option<u32>); 4] = [
    ("30 days", Some(30)),
    ("90 days", Some(90)),
    ("365 days", Some(365)),
    ("No expiry", None),
];

/// The example call shown with a new token.
pub fn curl_example(origin: &str) -> String {
    format!("curl -H \"Authorization: Bearer $TOKEN\" {origin}/api/v1/requests")
}

#[component]
pub fn ApiTokensDialog(
    open: RwSignal<bool>,
    /// Takes focus back when the dialog closes (the menu's button).
    return_to: &'static str,
) -> impl IntoView {
    let close = Callback::new(move |()| open.set(false));
    view! {
        <Modal
            open=Signal::derive(move || open.get())
            on_close=close
            title_id=TITLE_ID
            class="tokens-dialog"
            return_to=return_to
        >
            <ModalHead title_id=TITLE_ID title="API tokens" close/>
            <Tokens/>
        </Modal>
    }
    .into_any()
}

#[component]
fn Tokens() -> impl IntoView {
    let tokens = Fetched::new(|| (), |()| list_tokens());
    let created = RwSignal::new(None::<NewToken>);
    let list = move || {
        match tokens.get() {
        None => view! {
            <div aria-busy="true" class="tokens-skeleton">
                <div class="skeleton-line"></div>
                <div class="skeleton-line"></div>
            </div>
        }
        .into_any(),
        Some(Err(e)) => view! { <ErrorPanel error=e action="list your API tokens" failed="Your tokens could not be loaded"/> }.into_any(),
        Some(Ok(list)) if list.is_empty() => view! {
            <p class="muted" data-testid="tokens-empty">"You have no API tokens."</p>
        }
        .into_any(),
        Some(Ok(list)) => {
            let rows = list
                .into_iter()
                .map(|t| view! { <TokenRow token=t refetch=Callback::new(move |()| tokens.refetch())/> })
                .collect_view();
            view! {
                <table class="tokens-table" data-testid="tokens-table">
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Created"</th>
                            <th scope="col">"Expires"</th>
                            <th scope="col">"Last used"</th>
                            <th scope="col"><span class="sr-only">"Actions"</span></th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            }
            .into_any()
        }
    }
    };
    view! {
        <div class="modal-content tokens">
            <p class="muted">
                "A token acts as you on "<code>"/api/v1"</code>
                " (scripts, CI), with your permissions. It cannot approve requests or create other tokens."
            </p>
            {move || created.get().map(|t| view! { <NewSecret token=t/> })}
            <CreateToken created refetch=Callback::new(move |()| tokens.refetch())/>
            <h3 class="tokens-h">"Your tokens"</h3>
            {list}
        </div>
    }
    .into_any()
}

#[component]
fn CreateToken(created: RwSignal<Option<NewToken>>, refetch: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let expiry = RwSignal::new(1usize);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let empty = move || name.with(|n| n.trim().is_empty());
    let submit = move |e: leptos::ev::SubmitEvent| {
        e.prevent_default();
        if empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let days = EXPIRIES[expiry.get_untracked()].1;
        let text = name.get_untracked().trim().to_string();
        spawn_local(async move {
            match create_token(text, days).await {
                Ok(token) => {
                    created.try_set(Some(token));
                    name.try_set(String::new());
                    refetch.run(());
                }
                Err(e) => _ = error.try_set(Some(e)),
            }
            busy.try_set(false);
        });
    };
    let field_error = move || match error.get() {
        Some(AppError::BadRequest(text)) => Some(text),
        _ => None,
    };
    let options = EXPIRIES
        .iter()
        .enumerate()
        .map(|(i, (label, _))| view! { <option value=i.to_string() selected=i == 1>{*label}</option> })
        .collect_view();
    view! {
        <form class="token-create" on:submit=submit novalidate>
            <h3 class="tokens-h">"New token"</h3>
            <div class="token-create-fields">
                <div class="field">
                    <label for="token-name">"Name"</label>
                    <input
                        id="token-name"
                        class="input"
                        type="text"
                        autofocus
                        autocomplete="off"
                        placeholder="e.g. release pipeline"
                        prop:value=move || name.get()
                        on:input=move |e| name.set(event_target_value(&e))
                        aria-invalid=move || field_error().is_some().to_string()
                        aria-describedby="token-name-error"
                    />
                </div>
                <div class="field">
                    <label for="token-expiry">"Expires after"</label>
                    <select
                        id="token-expiry"
                        class="input"
                        on:change=move |e| expiry.set(event_target_value(&e).parse().unwrap_or(1))
                    >
                        {options}
                    </select>
                </div>
                <button
                    type="submit"
                    class="button button-primary"
                    disabled=move || empty() || busy.get()
                    aria-busy=move || busy.get().to_string()
                >
                    {move || if busy.get() { "Creating…" } else { "Create token" }}
                </button>
            </div>
            {move || field_error().map(|m| view! { <p class="field-error" id="token-name-error">{m}</p> })}
            {move || match error.get() {
                Some(AppError::BadRequest(_)) | None => None,
                Some(e) => Some(view! { <ErrorPanel error=e action="create API tokens" failed="The token could not be created"/> }),
            }}
        </form>
    }
    .into_any()
}

/// The secret of a token just created: shown this once.
#[component]
fn NewSecret(token: NewToken) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let secret = StoredValue::new(token.secret.clone());
    let copy = move |_| {
        let ok = secret.with_value(|s| clipboard_write_text(s).is_ok());
        copied.set(Some(ok));
    };
    let origin = window().location().origin().unwrap_or_default();
    let select_all =
        move |e: leptos::ev::FocusEvent| event_target::<web_sys::HtmlInputElement>(&e).select();
    view! {
        <div class="notice notice-ok new-token" role="status" data-testid="new-token">
            <CheckIcon/>
            <div>
                <p>
                    <strong>{format!("Token “{}” created.", token.token.name)}</strong>
                    " Copy it now: it will not be shown again."
                </p>
                <div class="secret-row">
                    <input
                        class="input mono secret"
                        type="text"
                        readonly
                        aria-label="The new token"
                        data-testid="new-token-secret"
                        prop:value=token.secret.clone()
                        on:focus=select_all
                    />
                    <button type="button" class="button" on:click=copy>"Copy"</button>
                </div>
                <p class="muted small" role="status">
                    {move || match copied.get() {
                        Some(true) => "Copied to the clipboard.",
                        Some(false) => "Could not copy: select the token and copy it yourself.",
                        None => "",
                    }}
                </p>
                <p class="small">"Use it like this:"</p>
                <pre class="code curl-example">{curl_example(&origin)}</pre>
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn TokenRow(token: TokenView, refetch: Callback<()>) -> impl IntoView {
    let confirming = RwSignal::new(false);
    // Focus follows the question: onto "Revoke" in it, back onto the row's button after "Keep".
    let (ask, answer) = (
        NodeRef::<html::Button>::new(),
        NodeRef::<html::Button>::new(),
    );
    Effect::new(move |_| {
        if let Some(b) = ask.get() {
            _ = b.focus();
        }
    });
    let kept = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(b) = answer.get() {
            if kept.get_untracked() {
                _ = b.focus();
            }
        }
    });
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let id = StoredValue::new(token.id.clone());
    let revoke = move |_| {
        busy.set(true);
        spawn_local(async move {
            match revoke_token(id.get_value()).await {
                Ok(()) => {
                    // The row goes away: focus stays in the dialog, on the next thing to do.
                    if let Some(input) = document().get_element_by_id("token-name") {
                        if let Ok(input) = input.dyn_into::<web_sys::HtmlElement>() {
                            _ = input.focus();
                        }
                    }
                    refetch.run(());
                }
                Err(e) => _ = error.try_set(Some(e)),
            }
            busy.try_set(false);
            confirming.try_set(false);
        });
    };
    let when = |t: Option<String>, none: &'static str| match t {
        Some(t) => view! { <time datetime=t.clone()>{short_time(&t)}</time> }.into_any(),
        None => view! { <span class="muted">{none}</span> }.into_any(),
    };
    let name = token.name.clone();
    view! {
        <tr data-testid="token-row" data-name=token.name.clone()>
            <td>{token.name.clone()}</td>
            <td>{when(Some(token.created_at.clone()), "")}</td>
            <td>{when(token.expires_at.clone(), "never")}</td>
            <td>{when(token.last_used_at.clone(), "never")}</td>
            <td class="token-actions">
                <Show
                    when=move || confirming.get()
                    fallback=move || view! {
                        <button
                            type="button"
                            class="button button-small"
                            aria-label=format!("Revoke {name}")
                            node_ref=answer
                            on:click=move |_| confirming.set(true)
                        >
                            "Revoke"
                        </button>
                    }
                >
                    <span class="confirm" role="group" aria-label="Confirm revoking">
                        <span class="small">"Revoke it? Scripts using it stop working."</span>
                        <button
                            type="button"
                            class="button button-small button-danger"
                            on:click=revoke
                            disabled=busy
                            node_ref=ask
                        >
                            "Revoke"
                        </button>
                        <button
                            type="button"
                            class="button button-small"
                            on:click=move |_| {
                                kept.set(true);
                                confirming.set(false);
                            }
                        >
                            "Keep"
                        </button>
                    </span>
                </Show>
                {move || error.get().map(|e| view! {
                    <span class="field-error"><AlertIcon/>{e.to_string()}</span>
                })}
            </td>
        </tr>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_example_calls_the_requests_api_with_a_bearer_token() {
        assert_eq!(
            super::curl_example("https://atrium.example.com"),
            "curl -H \"Authorization: Bearer $TOKEN\" https://atrium.example.com/api/v1/requests"
        );
    }
}

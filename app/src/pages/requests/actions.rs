//! What the viewer may do with a request: approve or reject it with a comment (while it is
//! pending), cancel it, or run it now outside its deploy window (admins). Buttons follow the
//! server's `viewer` rights; when approving is not allowed (four-eyes, the policy) they are
//! disabled with the reason next to them. The server decides again on every call.
//!
//! Feedback is immediate ("Sending your approval…", and the timeline shows the decision being
//! sent), then the server's answer replaces it: the request as it is now, or what went wrong.

use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::refresh::Refresh;
use super::steps::Sending;
use crate::api::deploy::{cancel_request, decide_request, override_window};
use crate::components::icons::{BlockedIcon, CheckIcon, CloseIcon, JobIcon, LockIcon};
use crate::components::problem::ErrorPanel;
use crate::dto::deploy::{RequestState, RequestView, ViewerRights};
use crate::error::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    Approve,
    Reject,
    Cancel,
    RunNow,
}

impl Act {
    fn sending(self) -> &'static str {
        match self {
            Act::Approve => "Sending your approval…",
            Act::Reject => "Sending your rejection…",
            Act::Cancel => "Cancelling…",
            Act::RunNow => "Overriding the deploy window…",
        }
    }

    /// Completes "You don't have permission to …".
    fn permission(self) -> &'static str {
        match self {
            Act::Approve => "approve this deploy",
            Act::Reject => "reject this deploy",
            Act::Cancel => "cancel this request",
            Act::RunNow => "override the deploy window",
        }
    }

    fn failed(self) -> &'static str {
        match self {
            Act::Approve => "Your approval was not recorded",
            Act::Reject => "Your rejection was not recorded",
            Act::Cancel => "The request was not cancelled",
            Act::RunNow => "The deploy window was not overridden",
        }
    }

    /// What the server's answer means, in a sentence.
    fn done(self, view: &RequestView) -> String {
        match self {
            Act::Approve if view.state == RequestState::Pending => {
                let approved = view
                    .approvals
                    .iter()
                    .filter(|a| a.decision == "approve")
                    .count();
                format!(
                    "Your approval is recorded ({approved} of {}): it needs more before it runs.",
                    view.required_approvals
                )
            }
            Act::Approve => match &view.waiting {
                Some(why) => format!("Approved. It runs as soon as it may ({why})."),
                None => "Approved. The deploy starts now; this page follows it live.".into(),
            },
            Act::Reject => format!("Rejected. {} sees your comment here.", view.requester),
            Act::Cancel => "Cancelled. Nothing was deployed.".into(),
            Act::RunNow => "The deploy window is overridden: the deploy starts now.".into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ActionState {
    Idle,
    /// Sent, with the comment sent along.
    Sending(Act, String),
    Done(String),
    Failed(Act, AppError),
}

impl ActionState {
    /// A decision on its way, for the timeline.
    pub fn sending(&self) -> Option<Sending> {
        match self {
            ActionState::Sending(act @ (Act::Approve | Act::Reject), comment) => Some(Sending {
                approve: *act == Act::Approve,
                comment: comment.clone(),
            }),
            _ => None,
        }
    }
}

/// Only what the buttons depend on, so live updates that change nothing else re-render none.
#[derive(Clone, Debug, Default, PartialEq)]
struct Rights {
    pending: bool,
    viewer: ViewerRights,
}

const COMMENT_ID: &str = "decision-comment";
const COMMENT_ERROR_ID: &str = "decision-comment-error";
const BLOCKED_ID: &str = "decide-blocked";

#[component]
pub fn Actions(
    request: RwSignal<RequestView>,
    action: RwSignal<ActionState>,
    refresh: Refresh,
) -> impl IntoView {
    let rights = Memo::new(move |_| {
        request.with(|r| Rights {
            pending: r.state == RequestState::Pending,
            viewer: r.viewer.clone().unwrap_or_default(),
        })
    });
    let comment = RwSignal::new(String::new());
    let comment_error = RwSignal::new(None::<String>);
    let status = NodeRef::<html::Div>::new();
    let textarea = NodeRef::<html::Textarea>::new();
    let busy = move || action.with(|a| matches!(a, ActionState::Sending(..)));

    let run = move |act: Act| {
        if busy() {
            return;
        }
        let text = comment.get_untracked().trim().to_string();
        if act == Act::Reject && text.is_empty() {
            comment_error.set(Some(
                "comment: say why you reject it, so the requester knows what to change".into(),
            ));
            if let Some(t) = textarea.get() {
                _ = t.focus();
            }
            return;
        }
        comment_error.set(None);
        action.set(ActionState::Sending(act, text.clone()));
        let id = request.with_untracked(|r| r.id.clone());
        spawn_local(async move {
            let answer = match act {
                Act::Approve => decide_request(id, true, text).await,
                Act::Reject => decide_request(id, false, text).await,
                Act::Cancel => cancel_request(id).await,
                Act::RunNow => override_window(id).await,
            };
            match answer {
                Ok(view) => {
                    refresh.supersede();
                    let message = act.done(&view);
                    request.try_set(view);
                    comment.try_set(String::new());
                    action.try_set(ActionState::Done(message));
                    // The form may be gone: keep the keyboard where the answer is.
                    if let Some(s) = status.get_untracked() {
                        _ = s.focus();
                    }
                }
                Err(AppError::BadRequest(m)) if m.starts_with("comment:") => {
                    comment_error.try_set(Some(m));
                    action.try_set(ActionState::Idle);
                    if let Some(t) = textarea.get_untracked() {
                        _ = t.focus();
                    }
                }
                Err(e) => {
                    action.try_set(ActionState::Failed(act, e));
                }
            }
        });
    };

    let decide = move || {
        let Rights { pending, viewer } = rights.get();
        if !pending {
            return None;
        }
        let blocked = viewer
            .approve_blocked
            .clone()
            .filter(|_| !viewer.can_approve);
        let allowed = viewer.can_approve;
        let described = blocked.is_some().then_some(BLOCKED_ID);
        let reason = blocked.map(|why| {
            view! {
                <p class="decide-blocked" id=BLOCKED_ID data-testid="approve-blocked">
                    <LockIcon/>
                    <span>{why}</span>
                </p>
            }
        });
        let sending = move |act: Act| {
            move || {
                action
                    .with(|a| matches!(a, ActionState::Sending(x, _) if *x == act))
                    .to_string()
            }
        };
        Some(view! {
            <section class="request-decide" aria-labelledby="decide-h">
                <h2 id="decide-h">"Your decision"</h2>
                <label for=COMMENT_ID>
                    "Comment"
                    <span class="muted">" — optional to approve; say why to reject"</span>
                </label>
                <textarea
                    id=COMMENT_ID
                    rows="3"
                    node_ref=textarea
                    disabled=!allowed
                    placeholder=if allowed { "What you checked, or what to change" } else { "" }
                    aria-invalid=move || comment_error.with(Option::is_some).then_some("true")
                    aria-describedby=move || comment_error.with(Option::is_some).then_some(COMMENT_ERROR_ID)
                    prop:value=comment
                    on:input=move |e| {
                        comment.set(event_target_value(&e));
                        comment_error.set(None);
                    }
                ></textarea>
                {move || comment_error.get().map(|m| view! {
                    <p class="field-error" id=COMMENT_ERROR_ID>{m}</p>
                })}
                <div class="decide-buttons">
                    <button
                        type="button"
                        class="button button-primary"
                        data-testid="approve"
                        disabled=move || !allowed || busy()
                        aria-busy=sending(Act::Approve)
                        aria-describedby=described
                        on:click=move |_| run(Act::Approve)
                    >
                        <CheckIcon/>
                        "Approve"
                    </button>
                    <button
                        type="button"
                        class="button button-danger"
                        data-testid="reject"
                        disabled=move || !allowed || busy()
                        aria-busy=sending(Act::Reject)
                        aria-describedby=described
                        on:click=move |_| run(Act::Reject)
                    >
                        <BlockedIcon/>
                        "Reject"
                    </button>
                </div>
                {reason}
            </section>
        }
        .into_any())
    };

    let others = move || {
        let Rights { viewer, .. } = rights.get();
        let run_now = viewer.can_override_window.then(|| {
            view! {
                <div class="request-other">
                    <button
                        type="button"
                        class="button"
                        data-testid="run-now"
                        disabled=busy
                        on:click=move |_| run(Act::RunNow)
                    >
                        <JobIcon/>
                        "Run now (override window)"
                    </button>
                    <p class="muted">"Starts it outside its deploy window. Recorded in the audit trail."</p>
                </div>
            }
        });
        let cancel = viewer.can_cancel.then(|| {
            view! {
                <div class="request-other">
                    <button
                        type="button"
                        class="button"
                        data-testid="cancel-request"
                        disabled=busy
                        on:click=move |_| run(Act::Cancel)
                    >
                        <CloseIcon/>
                        "Cancel request"
                    </button>
                    <p class="muted">"Withdraws it before anything is committed."</p>
                </div>
            }
        });
        (run_now.is_some() || cancel.is_some()).then(|| view! { {run_now}{cancel} }.into_any())
    };

    let outcome = move || {
        match action.get() {
        ActionState::Idle | ActionState::Failed(..) => ().into_any(),
        ActionState::Sending(act, _) => view! {
            <p class="action-sending"><span class="spinner" aria-hidden="true"></span>{act.sending()}</p>
        }
        .into_any(),
        ActionState::Done(message) => view! {
            <p class="notice notice-ok" data-testid="action-done"><CheckIcon/><span>{message}</span></p>
        }
        .into_any(),
    }
    };
    let failure = move || match action.get() {
        ActionState::Failed(act, e) => Some(
            view! { <ErrorPanel error=e action=act.permission() failed=act.failed()/> }.into_any(),
        ),
        _ => None,
    };
    let visible = move || {
        let r = rights.get();
        r.pending
            || r.viewer.can_cancel
            || r.viewer.can_override_window
            || action.with(|a| *a != ActionState::Idle)
    };

    let card = move || {
        view! {
            <div class="card request-actions" data-testid="request-actions">
                {decide}
                {others}
                <div class="action-status" role="status" aria-live="polite" tabindex="-1" node_ref=status>
                    {outcome}
                </div>
                {failure}
            </div>
        }
        .into_any()
    };
    view! { <Show when=visible>{card()}</Show> }.into_any()
}

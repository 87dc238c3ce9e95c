//! `ErrorPanel`: an [`AppError`] as people should see it — what happened and what to do.
//! Signed out → a sign-in link that comes back here; not allowed → the server's reason and who
//! to ask; anything else → the message and a retry hint. Always `role="alert"`.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::icons::{AlertIcon, BlockedIcon, LockIcon};
use super::session::login_href;
use crate::error::AppError;

/// Renders one error. `action` completes "You don't have permission to …" (e.g. "view the audit
/// trail"); without it a refusal reads "Not allowed". `failed` heads every other error (e.g.
/// "The error list could not be loaded"); without it, "Something went wrong".
#[component]
pub fn ErrorPanel(
    error: AppError,
    #[prop(optional)] action: Option<&'static str>,
    #[prop(optional)] failed: Option<&'static str>,
) -> impl IntoView {
    let location = use_location();
    match error {
        AppError::Unauthorized => {
            // The page to come back to, read when rendered (the panel lives on that page).
            let here = {
                let path = location.pathname.get_untracked();
                let search = location.search.get_untracked();
                if search.is_empty() {
                    path
                } else {
                    format!("{path}?{search}")
                }
            };
            view! {
                <div class="problem forbidden problem-unauthorized" role="alert">
                    <LockIcon/>
                    <div class="problem-body">
                        <h2>"Your session ended — sign in again"</h2>
                        <p>"You were signed out, or your sign-in expired. Sign in again to continue where you left off."</p>
                        <p class="problem-actions">
                            <a class="button button-primary" href=login_href(&here)>"Sign in again"</a>
                        </p>
                    </div>
                </div>
            }
            .into_any()
        }
        AppError::Forbidden(reason) => {
            let heading = action
                .map(|a| format!("You don't have permission to {a}"))
                .unwrap_or_else(|| "Not allowed".into());
            view! {
                <div class="problem forbidden" role="alert">
                    <BlockedIcon/>
                    <div class="problem-body">
                        <h2>{heading}</h2>
                        <p class="problem-reason">{reason}</p>
                        <p class="muted">
                            "If you need this, ask an Atrium administrator to grant your team the role that allows it."
                        </p>
                    </div>
                </div>
            }
            .into_any()
        }
        other => {
            let heading = failed.unwrap_or("Something went wrong");
            let hint = match &other {
                AppError::Transport(_) => {
                    "Atrium could not be reached. Check your connection, then reload the page."
                }
                AppError::NotFound(_) => "It may have been renamed or removed.",
                AppError::BadRequest(_) => "Check what you entered and try again.",
                _ => "Reload the page to try again; if it keeps failing, tell your platform team.",
            };
            view! {
                <div class="problem problem-error" role="alert">
                    <AlertIcon/>
                    <div class="problem-body">
                        <h2>{heading}</h2>
                        <p class="problem-reason">{other.to_string()}</p>
                        <p class="muted">{hint}</p>
                    </div>
                </div>
            }
            .into_any()
        }
    }
}

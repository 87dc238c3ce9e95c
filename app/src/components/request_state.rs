//! A deploy request's state as a badge: an icon and the word, coloured by what it means for
//! people (`data-tone`): waiting for someone (amber), under way (blue), healthy (green),
//! went wrong (red), ended without running (grey). The colour never stands alone.

use leptos::prelude::*;

use super::icons::{
    AlertIcon, BlockedIcon, CheckIcon, CloseIcon, CrossCircleIcon, HeartIcon, JobIcon,
    ProgressIcon, RefreshIcon,
};
use crate::dto::deploy::RequestState;

/// The state as a capitalised word.
pub fn state_word(state: RequestState) -> &'static str {
    match state {
        RequestState::Pending => "Pending",
        RequestState::Approved => "Approved",
        RequestState::Committing => "Committing",
        RequestState::Committed => "Committed",
        RequestState::Syncing => "Syncing",
        RequestState::Healthy => "Healthy",
        RequestState::Degraded => "Degraded",
        RequestState::Failed => "Failed",
        RequestState::Rejected => "Rejected",
        RequestState::Cancelled => "Cancelled",
        RequestState::Expired => "Expired",
        RequestState::Superseded => "Superseded",
    }
}

/// The colour family of a state (`data-tone`).
pub fn state_tone(state: RequestState) -> &'static str {
    match state {
        RequestState::Pending => "waiting",
        RequestState::Approved
        | RequestState::Committing
        | RequestState::Committed
        | RequestState::Syncing => "running",
        RequestState::Healthy => "ok",
        RequestState::Degraded | RequestState::Failed | RequestState::Rejected => "bad",
        RequestState::Cancelled | RequestState::Expired | RequestState::Superseded => "ended",
    }
}

#[component]
pub fn RequestStateBadge(state: RequestState) -> impl IntoView {
    let icon = match state {
        RequestState::Pending | RequestState::Expired => view! { <JobIcon/> }.into_any(),
        RequestState::Approved => view! { <CheckIcon/> }.into_any(),
        RequestState::Committing | RequestState::Committed | RequestState::Syncing => {
            view! { <ProgressIcon/> }.into_any()
        }
        RequestState::Healthy => view! { <HeartIcon/> }.into_any(),
        RequestState::Degraded => view! { <CrossCircleIcon/> }.into_any(),
        RequestState::Failed => view! { <AlertIcon/> }.into_any(),
        RequestState::Rejected => view! { <BlockedIcon/> }.into_any(),
        RequestState::Cancelled => view! { <CloseIcon/> }.into_any(),
        RequestState::Superseded => view! { <RefreshIcon/> }.into_any(),
    };
    view! {
        <span
            class="request-state"
            data-state=state.as_str()
            data-tone=state_tone(state)
            data-testid="request-state"
        >
            {icon}
            <span>{state_word(state)}</span>
        </span>
    }
}

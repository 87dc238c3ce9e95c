//! One resource in both environments: each side's live sync and health, and the diff of the
//! desired state from one environment to the other (Secret values masked by the server).

use leptos::prelude::*;

use crate::api::compare::compare_resource;
use crate::components::diff::Diff;
use crate::components::env_status::{HealthBadge, SyncBadge};
use crate::components::problem::ErrorPanel;
use crate::dto::compare::ResourcePair;
use crate::dto::status::{Health, SyncStatus};

#[component]
pub fn ResourceDiff(from: String, to: String, app: String, key: String) -> impl IntoView {
    let pair = {
        let (from, to) = (from.clone(), to.clone());
        LocalResource::new(move || {
            compare_resource(from.clone(), to.clone(), app.clone(), key.clone())
        })
    };
    view! {
        <div class="compare-diff" data-testid="compare-diff">
            <Suspense fallback=|| view! {
                <p class="muted" role="status" aria-busy="true">"Comparing…"</p>
            }>
                {move || Suspend::new({
                    let (from, to) = (from.clone(), to.clone());
                    async move {
                        match pair.await {
                            Ok(pair) => view! { <Pair pair from to/> }.into_any(),
                            Err(e) => view! {
                                <ErrorPanel error=e action="compare this resource" failed="The resource could not be compared"/>
                            }
                            .into_any(),
                        }
                    }
                })}
            </Suspense>
        </div>
    }
    .into_any()
}

#[component]
fn Pair(pair: ResourcePair, from: String, to: String) -> impl IntoView {
    let live = |env: &str, side: Option<(SyncStatus, Health)>| {
        let badges = match side {
            Some((sync, health)) => view! {
                <SyncBadge sync/>
                <HealthBadge health/>
            }
            .into_any(),
            None => view! { <span class="muted">"not wanted here"</span> }.into_any(),
        };
        view! {
            <div class="compare-live">
                <span class="compare-live-env">{env.to_string()}" (live)"</span>
                {badges}
            </div>
        }
    };
    view! {
        <div class="compare-live-row">
            {live(&from, pair.from_live)}
            {live(&to, pair.to_live)}
        </div>
        <Diff
            lines=pair.diff
            added=format!("+ only in {to}")
            removed=format!("− only in {from}")
            none=format!("The desired state is the same in {from} and {to}.")
        />
    }
    .into_any()
}

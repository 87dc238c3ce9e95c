//! An app's deploy history in one environment: every request, newest first, with its state,
//! when, who, version → version, the result and a link to it. An earlier healthy deploy offers
//! "Roll back to this": the deploy dialog, preset to restore the app as that request's commit
//! left it.

use leptos::prelude::*;

use super::form::{request_href, DeployTarget, Preset};
use crate::components::icons::AlertIcon;
use crate::components::problem::ErrorPanel;
use crate::components::request_state::{state_tone, RequestStateBadge};
use crate::components::time::short_time;
use crate::dto::deploy::{Change, RequestState, RequestView};
use crate::error::AppError;

/// What came of a request, in a few words.
fn result(r: &RequestView) -> Option<String> {
    r.message
        .clone()
        .or_else(|| r.waiting.clone().map(|w| format!("waiting: {w}")))
        .or_else(|| {
            r.sync
                .as_ref()
                .filter(|s| !s.message.is_empty())
                .map(|s| format!("sync {}: {}", s.result, s.message))
        })
        .or_else(|| r.health.clone().map(|h| format!("health {h}")))
}

/// The version a request moves to: its own, or for a rollback the version the request that
/// made the commit rolled back to had deployed (the server knows only the commit), else the
/// change in words.
pub fn to_label(history: &[RequestView], request: &RequestView) -> String {
    if let Some(v) = &request.to_version {
        return v.clone();
    }
    if let Change::RollbackTo(sha) = &request.change {
        let then = history.iter().find_map(|r| {
            r.commit
                .as_ref()
                .filter(|c| !sha.is_empty() && c.sha.starts_with(sha.as_str()))
                .and(r.to_version.clone())
        });
        if let Some(v) = then {
            return format!("{v} (rollback)");
        }
    }
    request.change.describe()
}

/// Which entries offer "Roll back to this": healthy, with a commit, and not the one running
/// now (`current`, the commit lineage names; else the newest healthy entry).
pub fn rollback_candidates(history: &[RequestView], current: Option<&str>) -> Vec<bool> {
    let newest_healthy = history
        .iter()
        .position(|r| r.state == RequestState::Healthy && r.commit.is_some());
    history
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let Some(commit) = r.commit.as_ref() else {
                return false;
            };
            r.state == RequestState::Healthy
                && match current {
                    Some(sha) => commit.sha != sha,
                    None => Some(i) != newest_healthy,
                }
        })
        .collect()
}

#[component]
fn Entry(
    request: RequestView,
    /// Where it went, from [`to_label`].
    to: String,
    rollback: bool,
    dialog: RwSignal<Option<DeployTarget>>,
) -> impl IntoView {
    let href = request_href(&request.id);
    let from = request.from_version.clone().unwrap_or_else(|| "—".into());
    let outcome = result(&request).map(|text| {
        let bad = state_tone(request.state) == "bad";
        view! {
            <p class="history-result" class:history-result-bad=bad>
                {bad.then(|| view! { <AlertIcon/> })}
                {text}
            </p>
        }
    });
    let roll_back = rollback.then(|| {
        let commit = request.commit.clone().map(|c| c.sha).unwrap_or_default();
        let version = Some(to.trim_end_matches(" (rollback)").to_string());
        let label = version.clone().unwrap_or_default();
        let (env, app) = (request.environment.clone(), request.app.clone());
        let aria = format!("Roll back to {label} (request {})", request.id);
        view! {
            <button
                type="button"
                class="button button-small"
                data-testid="history-rollback"
                aria-label=aria
                on:click=move |_| {
                    dialog.set(Some(DeployTarget {
                        env: env.clone(),
                        app: app.clone(),
                        preset: Some(Preset {
                            rollback_to: Some(commit.clone()),
                            version: version.clone(),
                            reason: Some(format!("Roll back to {label}")),
                            promote_from: None,
                        }),
                    }))
                }
            >
                "Roll back to this"
            </button>
        }
    });
    view! {
        <li class="history-entry" data-state=request.state.as_str() data-testid="history-entry">
            <div class="history-head">
                <RequestStateBadge state=request.state/>
                <span class="history-versions">
                    <code>{from}</code>
                    " → "
                    <code>{to}</code>
                </span>
                {roll_back}
            </div>
            <p class="history-meta muted">
                <time datetime=request.created_at.clone()>{short_time(&request.created_at)}</time>
                {format!(" · {}", request.requester)}
                " · "
                <a href=href>{request.id.clone()}</a>
            </p>
            {outcome}
        </li>
    }
    .into_any()
}

/// The history list. `current` is the commit the running version came from, when known.
#[component]
pub fn DeployHistory(
    #[prop(into)] history: Signal<Option<Result<Vec<RequestView>, AppError>>>,
    #[prop(into)] current: Signal<Option<String>>,
    dialog: RwSignal<Option<DeployTarget>>,
) -> impl IntoView {
    let body = move || {
        match history.get() {
        None => view! {
            <div class="history-skeleton" aria-busy="true">
                <div class="skeleton-line"></div>
                <div class="skeleton-line"></div>
            </div>
        }
        .into_any(),
        Some(Err(e)) => view! {
            <ErrorPanel error=e action="see this app's deploys" failed="The deploy history could not be loaded"/>
        }
        .into_any(),
        Some(Ok(list)) if list.is_empty() => view! {
            <p class="muted panel-absent">"No deploys were asked for through Atrium yet."</p>
        }
        .into_any(),
        Some(Ok(list)) => {
            let offers = rollback_candidates(&list, current.get().as_deref());
            let labels: Vec<String> = list.iter().map(|r| to_label(&list, r)).collect();
            let entries = list
                .into_iter()
                .zip(offers)
                .zip(labels)
                .map(|((request, rollback), to)| view! { <Entry request to rollback dialog/> })
                .collect_view();
            view! { <ol class="history-list">{entries}</ol> }.into_any()
        }
    }
    };
    view! {
        <section class="panel-section" aria-labelledby="history-h" data-testid="deploy-history">
            <h3 id="history-h">"Deploy history"</h3>
            {body}
        </section>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::deploy::CommitView;

    fn request(state: RequestState, sha: Option<&str>) -> RequestView {
        RequestView {
            id: "dr-1".into(),
            environment: "staging".into(),
            app: "a".into(),
            change: Change::SetRevision("x".into()),
            reason: String::new(),
            requester: String::new(),
            requester_id: String::new(),
            via_token: false,
            state,
            required_approvals: 0,
            approvals: vec![],
            webhook_error: None,
            from_version: None,
            to_version: None,
            commit: sha.map(|s| CommitView {
                sha: s.into(),
                ..CommitView::default()
            }),
            sync: None,
            health: None,
            waiting: None,
            message: None,
            created_at: String::new(),
            updated_at: String::new(),
            timeline: vec![],
            viewer: None,
        }
    }

    #[test]
    fn earlier_healthy_deploys_with_a_commit_can_be_rolled_back_to() {
        let list = vec![
            request(RequestState::Healthy, Some("c3")),
            request(RequestState::Failed, Some("c2")),
            request(RequestState::Healthy, Some("c1")),
            request(RequestState::Healthy, None),
        ];
        assert_eq!(
            rollback_candidates(&list, None),
            vec![false, false, true, false]
        );
        // Lineage says c1 runs now (c3 was undone by a commit outside Atrium).
        assert_eq!(
            rollback_candidates(&list, Some("c1")),
            vec![true, false, false, false]
        );
    }

    #[test]
    fn a_rollback_reads_as_the_version_it_brought_back() {
        let mut deployed = request(RequestState::Healthy, Some("abc1234def"));
        deployed.to_version = Some("1.4.0".into());
        let mut back = request(RequestState::Healthy, Some("fff0000"));
        back.change = Change::RollbackTo("abc1234def".into());
        let list = vec![back.clone(), deployed.clone()];
        assert_eq!(to_label(&list, &back), "1.4.0 (rollback)");
        assert_eq!(to_label(&list, &deployed), "1.4.0");
        assert_eq!(to_label(&[back.clone()], &back), "roll back to abc1234");
    }
}

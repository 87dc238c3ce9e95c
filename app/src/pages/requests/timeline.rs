//! The request page's timeline: an ordered list of [`steps`](super::steps), each with its
//! time, who and what; the step under way marked `aria-current="step"` with a moving icon; the
//! commit with its SHA, author, message, files and YAML diff (the environment page's diff
//! markup); the sync with its result per resource.

use leptos::prelude::*;

use super::steps::{Body, Status, Step};
use crate::components::diff::UnifiedDiff;
use crate::components::icons::{
    BlockedIcon, CheckCircleIcon, CrossCircleIcon, ExternalIcon, ProgressIcon,
};
use crate::components::time::{age_or_time, short_time};
use crate::dto::deploy::{short_sha, CommitView, SyncView};

fn marker(status: Status) -> AnyView {
    match status {
        Status::Done => view! { <CheckCircleIcon/> }.into_any(),
        Status::Current => view! { <ProgressIcon/> }.into_any(),
        Status::Failed => view! { <CrossCircleIcon/> }.into_any(),
        Status::Stopped => view! { <BlockedIcon/> }.into_any(),
        Status::Upcoming => view! { <span class="step-dot"></span> }.into_any(),
    }
}

/// `<time>` with the absolute time in its tooltip, relative once the browser's clock is known.
#[component]
pub fn When(#[prop(into)] at: String, now: ReadSignal<Option<i64>>) -> impl IntoView {
    let text = {
        let at = at.clone();
        move || age_or_time(&at, now.get())
    };
    view! { <time datetime=at.clone() title=short_time(&at)>{text}</time> }
}

#[component]
pub fn Timeline(steps: Vec<Step>, now: ReadSignal<Option<i64>>) -> impl IntoView {
    let items = steps
        .into_iter()
        .map(|step| view! { <StepItem step now/> })
        .collect_view();
    view! {
        <ol class="timeline" data-testid="timeline">
            {items}
        </ol>
    }
}

#[component]
fn StepItem(step: Step, now: ReadSignal<Option<i64>>) -> impl IntoView {
    let Step {
        kind,
        title,
        status,
        at,
        by,
        note,
        body,
    } = step;
    let body = match body {
        Body::None => ().into_any(),
        Body::Quote(text) => {
            view! { <blockquote class="step-quote">{text}</blockquote> }.into_any()
        }
        Body::Commit(commit) => view! { <Commit commit/> }.into_any(),
        Body::Sync(sync) => view! { <Sync sync now/> }.into_any(),
    };
    view! {
        <li
            class="step"
            data-step=kind
            data-status=status.key()
            aria-current=(status == Status::Current).then_some("step")
        >
            <span class="step-marker" aria-hidden="true">{marker(status)}</span>
            <div class="step-main">
                <div class="step-head">
                    <strong class="step-title">{title}</strong>
                    <span class="sr-only">{format!(" ({})", status.spoken())}</span>
                    {by.map(|by| view! { <span class="step-by">{by}</span> })}
                    {at.map(|at| view! { <When at now/> })}
                </div>
                {note.map(|note| view! { <p class="step-note">{note}</p> })}
                {body}
            </div>
        </li>
    }
    .into_any()
}

#[component]
fn Commit(commit: CommitView) -> impl IntoView {
    let sha = short_sha(&commit.sha).to_string();
    let sha = match commit.url.clone() {
        Some(url) => view! {
            <a class="sha" href=url title=commit.sha.clone() data-testid="commit-sha">
                <code>{sha}</code>
                <ExternalIcon/>
            </a>
        }
        .into_any(),
        None => view! { <code class="sha" title=commit.sha.clone() data-testid="commit-sha">{sha}</code> }
            .into_any(),
    };
    let files = commit
        .files
        .iter()
        .map(|f| view! { <li><code>{f.clone()}</code></li> })
        .collect_view();
    let count = commit.files.len();
    let diff = (!commit.diff.trim().is_empty()).then(|| {
        view! { <UnifiedDiff diff=commit.diff.clone() label="The commit's changes" testid="commit-diff"/> }
    });
    view! {
        <div class="commit">
            <p class="commit-line">{sha}<span class="commit-message">{commit.message.lines().next().unwrap_or_default().to_string()}</span></p>
            <details class="commit-files">
                <summary>{if count == 1 { "1 file changed".to_string() } else { format!("{count} files changed") }}</summary>
                <pre class="commit-full-message">{commit.message.clone()}</pre>
                <ul class="file-list">{files}</ul>
            </details>
            {diff}
        </div>
    }
    .into_any()
}

fn action_word(action: &str) -> String {
    let mut chars = action.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "—".into(),
    }
}

#[component]
fn Sync(sync: SyncView, now: ReadSignal<Option<i64>>) -> impl IntoView {
    let finished = sync
        .finished_at
        .clone()
        .map(|at| view! { <span class="muted">" · finished "<When at now/></span> });
    let message = (!sync.message.is_empty())
        .then(|| view! { <p class="sync-message">{sync.message.clone()}</p> });
    let resources = (!sync.resources.is_empty()).then(|| {
        let rows = sync
            .resources
            .iter()
            .map(|r| {
                view! {
                    <tr data-action=r.action.clone()>
                        <td><code title=r.key.clone()>{r.label()}</code></td>
                        <td class="nowrap">{action_word(&r.action)}</td>
                        <td class="muted">{r.message.clone()}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="grid sync-resources" data-testid="sync-resources">
                <thead>
                    <tr>
                        <th scope="col">"Resource"</th>
                        <th scope="col">"Result"</th>
                        <th scope="col">"Message"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
    });
    view! {
        <div class="sync-summary">
            <p>
                <span class="sync-result" data-result=sync.result.clone()>{action_word(&sync.result)}</span>
                {finished}
            </p>
            {message}
            {resources}
        </div>
    }
    .into_any()
}

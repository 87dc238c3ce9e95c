//! Where the version running now came from: the request that deployed it (who asked, why, who
//! approved, when, linked to the request) or, for a commit made outside Atrium, the commit's
//! author, date and message, its SHA linked to the Git host and the pull request it names.
//! [`LineageSection`] is the tree panel's; [`LineageLine`] the "Running in" card's one line.

use leptos::prelude::*;

use super::form::request_href;
use crate::components::icons::ExternalIcon;
use crate::components::problem::ErrorPanel;
use crate::components::time::short_time;
use crate::dto::deploy::{short_sha, CommitSummary, Lineage, RequestView};
use crate::error::AppError;

/// A commit's SHA, a link to the Git host when it has one.
#[component]
pub fn ShaLink(sha: String, url: Option<String>) -> impl IntoView {
    let short = short_sha(&sha).to_string();
    match url {
        Some(url) => view! {
            <a class="sha" href=url title=format!("Commit {sha} on the Git host") target="_blank" rel="noopener">
                <code>{short}</code>
                <ExternalIcon/>
            </a>
        }
        .into_any(),
        None => view! { <code class="sha" title=sha>{short}</code> }.into_any(),
    }
}

/// `Jane Doe <jane@example.com>` → `Jane Doe` (the whole text stays in a tooltip).
pub fn author_name(author: &str) -> &str {
    author.split(" <").next().unwrap_or(author).trim()
}

fn first_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Who approved a request, and when ("No approval needed" when none was).
fn approvals(request: &RequestView) -> AnyView {
    let approved: Vec<_> = request
        .approvals
        .iter()
        .filter(|a| a.decision == "approve")
        .collect();
    if approved.is_empty() {
        let text = if request.required_approvals == 0 {
            "No approval needed"
        } else {
            "Not approved"
        };
        return view! { <dd>{text}</dd> }.into_any();
    }
    approved
        .into_iter()
        .map(|a| {
            view! {
                <dd>
                    {a.by.clone()}
                    " · "
                    <time datetime=a.at.clone()>{short_time(&a.at)}</time>
                    {(!a.comment.is_empty()).then(|| view! { <span class="muted">{format!(" — “{}”", a.comment)}</span> })}
                </dd>
            }
        })
        .collect_view()
        .into_any()
}

#[component]
fn FromRequest(request: RequestView, commit: Option<CommitSummary>) -> impl IntoView {
    let href = request_href(&request.id);
    let deployed = commit.as_ref().map(|c| {
        view! {
            <div>
                <dt>"Deployed"</dt>
                <dd>
                    <time datetime=c.date.clone()>{short_time(&c.date)}</time>
                    " in "
                    <ShaLink sha=c.sha.clone() url=c.url.clone()/>
                </dd>
            </div>
        }
    });
    view! {
        <p class="lineage-what">
            "Deployed by request "
            <a href=href data-testid="lineage-request"><code>{request.id.clone()}</code></a>
            {request.via_token.then(|| view! { <span class="pill">"API token"</span> })}
        </p>
        <dl class="facts lineage-facts">
            <div>
                <dt>"Asked by"</dt>
                <dd data-testid="lineage-requester">
                    {request.requester.clone()}
                    " · "
                    <time datetime=request.created_at.clone()>{short_time(&request.created_at)}</time>
                </dd>
            </div>
            <div>
                <dt>"Reason"</dt>
                <dd class="lineage-reason">{request.reason.clone()}</dd>
            </div>
            <div>
                <dt>"Approved by"</dt>
                {approvals(&request)}
            </div>
            {deployed}
        </dl>
    }
    .into_any()
}

#[component]
fn FromCommit(commit: CommitSummary) -> impl IntoView {
    let pull = commit.pull_request.clone().map(|url| {
        view! {
            <div>
                <dt>"Pull request"</dt>
                <dd><a href=url.clone() target="_blank" rel="noopener">{url.clone()}<ExternalIcon/></a></dd>
            </div>
        }
    });
    view! {
        <p class="lineage-what">"Committed outside Atrium"</p>
        <dl class="facts lineage-facts">
            <div>
                <dt>"Commit"</dt>
                <dd><ShaLink sha=commit.sha.clone() url=commit.url.clone()/></dd>
            </div>
            <div>
                <dt>"Author"</dt>
                <dd title=commit.author.clone()>
                    {author_name(&commit.author).to_string()}
                    " · "
                    <time datetime=commit.date.clone()>{short_time(&commit.date)}</time>
                </dd>
            </div>
            <div>
                <dt>"Message"</dt>
                <dd class="lineage-message">{first_line(&commit.message)}</dd>
            </div>
            {pull}
        </dl>
    }
    .into_any()
}

/// The lineage as the tree's app panel shows it.
#[component]
pub fn LineageSection(
    /// `None` while it loads for the first time.
    #[prop(into)]
    lineage: Signal<Option<Result<Lineage, AppError>>>,
) -> impl IntoView {
    let body = move || {
        match lineage.get() {
        None => view! { <div class="skeleton-block lineage-skeleton" aria-busy="true"></div> }.into_any(),
        Some(Err(e)) => view! {
            <ErrorPanel error=e action="see where this version came from" failed="Where this version came from could not be loaded"/>
        }
        .into_any(),
        Some(Ok(l)) => {
            let version = l.version.clone().map(|v| {
                view! {
                    <p class="lineage-version">
                        "Running version " <code data-testid="running-version">{v}</code>
                    </p>
                }
            });
            let origin = match (l.request, l.commit) {
                (Some(request), commit) => view! { <FromRequest request commit/> }.into_any(),
                (None, Some(commit)) => view! { <FromCommit commit/> }.into_any(),
                (None, None) => view! {
                    <p class="muted panel-absent">"No commit in this environment's history changed this app's files."</p>
                }
                .into_any(),
            };
            view! { {version} {origin} }.into_any()
        }
    }
    };
    view! {
        <section class="panel-section lineage" aria-labelledby="lineage-h" data-testid="lineage">
            <h3 id="lineage-h">"Where this version came from"</h3>
            {body}
        </section>
    }
    .into_any()
}

/// One line: who deployed the running version and when, or the outside commit's author.
#[component]
pub fn LineageLine(
    #[prop(into)] lineage: Signal<Option<Result<Lineage, AppError>>>,
) -> impl IntoView {
    move || {
        match lineage.get() {
        None => {
            view! { <span class="skeleton-line lineage-line-skeleton" aria-hidden="true"></span> }
                .into_any()
        }
        // The card still shows the version: the line is a detail.
        Some(Err(_)) => view! { <span class="muted">"—"</span> }.into_any(),
        Some(Ok(l)) => match (l.request, l.commit) {
            (Some(r), commit) => {
                let when = commit.map(|c| c.date).unwrap_or(r.updated_at.clone());
                view! {
                    <span class="lineage-line" data-testid="lineage-line">
                        "by "{r.requester.clone()}" · "
                        <a href=request_href(&r.id)>"request"</a>
                        " · "
                        <time datetime=when.clone()>{short_time(&when)}</time>
                    </span>
                }
                .into_any()
            }
            (None, Some(c)) => view! {
                <span class="lineage-line" data-testid="lineage-line" title=format!("{}: {}", c.author, first_line(&c.message))>
                    <ShaLink sha=c.sha.clone() url=c.url.clone()/>
                    " by "{author_name(&c.author).to_string()}" · "
                    <time datetime=c.date.clone()>{short_time(&c.date)}</time>
                </span>
            }
            .into_any(),
            (None, None) => view! { <span class="muted">"—"</span> }.into_any(),
        },
    }
    }
}

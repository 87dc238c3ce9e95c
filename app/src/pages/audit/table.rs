//! One page of audit records as a table, plus the pager ("← Newest", "Older →").

use leptos::prelude::*;

use super::page_url;
use crate::components::icons::{AlertIcon, BlockedIcon, CheckIcon};
use crate::components::time::short_time;
use crate::dto::audit::{AuditEventView, AuditQuery};

/// Outcome as a word with an icon; the colour (via `data-outcome`) only repeats it.
#[component]
fn Outcome(outcome: String) -> impl IntoView {
    let (icon, word) = match outcome.as_str() {
        "success" => (view! { <CheckIcon/> }.into_any(), "Success".to_string()),
        "failure" => (view! { <AlertIcon/> }.into_any(), "Failure".to_string()),
        "denied" => (view! { <BlockedIcon/> }.into_any(), "Denied".to_string()),
        other => (().into_any(), other.to_string()),
    };
    view! { <span class="outcome" data-outcome=outcome>{icon}{word}</span> }
}

/// The view filtered to one more field, from the newest record again.
fn filter_href(query: &AuditQuery, set: impl FnOnce(&mut AuditQuery)) -> String {
    let mut q = query.clone();
    set(&mut q);
    q.before = None;
    page_url(&q)
}

fn row(e: AuditEventView, query: &AuditQuery) -> impl IntoView {
    let actor_href = filter_href(query, |q| q.actor = e.actor_subject.clone());
    let action_href = filter_href(query, |q| q.action = e.action.clone());
    let subject = (e.actor_subject != e.actor_name).then(|| {
        view! { <span class="muted actor-subject">{e.actor_subject.clone()}</span> }
    });
    let groups = e.actor_groups.join(", ");
    let details = match e.details.trim() {
        "" | "{}" | "null" => view! { <span class="muted">"—"</span> }.into_any(),
        d => {
            let d = d.to_string();
            view! { <code class="details" title=d.clone()>{d.clone()}</code> }.into_any()
        }
    };
    let request = e.request_id.map(|id| {
        let short: String = id.chars().take(8).collect();
        let title = match &e.client_ip {
            Some(ip) => format!("{id} · from {ip}"),
            None => id.clone(),
        };
        view! { <code title=title>{short}</code> }
    });
    view! {
        <tr data-seq=e.seq>
            <td class="num muted">{e.seq}</td>
            <td class="nowrap">
                <time datetime=e.at.clone() title=e.at.clone()>{short_time(&e.at)}</time>
            </td>
            <td class="actor" title=groups>
                <a href=actor_href>{e.actor_name}</a>
                {subject}
            </td>
            <td class="nowrap"><a href=action_href><code>{e.action}</code></a></td>
            <td><code class="wrap">{e.object}</code></td>
            <td class="nowrap"><Outcome outcome=e.outcome/></td>
            <td class="details-cell">{details}</td>
            <td class="nowrap">{request}</td>
        </tr>
    }
}

#[component]
pub fn EventTable(events: Vec<AuditEventView>, query: AuditQuery) -> impl IntoView {
    if events.is_empty() {
        return view! {
            <div class="empty-state audit-empty">
                <h2>"No records"</h2>
                <p>"No audit records match these filters. Widen the time range or "<a href="/audit">"clear the filters"</a>"."</p>
            </div>
        }
        .into_any();
    }
    let rows = events.into_iter().map(|e| row(e, &query)).collect_view();
    view! {
        <div class="card audit-table">
            <div class="table-wrap">
                <table class="grid">
                    <thead>
                        <tr>
                            <th scope="col" class="num">"#"</th>
                            <th scope="col">"Time"</th>
                            <th scope="col">"Actor"</th>
                            <th scope="col">"Action"</th>
                            <th scope="col">"Object"</th>
                            <th scope="col">"Outcome"</th>
                            <th scope="col">"Details"</th>
                            <th scope="col">"Request"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </div>
    }
    .into_any()
}

/// Newer/older pages through `before`.
#[component]
pub fn Pager(query: AuditQuery, next_before: Option<u64>) -> impl IntoView {
    let current = query;
    let newest = current.before.is_some().then(|| {
        let href = page_url(&AuditQuery {
            before: None,
            ..current.clone()
        });
        view! { <a class="button" href=href>"← Newest"</a> }
    });
    let older = next_before.map(|before| {
        let href = page_url(&AuditQuery {
            before: Some(before),
            ..current.clone()
        });
        view! { <a class="button" href=href rel="next">"Older →"</a> }
    });
    (newest.is_some() || older.is_some())
        .then(|| view! { <nav class="pager" aria-label="Pages">{newest}{older}</nav> })
}

/// Placeholder rows while the first page loads.
#[component]
pub fn SkeletonTable() -> impl IntoView {
    view! {
        <div class="card audit-table" aria-busy="true">
            <div class="skeleton-row"></div>
            <div class="skeleton-row"></div>
            <div class="skeleton-row"></div>
        </div>
    }
}

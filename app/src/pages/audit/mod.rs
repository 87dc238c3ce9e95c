//! The audit page (`/audit?actor=…&action=…&object=…&from=…&to=…&before=…`): the chain's
//! integrity, filters, export links and one page of records, newest first.
//!
//! The URL is the state, as on the catalog page: the filters form navigates to a new query and
//! a resource keyed on it calls `audit_events`. A refusal from the server (no `audit/get`
//! permission, or the session ended) replaces the tools with an [`ErrorPanel`].

pub mod chain;
pub mod filters;
pub mod table;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use crate::api::audit_events;
use crate::components::icons::DownloadIcon;
use crate::components::problem::ErrorPanel;
use crate::dto::audit::AuditQuery;
use chain::ChainStatus;
use filters::Filters;
use table::{EventTable, Pager, SkeletonTable};

/// The filters a URL carries; unknown keys are ignored, a malformed `before` too.
pub fn query_from_params(params: &ParamsMap) -> AuditQuery {
    let text = |key: &str| {
        params
            .get(key)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    AuditQuery {
        actor: text("actor"),
        action: text("action"),
        object: text("object"),
        from: text("from"),
        to: text("to"),
        before: params.get("before").and_then(|b| b.parse().ok()),
        limit: None,
    }
}

/// `/audit` plus the query string that reproduces this view.
pub fn page_url(query: &AuditQuery) -> String {
    let mut qs = query.to_query_string();
    if let Some(before) = query.before {
        if !qs.is_empty() {
            qs.push('&');
        }
        qs.push_str(&format!("before={before}"));
    }
    if qs.is_empty() {
        "/audit".into()
    } else {
        format!("/audit?{qs}")
    }
}

/// The export download for these filters (all matching records, not just this page).
fn export_href(query: &AuditQuery, format: &str) -> String {
    let qs = query.to_query_string();
    if qs.is_empty() {
        format!("/api/audit/export?format={format}")
    } else {
        format!("/api/audit/export?format={format}&{qs}")
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let params = use_query_map();
    let query = Memo::new(move |_| params.with(query_from_params));
    let events = Resource::new(move || query.get(), audit_events);
    let (pending, set_pending) = signal(false);
    let session = crate::components::session::use_session();

    view! {
        <Title text="Audit trail · Atrium"/>
        <div class="audit-page">
            <div class="progress" class:active=pending aria-hidden="true"></div>
            <div class="page-head">
                <h1>"Audit trail"</h1>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        // Only offered to those the server would let download it.
                        let may_export = session
                            .await
                            .map(|s| s.may_export_audit)
                            .unwrap_or(false);
                        may_export
                            .then(|| {
                                view! {
                                        <div class="audit-exports">
                                            <a
                                                class="button"
                                                href=move || export_href(&query.get(), "csv")
                                                download
                                                data-testid="export-csv"
                                            >
                                                <DownloadIcon/>
                                                "Export CSV"
                                            </a>
                                            <a
                                                class="button"
                                                href=move || export_href(&query.get(), "json")
                                                download
                                                data-testid="export-json"
                                            >
                                                <DownloadIcon/>
                                                "Export JSON"
                                            </a>
                                        </div>
                                }
                            })
                    })}
                </Transition>
            </div>
            <ChainStatus/>
            <Filters query/>
            <Transition fallback=SkeletonTable set_pending>
                {move || Suspend::new(async move {
                    match events.await {
                        Ok(page) => {
                            let query = query.get_untracked();
                            view! {
                                <EventTable events=page.events query=query.clone()/>
                                <Pager query next_before=page.next_before/>
                            }
                                .into_any()
                        }
                        Err(e) => {
                            view! {
                                <ErrorPanel
                                    error=e
                                    action="view the audit trail"
                                    failed="The audit trail could not be loaded"
                                />
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_round_trip_filters_and_page() {
        let q = AuditQuery {
            actor: "Ada Admin".into(),
            action: "login".into(),
            before: Some(42),
            ..Default::default()
        };
        assert_eq!(
            page_url(&q),
            "/audit?actor=Ada%20Admin&action=login&before=42"
        );
        assert_eq!(page_url(&AuditQuery::default()), "/audit");
        assert_eq!(
            export_href(&q, "csv"),
            "/api/audit/export?format=csv&actor=Ada%20Admin&action=login"
        );
    }
}

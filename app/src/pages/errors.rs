//! The catalog errors page (`/catalog/errors`): problems found while reading the catalog's
//! sources, grouped by source, plus each source's status and a "Refresh now" button that polls
//! until the refresh completes.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{catalog_errors, catalog_status, refresh_catalog};
use crate::components::entity_bits::ref_href;
use crate::components::icons::{AlertIcon, CheckIcon, RefreshIcon};
use crate::components::problem::ErrorPanel;
use crate::components::status::use_catalog_status;
use crate::components::time::short_time;
use crate::dto::{CatalogErrorView, SourceStatus};
use crate::error::AppError;

const POLL_EVERY: Duration = Duration::from_millis(500);
/// Give up waiting after this many polls (a minute) and say so.
const MAX_POLLS: u32 = 120;

#[component]
pub fn ErrorsPage() -> impl IntoView {
    let status = use_catalog_status();
    let errors = Resource::new(|| (), |_| catalog_errors());
    let (refreshing, set_refreshing) = signal(false);
    let (message, set_message) = signal(None::<String>);
    let (refresh_error, set_refresh_error) = signal(None::<AppError>);

    // Polls every 500 ms until the generation moves past `before`, then refetches everything.
    fn poll(before: u64, left: u32, done: impl Fn(Result<(), String>) + Clone + 'static) {
        set_timeout(
            move || {
                spawn_local(async move {
                    match catalog_status().await {
                        Ok(s) if s.generation != before && !s.refreshing => done(Ok(())),
                        _ if left == 0 => done(Err(
                            "The refresh is taking longer than expected; this page will show its result once you reload."
                                .into(),
                        )),
                        _ => poll(before, left - 1, done),
                    }
                })
            },
            POLL_EVERY,
        );
    }

    let refresh = move |_| {
        if refreshing.get_untracked() {
            return;
        }
        set_refreshing.set(true);
        set_message.set(None);
        set_refresh_error.set(None);
        let known = status
            .get_untracked()
            .and_then(Result::ok)
            .map(|s| s.generation);
        spawn_local(async move {
            match refresh_catalog().await {
                Ok(s) => {
                    let before = known.unwrap_or(s.generation);
                    poll(before, MAX_POLLS, move |outcome| {
                        set_refreshing.set(false);
                        match outcome {
                            Ok(()) => set_message.set(Some("Refreshed.".into())),
                            Err(m) => set_message.set(Some(m)),
                        }
                        status.refetch();
                        errors.refetch();
                    });
                }
                Err(e) => {
                    set_refreshing.set(false);
                    set_refresh_error.set(Some(e));
                }
            }
        });
    };

    view! {
        <div class="errors-page">
            <div class="progress" class:active=refreshing aria-hidden="true"></div>
            <div class="page-head">
                <h1>"Catalog errors"</h1>
                <button
                    type="button"
                    class="button"
                    on:click=refresh
                    disabled=refreshing
                    aria-busy=move || refreshing.get().to_string()
                >
                    <RefreshIcon/>
                    {move || if refreshing.get() { "Refreshing…" } else { "Refresh now" }}
                </button>
                <span class="refresh-message" role="status">{message}</span>
            </div>
            {move || {
                refresh_error
                    .get()
                    .map(|e| {
                        view! {
                            <ErrorPanel error=e action="refresh the catalog" failed="The refresh could not start"/>
                        }
                    })
            }}
            <section class="card" aria-labelledby="sources-h">
                <h2 id="sources-h">"Sources"</h2>
                <Transition fallback=|| view! { <div class="skeleton-block"></div> }>
                    {move || Suspend::new(async move {
                        match status.await {
                            Ok(s) => {
                                let summary = format!(
                                    "{} entities · {} · refresh #{}",
                                    s.entities,
                                    if s.errors == 1 { "1 error".to_string() } else { format!("{} errors", s.errors) },
                                    s.generation
                                );
                                view! {
                                    <p class="muted">{summary}</p>
                                    <Sources sources=s.sources/>
                                }
                                    .into_any()
                            }
                            Err(e) => view! { <p class="notice notice-error">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <Transition fallback=|| view! { <div class="skeleton-block"></div> }>
                {move || Suspend::new(async move {
                    match errors.await {
                        Ok(list) if list.is_empty() => {
                            view! {
                                <div class="empty-state ok">
                                    <CheckIcon/>
                                    <h2>"No errors"</h2>
                                    <p>"Every file in every source was read without problems."</p>
                                </div>
                            }
                                .into_any()
                        }
                        Ok(list) => view! { <ErrorGroups errors=list/> }.into_any(),
                        Err(e) => {
                            view! { <ErrorPanel error=e failed="The error list could not be loaded"/> }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </div>
    }
    .into_any()
}

#[component]
fn Sources(sources: Vec<SourceStatus>) -> impl IntoView {
    let rows = sources
        .into_iter()
        .map(|s| {
            let commit = s.last_commit.map(|c| {
                let short: String = c.chars().take(8).collect();
                view! { <code title=c>{short}</code> }
            });
            let refreshed = s.last_refresh.map(
                |t| view! { <time datetime=t.clone() title=t.clone()>{short_time(&t)}</time> },
            );
            let state = match s.error {
                Some(e) => {
                    view! { <span class="status status-error"><AlertIcon/>"Error: "{e}</span> }
                        .into_any()
                }
                None => view! { <span class="status status-ok"><CheckIcon/>"OK"</span> }.into_any(),
            };
            view! {
                <tr>
                    <th scope="row">{s.name}</th>
                    <td>{s.kind}</td>
                    <td><code class="wrap">{s.location}</code></td>
                    <td>{s.branch.map(|b| view! { <code>{b}</code> })}</td>
                    <td>{commit}</td>
                    <td>{refreshed}</td>
                    <td>{state}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="grid">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Location"</th>
                        <th scope="col">"Branch"</th>
                        <th scope="col">"Last commit"</th>
                        <th scope="col">"Last refresh"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Errors grouped by source, in first-seen order.
#[component]
fn ErrorGroups(errors: Vec<CatalogErrorView>) -> impl IntoView {
    let mut groups: Vec<(String, Vec<CatalogErrorView>)> = Vec::new();
    for e in errors {
        match groups.iter_mut().find(|(s, _)| *s == e.source) {
            Some((_, list)) => list.push(e),
            None => groups.push((e.source.clone(), vec![e])),
        }
    }
    groups
        .into_iter()
        .map(|(source, list)| {
            let heading = match list.len() {
                1 => format!("{source} · 1 error"),
                n => format!("{source} · {n} errors"),
            };
            let rows = list
                .into_iter()
                .map(|e| {
                    view! {
                        <tr>
                            <td class="nowrap"><code>{e.file}</code></td>
                            <td class="num">{e.document.map(|d| d.to_string())}</td>
                            <td class="nowrap">{e.entity_ref.map(|r| { let href = ref_href(&r); view! { <a class="ref" href=href>{r}</a> } })}</td>
                            <td class="message">{e.message}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <section class="card error-group">
                    <h2><AlertIcon/>{heading}</h2>
                    <div class="table-wrap">
                        <table class="grid">
                            <thead>
                                <tr>
                                    <th scope="col">"File"</th>
                                    <th scope="col">"Document #"</th>
                                    <th scope="col">"Entity"</th>
                                    <th scope="col">"Message"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                </section>
            }
        })
        .collect_view()
}

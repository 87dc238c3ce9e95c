//! The filters form. Its fields mirror the URL; submitting navigates to the new query (a plain
//! GET to `/audit` before the WASM loads, so it works without it too).

use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::page_url;
use crate::dto::audit::AuditQuery;

/// `(URL key, label, placeholder)` of each field, in form order.
const FIELDS: [(&str, &str, &str); 5] = [
    ("actor", "Actor", "subject or name"),
    ("action", "Action", "e.g. login"),
    ("object", "Object", "exact, or prefix/*"),
    ("from", "From", "2026-11-27"),
    ("to", "To (exclusive)", "2026-11-28T12:00Z"),
];

fn field(q: &AuditQuery, key: &str) -> String {
    match key {
        "actor" => &q.actor,
        "action" => &q.action,
        "object" => &q.object,
        "from" => &q.from,
        _ => &q.to,
    }
    .clone()
}

fn field_mut<'a>(q: &'a mut AuditQuery, key: &str) -> &'a mut String {
    match key {
        "actor" => &mut q.actor,
        "action" => &mut q.action,
        "object" => &mut q.object,
        "from" => &mut q.from,
        _ => &mut q.to,
    }
}

#[component]
pub fn Filters(query: Memo<AuditQuery>) -> impl IntoView {
    let navigate = use_navigate();
    // What the form shows; follows the URL (back/forward, links) and the user's typing.
    let draft = RwSignal::new(query.get_untracked());
    Effect::new(move |_| draft.set(query.get()));

    let on_submit = move |e: ev::SubmitEvent| {
        e.prevent_default();
        let mut q = draft.get_untracked();
        for (key, _, _) in FIELDS {
            let value = field_mut(&mut q, key);
            *value = value.trim().to_string();
        }
        // New filters start again from the newest record.
        q.before = None;
        navigate(&page_url(&q), NavigateOptions::default());
    };
    let filtered = move || {
        query.with(|q| {
            FIELDS.iter().any(|(key, _, _)| !field(q, key).is_empty()) || q.before.is_some()
        })
    };

    let inputs = FIELDS
        .into_iter()
        .map(|(key, label, placeholder)| {
            let id = format!("audit-{key}");
            let initial = query.with_untracked(|q| field(q, key));
            view! {
                <div class="filter-field">
                    <label for=id.clone()>{label}</label>
                    <input
                        id=id
                        name=key
                        type="text"
                        placeholder=placeholder
                        autocomplete="off"
                        spellcheck="false"
                        value=initial
                        prop:value=move || draft.with(|q| field(q, key))
                        on:input=move |e| {
                            let v = event_target_value(&e);
                            draft.update(|q| *field_mut(q, key) = v);
                        }
                    />
                </div>
            }
        })
        .collect_view();

    view! {
        <form class="audit-filters audit-tools" method="get" action="/audit" role="search" aria-label="Filter the audit trail" on:submit=on_submit>
            {inputs}
            <div class="filter-actions">
                <button type="submit" class="button button-primary">"Apply filters"</button>
                <Show when=filtered>
                    <a class="clear-filters" href="/audit">"Clear"</a>
                </Show>
            </div>
        </form>
    }
    .into_any()
}

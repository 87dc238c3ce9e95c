//! The entity page (`/catalog/:kind/:namespace/:name`): header, description, relations, API
//! definition, spec fields, metadata and where it came from; for Components, where they run.

mod running_in;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::get_entity;
use crate::components::entity_bits::{EntityLink, KindBadge};
use crate::components::icons::{AlertIcon, ExternalIcon};
use crate::components::problem::ErrorPanel;
use crate::dto::{EntityView, RelationGroup};
use crate::error::AppError;

#[component]
pub fn EntityPage() -> impl IntoView {
    let params = use_params_map();
    let entity_ref = Memo::new(move |_| {
        params.with(|p| {
            format!(
                "{}:{}/{}",
                p.get("kind").unwrap_or_default(),
                p.get("namespace").unwrap_or_default(),
                p.get("name").unwrap_or_default()
            )
        })
    });
    let entity = Resource::new(move || entity_ref.get(), get_entity);
    let (pending, set_pending) = signal(false);
    view! {
        <div class="entity-page">
            <div class="progress" class:active=pending aria-hidden="true"></div>
            <Transition fallback=|| view! { <div class="skeleton-block" aria-busy="true"></div> } set_pending>
                {move || Suspend::new(async move {
                    match entity.await {
                        Ok(e) => view! { <Entity entity=e/> }.into_any(),
                        Err(AppError::NotFound(_)) => {
                            view! { <NotInCatalog entity_ref=entity_ref.get_untracked()/> }.into_any()
                        }
                        Err(e) => {
                            view! { <ErrorPanel error=e failed="This entity could not be loaded"/> }
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
fn NotInCatalog(entity_ref: String) -> impl IntoView {
    view! {
        <div class="empty-state">
            <h1>"Not in the catalog"</h1>
            <p>
                "There is no entity "<code class="ref">{entity_ref}</code>
                ". It may have been renamed or removed, or its file may have errors."
            </p>
            <p>
                <a href="/catalog">"Back to the catalog"</a>
                " · "
                <a href="/catalog/errors">"See catalog errors"</a>
            </p>
        </div>
    }
    .into_any()
}

#[component]
fn Entity(entity: EntityView) -> impl IntoView {
    let EntityView {
        entity_ref,
        kind,
        namespace,
        name,
        title,
        description,
        api_version,
        entity_type,
        lifecycle,
        owner,
        system,
        tags,
        labels,
        annotations,
        links,
        relations,
        spec,
        definition,
        source,
        file,
        errors,
    } = entity;

    let warning = (!errors.is_empty()).then(|| {
        let items = errors
            .into_iter()
            .map(|e| {
                let at = e
                    .document
                    .map(|d| format!(" (document {d})"))
                    .unwrap_or_default();
                view! { <li><code>{e.file}{at}</code>": "{e.message}</li> }
            })
            .collect_view();
        view! {
            <div class="notice notice-warning" role="status">
                <AlertIcon/>
                <div>
                    <strong>"This entity's file has errors; showing the last good version."</strong>
                    <ul>{items}</ul>
                </div>
            </div>
        }
    });

    let facts = view! {
        <dl class="facts">
            {lifecycle.map(|l| {
                let key = l.to_ascii_lowercase();
                view! { <div><dt>"Lifecycle"</dt><dd><span class="lifecycle" data-lifecycle=key>{l}</span></dd></div> }
            })}
            {owner.map(|o| view! { <div><dt>"Owner"</dt><dd><EntityLink link=o/></dd></div> })}
            {system.map(|s| view! { <div><dt>"System"</dt><dd><EntityLink link=s/></dd></div> })}
            {entity_type.map(|t| view! { <div><dt>"Type"</dt><dd>{t}</dd></div> })}
            {(!tags.is_empty()).then(|| {
                let tags = tags.into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view();
                view! { <div><dt>"Tags"</dt><dd class="tags">{tags}</dd></div> }
            })}
        </dl>
    };

    let links = (!links.is_empty()).then(|| {
        let items = links
            .into_iter()
            .map(|l| {
                let text = if l.title.is_empty() {
                    l.url.clone()
                } else {
                    l.title
                };
                view! {
                    <li>
                        <a href=l.url target="_blank" rel="noopener noreferrer">
                            {text}
                            <ExternalIcon/>
                        </a>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="entity-links" aria-label="Links">{items}</ul> }
    });

    let relations = (!relations.is_empty()).then(|| {
        let groups = relations
            .into_iter()
            .map(|g| view! { <Relation group=g/> })
            .collect_view();
        view! {
            <section class="card" aria-labelledby="rel-h">
                <h2 id="rel-h">"Relations"</h2>
                <div class="relations">{groups}</div>
            </section>
        }
    });

    let definition = definition.map(|d| {
        view! {
            <section class="card" aria-labelledby="def-h">
                <h2 id="def-h">"API definition"</h2>
                <pre class="code" tabindex="0" aria-label="API definition">{d}</pre>
            </section>
        }
    });

    // Components are what runs; their apps in every environment, under "About".
    let running = kind
        .eq_ignore_ascii_case("component")
        .then(|| view! { <running_in::RunningIn entity_ref=entity_ref.clone()/> });

    let spec = (!spec.is_empty()).then(|| {
        view! {
            <section class="card" aria-labelledby="spec-h">
                <h2 id="spec-h">"Spec"</h2>
                <KeyValues rows=spec/>
            </section>
        }
    });

    view! {
        <article class="entity">
            <header class="entity-header">
                <div class="entity-title-row">
                    <KindBadge kind=kind/>
                    <h1 class="entity-name">{name}</h1>
                    {title.map(|t| view! { <span class="entity-title">{t}</span> })}
                </div>
                <p class="entity-ref"><code class="ref">{entity_ref}</code></p>
                {facts}
                {links}
            </header>
            {warning}
            <div class="entity-grid">
                <div class="entity-main">
                    <section class="card" aria-labelledby="about-h">
                        <h2 id="about-h">"About"</h2>
                        {match description {
                            Some(d) => view! { <p class="description">{d}</p> }.into_any(),
                            None => view! { <p class="muted">"No description."</p> }.into_any(),
                        }}
                    </section>
                    {running}
                    {relations}
                    {definition}
                    {spec}
                </div>
                <aside class="entity-side" aria-label="Metadata">
                    <section class="card" aria-labelledby="meta-h">
                        <h2 id="meta-h">"Metadata"</h2>
                        <KeyValues rows=vec![
                            ("namespace".to_string(), namespace),
                            ("apiVersion".to_string(), api_version),
                        ]/>
                        <h3>"Labels"</h3>
                        <KeyValues rows=labels/>
                        <h3>"Annotations"</h3>
                        <KeyValues rows=annotations/>
                    </section>
                    <section class="card" aria-labelledby="src-h">
                        <h2 id="src-h">"Source"</h2>
                        <KeyValues rows=vec![("source".to_string(), source), ("file".to_string(), file)]/>
                    </section>
                </aside>
            </div>
        </article>
    }
    .into_any()
}

#[component]
fn Relation(group: RelationGroup) -> impl IntoView {
    let targets = group
        .targets
        .into_iter()
        .map(|t| view! { <li><EntityLink link=t/></li> })
        .collect_view();
    view! {
        <div class="relation" data-relation=group.relation_type>
            <h3>{group.title}</h3>
            <ul>{targets}</ul>
        </div>
    }
    .into_any()
}

/// A key/value table in monospace; "None" when empty.
#[component]
fn KeyValues(rows: Vec<(String, String)>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="muted">"None"</p> }.into_any();
    }
    let rows = rows
        .into_iter()
        .map(|(k, v)| view! { <tr><th scope="row">{k}</th><td>{v}</td></tr> })
        .collect_view();
    view! { <table class="kv"><tbody>{rows}</tbody></table> }.into_any()
}

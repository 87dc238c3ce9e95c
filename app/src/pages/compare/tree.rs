//! The two environments' apps as one tree (WAI-ARIA `tree`): a row per app with its class and
//! each side's version, sync and health; opened, a row per resource with its class; a chosen
//! resource shows its diff under it. Arrow keys, Home, End, Enter and Space as in the
//! environment tree.

use std::collections::HashSet;

use leptos::ev;
use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;

use super::nav::{key_action, visible_rows, KeyAction, RowId};
use super::resource::ResourceDiff;
use crate::components::env_status::{HealthBadge, SyncBadge};
use crate::dto::compare::{AppCompare, AppSide, CompareStatus, ResourceCompare};
use crate::dto::status::{Health, SyncStatus};
use crate::pages::drag::{DragState, Dragged, PromoteButton};
use crate::pages::env::query::env_href;
use crate::url::encode;

/// The class as a badge: a word and a colour (never the colour alone).
#[component]
pub fn ClassBadge(status: CompareStatus, from: String, to: String) -> impl IntoView {
    let word = match status {
        CompareStatus::Same => "same".to_string(),
        CompareStatus::Differs => "differs".to_string(),
        CompareStatus::OnlyFrom => format!("only in {from}"),
        CompareStatus::OnlyTo => format!("only in {to}"),
    };
    view! { <span class="compare-class" data-class=status.as_str()>{word}</span> }
}

#[component]
pub fn CompareTree(
    apps: Vec<AppCompare>,
    from: String,
    to: String,
    /// Open apps (the `app` of the URL starts open).
    open: RwSignal<HashSet<String>>,
) -> impl IntoView {
    let apps = StoredValue::new(apps);
    let selected = RwSignal::new(None::<RowId>);
    let focused = RwSignal::new(None::<RowId>);
    let rows = Memo::new(move |_| {
        apps.with_value(|apps| {
            let refs: Vec<&AppCompare> = apps.iter().collect();
            open.with(|open| visible_rows(&refs, open))
        })
    });
    let position = move |row: &RowId| rows.with(|rows| rows.iter().position(|r| r == row));
    let focus_row = move |row: RowId| {
        let Some(pos) = position(&row) else { return };
        let app_pos = position(&RowId::App(row.app().to_string())).unwrap_or(pos);
        focused.set(Some(row.clone()));
        let id = row.dom_id(app_pos);
        // After the render that shows the row.
        request_animation_frame(move || {
            if let Some(el) = document().get_element_by_id(&id) {
                use wasm_bindgen::JsCast;
                if let Ok(el) = el.dyn_into::<web_sys::HtmlElement>() {
                    _ = el.focus();
                }
            }
        });
    };
    let toggle = move |app: String| {
        open.update(|o| {
            if !o.remove(&app) {
                o.insert(app);
            }
        })
    };
    let on_keydown = move |e: ev::KeyboardEvent| {
        let Some(at) = focused.get_untracked() else {
            return;
        };
        let action = rows.with_untracked(|rows| {
            open.with_untracked(|open| key_action(rows, &at, open, &e.key()))
        });
        if action != KeyAction::None {
            e.prevent_default();
        }
        match action {
            KeyAction::Focus(row) => focus_row(row),
            KeyAction::Open(app) | KeyAction::Close(app) => toggle(app),
            KeyAction::Select(row) => selected.update(|s| {
                *s = if s.as_ref() == Some(&row) {
                    None
                } else {
                    Some(row)
                }
            }),
            KeyAction::None => {}
        }
    };

    let items = move || {
        apps.with_value(|apps| {
            apps.iter()
                .enumerate()
                .map(|(pos, app)| {
                    view! {
                        <AppItem
                            app=app.clone()
                            pos
                            from=from.clone()
                            to=to.clone()
                            open
                            selected
                            focused
                            first=pos == 0
                            toggle=Callback::new(toggle)
                        />
                    }
                })
                .collect_view()
        })
    };
    view! {
        <ul
            class="compare-tree"
            role="tree"
            aria-label="Apps of both environments"
            data-testid="compare-tree"
            on:keydown=on_keydown
        >
            {items}
        </ul>
    }
    .into_any()
}

#[component]
fn AppItem(
    app: AppCompare,
    pos: usize,
    from: String,
    to: String,
    open: RwSignal<HashSet<String>>,
    selected: RwSignal<Option<RowId>>,
    focused: RwSignal<Option<RowId>>,
    first: bool,
    toggle: Callback<String>,
) -> impl IntoView {
    let id = RowId::App(app.name.clone());
    let is_open = {
        let name = app.name.clone();
        Memo::new(move |_| open.with(|o| o.contains(&name)))
    };
    let tabindex = {
        let id = id.clone();
        move || {
            let me = focused.with(|f| f.as_ref() == Some(&id) || (f.is_none() && first));
            if me {
                0
            } else {
                -1
            }
        }
    };
    let name = app.name.clone();
    let on_focus = {
        let id = id.clone();
        move |_| focused.set(Some(id.clone()))
    };
    let resources = StoredValue::new(app.resources.clone());
    let children = {
        let (from, to, name) = (from.clone(), to.clone(), name.clone());
        move || {
            is_open.get().then(|| {
                let rows = resources.with_value(|rs| {
                    rs.iter()
                        .enumerate()
                        .map(|(i, r)| {
                            view! {
                                <ResourceItem
                                    resource=r.clone()
                                    row=RowId::Resource(name.clone(), i)
                                    dom_id=RowId::Resource(name.clone(), i).dom_id(pos)
                                    from=from.clone()
                                    to=to.clone()
                                    selected
                                    focused
                                />
                            }
                        })
                        .collect_view()
                });
                view! { <ul role="group" class="compare-resources">{rows}</ul> }
            })
        }
    };
    let tree_link = |env: &str| format!("{}?node=app:{}", env_href(env), encode(&app.name));
    let (from_link, to_link) = (tree_link(&from), tree_link(&to));
    let toggle_name = name.clone();
    // Dragged onto the other side's column (or an environment tab elsewhere): a promotion from
    // the side it runs in; both sides running it, "from" is where promotions come from.
    let drag = DragState::use_context();
    let source_env = match (&app.from, &app.to) {
        (Some(_), _) => Some(from.clone()),
        (None, Some(_)) => Some(to.clone()),
        _ => None,
    };
    let on_pointerdown = {
        let (name, source_env) = (name.clone(), source_env.clone());
        move |e: ev::PointerEvent| {
            if let (Some(drag), Some(env)) = (drag, source_env.clone()) {
                drag.start(
                    Dragged::App {
                        env,
                        app: name.clone(),
                    },
                    &e,
                );
            }
        }
    };
    // The keyboard path: promote from → to where both run it and it differs.
    let promote = (app.status == CompareStatus::Differs).then(|| {
        view! {
            <PromoteButton
                app=name.clone()
                from=from.clone()
                to=to.clone()
                class="compare-promote"
                testid="compare-promote"
            />
        }
    });
    view! {
        <li
            role="treeitem"
            id=id.dom_id(pos)
            class="compare-app"
            data-app=name.clone()
            data-class=app.status.as_str()
            aria-expanded=move || is_open.get().to_string()
            tabindex=tabindex
            on:focus=on_focus
        >
            <div
                class="compare-row"
                on:click=move |_| toggle.run(toggle_name.clone())
                on:pointerdown=on_pointerdown
            >
                <span class="compare-chevron" aria-hidden="true"></span>
                <span class="compare-name">{name.clone()}</span>
                <ClassBadge status=app.status from=from.clone() to=to.clone()/>
                <Side side=app.from.clone() href=from_link env=from.clone()/>
                <span class="compare-arrow" aria-hidden="true">"→"</span>
                <Side side=app.to.clone() href=to_link env=to.clone()/>
                {promote}
            </div>
            {children}
        </li>
    }
    // `aria-level` has no typed attribute in tachys.
    .add_any_attr(custom_attribute("aria-level", "1"))
    .into_any()
}

/// One environment's side of an app: version (or revision), sync and health, linked to the
/// app in that environment's tree.
#[component]
fn Side(side: Option<AppSide>, href: String, env: String) -> impl IntoView {
    match side {
        None => view! { <span class="compare-side compare-side-none muted">"—"</span> }.into_any(),
        Some(side) => {
            let version = side
                .version
                .clone()
                .unwrap_or_else(|| side.revision.clone());
            let sync = SyncStatus::parse(&side.sync).unwrap_or_default();
            let health = Health::parse(&side.health).unwrap_or_default();
            view! {
                <span class="compare-side">
                    <a
                        href=href
                        class="compare-version mono"
                        title=format!("Open in {env}'s tree")
                        on:click=|e| e.stop_propagation()
                    >
                        {version}
                    </a>
                    <SyncBadge sync/>
                    <HealthBadge health/>
                </span>
            }
            .into_any()
        }
    }
}

#[component]
fn ResourceItem(
    resource: ResourceCompare,
    row: RowId,
    dom_id: String,
    from: String,
    to: String,
    selected: RwSignal<Option<RowId>>,
    focused: RwSignal<Option<RowId>>,
) -> impl IntoView {
    let key = crate::dto::node::resource_key(
        &resource.api_version,
        &resource.kind,
        &resource.namespace,
        &resource.name,
    );
    let is_selected = {
        let row = row.clone();
        Memo::new(move |_| selected.with(|s| s.as_ref() == Some(&row)))
    };
    let tabindex = {
        let row = row.clone();
        move || {
            if focused.with(|f| f.as_ref() == Some(&row)) {
                0
            } else {
                -1
            }
        }
    };
    let on_focus = {
        let row = row.clone();
        move |_| focused.set(Some(row.clone()))
    };
    let on_click = {
        let row = row.clone();
        move |e: ev::MouseEvent| {
            e.stop_propagation();
            selected.update(|s| {
                *s = if s.as_ref() == Some(&row) {
                    None
                } else {
                    Some(row.clone())
                }
            });
        }
    };
    let label = if resource.namespace.is_empty() {
        resource.name.clone()
    } else {
        format!("{}/{}", resource.namespace, resource.name)
    };
    let app = row.app().to_string();
    let badge = view! { <ClassBadge status=resource.status from=from.clone() to=to.clone()/> };
    let diff = move || {
        is_selected.get().then(|| {
            view! {
                <ResourceDiff from=from.clone() to=to.clone() app=app.clone() key=key.clone()/>
            }
        })
    };
    view! {
        <li
            role="treeitem"
            id=dom_id
            class="compare-resource"
            data-class=resource.status.as_str()
            data-kind=resource.kind.clone()
            aria-selected=move || is_selected.get().to_string()
            tabindex=tabindex
            on:focus=on_focus
        >
            <div class="compare-row" on:click=on_click>
                <span class="compare-kind">{resource.kind.clone()}</span>
                <span class="compare-name mono">{label}</span>
                {badge}
            </div>
            {diff}
        </li>
    }
    // `aria-level` has no typed attribute in tachys.
    .add_any_attr(custom_attribute("aria-level", "2"))
    .into_any()
}

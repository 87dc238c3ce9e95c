//! Drag and drop between environments, with the browser's pointer events (mouse, pen and touch
//! alike): drop an environment on another to compare the two, drop an app on another
//! environment to ask for its promotion there. A press becomes a drag once the pointer has
//! moved a few pixels (a click stays a click); while it lasts every element that accepts the
//! drop (`data-drop-env`) is marked, a preview under the pointer says what a release would do,
//! a live region says it for screen readers, and Escape cancels. Every drag also has a
//! keyboard path on the page ("Compare with…", "Promote to…").
//!
//! What a drop means is [`Dragged::onto`], plain data tested without a browser.

use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use crate::pages::compare::query::compare_href;
use crate::pages::deploy::dialog::DeployDialog;
use crate::pages::deploy::form::{DeployTarget, Preset};

/// Pixels the pointer moves before a press becomes a drag.
const THRESHOLD: f64 = 6.0;

/// The attribute naming the environment an element stands for as a drop target.
pub const DROP_ATTR: &str = "data-drop-env";

/// What is being dragged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dragged {
    Env(String),
    /// An app as it runs in `env`.
    App {
        env: String,
        app: String,
    },
}

/// What releasing over an environment does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropAction {
    Compare {
        from: String,
        to: String,
    },
    Promote {
        app: String,
        from: String,
        to: String,
    },
}

impl Dragged {
    /// The environment the drag started from.
    pub fn env(&self) -> &str {
        match self {
            Dragged::Env(env) | Dragged::App { env, .. } => env,
        }
    }

    /// How the preview and the announcement name it.
    pub fn label(&self) -> String {
        match self {
            Dragged::Env(env) => env.clone(),
            Dragged::App { env, app } => format!("{app} ({env})"),
        }
    }

    /// Dropping on `target`: nothing on the environment it came from.
    pub fn onto(&self, target: &str) -> Option<DropAction> {
        if target.is_empty() || target == self.env() {
            return None;
        }
        Some(match self {
            Dragged::Env(from) => DropAction::Compare {
                from: from.clone(),
                to: target.to_string(),
            },
            Dragged::App { env, app } => DropAction::Promote {
                app: app.clone(),
                from: env.clone(),
                to: target.to_string(),
            },
        })
    }

    /// What the preview says while nothing accepts the drop.
    fn hint(&self) -> String {
        match self {
            Dragged::Env(env) => format!("Compare {env} with…"),
            Dragged::App { env, app } => format!("Promote {app} from {env} to…"),
        }
    }
}

impl DropAction {
    pub fn describe(&self) -> String {
        match self {
            DropAction::Compare { from, to } => format!("Compare {from} with {to}"),
            DropAction::Promote { app, from, to } => format!("Promote {app} from {from} to {to}"),
        }
    }
}

/// The deploy dialog's target for promoting `app` from `from` to `to`.
pub fn promotion(app: &str, from: &str, to: &str) -> DeployTarget {
    DeployTarget {
        env: to.to_string(),
        app: app.to_string(),
        preset: Some(Preset {
            promote_from: Some(from.to_string()),
            ..Preset::default()
        }),
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Press {
    dragged: Dragged,
    pointer: i32,
    x0: f64,
    y0: f64,
    dragging: bool,
}

/// The drag in progress on a page, and the promotion dialog a drop opens.
#[derive(Clone, Copy)]
pub struct DragState {
    press: RwSignal<Option<Press>>,
    at: RwSignal<(f64, f64)>,
    /// The drop target under the pointer, when a release there does something.
    over: RwSignal<Option<String>>,
    /// The promotion a drop (or a "Promote to…" menu) asks for.
    pub promote: RwSignal<Option<DeployTarget>>,
}

impl DragState {
    /// Creates the drag state for the page, with the listeners that follow the pointer. The
    /// page renders [`DragLayer`] once.
    pub fn provide() -> DragState {
        let drag = DragState {
            press: RwSignal::new(None),
            at: RwSignal::new((0.0, 0.0)),
            over: RwSignal::new(None),
            promote: RwSignal::new(None),
        };
        provide_context(drag);
        drag.listen();
        drag
    }

    pub fn use_context() -> Option<DragState> {
        use_context::<DragState>()
    }

    /// What is dragged, once the press became a drag.
    pub fn dragging(&self) -> Option<Dragged> {
        self.press
            .with(|p| p.as_ref().filter(|p| p.dragging).map(|p| p.dragged.clone()))
    }

    /// `env` is the source of the drag in progress.
    pub fn is_source(&self, dragged: &Dragged) -> bool {
        self.press.with(|p| {
            p.as_ref()
                .is_some_and(|p| p.dragging && p.dragged == *dragged)
        })
    }

    /// A release over `env` would do something.
    pub fn accepts(&self, env: &str) -> bool {
        self.press.with(|p| {
            p.as_ref()
                .is_some_and(|p| p.dragging && p.dragged.onto(env).is_some())
        })
    }

    pub fn is_over(&self, env: &str) -> bool {
        self.over.with(|o| o.as_deref() == Some(env))
    }

    /// A source's `pointerdown` (primary button only).
    pub fn start(&self, dragged: Dragged, e: &ev::PointerEvent) {
        if e.button() != 0 {
            return;
        }
        self.press.set(Some(Press {
            dragged,
            pointer: e.pointer_id(),
            x0: e.client_x() as f64,
            y0: e.client_y() as f64,
            dragging: false,
        }));
    }

    fn cancel(&self) {
        self.press.set(None);
        self.over.set(None);
    }

    fn action(&self) -> Option<DropAction> {
        let over = self.over.get()?;
        self.dragging()?.onto(&over)
    }

    fn listen(self) {
        let moved = window_event_listener(ev::pointermove, move |e: ev::PointerEvent| {
            let Some(press) = self.press.get_untracked() else {
                return;
            };
            if press.pointer != e.pointer_id() {
                return;
            }
            let (x, y) = (e.client_x() as f64, e.client_y() as f64);
            if !press.dragging {
                if (x - press.x0).hypot(y - press.y0) < THRESHOLD {
                    return;
                }
                self.press.update(|p| {
                    if let Some(p) = p {
                        p.dragging = true;
                    }
                });
                // The text under the pointer is not being selected.
                if let Some(selection) = window().get_selection().ok().flatten() {
                    _ = selection.remove_all_ranges();
                }
            }
            e.prevent_default();
            self.at.set((x, y));
            let over = target_at(x, y).filter(|env| press.dragged.onto(env).is_some());
            if self.over.get_untracked() != over {
                self.over.set(over);
            }
        });
        let navigate = use_navigate();
        let released = window_event_listener(ev::pointerup, move |e: ev::PointerEvent| {
            let Some(press) = self.press.get_untracked() else {
                return;
            };
            if press.pointer != e.pointer_id() {
                return;
            }
            let target = self.over.get_untracked();
            self.cancel();
            if !press.dragging {
                return;
            }
            match target.and_then(|t| press.dragged.onto(&t)) {
                Some(DropAction::Compare { from, to }) => {
                    navigate(&compare_href(&from, &to), NavigateOptions::default())
                }
                Some(DropAction::Promote { app, from, to }) => {
                    self.promote.set(Some(promotion(&app, &from, &to)))
                }
                None => {}
            }
        });
        let cancelled = window_event_listener(ev::pointercancel, move |_| self.cancel());
        let escaped = window_event_listener(ev::keydown, move |e: ev::KeyboardEvent| {
            if e.key() == "Escape" && self.press.with_untracked(Option::is_some) {
                e.prevent_default();
                self.cancel();
            }
        });
        on_cleanup(move || {
            moved.remove();
            released.remove();
            cancelled.remove();
            escaped.remove();
        });
    }
}

/// The drop target at a point of the window.
fn target_at(x: f64, y: f64) -> Option<String> {
    let element = document().element_from_point(x as f32, y as f32)?;
    let target = element.closest(&format!("[{DROP_ATTR}]")).ok()??;
    target.get_attribute(DROP_ATTR)
}

/// The keyboard path of dropping an app on another environment: a small "Promote" button that
/// opens the promotion dialog of the page's [`DragState`].
#[component]
pub fn PromoteButton(
    app: String,
    from: String,
    to: String,
    class: &'static str,
    testid: &'static str,
) -> impl IntoView {
    let drag = DragState::use_context();
    let label = format!("Promote {app} from {from} to {to}");
    view! {
        <button
            type="button"
            class=format!("button button-small {class}")
            aria-label=label.clone()
            title=label
            data-testid=testid
            // Not the start of a drag of the row or cell it sits in.
            on:pointerdown=|e: ev::PointerEvent| e.stop_propagation()
            on:click=move |e: ev::MouseEvent| {
                // Nor a click on that row.
                e.stop_propagation();
                if let Some(drag) = drag {
                    drag.promote.set(Some(promotion(&app, &from, &to)));
                }
            }
        >
            "Promote"
        </button>
    }
}

/// The preview under the pointer, the announcement, and the promotion dialog a drop opens.
#[component]
pub fn DragLayer(drag: DragState) -> impl IntoView {
    let message = move || match (drag.dragging(), drag.action()) {
        (Some(_), Some(action)) => format!("Release to {}.", lowercase_first(&action.describe())),
        (Some(dragged), None) => format!(
            "Dragging {}: drop it on another environment. Escape cancels.",
            dragged.label()
        ),
        _ => String::new(),
    };
    view! {
        <p class="sr-only" aria-live="assertive" data-testid="drag-announcement">{message}</p>
        {move || {
            drag.dragging().map(|dragged| {
                let (x, y) = drag.at.get();
                let text = drag.action().map(|a| a.describe()).unwrap_or_else(|| dragged.hint());
                view! {
                    <div
                        class="drag-preview"
                        aria-hidden="true"
                        data-testid="drag-preview"
                        style:left=format!("{}px", x + 12.0)
                        style:top=format!("{}px", y + 12.0)
                    >
                        {text}
                    </div>
                }
            })
        }}
        <DeployDialog target=drag.promote/>
    }
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(env: &str, app: &str) -> Dragged {
        Dragged::App {
            env: env.into(),
            app: app.into(),
        }
    }

    #[test]
    fn an_environment_dropped_on_another_compares_them() {
        let d = Dragged::Env("staging".into());
        assert_eq!(
            d.onto("prod"),
            Some(DropAction::Compare {
                from: "staging".into(),
                to: "prod".into()
            })
        );
        assert_eq!(d.onto("staging"), None);
        assert_eq!(d.onto(""), None);
    }

    #[test]
    fn an_app_dropped_on_another_environment_asks_for_its_promotion() {
        let d = app("staging", "checkout");
        let action = d.onto("prod").unwrap();
        assert_eq!(
            action.describe(),
            "Promote checkout from staging to prod".to_string()
        );
        assert_eq!(d.onto("staging"), None);
        let target = promotion("checkout", "staging", "prod");
        assert_eq!(target.env, "prod");
        assert_eq!(
            target.preset.and_then(|p| p.promote_from).as_deref(),
            Some("staging")
        );
    }

    #[test]
    fn previews_name_what_is_dragged() {
        assert_eq!(app("dev", "cart").label(), "cart (dev)");
        assert_eq!(app("dev", "cart").hint(), "Promote cart from dev to…");
        assert_eq!(Dragged::Env("dev".into()).hint(), "Compare dev with…");
        assert_eq!(lowercase_first("Compare a with b"), "compare a with b");
    }
}

//! Dragging one environment card onto another opens their compare view: pointer events, so
//! mouse, pen and touch alike. A drag starts once the pointer has moved a few pixels (a click
//! stays a click); while it lasts every other card is marked as a drop target, a preview under
//! the pointer names what is dragged, a live region says it for screen readers, and Escape
//! cancels. The keyboard path is each card's "Compare with…" menu.

use leptos::ev;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::query::compare_href;

/// Pixels the pointer moves before a press becomes a drag.
const THRESHOLD: f64 = 6.0;

#[derive(Clone, Debug, PartialEq)]
struct Press {
    env: String,
    pointer: i32,
    x0: f64,
    y0: f64,
    dragging: bool,
}

/// The drag in progress on the environments page.
#[derive(Clone, Copy)]
pub struct EnvDrag {
    press: RwSignal<Option<Press>>,
    at: RwSignal<(f64, f64)>,
    /// The card under the pointer, when it is another environment.
    over: RwSignal<Option<String>>,
}

impl EnvDrag {
    /// Creates the drag state for the page, with the listeners that follow the pointer.
    pub fn provide() -> EnvDrag {
        let drag = EnvDrag {
            press: RwSignal::new(None),
            at: RwSignal::new((0.0, 0.0)),
            over: RwSignal::new(None),
        };
        provide_context(drag);
        drag.listen();
        drag
    }

    pub fn use_context() -> Option<EnvDrag> {
        use_context::<EnvDrag>()
    }

    /// The environment being dragged, once the press became a drag.
    pub fn dragging(&self) -> Option<String> {
        self.press
            .with(|p| p.as_ref().filter(|p| p.dragging).map(|p| p.env.clone()))
    }

    pub fn is_over(&self, env: &str) -> bool {
        self.over.with(|o| o.as_deref() == Some(env))
    }

    /// A card's `pointerdown`.
    pub fn start(&self, env: String, e: &ev::PointerEvent) {
        if e.button() != 0 {
            return;
        }
        // No text selection, no native link drag; a click still happens.
        e.prevent_default();
        self.press.set(Some(Press {
            env,
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
            }
            self.at.set((x, y));
            let over = env_at(x, y).filter(|env| *env != press.env);
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
            if let (true, Some(to)) = (press.dragging, target) {
                navigate(&compare_href(&press.env, &to), NavigateOptions::default());
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

/// The environment of the card at a point of the window.
fn env_at(x: f64, y: f64) -> Option<String> {
    let element = document().element_from_point(x as f32, y as f32)?;
    let card = element.closest("[data-env][data-testid=env-card]").ok()??;
    card.get_attribute("data-env")
}

/// The preview under the pointer and the announcement, while a drag lasts.
#[component]
pub fn DragLayer(drag: EnvDrag) -> impl IntoView {
    let message = move || match (drag.dragging(), drag.over.get()) {
        (Some(from), Some(to)) => format!("Release to compare {from} with {to}."),
        (Some(from), None) => {
            format!(
                "Dragging {from}: drop it on another environment to compare them. Escape cancels."
            )
        }
        _ => String::new(),
    };
    view! {
        <p class="sr-only" aria-live="assertive" data-testid="drag-announcement">{message}</p>
        {move || {
            drag.dragging().map(|from| {
                let (x, y) = drag.at.get();
                let text = match drag.over.get() {
                    Some(to) => format!("Compare {from} with {to}"),
                    None => format!("Compare {from} with…"),
                };
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
    }
}

//! `Modal`: a real modal dialog on the native `<dialog>` element, opened with `showModal()` so
//! the page behind it is inert and the dialog sits in the top layer (no z-index or clipping by
//! a side panel). Labelled by its heading; focus moves in when it opens (the first field, or
//! the element marked `autofocus`), Tab and Shift+Tab wrap inside it, Escape closes it, and
//! focus goes back to the element that opened it (or, when a live update replaced that
//! element or hid it, to `return_to`, an element id).

use leptos::ev;
use leptos::html;
use leptos::prelude::*;

use super::icons::CloseIcon;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `querySelectorAll`'s answer (web-sys' `NodeList` needs a feature this crate does not build).
    /// An element, seen through `querySelectorAll` only.
    type Searchable;
    #[wasm_bindgen(method, js_name = querySelectorAll)]
    fn query_all(this: &Searchable, selectors: &str) -> FoundList;
    type FoundList;
    #[wasm_bindgen(method, getter)]
    fn length(this: &FoundList) -> u32;
    #[wasm_bindgen(method)]
    fn item(this: &FoundList, index: u32) -> Option<web_sys::Element>;
}

/// What can take focus inside the dialog, in document order.
const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), \
    select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

fn focusables(root: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let list = root.unchecked_ref::<Searchable>().query_all(FOCUSABLE);
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        // Hidden ones (`display: none`) have no offset parent.
        .filter(|el| el.offset_parent().is_some())
        .collect()
}

fn active_element() -> Option<web_sys::HtmlElement> {
    document()
        .active_element()
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
}

/// Moves focus to the first field that asks for it (`autofocus`), else the first focusable.
pub fn focus_first(root: &web_sys::Element) {
    let wanted = root
        .query_selector("[autofocus]")
        .ok()
        .flatten()
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = wanted.or_else(|| focusables(root).into_iter().next()) {
        _ = el.focus();
    }
}

/// A dialog's heading (its name, `title_id`) and its close button.
#[component]
pub fn ModalHead(
    title_id: &'static str,
    #[prop(into)] title: String,
    close: Callback<()>,
) -> impl IntoView {
    view! {
        <header class="modal-head">
            <h2 id=title_id>{title}</h2>
            <button
                type="button"
                class="icon-button"
                aria-label="Close"
                title="Close (Esc)"
                on:click=move |_| close.run(())
            >
                <CloseIcon/>
            </button>
        </header>
    }
}

/// A modal dialog while `open` is true. `title_id` is the id of the heading inside
/// `children` that names it.
#[component]
pub fn Modal(
    open: Signal<bool>,
    /// Called when the dialog asks to close (Escape, the backdrop).
    on_close: Callback<()>,
    title_id: &'static str,
    #[prop(optional)] class: &'static str,
    /// Where focus returns when the opener is gone (an element id).
    #[prop(optional)]
    return_to: Option<&'static str>,
    children: ChildrenFn,
) -> impl IntoView {
    let dialog = NodeRef::<html::Dialog>::new();

    // Opening: remember who had focus (kept in the effect's own state: elements live in the
    // browser only). Closing: focus goes back there.
    Effect::new(
        move |before: Option<(bool, Option<web_sys::HtmlElement>)>| {
            let is_open = open.get();
            let (was_open, opener) = before.unwrap_or((false, None));
            if is_open && !was_open {
                return (true, active_element());
            }
            if !is_open && was_open {
                let back = opener
                    .filter(|el| el.is_connected() && el.offset_parent().is_some())
                    .or_else(|| {
                        return_to
                            .and_then(|id| document().get_element_by_id(id))
                            .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
                    });
                if let Some(el) = back {
                    _ = el.focus();
                }
                return (false, None);
            }
            (is_open, opener)
        },
    );
    Effect::new(move |_| {
        if let Some(el) = dialog.get() {
            if !el.open() {
                _ = el.show_modal();
            }
            focus_first(&el);
        }
    });
    // Escape while focus is nowhere inside (a focused button was removed): the keydown never
    // reaches the dialog, and the browser's own close would leave `open` set.
    Effect::new(move |_| {
        if !open.get() {
            return;
        }
        let handle = window_event_listener(ev::keydown, move |e: ev::KeyboardEvent| {
            if e.key() == "Escape" && !e.default_prevented() {
                e.prevent_default();
                on_close.run(());
            }
        });
        on_cleanup(move || handle.remove());
    });

    let on_keydown = move |e: ev::KeyboardEvent| {
        let Some(root) = dialog.get_untracked() else {
            return;
        };
        match e.key().as_str() {
            "Escape" => {
                // Also keeps the native close (its `cancel`) and the side panel's Escape away.
                e.prevent_default();
                e.stop_propagation();
                on_close.run(());
            }
            "Tab" => {
                let items = focusables(&root);
                let (Some(first), Some(last)) = (items.first(), items.last()) else {
                    e.prevent_default();
                    return;
                };
                let active = active_element();
                let at = |el: &web_sys::HtmlElement| active.as_ref() == Some(el);
                let inside = active
                    .as_ref()
                    .is_some_and(|a| root.contains(Some(a.unchecked_ref())));
                if e.shift_key() && (at(first) || !inside) {
                    e.prevent_default();
                    _ = last.focus();
                } else if !e.shift_key() && (at(last) || !inside) {
                    e.prevent_default();
                    _ = first.focus();
                }
            }
            _ => {}
        }
    };
    // A click on the backdrop (the dialog element itself, outside its content box) closes it.
    let on_click = move |e: ev::MouseEvent| {
        let on_backdrop = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|t| t.tag_name() == "DIALOG");
        if on_backdrop {
            on_close.run(());
        }
    };

    view! {
        <Show when=move || open.get()>
            <dialog
                class=format!("modal {class}")
                node_ref=dialog
                role="dialog"
                aria-modal="true"
                aria-labelledby=title_id
                on:keydown=on_keydown
                on:click=on_click
            >
                <div class="modal-body">{children()}</div>
            </dialog>
        </Show>
    }
}

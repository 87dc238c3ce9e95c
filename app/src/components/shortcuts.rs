//! The keyboard shortcuts panel, opened with `?` anywhere outside a text field (and from the
//! top bar's "Keyboard shortcuts" button): every key the pages answer, in one place.

use leptos::prelude::*;

use super::modal::{Modal, ModalHead};

const TITLE_ID: &str = "shortcuts-title";

/// `(keys, what they do)` per area, in the order the panel shows them.
pub const SHORTCUTS: &[(&str, &[(&str, &str)])] = &[
    (
        "Everywhere",
        &[
            ("/", "Focus search"),
            ("?", "Show these shortcuts"),
            ("Esc", "Close a dialog, leave search, cancel a drag"),
        ],
    ),
    (
        "Search results",
        &[
            ("↓ ↑", "Move through results"),
            ("Enter", "Open the result"),
            ("Esc", "Clear the search"),
        ],
    ),
    (
        "Trees (environment, compare)",
        &[
            ("↓ ↑", "Move between rows"),
            (
                "→ ←",
                "Open or close a row; go to its first child or its parent",
            ),
            ("Home End", "First or last row"),
            ("Enter Space", "Select the row (its details or diff)"),
            ("*", "Open every sibling (environment tree)"),
        ],
    ),
    (
        "Instead of dragging",
        &[
            (
                "Compare with…",
                "On an environment card: compare it with another",
            ),
            (
                "Promote to…",
                "In an app's panel: ask for its promotion elsewhere",
            ),
            ("Promote", "In the compare view and the version matrix"),
        ],
    ),
];

/// The panel, open while `open` is true.
#[component]
pub fn ShortcutsPanel(open: RwSignal<bool>) -> impl IntoView {
    let close = Callback::new(move |()| open.set(false));
    let sections = move || {
        SHORTCUTS
            .iter()
            .map(|(area, keys)| {
                let rows = keys
                    .iter()
                    .map(|(key, what)| {
                        let keys = key
                            .split(' ')
                            .filter(|k| !k.is_empty() && !k.ends_with('…'))
                            .map(|k| view! { <kbd>{k.to_string()}</kbd> })
                            .collect_view();
                        let phrase = key.ends_with('…') || *key == "Promote";
                        view! {
                            <div class="shortcut">
                                <dt>{if phrase { view! { <strong>{key.to_string()}</strong> }.into_any() } else { keys.into_any() }}</dt>
                                <dd>{what.to_string()}</dd>
                            </div>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="shortcuts-area">
                        <h3>{area.to_string()}</h3>
                        <dl>{rows}</dl>
                    </section>
                }
            })
            .collect_view()
    };
    view! {
        <Modal open=Signal::derive(move || open.get()) on_close=close title_id=TITLE_ID class="shortcuts-dialog">
            <ModalHead title_id=TITLE_ID title="Keyboard shortcuts" close/>
            <div class="modal-content shortcuts" data-testid="shortcuts">{sections}</div>
        </Modal>
    }
}

//! A line diff as the panels show it: `+` lines, `−` lines and context, with a legend that
//! says what each side is.

use leptos::prelude::*;

use crate::dto::env::DiffLineView;

#[component]
pub fn Diff(
    lines: Vec<DiffLineView>,
    /// The legend of `+` lines, e.g. "+ desired (Git)"; `removed` of `−` lines.
    #[prop(into)]
    added: String,
    #[prop(into)] removed: String,
    /// What to say when nothing differs.
    #[prop(into)]
    none: String,
) -> impl IntoView {
    if lines.iter().all(|l| l.tag == ' ') {
        return view! {
            <p class="muted panel-absent" data-testid="no-diff">{none}</p>
        }
        .into_any();
    }
    let rows = lines
        .into_iter()
        .map(|l| {
            let (key, sign) = match l.tag {
                '+' => ("add", "+"),
                '-' => ("del", "−"),
                _ => ("same", " "),
            };
            view! {
                <span class="diff-line" data-tag=key>
                    <span class="diff-sign">{sign}</span>
                    {l.text}
                    "\n"
                </span>
            }
        })
        .collect_view();
    view! {
        <p class="diff-legend">
            <span class="diff-key" data-tag="add">{added}</span>
            <span class="diff-key" data-tag="del">{removed}</span>
        </p>
        <pre class="code diff" tabindex="0" data-testid="diff">{rows}</pre>
    }
    .into_any()
}

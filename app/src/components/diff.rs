//! Line diffs as the panels show them: `+` lines, `−` lines and context, with a legend that
//! says what each side is; [`UnifiedDiff`] for a unified diff of files (a commit, a planned
//! change).

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

/// A unified diff's lines as the environment page's diff panel tags them (`add`, `del`,
/// `same`), plus `hunk` (`@@`) and `meta` (file headers); the sign is taken off.
pub fn diff_lines(diff: &str) -> Vec<(&'static str, &'static str, String)> {
    diff.lines()
        .map(|line| {
            let meta = [
                "diff --git",
                "index ",
                "--- ",
                "+++ ",
                "new file",
                "deleted file",
                "\\",
            ]
            .iter()
            .any(|p| line.starts_with(p));
            if meta {
                ("meta", " ", line.to_string())
            } else if line.starts_with("@@") {
                ("hunk", " ", line.to_string())
            } else if let Some(rest) = line.strip_prefix('+') {
                ("add", "+", rest.to_string())
            } else if let Some(rest) = line.strip_prefix('-') {
                ("del", "−", rest.to_string())
            } else {
                (
                    "same",
                    " ",
                    line.strip_prefix(' ').unwrap_or(line).to_string(),
                )
            }
        })
        .collect()
}

/// A unified diff of files, "+ after" and "− before".
#[component]
pub fn UnifiedDiff(
    diff: String,
    /// What the block is, for screen readers.
    #[prop(into)]
    label: String,
    #[prop(into)] testid: String,
) -> impl IntoView {
    let lines = diff_lines(&diff)
        .into_iter()
        .map(|(tag, sign, text)| {
            view! {
                <span class="diff-line" data-tag=tag>
                    <span class="diff-sign">{sign}</span>
                    {text}
                    "\n"
                </span>
            }
        })
        .collect_view();
    view! {
        <p class="diff-legend">
            <span class="diff-key" data-tag="add">"+ after"</span>
            <span class="diff-key" data-tag="del">"− before"</span>
        </p>
        <pre class="code diff" tabindex="0" aria-label=label data-testid=testid>{lines}</pre>
    }
}

#[cfg(test)]
mod tests {
    use super::diff_lines;

    #[test]
    fn unified_diffs_are_tagged_like_the_diff_panel() {
        let diff = "diff --git a/apps/c.yaml b/apps/c.yaml\n--- a/apps/c.yaml\n+++ b/apps/c.yaml\n@@ -1,3 +1,3 @@\n kind: Deployment\n-  image: shop/c:1.0\n+  image: shop/c:2.0\n";
        let tags: Vec<_> = diff_lines(diff).into_iter().map(|(t, _, _)| t).collect();
        assert_eq!(tags, ["meta", "meta", "meta", "hunk", "same", "del", "add"]);
        let lines = diff_lines(diff);
        assert_eq!(lines[4].2, "kind: Deployment");
        assert_eq!(lines[6], ("add", "+", "  image: shop/c:2.0".to_string()));
    }
}

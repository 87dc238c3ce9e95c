//! The unified diff of one environment-repository file, as the deploy dialog ("What changes in
//! Git") and a request's commit show it. A file holding a Kubernetes `Secret` is shown
//! normalised, with every `data`/`stringData` value masked by one masker for both sides
//! ([`SecretMasker`]): the diff says *that* a value changed, never what it is. A file that
//! names a Secret but cannot be read as YAML is not shown at all.

use serde_json::Value;

use crate::resource::secrets::SecretMasker;

/// Said instead of a file that mentions a Secret but does not parse.
const UNREADABLE: &str =
    "# a file naming a Kubernetes Secret that could not be read as YAML: not shown\n";

/// `old` → `new` of `path` as a unified diff (three lines of context), Secrets masked.
pub fn file_diff(path: &str, old: &str, new: &str) -> String {
    let (old, new) = masked(old, new);
    similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Both sides as shown: unchanged when neither holds a Secret.
fn masked(old: &str, new: &str) -> (String, String) {
    let names_secret = |text: &str| text.contains("Secret");
    if !names_secret(old) && !names_secret(new) {
        return (old.to_string(), new.to_string());
    }
    let (Some(old_docs), Some(new_docs)) = (documents(old), documents(new)) else {
        let shown = |text: &str| {
            if names_secret(text) {
                UNREADABLE.to_string()
            } else {
                text.to_string()
            }
        };
        return (shown(old), shown(new));
    };
    let is_secret = |d: &Value| d.get("kind").and_then(Value::as_str) == Some("Secret");
    if !old_docs.iter().chain(&new_docs).any(is_secret) {
        return (old.to_string(), new.to_string());
    }
    let mut masker = SecretMasker::default();
    let mut render = |docs: Vec<Value>| {
        docs.into_iter()
            .map(|mut doc| {
                masker.mask(&mut doc);
                serde_saphyr::to_string(&doc).unwrap_or_else(|_| UNREADABLE.to_string())
            })
            .collect::<Vec<_>>()
            .join("---\n")
    };
    (render(old_docs), render(new_docs))
}

/// The documents of a YAML (or JSON) text, read under the repository limits; `None` if it does
/// not parse. An empty text has none.
fn documents(text: &str) -> Option<Vec<Value>> {
    crate::catalog::reader::parse_documents(text)
        .ok()
        .map(|docs| docs.into_iter().map(|(_, doc)| doc).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEFORE: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\nspec:\n  template:\n    spec:\n      containers:\n        - name: main\n          image: shop/cart:1.4.0\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: cart-db\nstringData:\n  password: hunter2-very-secret\n  user: cart\n";

    #[test]
    fn secret_values_never_reach_the_diff() {
        let after = BEFORE
            .replace("1.4.0", "1.5.0")
            .replace("hunter2-very-secret", "correct-horse-battery");
        let diff = file_diff("apps/cart/all.yaml", BEFORE, &after);
        assert!(
            !diff.contains("hunter2") && !diff.contains("correct-horse"),
            "{diff}"
        );
        assert!(diff.contains("shop/cart:1.5.0"), "{diff}");
        // The password changed and shows as a changed mask; the unchanged user did not.
        let changed: Vec<&str> = diff
            .lines()
            .filter(|l| (l.starts_with('+') || l.starts_with('-')) && l.contains("password"))
            .collect();
        assert_eq!(changed.len(), 2, "{diff}");
        assert!(changed.iter().all(|l| l.contains("++++++++")), "{diff}");
    }

    #[test]
    fn files_without_secrets_are_shown_as_they_are() {
        let before = "# keep my comment\nimage: shop/cart:1.4.0\n";
        let after = "# keep my comment\nimage: shop/cart:1.5.0\n";
        let diff = file_diff("values.yaml", before, after);
        assert!(diff.contains("-image: shop/cart:1.4.0"), "{diff}");
        assert!(diff.contains("+image: shop/cart:1.5.0"), "{diff}");
        // Mentions the word but holds no Secret object: as it is, comments and all.
        let before = "# the Secret is elsewhere\nimage: a:1\n";
        let diff = file_diff("values.yaml", before, &before.replace("a:1", "a:2"));
        assert!(diff.contains("# the Secret is elsewhere"), "{diff}");
    }

    #[test]
    fn an_unreadable_file_naming_a_secret_is_not_shown() {
        let broken = "kind: Secret\nstringData:\n  password: hunter2\n  : : [\n";
        let diff = file_diff("x.yaml", broken, "");
        assert!(!diff.contains("hunter2"), "{diff}");
        assert!(diff.contains("could not be read"), "{diff}");
    }
}

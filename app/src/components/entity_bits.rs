//! Small pieces shared by catalog views: kind badges, highlighted text and entity links.

use leptos::prelude::*;

use crate::dto::{RefLink, Span};

/// A coloured badge naming an entity kind (colour per kind via `data-kind`, the word always shown).
#[component]
pub fn KindBadge(#[prop(into)] kind: String) -> impl IntoView {
    let key = kind.to_ascii_lowercase();
    view! { <span class="kind-badge" data-kind=key>{kind}</span> }
}

/// Text with the parts that matched the query in `<mark>`.
#[component]
pub fn Highlighted(spans: Vec<Span>) -> impl IntoView {
    spans
        .into_iter()
        .map(|s| {
            if s.hit {
                view! { <mark>{s.text}</mark> }.into_any()
            } else {
                s.text.into_any()
            }
        })
        .collect_view()
}

/// The page of an entity: `/catalog/{kind}/{namespace}/{name}`, lower-case.
pub fn entity_href(kind: &str, namespace: &str, name: &str) -> String {
    format!(
        "/catalog/{}/{}/{}",
        kind.to_ascii_lowercase(),
        namespace.to_ascii_lowercase(),
        name.to_ascii_lowercase()
    )
}

/// The page of `kind:namespace/name` (namespace defaults to `default`).
pub fn ref_href(entity_ref: &str) -> String {
    let (kind, rest) = entity_ref
        .split_once(':')
        .unwrap_or(("component", entity_ref));
    let (namespace, name) = rest.split_once('/').unwrap_or(("default", rest));
    entity_href(kind, namespace, name)
}

/// A link to another entity, or greyed text when the target is not in the catalog.
#[component]
pub fn EntityLink(link: RefLink) -> impl IntoView {
    if link.exists {
        view! {
            <a class="ref" href=ref_href(&link.entity_ref) title=link.entity_ref.clone()>
                {link.label}
            </a>
        }
        .into_any()
    } else {
        view! {
            <span class="ref ref-missing" title=format!("{} is not in the catalog", link.entity_ref)>
                {link.label}
                <span class="sr-only">" (not in the catalog)"</span>
            </span>
        }
        .into_any()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_become_lower_case_paths() {
        assert_eq!(
            ref_href("Component:default/Artist-Lookup"),
            "/catalog/component/default/artist-lookup"
        );
        assert_eq!(ref_href("group:team-a"), "/catalog/group/default/team-a");
    }
}

//! Which Argo CD apps a catalog Component stands for, read as Backstage's Argo CD plugin reads
//! it: `argocd/app-name` (one name or several, comma-separated), else `argocd/app-selector` (a
//! label selector over the Applications' own labels), else the Component's name.

use std::collections::BTreeMap;

use crate::resource::Selector;

pub const APP_NAME: &str = "argocd/app-name";
pub const APP_SELECTOR: &str = "argocd/app-selector";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppLink {
    /// `annotated`: named by `argocd/app-name` rather than by the component's own name.
    Names { names: Vec<String>, annotated: bool },
    /// The selector and its text as written.
    Selector(Selector, String),
}

impl AppLink {
    /// From a Component's name and annotations. A selector that does not parse is an error
    /// naming the annotation (the entity page shows it).
    pub fn of_component(
        name: &str,
        annotation: impl Fn(&str) -> Option<String>,
    ) -> Result<AppLink, String> {
        if let Some(names) = annotation(APP_NAME) {
            let names: Vec<String> = names
                .split(',')
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty())
                .collect();
            if !names.is_empty() {
                return Ok(AppLink::Names {
                    names,
                    annotated: true,
                });
            }
        }
        if let Some(selector) = annotation(APP_SELECTOR) {
            let parsed = Selector::parse(&selector)
                .map_err(|e| format!("annotation {APP_SELECTOR}: {e}"))?;
            if !parsed.0.is_empty() {
                return Ok(AppLink::Selector(parsed, selector));
            }
        }
        Ok(AppLink::Names {
            names: vec![name.to_string()],
            annotated: false,
        })
    }

    /// The app names, when the link names them (a selector needs the apps' labels).
    pub fn names(&self) -> Option<&[String]> {
        match self {
            AppLink::Names { names, .. } => Some(names),
            AppLink::Selector(..) => None,
        }
    }

    pub fn matches(&self, app: &str, labels: &BTreeMap<String, String>) -> bool {
        match self {
            AppLink::Names { names, .. } => names.iter().any(|n| n == app),
            AppLink::Selector(selector, _) => selector.matches(labels),
        }
    }

    /// How the link reads, for the UI: `argocd/app-name: a, b` or `argocd/app-selector: …`.
    pub fn describe(&self) -> String {
        match self {
            AppLink::Names {
                names,
                annotated: true,
            } => format!("{APP_NAME}: {}", names.join(", ")),
            AppLink::Names { names, .. } => {
                format!("the component's name ({})", names.join(", "))
            }
            AppLink::Selector(_, text) => format!("{APP_SELECTOR}: {text}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::selector::tests::labels;

    fn annotations<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn app_name_wins_and_may_list_several() {
        let pairs = [(APP_NAME, "cart, cart-worker"), (APP_SELECTOR, "team=x")];
        let link = AppLink::of_component("shop", annotations(&pairs)).unwrap();
        assert_eq!(
            link.names(),
            Some(&["cart".to_string(), "cart-worker".to_string()][..])
        );
        assert!(link.matches("cart-worker", &labels(&[])));
        assert!(!link.matches("shop", &labels(&[("team", "x")])));
        assert_eq!(link.describe(), "argocd/app-name: cart, cart-worker");
    }

    #[test]
    fn a_selector_matches_the_apps_labels() {
        let pairs = [(
            APP_SELECTOR,
            "app.kubernetes.io/part-of=shop,tier in (web,api)",
        )];
        let link = AppLink::of_component("shop", annotations(&pairs)).unwrap();
        assert_eq!(link.names(), None);
        let web = labels(&[("app.kubernetes.io/part-of", "shop"), ("tier", "web")]);
        let db = labels(&[("app.kubernetes.io/part-of", "shop"), ("tier", "db")]);
        assert!(link.matches("anything", &web));
        assert!(!link.matches("shop", &db));
    }

    #[test]
    fn without_annotations_the_name_is_the_app() {
        let link = AppLink::of_component("checkout", annotations(&[])).unwrap();
        assert!(link.matches("checkout", &labels(&[])));
        let blank = [(APP_NAME, " , ")];
        let link = AppLink::of_component("checkout", annotations(&blank)).unwrap();
        assert_eq!(link.names(), Some(&["checkout".to_string()][..]));
    }

    #[test]
    fn a_bad_selector_names_the_annotation() {
        let pairs = [(APP_SELECTOR, "tier in (web")];
        let err = AppLink::of_component("shop", annotations(&pairs)).unwrap_err();
        assert!(err.starts_with("annotation argocd/app-selector: "), "{err}");
    }
}

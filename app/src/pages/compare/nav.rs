//! Moving around the compare tree, pure: the rows on screen (apps, and the resources of the
//! opened ones) and what a key does on one (the WAI-ARIA tree pattern).

use std::collections::HashSet;

use crate::dto::compare::AppCompare;

/// A row of the tree: an app, or one resource of an app (by its index in `resources`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RowId {
    App(String),
    Resource(String, usize),
}

impl RowId {
    pub fn app(&self) -> &str {
        match self {
            RowId::App(a) | RowId::Resource(a, _) => a,
        }
    }

    /// The element id of the row, unique on the page.
    pub fn dom_id(&self, pos: usize) -> String {
        match self {
            RowId::App(_) => format!("cmp-row-{pos}"),
            RowId::Resource(_, i) => format!("cmp-row-{pos}-{i}"),
        }
    }
}

/// The rows on screen, top to bottom.
pub fn visible_rows(apps: &[&AppCompare], open: &HashSet<String>) -> Vec<RowId> {
    let mut rows = Vec::new();
    for app in apps {
        rows.push(RowId::App(app.name.clone()));
        if open.contains(&app.name) {
            rows.extend((0..app.resources.len()).map(|i| RowId::Resource(app.name.clone(), i)));
        }
    }
    rows
}

/// What a key press asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyAction {
    Focus(RowId),
    Open(String),
    Close(String),
    /// Show the resource's diff (Enter or Space on a resource).
    Select(RowId),
    None,
}

pub fn key_action(rows: &[RowId], at: &RowId, open: &HashSet<String>, key: &str) -> KeyAction {
    let Some(pos) = rows.iter().position(|r| r == at) else {
        return KeyAction::None;
    };
    let focus = |i: usize| KeyAction::Focus(rows[i].clone());
    match (key, at) {
        ("ArrowDown", _) if pos + 1 < rows.len() => focus(pos + 1),
        ("ArrowUp", _) if pos > 0 => focus(pos - 1),
        ("Home", _) => focus(0),
        ("End", _) => focus(rows.len() - 1),
        ("ArrowRight", RowId::App(app)) if !open.contains(app) => KeyAction::Open(app.clone()),
        ("ArrowRight", RowId::App(_)) if pos + 1 < rows.len() => match &rows[pos + 1] {
            child @ RowId::Resource(..) => KeyAction::Focus(child.clone()),
            _ => KeyAction::None,
        },
        ("ArrowLeft", RowId::App(app)) if open.contains(app) => KeyAction::Close(app.clone()),
        ("ArrowLeft", RowId::Resource(app, _)) => KeyAction::Focus(RowId::App(app.clone())),
        ("Enter" | " ", RowId::App(app)) if open.contains(app) => KeyAction::Close(app.clone()),
        ("Enter" | " ", RowId::App(app)) => KeyAction::Open(app.clone()),
        ("Enter" | " ", RowId::Resource(..)) => KeyAction::Select(at.clone()),
        _ => KeyAction::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::compare::{CompareStatus, ResourceCompare};

    fn app(name: &str, resources: usize) -> AppCompare {
        AppCompare {
            name: name.into(),
            status: CompareStatus::Differs,
            from: None,
            to: None,
            resources: (0..resources)
                .map(|i| ResourceCompare {
                    api_version: "v1".into(),
                    kind: "ConfigMap".into(),
                    namespace: "ns".into(),
                    name: format!("c{i}"),
                    status: CompareStatus::Same,
                })
                .collect(),
        }
    }

    #[test]
    fn keys_walk_the_tree_as_the_aria_pattern_says() {
        let (a, b) = (app("a", 2), app("b", 1));
        let apps = [&a, &b];
        let mut open = HashSet::new();
        let rows = visible_rows(&apps, &open);
        assert_eq!(rows, [RowId::App("a".into()), RowId::App("b".into())]);
        let at_a = RowId::App("a".into());
        assert_eq!(
            key_action(&rows, &at_a, &open, "ArrowRight"),
            KeyAction::Open("a".into())
        );
        assert_eq!(
            key_action(&rows, &at_a, &open, "ArrowDown"),
            KeyAction::Focus(RowId::App("b".into()))
        );

        open.insert("a".to_string());
        let rows = visible_rows(&apps, &open);
        assert_eq!(rows.len(), 4);
        let first_child = RowId::Resource("a".into(), 0);
        assert_eq!(
            key_action(&rows, &at_a, &open, "ArrowRight"),
            KeyAction::Focus(first_child.clone())
        );
        assert_eq!(
            key_action(&rows, &first_child, &open, "ArrowLeft"),
            KeyAction::Focus(at_a.clone())
        );
        assert_eq!(
            key_action(&rows, &first_child, &open, "Enter"),
            KeyAction::Select(first_child.clone())
        );
        assert_eq!(
            key_action(&rows, &at_a, &open, "ArrowLeft"),
            KeyAction::Close("a".into())
        );
        assert_eq!(
            key_action(&rows, &at_a, &open, "End"),
            KeyAction::Focus(RowId::App("b".into()))
        );
        assert_eq!(key_action(&rows, &at_a, &open, "ArrowUp"), KeyAction::None);
    }
}

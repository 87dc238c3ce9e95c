//! Builders the catalog's unit tests share (integration tests have `server/tests/common`).

use serde_json::Value;

use super::model::{Entity, Located, Metadata};

/// A `backstage.io/v1alpha1` entity of `kind` named `name` in `default`, no relations.
pub fn entity(kind: &str, name: &str, spec: Value) -> Entity {
    Entity {
        api_version: "backstage.io/v1alpha1".into(),
        kind: kind.into(),
        metadata: Metadata {
            name: name.into(),
            namespace: "default".into(),
            ..Metadata::default()
        }
        .into(),
        spec: std::sync::Arc::new(spec.into()),
    }
}

/// [`entity`] as read from document 0 of `<name>.yaml` in `source`.
pub fn located(source: &str, kind: &str, name: &str, spec: Value) -> Located {
    Located {
        entity: entity(kind, name, spec),
        source: source.into(),
        file: format!("{name}.yaml").into(),
        document: 0,
    }
}

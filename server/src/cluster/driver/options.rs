//! Argo CD sync options as the driver honours them: the app's (`spec.syncPolicy.syncOptions`)
//! and a resource's own (annotation `argocd.argoproj.io/sync-options`, comma-separated), the
//! resource's winning. `Prune=false` keeps a resource out of prune; `Validate=false` applies
//! without field validation; `Replace=true` replaces the object (PUT, or create) instead of
//! server-side apply; `ApplyOutOfSyncOnly=true` leaves objects already in sync alone.
//! `ServerSideApply=true` and `PruneLast=true` are what every sync does already (prune runs
//! after the last wave).

use kube::api::{PatchParams, ValidationDirective};
use serde_json::Value;

/// The annotation with a resource's own sync options.
pub const SYNC_OPTIONS: &str = "argocd.argoproj.io/sync-options";

/// The value of sync option `name` for an object: its annotation first, then `app`'s.
pub fn option<'a>(obj: &'a Value, app: &'a [String], name: &str) -> Option<&'a str> {
    let own = obj["metadata"]["annotations"][SYNC_OPTIONS]
        .as_str()
        .into_iter()
        .flat_map(|text| text.split(','));
    let find = |mut items: Box<dyn Iterator<Item = &'a str> + 'a>| {
        items.find_map(|o| {
            let (k, v) = o.trim().split_once('=')?;
            (k.trim() == name).then(|| v.trim())
        })
    };
    find(Box::new(own)).or_else(|| find(Box::new(app.iter().map(String::as_str))))
}

/// Whether sync option `name` is `value` (case-insensitively, as Argo CD reads `true`).
pub fn is(obj: &Value, app: &[String], name: &str, value: &str) -> bool {
    option(obj, app, name).is_some_and(|v| v.eq_ignore_ascii_case(value))
}

/// The server-side apply parameters for one object.
pub fn apply_params(dry_run: bool, validate: bool) -> PatchParams {
    let mut pp = PatchParams::apply(super::plan::FIELD_MANAGER).force();
    pp.dry_run = dry_run;
    if !validate {
        pp.field_validation = Some(ValidationDirective::Ignore);
    }
    pp
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_resources_annotation_wins_over_the_app() {
        let app = ["Validate=false".to_string(), "Replace=true".to_string()];
        let obj =
            json!({"metadata": {"annotations": {SYNC_OPTIONS: "Prune=false, Replace=false"}}});
        assert_eq!(option(&obj, &app, "Prune"), Some("false"));
        assert_eq!(option(&obj, &app, "Replace"), Some("false"));
        assert!(is(&obj, &app, "Validate", "false"));
        assert!(!is(&json!({}), &[], "Validate", "false"));
        assert!(is(&json!({}), &app, "Replace", "TRUE"));
    }

    #[test]
    fn validate_false_turns_field_validation_off() {
        assert!(matches!(
            apply_params(false, false).field_validation,
            Some(ValidationDirective::Ignore)
        ));
        let checked = apply_params(true, true);
        assert!(checked.field_validation.is_none() && checked.dry_run && checked.force);
    }
}

//! Argo CD resource hooks as both sides read them (gitops-engine `pkg/sync/hook`): the
//! annotations, the delete policies, and the name a `generateName` hook gets at sync time.
//! Hooks are run by a sync, not compared: they count for neither sync status nor health, are
//! never orphans, and are never pruned (their delete policy removes them).

use serde_json::Value;

pub const HOOK: &str = "argocd.argoproj.io/hook";
pub const HOOK_DELETE_POLICY: &str = "argocd.argoproj.io/hook-delete-policy";
pub const HELM_HOOK: &str = "helm.sh/hook";
pub const HELM_HOOK_DELETE_POLICY: &str = "helm.sh/hook-delete-policy";

/// When a hook object is deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeletePolicy {
    /// The hook left by an earlier sync is deleted before this one creates it again.
    BeforeHookCreation,
    /// Deleted once the sync has succeeded.
    HookSucceeded,
    /// Deleted once the sync has failed.
    HookFailed,
}

impl DeletePolicy {
    fn parse(word: &str) -> Option<Self> {
        match word.trim() {
            "BeforeHookCreation" | "before-hook-creation" => Some(Self::BeforeHookCreation),
            "HookSucceeded" | "hook-succeeded" => Some(Self::HookSucceeded),
            "HookFailed" | "hook-failed" => Some(Self::HookFailed),
            _ => None,
        }
    }
}

/// The delete policies of a hook manifest: Argo CD's annotation (comma-separated) and Helm's,
/// unknown words ignored; none at all means `BeforeHookCreation`, as in Argo CD.
pub fn delete_policies(manifest: &Value) -> Vec<DeletePolicy> {
    let annotations = &manifest["metadata"]["annotations"];
    let mut out: Vec<DeletePolicy> = [HOOK_DELETE_POLICY, HELM_HOOK_DELETE_POLICY]
        .iter()
        .filter_map(|key| annotations[*key].as_str())
        .flat_map(|text| text.split(','))
        .filter_map(DeletePolicy::parse)
        .collect();
    if out.is_empty() {
        out.push(DeletePolicy::BeforeHookCreation);
    }
    out.dedup();
    out
}

/// Whether an object (desired or live) is a hook: it carries a hook annotation that is not
/// just `Skip`.
pub fn is_hook(obj: &Value) -> bool {
    let annotations = &obj["metadata"]["annotations"];
    if let Some(text) = annotations[HOOK].as_str() {
        return text.split(',').any(|t| t.trim() != "Skip");
    }
    annotations[HELM_HOOK].is_string()
}

/// The `generateName` of a manifest that has no `name` (only hooks may: Argo CD names them
/// at sync time).
pub fn generate_name(manifest: &Value) -> Option<&str> {
    let meta = &manifest["metadata"];
    if meta["name"].as_str().is_some_and(|n| !n.is_empty()) {
        return None;
    }
    meta["generateName"].as_str().filter(|g| !g.is_empty())
}

/// The name Argo CD gives a `generateName` hook when a sync runs it: the prefix, the first
/// seven characters of the revision, the phase and the sync's start in Unix seconds, lower case
/// (`upgrade-sql-schema` + `1a2b3c4-presync-1733313600`). Deterministic within one sync, new
/// with the next.
pub fn hook_name(generate_name: &str, revision: &str, phase: &str, started_unix: i64) -> String {
    let revision: String = revision.chars().take(7).collect();
    let revision = if revision.is_empty() {
        String::new()
    } else {
        format!("{revision}-")
    };
    format!("{generate_name}{revision}{phase}-{started_unix}").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn with(annotations: Value) -> Value {
        json!({"metadata": {"annotations": annotations}})
    }

    #[test]
    fn delete_policies_default_to_before_hook_creation() {
        assert_eq!(
            delete_policies(&with(json!({HOOK: "PreSync"}))),
            [DeletePolicy::BeforeHookCreation]
        );
        assert_eq!(
            delete_policies(&with(
                json!({HOOK_DELETE_POLICY: "HookSucceeded, HookFailed, Nonsense"})
            )),
            [DeletePolicy::HookSucceeded, DeletePolicy::HookFailed]
        );
        assert_eq!(
            delete_policies(&with(json!({HELM_HOOK_DELETE_POLICY: "hook-succeeded"}))),
            [DeletePolicy::HookSucceeded]
        );
    }

    #[test]
    fn skip_alone_is_not_a_hook() {
        assert!(is_hook(&with(json!({HOOK: "PostSync"}))));
        assert!(is_hook(&with(json!({HELM_HOOK: "pre-install"}))));
        assert!(!is_hook(&with(json!({HOOK: "Skip"}))));
        assert!(!is_hook(&json!({"metadata": {}})));
    }

    #[test]
    fn generated_names_follow_argo_cd() {
        let m = json!({"metadata": {"generateName": "upgrade-sql-schema-"}});
        assert_eq!(generate_name(&m), Some("upgrade-sql-schema-"));
        let named = json!({"metadata": {"name": "x", "generateName": "y-"}});
        assert_eq!(generate_name(&named), None);
        assert_eq!(
            hook_name("Upgrade-", "1A2B3C4D5E", "PreSync", 1_733_313_600),
            "upgrade-1a2b3c4-presync-1733313600"
        );
        assert_eq!(hook_name("up-", "", "PostSync", 7), "up-postsync-7");
    }
}

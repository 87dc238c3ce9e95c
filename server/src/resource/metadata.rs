//! Metadata no sync verdict compares: the fields the API server sets on every object, and the
//! tracking marks the cluster driver stamps on every object it applies. Both the verdict walk
//! (`cluster::driver::diff`) and the facts ([`super::facts`]) skip them.

/// The label that says which app owns an object (used to find and prune it).
pub const TRACKING_LABEL: &str = "atrium.dev/app";
/// The annotation holding `<app>:<key>`: the label can be copied, this confirms ownership.
pub const TRACKING_ANNOTATION: &str = "atrium.dev/tracking-id";

/// Server-set metadata that never belongs in a comparison.
pub const SERVER_METADATA: &[&str] = &[
    "managedFields",
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "generation",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// Whether `key` is in [`SERVER_METADATA`] (a `match` compiles to a length switch; `contains`
/// compared every entry, for every metadata field of every resource of every pass).
pub fn server_metadata(key: &str) -> bool {
    matches!(
        key,
        "managedFields"
            | "resourceVersion"
            | "uid"
            | "creationTimestamp"
            | "generation"
            | "selfLink"
            | "deletionTimestamp"
            | "deletionGracePeriodSeconds"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_metadata_match_is_the_list() {
        for key in SERVER_METADATA {
            assert!(server_metadata(key), "{key}");
        }
        for key in ["name", "namespace", "labels", "annotations", "uids", ""] {
            assert!(!server_metadata(key), "{key}");
        }
    }
}

//! The vocabulary gitops and cluster share: the desired resource the renderers produce and the
//! driver applies, the resource key both sides find objects by, the sync and health words, the
//! facts sync verdicts compare, the metadata no verdict looks at, label selectors, and the
//! masking of `Secret` values before any of it is shown ([`secrets`]). Both
//! sides import this module; it imports neither (the words themselves are the UI crate's DTOs,
//! so the tree the browser gets is typed by the same enums).

pub mod desired;
pub mod facts;
pub mod hooks;
pub mod json_text;
pub mod metadata;
pub mod secrets;
pub mod selector;

pub use atrium_app::dto::node::resource_key;
pub use atrium_app::dto::status::{Health, SyncStatus};
pub use desired::DesiredResource;
pub use json_text::{JsonText, PackedJson};
pub use secrets::mask_secrets;
pub use selector::Selector;

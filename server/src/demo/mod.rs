//! The embedded default's demo data.
pub mod apps;
pub mod catalog;
pub mod env_manifests;
pub mod environments;
pub mod git;
pub mod set_image;
pub mod setup;

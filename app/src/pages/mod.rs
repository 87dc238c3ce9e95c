//! One module per page.
pub mod catalog;
pub mod entity;
pub mod errors;
pub mod not_found;

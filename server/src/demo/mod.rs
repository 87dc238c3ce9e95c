//! The embedded default's demo data.
pub mod catalog;
pub mod git;
pub mod setup;

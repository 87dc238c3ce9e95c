//! The software catalog: Backstage descriptor files read from sources, validated, related,
//! stored and searched.
#[cfg(test)]
mod adopters_tests;
pub mod assemble;
pub mod lint;
pub mod model;
pub mod reader;
pub mod refs;
pub mod relations;
pub mod rules;
pub mod search;
pub mod service;
pub mod source;
pub mod spec;
pub mod substitute;
#[cfg(test)]
pub(crate) mod testing;
pub mod validate;
pub mod views;

//! One module per page.
pub mod audit;
pub mod catalog;
pub mod compare;
pub mod deploy;
pub mod drag;
pub mod entity;
pub mod env;
pub mod errors;
pub mod lazy;
pub mod login;
pub mod matrix;
pub mod not_found;
pub mod requests;

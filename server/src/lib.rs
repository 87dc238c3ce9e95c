//! Atrium's server: configuration, wiring, the HTTP surface ([`http`]), and the domain, one
//! module per concept.
pub mod audit;
pub mod auth;
pub mod catalog;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod demo;
pub mod deploy;
#[cfg(test)]
mod fuzz;
pub mod gitops;
pub mod gitremote;
pub mod http;
pub mod replicas;
pub mod resource;
pub mod serve;
pub mod shared_str;
pub mod sorted_keys;
pub mod store;
pub mod telemetry;
pub mod util;
pub mod webhook;

//! Deploys, rollbacks and promotions: requests, their approval policy and windows, and the
//! executor that turns an approved request into one Git commit on the environment's branch and
//! a sync of the app, with the lineage from request to cluster.

pub mod edit;
pub mod git_write;
pub mod image;
pub mod yaml_edit;
pub mod state;
pub mod windows;

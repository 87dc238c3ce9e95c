//! The App-of-Apps engine's Git side: Argo CD `Application` manifests read as they are, the
//! App-of-Apps tree they form (ApplicationSets included), and the renderers (directory, Kustomize, Helm) that turn an
//! app's source into the Kubernetes resources it wants ([`crate::resource::DesiredResource`]).

pub mod app_link;
pub mod application;
pub mod appset;
pub mod checkout;
pub mod compare;
pub mod destination;
pub mod engine;
pub mod environment;
pub mod ignore;
pub mod mirror;
pub mod project;
pub mod render;
pub mod report;
pub mod repos;
pub mod retry;
pub mod tree;

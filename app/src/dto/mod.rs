//! Data the UI receives from server functions. Plain serde types, shared by SSR and WASM; the
//! domain's own types stay in `server/`, except the words both sides must agree on: sync and
//! health ([`status`]) and tree node ids ([`node`]), which the server's domain uses as they are.

use serde::{Deserialize, Serialize};

/// The facets the catalog offers, in sidebar order. Also the URL parameter names.
pub const FACETS: [&str; 6] = ["kind", "type", "owner", "lifecycle", "tags", "system"];

/// A catalog search as the URL carries it: `?q=…&kind=component&owner=team-a`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    pub q: String,
    /// `(facet, value)` pairs; several values of one facet are OR-ed, facets are AND-ed.
    pub filters: Vec<(String, String)>,
    pub limit: usize,
    pub offset: usize,
}

/// Part of a displayed string, `hit` when it matched the query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    pub hit: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub entity_ref: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub title: Option<String>,
    pub entity_type: Option<String>,
    pub owner: Option<String>,
    pub system: Option<String>,
    pub lifecycle: Option<String>,
    pub tags: Vec<String>,
    /// Highlighted name, title and description (empty when absent).
    pub name_hl: Vec<Span>,
    pub title_hl: Vec<Span>,
    pub description_hl: Vec<Span>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
    pub selected: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCounts {
    pub name: String,
    pub values: Vec<FacetValue>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<SearchHit>,
    pub facets: Vec<FacetCounts>,
    /// Server-side search time in microseconds.
    pub took_us: u64,
}

/// A link to another entity; `exists` is false for a dangling ref (shown, but not linked).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefLink {
    pub entity_ref: String,
    /// Short form for display (`team-a`, `api:petstore`).
    pub label: String,
    pub exists: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelationGroup {
    /// Human heading, e.g. "Provides APIs", "Depends on".
    pub title: String,
    /// Backstage relation type, e.g. `providesApi`.
    pub relation_type: String,
    pub targets: Vec<RefLink>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkView {
    pub url: String,
    pub title: String,
    pub icon: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntityView {
    pub entity_ref: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub api_version: String,
    pub entity_type: Option<String>,
    pub lifecycle: Option<String>,
    pub owner: Option<RefLink>,
    pub system: Option<RefLink>,
    pub tags: Vec<String>,
    pub labels: Vec<(String, String)>,
    pub annotations: Vec<(String, String)>,
    pub links: Vec<LinkView>,
    pub relations: Vec<RelationGroup>,
    /// Other scalar spec fields (`profile.email`, `target`…) as key/value text.
    pub spec: Vec<(String, String)>,
    /// An API's `spec.definition`, shown as text.
    pub definition: Option<String>,
    pub source: String,
    pub file: String,
    /// Errors currently reported for this entity's file (it still shows the last good version).
    pub errors: Vec<CatalogErrorView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogErrorView {
    pub source: String,
    pub file: String,
    pub document: Option<usize>,
    pub entity_ref: Option<String>,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceStatus {
    pub name: String,
    /// `git` or `dir`.
    pub kind: String,
    pub location: String,
    pub branch: Option<String>,
    pub last_commit: Option<String>,
    /// RFC 3339.
    pub last_refresh: Option<String>,
    pub error: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogStatus {
    pub refreshing: bool,
    /// Incremented after each completed refresh, so the UI can tell one finished.
    pub generation: u64,
    pub entities: usize,
    pub errors: usize,
    pub sources: Vec<SourceStatus>,
}

pub mod audit;
pub mod auth;
pub mod compare;
pub mod deploy;
pub mod env;
pub mod matrix;
pub mod node;
pub mod status;

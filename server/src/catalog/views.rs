//! `CatalogService` for the UI: maps the live catalog to the DTOs server functions return.

use std::sync::Arc;

use atrium_app::dto::{
    CatalogErrorView, CatalogStatus, EntityView, FacetCounts, FacetValue, LinkView, RefLink,
    RelationGroup, SearchHit, SearchRequest, SearchResults, SourceStatus, Span,
};
use atrium_app::error::AppError;
use atrium_app::service::CatalogService;

use super::assemble::Cataloged;
use super::model::{CatalogError, EntityRef, Spec, SpecValue, StringMap};
use super::search::{Facet, Query};
use super::service::{describe, Catalog, CatalogState};
use super::source::SourceLocation;

/// Longest query text accepted; longer input is cut, never an error.
const MAX_QUERY_CHARS: usize = 200;
const MAX_LIMIT: usize = 200;

pub struct CatalogApi(pub Arc<Catalog>);

impl CatalogService for CatalogApi {
    fn search(&self, req: &SearchRequest) -> Result<SearchResults, AppError> {
        let started = std::time::Instant::now();
        let state = self.0.state();
        let filters = req
            .filters
            .iter()
            .filter_map(|(facet, value)| Some((facet.parse::<Facet>().ok()?, value.clone())))
            .collect::<Vec<_>>();
        let query = Query {
            text: req.q.chars().take(MAX_QUERY_CHARS).collect(),
            filters,
            limit: req.limit.clamp(1, MAX_LIMIT),
            offset: req.offset,
        };
        let outcome = state.index.search(&query).map_err(|error| {
            tracing::error!("search failed for {:?}: {error:#}", req.q);
            AppError::Internal("search failed; the error was logged".into())
        })?;
        let hits = outcome
            .hits
            .into_iter()
            .filter_map(|hit| {
                let located = state.get(&hit.entity_ref)?;
                Some(to_hit(
                    located,
                    hit.name_hl,
                    hit.title_hl,
                    hit.description_hl,
                ))
            })
            .collect();
        let facets = outcome
            .facets
            .into_iter()
            .map(|(facet, values)| FacetCounts {
                name: facet.as_str().to_string(),
                values: values
                    .into_iter()
                    .map(|(value, count)| FacetValue {
                        selected: req
                            .filters
                            .iter()
                            .any(|(f, v)| f == facet.as_str() && *v == value),
                        value,
                        count,
                    })
                    .collect(),
            })
            .collect();
        metrics::counter!("atrium_catalog_searches_total").increment(1);
        Ok(SearchResults {
            total: outcome.total,
            hits,
            facets,
            took_us: started.elapsed().as_micros() as u64,
        })
    }

    fn entity(&self, entity_ref: &str) -> Option<EntityView> {
        let state = self.0.state();
        let entity_ref = parse_full_ref(entity_ref)?;
        let located = state.get(&entity_ref)?;
        Some(to_view(&state, located))
    }

    fn errors(&self) -> Vec<CatalogErrorView> {
        self.0
            .state()
            .assembled
            .errors
            .iter()
            .map(to_error_view)
            .collect()
    }

    fn status(&self) -> CatalogStatus {
        let state = self.0.state();
        let sources = self
            .0
            .sources()
            .iter()
            .enumerate()
            .map(|(i, source)| {
                let snapshot = self.0.snapshot_of(i).unwrap_or_default();
                let (kind, branch) = match &source.location {
                    SourceLocation::Dir(_) => ("dir", None),
                    SourceLocation::Git { branch, .. } => ("git", Some(branch.clone())),
                };
                SourceStatus {
                    name: source.name.clone(),
                    kind: kind.into(),
                    location: describe(source),
                    branch,
                    last_commit: snapshot.commit.clone(),
                    last_refresh: self.0.runtime_of(i).last_refresh,
                    error: snapshot.source_error.clone(),
                }
            })
            .collect();
        CatalogStatus {
            refreshing: self.0.is_refreshing(),
            generation: self.0.generation(),
            entities: state.assembled.len(),
            errors: state.assembled.errors.len(),
            sources,
        }
    }

    fn request_refresh(&self) {
        self.0.request_refresh();
    }
}

/// `kind:namespace/name` exactly (what URLs and DTOs carry), any case.
fn parse_full_ref(text: &str) -> Option<EntityRef> {
    let (kind, rest) = text.split_once(':')?;
    let (namespace, name) = rest.split_once('/')?;
    (!kind.is_empty() && !namespace.is_empty() && !name.is_empty())
        .then(|| EntityRef::new(kind, namespace, name))
}

fn spans(parts: Vec<(String, bool)>) -> Vec<Span> {
    parts
        .into_iter()
        .map(|(text, hit)| Span { text, hit })
        .collect()
}

/// `team-a` for a group in the default namespace, `user:jdoe` for others in it, else the full ref.
pub fn short_ref(r: &EntityRef, default_kind: &str) -> String {
    match (r.kind == default_kind, r.namespace == "default") {
        (true, true) => r.name.to_string(),
        (false, true) => format!("{}:{}", r.kind, r.name),
        _ => r.to_string(),
    }
}

fn ref_link(state: &CatalogState, r: &EntityRef, default_kind: &str) -> RefLink {
    RefLink {
        entity_ref: r.to_string(),
        label: short_ref(r, default_kind),
        exists: state.get(r).is_some(),
    }
}

fn relation_target(located: Cataloged<'_>, relation: &str) -> Option<EntityRef> {
    located
        .relations
        .iter()
        .find(|r| r.relation_type == relation)
        .map(|r| (*r.target).clone())
}

fn to_hit(
    located: Cataloged<'_>,
    name_hl: Vec<(String, bool)>,
    title_hl: Vec<(String, bool)>,
    description_hl: Vec<(String, bool)>,
) -> SearchHit {
    let e = &located.entity;
    SearchHit {
        entity_ref: e.entity_ref().to_string(),
        kind: e.kind.to_string(),
        namespace: e.metadata.namespace.to_string(),
        name: e.metadata.name.to_string(),
        title: e.metadata.title.as_deref().map(str::to_string),
        entity_type: e.spec_str("type").map(str::to_string),
        owner: relation_target(located, "ownedBy").map(|r| short_ref(&r, "group")),
        system: relation_target(located, "partOf")
            .filter(|r| r.kind == "system")
            .map(|r| short_ref(&r, "system")),
        lifecycle: e.spec_str("lifecycle").map(str::to_string),
        tags: e.metadata.tags.iter().map(|t| t.to_string()).collect(),
        name_hl: spans(name_hl),
        title_hl: spans(title_hl),
        description_hl: spans(description_hl),
    }
}

/// Headings for relation types, in the order the entity page shows them.
const RELATION_TITLES: [(&str, &str); 14] = [
    ("ownedBy", "Owner"),
    ("ownerOf", "Owns"),
    ("partOf", "Part of"),
    ("hasPart", "Has parts"),
    ("providesApi", "Provides APIs"),
    ("apiProvidedBy", "Provided by"),
    ("consumesApi", "Consumes APIs"),
    ("apiConsumedBy", "Consumed by"),
    ("dependsOn", "Depends on"),
    ("dependencyOf", "Dependency of"),
    ("parentOf", "Child groups"),
    ("childOf", "Parent group"),
    ("hasMember", "Members"),
    ("memberOf", "Member of"),
];

fn to_view(state: &CatalogState, located: Cataloged<'_>) -> EntityView {
    let e = &located.entity;
    let relations = RELATION_TITLES
        .iter()
        .filter_map(|(relation_type, title)| {
            let targets: Vec<RefLink> = located
                .relations
                .iter()
                .filter(|r| r.relation_type == *relation_type)
                .map(|r| ref_link(state, &r.target, &r.target.kind))
                .collect();
            (!targets.is_empty()).then(|| RelationGroup {
                title: title.to_string(),
                relation_type: relation_type.to_string(),
                targets,
            })
        })
        .collect();
    let spec = flatten_spec(&e.spec);
    let definition = e.spec.get("definition").map(|d| match d {
        SpecValue::String(s) => s.to_string(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    });
    EntityView {
        entity_ref: e.entity_ref().to_string(),
        kind: e.kind.to_string(),
        namespace: e.metadata.namespace.to_string(),
        name: e.metadata.name.to_string(),
        title: e.metadata.title.as_deref().map(str::to_string),
        description: e.metadata.description.as_deref().map(str::to_string),
        api_version: e.api_version.to_string(),
        entity_type: e.spec_str("type").map(str::to_string),
        lifecycle: e.spec_str("lifecycle").map(str::to_string),
        owner: relation_target(located, "ownedBy").map(|r| ref_link(state, &r, "group")),
        system: relation_target(located, "partOf")
            .filter(|r| r.kind == "system")
            .map(|r| ref_link(state, &r, "system")),
        tags: e.metadata.tags.iter().map(|t| t.to_string()).collect(),
        labels: pairs(&e.metadata.labels),
        annotations: pairs(&e.metadata.annotations),
        links: e
            .metadata
            .links
            .iter()
            .map(|l| LinkView {
                url: l.url.clone(),
                title: l.title.clone().unwrap_or_else(|| l.url.clone()),
                icon: l.icon.clone(),
            })
            .collect(),
        relations,
        spec,
        definition,
        source: located.source.to_string(),
        file: located.file.to_string(),
        errors: state
            .errors_by_file
            .get(&(located.source.to_string(), located.file.to_string()))
            .map(|errors| errors.iter().map(to_error_view).collect())
            .unwrap_or_default(),
    }
}

fn pairs(map: &StringMap) -> Vec<(String, String)> {
    map.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Scalar spec fields other than those shown elsewhere, `profile.email` style.
fn flatten_spec(spec: &Spec) -> Vec<(String, String)> {
    const SHOWN_ELSEWHERE: [&str; 4] = ["type", "lifecycle", "owner", "definition"];
    let mut out = Vec::new();
    let mut stack: Vec<(String, &SpecValue)> = spec
        .iter()
        .filter(|(k, _)| !SHOWN_ELSEWHERE.contains(k))
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    stack.reverse();
    while let Some((key, value)) = stack.pop() {
        match value {
            SpecValue::Object(inner) => {
                for (k, v) in inner.iter().rev() {
                    stack.push((format!("{key}.{k}"), v));
                }
            }
            SpecValue::Array(items) => out.push((
                key,
                items
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            )),
            SpecValue::String(s) => out.push((key, s.to_string())),
            SpecValue::Null => {}
            other => out.push((key, other.to_string())),
        }
    }
    out
}

fn to_error_view(error: &CatalogError) -> CatalogErrorView {
    CatalogErrorView {
        source: error.source.clone(),
        file: error.file.clone(),
        document: error.document,
        entity_ref: error.entity_ref.clone(),
        message: error.message.clone(),
    }
}

//! The catalog search as URL state: `/catalog?q=pay&kind=component&owner=team-a`. The URL is the
//! single source of truth, so a deep link or a reload reproduces the view (and renders on the
//! server).

use leptos_router::params::ParamsMap;

use crate::dto::{SearchRequest, FACETS};
use crate::url::encode;

/// How many hits one page of results asks for; "show more" raises the limit by this much.
pub const PAGE_SIZE: usize = 50;

/// The search a catalog URL describes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogQuery {
    pub q: String,
    /// `(facet, value)` pairs, in URL order.
    pub filters: Vec<(String, String)>,
    pub limit: usize,
}

impl Default for CatalogQuery {
    fn default() -> Self {
        Self {
            q: String::new(),
            filters: Vec::new(),
            limit: PAGE_SIZE,
        }
    }
}

impl CatalogQuery {
    /// Reads `q`, the facet parameters (several values each) and `limit`; unknown keys are ignored.
    pub fn from_params(params: &ParamsMap) -> Self {
        let filters = FACETS
            .iter()
            .flat_map(|facet| {
                params
                    .get_all(facet)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|v| !v.is_empty())
                    .map(move |v| (facet.to_string(), v))
            })
            .collect();
        let limit = params
            .get("limit")
            .and_then(|l| l.parse().ok())
            .filter(|l| *l > 0)
            .unwrap_or(PAGE_SIZE)
            .min(1000);
        Self {
            q: params.get("q").unwrap_or_default(),
            filters,
            limit,
        }
    }

    /// The server function argument for this search.
    pub fn request(&self) -> SearchRequest {
        SearchRequest {
            q: self.q.trim().to_string(),
            filters: self.filters.clone(),
            limit: self.limit,
            offset: 0,
        }
    }

    /// `/catalog` plus the query string that reproduces this search.
    pub fn url(&self) -> String {
        let mut parts = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!("q={}", encode(&self.q)));
        }
        for (facet, value) in &self.filters {
            parts.push(format!("{}={}", encode(facet), encode(value)));
        }
        if self.limit != PAGE_SIZE {
            parts.push(format!("limit={}", self.limit));
        }
        if parts.is_empty() {
            "/catalog".to_string()
        } else {
            format!("/catalog?{}", parts.join("&"))
        }
    }

    /// The same filters with another text query (back to the first page).
    pub fn with_q(&self, q: String) -> Self {
        Self {
            q,
            filters: self.filters.clone(),
            limit: PAGE_SIZE,
        }
    }

    pub fn is_selected(&self, facet: &str, value: &str) -> bool {
        self.filters.iter().any(|(f, v)| f == facet && v == value)
    }

    /// Adds the filter when absent, removes it when present.
    pub fn toggled(&self, facet: &str, value: &str) -> Self {
        let mut filters = self.filters.clone();
        if self.is_selected(facet, value) {
            filters.retain(|(f, v)| !(f == facet && v == value));
        } else {
            filters.push((facet.to_string(), value.to_string()));
        }
        Self {
            q: self.q.clone(),
            filters,
            limit: PAGE_SIZE,
        }
    }

    /// Keeps the text query, drops every filter.
    pub fn without_filters(&self) -> Self {
        Self {
            q: self.q.clone(),
            filters: Vec::new(),
            limit: PAGE_SIZE,
        }
    }

    pub fn with_limit(&self, limit: usize) -> Self {
        Self {
            limit,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&'static str, &str)]) -> ParamsMap {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    #[test]
    fn reads_several_values_per_facet_and_round_trips() {
        let q = CatalogQuery::from_params(&params(&[
            ("q", "checkout api"),
            ("kind", "component"),
            ("owner", "team-a"),
            ("kind", "api"),
            ("bogus", "x"),
        ]));
        assert_eq!(q.q, "checkout api");
        assert_eq!(q.filters.len(), 3);
        assert!(q.is_selected("kind", "api"));
        assert_eq!(
            q.url(),
            "/catalog?q=checkout%20api&kind=component&kind=api&owner=team-a"
        );
    }

    #[test]
    fn toggling_adds_then_removes() {
        let q = CatalogQuery::default().with_q("pay".into());
        let on = q.toggled("tags", "java");
        assert_eq!(on.url(), "/catalog?q=pay&tags=java");
        assert_eq!(on.toggled("tags", "java").url(), "/catalog?q=pay");
        assert_eq!(on.without_filters().url(), "/catalog?q=pay");
    }
}

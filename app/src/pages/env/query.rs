//! The environment page's view as URL state:
//! `/env/prod?q=cart&kind=Deployment&sync=OutOfSync&health=Degraded&problems=1&node=<id>`.
//! Every filter and the selected node live here, so any view can be linked to.

use leptos_router::params::ParamsMap;

use crate::tree::Filter;
use crate::url::encode;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EnvQuery {
    pub filter: Filter,
    /// The node whose details the side panel shows.
    pub node: Option<String>,
}

impl EnvQuery {
    /// Reads the known keys; unknown ones are ignored.
    pub fn from_params(params: &ParamsMap) -> Self {
        let text = |key: &str| params.get(key).unwrap_or_default();
        Self {
            filter: Filter {
                q: text("q"),
                kind: text("kind"),
                sync: text("sync"),
                health: text("health"),
                problems: matches!(text("problems").as_str(), "1" | "true" | "on"),
            },
            node: params.get("node").filter(|n| !n.is_empty()),
        }
    }

    /// `/env/<env>` plus the query string that reproduces this view.
    pub fn url(&self, env: &str) -> String {
        let f = &self.filter;
        let mut parts = Vec::new();
        for (key, value) in [
            ("q", &f.q),
            ("kind", &f.kind),
            ("sync", &f.sync),
            ("health", &f.health),
        ] {
            if !value.is_empty() {
                parts.push(format!("{key}={}", encode(value)));
            }
        }
        if f.problems {
            parts.push("problems=1".into());
        }
        if let Some(node) = &self.node {
            parts.push(format!("node={}", encode(node)));
        }
        let base = env_href(env);
        if parts.is_empty() {
            base
        } else {
            format!("{base}?{}", parts.join("&"))
        }
    }

    pub fn with_filter(&self, change: impl FnOnce(&mut Filter)) -> Self {
        let mut q = self.clone();
        change(&mut q.filter);
        q
    }

    pub fn with_node(&self, node: Option<String>) -> Self {
        Self {
            node,
            ..self.clone()
        }
    }
}

/// The page of one environment.
pub fn env_href(env: &str) -> String {
    format!("/env/{}", encode(env))
}

/// The first 7 characters of a commit, as people quote them.
pub fn short_sha(sha: &str) -> String {
    sha.chars().take(7).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_filters_and_node() {
        let params: ParamsMap = [
            ("q", "cart svc"),
            ("kind", "Deployment"),
            ("problems", "1"),
            ("node", "res:cart:apps/Deployment/shop/cart"),
            ("bogus", "x"),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_string()))
        .collect();
        let q = EnvQuery::from_params(&params);
        assert_eq!(q.filter.q, "cart svc");
        assert!(q.filter.problems);
        assert_eq!(
            q.url("prod"),
            "/env/prod?q=cart%20svc&kind=Deployment&problems=1&node=res%3Acart%3Aapps%2FDeployment%2Fshop%2Fcart"
        );
        assert_eq!(EnvQuery::default().url("dev"), "/env/dev");
        assert_eq!(
            q.with_node(None)
                .with_filter(|f| f.problems = false)
                .url("dev"),
            "/env/dev?q=cart%20svc&kind=Deployment"
        );
        assert_eq!(short_sha("0123456789abcdef"), "0123456");
    }
}

//! The compare view as URL state: `/compare?from=staging&to=prod`, optionally `&app=<name>`
//! (that app alone, opened) and `&all=1` (the apps that are the same too; by default only the
//! differences show).

use leptos_router::params::ParamsMap;

use crate::url::encode;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CompareQuery {
    pub from: String,
    pub to: String,
    pub app: Option<String>,
    /// Show every app, not only those that differ.
    pub all: bool,
}

impl CompareQuery {
    pub fn from_params(params: &ParamsMap) -> Self {
        let text = |k: &str| params.get(k).filter(|v| !v.is_empty());
        CompareQuery {
            from: text("from").unwrap_or_default(),
            to: text("to").unwrap_or_default(),
            app: text("app"),
            all: params.get("all").is_some_and(|v| v == "1" || v == "true"),
        }
    }

    /// Both environments named, and different.
    pub fn is_complete(&self) -> bool {
        !self.from.is_empty() && !self.to.is_empty() && self.from != self.to
    }

    pub fn url(&self) -> String {
        let mut url = format!(
            "/compare?from={}&to={}",
            encode(&self.from),
            encode(&self.to)
        );
        if let Some(app) = &self.app {
            url.push_str("&app=");
            url.push_str(&encode(app));
        }
        if self.all {
            url.push_str("&all=1");
        }
        url
    }

    pub fn swapped(&self) -> Self {
        CompareQuery {
            from: self.to.clone(),
            to: self.from.clone(),
            ..self.clone()
        }
    }
}

/// The compare view of two environments.
pub fn compare_href(from: &str, to: &str) -> String {
    CompareQuery {
        from: from.to_string(),
        to: to.to_string(),
        ..CompareQuery::default()
    }
    .url()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_round_trips() {
        let q = CompareQuery {
            from: "staging".into(),
            to: "prod eu".into(),
            app: Some("checkout-service".into()),
            all: true,
        };
        assert_eq!(
            q.url(),
            "/compare?from=staging&to=prod%20eu&app=checkout-service&all=1"
        );
        let mut params = ParamsMap::new();
        params.insert("from", "staging".into());
        params.insert("to", "prod eu".into());
        params.insert("app", "checkout-service".into());
        params.insert("all", "1".into());
        assert_eq!(CompareQuery::from_params(&params), q);
        assert_eq!(q.swapped().swapped(), q);
        assert!(q.is_complete());
        assert!(!CompareQuery::default().is_complete());
    }
}

//! The Requests page's view as URL state:
//! `/requests?scope=awaiting|mine|all&state=open&environment=prod&app=checkout-service`.
//! Without `scope`, the page opens on "Awaiting me" for those who may approve, else on "Mine".

use leptos_router::params::ParamsMap;
use serde::{Deserialize, Serialize};

use crate::dto::deploy::RequestQuery;
use crate::url::encode;

/// The tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Awaiting,
    Mine,
    All,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Awaiting, Scope::Mine, Scope::All];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Awaiting => "awaiting",
            Scope::Mine => "mine",
            Scope::All => "all",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == word)
    }

    pub fn label(self) -> &'static str {
        match self {
            Scope::Awaiting => "Awaiting me",
            Scope::Mine => "Mine",
            Scope::All => "All",
        }
    }

    /// The tab a page without `scope` opens on.
    pub fn default_for(may_approve: bool) -> Self {
        if may_approve {
            Scope::Awaiting
        } else {
            Scope::Mine
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestsQuery {
    /// `None`: the viewer's default tab.
    pub scope: Option<Scope>,
    /// Empty (any), `open` or a state word.
    pub state: String,
    pub environment: String,
    pub app: String,
}

impl RequestsQuery {
    /// Reads the known keys; unknown ones (and an unknown scope) are ignored.
    pub fn from_params(params: &ParamsMap) -> Self {
        let text = |key: &str| params.get(key).unwrap_or_default().trim().to_string();
        Self {
            scope: params.get("scope").as_deref().and_then(Scope::parse),
            state: text("state"),
            environment: text("environment"),
            app: text("app"),
        }
    }

    /// `/requests` plus the query string that reproduces this view.
    pub fn url(&self) -> String {
        let mut parts = Vec::new();
        if let Some(scope) = self.scope {
            parts.push(format!("scope={}", scope.as_str()));
        }
        for (key, value) in [
            ("state", &self.state),
            ("environment", &self.environment),
            ("app", &self.app),
        ] {
            if !value.is_empty() {
                parts.push(format!("{key}={}", encode(value)));
            }
        }
        if parts.is_empty() {
            "/requests".into()
        } else {
            format!("/requests?{}", parts.join("&"))
        }
    }

    /// The same filters on another tab.
    pub fn with_scope(&self, scope: Scope) -> Self {
        Self {
            scope: Some(scope),
            ..self.clone()
        }
    }

    /// The tab without filters.
    pub fn cleared(&self) -> Self {
        Self {
            scope: self.scope,
            ..Self::default()
        }
    }

    /// Any filter set (the state filter does not apply to "Awaiting me": those are pending).
    pub fn filtered(&self, scope: Scope) -> bool {
        (!self.state.is_empty() && scope != Scope::Awaiting)
            || !self.environment.is_empty()
            || !self.app.is_empty()
    }

    /// What the server is asked for on tab `scope`.
    pub fn to_api(&self, scope: Scope) -> RequestQuery {
        let some = |s: &String| (!s.is_empty()).then(|| s.clone());
        RequestQuery {
            state: if scope == Scope::Awaiting {
                None
            } else {
                some(&self.state)
            },
            environment: some(&self.environment),
            app: some(&self.app),
            scope: match scope {
                Scope::All => None,
                other => Some(other.as_str().into()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&'static str, &str)]) -> ParamsMap {
        let mut map = ParamsMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.to_string());
        }
        map
    }

    #[test]
    fn urls_round_trip() {
        let q = RequestsQuery::from_params(&params(&[
            ("scope", "all"),
            ("state", "open"),
            ("environment", "prod"),
            ("app", "checkout service"),
            ("page", "2"),
        ]));
        assert_eq!(q.scope, Some(Scope::All));
        assert_eq!(
            q.url(),
            "/requests?scope=all&state=open&environment=prod&app=checkout%20service"
        );
        assert_eq!(RequestsQuery::default().url(), "/requests");
        assert_eq!(
            RequestsQuery::from_params(&params(&[("scope", "nonsense")])).scope,
            None
        );
        assert_eq!(q.cleared().url(), "/requests?scope=all");
        assert_eq!(
            q.with_scope(Scope::Mine).url(),
            "/requests?scope=mine&state=open&environment=prod&app=checkout%20service"
        );
    }

    #[test]
    fn tabs_ask_the_server_for_their_scope() {
        let q = RequestsQuery {
            state: "failed".into(),
            environment: "prod".into(),
            ..Default::default()
        };
        let all = q.to_api(Scope::All);
        assert_eq!(all.scope, None);
        assert_eq!(all.state.as_deref(), Some("failed"));
        assert_eq!(all.environment.as_deref(), Some("prod"));
        assert_eq!(all.app, None);
        // Awaiting me is pending requests only: the state filter does not apply.
        let awaiting = q.to_api(Scope::Awaiting);
        assert_eq!(awaiting.scope.as_deref(), Some("awaiting"));
        assert_eq!(awaiting.state, None);
        assert!(q.filtered(Scope::Awaiting) && q.filtered(Scope::Mine));
        let only_state = RequestsQuery {
            state: "open".into(),
            ..Default::default()
        };
        assert!(!only_state.filtered(Scope::Awaiting) && only_state.filtered(Scope::All));
        assert_eq!(Scope::default_for(true), Scope::Awaiting);
        assert_eq!(Scope::default_for(false), Scope::Mine);
    }
}

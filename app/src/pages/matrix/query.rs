//! The matrix as URL state: `/matrix?q=check&owner=team-a&sort=owner&pending=1`. The rows it
//! shows are [`MatrixQuery::rows`], pure and tested here.

use leptos_router::params::ParamsMap;

use crate::dto::matrix::MatrixRow;
use crate::url::encode;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MatrixQuery {
    /// Part of the app's name, any case.
    pub q: String,
    /// Only apps this team owns.
    pub owner: Option<String>,
    /// `owner`: by owning team, then name; else by name.
    pub by_owner: bool,
    /// Only apps with a promotion due somewhere (or drift).
    pub pending: bool,
}

impl MatrixQuery {
    pub fn from_params(params: &ParamsMap) -> Self {
        let text = |k: &str| params.get(k).filter(|v| !v.is_empty());
        MatrixQuery {
            q: text("q").unwrap_or_default(),
            owner: text("owner"),
            by_owner: params.get("sort").is_some_and(|s| s == "owner"),
            pending: params.get("pending").is_some_and(|v| v == "1"),
        }
    }

    pub fn url(&self) -> String {
        let mut parts = Vec::new();
        if !self.q.is_empty() {
            parts.push(format!("q={}", encode(&self.q)));
        }
        if let Some(owner) = &self.owner {
            parts.push(format!("owner={}", encode(owner)));
        }
        if self.by_owner {
            parts.push("sort=owner".into());
        }
        if self.pending {
            parts.push("pending=1".into());
        }
        if parts.is_empty() {
            "/matrix".into()
        } else {
            format!("/matrix?{}", parts.join("&"))
        }
    }

    /// The rows to show, in order.
    pub fn rows<'a>(&self, all: &'a [MatrixRow]) -> Vec<&'a MatrixRow> {
        let q = self.q.trim().to_lowercase();
        let mut rows: Vec<&MatrixRow> = all
            .iter()
            .filter(|r| q.is_empty() || r.name.to_lowercase().contains(&q))
            .filter(|r| {
                self.owner
                    .as_ref()
                    .is_none_or(|o| r.owners.iter().any(|x| x == o))
            })
            .filter(|r| !self.pending || r.has_pending())
            .collect();
        if self.by_owner {
            // Unowned apps last.
            rows.sort_by(|a, b| {
                (a.owners.is_empty(), a.owners.first(), &a.name).cmp(&(
                    b.owners.is_empty(),
                    b.owners.first(),
                    &b.name,
                ))
            });
        }
        rows
    }
}

/// Every team owning some app, sorted, for the owner filter.
pub fn owners(rows: &[MatrixRow]) -> Vec<String> {
    let mut all: Vec<String> = rows.iter().flat_map(|r| r.owners.clone()).collect();
    all.sort();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::matrix::MatrixCell;

    fn row(name: &str, owner: Option<&str>, versions: &[&str]) -> MatrixRow {
        MatrixRow {
            name: name.into(),
            owners: owner.iter().map(|o| o.to_string()).collect(),
            owner_conflict: None,
            cells: versions
                .iter()
                .map(|v| {
                    Some(MatrixCell {
                        version: Some(v.to_string()),
                        ..MatrixCell::default()
                    })
                })
                .collect(),
        }
    }

    fn params(pairs: &[(&'static str, &str)]) -> ParamsMap {
        pairs.iter().map(|(k, v)| (*k, v.to_string())).collect()
    }

    #[test]
    fn filters_sorts_and_round_trips() {
        let all = vec![
            row("checkout", Some("team-b"), &["2.0", "1.0"]),
            row("cart", Some("team-a"), &["1.0", "1.0"]),
            row("orphan", None, &["1.0"]),
        ];
        let q = MatrixQuery::from_params(&params(&[("sort", "owner")]));
        let names: Vec<_> = q.rows(&all).iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["cart", "checkout", "orphan"]);
        let q = MatrixQuery::from_params(&params(&[("q", "CH"), ("owner", "team-b")]));
        assert_eq!(q.rows(&all).len(), 1);
        assert_eq!(q.url(), "/matrix?q=CH&owner=team-b");
        let q = MatrixQuery::from_params(&params(&[("pending", "1")]));
        let names: Vec<_> = q.rows(&all).iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["checkout"]);
        assert_eq!(owners(&all), ["team-a", "team-b"]);
    }
}

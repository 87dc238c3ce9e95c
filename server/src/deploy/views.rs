//! What people and scripts are shown: a request whole (the API's JSON and the request page),
//! lists of requests, an app's deploy history, and the versions other environments run (the
//! deploy dialog's picker).

use atrium_app::dto::deploy::{
    ApprovalView, Change, CommitView, RequestQuery, RequestState, RequestView, SyncView,
    TimelineEntry, VersionSeen, ViewerRights,
};

use super::error::{DeployError, Result};
use super::Deploys;
use crate::store::deploys::{RequestFilter, RequestRow};

impl Deploys {
    /// One request, whole. `viewer` fills in what the caller may do with it.
    pub async fn view(&self, id: &str, viewer: Option<ViewerRights>) -> Result<RequestView> {
        let row = self
            .store
            .request(id)
            .await?
            .ok_or_else(|| DeployError::NotFound(format!("no deploy request `{id}`")))?;
        let mut view = self.summary(&row);
        let approvals = self.store.request_approvals(id).await?;
        view.approvals = approvals
            .into_iter()
            .map(|a| ApprovalView {
                by: a.approver_name,
                at: a.at,
                comment: a.comment,
                decision: a.decision,
            })
            .collect();
        view.timeline = self
            .store
            .request_events(id)
            .await?
            .into_iter()
            .map(|e| TimelineEntry {
                at: e.at,
                state: e.state,
                by: e.actor_name,
                detail: e.detail,
            })
            .collect();
        view.viewer = viewer;
        view.webhook_error = self
            .store
            .notification_failure(id)
            .await?
            .map(|(attempts, error)| {
                format!("{error} ({attempts} attempts; retrying with backoff)")
            });
        Ok(view)
    }

    /// The stored row of a request (for permission checks on its environment and app).
    pub async fn row(&self, id: &str) -> Result<RequestRow> {
        self.store
            .request(id)
            .await?
            .ok_or_else(|| DeployError::NotFound(format!("no deploy request `{id}`")))
    }

    /// Requests matching `query`, newest first, without their timelines. `me` resolves the
    /// `mine` scope; `awaiting` is filtered by the caller (it needs the policy).
    pub async fn list(&self, query: &RequestQuery, me: &str) -> Result<Vec<RequestView>> {
        let states = match query
            .state
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Vec::new(),
            Some("open") => RequestState::ALL
                .into_iter()
                .filter(|s| s.is_open())
                .collect(),
            Some(word) => vec![RequestState::parse(word).ok_or_else(|| {
                DeployError::invalid("state", format!("`{word}` is not a request state"))
            })?],
        };
        let awaiting = query.scope.as_deref() == Some("awaiting");
        let rows = self
            .store
            .requests(&RequestFilter {
                states: if awaiting {
                    vec![RequestState::Pending]
                } else {
                    states
                },
                env: query.environment.clone().filter(|s| !s.is_empty()),
                app: query.app.clone().filter(|s| !s.is_empty()),
                requester: (query.scope.as_deref() == Some("mine")).then(|| me.to_string()),
                limit: Some(500),
            })
            .await?;
        Ok(rows.iter().map(|r| self.summary(r)).collect())
    }

    /// Every request for one app in one environment, newest first (the app's deploy history).
    pub async fn history(&self, env: &str, app: &str) -> Result<Vec<RequestView>> {
        let rows = self
            .store
            .requests(&RequestFilter {
                env: Some(env.into()),
                app: Some(app.into()),
                limit: Some(100),
                ..RequestFilter::default()
            })
            .await?;
        Ok(rows.iter().map(|r| self.summary(r)).collect())
    }

    /// The versions `app` runs in the other environments, in promotion order.
    pub fn versions_elsewhere(&self, env: &str, app: &str) -> Vec<VersionSeen> {
        self.engine
            .repos()
            .iter()
            .filter(|r| r.env != env)
            .filter_map(|r| {
                let snapshot = self.engine.app(&r.env, app)?;
                Some(VersionSeen {
                    version: snapshot.version?,
                    environment: r.env.clone(),
                })
            })
            .collect()
    }

    /// A request without approvals and timeline (lists).
    pub fn summary(&self, row: &RequestRow) -> RequestView {
        let mut commit: Option<CommitView> = parse(&row.commit_info);
        if let (Some(commit), Some(sha)) = (commit.as_mut(), &row.commit_sha) {
            commit.sha.clone_from(sha);
            commit.url = self.settings.commit_url(&row.env, sha);
        }
        let sync: Option<SyncView> = parse(&row.sync_info);
        RequestView {
            id: row.id.clone(),
            environment: row.env.clone(),
            app: row.app.clone(),
            change: serde_json::from_str(&row.change).unwrap_or(Change::SetRevision(String::new())),
            reason: row.reason.clone(),
            requester: row.requester_name.clone(),
            requester_id: row.requester_subject.clone(),
            via_token: row.via_token,
            state: row.state,
            required_approvals: row.required_approvals,
            approvals: Vec::new(),
            from_version: row.from_version.clone(),
            to_version: row.to_version.clone(),
            commit,
            sync,
            health: row.health.clone(),
            waiting: row.waiting.clone(),
            message: row.message.clone(),
            webhook_error: None,
            created_at: row.created_at.clone(),
            updated_at: row.updated_at.clone(),
            timeline: Vec::new(),
            viewer: None,
        }
    }
}

/// A JSON column, when it holds what it should (a damaged one reads as absent).
fn parse<T: serde::de::DeserializeOwned>(text: &Option<String>) -> Option<T> {
    text.as_deref().and_then(|t| serde_json::from_str(t).ok())
}

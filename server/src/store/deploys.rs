//! Deploy requests (`deploy_requests`, `deploy_events`, `deploy_approvals`): every change of
//! state is one transaction holding the new state, its timeline entry and its audit record.
//! The audit append comes first in each transaction: it takes the write lock (the audit head
//! row), which also serialises the checks made before writing (one open request per app).

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use atrium_app::dto::deploy::RequestState;

use super::{Result, Store, StoreError};
use crate::audit::{Actor, AuditRecord};

/// A request as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRow {
    pub id: String,
    pub env: String,
    pub app: String,
    /// The change, as JSON text.
    pub change: String,
    pub reason: String,
    pub requester_subject: String,
    pub requester_name: String,
    pub requester_email: Option<String>,
    pub via_token: bool,
    pub state: RequestState,
    pub required_approvals: u32,
    pub from_version: Option<String>,
    pub to_version: Option<String>,
    pub base_sha: Option<String>,
    pub commit_sha: Option<String>,
    pub commit_info: Option<String>,
    pub sync_info: Option<String>,
    pub health: Option<String>,
    pub waiting: Option<String>,
    pub message: Option<String>,
    pub window_override: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    pub seq: i64,
    pub at: String,
    pub state: RequestState,
    pub actor_subject: String,
    pub actor_name: String,
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovalRow {
    pub approver_subject: String,
    pub approver_name: String,
    pub approver_email: Option<String>,
    /// `approve` or `reject`.
    pub decision: String,
    pub comment: String,
    pub at: String,
}

/// Columns a transition sets besides the state (`None`: left as it is).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Update {
    pub base_sha: Option<String>,
    pub commit_sha: Option<String>,
    pub commit_info: Option<String>,
    pub sync_info: Option<String>,
    pub health: Option<String>,
    /// `Some(None)` clears it.
    pub waiting: Option<Option<String>>,
    pub message: Option<String>,
    pub window_override: Option<bool>,
}

/// One change of state: from one of `from` to `to`, by `actor`, recorded with `audit`.
pub struct Transition<'a> {
    pub id: &'a str,
    pub from: &'a [RequestState],
    pub to: RequestState,
    pub actor: &'a Actor,
    /// The timeline's words for it.
    pub detail: String,
    pub audit: AuditRecord,
    pub update: Update,
}

/// What the request list asks for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestFilter {
    pub states: Vec<RequestState>,
    pub env: Option<String>,
    pub app: Option<String>,
    pub requester: Option<String>,
    pub limit: Option<i64>,
}

const COLUMNS: &str = "id, env, app, change, reason, requester_subject, requester_name, \
    requester_email, via_token, state, required_approvals, from_version, to_version, base_sha, \
    commit_sha, commit_info, sync_info, health, waiting, message, window_override, created_at, \
    updated_at";

fn open_states() -> String {
    RequestState::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Store a new request (and its first timeline entry and audit record). Refused with
    /// [`StoreError::Conflict`] when the app already has an open request in that environment,
    /// unless `supersede` names it (it then becomes `superseded`, recorded in the same
    /// transaction).
    pub async fn insert_request(
        &self,
        row: &RequestRow,
        actor: &Actor,
        audit: &AuditRecord,
        supersede: Option<(&str, AuditRecord)>,
    ) -> Result<()> {
        let mut tx = self.pool().begin().await?;
        Self::append_audit_in(&mut tx, audit).await?;
        let open: Option<String> = sqlx::query(&format!(
            "SELECT id FROM deploy_requests WHERE env = $1 AND app = $2 AND state IN ({})",
            open_states()
        ))
        .bind(&row.env)
        .bind(&row.app)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get("id"))
        .transpose()?;
        match (open, supersede) {
            (None, _) => {}
            (Some(open), Some((old, record))) if open == old => {
                Self::append_audit_in(&mut tx, &record).await?;
                let moved = Self::set_state_in(
                    &mut tx,
                    old,
                    &[RequestState::Pending, RequestState::Approved],
                    RequestState::Superseded,
                    &Update {
                        message: Some(format!("superseded by request {}", row.id)),
                        waiting: Some(None),
                        ..Update::default()
                    },
                    &row.created_at,
                )
                .await?;
                if !moved {
                    return Err(StoreError::Conflict(format!(
                        "request {old} can no longer be superseded: it is being carried out"
                    )));
                }
                Self::add_event_in(
                    &mut tx,
                    old,
                    RequestState::Superseded,
                    actor,
                    &format!("superseded by {}", row.id),
                    &row.created_at,
                )
                .await?;
            }
            (Some(open), _) => {
                return Err(StoreError::Conflict(format!(
                    "{}/{} already has an open request ({open}); cancel it, or supersede it",
                    row.env, row.app
                )))
            }
        }
        sqlx::query(&format!(
            "INSERT INTO deploy_requests ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)"
        ))
        .bind(&row.id)
        .bind(&row.env)
        .bind(&row.app)
        .bind(&row.change)
        .bind(&row.reason)
        .bind(&row.requester_subject)
        .bind(&row.requester_name)
        .bind(row.requester_email.clone())
        .bind(i64::from(row.via_token))
        .bind(row.state.as_str())
        .bind(i64::from(row.required_approvals))
        .bind(row.from_version.clone())
        .bind(row.to_version.clone())
        .bind(row.base_sha.clone())
        .bind(row.commit_sha.clone())
        .bind(row.commit_info.clone())
        .bind(row.sync_info.clone())
        .bind(row.health.clone())
        .bind(row.waiting.clone())
        .bind(row.message.clone())
        .bind(i64::from(row.window_override))
        .bind(&row.created_at)
        .bind(&row.updated_at)
        .execute(&mut *tx)
        .await?;
        Self::add_event_in(
            &mut tx,
            &row.id,
            RequestState::Pending,
            actor,
            &row.reason,
            &row.created_at,
        )
        .await?;
        if row.state != RequestState::Pending {
            // No approvals needed: approved at once, a second timeline entry.
            Self::add_event_in(
                &mut tx,
                &row.id,
                row.state,
                actor,
                "no approval required",
                &row.created_at,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Move a request from one of `t.from` to `t.to`. `false` (and nothing written) when it
    /// is no longer in one of `t.from`: someone else moved it first.
    pub async fn transition(&self, t: &Transition<'_>) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let moved = Self::transition_in(&mut tx, t).await?;
        if moved {
            // After the audit append (its lock first, as everywhere), before anything commits.
            self.check_fence_in(&mut tx).await?;
            tx.commit().await?;
        }
        Ok(moved)
    }

    /// [`Store::transition`] inside the caller's transaction.
    pub async fn transition_in(tx: &mut Transaction<'_, Any>, t: &Transition<'_>) -> Result<bool> {
        Self::append_audit_in(tx, &t.audit).await?;
        let moved = Self::set_state_in(tx, t.id, t.from, t.to, &t.update, &t.audit.at).await?;
        if moved {
            Self::add_event_in(tx, t.id, t.to, t.actor, &t.detail, &t.audit.at).await?;
        }
        Ok(moved)
    }

    /// Record one person's decision, and move the request on in the same transaction when it
    /// decides it (`then`). A second decision by the same person is a conflict.
    pub async fn decide_request(
        &self,
        request_id: &str,
        approval: &ApprovalRow,
        audit: &AuditRecord,
        then: Option<&Transition<'_>>,
    ) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        Self::append_audit_in(&mut tx, audit).await?;
        let state: Option<String> = sqlx::query("SELECT state FROM deploy_requests WHERE id = $1")
            .bind(request_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.try_get("state"))
            .transpose()?;
        if state.as_deref() != Some(RequestState::Pending.as_str()) {
            return Ok(false);
        }
        let inserted = sqlx::query(
            "INSERT INTO deploy_approvals (request_id, approver_subject, approver_name, \
             approver_email, decision, comment, at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (request_id, approver_subject) DO NOTHING",
        )
        .bind(request_id)
        .bind(&approval.approver_subject)
        .bind(&approval.approver_name)
        .bind(approval.approver_email.clone())
        .bind(&approval.decision)
        .bind(&approval.comment)
        .bind(&approval.at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Err(StoreError::Conflict(
                "you have already decided on this request".into(),
            ));
        }
        if let Some(t) = then {
            if !Self::transition_in(&mut tx, t).await? {
                return Ok(false);
            }
        } else {
            let actor = Actor {
                subject: approval.approver_subject.clone(),
                name: approval.approver_name.clone(),
                groups: Vec::new(),
            };
            let detail = match approval.comment.trim() {
                "" => "approved".to_string(),
                comment => format!("approved: {comment}"),
            };
            Self::add_event_in(
                &mut tx,
                request_id,
                RequestState::Pending,
                &actor,
                &detail,
                &approval.at,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Set `waiting` without changing the state (a window or a freeze holds an approved
    /// request); a timeline entry only when the reason changes.
    pub async fn set_waiting(&self, id: &str, waiting: Option<&str>, at: &str) -> Result<()> {
        let mut tx = self.begin_fenced().await?;
        sqlx::query(
            "UPDATE deploy_requests SET waiting = $1, updated_at = $2 \
             WHERE id = $3 AND COALESCE(waiting, '') <> COALESCE($1, '')",
        )
        .bind(waiting)
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Update the sync and health shown while a request syncs (no change of state).
    pub async fn set_request_progress(
        &self,
        id: &str,
        sync_info: Option<&str>,
        health: Option<&str>,
        at: &str,
    ) -> Result<()> {
        let mut tx = self.begin_fenced().await?;
        sqlx::query(
            "UPDATE deploy_requests SET sync_info = COALESCE($1, sync_info), \
             health = COALESCE($2, health), updated_at = $3 WHERE id = $4",
        )
        .bind(sync_info)
        .bind(health)
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn request(&self, id: &str) -> Result<Option<RequestRow>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM deploy_requests WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .map(|r| request_row(&r))
        .transpose()
    }

    /// Requests matching `filter`, newest first.
    pub async fn requests(&self, filter: &RequestFilter) -> Result<Vec<RequestRow>> {
        let mut sql = format!("SELECT {COLUMNS} FROM deploy_requests WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        if !filter.states.is_empty() {
            // Fixed words from the enum, never caller text.
            let states: Vec<String> = filter
                .states
                .iter()
                .map(|s| format!("'{}'", s.as_str()))
                .collect();
            sql += &format!(" AND state IN ({})", states.join(", "));
        }
        for (column, value) in [
            ("env", &filter.env),
            ("app", &filter.app),
            ("requester_subject", &filter.requester),
        ] {
            if let Some(value) = value {
                binds.push(value.clone());
                sql += &format!(" AND {column} = ${}", binds.len());
            }
        }
        sql += &format!(
            " ORDER BY created_at DESC, id DESC LIMIT {}",
            filter.limit.unwrap_or(200).clamp(1, 1000)
        );
        let mut query = sqlx::query(&sql);
        for value in &binds {
            query = query.bind(value);
        }
        query
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(request_row)
            .collect()
    }

    pub async fn request_events(&self, id: &str) -> Result<Vec<EventRow>> {
        let rows = sqlx::query(
            "SELECT seq, at, state, actor_subject, actor_name, detail FROM deploy_events \
             WHERE request_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let state: String = r.try_get("state")?;
                Ok(EventRow {
                    seq: r.try_get("seq")?,
                    at: r.try_get("at")?,
                    state: RequestState::parse(&state)
                        .ok_or_else(|| StoreError::Corrupt(format!("request state `{state}`")))?,
                    actor_subject: r.try_get("actor_subject")?,
                    actor_name: r.try_get("actor_name")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }

    pub async fn request_approvals(&self, id: &str) -> Result<Vec<ApprovalRow>> {
        let rows = sqlx::query(
            "SELECT approver_subject, approver_name, approver_email, decision, comment, at \
             FROM deploy_approvals WHERE request_id = $1 ORDER BY at",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApprovalRow {
                    approver_subject: r.try_get("approver_subject")?,
                    approver_name: r.try_get("approver_name")?,
                    approver_email: r.try_get("approver_email")?,
                    decision: r.try_get("decision")?,
                    comment: r.try_get("comment")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    async fn set_state_in(
        tx: &mut Transaction<'_, Any>,
        id: &str,
        from: &[RequestState],
        to: RequestState,
        update: &Update,
        at: &str,
    ) -> Result<bool> {
        enum Bind {
            Text(Option<String>),
            Int(i64),
        }
        let mut sets = vec!["state = $1".to_string(), "updated_at = $2".to_string()];
        let mut binds = vec![
            Bind::Text(Some(to.as_str().into())),
            Bind::Text(Some(at.into())),
        ];
        let mut set = |column: &str, value: Bind| {
            binds.push(value);
            sets.push(format!("{column} = ${}", binds.len()));
        };
        for (column, value) in [
            ("base_sha", &update.base_sha),
            ("commit_sha", &update.commit_sha),
            ("commit_info", &update.commit_info),
            ("sync_info", &update.sync_info),
            ("health", &update.health),
            ("message", &update.message),
        ] {
            if let Some(value) = value {
                set(column, Bind::Text(Some(value.clone())));
            }
        }
        if let Some(waiting) = &update.waiting {
            set("waiting", Bind::Text(waiting.clone()));
        }
        if let Some(flag) = update.window_override {
            set("window_override", Bind::Int(i64::from(flag)));
        }
        // The states are fixed words from the enum, never caller text.
        let states: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
        let sql = format!(
            "UPDATE deploy_requests SET {} WHERE id = ${} AND state IN ({})",
            sets.join(", "),
            binds.len() + 1,
            states.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for value in binds {
            query = match value {
                Bind::Text(v) => query.bind(v),
                Bind::Int(v) => query.bind(v),
            };
        }
        let done = query.bind(id).execute(&mut **tx).await?.rows_affected();
        Ok(done == 1)
    }

    /// A timeline entry without a change of state (a sync started again after a restart).
    pub async fn add_request_event(
        &self,
        id: &str,
        state: RequestState,
        actor: &Actor,
        detail: &str,
        at: &str,
    ) -> Result<()> {
        let mut tx = self.begin_fenced().await?;
        Self::add_event_in(&mut tx, id, state, actor, detail, at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn add_event_in(
        tx: &mut Transaction<'_, Any>,
        id: &str,
        state: RequestState,
        actor: &Actor,
        detail: &str,
        at: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO deploy_events (request_id, seq, at, state, actor_subject, actor_name, detail) \
             SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5, $6 FROM deploy_events WHERE request_id = $1",
        )
        .bind(id)
        .bind(at)
        .bind(state.as_str())
        .bind(&actor.subject)
        .bind(&actor.name)
        .bind(detail)
        .execute(&mut **tx)
        .await?;
        let notice = serde_json::json!({
            "event": "deploy_request.state", "request": id, "state": state.as_str(),
            "at": at, "by": actor.name, "detail": detail,
        });
        Self::notify_in(tx, id, notice, at).await
    }
}

fn request_row(r: &AnyRow) -> Result<RequestRow> {
    let state: String = r.try_get("state")?;
    let via_token: i64 = r.try_get("via_token")?;
    let required: i64 = r.try_get("required_approvals")?;
    let window_override: i64 = r.try_get("window_override")?;
    Ok(RequestRow {
        id: r.try_get("id")?,
        env: r.try_get("env")?,
        app: r.try_get("app")?,
        change: r.try_get("change")?,
        reason: r.try_get("reason")?,
        requester_subject: r.try_get("requester_subject")?,
        requester_name: r.try_get("requester_name")?,
        requester_email: r.try_get("requester_email")?,
        via_token: via_token != 0,
        state: RequestState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("request state `{state}`")))?,
        required_approvals: required.max(0) as u32,
        from_version: r.try_get("from_version")?,
        to_version: r.try_get("to_version")?,
        base_sha: r.try_get("base_sha")?,
        commit_sha: r.try_get("commit_sha")?,
        commit_info: r.try_get("commit_info")?,
        sync_info: r.try_get("sync_info")?,
        health: r.try_get("health")?,
        waiting: r.try_get("waiting")?,
        message: r.try_get("message")?,
        window_override: window_override != 0,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

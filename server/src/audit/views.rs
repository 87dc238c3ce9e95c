//! The audit trail for the UI: pages of records and the chain check, as DTOs.

use atrium_app::dto::audit::{AuditEventView, AuditPageView, AuditQuery, ChainStatusView};
use atrium_app::error::AppError;
use atrium_app::service::AuditService;

use super::{AuditFilter, AuditRow};
use crate::store::Store;

pub struct AuditApi(pub Store);

/// Page filters from the UI's query; blank fields do not filter.
pub fn filter_of(query: &AuditQuery) -> AuditFilter {
    let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    AuditFilter {
        actor: some(&query.actor),
        action: some(&query.action),
        object: some(&query.object),
        from: some(&query.from),
        to: some(&query.to),
        limit: query.limit,
        before_seq: query.before,
    }
}

pub fn event_view(row: AuditRow) -> AuditEventView {
    let r = row.record;
    AuditEventView {
        seq: row.seq,
        at: r.at,
        actor_subject: r.actor.subject,
        actor_name: r.actor.name,
        actor_groups: r.actor.groups,
        action: r.action,
        object: r.object,
        outcome: r.outcome,
        details: r.details.to_string(),
        request_id: r.request_id,
        client_ip: r.client_ip,
        client_request_id: r.client_request_id,
        hash: row.hash,
    }
}

fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!("audit: {error}");
    AppError::Internal("the audit trail could not be read; the error is in the server log".into())
}

#[async_trait::async_trait]
impl AuditService for AuditApi {
    async fn page(&self, query: &AuditQuery) -> Result<AuditPageView, AppError> {
        let filter = filter_of(query);
        let limit = filter.limit.unwrap_or(100).clamp(1, 1000) as usize;
        let rows = self.0.audit_page(&filter).await.map_err(internal)?;
        let next_before = (rows.len() == limit)
            .then(|| rows.last().map(|r| r.seq))
            .flatten();
        Ok(AuditPageView {
            events: rows.into_iter().map(event_view).collect(),
            next_before,
        })
    }

    async fn verify(&self) -> Result<ChainStatusView, AppError> {
        let report = self.0.verify_audit().await.map_err(internal)?;
        let head = self.0.audit_head().await.map_err(internal)?;
        Ok(ChainStatusView {
            ok: report.is_ok(),
            checked: report.checked,
            head_seq: head.seq,
            broken_at: report.first_broken.as_ref().map(|b| b.seq),
            message: report.first_broken.map(|b| b.reason),
        })
    }
}

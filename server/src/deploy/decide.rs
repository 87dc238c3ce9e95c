//! Deciding on requests: approve, reject, cancel; an admin's override of a deploy window; and
//! freezing an environment. Each decision is one transaction with its audit record. The policy
//! file's answer comes in from the caller (the one enforcement point); four-eyes and the
//! session-only rule are checked here, whatever the policy says.

use atrium_app::dto::deploy::{RequestState, RequestView, ViewerRights};

use super::error::{DeployError, Result};
use super::state::{counted_approvals, may_decide, next, Decider, Event, Requester};
use super::{Deploys, Who};
use crate::audit::{outcome, AuditRecord};
use crate::store::deploys::{ApprovalRow, RequestRow, Transition, Update};

/// Longest comment kept with a decision.
const MAX_COMMENT: usize = 2_000;

fn requester(row: &RequestRow) -> Requester<'_> {
    Requester {
        subject: &row.requester_subject,
        email: row.requester_email.as_deref(),
    }
}

fn decider(who: &Who) -> Decider<'_> {
    Decider {
        subject: &who.subject,
        email: who.email.as_deref(),
        via_token: who.via_token,
    }
}

impl Deploys {
    /// What `who` may do with the request in `row` (UI hints; every action checks again).
    /// `policy_approve` is the policy's answer to `approvals, approve, <env>/<app>`.
    pub async fn rights(
        &self,
        row: &RequestRow,
        who: &Who,
        policy_approve: Result<(), String>,
        admin: bool,
    ) -> Result<ViewerRights> {
        let approved_by = self.approvers(&row.id).await?;
        let refs: Vec<&str> = approved_by.iter().map(|(s, _)| s.as_str()).collect();
        let verdict = may_decide(
            row.state,
            &requester(row),
            &decider(who),
            &refs,
            policy_approve,
        );
        Ok(ViewerRights {
            can_approve: verdict.is_ok(),
            approve_blocked: verdict.err().map(|r| r.to_string()),
            can_cancel: matches!(row.state, RequestState::Pending | RequestState::Approved)
                && (row.requester_subject == who.subject || admin),
            can_override_window: admin
                && row.state == RequestState::Approved
                && row.waiting.is_some()
                && !row.window_override,
        })
    }

    async fn approvers(&self, id: &str) -> Result<Vec<(String, Option<String>)>> {
        Ok(self
            .store
            .request_approvals(id)
            .await?
            .into_iter()
            .filter(|a| a.decision == "approve")
            .map(|a| (a.approver_subject, a.approver_email))
            .collect())
    }

    /// Approve (`approve = true`) or reject a pending request.
    pub async fn decide(
        &self,
        id: &str,
        who: &Who,
        approve: bool,
        comment: &str,
        policy: Result<(), String>,
    ) -> Result<RequestView> {
        let comment = comment.trim();
        if comment.len() > MAX_COMMENT {
            return Err(DeployError::invalid(
                "comment",
                format!("at most {MAX_COMMENT} characters"),
            ));
        }
        let row = self.row(id).await?;
        let approved_by = self.approvers(id).await?;
        let refs: Vec<&str> = approved_by.iter().map(|(s, _)| s.as_str()).collect();
        let object = format!("{}/{}", row.env, row.app);
        let action = if approve {
            "approvals.approve"
        } else {
            "approvals.reject"
        };
        if let Err(refusal) = may_decide(row.state, &requester(&row), &decider(who), &refs, policy)
        {
            let record = AuditRecord::new(who.actor(), action, &object, outcome::DENIED)
                .with_details(serde_json::json!({ "request": id, "reason": refusal.to_string() }))
                .with_request(who.request_id.clone(), who.client_ip.clone())
                .with_client_request_id(who.client_request_id.clone());
            self.store.append_audit(&record).await?;
            return Err(match refusal {
                super::state::Refusal::NotPending(_) => DeployError::Conflict(refusal.to_string()),
                other => DeployError::Refused(other.to_string()),
            });
        }
        let now = crate::audit::now();
        let approval = ApprovalRow {
            approver_subject: who.subject.clone(),
            approver_name: who.name.clone(),
            approver_email: who.email.clone(),
            decision: if approve { "approve" } else { "reject" }.into(),
            comment: comment.to_string(),
            at: now.clone(),
        };
        let record = AuditRecord::new(who.actor(), action, &object, outcome::SUCCESS)
            .with_details(serde_json::json!({ "request": id, "comment": comment }))
            .with_request(who.request_id.clone(), who.client_ip.clone())
            .with_client_request_id(who.client_request_id.clone());
        let with_comment = |word: &str| match comment {
            "" => word.to_string(),
            c => format!("{word}: {c}"),
        };
        let actor = who.actor();
        let then = if approve {
            let mut all: Vec<(&str, Option<&str>)> = approved_by
                .iter()
                .map(|(s, e)| (s.as_str(), e.as_deref()))
                .collect();
            all.push((&who.subject, who.email.as_deref()));
            let count = counted_approvals(&requester(&row), &all);
            (count >= row.required_approvals).then(|| Transition {
                id,
                from: &[RequestState::Pending],
                to: next(RequestState::Pending, Event::Approved).expect("pending → approved"),
                actor: &actor,
                detail: with_comment(&format!(
                    "approved by {} ({count} of {})",
                    who.name, row.required_approvals
                )),
                audit: AuditRecord::new(
                    crate::audit::Actor::system(),
                    "deploys.approved",
                    &object,
                    outcome::SUCCESS,
                )
                .with_details(serde_json::json!({ "request": id, "approvals": count })),
                update: Update::default(),
            })
        } else {
            Some(Transition {
                id,
                from: &[RequestState::Pending],
                to: RequestState::Rejected,
                actor: &actor,
                detail: with_comment(&format!("rejected by {}", who.name)),
                audit: AuditRecord::new(
                    crate::audit::Actor::system(),
                    "deploys.rejected",
                    &object,
                    outcome::SUCCESS,
                )
                .with_details(serde_json::json!({ "request": id })),
                update: Update {
                    message: Some(with_comment(&format!("rejected by {}", who.name))),
                    ..Update::default()
                },
            })
        };
        if !self
            .store
            .decide_request(id, &approval, &record, then.as_ref())
            .await?
        {
            return Err(DeployError::Conflict(
                "the request moved on meanwhile; reload it".into(),
            ));
        }
        self.changed(&row.env);
        self.view(id, None).await
    }

    /// Cancel a request that has not started: its requester may, and `others` (an admin).
    pub async fn cancel(&self, id: &str, who: &Who, others: bool) -> Result<RequestView> {
        let row = self.row(id).await?;
        let object = format!("{}/{}", row.env, row.app);
        if row.requester_subject != who.subject && !others {
            return Err(DeployError::Refused(format!(
                "only {} (who asked) or an administrator may cancel it",
                row.requester_name
            )));
        }
        next(row.state, Event::Cancelled).map_err(|e| DeployError::Conflict(e.to_string()))?;
        let actor = who.actor();
        let moved = self
            .store
            .transition(&Transition {
                id,
                from: &[RequestState::Pending, RequestState::Approved],
                to: RequestState::Cancelled,
                actor: &actor,
                detail: format!("cancelled by {}", who.name),
                audit: AuditRecord::new(actor.clone(), "deploys.cancel", &object, outcome::SUCCESS)
                    .with_details(serde_json::json!({ "request": id }))
                    .with_request(who.request_id.clone(), who.client_ip.clone())
                    .with_client_request_id(who.client_request_id.clone()),
                update: Update {
                    message: Some(format!("cancelled by {}", who.name)),
                    waiting: Some(None),
                    ..Update::default()
                },
            })
            .await?;
        if !moved {
            return Err(DeployError::Conflict(
                "it has started meanwhile and can no longer be cancelled".into(),
            ));
        }
        self.changed(&row.env);
        self.view(id, None).await
    }

    /// Let an approved request run outside its deploy window (an admin's call, recorded).
    pub async fn override_window(&self, id: &str, who: &Who) -> Result<RequestView> {
        let row = self.row(id).await?;
        if row.state != RequestState::Approved {
            return Err(DeployError::Conflict(format!(
                "it is {}, not waiting for a window",
                row.state.as_str()
            )));
        }
        let object = format!("{}/{}", row.env, row.app);
        let actor = who.actor();
        let moved = self
            .store
            .transition(&Transition {
                id,
                from: &[RequestState::Approved],
                to: RequestState::Approved,
                actor: &actor,
                detail: format!("deploy window overridden by {}", who.name),
                audit: AuditRecord::new(
                    actor.clone(),
                    "deploys.override_window",
                    &object,
                    outcome::SUCCESS,
                )
                .with_details(serde_json::json!({ "request": id, "waiting": row.waiting }))
                .with_request(who.request_id.clone(), who.client_ip.clone())
                .with_client_request_id(who.client_request_id.clone()),
                update: Update {
                    window_override: Some(true),
                    waiting: Some(None),
                    ..Update::default()
                },
            })
            .await?;
        if !moved {
            return Err(DeployError::Conflict(
                "the request moved on meanwhile; reload it".into(),
            ));
        }
        self.changed(&row.env);
        self.view(id, None).await
    }

    /// Freeze or unfreeze an environment: while frozen, no approved request runs.
    pub async fn set_freeze(&self, env: &str, frozen: bool, reason: &str, who: &Who) -> Result<()> {
        self.repo(env)?;
        let record = AuditRecord::new(
            who.actor(),
            if frozen {
                "deploys.freeze"
            } else {
                "deploys.unfreeze"
            },
            format!("{env}/*"),
            outcome::SUCCESS,
        )
        .with_details(serde_json::json!({ "reason": reason.trim() }))
        .with_request(who.request_id.clone(), who.client_ip.clone())
        .with_client_request_id(who.client_request_id.clone());
        self.store
            .set_freeze(env, frozen, reason.trim(), &who.actor(), &record)
            .await?;
        self.changed(env);
        Ok(())
    }

    /// Frozen environments with who froze them and why.
    pub async fn freezes(&self) -> Result<Vec<crate::store::freezes::Freeze>> {
        Ok(self.store.freezes().await?)
    }
}

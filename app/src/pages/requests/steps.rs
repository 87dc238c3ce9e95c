//! A request's timeline as steps, worked out from the request alone (pure, tested here):
//! requested → each approval or rejection → commit → sync → health, each done, in progress,
//! failed, stopped or still to come. A request that ended early (rejected, cancelled, expired,
//! superseded, failed) stops where it ended; one under way shows the steps still to come.

use crate::dto::deploy::{CommitView, RequestState, RequestView, SyncView, TimelineEntry};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Done,
    /// Under way, or waiting for someone.
    Current,
    Failed,
    /// Ended here without failing (rejected, cancelled, expired, superseded).
    Stopped,
    Upcoming,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Current => "current",
            Status::Failed => "failed",
            Status::Stopped => "stopped",
            Status::Upcoming => "upcoming",
        }
    }

    /// What a screen reader hears after the step's title.
    pub fn spoken(self) -> &'static str {
        match self {
            Status::Done => "done",
            Status::Current => "in progress",
            Status::Failed => "failed",
            Status::Stopped => "ended here",
            Status::Upcoming => "not yet",
        }
    }
}

/// What a step shows under its title.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    None,
    /// A person's words (the reason, a comment).
    Quote(String),
    Commit(CommitView),
    Sync(SyncView),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// `requested`, `decision`, `approval`, `commit`, `sync`, `health` or `end`.
    pub kind: &'static str,
    pub title: String,
    pub status: Status,
    pub at: Option<String>,
    pub by: Option<String>,
    /// One line of detail.
    pub note: Option<String>,
    pub body: Body,
}

impl Step {
    fn new(kind: &'static str, title: impl Into<String>, status: Status) -> Self {
        Step {
            kind,
            title: title.into(),
            status,
            at: None,
            by: None,
            note: None,
            body: Body::None,
        }
    }

    fn at(mut self, at: Option<&str>) -> Self {
        self.at = at.map(str::to_string);
        self
    }

    fn by(mut self, by: Option<&str>) -> Self {
        self.by = by.filter(|b| !b.is_empty()).map(str::to_string);
        self
    }

    fn note(mut self, note: Option<impl Into<String>>) -> Self {
        self.note = note.map(Into::into).filter(|n: &String| !n.is_empty());
        self
    }

    fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }
}

/// A decision the viewer sent and the server has not answered yet (shown at once).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sending {
    pub approve: bool,
    pub comment: String,
}

/// The newest timeline entry recorded for `state`.
fn entry(v: &RequestView, state: RequestState) -> Option<&TimelineEntry> {
    v.timeline.iter().rev().find(|e| e.state == state)
}

fn upcoming(out: &mut Vec<Step>, from: &'static str) {
    let all = [("commit", "Commit"), ("sync", "Sync"), ("health", "Health")];
    let start = all.iter().position(|(k, _)| *k == from).unwrap_or(0);
    out.extend(
        all[start..]
            .iter()
            .map(|(kind, title)| Step::new(kind, *title, Status::Upcoming)),
    );
}

fn plural(n: u32, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The version change, as `1.4.0 → 2.5.0`.
pub fn versions(v: &RequestView) -> Option<String> {
    match (&v.from_version, &v.to_version) {
        (Some(from), Some(to)) => Some(format!("{from} → {to}")),
        (None, Some(to)) => Some(format!("→ {to}")),
        (Some(from), None) => Some(format!("{from} →")),
        (None, None) => None,
    }
}

pub fn steps(v: &RequestView, sending: Option<&Sending>) -> Vec<Step> {
    let state = v.state;
    let message = v.message.as_deref();
    let mut out = Vec::new();

    let by = if v.via_token {
        format!("{} (API token)", v.requester)
    } else {
        v.requester.clone()
    };
    out.push(
        Step::new("requested", "Requested", Status::Done)
            .at(Some(&v.created_at))
            .by(Some(&by))
            .note(Some(match versions(v) {
                Some(versions) => format!("{} · {versions}", v.change.describe()),
                None => v.change.describe(),
            }))
            .body(Body::Quote(v.reason.clone())),
    );

    // Approvals.
    if v.required_approvals == 0 {
        if let Some(e) = entry(v, RequestState::Approved) {
            out.push(
                Step::new("approval", "No approval needed", Status::Done)
                    .at(Some(&e.at))
                    .note(Some(format!("{} needs no approval", v.environment))),
            );
        }
    }
    for a in &v.approvals {
        let approve = a.decision == "approve";
        out.push(
            Step::new(
                "decision",
                if approve { "Approved" } else { "Rejected" },
                if approve {
                    Status::Done
                } else {
                    Status::Stopped
                },
            )
            .at(Some(&a.at))
            .by(Some(&a.by))
            .body(if a.comment.is_empty() {
                Body::None
            } else {
                Body::Quote(a.comment.clone())
            }),
        );
    }
    if let Some(s) = sending {
        out.push(
            Step::new(
                "decision",
                if s.approve {
                    "Approving…"
                } else {
                    "Rejecting…"
                },
                Status::Current,
            )
            .by(Some("you"))
            .body(if s.comment.trim().is_empty() {
                Body::None
            } else {
                Body::Quote(s.comment.trim().to_string())
            }),
        );
    }
    if state == RequestState::Pending {
        if sending.is_none() {
            let approved = v
                .approvals
                .iter()
                .filter(|a| a.decision == "approve")
                .count();
            out.push(
                Step::new("approval", "Waiting for approval", Status::Current).note(Some(
                    format!(
                        "{approved} of {}; anyone allowed to approve deploys of {}/{} may, except {} (four-eyes)",
                        plural(v.required_approvals, "approval", "approvals"),
                        v.environment,
                        v.app,
                        v.requester
                    ),
                )),
            );
        }
        upcoming(&mut out, "commit");
        return out;
    }

    // Ended before running.
    match state {
        RequestState::Rejected => return out,
        RequestState::Cancelled | RequestState::Expired | RequestState::Superseded => {
            let e = entry(v, state);
            out.push(
                Step::new(
                    "end",
                    crate::components::request_state::state_word(state),
                    Status::Stopped,
                )
                .at(e.map(|e| e.at.as_str()))
                .by(e.map(|e| e.by.as_str()))
                .note(e.map(|e| e.detail.clone()).or(message.map(str::to_string))),
            );
            return out;
        }
        _ => {}
    }

    // Commit.
    let Some(commit) = &v.commit else {
        let step = match state {
            RequestState::Approved => match &v.waiting {
                Some(why) => Step::new("commit", "Waiting to commit", Status::Current)
                    .note(Some(why.clone())),
                None => Step::new("commit", "Commit", Status::Current)
                    .note(Some("approved: the commit starts in a moment")),
            },
            RequestState::Committing => {
                let e = entry(v, RequestState::Committing);
                Step::new("commit", "Committing…", Status::Current)
                    .at(e.map(|e| e.at.as_str()))
                    .note(e.map(|e| e.detail.clone()))
            }
            _ => Step::new("commit", "Commit failed", Status::Failed)
                .at(entry(v, RequestState::Failed).map(|e| e.at.as_str()))
                .note(message.map(str::to_string)),
        };
        let failed = step.status == Status::Failed;
        out.push(step);
        if !failed {
            upcoming(&mut out, "sync");
        }
        return out;
    };
    out.push(
        Step::new("commit", "Committed", Status::Done)
            .at(entry(v, RequestState::Committed).map(|e| e.at.as_str()))
            .by(Some(&commit.author))
            .body(Body::Commit(commit.clone())),
    );

    // Sync.
    let syncing = entry(v, RequestState::Syncing);
    let sync_step = match (&v.sync, state) {
        (None, RequestState::Committed) => Step::new("sync", "Sync", Status::Current)
            .note(Some("waiting for the environment to read the commit")),
        (None, RequestState::Failed) => Step::new("sync", "Sync failed", Status::Failed)
            .at(entry(v, RequestState::Failed).map(|e| e.at.as_str()))
            .note(message.map(str::to_string)),
        (None, _) => {
            Step::new("sync", "Syncing…", Status::Current).at(syncing.map(|e| e.at.as_str()))
        }
        (Some(sync), _) if sync.finished_at.is_none() => {
            let failed = state == RequestState::Failed;
            Step::new(
                "sync",
                if failed { "Sync failed" } else { "Syncing…" },
                if failed {
                    Status::Failed
                } else {
                    Status::Current
                },
            )
            .at(Some(&sync.started_at))
            .note(failed.then(|| message.unwrap_or_default().to_string()))
            .body(Body::Sync(sync.clone()))
        }
        (Some(sync), _) => {
            let ok = sync.result == "succeeded";
            Step::new(
                "sync",
                if ok { "Synced" } else { "Sync failed" },
                if ok { Status::Done } else { Status::Failed },
            )
            .at(Some(&sync.started_at))
            .by(syncing.map(|e| e.by.as_str()))
            .body(Body::Sync(sync.clone()))
        }
    };
    let sync_status = sync_step.status;
    out.push(sync_step);
    match sync_status {
        Status::Current => {
            upcoming(&mut out, "health");
            return out;
        }
        Status::Failed => return out,
        _ => {}
    }

    // Health.
    let health = v.health.as_deref().unwrap_or("not read yet");
    let step = match state {
        RequestState::Healthy => Step::new("health", "Healthy", Status::Done)
            .at(entry(v, state).map(|e| e.at.as_str()))
            .note(Some(format!("{} is Healthy in {}", v.app, v.environment))),
        RequestState::Degraded => Step::new("health", "Degraded", Status::Failed)
            .at(entry(v, state).map(|e| e.at.as_str()))
            .note(message.map(str::to_string)),
        RequestState::Failed => Step::new("health", "Not healthy", Status::Failed)
            .at(entry(v, state).map(|e| e.at.as_str()))
            .note(message.map(str::to_string)),
        _ => Step::new("health", "Waiting for health", Status::Current)
            .note(Some(format!("health: {health}"))),
    };
    out.push(step);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::deploy::{ApprovalView, Change};

    fn request(state: RequestState) -> RequestView {
        RequestView {
            id: "r1".into(),
            environment: "prod".into(),
            app: "checkout-service".into(),
            change: Change::SetImage {
                tag: "2.5.0".into(),
                container: None,
            },
            reason: "fixes the rounding".into(),
            requester: "Amara Okafor".into(),
            requester_id: "amara.okafor".into(),
            via_token: false,
            state,
            required_approvals: 1,
            approvals: Vec::new(),
            from_version: Some("2.4.0".into()),
            to_version: Some("2.5.0".into()),
            commit: None,
            sync: None,
            health: None,
            waiting: None,
            message: None,
            webhook_error: None,
            created_at: "2026-01-01T10:00:00Z".into(),
            updated_at: "2026-01-01T10:00:00Z".into(),
            timeline: Vec::new(),
            viewer: None,
        }
    }

    fn approved(mut v: RequestView) -> RequestView {
        v.approvals.push(ApprovalView {
            by: "Elena Petrova".into(),
            at: "2026-01-01T10:05:00Z".into(),
            comment: "looks good".into(),
            decision: "approve".into(),
        });
        v
    }

    fn committed(mut v: RequestView) -> RequestView {
        v.commit = Some(CommitView {
            sha: "abcdef1234567".into(),
            author: "Amara Okafor".into(),
            message: "checkout-service: image 2.5.0".into(),
            ..CommitView::default()
        });
        v
    }

    fn synced(mut v: RequestView, result: &str) -> RequestView {
        v.sync = Some(SyncView {
            started_at: "2026-01-01T10:06:00Z".into(),
            finished_at: Some("2026-01-01T10:06:02Z".into()),
            result: result.into(),
            ..SyncView::default()
        });
        v
    }

    fn shape(steps: &[Step]) -> Vec<(&'static str, Status)> {
        steps.iter().map(|s| (s.kind, s.status)).collect()
    }

    #[test]
    fn a_pending_request_waits_for_approval_with_the_rest_to_come() {
        let v = request(RequestState::Pending);
        let steps = steps(&v, None);
        assert_eq!(
            shape(&steps),
            [
                ("requested", Status::Done),
                ("approval", Status::Current),
                ("commit", Status::Upcoming),
                ("sync", Status::Upcoming),
                ("health", Status::Upcoming),
            ]
        );
        assert_eq!(
            steps[0].note.as_deref(),
            Some("image 2.5.0 · 2.4.0 → 2.5.0")
        );
        assert_eq!(steps[0].body, Body::Quote("fixes the rounding".into()));
        assert!(steps[1]
            .note
            .as_deref()
            .unwrap()
            .starts_with("0 of 1 approval;"));
        assert!(steps[1]
            .note
            .as_deref()
            .unwrap()
            .contains("except Amara Okafor"));
    }

    #[test]
    fn a_decision_being_sent_shows_at_once() {
        let v = request(RequestState::Pending);
        let sending = Sending {
            approve: true,
            comment: " ship it ".into(),
        };
        let steps = steps(&v, Some(&sending));
        assert_eq!(steps[1].title, "Approving…");
        assert_eq!(steps[1].status, Status::Current);
        assert_eq!(steps[1].body, Body::Quote("ship it".into()));
        assert_eq!(steps[2].kind, "commit");
    }

    #[test]
    fn a_healthy_deploy_lists_every_step_done() {
        let mut v = synced(
            committed(approved(request(RequestState::Healthy))),
            "succeeded",
        );
        v.health = Some("Healthy".into());
        let steps = steps(&v, None);
        assert_eq!(
            shape(&steps),
            [
                ("requested", Status::Done),
                ("decision", Status::Done),
                ("commit", Status::Done),
                ("sync", Status::Done),
                ("health", Status::Done),
            ]
        );
        assert_eq!(steps[1].by.as_deref(), Some("Elena Petrova"));
        assert_eq!(steps[1].body, Body::Quote("looks good".into()));
    }

    #[test]
    fn the_running_step_is_current() {
        let v = committed(approved(request(RequestState::Committed)));
        assert_eq!(
            shape(&steps(&v, None))[2..],
            [
                ("commit", Status::Done),
                ("sync", Status::Current),
                ("health", Status::Upcoming)
            ]
        );
        let mut v = synced(
            committed(approved(request(RequestState::Syncing))),
            "succeeded",
        );
        v.health = Some("Progressing".into());
        let steps = steps(&v, None);
        assert_eq!(steps[4].status, Status::Current);
        assert_eq!(steps[4].note.as_deref(), Some("health: Progressing"));

        let mut waiting = approved(request(RequestState::Approved));
        waiting.waiting = Some("waiting: outside the deploy window".into());
        let steps = super::steps(&waiting, None);
        assert_eq!(steps[2].title, "Waiting to commit");
        assert_eq!(steps[2].status, Status::Current);
    }

    #[test]
    fn failures_stop_where_they_happened() {
        let mut v = synced(committed(request(RequestState::Degraded)), "succeeded");
        v.required_approvals = 0;
        v.message = Some("degraded: ImagePullBackOff".into());
        v.timeline.push(TimelineEntry {
            at: "2026-01-01T10:00:00Z".into(),
            state: RequestState::Approved,
            by: "Amara Okafor".into(),
            detail: "no approval required".into(),
        });
        let steps = steps(&v, None);
        assert_eq!(
            shape(&steps),
            [
                ("requested", Status::Done),
                ("approval", Status::Done),
                ("commit", Status::Done),
                ("sync", Status::Done),
                ("health", Status::Failed),
            ]
        );
        assert_eq!(steps[4].note.as_deref(), Some("degraded: ImagePullBackOff"));

        let v = synced(committed(request(RequestState::Failed)), "failed");
        assert_eq!(
            shape(&super::steps(&v, None)).last(),
            Some(&("sync", Status::Failed))
        );

        let mut v = request(RequestState::Failed);
        v.message = Some("the branch kept moving".into());
        let steps = super::steps(&v, None);
        assert_eq!(steps.last().unwrap().kind, "commit");
        assert_eq!(steps.last().unwrap().status, Status::Failed);
    }

    #[test]
    fn requests_that_ended_early_stop_there() {
        let mut v = request(RequestState::Rejected);
        v.approvals.push(ApprovalView {
            by: "Elena Petrova".into(),
            at: "2026-01-01T10:05:00Z".into(),
            comment: "not during the sale".into(),
            decision: "reject".into(),
        });
        assert_eq!(
            shape(&steps(&v, None)),
            [("requested", Status::Done), ("decision", Status::Stopped)]
        );
        let mut v = request(RequestState::Cancelled);
        v.timeline.push(TimelineEntry {
            at: "2026-01-01T10:09:00Z".into(),
            state: RequestState::Cancelled,
            by: "Amara Okafor".into(),
            detail: "cancelled by Amara Okafor".into(),
        });
        let steps = steps(&v, None);
        assert_eq!(shape(&steps).last(), Some(&("end", Status::Stopped)));
        assert_eq!(steps[1].title, "Cancelled");
        assert_eq!(steps[1].note.as_deref(), Some("cancelled by Amara Okafor"));
    }
}

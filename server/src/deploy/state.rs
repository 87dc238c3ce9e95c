//! The request state machine, pure: which event moves a request from which state to which,
//! and who may approve. Everything that persists a transition asks [`next`] first, so a
//! refused transition is refused the same way everywhere.
//!
//! ```text
//! pending ─approve(enough)→ approved ─start→ committing ─commit→ committed ─sync→ syncing ─┬→ healthy
//!    │                         │                 │                   │                   ├→ degraded
//!    ├─reject→ rejected         │                 └──────fail─────────┴───────fail────────┴→ failed
//!    └─cancel/expire/supersede─┴→ cancelled | expired | superseded
//! ```

use atrium_app::dto::deploy::RequestState;

/// What happens to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// An approval that brings the count to what the policy requires.
    Approved,
    Rejected,
    Cancelled,
    Expired,
    Superseded,
    /// The executor takes it (window open, not frozen).
    StartCommit,
    Committed,
    StartSync,
    Healthy,
    Degraded,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a request that is {} cannot be {}", .from.as_str(), verb(.event))]
pub struct TransitionError {
    pub from: RequestState,
    pub event: Event,
}

fn verb(event: &Event) -> &'static str {
    match event {
        Event::Approved => "approved",
        Event::Rejected => "rejected",
        Event::Cancelled => "cancelled",
        Event::Expired => "expired",
        Event::Superseded => "superseded",
        Event::StartCommit => "committed (it is not approved)",
        Event::Committed => "marked committed",
        Event::StartSync => "synced",
        Event::Healthy | Event::Degraded => "marked finished",
        Event::Failed => "marked failed",
    }
}

/// The state `event` leads to from `from`, or why it cannot happen.
pub fn next(from: RequestState, event: Event) -> Result<RequestState, TransitionError> {
    use Event as E;
    use RequestState as S;
    let to = match (from, event) {
        (S::Pending, E::Approved) => S::Approved,
        (S::Pending, E::Rejected) => S::Rejected,
        (S::Pending | S::Approved, E::Cancelled) => S::Cancelled,
        (S::Pending | S::Approved, E::Expired) => S::Expired,
        (S::Pending | S::Approved, E::Superseded) => S::Superseded,
        (S::Approved, E::StartCommit) => S::Committing,
        (S::Committing, E::Committed) => S::Committed,
        (S::Committed, E::StartSync) => S::Syncing,
        (S::Syncing, E::Healthy) => S::Healthy,
        (S::Syncing, E::Degraded) => S::Degraded,
        (S::Committing | S::Committed | S::Syncing, E::Failed) => S::Failed,
        _ => return Err(TransitionError { from, event }),
    };
    Ok(to)
}

/// Who is deciding on a request, as far as four-eyes is concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decider<'a> {
    pub subject: &'a str,
    /// Only a verified e-mail counts (an unverified one could be anybody's).
    pub email: Option<&'a str>,
    /// Deciding through an API token rather than an interactive session.
    pub via_token: bool,
}

/// Why someone may not approve or reject a request. The text is what the UI shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("approving and rejecting need a signed-in session: automation can ask, never approve")]
    Token,
    #[error("you asked for this deploy: someone else must approve it (four-eyes)")]
    FourEyes,
    #[error("you have already approved this request")]
    AlreadyApproved,
    #[error("it is {} and no longer waits for approvals", .0.as_str())]
    NotPending(RequestState),
    #[error("{0}")]
    Policy(String),
}

/// The requester of a request, for four-eyes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requester<'a> {
    pub subject: &'a str,
    pub email: Option<&'a str>,
}

/// Whether `decider` may approve or reject: four-eyes always (the requester never counts,
/// whatever roles or groups they hold, under any session or token), an interactive session,
/// and the request still pending. The policy's own answer comes in as `policy`.
pub fn may_decide(
    state: RequestState,
    requester: &Requester<'_>,
    decider: &Decider<'_>,
    approved_by: &[&str],
    policy: Result<(), String>,
) -> Result<(), Refusal> {
    if decider.via_token {
        return Err(Refusal::Token);
    }
    let same_email =
        matches!((requester.email, decider.email), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
    if requester.subject == decider.subject || same_email {
        return Err(Refusal::FourEyes);
    }
    if state != RequestState::Pending {
        return Err(Refusal::NotPending(state));
    }
    if approved_by.contains(&decider.subject) {
        return Err(Refusal::AlreadyApproved);
    }
    policy.map_err(Refusal::Policy)
}

/// Distinct approvers other than the requester: what counts towards `required`.
pub fn counted_approvals(requester: &Requester<'_>, approvers: &[(&str, Option<&str>)]) -> u32 {
    let mut seen: Vec<&str> = Vec::new();
    for (subject, email) in approvers {
        let is_requester = *subject == requester.subject
            || matches!((requester.email, email), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
        if !is_requester && !seen.contains(subject) {
            seen.push(subject);
        }
    }
    seen.len() as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use RequestState as S;

    const EVENTS: [Event; 11] = [
        Event::Approved,
        Event::Rejected,
        Event::Cancelled,
        Event::Expired,
        Event::Superseded,
        Event::StartCommit,
        Event::Committed,
        Event::StartSync,
        Event::Healthy,
        Event::Degraded,
        Event::Failed,
    ];

    /// Every (state, event) pair: the allowed ones lead where the diagram says, every other
    /// one is refused, and terminal states never move.
    #[test]
    fn every_transition_and_every_refusal() {
        let allowed = [
            (S::Pending, Event::Approved, S::Approved),
            (S::Pending, Event::Rejected, S::Rejected),
            (S::Pending, Event::Cancelled, S::Cancelled),
            (S::Pending, Event::Expired, S::Expired),
            (S::Pending, Event::Superseded, S::Superseded),
            (S::Approved, Event::Cancelled, S::Cancelled),
            (S::Approved, Event::Expired, S::Expired),
            (S::Approved, Event::Superseded, S::Superseded),
            (S::Approved, Event::StartCommit, S::Committing),
            (S::Committing, Event::Committed, S::Committed),
            (S::Committing, Event::Failed, S::Failed),
            (S::Committed, Event::StartSync, S::Syncing),
            (S::Committed, Event::Failed, S::Failed),
            (S::Syncing, Event::Healthy, S::Healthy),
            (S::Syncing, Event::Degraded, S::Degraded),
            (S::Syncing, Event::Failed, S::Failed),
        ];
        for from in S::ALL {
            for event in EVENTS {
                let expected = allowed
                    .iter()
                    .find(|(f, e, _)| *f == from && *e == event)
                    .map(|(_, _, to)| *to);
                match (next(from, event), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{from:?} {event:?}"),
                    (Err(e), None) => {
                        assert_eq!(e, TransitionError { from, event });
                        assert!(e
                            .to_string()
                            .starts_with(&format!("a request that is {}", from.as_str())));
                    }
                    (got, want) => panic!("{from:?} + {event:?}: got {got:?}, want {want:?}"),
                }
                if from.is_terminal() {
                    assert!(next(from, event).is_err(), "{from:?} is terminal");
                }
            }
        }
        // Once committed, nobody can cancel: the change is in Git.
        assert!(next(S::Committed, Event::Cancelled).is_err());
    }

    const AMARA: Requester<'static> = Requester {
        subject: "amara.okafor",
        email: Some("amara@brightcart.example"),
    };

    fn decider(subject: &str) -> Decider<'_> {
        Decider {
            subject,
            email: None,
            via_token: false,
        }
    }

    #[test]
    fn four_eyes_cannot_be_bypassed() {
        let ok = || Ok(());
        // The requester, whatever their rights (the policy would say yes: an admin).
        assert_eq!(
            may_decide(S::Pending, &AMARA, &decider("amara.okafor"), &[], ok()),
            Err(Refusal::FourEyes)
        );
        // The same person under another identity with the same verified e-mail.
        let other_login = Decider {
            subject: "00u1abc",
            email: Some("AMARA@brightcart.example"),
            via_token: false,
        };
        assert_eq!(
            may_decide(S::Pending, &AMARA, &other_login, &[], ok()),
            Err(Refusal::FourEyes)
        );
        // Through a token, even someone else.
        let bot = Decider {
            via_token: true,
            ..decider("elena.petrova")
        };
        assert_eq!(
            may_decide(S::Pending, &AMARA, &bot, &[], ok()),
            Err(Refusal::Token)
        );
        // The policy decides for the others.
        assert_eq!(
            may_decide(
                S::Pending,
                &AMARA,
                &decider("sofia.lindqvist"),
                &[],
                Err("no approve line".into())
            ),
            Err(Refusal::Policy("no approve line".into()))
        );
        assert_eq!(
            may_decide(S::Pending, &AMARA, &decider("elena.petrova"), &[], ok()),
            Ok(())
        );
        assert_eq!(
            may_decide(
                S::Pending,
                &AMARA,
                &decider("elena.petrova"),
                &["elena.petrova"],
                ok()
            ),
            Err(Refusal::AlreadyApproved)
        );
        assert_eq!(
            may_decide(S::Approved, &AMARA, &decider("elena.petrova"), &[], ok()),
            Err(Refusal::NotPending(S::Approved))
        );
    }

    #[test]
    fn only_other_people_count_once() {
        let approvals = [
            ("elena.petrova", None),
            ("elena.petrova", None),
            ("amara.okafor", None),
            ("x", Some("amara@brightcart.example")),
            ("jonas.becker", None),
        ];
        assert_eq!(counted_approvals(&AMARA, &approvals), 2);
    }
}

//! Deploy requests, live: one stream of change notices for the whole app
//! (`/api/deploys/events`, server-sent events, one per change of any request, naming its
//! environment), shared through context by the top bar's badge and the Requests pages. Each
//! notice bumps [`Notice::seq`]; whatever shows requests re-fetches when it moves. While the
//! stream is down, a slow poll bumps it instead, so nothing stays stale for long.

use leptos::prelude::*;

use super::live_stream::LiveState;
use super::session::use_session;
use crate::api::deploy::awaiting_count;
use crate::dto::deploy::ChangeNotice;
use crate::error::AppError;

/// The newest change the page heard of.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notice {
    /// Moves on every notice (and every poll while the stream is down); 0 until then.
    pub seq: u64,
    /// The environment that changed, when only one did; `None`: anything may have changed.
    pub environment: Option<String>,
}

impl Notice {
    /// Whether a page about `environment` should re-fetch.
    pub fn concerns(&self, environment: &str) -> bool {
        self.environment.as_deref().is_none_or(|e| e == environment)
    }
}

#[derive(Clone, Copy)]
pub struct DeployLive {
    pub state: ReadSignal<LiveState>,
    pub notice: ReadSignal<Notice>,
    /// Requests awaiting the viewer's approval (the top bar's badge, the "Awaiting me" tab);
    /// 0 for anonymous visitors, without asking the server.
    pub awaiting: Resource<Result<usize, AppError>>,
}

/// The stream's path.
pub const EVENTS_URL: &str = "/api/deploys/events";

/// Creates the shared state and, in the browser, opens the stream once someone is signed in.
/// Call once, high in the tree (after the session is provided).
pub fn provide_deploy_live() {
    let session = use_session();
    let (state, set_state) = signal(LiveState::Connecting);
    let (notice, set_notice) = signal(Notice::default());
    let awaiting = Resource::new(
        move || notice.with(|n| n.seq),
        move |_| async move {
            let signed_in = session.await.is_ok_and(|s| s.user.is_some());
            if signed_in {
                awaiting_count().await
            } else {
                Ok(0)
            }
        },
    );
    #[cfg(feature = "hydrate")]
    browser::start(session, (state, set_state), set_notice);
    #[cfg(not(feature = "hydrate"))]
    let _ = (set_state, set_notice);
    provide_context(DeployLive {
        state,
        notice,
        awaiting,
    });
}

pub fn use_deploy_live() -> DeployLive {
    expect_context::<DeployLive>()
}

/// What a change notice means for the pages, given the version heard before (`None`: none
/// yet, so anything may have changed since the page was rendered).
pub fn next_notice(previous: Option<u64>, notice: &ChangeNotice) -> Option<Option<String>> {
    match previous {
        Some(v) if v == notice.version => None,
        // Exactly the next change: it names its environment.
        Some(v) if v + 1 == notice.version && !notice.environment.is_empty() => {
            Some(Some(notice.environment.clone()))
        }
        _ => Some(None),
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::time::Duration;

    use leptos::prelude::*;

    use super::{next_notice, ChangeNotice, Notice, EVENTS_URL};
    use crate::components::live_stream::{sleep, subscribe, LiveState};
    use crate::dto::auth::SessionView;
    use crate::error::AppError;

    /// How often pages re-fetch while the stream is down.
    const POLL: Duration = Duration::from_secs(20);

    pub fn start(
        session: Resource<Result<SessionView, AppError>>,
        (state, set_state): (ReadSignal<LiveState>, WriteSignal<LiveState>),
        set_notice: WriteSignal<Notice>,
    ) {
        // The stream belongs to the app, not to the effect that starts it.
        let owner = Owner::current();
        let started = StoredValue::new(false);
        let bump = move |environment: Option<String>| {
            set_notice.update(|n| {
                n.seq += 1;
                n.environment = environment;
            })
        };
        Effect::new(move |_| {
            let signed_in = session
                .get()
                .and_then(Result::ok)
                .is_some_and(|s| s.user.is_some());
            if !signed_in || started.get_value() {
                return;
            }
            started.set_value(true);
            let heard = StoredValue::new(None::<u64>);
            let open = move || {
                subscribe(EVENTS_URL.into(), "change", set_state, move |data| {
                    let Ok(notice) = serde_json::from_str::<ChangeNotice>(&data) else {
                        return;
                    };
                    let previous = heard.get_value();
                    heard.set_value(Some(notice.version));
                    if let Some(environment) = next_notice(previous, &notice) {
                        bump(environment);
                    }
                });
            };
            match &owner {
                Some(owner) => owner.with(open),
                None => open(),
            }
            // The slow poll while the stream is down.
            leptos::task::spawn_local(async move {
                loop {
                    sleep(POLL).await;
                    let Some(now) = state.try_get_untracked() else {
                        return;
                    };
                    if now != LiveState::Live {
                        bump(None);
                    }
                }
            });
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(version: u64, environment: &str) -> ChangeNotice {
        ChangeNotice {
            version,
            environment: environment.into(),
        }
    }

    #[test]
    fn the_first_notice_and_gaps_refetch_everything() {
        assert_eq!(next_notice(None, &notice(4, "prod")), Some(None));
        assert_eq!(next_notice(Some(4), &notice(4, "prod")), None);
        assert_eq!(
            next_notice(Some(4), &notice(5, "prod")),
            Some(Some("prod".into()))
        );
        assert_eq!(next_notice(Some(4), &notice(7, "prod")), Some(None));
        assert_eq!(next_notice(Some(4), &notice(5, "")), Some(None));
        // The server restarted: its counter began again.
        assert_eq!(next_notice(Some(9), &notice(1, "dev")), Some(None));
    }

    #[test]
    fn notices_concern_their_environment() {
        let any = Notice {
            seq: 1,
            environment: None,
        };
        let prod = Notice {
            seq: 2,
            environment: Some("prod".into()),
        };
        assert!(any.concerns("dev") && prod.concerns("prod") && !prod.concerns("dev"));
    }
}
